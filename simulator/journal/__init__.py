"""The journal: every request, call, status event, bill and push attempt, in order, and what survives a crash.

``memory`` holds the bounded in-memory record the control API reads (each kind in a
``ring``: by column, no object per entry), ``store`` its SQLite copy in the data dir
(``tables`` its rows), ``storable`` what that copy can keep, ``recovery`` the start-up
from that copy, ``tallies`` the running totals the live views show, and ``wiring``
hooks it all to a platform.
"""
from .entries import BillEntry, EventEntry, RequestEntry, call_json, result_code
from .memory import Journal
from .recovery import ABNORMAL_HANGUP, Recovered, restore
from .storable import unstorable
from .store import FILE_NAME, Store
from .tables import History
from .tallies import Tally, figures, pace
from .wiring import attach, close_store, open_store

__all__ = ["ABNORMAL_HANGUP", "FILE_NAME", "BillEntry", "EventEntry", "History", "Journal", "Recovered",
           "RequestEntry", "Store", "Tally", "attach", "call_json", "close_store", "figures", "open_store",
           "pace", "restore", "result_code", "unstorable"]
