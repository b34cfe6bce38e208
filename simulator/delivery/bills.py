"""Bills (CDRs): what one ended call's bill says, and how bills are merged into messages."""
from __future__ import annotations

import json
import math
from typing import Any, TypeVar

from ..clock import utc_text
from ..engine import Call, plays_heard

MAX_PER_MESSAGE = 50
T = TypeVar("T")


def bill_of(call: Call) -> dict[str, Any]:
    """The bill of an ended call, with the fields the spec lists for its service.

    Fields whose value the platform would not know for this outcome are left out
    (an unanswered call has no answer time), as the spec prefers absent to invented.
    """
    ending = call.ending
    assert ending is not None, "only ended calls have bills"
    bill: dict[str, Any] = {
        "direction": 0,
        "spId": call.app.sp_id,
        "appKey": call.app.key,
        "icid": f"CAE-{call.seq:012d}",
        "bindNum": call.caller,
        "sessionId": call.session_id,
        "callerNum": call.caller,
        "calleeNum": call.callee,
        "callOutStartTime": utc_text(call.start),
    }
    if call.alert:
        bill["callOutAlertingTime"] = utc_text(call.alert)
    if call.answer:
        bill["callOutAnswerTime"] = utc_text(call.answer)
    bill["callEndTime"] = utc_text(call.end)
    if not call.answer:
        bill["callOutUnaswRsn"] = ending.q850 if ending.q850 is not None else 16
        bill["failTime"] = utc_text(call.end)
    bill["ulFailReason"] = ending.ul_fail_reason
    if ending.sip_status is not None and not call.answer:
        bill["sipStatusCode"] = ending.sip_status
    bill["recordFlag"] = 1 if call.recorded else 0
    if call.tts_plays and call.answer:
        # A call cut short (stopped, or ended by a restart) spoke at most its talk time.
        spoken = min(call.tts_seconds, call.talk_seconds)
        if spoken > 0:
            bill["ttsPlayTimes"] = plays_heard(call.tts_plays, call.tts_seconds, spoken)
            bill["ttsTransDuration"] = math.ceil(spoken)
    bill["serviceType"] = call.service_type
    bill["hostName"] = call.session_id.rpartition("@")[2]
    leg = call.leg
    if leg is not None:
        bill["fwdDisplayNum"] = leg.display
        bill["fwdDstNum"] = leg.callee
        for name, at in (("fwdStartTime", leg.start), ("fwdAlertingTime", leg.alert), ("fwdAnswerTime", leg.answer)):
            if at:
                bill[name] = utc_text(at)
    rec = call.recording
    if call.recorded and rec is not None:
        bill.update(recordStartTime=utc_text(rec.start), recordObjectName=rec.object_name,
                    recordBucketName=rec.bucket, recordDomain=rec.domain, recordFileDownloadUrl=rec.download_url)
    if call.user_data is not None:
        bill["userData"] = call.user_data
    return bill


def fee_body(bills: list[dict[str, Any]]) -> bytes:
    """One bill message: ``{"eventType": "fee", "feeLst": [...]}``."""
    return json.dumps({"eventType": "fee", "feeLst": bills}, ensure_ascii=False, separators=(",", ":")).encode()


def chunks(bills: list[T], size: int = MAX_PER_MESSAGE) -> list[list[T]]:
    """Split bills into messages of at most ``size``."""
    return [bills[i:i + size] for i in range(0, len(bills), size)]


def merge_key(call: Call, fee_url: str) -> tuple[str, str, int]:
    """Bills travel together when app, bill URL and the second of ``callEndTime`` agree."""
    return call.app.key, fee_url, int(call.end)
