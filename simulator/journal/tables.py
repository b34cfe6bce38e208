"""The data dir's SQLite tables: their schema, how each queued entry is written, and how it is all read back.

``Store`` puts entries on its queue as small tuples (``kind``, parts...); ``write``
turns one into rows, on the writer thread. ``load`` reads the file back at start-up.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from .call_rows import COLUMNS

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
CREATE TABLE IF NOT EXISTS nonces (app_key TEXT, nonce TEXT, forget_at REAL, PRIMARY KEY (app_key, nonce));
CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces (forget_at);
"""

_CALL_UPSERT = "INSERT OR REPLACE INTO calls VALUES (" + ",".join("?" * COLUMNS) + ")"
_REQUEST_INSERT = ("INSERT OR REPLACE INTO requests (seq, at, method, path, status, resultcode, body, answer, "
                   "diagnosis) VALUES (?,?,?,?,?,?,?,?,?)")
JOURNAL_TABLES = ("requests", "calls", "events", "bills", "pushes", "attempts")


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
    nonces: list[tuple[str, str, float]] = field(default_factory=list)  # (app key, nonce, forget at) still live


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a data dir written by an older voicesim up to this schema."""
    # Requests kept no signature diagnosis before the report came.
    if not any(row[1] == "diagnosis" for row in conn.execute("PRAGMA table_info(requests)")):
        conn.execute("ALTER TABLE requests ADD COLUMN diagnosis TEXT")


def write(conn: sqlite3.Connection, op: tuple[Any, ...]) -> None:
    """Write one queued entry (inside the caller's transaction)."""
    kind = op[0]
    if kind == "event":
        seq, at, sid, event, extra = op[1]
        conn.execute("INSERT OR REPLACE INTO events VALUES (?,?,?,?,?)",
                     (seq, at, sid, event, json.dumps(extra, ensure_ascii=False) if extra else None))
        conn.execute(_CALL_UPSERT, op[2])
    elif kind == "request":
        diagnosis = None if op[2] is None else json.dumps(op[2].to_json(), ensure_ascii=False)
        conn.execute(_REQUEST_INSERT, op[1] + (diagnosis,))
    elif kind == "nonce":
        conn.execute("INSERT OR REPLACE INTO nonces VALUES (?,?,?)", op[1:])
    elif kind == "bill":
        conn.execute("INSERT OR REPLACE INTO bills VALUES (?,?,?,?,?,?,?,NULL)",
                     op[1] + (json.dumps(op[2], ensure_ascii=False),))
    elif kind in ("push", "begin"):  # an attempt's result, or an attempt about to leave
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
        for table in JOURNAL_TABLES:
            conn.execute(f"DELETE FROM {table}")
    else:
        raise ValueError(f"unknown journal entry {kind!r}")


def save_clock(conn: sqlite3.Connection, now: float) -> None:
    """Record the simulated time a restart resumes from."""
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('clock', ?)", (repr(now),))


def forget_nonces(conn: sqlite3.Connection) -> None:
    """Drop the nonces whose window has closed (wall-clock time, as the auth check uses)."""
    conn.execute("DELETE FROM nonces WHERE forget_at < ?", (time.time(),))


def load(conn: sqlite3.Connection, keep: int) -> History:
    """Read a data dir back (``conn`` with ``sqlite3.Row`` rows): the newest ``keep`` of each kind and all
    that is still owed."""
    h = History()
    row = conn.execute("SELECT value FROM meta WHERE key='clock'").fetchone()
    h.clock = float(row[0]) if row else 0.0
    h.last_seq = max(conn.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {t}").fetchone()[0]
                     for t in ("requests", "events", "bills"))
    h.requests = _recent(conn, "requests", "seq", keep)
    h.events = _recent(conn, "events", "seq", keep)
    h.bills = _recent(conn, "bills", "seq", keep)
    # every call not ended is needed whatever its age; the rest only the newest
    h.calls = [dict(r) for r in conn.execute(
        "SELECT * FROM calls WHERE state != 'ended' OR seq > (SELECT COALESCE(MAX(seq), 0) - ? FROM calls) "
        "ORDER BY seq", (keep,))]
    # every bill message still owed whatever its age; the rest only the newest
    wanted = ("SELECT id FROM pushes WHERE (kind = 'bill' AND state NOT IN ('delivered', 'given_up')) "
              "OR id > (SELECT COALESCE(MAX(id), 0) - ? FROM pushes)")
    attempts: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(f"SELECT * FROM attempts WHERE push_id IN ({wanted}) ORDER BY push_id, n", (keep,)):
        attempts.setdefault(r["push_id"], []).append(dict(r))
    h.pushes = [dict(r, attempts=attempts.get(r["id"], []))
                for r in conn.execute(f"SELECT * FROM pushes WHERE id IN ({wanted}) ORDER BY id", (keep,))]
    h.last_push_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM pushes").fetchone()[0]
    h.last_call_seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM calls").fetchone()[0]
    h.unsent = [dict(r) for r in conn.execute(
        "SELECT * FROM bills WHERE push_id IS NULL AND url IS NOT NULL ORDER BY seq")]
    h.apps = [json.loads(r["doc"]) for r in conn.execute("SELECT * FROM apps")]
    h.nonces = [(r["app_key"], r["nonce"], r["forget_at"])
                for r in conn.execute("SELECT * FROM nonces WHERE forget_at >= ?", (time.time(),))]
    for r in h.requests:
        r["diagnosis"] = json.loads(r["diagnosis"]) if r["diagnosis"] else None
    for r in h.events:
        r["extra"] = json.loads(r["extra"]) if r["extra"] else None
    for r in h.bills + h.unsent:
        r["bill"] = json.loads(r["bill"])
    for r in h.pushes:
        r["session_ids"] = tuple(json.loads(r["session_ids"]))
    return h


def _recent(conn: sqlite3.Connection, table: str, order: str, keep: int) -> list[dict[str, Any]]:
    rows = conn.execute(f"SELECT * FROM {table} ORDER BY {order} DESC LIMIT ?", (keep,)).fetchall()
    return [dict(r) for r in reversed(rows)]
