"""Where a report's records come from: a running simulator's journal, or the SQLite file of a data dir.

Both give the same ``Records`` for the same run: requests (with their signature
diagnosis), status events, and every push that was attempted with its attempts.
"""
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..auth import Diagnosis
from ..config import AppConfig
from ..delivery import INTERRUPTED, SENDING, Attempt, Delivery, Push
from ..journal import FILE_NAME, EventEntry, Journal, RequestEntry


@dataclass(slots=True)
class Records:
    """What a report reads: requests, status events, and the pushes attempted (each with its attempts)."""

    requests: list[RequestEntry]
    events: list[EventEntry]
    pushes: list[Push]


def from_journal(journal: Journal, delivery: Delivery) -> Records:
    """The records a running simulator keeps in memory."""
    return Records(list(journal.requests), list(journal.events), [p for p in delivery.pushes if p.attempts])


class NoJournal(Exception):
    """A data dir with no journal in it, or one that cannot be read."""


def from_data_dir(data_dir: str) -> Records:
    """The records of the journal in ``DIR/voicesim.sqlite3``, read only (a running simulator may be writing it)."""
    path = os.path.join(data_dir, FILE_NAME)
    if not os.path.isfile(path):
        raise NoJournal(f"no journal in {data_dir}: {FILE_NAME} not found")
    try:
        conn = sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise NoJournal(f"cannot open {path}: {exc}") from None
    conn.row_factory = sqlite3.Row
    try:
        return Records(_requests(conn), _events(conn), _pushes(conn))
    except sqlite3.Error as exc:
        raise NoJournal(f"cannot read {path}: {exc}") from None
    finally:
        conn.close()


def _requests(conn: sqlite3.Connection) -> list[RequestEntry]:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(requests)")}
    diagnosis = "diagnosis" if "diagnosis" in columns else "NULL AS diagnosis"  # a data dir of an older voicesim
    rows = conn.execute("SELECT seq, at, method, path, status, resultcode, body, answer, "
                        f"{diagnosis} FROM requests ORDER BY seq")
    return [RequestEntry(r["seq"], r["at"], r["method"], r["path"], r["status"], r["resultcode"], r["body"],
                         r["answer"], Diagnosis.from_json(_json(r["diagnosis"]))) for r in rows]


def _events(conn: sqlite3.Connection) -> list[EventEntry]:
    rows = conn.execute("SELECT seq, at, session_id, event FROM events ORDER BY seq")
    return [EventEntry(r["seq"], r["at"], r["session_id"], r["event"], None) for r in rows]


def _pushes(conn: sqlite3.Connection) -> list[Push]:
    attempts: dict[int, list[Attempt]] = {}
    sending = {r["id"] for r in conn.execute("SELECT id FROM pushes WHERE state = ?", (SENDING,))}
    for a in conn.execute("SELECT * FROM attempts ORDER BY push_id, n"):
        if a["error"] == INTERRUPTED and a["push_id"] in sending:
            continue  # an attempt on the wire now, written ahead in case of a crash: not a failure (yet)
        attempts.setdefault(a["push_id"], []).append(
            Attempt(a["at"], bool(a["ok"]), a["status"], a["error"], a["elapsed"] or 0.0))
    apps: dict[str, AppConfig] = {}
    return [Push(r["id"], r["kind"], r["event"], r["url"], apps.setdefault(r["app_key"], AppConfig(r["app_key"], "")),
                 r["body"], _session_ids(r["session_ids"]), r["created"], r["state"], r["next_at"] or 0.0,
                 attempts[r["id"]])
            for r in conn.execute("SELECT * FROM pushes ORDER BY id") if r["id"] in attempts]


def _json(text: Any) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _session_ids(text: Any) -> tuple[str, ...]:
    ids = _json(text)
    return tuple(str(i) for i in ids) if isinstance(ids, list) else ()
