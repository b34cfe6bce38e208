"""The platform's HTTP surface: every API path, with its method and handler, in one table.

Each route is journaled (``/_sim/requests``, ``voicesim_api_answers_total``); a known
path asked with another method answers 1010006 with HTTP 405, and a path that is no
API of the platform's 1010006 with HTTP 404, as the platform does. The ``POST`` APIs are
also served on the front's lean path (``lean_api``): same code, same answers.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from ..connections import body_deadline
from ..errors import PlatformError
from ..front import LeanApi, LeanRoute
from ..journal import Journal
from ..platform import Platform
from . import callback, notify, paths, record, stop, verify
from ._http import refusal
from .endpoint import PLATFORM, Endpoint, aiohttp_answer, aiohttp_route

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROUTES: tuple[tuple[str, str, Endpoint | Handler], ...] = (
    ("POST", paths.VERIFY, verify.call_verify),
    ("POST", paths.NOTIFY, notify.call_notify),
    ("POST", paths.NOTIFY_V1, notify.call_notify),
    ("POST", paths.CALLBACK, callback.click_to_call),
    ("POST", paths.STOP, stop.call_stop),
    ("GET", paths.RECORD, record.record_url),
    ("GET", paths.RECORD_FILE, record.download),
    ("HEAD", paths.RECORD_FILE, record.download),
)
# Browsers ask every server for this: neither an API request of an SP's nor worth a journal entry.
_NOT_JOURNALED = frozenset({"/favicon.ico"})


async def _wrong_method(request: web.Request) -> web.Response:
    return aiohttp_answer(refusal(PlatformError(1010006, f"{request.method} is not allowed here", http_status=405)))


async def _no_api(request: web.Request) -> web.Response:
    return aiohttp_answer(refusal(PlatformError(1010006, f"no API at {request.path}")))


def _journaled(handler: Handler, journal: Journal) -> Handler:
    """``handler`` (one that reads no body), recording each request it answers in ``journal``."""
    record = journal.request
    store = journal.store

    async def answer(request: web.Request) -> web.StreamResponse:
        response = await handler(request)
        record(request.method, request.path, response.status, None,
               response.body if isinstance(response, web.Response) else None, None)
        if store is not None:
            await store.synced()  # as an Endpoint's answer: once what it changed is on disk
        return response

    return answer


def _add(app: web.Application, method: str, path: str, handler: Handler) -> None:
    app.router.add_route(method, path, body_deadline(handler, app[PLATFORM].settings.body_timeout))


def add_routes(app: web.Application, journal: Journal) -> None:
    """Add every platform API to ``app`` (its ``PLATFORM`` set), each journaled, and 405 for the other
    methods of its path."""
    platform = app[PLATFORM]
    for method, path, handler in ROUTES:
        if isinstance(handler, Endpoint):
            _add(app, method, path, aiohttp_route(handler.bind(platform, journal)))
        else:
            _add(app, method, path, _journaled(handler, journal))
    wrong_method = _journaled(_wrong_method, journal)
    for path in dict.fromkeys(path for _, path, _ in ROUTES):
        _add(app, "*", path, wrong_method)


def add_fallback(app: web.Application, journal: Journal) -> None:
    """Answer every path no route took as the platform does: 1010006, HTTP 404. Add it last."""
    journaled_no_api = _journaled(_no_api, journal)

    async def no_api(request: web.Request) -> web.StreamResponse:
        if request.path in _NOT_JOURNALED:
            return await _no_api(request)
        return await journaled_no_api(request)

    _add(app, "*", "/{tail:.*}", no_api)


def lean_api(platform: Platform, journal: Journal) -> LeanApi:
    """The ``POST`` APIs of ``platform`` as the front's lean path serves them."""
    routes: dict[str, LeanRoute] = {path: handler.bind(platform, journal) for method, path, handler in ROUTES
                                    if method == "POST" and isinstance(handler, Endpoint)}
    settings = platform.settings
    return LeanApi(routes, settings.max_body, settings.keepalive_timeout, settings.body_timeout,
                   refusal(PlatformError(1010001)))
