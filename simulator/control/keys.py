"""What the control views find on the application: the platform's journal and what recovery took over."""
from __future__ import annotations

import asyncio

from aiohttp import web

from ..api import PLATFORM
from ..journal import Journal, Recovered, Tally
from ..platform import Platform

JOURNAL = web.AppKey("journal", Journal)
RECOVERED = web.AppKey("recovered", Recovered)
TALLY = web.AppKey("dashboard_tally", Tally)
STOPPING = web.AppKey("dashboard_stopping", asyncio.Event)  # set at shutdown: open live feeds end


def parts(request: web.Request) -> tuple[Platform, Journal]:
    """The platform and journal a control request reads."""
    return request.app[PLATFORM], request.app[JOURNAL]
