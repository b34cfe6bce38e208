"""A call, the script it plays, and the ways a call can end."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

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


@dataclass(slots=True)
class Leg:
    """A voice callback's second leg: B's number, what B sees, and when B's steps happened."""

    display: str  # displayCalleeNbr: the number B sees
    callee: str  # calleeNbr: B
    start: float = 0.0  # simulated epoch seconds; 0.0 means "not reached"
    alert: float = 0.0
    answer: float = 0.0  # B answered: the legs are bridged (a recording starts here)


@dataclass(frozen=True, slots=True)
class RecordingRef:
    """Where a recorded call's recording lives, as the call's bill names it."""

    start: float
    object_name: str
    bucket: str
    domain: str
    download_url: str


@dataclass(frozen=True, slots=True)
class StatusFate:
    """What happens to one status push: copies sent (0 = dropped), extra delay, held back."""

    copies: int
    delay: float = 0.0
    hold: bool = False


class PushChaos(Protocol):
    """What delivery asks of the push chaos a scenario put on a call (``scenarios.CallChaos`` is one).

    A Protocol here, so the engine and delivery need not know the scenarios that decide it.
    """

    @property
    def touches_status(self) -> bool:
        """False when the scenario leaves status pushes alone (it only touches bills)."""

    @property
    def reorder_window(self) -> float:
        """Seconds a held-back status event waits at most for the call's next one."""

    @property
    def merge_window(self) -> float | None:
        """The bill merge window the scenario sets, if any."""

    def status_fate(self, call_seq: int, event: str) -> StatusFate:
        """What happens to status event ``event`` of call ``call_seq``."""

    def bill_delay(self, key: str) -> float:
        """Extra seconds before bill message ``key`` leaves."""

    def bill_answer_lost(self, key: str, attempt: int) -> bool:
        """Whether the SP's answer to that attempt is lost, so the bill is re-pushed."""


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
    leg: Leg | None = None  # a voice callback's second leg (B)
    record_base: str | None = None  # set: record once the legs are bridged, downloads from this address
    recording: RecordingRef | None = None  # set when the recording started
    party_type: bool = False  # the disconnect event carries partyType (partyTypeRequiredInDisconnect)
    chaos: PushChaos | None = None  # the selecting scenario's status/bill chaos, if any

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
        """Seconds a recording covers: from the bridge (a callback's B answered) or the answer, to the end."""
        start = (self.leg.answer if self.leg is not None else 0.0) or self.answer
        if not start or not self.end:
            return 0.0
        return round(self.end - start, 3)
