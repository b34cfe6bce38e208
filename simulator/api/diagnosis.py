"""An auth refusal's diagnosis: kept on the request for the journal, and logged, one line each.

The SP's answer stays exactly the platform's; what it got wrong goes to the journal
(``/_sim/requests``, ``/_sim/report``) and to the log.
"""
from __future__ import annotations

import logging
import time

from aiohttp import web

from ..auth import Diagnosis, diagnose
from ..errors import PlatformError
from ..platform import Platform

log = logging.getLogger("simulator.auth")
# aiohttp < 3.13 has no RequestKey (as for _http.RAW_BODY)
DIAGNOSIS = web.RequestKey("diagnosis", Diagnosis) if hasattr(web, "RequestKey") else "voicesim.diagnosis"


def diagnose_refusal(request: web.Request, platform: Platform, error: PlatformError) -> None:
    """Find the mistake behind ``error``, the auth refusal ``request`` gets; keep it on the request and log it."""
    verifier = platform.verifier
    found = diagnose(error, request.headers, verifier.secrets, time.time(), verifier.window,
                     verifier.accept_beijing_time)
    request[DIAGNOSIS] = found
    log.warning("%s %s refused with %s: %s: %s", request.method, request.path, error.code, found.mistake,
                found.detail)
