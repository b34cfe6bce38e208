"""Authentication as the platform does it: the digest, and every refusal with its exact code."""
from __future__ import annotations

import base64
import hmac
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.auth import (
    AUTHORIZATION,
    MAX_ATTRS,
    Verifier,
    created_now,
    digest,
    parse_attrs,
    parse_created,
    request_headers,
)
from simulator.errors import PlatformError

SECRET = "testSecret123"
NONCE = "66C92B11FF8A425FB8D4CCFE0ED9ED1F"
CREATED = "2018-02-12T15:30:20Z"


def test_digest_matches_the_specs_test_vector():
    assert digest(SECRET, NONCE, CREATED) == "8J59bTQ86/CtMxzXB7kTE+1YrrGuIwYQu+DkbYIaafM="


def test_attributes_parse_with_or_without_space_after_commas():
    assert parse_attrs('a="1",b="2"') == {"a": "1", "b": "2"}
    assert parse_attrs('a="1", b="2"') == {"a": "1", "b": "2"}


def test_attribute_parsing_on_long_and_hostile_text():
    # commas inside quotes stay in the value; junk items are skipped; the last of a name wins
    assert parse_attrs('a="x,y", junk, b = "2" ,a="3"') == {"a": "3", "b": "2"}
    assert parse_attrs('a="1"b="2",c="3"') == {"c": "3"}  # no comma between: not an item of ours
    assert parse_attrs('a="unterminated, b="2"') == {}
    for hostile in ("a" * 8192, "," * 8192, '"' * 8192, 'a="' * 2730, "a=" * 4096, " " * 8190 + "x",
                    'a="1",' * 1365, "\u00e9" * 4096, '=""' * 2730):
        assert parse_attrs(hostile) in ({}, {"a": "1"})
    many = ",".join(f'k{chr(97 + i % 26)}="{i}"' for i in range(1000))
    assert len(parse_attrs(many)) == MAX_ATTRS  # read up to the limit, the rest ignored


@pytest.mark.parametrize("header,code", [
    ("UsernameToken " + "a" * 8192, 1023034),
    ('UsernameToken Username="k",' * 300, 1023035),
    ('UsernameToken Username="k", PasswordDigest="' + "d" * 8000 + '", Nonce="n", Created="c"', 1010003),
    ("UsernameToken " + '"' * 8192, 1023034),
])
def test_long_x_aksk_headers_get_the_field_they_lack(header, code):
    with pytest.raises(PlatformError) as err:
        Verifier({"key": "secret"}).verify(AUTHORIZATION, header)
    assert err.value.code == code


def test_created_stamps_take_ascii_digits_only():
    assert parse_created("2026-01-01T00:00:00Z") is not None
    assert parse_created("\u0662\u0660\u0662\u0666-01-01T00:00:00Z") is None  # Arabic-Indic digits


def test_old_wrong_formula_is_refused():
    v = Verifier({"key": SECRET})
    x_aksk = (f'UsernameToken Username="key",PasswordDigest="UVrP6fp9eJkwDQO4tS9TfWSTn7XsLUFanBGe9D9QOtc=",'
              f'Nonce="{NONCE}",Created="{CREATED}"')
    with pytest.raises(PlatformError) as err:
        v.verify(AUTHORIZATION, x_aksk, now=1518449420.0)
    assert err.value.code == 1010010


def test_beijing_time_stamp_with_z_is_accepted():
    v = Verifier({"key": SECRET}, window=300)
    now = time.time()
    headers = request_headers("key", SECRET, created=created_now(now + 8 * 3600))
    assert v.verify(headers["Authorization"], headers["X-AKSK"], now=now) == "key"


async def post(sim, headers, body=None):
    return await sim.client.post("/rest/httpsessions/callVerify/v1.0", body or sim.verify_request(), headers=headers)


def signed(sim, **kw):
    headers = request_headers(kw.pop("key", sim.settings.app_key), kw.pop("secret", sim.settings.app_secret), **kw)
    headers["Content-Type"] = "application/json"
    return headers


AUTH_CASES = [
    ("no Authorization", lambda h: h.pop("Authorization"), 400, "1023006",
     "Authorization not contained in the HTTP header."),
    ("no realm", lambda h: h.update(Authorization='AKSK profile="UsernameToken",type="Appkey"'), 400, "1023007",
     "realm not contained in Authorization."),
    ("no profile", lambda h: h.update(Authorization='AKSK realm="SDP",type="Appkey"'), 400, "1023008",
     "profile not contained in Authorization."),
    ("realm not SDP", lambda h: h.update(Authorization='AKSK realm="X",profile="UsernameToken",type="Appkey"'),
     400, "1023009", "The value of realm in Authorization must be SDP."),
    ("profile wrong", lambda h: h.update(Authorization='AKSK realm="SDP",profile="Token",type="Appkey"'),
     400, "1023010", "The value of profile in Authorization must be UsernameToken."),
    ("type wrong", lambda h: h.update(Authorization='AKSK realm="SDP",profile="UsernameToken",type="AK"'),
     400, "1023011", "The value of type in Authorization must be app_key."),
    ("no type", lambda h: h.update(Authorization='AKSK realm="SDP",profile="UsernameToken"'), 400, "1023012",
     "type not contained in Authorization."),
    ("no X-AKSK", lambda h: h.pop("X-AKSK"), 400, "1023033", "HTTP header not found X-AKSK field."),
    ("no Username", lambda h: h.update({"X-AKSK": h["X-AKSK"].replace("Username=", "User=")}), 400, "1023034",
     "UserName not contained in X-AKSK."),
    ("no Nonce", lambda h: h.update({"X-AKSK": h["X-AKSK"].replace("Nonce=", "N=")}), 400, "1023035",
     "Nonce not contained in X-AKSK."),
    ("no Created", lambda h: h.update({"X-AKSK": h["X-AKSK"].replace("Created=", "C=")}), 400, "1023036",
     "Created not contained in X-AKSK."),
    ("no PasswordDigest", lambda h: h.update({"X-AKSK": h["X-AKSK"].replace("PasswordDigest=", "P=")}), 400,
     "1023037", "PasswordDigest not contained in X-AKSK."),
]


@pytest.mark.parametrize("name,mutate,status,code,desc", AUTH_CASES, ids=[c[0] for c in AUTH_CASES])
async def test_header_refusals(sim, name, mutate, status, code, desc):
    headers = signed(sim)
    mutate(headers)
    reply = await post(sim, headers)
    assert (reply.status, reply["resultcode"], reply["resultdesc"]) == (status, code, desc)
    assert sim.platform.engine.started == 0


async def test_unknown_app_key(sim):
    reply = await post(sim, signed(sim, key="nobodysKey"))
    assert (reply.status, reply["resultcode"], reply["resultdesc"]) == (403, "1010003", "Invalid app_key.")


async def test_wrong_secret_is_invalid_digest(sim):
    reply = await post(sim, signed(sim, secret="notTheSecret"))
    assert (reply.status, reply["resultcode"], reply["resultdesc"]) == (401, "1010010", "Invalid digest.")


@pytest.mark.parametrize("offset", [-330, 330, 3600])
async def test_created_outside_window(sim, offset):
    reply = await post(sim, signed(sim, created=created_now(time.time() + offset)))
    assert (reply.status, reply["resultcode"], reply["resultdesc"]) == (401, "1010013", "Time out limit.")


async def test_created_inside_window_and_space_separated_attributes(sim):
    headers = signed(sim, created=created_now(time.time() - 200))
    headers["X-AKSK"] = headers["X-AKSK"].replace('",', '", ')
    reply = await post(sim, headers)
    assert reply.status == 200 and reply["resultcode"] == "0"


async def test_malformed_created(sim):
    reply = await post(sim, signed(sim, created="2026-01-01 00:00:00"))
    assert (reply.status, reply["resultcode"]) == (401, "1010013")


async def test_malformed_nonce(sim):
    reply = await post(sim, signed(sim, nonce="not-a-valid-nonce!"))
    assert (reply.status, reply["resultcode"]) == (400, "1023035")


async def test_replayed_nonce_is_refused_and_places_no_call(sim):
    headers = signed(sim)
    first = await post(sim, headers)
    again = await post(sim, headers)
    assert first["resultcode"] == "0"
    assert (again.status, again["resultcode"]) == (401, "1010010")
    assert "Nonce already used" in again["resultdesc"]
    assert sim.platform.engine.started == 1


async def test_replay_allowed_when_configured(make_sim):
    s = await make_sim(reject_replay=False)
    headers = signed(s)
    assert (await post(s, headers))["resultcode"] == "0"
    assert (await post(s, headers))["resultcode"] == "0"


async def test_auth_refusal_carries_no_session_id(sim):
    reply = await post(sim, signed(sim, key="nobodysKey"))
    assert set(reply.body) == {"resultcode", "resultdesc"}


def test_nonces_are_forgotten_once_their_stamp_has_left_the_window():
    v = Verifier({"key": SECRET}, window=300)
    t = 1_800_000_000.0
    for _i in range(100):
        h = request_headers("key", SECRET, created=created_now(t))
        v.verify(h["Authorization"], h["X-AKSK"], now=t)
    assert len(v._seen) == 100
    h = request_headers("key", SECRET, created=created_now(t + 400))
    v.verify(h["Authorization"], h["X-AKSK"], now=t + 400)
    assert len(v._seen) == 1  # memory stays bounded under sustained load


def test_a_beijing_stamped_request_cannot_be_replayed_8_hours_later():
    v = Verifier({"key": SECRET}, window=300)
    t = 1_800_000_000.0
    h = request_headers("key", SECRET, created=created_now(t + 8 * 3600))
    v.verify(h["Authorization"], h["X-AKSK"], now=t)
    with pytest.raises(PlatformError) as err:
        v.verify(h["Authorization"], h["X-AKSK"], now=t + 8 * 3600)
    assert err.value.code == 1010010


@given(secret=st.text(min_size=1, max_size=200), nonce=st.text(max_size=128), created=st.text(max_size=30))
def test_digest_equals_the_standard_hmac(secret, nonce, created):
    expected = base64.b64encode(hmac.digest(secret.encode(), (nonce + created).encode(), "sha256")).decode()
    assert digest(secret, nonce, created) == expected


@pytest.mark.parametrize("created", ["2026-10-57T10:00:00Z", "2026-13-01T10:00:00Z", "2026-10-01T25:00:00Z",
                                     "2026-1-01T10:00:00Z"])
def test_impossible_created_dates_are_refused(created):
    assert parse_created(created) is None
