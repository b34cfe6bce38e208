"""Status event bodies, in the shape the platform pushes them (spec section 6)."""
from __future__ import annotations

import json
from typing import Any

from ..clock import utc_text
from ..engine import Call

# The body is joined by hand from JSON-encoded parts (json.dumps of the whole, with a new encoder
# each time, was a tenth of the push path's CPU); the bytes are exactly what json.dumps makes.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def status_body(call: Call, event: str, at: float, extra: dict[str, Any] | None = None) -> bytes:
    """``{"eventType": ..., "statusInfo": {...}}`` for one event of ``call`` at ``at``."""
    enc = _ENCODE
    parts = [f'{{"eventType":{enc(event)},"statusInfo":{{"sessionId":{enc(call.session_id)},'
             f'"timestamp":"{utc_text(at)}","caller":{enc(call.caller)},"called":{enc(call.callee)}']
    if extra:
        parts.extend(f",{enc(key)}:{enc(value)}" for key, value in extra.items() if key != "userData")
    if call.user_data is not None:
        parts.append(f',"userData":{enc(call.user_data)}')
    parts.append("}}")
    return "".join(parts).encode()
