"""Status event bodies, in the shape the platform pushes them (spec section 6)."""
from __future__ import annotations

import json
from typing import Any

from ..clock import utc_text
from ..engine import Call


def status_body(call: Call, event: str, at: float, extra: dict[str, Any] | None = None) -> bytes:
    """``{"eventType": ..., "statusInfo": {...}}`` for one event of ``call`` at ``at``."""
    info: dict[str, Any] = {
        "sessionId": call.session_id,
        "timestamp": utc_text(at),
        "caller": call.caller,
        "called": call.callee,
    }
    if extra:
        info.update(extra)
    if call.user_data is not None:
        info["userData"] = call.user_data
    return json.dumps({"eventType": event, "statusInfo": info}, ensure_ascii=False, separators=(",", ":")).encode()
