"""A call, the script it plays, and the ways a call can end."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config import AppConfig

# States a call moves through; every call ends in ENDED.
CALLOUT, ALERTING, ANSWERED, ENDED = "callout", "alerting", "answered", "ended"

# Service types as bills carry them (spec section 7).
SERVICE_VERIFY = "001"
SERVICE_NOTIFY = "001"
SERVICE_CALLBACK = "002"


@dataclass(frozen=True, slots=True)
class Ending:
    """How a call ended: what the disconnect event and the bill say about it."""

    state_code: int  # disconnect stateCode (hang-up reason, spec section 6)
    desc: str  # disconnect stateDesc
    ul_fail_reason: int  # bill tear-down point
    q850: int | None = None  # bill callOutUnaswRsn; None when the call was answered
    sip_status: int | None = None  # bill sipStatusCode, only for failed calls


# The endings the platform documents, by the names scenarios use.
ENDINGS: dict[str, Ending] = {
    "normal": Ending(0, "The user releases the call.", 0),
    "user_hangup": Ending(8017, "The user hangs up.", 0),
    "max_duration": Ending(8010, "The maximum call duration is reached.", 0),
    "no_answer": Ending(8003, "Ringing timed out.", 514, 19, 480),
    "busy": Ending(8102, "The callee is busy.", 518, 17, 486),
    "rejected": Ending(8004, "The callee hung up while ringing.", 518, 21, 603),
    "unreachable": Ending(8103, "The callee is temporarily unreachable.", 518, 20, 480),
    "powered_off": Ending(8104, "The callee is powered off.", 518, 20, 480),
    "invalid_number": Ending(8100, "The callee number does not exist.", 518, 1, 404),
    "platform_failure": Ending(8000, "Internal error.", 518, 41, 500),
    "ports_insufficient": Ending(7109, "Voice ports are insufficient.", 522, 34, 503),
    "no_digits": Ending(8008, "Digit collection failed.", 100),
    "stopped": Ending(8017, "The call was stopped.", 516, 16),
    "caller_hangup_before_forward": Ending(8009, "The caller hung up before connection.", 530),
}

# Step kinds a script is made of; the runner knows what each one does.
ALERT, ANSWER, END = "alert", "answer", "end"


@dataclass(frozen=True, slots=True)
class Step:
    """After ``delay`` simulated seconds from the previous step, do ``kind`` (with ``arg``)."""

    delay: float
    kind: str
    arg: Any = None


@dataclass(slots=True, eq=False)
class Call:
    """One live or ended call. Times are simulated epoch seconds; 0.0 means "not reached"."""

    session_id: str
    seq: int
    app: AppConfig
    service_type: str
    caller: str
    callee: str
    script: tuple[Step, ...]
    user_data: str | None = None
    status_url: str | None = None
    fee_url: str | None = None
    record: bool = False
    state: str = CALLOUT
    pos: int = 0  # index of the next step in ``script``
    start: float = 0.0
    alert: float = 0.0
    answer: float = 0.0
    end: float = 0.0
    ending: Ending | None = None
    tts_plays: int = 0
    tts_seconds: float = 0.0
    recorded: bool = False
    extra: dict[str, Any] | None = None  # service-specific data (forwarding leg, digits, ...)
    bridge: float = 0.0  # callback: when B answered and the two legs were bridged
    chaos: Any = None  # the selecting scenario's status/bill chaos (selection.CallChaos), if any

    @property
    def live(self) -> bool:
        """True until the call has ended."""
        return self.state != ENDED

    @property
    def talk_seconds(self) -> float:
        """Seconds from answer to end (0 for an unanswered call), to the millisecond."""
        if not self.answer or not self.end:
            return 0.0
        return round(self.end - self.answer, 3)

    @property
    def recorded_seconds(self) -> float:
        """Seconds a recording covers: from the bridge (callback) or the answer, to the end."""
        start = self.bridge or self.answer
        if not start or not self.end:
            return 0.0
        return round(self.end - start, 3)
