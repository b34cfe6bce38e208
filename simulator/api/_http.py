"""What every platform API handler does the same way: auth, body, and the answer."""
from __future__ import annotations

import functools
from typing import Any, Awaitable, Callable

from aiohttp import web

from ..config import AppConfig
from ..errors import CONTENT_TYPE, PlatformError, invalid, json_bytes, success_body
from ..inputs import InputError, loads
from ..journal import Journal
from ..platform import Platform
from .diagnosis import DIAGNOSIS, diagnose_refusal

PLATFORM = web.AppKey("platform", Platform)
# The body as read, kept on the request for the journal (aiohttp < 3.13 has no RequestKey).
RAW_BODY = web.RequestKey("raw_body", bytes) if hasattr(web, "RequestKey") else "voicesim.raw_body"
_JSON_TYPES = ("application/json", "text/json")
_SUCCESS_HEADERS = {"Content-Type": CONTENT_TYPE}


Api = Callable[[web.Request, Platform, AppConfig, dict[str, Any]], web.StreamResponse]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def platform_api(*, session_id: bool = True, json_body: bool = True) -> Callable[[Api], Handler]:
    """Make ``api(request, platform, app, body)`` a route handler doing what every platform API does.

    It authenticates (refusing with the gateway's code and nothing else), applies the
    active scenario's API chaos, reads the JSON body (or, with ``json_body=False``, the
    query string) and renders any PlatformError the API raises: with ``"sessionId": ""``
    when ``session_id`` (a call-placing API), without it otherwise.
    """
    def wrap(api: Api) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            platform = request.app[PLATFORM]
            try:
                app = authenticate(request, platform)
            except PlatformError as exc:
                diagnose_refusal(request, platform, exc)
                return refusal(exc)
            try:
                gate = platform.scenarios.gate  # API chaos of the active scenario; None costs one check
                if gate is not None:
                    try:
                        await gate.admit()
                    except PlatformError:
                        await _keep_body(request)  # the journal shows what a refused request carried
                        raise
                body = await read_json(request, platform.settings.max_body) if json_body else dict(request.query)
                return api(request, platform, app, body)
            except PlatformError as exc:
                return refusal(exc, sessionId="") if session_id else refusal(exc)

        return functools.wraps(api)(handle)

    return wrap


def authenticate(request: web.Request, platform: Platform) -> AppConfig:
    """The app that signed ``request``, or the platform's auth error."""
    headers = request.headers
    key = platform.verifier.verify(headers.get("Authorization"), headers.get("X-AKSK"))
    return platform.apps[key]


async def read_json(request: web.Request, max_body: int) -> dict[str, Any]:
    """The request body as a JSON object, or 1010002 saying what is wrong with it."""
    # Read the header itself: aiohttp's parsed content_type costs microseconds on the hot path.
    ctype = request.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if ctype not in _JSON_TYPES:
        raise invalid(f"Content-Type must be application/json, got {ctype or 'none'}")
    try:
        raw = await request.read()  # the app's client_max_size is max_body
    except web.HTTPRequestEntityTooLarge:
        raise PlatformError(1010002, f"body must not exceed {max_body} bytes", http_status=413) from None
    request[RAW_BODY] = raw
    try:
        doc = loads(raw)  # strict: no NaN/Infinity, finite numbers, bounded depth, encodable strings
    except InputError as exc:
        raise invalid(f"body {exc}") from None
    if not isinstance(doc, dict):
        raise invalid("body must be a JSON object")
    return doc


async def _keep_body(request: web.Request) -> None:
    try:
        request[RAW_BODY] = await request.read()
    except web.HTTPRequestEntityTooLarge:
        pass  # too large to keep: the journal shows no body


def answer(doc: dict[str, Any], status: int = 200) -> web.Response:
    """A JSON answer with the platform's content type."""
    return web.Response(status=status, body=json_bytes(doc),
                        headers={"Content-Type": CONTENT_TYPE})


def success(session_id: str, idle_port: int | None = None) -> web.Response:
    """The answer to an accepted call request (``errors.success_body``)."""
    return web.Response(body=success_body(session_id, idle_port), headers=_SUCCESS_HEADERS)


def refusal(error: PlatformError, **extra: Any) -> web.Response:
    """The platform's answer to a refused request."""
    return web.Response(status=error.http_status, body=error.body(**extra), headers={"Content-Type": CONTENT_TYPE})


def journaled(handler: Handler, journal: Journal) -> Handler:
    """``handler``, recording each request it answers in ``journal``.

    A wrapper on the platform's routes rather than an ``on_response_prepare`` signal:
    the signal would cost every request (control API included) several microseconds.
    """
    record = journal.request
    store = journal.store

    async def answer(request: web.Request) -> web.StreamResponse:
        response = await handler(request)
        # request.get is the Python-level Mapping.get: look up directly, and a diagnosis only on a refusal.
        try:
            raw: bytes | None = request[RAW_BODY]
        except KeyError:  # never read (auth refused, a GET)
            raw = None
        status = response.status
        diagnosis = request.get(DIAGNOSIS) if status >= 400 else None
        record(request.method, request.path, status, raw,
               response.body if isinstance(response, web.Response) else None, diagnosis)
        # With a data dir the answer leaves once what the request changed (a call placed, a nonce used)
        # is on disk: an SP that got a sessionId gets its bill, even across a crash.
        if store is not None:
            await store.synced()
        return response

    return answer
