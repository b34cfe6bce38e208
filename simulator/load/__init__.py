"""``voicesim load``: the simulator originates calls itself and pushes their events and bills to an SP's
endpoints at a rate, then reports the SP's answer times, failures and bills re-pushed or given up."""
from .command import add_parser, command
from .options import LoadOptions, check_url, is_loopback
from .runner import LoadRun
from .stats import BucketRow, Latency, LoadReport, LoadStats, failure_kind, percentile

__all__ = ["BucketRow", "LoadOptions", "LoadReport", "LoadRun", "LoadStats", "Latency", "add_parser",
           "check_url", "command", "failure_kind", "is_loopback", "percentile"]
