"""The call engine: calls and their typed parts, their scripts, the port pool, and the runner that plays them."""
from .call import (
    ALERTING,
    ANSWERED,
    CALLOUT,
    ENDED,
    ENDINGS,
    SERVICE_CALLBACK,
    SERVICE_NOTIFY,
    SERVICE_VERIFY,
    Call,
    Ending,
    Leg,
    PushChaos,
    RecordingRef,
    StatusFate,
    Step,
)
from .digits import DigitSource
from .ports import PortPool
from .runner import RECORDING_MIN_SECONDS, Engine, Sink
from .scripts import Play, answered, callback_script, code_playback, notify_script, plays_heard

__all__ = ["ALERTING", "ANSWERED", "CALLOUT", "ENDED", "ENDINGS", "RECORDING_MIN_SECONDS", "SERVICE_CALLBACK",
           "SERVICE_NOTIFY", "SERVICE_VERIFY", "Call", "DigitSource", "Ending", "Engine", "Leg", "Play", "PortPool",
           "PushChaos", "RecordingRef", "Sink", "StatusFate", "Step", "answered", "callback_script",
           "code_playback", "notify_script", "plays_heard"]
