"""The simulator's own API under ``/_sim/``: every path, with its methods, in one table behind one guard.

``trust`` decides whom it answers (Host names, browser origins, never our own pushes);
``guard`` does what every path needs (the token, 405 for a wrong method, the one
error shape); the views live in ``views`` (reads), ``levers`` (changes), ``media``,
``scenarios``, ``metrics``, ``report``, ``dashboard`` and ``openapi`` (the document of both
APIs). A ``/_sim/`` path not in the table is a 404 listing the ones that are. None of these
requests is journaled.
"""
from __future__ import annotations

from aiohttp import web

from ..connections import body_deadline
from ..journal import Journal, Recovered
from ..platform import Platform
from . import dashboard, levers, media, metrics, openapi, report, scenarios, views
from .guard import CONTROL_PREFIX, Handler, error, guarded, with_token
from .keys import JOURNAL, RECOVERED
from .trust import Trust, trusted

TABLE: dict[str, dict[str, Handler]] = {
    "/_sim/health": {"GET": views.health},
    "/_sim/calls": {"GET": views.calls},
    "/_sim/calls/{sessionId}": {"GET": views.call_detail},
    "/_sim/calls/{sessionId}/timeline.svg": {"GET": dashboard.timeline},
    "/_sim/events": {"GET": views.events},
    "/_sim/bills": {"GET": views.bills},
    "/_sim/deliveries": {"GET": views.deliveries},
    "/_sim/requests": {"GET": views.requests},
    "/_sim/report": {"GET": report.report},
    "/_sim/metrics": {"GET": metrics.metrics},
    "/_sim/reset": {"POST": levers.reset},
    "/_sim/clock": {"GET": levers.clock_view, "POST": levers.clock_change},
    "/_sim/ports": {"GET": levers.ports_view, "POST": levers.ports_change, "PUT": levers.ports_change},
    "/_sim/apps": {"GET": levers.apps_view, "POST": levers.apps_register},
    "/_sim/media": {"GET": media.list_media, "POST": media.put_media},
    "/_sim/scenarios": {"GET": scenarios.list_scenarios, "POST": scenarios.activate},
    "/_sim/openapi.json": {"GET": openapi.openapi},
    "/_sim/ui": {"GET": dashboard.page},
    "/_sim/ui/": {"GET": dashboard.page},
    "/_sim/ui/feed": {"GET": dashboard.feed},
    "/_sim/ui/static/{name}": {"GET": dashboard.static_file},
}
_KNOWN = ", ".join(sorted(TABLE))


async def _unknown(request: web.Request) -> web.Response:
    return error(404, f"no control endpoint at {request.path}; the control API has: {_KNOWN}")


def add_routes(app: web.Application, platform: Platform, journal: Journal, recovered: Recovered) -> None:
    """Add every ``/_sim/`` path of the table to ``app``, and the 404 for the rest of ``/_sim/``."""
    app[JOURNAL] = journal
    app[RECOVERED] = recovered
    dashboard.setup(app, platform)
    settings = platform.settings
    token = settings.control_token
    trust = Trust(settings.host, settings.allowed_hosts, settings.allowed_origins)
    timeout = settings.body_timeout
    for path, methods in TABLE.items():
        app.router.add_route("*", path, body_deadline(trusted(guarded(methods, token), trust), timeout))
    app.router.add_route("*", CONTROL_PREFIX + "{tail:.*}",
                         body_deadline(trusted(with_token(_unknown, token), trust), timeout))
