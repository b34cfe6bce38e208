"""The simulator's own API under ``/_sim/``: one route table and guard, the views, the dashboard.

It only reads the journal and the platform's live state, and pulls the levers the
platform offers (reset, clock, ports, apps, media, scenarios); it never reaches into
the platform API's handlers.
"""
from .guard import CONTROL_PREFIX, BadInput, error, ok
from .keys import JOURNAL, RECOVERED, TALLY
from .routes import TABLE, add_routes

__all__ = ["CONTROL_PREFIX", "JOURNAL", "RECOVERED", "TABLE", "TALLY", "BadInput", "add_routes", "error", "ok"]
