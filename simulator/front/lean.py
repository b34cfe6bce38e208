"""What an application serves on the lean path: its routes and the limits they are served within."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from .message import Answer, Request

# An answer now, or (scenario chaos, a data dir's sync) one to wait for.
LeanRoute = Callable[[Request], "Answer | Awaitable[Answer]"]


@dataclass(slots=True)
class FrontStats:
    """What the lean path did: requests it answered, connections it handed to aiohttp."""

    lean_answers: int = 0
    handed_off: int = 0


@dataclass(slots=True, frozen=True)
class LeanApi:
    """``POST`` paths served on the lean path and how; the application serves every other request.

    ``fault``: the answer (connection closed after it) when a route raises, as the application's
    own error answer would be.
    """

    routes: Mapping[str, LeanRoute]
    max_body: int
    keepalive_timeout: float
    body_timeout: float
    fault: Answer
    stats: FrontStats = field(default_factory=FrontStats)


LEAN = web.AppKey("voicesim_lean_api", LeanApi)
