"""Push URLs and text: refused when given if they could never be sent, signed or stored."""
from __future__ import annotations

import math

import pytest

from simulator.inputs import InputError, app_key, finite, push_url, storable


@pytest.mark.parametrize("url,words", [
    ("http://[::1/status", "does not parse as a URL"),
    ("http://[zz]/x", "does not parse as a URL"),
    ("http://h:99999/x", "does not parse as a URL"),
    ("http://h:0/x", "port 0, out of range"),
    ("http://\udcff/x", "does not parse as a URL"),
    ("http://exa mple/x", "spaces or control characters"),
    ("http://h/x\r\nX-Injected: 1", "spaces or control characters"),
    ("ftp://h/x", "not an http or https URL"),
    ("http:///x", "not an http or https URL with a host"),
    ("http://h/" + "x" * 3000, "longer than"),
])
def test_unsendable_urls(url, words):
    with pytest.raises(InputError, match=words):
        push_url(url)


def test_sendable_urls():
    for url in ("http://127.0.0.1:9000/status", "https://[::1]:8443/fee?x=1", "http://exämple.com/s"):
        assert push_url(url) == url


def test_text_that_cannot_be_kept_or_sent():
    with pytest.raises(InputError, match="NUL"):
        storable("a\0b")
    with pytest.raises(InputError, match="surrogate"):
        storable("a\ud800")
    for bad in ('a"b', "a,b", "a b", "", "k" * 129, "ключ"):
        with pytest.raises(InputError):
            app_key(bad)
    assert app_key("voicesimDemoAppKey0000000001") == "voicesimDemoAppKey0000000001"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308, -1, True, "1"])
def test_numbers_must_be_finite_and_in_range(value):
    with pytest.raises(InputError):
        finite(value, 0, 100)
