"""The engine's sink: status events pushed once, bills merged (<= 50) and re-pushed until accepted.

Every push joins the queue of its SP's origin (``outbox``) and leaves it in order. Every
push and each of its attempts is kept (``pushes``) for ``/_sim/deliveries``; a bill still
owed to the SP is never dropped from memory, however many finished pushes are forgotten.
"""
from __future__ import annotations

import itertools
import ssl
from collections import deque
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from ..clock import Clock
from ..engine import Call
from .bills import bill_of, chunks, fee_body, merge_key
from .outbox import Outbox
from .push import DELIVERED, FAILED, GIVEN_UP, RETRYING, Attempt, Push, attempt, not_sent
from .push_chaos import PushChaosRouter, judged
from .status import status_body
from .wire import Pool, target


@dataclass(slots=True)
class DeliveryPolicy:
    """How pushes are sent and retried."""

    timeout: float = 10.0
    newlines: bool = True  # push digest variant (spec section 6, UNCONFIRMED)
    retry_interval: float = 3600.0
    max_retries: int = 6
    merge_delay: float = 1.0  # bills wait this long after their end second, to merge
    keep: int = 100_000  # finished pushes remembered for /_sim/deliveries
    queue: int = 10_000  # pushes waiting per SP origin before status events to it are not sent
    senders: int = 64  # pushes on the wire at once per SP origin (one connection each)
    ssl: ssl.SSLContext | None = None  # what https:// pushes verify against; None: the system store


class Delivery:
    """The engine's sink: turns events and ended calls into pushes to the SP."""

    def __init__(self, clock: Clock, policy: DeliveryPolicy) -> None:
        self.clock = clock
        self.policy = policy
        self.outbox = Outbox(clock.spawn, self._attempt, policy.queue, policy.senders, policy.ssl)
        self.pushes: deque[Push] = deque(maxlen=policy.keep)
        self.owed: dict[int, Push] = {}  # bills not yet accepted nor given up
        self.given_up: list[Push] = []
        self.listeners: list[Callable[[Push, Attempt], None]] = []
        self.event_listeners: list[Callable[[Call, str, dict[str, Any] | None], None]] = []  # every event
        self.bill_listeners: list[Callable[[Call, dict[str, Any], str | None], None]] = []  # every bill
        self._ids = itertools.count(1)
        self._batches: dict[tuple[str, str, int], list[tuple[Call, dict[str, Any]]]] = {}
        self._flush_cb = self._flush
        self.chaos = PushChaosRouter(clock, self._send, self.next_id, self.pushes.append)
        # Awaited before each bill attempt leaves (the journal persists it, so a crash cannot hide it)
        self.before_send: Callable[[Push, float], Awaitable[None]] | None = None

    @property
    def settled(self) -> bool:
        """Nothing on its way to an SP: no bill waiting to merge, no push held back or delayed by chaos,
        none queued or on the wire. (Bills waiting for their re-push are owed, not on their way.)"""
        return not self._batches and not self.chaos.waiting and not self.outbox.backlog and not self.outbox.sending

    def stop(self) -> None:
        """Shutting down: send nothing more; pushes on the wire finish, what waits stays owed."""
        self.outbox.stop()

    def close(self) -> None:
        """Close the idle connections (after the pushes on the wire have finished)."""
        self.outbox.close()

    # -- the engine's sink -------------------------------------------------------
    def status(self, call: Call, event: str, extra: dict[str, Any] | None = None) -> None:
        """Push one status event now, once; a status event is never retried."""
        for listener in self.event_listeners:
            listener(call, event, extra)
        url = call.status_url or call.app.status_url
        if not url:
            return
        now = self.clock.now()
        push = Push(next(self._ids), "status", event, url, call.app, status_body(call, event, now, extra),
                    (call.session_id,), now)
        if call.chaos is None:
            self._send(push)
        else:
            self.chaos.route_status(call, push)

    def bill(self, call: Call) -> None:
        """Queue the bill of an ended call; it leaves with the others of its app and end second."""
        bill = bill_of(call)
        url = call.fee_url or call.app.fee_url
        for listener in self.bill_listeners:
            listener(call, bill, url)
        if not url:
            return
        key = merge_key(call, url)
        batch = self._batches.get(key)
        if batch is None:
            self._batches[key] = batch = []
            window = self.policy.merge_delay
            if call.chaos is not None and call.chaos.merge_window is not None:
                window = call.chaos.merge_window
            self.clock.call_at(max(key[2] + window, self.clock.now()), self._flush_cb, key)
        batch.append((call, bill))

    # -- sending -------------------------------------------------------------------
    def _flush(self, key: tuple[str, str, int]) -> None:
        batch = self._batches.pop(key, [])
        now = self.clock.now()
        for part in chunks(batch):
            calls = [c for c, _ in part]
            push = Push(next(self._ids), "bill", "fee", key[1], calls[0].app, fee_body([b for _, b in part]),
                        tuple(c.session_id for c in calls), now)
            self.owed[push.id] = push
            push.chaos = calls[0].chaos
            if push.chaos is None:
                self._send(push)
            else:
                self.chaos.send_bill(push)

    def _send(self, push: Push) -> None:
        self.pushes.append(push)
        self._queue(push)

    def _retry(self, push: Push) -> None:
        if push.id not in self.owed:  # forgotten by a reset meanwhile
            return
        self._queue(push)

    def _queue(self, push: Push) -> None:
        now = self.clock.now()
        where = target(push.url)
        if where is None or not self.outbox.put(push, where, now):
            lane = self.outbox.lanes.get(where.origin) if where is not None else None
            self._record(push, not_sent(push, now, where, len(lane.queue) if lane else 0))

    async def _attempt(self, push: Push, pool: Pool) -> None:
        at = self.clock.now()
        if push.kind == "bill" and self.before_send is not None:
            await self.before_send(push, at)
            if push.id not in self.owed:  # forgotten by a reset meanwhile
                return
        result = await attempt(pool, push, at, self.policy.timeout, self.policy.newlines)
        if push.chaos is not None:
            result = judged(push, result)
        self._record(push, result)

    def _record(self, push: Push, result: Attempt) -> None:
        push.attempts.append(result)
        if result.ok:
            push.state = DELIVERED
            self.owed.pop(push.id, None)
        elif push.kind != "bill":
            push.state = FAILED
        elif len(push.attempts) <= self.policy.max_retries:
            push.state = RETRYING
            push.next_at = self.clock.now() + self.policy.retry_interval
            self.clock.call_at(push.next_at, self._retry, push)
        else:
            push.state = GIVEN_UP
            self.owed.pop(push.id, None)
            self.given_up.append(push)
        for listener in self.listeners:
            listener(push, result)

    # -- restart recovery and reset ----------------------------------------------------
    def resume_ids(self, last_id: int) -> None:
        """Number new pushes after ``last_id`` (pushes of an earlier run kept their ids)."""
        self._ids = itertools.count(last_id + 1)

    def next_id(self) -> int:
        """A fresh push id."""
        return next(self._ids)

    def adopt(self, push: Push) -> None:
        """Take over a bill message an earlier run still owed: send it at ``push.next_at`` (now if past).

        Its attempts so far stay on it, so the re-push limit counts them (also one cut short by the
        crash): a message that has had all its attempts is given up, not sent again.
        """
        self.pushes.append(push)
        if len(push.attempts) > self.policy.max_retries:
            push.state = GIVEN_UP
            self.given_up.append(push)
            for listener in self.listeners:  # so the data dir says given up, and no later start adopts it
                listener(push, push.attempts[-1])
            return
        self.owed[push.id] = push
        push.state = RETRYING
        self.clock.call_at(max(push.next_at, self.clock.now()), self._retry, push)

    def forget(self) -> None:
        """Drop every record and everything owed or waiting to merge; none of it is sent any more."""
        self.pushes.clear()
        self.owed.clear()
        self.given_up.clear()
        self._batches.clear()
        self.chaos.forget()
        self.outbox.forget()
