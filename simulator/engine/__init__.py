"""The call engine: calls, their scripts, the port pool, and the runner that plays them."""
from .call import ALERTING, ANSWERED, CALLOUT, ENDED, ENDINGS, Call, Ending, Step
from .ports import PortPool
from .runner import RECORDING_MIN_SECONDS, Engine, Sink

__all__ = ["ALERTING", "ANSWERED", "CALLOUT", "ENDED", "ENDINGS", "Call", "Ending", "Engine", "PortPool",
           "RECORDING_MIN_SECONDS", "Sink", "Step"]
