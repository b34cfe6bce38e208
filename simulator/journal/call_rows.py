"""A call as a row of the journal's ``calls`` table, and back again after a restart.

The typed parts only some calls have (a callback's second leg, its recording,
``partyType``) travel in one JSON column, ``extra``; verification-code calls have
none, so their row encodes nothing on the event loop.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from ..config import AppConfig
from ..engine import Call, Ending, Leg, RecordingRef

COLUMNS = 21


def call_row(call: Call) -> tuple[Any, ...]:
    """The ``calls`` row of ``call`` as it is now."""
    ending = call.ending
    # Encoded now, on the loop: the engine keeps changing these parts.
    extra = _extra(call)
    return (call.session_id, call.seq, call.app.key, call.service_type, call.caller, call.callee, call.state,
            call.start, call.alert, call.answer, call.end, ending.state_code if ending else None,
            ending.desc if ending else None, ending.ul_fail_reason if ending else None, call.user_data,
            call.status_url, call.fee_url, int(call.record), call.tts_plays, call.tts_seconds, extra)


def _extra(call: Call) -> str | None:
    doc: dict[str, Any] = {}
    if call.leg is not None:
        leg = call.leg
        doc["leg"] = {"display": leg.display, "callee": leg.callee, "start": leg.start, "alert": leg.alert,
                      "answer": leg.answer}
    if call.record_base is not None:
        doc["recordBase"] = call.record_base
    if call.recording is not None:
        r = call.recording
        doc["recording"] = {"start": r.start, "objectName": r.object_name, "bucket": r.bucket,
                            "domain": r.domain, "downloadUrl": r.download_url}
    if call.party_type:
        doc["partyType"] = True
    return json.dumps(doc, ensure_ascii=False) if doc else None


def call_from_row(row: dict[str, Any], app_of: Callable[[str], AppConfig]) -> Call:
    """The call a ``calls`` row (as a dict) describes; ``app_of`` finds its app by key."""
    call = Call(row["session_id"], row["seq"], app_of(row["app_key"]), row["service"], row["caller"],
                row["callee"], (), row["user_data"], row["status_url"], row["fee_url"], state=row["state"],
                start=row["start"] or 0.0, alert=row["alert"] or 0.0, answer=row["answer"] or 0.0,
                end=row["end_at"] or 0.0, record=bool(row["record"]), tts_plays=row["tts_plays"] or 0,
                tts_seconds=row["tts_seconds"] or 0.0)
    if row["state_code"] is not None:
        call.ending = Ending(row["state_code"], row["state_desc"] or "", row["ul_fail_reason"] or 0)
    if row["extra"]:
        _restore_extra(call, json.loads(row["extra"]))
    return call


def _restore_extra(call: Call, doc: dict[str, Any]) -> None:
    leg = doc.get("leg")
    if isinstance(leg, dict):
        call.leg = Leg(leg["display"], leg["callee"], leg.get("start", 0.0), leg.get("alert", 0.0),
                       leg.get("answer", 0.0))
    call.record_base = doc.get("recordBase")
    rec = doc.get("recording")
    if isinstance(rec, dict):
        call.recording = RecordingRef(rec["start"], rec["objectName"], rec["bucket"], rec["domain"],
                                      rec["downloadUrl"])
    call.party_type = bool(doc.get("partyType"))
