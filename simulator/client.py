"""An async client that signs requests the way the platform's official Python sample does.

    async with VoiceClient("http://127.0.0.1:8090", key, secret) as client:
        reply = await client.call_verify(displayNbr="+8675528000002", calleeNbr="+8613800000000",
                                         languageType=2, preTone="pretone.wav", verifyCode="123456")
        print(reply.status, reply["sessionId"])
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from ssl import SSLContext
from typing import Any, Self

import aiohttp

from .api import paths
from .auth import request_headers
from .config import DEMO_APP_KEY, DEMO_APP_SECRET

# The platform's paths, under the names this module has always exported.
VERIFY_PATH = paths.VERIFY
NOTIFY_PATH = paths.NOTIFY
CALLBACK_PATH = paths.CALLBACK
STOP_PATH = paths.STOP
RECORD_PATH = paths.RECORD


def b64(url: str) -> str:
    """The Base64 form the platform wants for ``statusUrl`` and ``feeUrl``."""
    return base64.b64encode(url.encode()).decode()


@dataclass(slots=True)
class Reply:
    """The platform's answer: HTTP status and JSON body (indexable like the body)."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] | None = None  # set by calls whose answer is in the headers (record_url)

    def __getitem__(self, name: str) -> Any:
        return self.body[name]

    def get(self, name: str, default: Any = None) -> Any:
        """A body field, or ``default``."""
        return self.body.get(name, default)


class _Client:
    """An aiohttp session opened on first use (or given), closed with the client if it opened it.

    ``ssl``: for an ``https://`` base URL, the context the server's certificate is verified
    with (e.g. ``ssl.create_default_context(cafile=...)`` trusting ``serve --tls-self-signed``'s CA).
    """

    def __init__(self, base_url: str, session: aiohttp.ClientSession | None,
                 ssl: SSLContext | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._own_session = session is None
        self._ssl = ssl

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this client opened it."""
        if self._session is not None and self._own_session:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(ssl=self._ssl) if self._ssl is not None else None
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session


def _reply(status: int, raw: bytes, headers: dict[str, str] | None = None) -> Reply:
    try:
        doc = json.loads(raw) if raw else {}
    except ValueError:
        doc = {"raw": raw.decode("utf-8", "replace")}
    return Reply(status, doc, headers)


class VoiceClient(_Client):
    """Signed requests to the platform (or to us): ``post`` any API, or ``call_verify``."""

    def __init__(self, base_url: str, app_key: str = DEMO_APP_KEY, app_secret: str = DEMO_APP_SECRET,
                 session: aiohttp.ClientSession | None = None, *, ssl: SSLContext | None = None) -> None:
        super().__init__(base_url, session, ssl)
        self.app_key = app_key
        self.app_secret = app_secret

    def headers(self) -> dict[str, str]:
        """Fresh signed headers (new nonce, current time) plus the JSON content type."""
        headers = request_headers(self.app_key, self.app_secret)
        headers["Content-Type"] = "application/json;charset=UTF-8"
        return headers

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        """POST ``body`` as JSON to ``path``, signed unless ``headers`` are given."""
        async with self._client().post(self.base_url + path, data=json.dumps(body).encode(),
                                       headers=self.headers() if headers is None else headers) as resp:
            return _reply(resp.status, await resp.read())

    async def call_verify(self, **fields: Any) -> Reply:
        """Ask for a voice verification code (spec section 3); fields as the API names them."""
        return await self.post(VERIFY_PATH, fields)

    async def call_notify(self, **fields: Any) -> Reply:
        """Place a voice notification (spec section 4); fields as the API names them."""
        return await self.post(NOTIFY_PATH, fields)

    async def click_to_call(self, **fields: Any) -> Reply:
        """Place a voice callback, A then B (spec section 5); fields as the API names them."""
        return await self.post(CALLBACK_PATH, fields)

    async def call_stop(self, session_id: str) -> Reply:
        """Stop a live call at once (spec section 5)."""
        return await self.post(STOP_PATH, {"sessionid": session_id, "signal": "call_stop"})

    async def record_url(self, file_name: str, record_domain: str) -> Reply:
        """Ask for a recording's download address: HTTP 301, the address in ``headers["Location"]``."""
        headers = request_headers(self.app_key, self.app_secret)
        async with self._client().get(self.base_url + RECORD_PATH, headers=headers, allow_redirects=False,
                                      params={"fileName": file_name, "recordDomain": record_domain}) as resp:
            return _reply(resp.status, await resp.read(), dict(resp.headers))

    async def download(self, url: str) -> bytes:
        """GET ``url`` (e.g. a recording's ``Location``); raises for a non-200 answer."""
        async with self._client().get(url) as resp:
            resp.raise_for_status()
            return await resp.read()

class SimControl(_Client):
    """The simulator's control API (``/_sim/``): what happened, and the levers tests pull.

        async with SimControl("http://127.0.0.1:8090") as sim:
            await sim.advance(60)                 # a manual clock only
            calls = await sim.calls(state="ended")
    """

    def __init__(self, base_url: str, token: str | None = None, session: aiohttp.ClientSession | None = None, *,
                 ssl: SSLContext | None = None) -> None:
        super().__init__(base_url, session, ssl)
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None,
                      params: dict[str, Any] | None = None) -> Reply:
        """Any control call; ``path`` relative to ``/_sim/`` or absolute. Raises nothing for HTTP errors."""
        url = self.base_url + (path if path.startswith("/") else "/_sim/" + path)
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        async with self._client().request(method, url, json=body, params=query, headers=self._headers()) as resp:
            return _reply(resp.status, await resp.read())

    async def _get(self, endpoint: str, key: str | None = None, /, **params: Any) -> Any:
        reply = await self.request("GET", endpoint, params=params)
        if reply.status != 200:
            raise RuntimeError(f"GET /_sim/{endpoint}: HTTP {reply.status} {reply.body}")
        return reply.body[key] if key else reply.body

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = await self.request("POST", path, body)
        if reply.status not in (200, 201):
            raise RuntimeError(f"POST /_sim/{path}: HTTP {reply.status} {reply.body}")
        return reply.body

    async def health(self) -> dict[str, Any]:
        """``/_sim/health``."""
        return await self._get("health")

    async def calls(self, **filters: Any) -> list[dict[str, Any]]:
        """Calls; filters: state, callee, caller, appKey, since, until, limit."""
        return await self._get("calls", "calls", **filters)

    async def call(self, session_id: str) -> dict[str, Any]:
        """One call with its timeline, pushed events, bill and attempts."""
        return await self._get("calls/" + session_id)

    async def events(self, **filters: Any) -> list[dict[str, Any]]:
        """Status events; filters: sessionId, eventType, since, until, limit."""
        return await self._get("events", "events", **filters)

    async def bills(self, **filters: Any) -> list[dict[str, Any]]:
        """Bills with their delivery state; filters: sessionId, state, limit."""
        return await self._get("bills", "bills", **filters)

    async def deliveries(self, **filters: Any) -> list[dict[str, Any]]:
        """Pushes and their attempts; filters: kind, state, sessionId, limit."""
        return await self._get("deliveries", "deliveries", **filters)

    async def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """Platform API requests and answers; filters: path, resultcode, status, limit."""
        return await self._get("requests", "requests", **filters)

    async def reset(self) -> dict[str, Any]:
        """Drop live calls, everything owed, and the journal."""
        return await self._post("reset", {})

    async def clock(self) -> dict[str, Any]:
        """The clock: mode, speed, now."""
        return await self._get("clock")

    async def advance(self, seconds: float) -> dict[str, Any]:
        """Advance a manual clock."""
        return await self._post("clock", {"advance": seconds})

    async def set_speed(self, speed: float) -> dict[str, Any]:
        """Set a real/scaled clock's speed."""
        return await self._post("clock", {"speed": speed})

    async def ports(self) -> dict[str, Any]:
        """Port capacity and use."""
        return await self._get("ports")

    async def set_ports(self, capacity: int) -> dict[str, Any]:
        """Set the platform's call port capacity."""
        return await self._post("ports", {"capacity": capacity})

    async def register_app(self, key: str, secret: str, **more: Any) -> dict[str, Any]:
        """Register an app; ``more``: displayNumbers, statusUrl, feeUrl, quota, spId."""
        return await self._post("apps", dict(more, key=key, secret=secret))

    async def metrics(self) -> str:
        """The Prometheus text."""
        reply = await self.request("GET", "metrics")
        return reply.body.get("raw", "")
