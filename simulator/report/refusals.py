"""Refused platform requests as findings: signature mistakes, field errors, and how the SP uses the API.

Pure: journal entries in, occurrences added to ``Groups``. Every refused request
counts once, under the most specific problem it shows.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Sequence

from ..api import paths
from ..errors import CODES
from ..journal import EventEntry, RequestEntry
from .catalog import API_SECTIONS, AUTH, ENDPOINTS, FIELD_RULES, RULES, UNDIAGNOSED, signature_words
from .groups import Groups, Words, text_of, trim
from .model import ERROR, WARNING

AUTH_CODES = frozenset(str(c) for c in [1010003, 1010010, 1010013, *range(1023006, 1023013),
                                         *range(1023033, 1023038)])
# Refusals of the platform's own making: a request refused so is owed a retry.
RETRY_CODES = frozenset({"1010001", "1020002", "1023001", "1020154"})
CODES_SECTION = "§2 result codes"
_FIELD = re.compile(r"(?P<field>playInfoList\[\d+\]\.\w+|[A-Za-z][\w-]*)\s+(?P<rule>.+)", re.S)
_MEDIA = re.compile(r"(?P<name>.+) does not exist", re.S)
_RECORDING = re.compile(r".+ (?:does not exist|has expired.*)", re.S)
_RECORD_FILES = paths.RECORD_FILE.split("{", 1)[0]  # the download addresses the recording API hands out
_RULE_WORDS = (  # first match wins
    ("is required", "missing"),
    ("must be a string", "type"), ("must be an integer", "type"), ("must be a list", "type"),
    ("must be an object", "type"), ("must be a JSON object", "type"),
    ("global format", "global_format"), ("leading 0", "global_format"),
    ("Base64", "base64_url"), ("http or https URL", "base64_url"),
    ("digits 0-9", "digits"), ('"true" or "false"', "flag"), ("must be one of", "choice"),
    ("characters long", "length"), ("between", "length"), ("must not exceed", "length"), ("items", "length"),
)


def add_request_findings(requests: Sequence[RequestEntry], events: Sequence[EventEntry], groups: Groups) -> None:
    """Add every refused request of ``requests`` (the call events tell which stopped calls had ended)."""
    ended: dict[str, float] = {}
    for e in events:
        if e.event == "disconnect":
            ended.setdefault(e.session_id, e.at)
    ordered = sorted(requests, key=lambda r: r.seq)
    last_seen = _last_seen(ordered)
    for r in ordered:
        if r.status < 400:
            continue
        code = r.resultcode
        if code in AUTH_CODES:
            _signature(r, groups)
        elif code in ("1010002", "1010023"):
            _field(r, groups)
        elif code == "1020152" and r.path == paths.STOP:
            _stop(r, ended, groups)
        elif code in RETRY_CODES:
            if last_seen[_identity(r)] == r.seq:  # nothing identical was sent after it
                _not_retried(r, groups)
        else:
            _other(r, groups)


# -- signature ----------------------------------------------------------------------------
def _signature(r: RequestEntry, groups: Groups) -> None:
    d = r.diagnosis
    mistake = d.mistake if d is not None else "undiagnosed"

    def words() -> Words:
        title, fix = signature_words(mistake) if d is not None else UNDIAGNOSED
        extra = f"diagnosis: {d.detail}\n{d.evidence}" if d is not None else ""
        return Words(ERROR, "signature", title, AUTH, fix, example(r, extra, body=False))

    groups.add(f"signature.{mistake}", r.path, r.at, words)


# -- fields -------------------------------------------------------------------------------
def _field(r: RequestEntry, groups: Groups) -> None:
    where = paths.RECORD_FILE if r.path.startswith(_RECORD_FILES) else r.path  # one group for every file
    if r.resultcode == "1010023":
        field, rule = "displayNbr", "not_owned"
    else:
        desc = _desc(r.answer)
        field, rule = field_problem(r.path, desc, None)
        if rule in ("base64_url", "not_approved"):  # only these look at the body: read it only for them
            field, rule = field_problem(r.path, desc, _body(r))
    section = API_SECTIONS.get(paths.RECORD if where == paths.RECORD_FILE else r.path, ENDPOINTS)

    def words() -> Words:
        what, fix = FIELD_RULES[rule]
        spec = f"{section}; {RULES}" if rule in ("global_format", "not_approved", "not_owned") else section
        return Words(ERROR, "fields", f"{field}: {what}", spec, fix, example(r))

    groups.add(f"field.{field}.{rule}", where, r.at, words)


def field_problem(path: str, desc: str, body: dict[str, Any] | None) -> tuple[str, str]:
    """The field and the kind of rule a 1010002 answer's ``resultdesc`` names (``statusUrl``, ``base64_url``)."""
    rest = desc.removeprefix("Invalid request.")
    if (path == paths.RECORD or path.startswith(_RECORD_FILES)) and _RECORDING.fullmatch(rest):
        return "fileName", "no_recording"
    media = _MEDIA.fullmatch(rest)
    if media:
        return _field_holding(body, media.group("name")), "not_approved"
    m = _FIELD.fullmatch(rest)
    if m is None:
        return "body", "rule"
    field = re.sub(r"\[\d+\]", "[]", m.group("field"))
    if field in ("body", "Content-Type"):
        return field, "body"
    rule = next((kind for words, kind in _RULE_WORDS if words in m.group("rule")), "rule")
    value = body.get(field) if body is not None else None
    if rule == "base64_url" and isinstance(value, str) and value.lower().startswith(("http://", "https://")):
        rule = "plain_url"
    return field, rule


def _field_holding(body: dict[str, Any] | None, name: str) -> str:
    """Which field of ``body`` named the missing media ``name``."""
    if body is None:
        return "media"
    for key, value in body.items():
        if value == name:
            return key
    plays = body.get("playInfoList")
    for item in plays if isinstance(plays, list) else ():
        if isinstance(item, dict):
            for key, value in item.items():
                if value == name:
                    return f"playInfoList[].{key}"
    return "media"


# -- use of the API -----------------------------------------------------------------------------
def _stop(r: RequestEntry, ended: dict[str, float], groups: Groups) -> None:
    body = _body(r) or {}
    sid = body.get("sessionid")
    end = ended.get(sid) if isinstance(sid, str) else None
    if end is not None and end <= r.at:
        groups.add("api.stop_after_end", r.path, r.at, lambda: Words(
            WARNING, "api", "callStop of calls that had already ended", API_SECTIONS[paths.STOP],
            "Stop only live calls: once the disconnect event arrived, the call is over and needs no callStop "
            "(treat 1020152 after a disconnect as done).", example(r)))
    else:
        groups.add("api.stop_unknown", r.path, r.at, lambda: Words(
            WARNING, "api", "callStop of a session id the platform does not know", API_SECTIONS[paths.STOP],
            "Send the sessionId the call's request was answered with, in the lowercase field sessionid.",
            example(r)))


def _not_retried(r: RequestEntry, groups: Groups) -> None:
    code = r.resultcode
    what = "during a platform outage" if code == "1010001" else f"with {code} {CODES[int(code)][1]}"
    groups.add(f"api.not_retried.{code}", r.path, r.at, lambda: Words(
        ERROR, "api", f"Requests refused {what} and never sent again", CODES_SECTION,
        "Retry a 5xx refusal with backoff (fresh nonce each time): the call was never placed, the user got "
        "nothing.", example(r)))


_USE: dict[str, tuple[str, str, str, str]] = {  # code -> (id, title, spec, fix)
    "1020165": ("api.quota", "The app's quota of concurrent calls was reached", "§3 ports (1020165)",
                "Keep concurrent calls under the app's quota (usually 10; ask to raise it), queue the rest, "
                "and retry after calls end."),
    "1010009": ("api.rate_limit", "Flow control: no more API calls allowed for now", CODES_SECTION + " (1010009)",
                "Spread requests out and retry with backoff."),
    "1010006": ("api.unknown_path", "Requests to a path or with a method the platform does not serve", ENDPOINTS,
                "POST to the API's exact path (GET for the recording address)."),
}


def _other(r: RequestEntry, groups: Groups) -> None:
    code = r.resultcode
    known = _USE.get(code)
    if known is not None:
        id, title, spec, fix = known
        severity = ERROR if code == "1010006" else WARNING
    else:
        id, spec = f"api.refused.{code}", CODES_SECTION
        title = f"Requests refused with {code} {_desc(r.answer)}".rstrip()
        fix = "Correct the request (see the result code's meaning) before sending it again."
        severity = WARNING if r.status >= 500 else ERROR
    groups.add(id, r.path, r.at, lambda: Words(severity, "api", title, spec, fix, example(r)))


# -- reading entries ----------------------------------------------------------------------------
def example(r: RequestEntry, extra: str = "", body: bool = True) -> str:
    """One request as a report shows it: the answer, then ``extra``, then the body (trimmed)."""
    lines = [f"{r.method} {r.path} -> HTTP {r.status} {r.resultcode} {_desc(r.answer)}".rstrip()]
    if extra:
        lines.append(extra)
    if body and r.body:
        lines.append(trim(text_of(r.body)))
    return "\n".join(lines)


def _desc(answer: bytes | bytearray | None) -> str:
    return _resultdesc(bytes(answer)) if answer else ""


@lru_cache(maxsize=4096)  # refusals of one problem carry the very same answer
def _resultdesc(answer: bytes) -> str:
    doc = _json(answer)
    desc = doc.get("resultdesc") if isinstance(doc, dict) else None
    return desc if isinstance(desc, str) else ""


def _body(r: RequestEntry) -> dict[str, Any] | None:
    doc = _json(r.body)
    return doc if isinstance(doc, dict) else None


def _json(raw: bytes | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _last_seen(ordered: Sequence[RequestEntry]) -> dict[tuple[str, str, bytes], int]:
    """The newest seq of each request refused for a retry's sake, or of an identical one sent after it."""
    wanted = {_identity(r) for r in ordered if r.resultcode in RETRY_CODES}  # few: most runs have none
    if not wanted:
        return {}
    paths = {path for _, path, _ in wanted}
    return {identity: r.seq for r in ordered if r.path in paths and (identity := _identity(r)) in wanted}


def _identity(r: RequestEntry) -> tuple[str, str, bytes]:
    # A retry sends the same body to the same path, with fresh signing headers.
    return r.method, r.path, bytes(r.body) if r.body is not None else b""
