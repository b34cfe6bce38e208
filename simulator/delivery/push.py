"""One push to an SP endpoint: the record of it, and the HTTP attempt that sends it."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from ..auth import push_headers
from ..clock import utc_text
from ..config import AppConfig
from ..engine import PushChaos
from ..inputs import InputError, loads
from .wire import Pool, PushError, Target, request_head, target

CONTENT_TYPE = "application/json;charset=UTF-8"

# Push states. A push waits in its origin's queue, then is sent; status pushes end delivered or
# failed; bills may be retrying, then given up.
QUEUED, SENDING, DELIVERED, FAILED, RETRYING, GIVEN_UP = "queued", "sending", "delivered", "failed", "retrying", \
    "given_up"
DROPPED = "dropped"  # a status push scenario chaos chose never to send
NOT_SENT = "not sent: "  # how the error of an attempt that never left begins
TLS_FAILURE = "TLS "  # how the error of an attempt refused at the TLS handshake begins (wire.py words it)
INTERRUPTED = "no answer: the simulator stopped during this attempt"  # an attempt a crash cut (journal)

# What became of an attempt, as metrics, the report and load mode count it.
ACCEPTED, REFUSED, TIMEOUT, TLS, UNSENT, UNREACHABLE = "accepted", "refused", "timeout", "tls", "not_sent", "error"


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
    queued_at: float = 0.0  # simulated time it last joined its origin's queue

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


async def attempt(pool: Pool, push: Push, at: float, timeout: float, newlines: bool) -> Attempt:
    """POST ``push`` once over ``pool``, signed with its app's key and secret; never raises for the SP's faults.

    A redirect is not a 200 to the push: the platform does not follow it.
    """
    headers = {"Content-Type": CONTENT_TYPE}
    headers.update(push_headers(push.app.key, push.app.secret, push.url, newlines))
    started = time.monotonic()
    try:
        where = target(push.url)
        assert where is not None, "only pushes to an http(s) URL reach a pool"
        head = request_head(where, headers, len(push.body))
        status, answer = await pool.post(head, push.body, timeout)
    except TimeoutError:
        return Attempt(at, False, None, f"timeout after {timeout:g}s", time.monotonic() - started)
    except (PushError, UnicodeError) as exc:
        return Attempt(at, False, None, str(exc), time.monotonic() - started)
    ok = accepted(status, answer, push.kind == "bill")
    return Attempt(at, ok, status, None if ok else _why(status, answer), time.monotonic() - started)


def not_sent(push: Push, at: float, target: Target | None, backlog: int) -> Attempt:
    """The attempt of a push that never left: its URL cannot be pushed to, or its origin's queue was full."""
    if target is None:
        return Attempt(at, False, None, f"{NOT_SENT}{push.url!r} is not an http(s) URL with a host")
    return Attempt(at, False, None, f"{NOT_SENT}the push queue to {target.origin} is full ({backlog} waiting)")


def _why(status: int, answer: bytes) -> str:
    if status != 200:
        return f"HTTP {status}"
    return "resultcode " + answer[:200].decode("utf-8", "replace")


def outcome(a: Attempt) -> str:
    """What became of attempt ``a``: accepted, refused (the SP answered, not as the platform wants), timeout,
    tls (the SP's certificate), not_sent (the simulator's queue to the SP was full), or error (no answer)."""
    if a.ok:
        return ACCEPTED
    if a.status is not None:
        return REFUSED
    error = a.error or ""
    if error.startswith("timeout"):
        return TIMEOUT
    if error.startswith(NOT_SENT):
        return UNSENT
    if error.startswith(TLS_FAILURE):
        return TLS
    return UNREACHABLE
