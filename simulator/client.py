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
from typing import Any

import aiohttp

from .auth import request_headers
from .config import DEMO_APP_KEY, DEMO_APP_SECRET

VERIFY_PATH = "/rest/httpsessions/callVerify/v1.0"
NOTIFY_PATH = "/rest/httpsessions/callnotify/v2.0"
CALLBACK_PATH = "/rest/httpsessions/click2Call/v2.0"
STOP_PATH = "/rest/httpsessions/callStop/v2.0"
RECORD_PATH = "/rest/provision/voice/record/v1.0"


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


class VoiceClient:
    """Signed requests to the platform (or to us): ``post`` any API, or ``call_verify``."""

    def __init__(self, base_url: str, app_key: str = DEMO_APP_KEY, app_secret: str = DEMO_APP_SECRET,
                 session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> "VoiceClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this client opened it."""
        if self._session is not None and self._own_session:
            await self._session.close()
            self._session = None

    def headers(self) -> dict[str, str]:
        """Fresh signed headers (new nonce, current time) plus the JSON content type."""
        headers = request_headers(self.app_key, self.app_secret)
        headers["Content-Type"] = "application/json;charset=UTF-8"
        return headers

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        """POST ``body`` as JSON to ``path``, signed unless ``headers`` are given."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(self.base_url + path, data=json.dumps(body).encode(),
                                      headers=self.headers() if headers is None else headers) as resp:
            text = await resp.read()
        try:
            doc = json.loads(text) if text else {}
        except ValueError:
            doc = {"raw": text.decode("utf-8", "replace")}
        return Reply(resp.status, doc)

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
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = request_headers(self.app_key, self.app_secret)
        async with self._session.get(self.base_url + RECORD_PATH, headers=headers, allow_redirects=False,
                                     params={"fileName": file_name, "recordDomain": record_domain}) as resp:
            text = await resp.read()
            got = dict(resp.headers)
        try:
            doc = json.loads(text) if text else {}
        except ValueError:
            doc = {"raw": text.decode("utf-8", "replace")}
        return Reply(resp.status, doc, got)

    async def download(self, url: str) -> bytes:
        """GET ``url`` (e.g. a recording's ``Location``); raises for a non-200 answer."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.get(url) as resp:
            resp.raise_for_status()
            return await resp.read()
