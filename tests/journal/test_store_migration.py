"""The journal's SQLite file across versions: a data dir written before requests kept a diagnosis."""
from __future__ import annotations

import sqlite3

from simulator.journal import FILE_NAME, Store
from simulator.journal.tables import SCHEMA
from simulator.report import analyze, from_data_dir

OLD_SCHEMA = SCHEMA.replace(", answer BLOB, diagnosis TEXT)", ", answer BLOB)")
ANSWER = b'{"resultcode": "1010010", "resultdesc": "Invalid digest."}'


def _old_data_dir(path: str) -> None:
    assert OLD_SCHEMA != SCHEMA
    conn = sqlite3.connect(f"{path}/{FILE_NAME}")
    with conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute("INSERT INTO requests VALUES (1, 10.0, 'POST', '/rest/httpsessions/callVerify/v1.0', 401, "
                     "'1010010', NULL, ?)", (ANSWER,))
    conn.close()


def test_an_old_data_dir_is_reported_on_and_gets_the_column(tmp_path):
    _old_data_dir(str(tmp_path))
    report = analyze(from_data_dir(str(tmp_path)))  # read only: before any new voicesim opened it
    assert [(f.id, f.count) for f in report.findings] == [("signature.undiagnosed", 1)]

    store = Store(str(tmp_path), lambda: 0.0)
    [row] = store.load().requests
    assert row["diagnosis"] is None and row["answer"] == ANSWER
    columns = [r[1] for r in sqlite3.connect(store.path).execute("PRAGMA table_info(requests)")]
    assert columns[-1] == "diagnosis"
