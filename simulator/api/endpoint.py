"""A platform API as a route: auth, scenario chaos, body, the API itself, the journal, in that order.

``platform_api`` makes an ``Endpoint`` of an API function; ``Endpoint.bind`` makes it a route of one
platform and journal. A route takes a ``front.Request`` and gives its ``Answer`` at once when
nothing must wait (no scenario API chaos, no data dir to sync), else an awaitable of it: so the
lean path answers most requests without a task, and aiohttp (``aiohttp_route``) serves the same
code for the requests it takes.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ..auth import Diagnosis
from ..config import AppConfig
from ..errors import PlatformError
from ..front import Answer, LeanRoute, Request
from ..journal import Journal
from ..platform import Platform
from ..scenarios import ApiGate
from ._http import authenticate, body_of, json_object, refusal
from .diagnosis import diagnose_refusal

PLATFORM = web.AppKey("platform", Platform)
Api = Callable[[Request, Platform, AppConfig, dict[str, Any]], Answer]


@dataclass(slots=True, frozen=True)
class Endpoint:
    """An API function and how it reads its request and renders its refusals."""

    api: Api
    session_id: bool
    json_body: bool

    def bind(self, platform: Platform, journal: Journal) -> LeanRoute:
        """This API as a route of ``platform``, journaled in ``journal``."""
        return _Route(self, platform, journal)


def platform_api(*, session_id: bool = True, json_body: bool = True) -> Callable[[Api], Endpoint]:
    """Make ``api(request, platform, app, body)`` an ``Endpoint`` doing what every platform API does.

    It authenticates (refusing with the gateway's code and nothing else), applies the active
    scenario's API chaos, reads the JSON body (or, with ``json_body=False``, the query string)
    and renders any PlatformError the API raises: with ``"sessionId": ""`` when ``session_id``
    (a call-placing API), without it otherwise.
    """
    def wrap(api: Api) -> Endpoint:
        return Endpoint(api, session_id, json_body)

    return wrap


class _Route:
    __slots__ = ("_api", "_session_id", "_json_body", "_platform", "_max_body", "_record", "_store")

    def __init__(self, endpoint: Endpoint, platform: Platform, journal: Journal) -> None:
        self._api = endpoint.api
        self._session_id = endpoint.session_id
        self._json_body = endpoint.json_body
        self._platform = platform
        self._max_body = platform.settings.max_body
        self._record = journal.request
        self._store = journal.store

    def __call__(self, request: Request) -> Answer | Awaitable[Answer]:
        platform = self._platform
        try:
            app = authenticate(request, platform)
        except PlatformError as exc:
            return self._done(request, refusal(exc), None, diagnose_refusal(request, platform, exc))
        gate = platform.scenarios.gate  # API chaos of the active scenario; None costs one check
        if gate is not None:
            return self._gated(request, app, gate)
        answer, raw = self._answer(request, app)
        return self._done(request, answer, raw, None)

    def _answer(self, request: Request, app: AppConfig) -> tuple[Answer, bytes | None]:
        raw = None
        try:
            if self._json_body:
                raw = body_of(request, self._max_body)
                body = json_object(raw)
            else:
                body = dict(request.query())
            return self._api(request, self._platform, app, body), raw
        except PlatformError as exc:
            return self._refusal(exc), raw

    def _refusal(self, error: PlatformError) -> Answer:
        return refusal(error, sessionId="") if self._session_id else refusal(error)

    async def _gated(self, request: Request, app: AppConfig, gate: ApiGate) -> Answer:
        try:
            await gate.admit()
        except PlatformError as exc:
            # the journal shows what a refused request carried
            answer, raw = self._refusal(exc), (None if request.body_too_large else request.body)
        else:
            answer, raw = self._answer(request, app)
        done = self._done(request, answer, raw, None)
        return done if isinstance(done, Answer) else await done

    def _done(self, request: Request, answer: Answer, raw: bytes | None,
              diagnosis: Diagnosis | None) -> Answer | Awaitable[Answer]:
        self._record(request.method, request.path, answer.status, raw, answer.body, diagnosis)
        # With a data dir the answer leaves once what the request changed (a call placed, a nonce used)
        # is on disk: an SP that got a sessionId gets its bill, even across a crash.
        return answer if self._store is None else self._synced(answer)

    async def _synced(self, answer: Answer) -> Answer:
        assert self._store is not None
        await self._store.synced()
        return answer


def aiohttp_route(route: LeanRoute) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """``route`` as an aiohttp handler, for the requests aiohttp serves (the app's ``client_max_size`` is the
    body limit)."""
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            body, too_large = await request.read(), False
        except web.HTTPRequestEntityTooLarge:
            body, too_large = b"", True
        result = route(Request(request.method, request.path, request.rel_url.raw_query_string, request.headers, body,
                               request.scheme, request.host, too_large))
        return aiohttp_answer(result if isinstance(result, Answer) else await result)

    return handle


def aiohttp_answer(answer: Answer) -> web.Response:
    """``answer`` as aiohttp's response."""
    return web.Response(status=answer.status, body=answer.body, headers=answer.headers)
