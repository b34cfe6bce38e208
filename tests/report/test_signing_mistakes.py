"""Every diagnosable signing mistake, made by hand (hashlib/hmac) and sent over real HTTP to a live simulator:
the wire answer stays the platform's; the report names that mistake and only it; the journal and the log keep it."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from typing import Any, Callable

import aiohttp
import pytest

from simulator.auth import AUTHORIZATION
from simulator.client import VERIFY_PATH

Headers = dict[str, str]


def _hmac(key: str | bytes, msg: str | bytes) -> bytes:
    k = key.encode() if isinstance(key, str) else key
    m = msg.encode() if isinstance(msg, str) else msg
    return hmac.new(k, m, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _utc(offset: float = 0.0, fmt: str = "%Y-%m-%dT%H:%M:%SZ") -> str:
    return time.strftime(fmt, time.gmtime(time.time() + offset))


def _x_aksk(key: str, digest: str, nonce: str, created: str) -> str:
    return f'UsernameToken Username="{key}",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}"'


def _headers(key: str, digest: str, nonce: str, created: str, auth: str = AUTHORIZATION) -> Headers:
    return {"Authorization": auth, "X-AKSK": _x_aksk(key, digest, nonce, created),
            "Content-Type": "application/json;charset=UTF-8"}


def _nonce_whose_digest_has(secret: str, created: str, chars: str) -> str:
    """A nonce whose right digest contains one of ``chars``, so an encoding mistake changes the text."""
    while True:
        nonce = uuid.uuid4().hex
        if any(c in _b64(_hmac(secret, nonce + created)) for c in chars):
            return nonce


def _digest_made(make: Callable[[str, str, str, str], str]) -> Callable[[str, str], Headers]:
    """Headers whose PasswordDigest is ``make(key, secret, nonce, created)`` over a fresh nonce, now in UTC."""
    def build(key: str, secret: str) -> Headers:
        nonce, created = uuid.uuid4().hex, _utc()
        return _headers(key, make(key, secret, nonce, created), nonce, created)
    return build


def _right(key: str, secret: str, nonce: str | None = None, created: str | None = None, **kw: Any) -> Headers:
    nonce, created = nonce or uuid.uuid4().hex, created or _utc()
    return _headers(key, _b64(_hmac(secret, nonce + created)), nonce, created, **kw)


def _urlsafe(key: str, secret: str) -> Headers:
    created = _utc()
    nonce = _nonce_whose_digest_has(secret, created, "+/")
    return _headers(key, base64.urlsafe_b64encode(_hmac(secret, nonce + created)).decode(), nonce, created)


def _edit(header: str, old: str, new: str) -> Callable[[str, str], Headers]:
    def build(key: str, secret: str) -> Headers:
        h = _right(key, secret)
        assert old in h[header]
        h[header] = h[header].replace(old, new)
        return h
    return build


def _drop(*names: str, add: Headers | None = None) -> Callable[[str, str], Headers]:
    def build(key: str, secret: str) -> Headers:
        h = _right(key, secret)
        for name in names:
            del h[name]
        h.update(add or {})
        return h
    return build


# mistake -> (headers the SP sends, HTTP status and resultcode the platform answers)
CASES: dict[str, tuple[Callable[[str, str], Headers], int, str]] = {
    "hex_digest": (_digest_made(lambda k, s, n, c: _hmac(s, n + c).hex()), 401, "1010010"),
    "base64_of_hex": (_digest_made(lambda k, s, n, c: _b64(_hmac(s, n + c).hex().encode())), 401, "1010010"),
    "base64url_digest": (_urlsafe, 401, "1010010"),
    "unpadded_base64": (_digest_made(lambda k, s, n, c: _b64(_hmac(s, n + c)).rstrip("=")), 401, "1010010"),
    "swapped_key_message": (_digest_made(lambda k, s, n, c: _b64(_hmac(n + c, s))), 401, "1010010"),
    "app_key_as_secret": (_digest_made(lambda k, s, n, c: _b64(_hmac(k, n + c))), 401, "1010010"),
    "old_sha256": (_digest_made(lambda k, s, n, c: _b64(hashlib.sha256((n + c + s).encode()).digest())),
                   401, "1010010"),
    "created_nonce_order": (_digest_made(lambda k, s, n, c: _b64(_hmac(s, c + n))), 401, "1010010"),
    "secret_newline": (_digest_made(lambda k, s, n, c: _b64(_hmac(s + "\n", n + c))), 401, "1010010"),
    "swapped_key_message+hex_digest": (_digest_made(lambda k, s, n, c: _hmac(n + c, s).hex()), 401, "1010010"),
    "wrong_secret": (_digest_made(lambda k, s, n, c: _b64(_hmac("someOtherSecret", n + c))), 401, "1010010"),
    # New York local time stamped with a Z: 5 hours behind UTC, signed as sent
    "created_timezone": (lambda k, s: _right(k, s, created=_utc(-5 * 3600)), 401, "1010013"),
    "clock_skew": (lambda k, s: _right(k, s, created=_utc(-1000)), 401, "1010013"),
    "created_format": (lambda k, s: _right(k, s, created=_utc(0, "%Y-%m-%dT%H:%M:%S.123Z")), 401, "1010013"),
    "unknown_app_key": (lambda k, s: _right("nobodysAppKey", s), 403, "1010003"),
    "key_secret_swapped": (lambda k, s: _right(s, k), 403, "1010003"),
    "app_key_whitespace": (lambda k, s: _right(f" {k} ", s), 403, "1010003"),
    "nonce_format": (lambda k, s: _right(k, s, nonce=str(uuid.uuid4())), 400, "1023035"),
    "header_unquoted": (lambda k, s: _right(k, s, auth="AKSK realm=SDP,profile=UsernameToken,type=Appkey"),
                        400, "1023007"),
    "header_separator": (lambda k, s: _right(k, s, auth='AKSK realm="SDP";profile="UsernameToken";type="Appkey"'),
                         400, "1023007"),
    "header_value": (lambda k, s: _right(k, s, auth='AKSK realm="SDP",profile="UsernameToken",type="AppKey"'),
                     400, "1023011"),
    "header_scheme": (_edit("X-AKSK", "UsernameToken ", ""), 400, "1023034"),
    "header_attribute": (_edit("X-AKSK", "Username=", "UserName="), 400, "1023034"),
    "header_missing": (_drop("X-AKSK"), 400, "1023033"),
    "legacy_wsse": (_drop("Authorization", "X-AKSK", add={"X-WSSE": 'UsernameToken Username="k"'}), 400, "1023006"),
}


async def _report(sim: Any) -> dict[str, Any]:
    reply = await sim.control_api.request("GET", "report")
    assert reply.status == 200, reply.body
    return reply.body


async def _post(sim: Any, headers: Headers) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session:
        async with session.post(sim.base_url + VERIFY_PATH, data=json.dumps(sim.verify_request()).encode(),
                                headers=headers) as resp:
            return resp.status, await resp.json(content_type=None)


@pytest.mark.parametrize("mistake", list(CASES))
async def test_the_report_names_the_signing_mistake_and_only_it(sim, caplog, mistake):
    make, status, code = CASES[mistake]
    key, secret = sim.app_key, sim.app_secret
    caplog.set_level(logging.WARNING, logger="simulator.auth")

    got_status, answer = await _post(sim, make(key, secret))

    # the wire answer is the platform's, and says nothing of the diagnosis
    assert (got_status, answer["resultcode"]) == (status, code)
    assert set(answer) == {"resultcode", "resultdesc"}
    assert mistake.split("+")[0] not in json.dumps(answer)
    report = await _report(sim)
    assert [(f["id"], f["count"], f["severity"]) for f in report["findings"]] == [(f"signature.{mistake}", 1,
                                                                                    "error")]
    finding = report["findings"][0]
    assert finding["spec"] == "§2 Authentication" and finding["fix"] and finding["example"]
    assert secret not in json.dumps(report)  # also when the SP sent it as its app key
    [entry] = await sim.control_api.requests()
    assert entry["diagnosis"]["mistake"] == mistake
    lines = [r.getMessage() for r in caplog.records if r.name == "simulator.auth"]
    assert len(lines) == 1 and mistake in lines[0] and code in lines[0]


async def test_a_reused_nonce_is_named_once_the_first_use_was_accepted(sim):
    headers = _right(sim.app_key, sim.app_secret)
    assert (await _post(sim, headers))[0] == 200
    status, answer = await _post(sim, headers)
    assert (status, answer["resultcode"]) == (401, "1010010")
    report = await _report(sim)
    assert [(f["id"], f["count"]) for f in report["findings"]] == [("signature.reused_nonce", 1)]


async def test_repeats_of_one_mistake_are_one_finding_counted(sim):
    build = CASES["hex_digest"][0]
    for _ in range(3):
        assert (await _post(sim, build(sim.app_key, sim.app_secret)))[0] == 401
    [finding] = (await _report(sim))["findings"]
    assert (finding["id"], finding["count"]) == ("signature.hex_digest", 3)
    assert "hex" in finding["title"] and "PasswordDigest" in finding["example"]


async def test_a_right_signature_makes_no_finding(sim):
    status, _ = await _post(sim, _right(sim.app_key, sim.app_secret))
    assert status == 200
    assert (await _report(sim))["findings"] == []


async def test_header_bytes_that_are_not_utf8_are_diagnosed_and_shown(sim):
    reader, writer = await asyncio.open_connection("127.0.0.1", int(sim.base_url.rsplit(":", 1)[1]))
    writer.write(b"POST " + VERIFY_PATH.encode() + b" HTTP/1.1\r\nHost: sp\r\nContent-Type: application/json\r\n"
                 b"Authorization: " + AUTHORIZATION.encode() + b"\r\n"
                 b'X-AKSK: UsernameToken Username="\xff\xfekey",PasswordDigest="a",Nonce="abc",Created="x"\r\n'
                 b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 403") and answer.endswith(b'{"resultcode": "1010003", "resultdesc": '
                                                                  b'"Invalid app_key."}')
    [entry] = await sim.control_api.requests()
    assert entry["diagnosis"]["mistake"] == "unknown_app_key"
    assert [f["id"] for f in (await _report(sim))["findings"]] == ["signature.unknown_app_key"]
