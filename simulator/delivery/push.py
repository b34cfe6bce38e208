"""One push to an SP endpoint: the record of it, and the HTTP attempt that sends it."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import aiohttp

from ..auth import push_headers
from ..clock import utc_text
from ..config import AppConfig
from ..engine import PushChaos
from ..inputs import InputError, loads

HEADERS = {"Content-Type": "application/json;charset=UTF-8"}
MAX_ANSWER = 1024 * 1024  # bytes of an SP's answer read: its resultcode is in the first few

# Push states. Status pushes end delivered or failed; bills may be retrying, then given up.
SENDING, DELIVERED, FAILED, RETRYING, GIVEN_UP = "sending", "delivered", "failed", "retrying", "given_up"
DROPPED = "dropped"  # a status push scenario chaos chose never to send


@dataclass(slots=True)
class Attempt:
    """One HTTP attempt: when (simulated), what came back, how long it took (real seconds)."""

    at: float
    ok: bool
    status: int | None = None
    error: str | None = None
    elapsed: float = 0.0

    def to_json(self) -> dict[str, object]:
        """The attempt as ``/_sim/deliveries`` shows it."""
        return {"at": utc_text(self.at), "atEpoch": round(self.at, 3), "ok": self.ok, "status": self.status,
                "error": self.error, "elapsedMs": round(self.elapsed * 1000, 1)}


@dataclass(slots=True, eq=False)
class Push:
    """A status event or a bill message, and every attempt to deliver it."""

    id: int
    kind: str  # "status" or "bill"
    event: str  # eventType: callout, alerting, ..., fee
    url: str
    app: AppConfig
    body: bytes
    session_ids: tuple[str, ...]
    created: float
    state: str = SENDING
    next_at: float = 0.0
    attempts: list[Attempt] = field(default_factory=list)
    chaos: PushChaos | None = None  # bill chaos of the scenario of the message's first call

    def to_json(self) -> dict[str, object]:
        """The push as ``/_sim/deliveries`` shows it."""
        return {
            "id": self.id, "kind": self.kind, "eventType": self.event, "url": self.url, "appKey": self.app.key,
            "sessionIds": list(self.session_ids), "created": utc_text(self.created), "state": self.state,
            "nextAttempt": utc_text(self.next_at) if self.state == RETRYING else None,
            "attempts": [a.to_json() for a in self.attempts], "body": json.loads(self.body),
        }


def accepted(status: int, body: bytes, check_resultcode: bool) -> bool:
    """HTTP 200, and for bills a ``resultcode`` of "0" when the answer carries one."""
    if status != 200:
        return False
    if not check_resultcode or not body.strip():
        return True
    try:
        doc = loads(body)  # strict and bounded: an SP's answer is as untrusted as a request
    except InputError:
        return True  # a 200 without (readable) JSON carries no resultcode
    if isinstance(doc, dict) and "resultcode" in doc:
        return str(doc["resultcode"]) == "0"
    return True


async def attempt(session: aiohttp.ClientSession, push: Push, at: float, timeout: float, newlines: bool) -> Attempt:
    """POST ``push`` once, signed with its app's key and secret; never raises for the SP's faults."""
    headers = dict(HEADERS)
    headers.update(push_headers(push.app.key, push.app.secret, push.url, newlines))
    started = time.monotonic()
    try:
        # A redirect is not a 200 to the push: the platform does not follow it.
        async with session.post(push.url, data=push.body, headers=headers, allow_redirects=False,
                                timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            answer = await _read_answer(resp)
            ok = accepted(resp.status, answer, push.kind == "bill")
            return Attempt(at, ok, resp.status, None if ok else _why(resp.status, answer),
                           time.monotonic() - started)
    except TimeoutError:
        return Attempt(at, False, None, f"timeout after {timeout:g}s", time.monotonic() - started)
    except aiohttp.ClientSSLError as exc:
        return Attempt(at, False, None, _tls_failure(exc), time.monotonic() - started)
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        return Attempt(at, False, None, f"{type(exc).__name__}: {exc}", time.monotonic() - started)


async def _read_answer(resp: aiohttp.ClientResponse) -> bytes:
    """The answer's body up to ``MAX_ANSWER`` bytes (what an SP says past that is not read)."""
    chunks: list[bytes] = []
    size = 0
    while size < MAX_ANSWER:
        chunk = await resp.content.read(MAX_ANSWER - size)  # as much as has arrived, up to the bound
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _why(status: int, answer: bytes) -> str:
    if status != 200:
        return f"HTTP {status}"
    return "resultcode " + answer[:200].decode("utf-8", "replace")


def _tls_failure(exc: aiohttp.ClientSSLError) -> str:
    """A failed TLS handshake, said so that an SP engineer knows what to do."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        cert = exc.certificate_error
        why = getattr(cert, "verify_message", None) or str(cert)
        return (f"TLS certificate not trusted: {why} ({exc.host}:{exc.port}); "
                "trust the SP's CA with --push-ca-file")
    return f"TLS handshake failed: {exc}"
