"""The push backlog: one bounded FIFO per SP origin, each served in order by a fixed number of senders.

A push joins the queue of its URL's origin (scheme, host, port) and leaves it in order. Each
origin has at most ``senders`` sender tasks, each sending one push at a time over its own
keep-alive connection, so a dead or stalled SP ties up only its own senders: other SPs'
pushes and the API's answers never wait for it. A sender exits when its queue is empty, so
a manual clock's ``settle`` waits exactly for what was queued.

When an origin's queue holds ``capacity`` pushes, a status event to it is not sent (it fails
with the reason; status events are never retried anyway), while a bill message still joins the
queue: bills are owed, and already held in memory by what is owed.
"""
from __future__ import annotations

import asyncio
import ssl
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Coroutine

from .push import QUEUED, SENDING, Push
from .wire import Pool, Target

MAX_IDLE_LANES = 1000  # origins remembered (with their idle connections) before idle ones are dropped
MAX_ON_WIRE = 256  # pushes on the wire at once, all origins together: many slow SPs cannot use up the sockets


@dataclass(slots=True)
class Lane:
    """One SP origin: its queue, its connections, how many of its senders run and how many pushes are out."""

    target: Target
    pool: Pool
    queue: deque[Push] = field(default_factory=deque)
    senders: int = 0
    sending: int = 0

    def to_json(self, now: float) -> dict[str, Any]:
        """As ``/_sim/health`` shows one origin (``oldestWaitSeconds``: simulated)."""
        oldest = self.queue[0].queued_at if self.queue else None
        return {"queued": len(self.queue), "sending": self.sending,
                "oldestWaitSeconds": None if oldest is None else round(max(0.0, now - oldest), 3)}


class Outbox:
    """The per-origin queues and their senders; ``deliver`` makes one attempt of a push over a pool."""

    def __init__(self, spawn: Callable[[Coroutine[Any, Any, None]], Any],
                 deliver: Callable[[Push, Pool], Awaitable[None]], capacity: int, senders: int,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.spawn = spawn
        self.deliver = deliver
        self.capacity = capacity
        self.senders = senders
        self.lanes: dict[str, Lane] = {}
        self.stopped = False  # set at shutdown: senders finish the push in hand and take no other
        self._wire = asyncio.Semaphore(MAX_ON_WIRE)
        self._ssl = ssl_context  # https:// pushes verify against it (None: the system store, made when needed)

    def put(self, push: Push, target: Target, now: float) -> bool:
        """Queue ``push`` for ``target``'s origin; False (not queued) for a status event when the queue is full."""
        lane = self.lanes.get(target.origin)
        if lane is None:
            lane = self._lane(target)
        if len(lane.queue) >= self.capacity and push.kind != "bill":
            return False
        push.state = QUEUED
        push.queued_at = now
        lane.queue.append(push)
        if lane.senders < self.senders:
            lane.senders += 1
            self.spawn(self._sender(lane))
        return True

    def _lane(self, target: Target) -> Lane:
        if len(self.lanes) >= MAX_IDLE_LANES:  # many origins seen: forget the idle ones and their connections
            for origin, idle in list(self.lanes.items()):
                if not idle.queue and not idle.senders:
                    idle.pool.close()
                    del self.lanes[origin]
        if self._ssl is None and target.scheme == "https":
            self._ssl = ssl.create_default_context()
        lane = self.lanes[target.origin] = Lane(target, Pool(target, self._ssl))
        return lane

    async def _sender(self, lane: Lane) -> None:
        queue = lane.queue
        try:
            while queue and not self.stopped:
                async with self._wire:
                    if not queue or self.stopped:  # while this sender waited for the wire
                        break
                    push = queue.popleft()
                    push.state = SENDING
                    lane.sending += 1
                    try:
                        await self.deliver(push, lane.pool)
                    finally:
                        lane.sending -= 1
        finally:
            lane.senders -= 1
            lane.pool.sweep()

    @property
    def backlog(self) -> int:
        """Pushes waiting in every queue."""
        return sum(len(lane.queue) for lane in self.lanes.values())

    @property
    def sending(self) -> int:
        """Pushes on the wire now."""
        return sum(lane.sending for lane in self.lanes.values())

    def by_origin(self, now: float) -> dict[str, dict[str, Any]]:
        """Every origin with pushes waiting or on the wire."""
        return {origin: lane.to_json(now) for origin, lane in self.lanes.items() if lane.queue or lane.sending}

    def forget(self) -> None:
        """Empty every queue (the control API's reset); pushes on the wire finish."""
        for lane in self.lanes.values():
            lane.queue.clear()

    def stop(self) -> None:
        """Shutting down: send nothing more (pushes on the wire finish within the push timeout).

        What waits is not lost: bills stay owed (in the data dir, re-pushed after a restart);
        a status event still queued is never sent, as one to an SP too slow to take it.
        """
        self.stopped = True

    def close(self) -> None:
        """Close every idle connection."""
        for lane in self.lanes.values():
            lane.pool.close()
