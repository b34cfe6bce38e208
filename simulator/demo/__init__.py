"""``voicesim demo``: the simulator, the built-in SP receiver and faker traffic in one process, shown live."""
from .command import add_parser, command
from .runner import MIXED, Demo, DemoOptions, DemoResult
from .traffic import CALLING_CODES, DemoCall, Traffic
from .view import EVENT_TYPES

__all__ = ["CALLING_CODES", "EVENT_TYPES", "MIXED", "Demo", "DemoCall", "DemoOptions", "DemoResult", "Traffic",
           "add_parser", "command"]
