"""The journal on disk: a SQLite file (write-ahead log) in the data dir, written off the event loop.

The event loop only puts small tuples on a queue; one writer thread drains it in
batches, encodes JSON and commits. ``load`` reads everything back at start-up so
the journal (and what is still owed to SPs) outlives the process.
"""
from __future__ import annotations

import json
import os
import queue
import sqlite3
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from ..delivery import Attempt, Push
from ..engine import Call
from .call_rows import COLUMNS, call_row
from .entries import BillEntry, EventEntry, RequestEntry

FILE_NAME = "voicesim.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS requests (seq INTEGER PRIMARY KEY, at REAL, method TEXT, path TEXT,
    status INTEGER, resultcode TEXT, body BLOB, answer BLOB, diagnosis TEXT);
CREATE TABLE IF NOT EXISTS calls (session_id TEXT PRIMARY KEY, seq INTEGER, app_key TEXT, service TEXT,
    caller TEXT, callee TEXT, state TEXT, start REAL, alert REAL, answer REAL, end_at REAL,
    state_code INTEGER, state_desc TEXT, ul_fail_reason INTEGER, user_data TEXT, status_url TEXT,
    fee_url TEXT, record INTEGER, tts_plays INTEGER, tts_seconds REAL, extra TEXT);
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, at REAL, session_id TEXT, event TEXT, extra TEXT);
CREATE TABLE IF NOT EXISTS bills (seq INTEGER PRIMARY KEY, at REAL, session_id TEXT, url TEXT, app_key TEXT,
    end_second INTEGER, bill TEXT, push_id INTEGER);
CREATE INDEX IF NOT EXISTS bills_session ON bills (session_id);
CREATE INDEX IF NOT EXISTS bills_unsent ON bills (push_id) WHERE push_id IS NULL;
CREATE TABLE IF NOT EXISTS pushes (id INTEGER PRIMARY KEY, kind TEXT, event TEXT, url TEXT, app_key TEXT,
    session_ids TEXT, created REAL, body BLOB, state TEXT, next_at REAL);
CREATE TABLE IF NOT EXISTS attempts (push_id INTEGER, n INTEGER, at REAL, ok INTEGER, status INTEGER,
    error TEXT, elapsed REAL, PRIMARY KEY (push_id, n));
CREATE TABLE IF NOT EXISTS apps (key TEXT PRIMARY KEY, doc TEXT);
"""

_CALL_UPSERT = "INSERT OR REPLACE INTO calls VALUES (" + ",".join("?" * COLUMNS) + ")"
_REQUEST_INSERT = ("INSERT OR REPLACE INTO requests (seq, at, method, path, status, resultcode, body, answer, "
                   "diagnosis) VALUES (?,?,?,?,?,?,?,?,?)")
_STOP = object()


@dataclass(slots=True)
class History:
    """What a data dir holds, read back at start-up (rows as dicts, oldest first)."""

    last_seq: int = 0
    last_call_seq: int = 0
    last_push_id: int = 0
    clock: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    bills: list[dict[str, Any]] = field(default_factory=list)
    pushes: list[dict[str, Any]] = field(default_factory=list)  # each with "attempts": [rows]
    unsent: list[dict[str, Any]] = field(default_factory=list)  # bills made but never attempted
    apps: list[dict[str, Any]] = field(default_factory=list)


class Store:
    """Appends journal entries to ``DIR/voicesim.sqlite3`` from a writer thread."""

    def __init__(self, data_dir: str, now: Callable[[], float], keep: int = 100_000) -> None:
        self.path = os.path.join(data_dir, FILE_NAME)
        try:
            os.makedirs(data_dir, exist_ok=True)
            conn = self._connect()
            try:
                conn.executescript(SCHEMA)
                _add_diagnosis_column(conn)
            finally:
                conn.close()
        except (OSError, sqlite3.Error) as exc:
            raise OSError(f"cannot keep the journal in {self.path}: {exc}") from None
        self.now = now  # the simulated clock, saved with every batch so a restart resumes from it
        self.keep = keep
        self.queued = 0  # only the event loop adds ...
        self.written = 0  # ... and only the writer thread adds: no lock needed for the backlog
        self.error: str | None = None
        self._q: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @property
    def backlog(self) -> int:
        """Entries recorded but not yet committed to disk."""
        return self.queued - self.written

    # -- the event loop's side: one tuple on a queue per entry -----------------------
    def _put(self, item: tuple[Any, ...]) -> None:
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

    def attempt(self, push: Push, attempt: Attempt) -> None:
        """Persist a push's state and its latest attempt."""
        n = len(push.attempts)
        self._put(("push", (push.id, push.kind, push.event, push.url, push.app.key, push.session_ids, push.created,
                            push.body, push.state, push.next_at),
                   (push.id, n, attempt.at, int(attempt.ok), attempt.status, attempt.error, attempt.elapsed)))

    def app(self, doc: dict[str, Any]) -> None:
        """Persist an app registered at run time."""
        self._put(("app", doc["key"], doc))

    def clear(self) -> None:
        """Forget the journal (apps stay)."""
        self._put(("clear",))

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
        conn = self._connect()
        try:
            while True:
                try:
                    item = self._q.get(timeout=0.25)
                except queue.Empty:
                    self._save_clock(conn)  # time passes even when nothing happens
                    continue
                batch = [item]
                while len(batch) < 5000:
                    try:
                        batch.append(self._q.get_nowait())
                    except queue.Empty:
                        break
                stop = any(i is _STOP for i in batch)
                try:
                    with conn:
                        for op in batch:
                            if op is not _STOP:
                                self._write(conn, op)
                        conn.execute("INSERT OR REPLACE INTO meta VALUES ('clock', ?)", (repr(self.now()),))
                except sqlite3.Error as exc:  # a full disk must not kill the simulator; health shows it
                    self.error = f"{type(exc).__name__}: {exc}"
                self.written += len(batch) - (1 if stop else 0)
                if stop:
                    return
        finally:
            conn.close()

    def _save_clock(self, conn: sqlite3.Connection) -> None:
        try:
            with conn:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('clock', ?)", (repr(self.now()),))
        except sqlite3.Error as exc:
            self.error = f"{type(exc).__name__}: {exc}"

    @staticmethod
    def _write(conn: sqlite3.Connection, op: tuple[Any, ...]) -> None:
        kind = op[0]
        if kind == "event":
            seq, at, sid, event, extra = op[1]
            conn.execute("INSERT OR REPLACE INTO events VALUES (?,?,?,?,?)",
                         (seq, at, sid, event, json.dumps(extra, ensure_ascii=False) if extra else None))
            conn.execute(_CALL_UPSERT, op[2])
        elif kind == "request":
            diagnosis = None if op[2] is None else json.dumps(op[2].to_json(), ensure_ascii=False)
            conn.execute(_REQUEST_INSERT, op[1] + (diagnosis,))
        elif kind == "bill":
            conn.execute("INSERT OR REPLACE INTO bills VALUES (?,?,?,?,?,?,?,NULL)",
                         op[1] + (json.dumps(op[2], ensure_ascii=False),))
        elif kind == "push":
            row = list(op[1])
            sessions = row[5]
            row[5] = json.dumps(list(sessions))
            conn.execute("INSERT OR REPLACE INTO pushes VALUES (?,?,?,?,?,?,?,?,?,?)", row)
            conn.execute("INSERT OR REPLACE INTO attempts VALUES (?,?,?,?,?,?,?)", op[2])
            if row[1] == "bill" and op[2][1] == 1:  # these bills have left: not "never sent" any more
                conn.executemany("UPDATE bills SET push_id = ? WHERE session_id = ? AND push_id IS NULL",
                                 [(row[0], sid) for sid in sessions])
        elif kind == "app":
            conn.execute("INSERT OR REPLACE INTO apps VALUES (?,?)", (op[1], json.dumps(op[2])))
        elif kind == "clear":
            for table in ("requests", "calls", "events", "bills", "pushes", "attempts"):
                conn.execute(f"DELETE FROM {table}")

    # -- start-up ------------------------------------------------------------------------
    def load(self) -> History:
        """Read the data dir back (synchronously: at start-up, before serving)."""
        conn = self._connect()
        conn.row_factory = sqlite3.Row
        try:
            h = History()
            row = conn.execute("SELECT value FROM meta WHERE key='clock'").fetchone()
            h.clock = float(row[0]) if row else 0.0
            seqs = [conn.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {t}").fetchone()[0]
                    for t in ("requests", "events", "bills")]
            h.last_seq = max(seqs)
            k = self.keep
            h.requests = _recent(conn, "requests", "seq", k)
            h.events = _recent(conn, "events", "seq", k)
            h.bills = _recent(conn, "bills", "seq", k)
            # every call not ended is needed whatever its age; the rest only the newest
            h.calls = [dict(r) for r in conn.execute(
                "SELECT * FROM calls WHERE state != 'ended' OR seq > (SELECT COALESCE(MAX(seq), 0) - ? FROM calls) "
                "ORDER BY seq", (k,))]
            # every bill message still owed whatever its age; the rest only the newest
            wanted = ("SELECT id FROM pushes WHERE (kind = 'bill' AND state NOT IN ('delivered', 'given_up')) "
                      "OR id > (SELECT COALESCE(MAX(id), 0) - ? FROM pushes)")
            attempts: dict[int, list[dict[str, Any]]] = {}
            for r in conn.execute(f"SELECT * FROM attempts WHERE push_id IN ({wanted}) ORDER BY push_id, n", (k,)):
                attempts.setdefault(r["push_id"], []).append(dict(r))
            h.pushes = [dict(r, attempts=attempts.get(r["id"], []))
                        for r in conn.execute(f"SELECT * FROM pushes WHERE id IN ({wanted}) ORDER BY id", (k,))]
            h.last_push_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM pushes").fetchone()[0]
            h.last_call_seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM calls").fetchone()[0]
            h.unsent = [dict(r) for r in conn.execute(
                "SELECT * FROM bills WHERE push_id IS NULL AND url IS NOT NULL ORDER BY seq")]
            h.apps = [json.loads(r["doc"]) for r in conn.execute("SELECT * FROM apps")]
            for r in h.requests:
                r["diagnosis"] = json.loads(r["diagnosis"]) if r["diagnosis"] else None
            for r in h.events:
                r["extra"] = json.loads(r["extra"]) if r["extra"] else None
            for r in h.bills + h.unsent:
                r["bill"] = json.loads(r["bill"])
            for r in h.pushes:
                r["session_ids"] = tuple(json.loads(r["session_ids"]))
            return h
        finally:
            conn.close()


def _add_diagnosis_column(conn: sqlite3.Connection) -> None:
    # Data dirs written before requests kept their signature diagnosis lack the column.
    if not any(row[1] == "diagnosis" for row in conn.execute("PRAGMA table_info(requests)")):
        conn.execute("ALTER TABLE requests ADD COLUMN diagnosis TEXT")


def _recent(conn: sqlite3.Connection, table: str, order: str, keep: int) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT * FROM {table} ORDER BY {order} DESC LIMIT ?", (keep,)).fetchall()
    return [dict(r) for r in reversed(rows)]
