"""The journal on disk: a SQLite file (write-ahead log) in the data dir, written off the event loop.

The event loop only puts small tuples on a queue; one writer thread drains it in batches
and commits (``tables`` knows the rows). A failed write never stops the writer: an entry
whose data cannot be written is given up alone (the rest of its batch is written one by
one), and while the disk itself refuses (full, locked, gone) entries wait in memory, in
order, and are written once it takes them again. Either way ``degraded`` says why, for
``/_sim/health`` and ``/_sim/metrics``. ``synced`` lets an answer wait until what it
changed is on disk.
"""
from __future__ import annotations

import asyncio
import os
import queue
import sqlite3
import threading
import time
from collections import deque
from typing import Any, Callable

from ..delivery import INTERRUPTED, SENDING, Attempt, Push
from ..engine import Call
from . import tables
from .call_rows import call_row
from .entries import BillEntry, EventEntry, RequestEntry
from .tables import History

FILE_NAME = "voicesim.sqlite3"
IDLE = 0.25  # real seconds the writer waits for entries before it saves the clock anyway
RETRY = 1.0  # real seconds between tries while the disk refuses writes
BATCH = 5000
SYNC_TIMEOUT = 2.0  # real seconds an answer waits for the disk before it leaves anyway
MAX_BACKLOG = 500_000  # entries kept in memory for a failing disk; past it new ones are lost (and counted)
NONCE_SWEEP = 60.0  # real seconds between sweeps of expired nonces
_STOP = object()
_SYNC = "sync"

Sync = Callable[[bool], None]


def _disk_failure(exc: Exception) -> bool:
    """True when the file (not the entry) is at fault: full, locked, read-only, gone, closed, corrupt."""
    if isinstance(exc, (sqlite3.OperationalError, sqlite3.InternalError)) or type(exc) is sqlite3.DatabaseError:
        return True
    return isinstance(exc, sqlite3.ProgrammingError) and "closed" in str(exc)


def _entries(n: int) -> str:
    return f"{n} journal entr{'y' if n == 1 else 'ies'}"


def _push_row(push: Push, state: str) -> tuple[Any, ...]:
    return (push.id, push.kind, push.event, push.url, push.app.key, push.session_ids, push.created, push.body,
            state, push.next_at)


class Store:
    """Appends journal entries to ``DIR/voicesim.sqlite3`` from a writer thread."""

    def __init__(self, data_dir: str, now: Callable[[], float], keep: int = 100_000) -> None:
        self.path = os.path.join(data_dir, FILE_NAME)
        try:
            os.makedirs(data_dir, exist_ok=True)
            conn = self._connect()
            try:
                conn.executescript(tables.SCHEMA)
                tables.migrate(conn)
            finally:
                conn.close()
        except (OSError, sqlite3.Error) as exc:
            raise OSError(f"cannot keep the journal in {self.path}: {exc}") from None
        self.now = now  # the simulated clock, saved with every batch so a restart resumes from it
        self.keep = keep
        self.queued = 0  # only the event loop adds ...
        self.written = 0  # ... and only the writer thread adds (written or given up): no lock for the backlog
        self.dropped = 0  # entries refused on the loop side while the backlog was full
        self.lost = 0  # entries the writer gave up
        self.write_errors = 0  # failed tries to write (a retry that fails again counts again)
        self.failing = False  # the disk refuses writes right now; entries wait in memory
        self.error: str | None = None  # the last failure, as ``Type: message``
        self.error_at: float | None = None  # when (wall clock)
        self._q: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._open_sync: asyncio.Future[bool] | None = None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @property
    def backlog(self) -> int:
        """Entries recorded but not yet committed to disk (nor given up)."""
        return self.queued - self.written - self.dropped

    @property
    def entries_lost(self) -> int:
        """Entries that will never reach the disk."""
        return self.lost + self.dropped

    @property
    def degraded(self) -> str | None:
        """Why the data dir is not a full copy of the journal (for health), or None when it is."""
        if self.failing:
            return f"the data dir refuses writes, {_entries(self.backlog)} wait in memory (last error: {self.error})"
        if self.entries_lost:
            return f"{_entries(self.entries_lost)} could not be written to the data dir (last error: {self.error})"
        return None

    # -- the event loop's side: one tuple on a queue per entry -----------------------
    def _put(self, item: tuple[Any, ...]) -> None:
        if self.backlog >= MAX_BACKLOG:
            self.dropped += 1
            return
        self.queued += 1
        self._q.put(item)

    def request(self, e: RequestEntry) -> None:
        """Persist a RequestEntry."""
        self._put(("request", (e.seq, e.at, e.method, e.path, e.status, e.resultcode,
                               None if e.body is None else bytes(e.body), e.answer), e.diagnosis))

    def event(self, e: EventEntry, call: Call) -> None:
        """Persist an EventEntry, and the call's state as of now."""
        self._put(("event", (e.seq, e.at, e.session_id, e.event, e.extra), call_row(call)))

    def bill(self, e: BillEntry, call: Call) -> None:
        """Persist a BillEntry."""
        self._put(("bill", (e.seq, e.at, e.session_id, e.url, call.app.key, int(call.end)), e.bill))

    def begin(self, push: Push, at: float) -> None:
        """Persist that an attempt of ``push`` leaves now: after a crash it counts, as a failed attempt."""
        n = len(push.attempts) + 1
        self._put(("begin", _push_row(push, SENDING), (push.id, n, at, 0, None, INTERRUPTED, 0.0)))

    def attempt(self, push: Push, attempt: Attempt) -> None:
        """Persist a push's state and its latest attempt."""
        n = len(push.attempts)
        self._put(("push", _push_row(push, push.state),
                   (push.id, n, attempt.at, int(attempt.ok), attempt.status, attempt.error, attempt.elapsed)))

    def nonce(self, app_key: str, nonce: str, forget_at: float) -> None:
        """Persist a nonce the auth check must refuse until ``forget_at`` (wall clock)."""
        self._put(("nonce", app_key, nonce, forget_at))

    def app(self, doc: dict[str, Any]) -> None:
        """Persist an app registered at run time."""
        self._put(("app", doc["key"], doc))

    def clear(self) -> None:
        """Forget the journal (apps and nonces stay)."""
        self._put(("clear",))

    async def synced(self, timeout: float = SYNC_TIMEOUT) -> bool:
        """Wait until every entry recorded so far is on disk: True once it is, False at once when the disk
        is failing (or the writer is stopped), or after ``timeout`` real seconds."""
        if self._thread is None or self.failing:
            return False
        fut = self._open_sync
        if fut is None:  # one marker serves every caller of this loop turn
            loop = asyncio.get_running_loop()
            fut = self._open_sync = loop.create_future()
            loop.call_soon(self._seal, fut)
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(fut)
        except TimeoutError:
            return False

    def _seal(self, fut: asyncio.Future[bool]) -> None:
        # Runs after the callers that share ``fut`` recorded their entries: the marker queues behind them.
        self._open_sync = None
        loop = fut.get_loop()

        def done(ok: bool) -> None:
            try:
                loop.call_soon_threadsafe(_resolve, fut, ok)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass

        self._q.put((_SYNC, done))

    # -- the writer thread -------------------------------------------------------------
    def start(self) -> None:
        """Start the writer thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="voicesim-journal", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Write what is queued, then stop the writer (blocks; call from a thread or at exit)."""
        if self._thread is not None:
            self._q.put(_STOP)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        pending: deque[Any] = deque()
        conn: sqlite3.Connection | None = None
        stopping = False
        swept = 0.0
        try:
            while not stopping:
                if self.failing:
                    time.sleep(RETRY)
                stopping = self._take(pending, 0.0 if self.failing else IDLE)
                if time.monotonic() - swept > NONCE_SWEEP:
                    swept = time.monotonic()
                    pending.append(("sweep",))
                conn = self._flush(conn, pending)
        finally:
            if pending:  # stopping while the disk still refuses: what waits is lost
                self._give_up(pending)
            if conn is not None:
                conn.close()

    def _take(self, pending: deque[Any], wait: float) -> bool:
        """Move queued entries into ``pending`` (waiting up to ``wait`` for the first); True on the stop mark."""
        try:
            item = self._q.get(timeout=wait) if wait else self._q.get_nowait()
        except queue.Empty:
            return False
        stop = False
        for _ in range(BATCH):
            if item is _STOP:
                stop = True
            else:
                pending.append(item)
            try:
                item = self._q.get_nowait()
            except queue.Empty:
                break
        return stop

    def _flush(self, conn: sqlite3.Connection | None, pending: deque[Any]) -> sqlite3.Connection | None:
        """Write ``pending`` (and the clock) in one transaction, else one entry at a time; returns the
        connection to use next (None after the disk failed: reconnect)."""
        try:
            if conn is None:
                conn = self._connect()
            batch = list(pending)
            with conn:
                for op in batch:
                    if op[0] != _SYNC:
                        self._write(conn, op)
                tables.save_clock(conn, self.now())
        except Exception as exc:  # a full disk or a bad entry must not kill the simulator; health shows it
            self._failed(exc)
            if conn is None or _disk_failure(exc):
                self._disconnect(conn)
                return None
            return self._one_by_one(conn, pending)
        pending.clear()
        self.failing = False
        self._done(batch, True)
        return conn

    def _one_by_one(self, conn: sqlite3.Connection, pending: deque[Any]) -> sqlite3.Connection | None:
        """After a failed batch: each entry in its own transaction, so one bad entry is all that is lost."""
        while pending:
            op = pending[0]
            if op[0] != _SYNC:
                try:
                    with conn:
                        self._write(conn, op)
                except Exception as exc:
                    self._failed(exc)
                    if _disk_failure(exc):  # this entry and those after it wait for the disk, in order
                        self._disconnect(conn)
                        return None
                    self.lost += 1
            self._done((pending.popleft(),), True)
        self.failing = False
        return conn

    def _write(self, conn: sqlite3.Connection, op: tuple[Any, ...]) -> None:
        if op[0] == "sweep":
            tables.forget_nonces(conn)
        else:
            tables.write(conn, op)

    def _failed(self, exc: Exception) -> None:
        self.write_errors += 1
        self.error = f"{type(exc).__name__}: {exc}"
        self.error_at = time.time()
        if _disk_failure(exc):
            self.failing = True

    def _disconnect(self, conn: sqlite3.Connection | None) -> None:
        self.failing = True
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def _done(self, ops: Any, ok: bool) -> None:
        for op in ops:
            if op[0] == _SYNC:
                op[1](ok)
            elif op[0] != "sweep":
                self.written += 1

    def _give_up(self, pending: deque[Any]) -> None:
        self.lost += sum(1 for op in pending if op[0] not in (_SYNC, "sweep"))
        self._done(pending, False)
        pending.clear()

    # -- start-up ------------------------------------------------------------------------
    def load(self) -> History:
        """Read the data dir back (synchronously: at start-up, before serving)."""
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            return tables.load(conn, self.keep)
        finally:
            conn.close()


def _resolve(fut: asyncio.Future[bool], ok: bool) -> None:
    if not fut.done():
        fut.set_result(ok)
