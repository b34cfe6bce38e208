"""The platform's result codes, their HTTP statuses and descriptions, in one table; the bodies of its answers.

Statuses the spec gives are used as given; the others are our choice, recorded in
``docs/fidelity.md``.
"""
from __future__ import annotations

import json

# code: (HTTP status, resultdesc)
CODES: dict[int, tuple[int, str]] = {
    0: (200, "Success"),
    1010001: (500, "Internal system error."),
    1010002: (403, "Invalid request."),
    1010003: (403, "Invalid app_key."),
    1010006: (404, "Invalid Rest API."),
    1010007: (403, "user not activated."),
    1010008: (403, "The status of the app_key is unavailable."),
    1010009: (403, "No more APIs can be invoked."),
    1010010: (401, "Invalid digest."),
    1010013: (401, "Time out limit."),
    1010021: (403, "Application unavailable."),
    1010023: (403, "Display number invalid."),
    1013001: (403, "The number of calls exceeds the SP limit."),
    1013002: (403, "The number of calls exceeds the app limit."),
    1013003: (403, "The number of calls exceeds the display number limit."),
    1020001: (400, "Parameter error."),
    1020002: (500, "Internal error."),
    1020003: (400, "Parameter error."),
    1020150: (403, "The app_key is invalid."),
    1020152: (400, "Invalid sessionId."),
    1020154: (503, "Insufficient voice ports."),
    1020165: (403, "The number of app_key voice call ports exceeds the upper limit."),
    1020166: (403, "The app client ip is not in ip white list."),
    1023001: (500, "Internal error."),
    1023002: (504, "Response timeout."),
    1023006: (400, "Authorization not contained in the HTTP header."),
    1023007: (400, "realm not contained in Authorization."),
    1023008: (400, "profile not contained in Authorization."),
    1023009: (400, "The value of realm in Authorization must be SDP."),
    1023010: (400, "The value of profile in Authorization must be UsernameToken."),
    1023011: (400, "The value of type in Authorization must be app_key."),
    1023012: (400, "type not contained in Authorization."),
    1023033: (400, "HTTP header not found X-AKSK field."),
    1023034: (400, "UserName not contained in X-AKSK."),
    1023035: (400, "Nonce not contained in X-AKSK."),
    1023036: (400, "Created not contained in X-AKSK."),
    1023037: (400, "PasswordDigest not contained in X-AKSK."),
}

CONTENT_TYPE = "application/json;charset=UTF-8"


class PlatformError(Exception):
    """A refusal the platform answers with its own result code.

    ``detail`` says what exactly was wrong. For 1010002 it is appended to the
    description with nothing between, as the platform does
    (``Invalid request.lastMinVoice.wav does not exist``); for other codes it
    follows after a space.
    """

    def __init__(self, code: int, detail: str = "", http_status: int | None = None) -> None:
        if code not in CODES:
            raise ValueError(f"unknown result code {code}")
        self.code = code
        self.detail = detail
        self.http_status = CODES[code][0] if http_status is None else http_status
        super().__init__(self.description)

    @property
    def description(self) -> str:
        """The ``resultdesc`` text."""
        base = CODES[self.code][1]
        if not self.detail:
            return base
        return base + self.detail if self.code == 1010002 else f"{base} {self.detail}"

    def body(self, **extra: object) -> bytes:
        """The JSON answer: ``resultcode`` as a string, ``resultdesc``, then ``extra`` fields."""
        doc: dict[str, object] = {"resultcode": str(self.code), "resultdesc": self.description}
        doc.update(extra)
        return json_bytes(doc)


def json_bytes(doc: object) -> bytes:
    """``doc`` as UTF-8 JSON; a string echoing undecodable input (a lone surrogate) is escaped, not a crash."""
    try:
        return json.dumps(doc, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(doc).encode()


def success_body(session_id: str, idle_port: int | None = None) -> bytes:
    """The answer to an accepted call request: result code 0, its ``sessionId`` (and ``idlePort`` when asked).

    Built by hand, this is the hot path; session ids are ASCII we made ourselves: nothing in them
    needs JSON escaping.
    """
    idle = "" if idle_port is None else f',"idlePort":{idle_port}'
    return f'{{"resultcode":"0","resultdesc":"Success","sessionId":"{session_id}"{idle}}}'.encode()


def invalid(detail: str) -> PlatformError:
    """1010002, the platform's answer to a bad body, naming the offending item."""
    return PlatformError(1010002, detail)
