"""An auth refusal's diagnosis: for the journal, and logged, one line each.

The SP's answer stays exactly the platform's; what it got wrong goes to the journal
(``/_sim/requests``, ``/_sim/report``) and to the log.
"""
from __future__ import annotations

import logging
import time

from ..auth import Diagnosis, diagnose
from ..errors import PlatformError
from ..front import Request
from ..platform import Platform

log = logging.getLogger("simulator.auth")


def diagnose_refusal(request: Request, platform: Platform, error: PlatformError) -> Diagnosis:
    """The mistake behind ``error``, the auth refusal ``request`` gets, logged."""
    verifier = platform.verifier
    found = diagnose(error, request.headers, verifier.secrets, time.time(), verifier.window,
                     verifier.accept_beijing_time)
    log.warning("%s %s refused with %s: %s: %s", request.method, request.path, error.code, found.mistake,
                found.detail)
    return found
