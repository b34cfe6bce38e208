"""Differential: for the same bytes, the front (lean path + hand-off) must send what aiohttp alone sends (but the
Date), in the same order, and close the connection when aiohttp does. One write each; heads of every odd shape."""
from __future__ import annotations

import json

import pytest

from simulator.api import paths
from tests.front.differ import show, statuses, transcript
from tests.front.wire import CLICK, HEALTH, STOP, TWO_NUMBERS, VERIFY, port_of, signature

_STOP = json.dumps(STOP).encode()


def req(*, method: str = "POST", target: str = paths.STOP, version: str = "HTTP/1.1", host: str | None = "127.0.0.1",
        head: str = "", body: bytes = _STOP, length: str | None = None, signed: bool = True,
        ctype: str = "application/json") -> bytes:
    """A request's bytes; ``length`` the Content-Length value as sent (None: the body's length; "": none)."""
    lines = f"{method} {target} {version}\r\n"
    if host is not None:
        lines += f"Host: {host}\r\n"
    lines += f"Content-Type: {ctype}\r\n" + (signature() if signed else "") + head
    cl = str(len(body)) if length is None else length
    if cl != "":
        lines += f"Content-Length: {cl}\r\n"
    return lines.encode("latin-1") + b"\r\n" + body


def raw(head: bytes, body: bytes = _STOP) -> bytes:
    """A POST to callStop whose header block is ``head`` (bytes, after the request line and Host)."""
    sig = signature().encode()
    return (f"POST {paths.STOP} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n".encode() + sig
            + head + b"Content-Length: %d\r\n\r\n" % len(body) + body)


NEXT = req(signed=False)  # a plain lean request after the case: is the connection still served, and how

CASES = {
    # the lean path's own
    "baseline": lambda: req(),
    "unsigned": lambda: req(signed=False),
    "content-length 0": lambda: req(body=b""),
    "content-length 0, no content-type": lambda: req(body=b"", ctype="x").replace(b"Content-Type: x\r\n", b""),
    "content-length leading zeros": lambda: req(length=f"000{len(_STOP)}"),
    "content-length plus": lambda: req(length=f"+{len(_STOP)}"),
    "content-length minus zero": lambda: req(body=b"", length="-0"),
    "content-length spaces before": lambda: req(length=f"   {len(_STOP)}"),
    "content-length tab before": lambda: req(length=f"\t{len(_STOP)}"),
    "content-length space after": lambda: req(length=f"{len(_STOP)} "),
    "content-length inner space": lambda: req(length=f"{len(_STOP)} 0"),
    "content-length huge": lambda: req(length="9" * 30),
    "content-length 13 digits": lambda: req(length="0" * 11 + str(len(_STOP))),
    "content-length hex": lambda: req(body=b"", length="0x0"),
    "content-length unicode digit": lambda: raw(b"", b"").replace(b"Length: 0", "Length: \u0660".encode()),
    "duplicate content-length same": lambda: req(head=f"Content-Length: {len(_STOP)}\r\n"),
    "duplicate content-length different": lambda: req(head="Content-Length: 3\r\n"),
    "content-length list": lambda: req(length=f"{len(_STOP)}, {len(_STOP)}"),
    "cl + te chunked": lambda: req(head="Transfer-Encoding: chunked\r\n", body=b"0\r\n\r\n"),
    "te identity": lambda: req(head="Transfer-Encoding: identity\r\n"),
    "Transfer_Encoding underscore": lambda: req(head="Transfer_Encoding: chunked\r\n"),
    "odd token header name": lambda: req(head="X!#$%&'*+-.^_`|~9: v\r\n"),
    "header name with quote": lambda: req(head='X"Y: v\r\n'),
    "header name with slash": lambda: req(head="X/Y: v\r\n"),
    "header name with @": lambda: req(head="X@Y: v\r\n"),
    "space before colon": lambda: req(head="X-A : v\r\n"),
    "obs-fold": lambda: req(head="X-A: a\r\n b\r\n"),
    "obs-fold tab": lambda: req(head="X-A: a\r\n\tb\r\n"),
    "empty value": lambda: req(head="X-Empty:\r\n"),
    "empty value with space": lambda: req(head="X-Empty: \r\n"),
    "no space after colon": lambda: req(head="X-A:v\r\n"),
    "tab in value": lambda: req(head="X-A: a\tb\r\n"),
    "DEL in value": lambda: raw(b"X-A: a\x7fb\r\n"),
    "NUL in value": lambda: raw(b"X-A: a\x00b\r\n"),
    "obs-text in value": lambda: raw(b"X-A: caf\xe9\r\n"),
    "utf-8 in value": lambda: raw("X-A: café\r\n".encode()),
    "bare CR in value": lambda: raw(b"X-A: a\rb\r\n"),
    "bare LF line": lambda: raw(b"X-A: a\n"),
    "65 headers": lambda: req(head="".join(f"X-{i}: v\r\n" for i in range(62))),
    "130 headers": lambda: req(head="".join(f"X-{i}: v\r\n" for i in range(127))),
    "Proxy-Connection close": lambda: req(head="Proxy-Connection: close\r\n"),
    "Proxy-Connection keep-alive": lambda: req(head="Proxy-Connection: keep-alive\r\n"),
    "Connection close": lambda: req(head="Connection: close\r\n"),
    "Connection Keep-Alive": lambda: req(head="Connection: Keep-Alive\r\n"),
    "Connection KEEP-ALIVE": lambda: req(head="Connection: KEEP-ALIVE\r\n"),
    "Connection keep-alive, Upgrade": lambda: req(head="Connection: keep-alive, Upgrade\r\n"),
    "Connection keep-alive, Upgrade + Upgrade": lambda: req(head="Connection: keep-alive, Upgrade\r\n"
                                                                   "Upgrade: websocket\r\n"),
    "Upgrade without Connection": lambda: req(head="Upgrade: websocket\r\n"),
    "Keep-Alive header": lambda: req(head="Keep-Alive: timeout=5\r\n"),
    "Connection empty": lambda: req(head="Connection:\r\n"),
    "Expect 100-continue": lambda: req(head="Expect: 100-continue\r\n"),
    "Expect other": lambda: req(head="Expect: something\r\n"),
    "Content-Encoding identity": lambda: req(head="Content-Encoding: identity\r\n"),
    "Sec-WebSocket-Key1": lambda: req(head="Sec-WebSocket-Key1: x\r\n"),
    "TE trailers": lambda: req(head="TE: trailers\r\n"),
    # Host
    "no Host": lambda: req(host=None),
    "empty Host": lambda: req(host=""),
    "Host with spaces": lambda: req(host="a b"),
    "Host ipv6": lambda: req(host="[::1]:8080"),
    "Host bad port": lambda: req(host="h:99999"),
    "Host userinfo": lambda: req(host="user@h"),
    "two Hosts same": lambda: req(head="Host: 127.0.0.1\r\n"),
    # request line
    "absolute-form": lambda: req(target=f"http://127.0.0.1{paths.STOP}"),
    "asterisk-form POST": lambda: req(target="*"),
    "asterisk-form OPTIONS": lambda: req(method="OPTIONS", target="*", body=b"", length=""),
    "percent-encoded path": lambda: req(target=paths.STOP.replace("Stop", "St%6Fp")),
    "percent-encoded slash": lambda: req(target=paths.STOP.replace("/v2.0", "%2Fv2.0")),
    "bad percent": lambda: req(target=paths.STOP + "%zz"),
    "double slash": lambda: req(target="/" + paths.STOP),
    "dot segment": lambda: req(target="/rest/./httpsessions/callStop/v2.0"),
    "dot-dot segment": lambda: req(target="/rest/x/../httpsessions/callStop/v2.0"),
    "trailing slash": lambda: req(target=paths.STOP + "/"),
    "query": lambda: req(target=paths.STOP + "?a=b&c"),
    "empty query": lambda: req(target=paths.STOP + "?"),
    "fragment": lambda: req(target=paths.STOP + "#frag"),
    "query and fragment": lambda: req(target=paths.STOP + "?a#b"),
    "two fragments": lambda: req(target=paths.STOP + "?a#b#c"),
    "question mark in fragment": lambda: req(target=paths.STOP + "#b?c"),
    "odd chars in query": lambda: req(target=paths.STOP + '?a="<{|}>\\^`'),
    "odd chars in path": lambda: req(target=paths.STOP + '"<>'),
    "non-ascii in target": lambda: req(target=paths.STOP + "?é"),
    "lowercase post": lambda: req(method="post"),
    "PUT": lambda: req(method="PUT"),
    "GET with body": lambda: req(method="GET"),
    "double space in line": lambda: req(target=" " + paths.STOP),
    "HTTP/1.0": lambda: req(version="HTTP/1.0"),
    "HTTP/1.0 keep-alive": lambda: req(version="HTTP/1.0", head="Connection: keep-alive\r\n"),
    "HTTP/2.0": lambda: req(version="HTTP/2.0"),
    "HTTP/1.2": lambda: req(version="HTTP/1.2"),
    "HTTP/0.9": lambda: req(version="HTTP/0.9"),
    "http/1.1 lowercase": lambda: req(version="http/1.1"),
    "leading CRLF": lambda: b"\r\n" + req(),
    "leading CRLFs": lambda: b"\r\n\r\n" + req(),
    "CRLF between requests": lambda: req() + b"\r\n",
    "click2Call Host odd": lambda: req(target=paths.CALLBACK, host="h:x", body=json.dumps(CLICK).encode()),
    "click2Call Host ipv6": lambda: req(target=paths.CALLBACK, host="[::1]", body=json.dumps(CLICK).encode()),
    "verify": lambda: req(target=paths.VERIFY, body=json.dumps(VERIFY).encode()),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_one_request_then_a_lean_one_same_as_aiohttp(make_sim, plain, name):
    """Each case's answer, whether the connection then serves a lean request, and whether and when it closes."""
    sim, other = await make_sim(**TWO_NUMBERS), await plain(**TWO_NUMBERS)
    data = CASES[name]()
    ref = await transcript(other.port, [data, NEXT])
    got = await transcript(port_of(sim), [data, NEXT])
    assert got == ref, show(got, ref)


PARTIAL_HEADS = {  # never completed: aiohttp can judge some at once
    "space in a header name": f"POST {paths.STOP} HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n",
    "control char in a value": f"POST {paths.STOP} HTTP/1.1\r\nHost: h\r\nX-A: a\x01b\r\n",
    "colon-less header line": f"POST {paths.STOP} HTTP/1.1\r\nHost: h\r\nnocolon\r\n",
    "obs-fold": f"POST {paths.STOP} HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n",
    "HTTP/1.0 line": f"POST {paths.STOP} HTTP/1.0\r\nHost: h\r\n",
    "GET line": "GET /_sim/health HTTP/1.1\r\nHost: h\r\n",
    "duplicate content-length": f"POST {paths.STOP} HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
}


@pytest.mark.parametrize("name", list(PARTIAL_HEADS))
async def test_a_head_never_completed_gets_what_aiohttp_says(make_sim, plain, name):
    sim, other = await make_sim(), await plain()
    data = PARTIAL_HEADS[name].encode("latin-1")
    ref = await transcript(other.port, [data], quiet=1.0)
    got = await transcript(port_of(sim), [data], quiet=1.0)
    assert got == ref, show(got, ref)


PIPELINES = {
    "lean lean": lambda: req() + req(signed=False),
    "lean GET lean": lambda: req() + HEALTH + req(),
    "lean chunked lean": lambda: req() + req(length="", head="Transfer-Encoding: chunked\r\n",
                                             body=b"%x\r\n" % len(_STOP) + _STOP + b"\r\n0\r\n\r\n") + req(),
    "lean 413 lean": lambda: req() + req(body=b"{" + b" " * 2000 + b"}") + req(),
}


@pytest.mark.parametrize("name", list(PIPELINES))
async def test_pipelines_same_as_aiohttp(make_sim, plain, name):
    sim, other = await make_sim(max_body=1024), await plain(max_body=1024)
    data = PIPELINES[name]()
    ref = await transcript(other.port, [data])
    got = await transcript(port_of(sim), [data])
    assert got == ref, show(got, ref)


def _split(data: bytes, at: int) -> list[bytes]:
    return [data[:at], data[at:]]


ONE_READ = {  # a whole request, then bytes aiohttp cannot read, all in one read: (the bytes, where the request ends)
    "content-length too short": lambda: (lambda d: _split(d, len(d) - 1))(req(length=str(len(_STOP) - 1))),
    "body longer than content-length": lambda: (lambda d: _split(d, len(d) - 3))(req(length=str(len(_STOP) - 3))),
    "lean garbage": lambda: [req(), b"\x00\x01garbage\r\n\r\n" + req()],
    "lean HTTP/1.0 lean": lambda: [req(), req(version="HTTP/1.0") + req()],
    "lean Connection close lean": lambda: [req(), req(head="Connection: close\r\n") + req()],
}


@pytest.mark.parametrize("name", list(ONE_READ))
async def test_requests_ahead_of_unreadable_bytes_in_one_read_are_answered_first(make_sim, plain, name):
    """Where the front differs on purpose (docs/fidelity.md): aiohttp alone parses a whole read before answering,
    so a request ahead of bytes it cannot read in the same read is dropped unanswered; the front answers it, as
    aiohttp itself does when the two arrive in separate reads (and as a server reading in order would)."""
    sim, other = await make_sim(), await plain()
    parts = ONE_READ[name]()
    ref = await transcript(other.port, parts)  # separate reads
    got = await transcript(port_of(sim), [b"".join(parts)])  # one read
    assert got == ref, show(got, ref)
    # the request's answer (HTTP/1.1), then aiohttp's refusal of what follows (HTTP/1.0 400)
    assert statuses(got)[0] in (400, 403) and got.sent.count(b"HTTP/1.0 400 Bad Request\r\n") == 1, got
