"""The signing diagnosis as a pure function: the spec's own vectors, time zones, headers, secrets kept out."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.auth import AUTHORIZATION, EVIDENCE_LIMIT, Diagnosis, diagnose
from simulator.errors import PlatformError

KEY, SECRET = "key", "testSecret123"
NONCE, CREATED = "66C92B11FF8A425FB8D4CCFE0ED9ED1F", "2018-02-12T15:30:20Z"
NOW = 1518449420.0  # CREATED, read as UTC
RIGHT = "8J59bTQ86/CtMxzXB7kTE+1YrrGuIwYQu+DkbYIaafM="  # the spec's test vector
OLD = "UVrP6fp9eJkwDQO4tS9TfWSTn7XsLUFanBGe9D9QOtc="  # the spec's old, wrong formula


def _aksk(digest: str = RIGHT, key: str = KEY, nonce: str = NONCE, created: str = CREATED) -> str:
    return f'UsernameToken Username="{key}",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}"'


def _diagnose(code: int, x_aksk: str | None = None, auth: str | None = AUTHORIZATION, detail: str = "",
              now: float = NOW, **headers: str) -> Diagnosis:
    h = dict(headers)
    if auth is not None:
        h["Authorization"] = auth
    if x_aksk is not None:
        h["X-AKSK"] = x_aksk
    return diagnose(PlatformError(code, detail), h, {KEY: SECRET}, now, 300.0)


def test_the_specs_old_formula_is_named():
    d = _diagnose(1010010, _aksk(OLD))
    assert d.mistake == "old_sha256"
    assert "SHA256(nonce + created + secret)" in d.detail
    assert d.evidence.startswith("X-AKSK: UsernameToken") and OLD in d.evidence


def test_the_right_digest_in_hex_is_named():
    import base64
    hex_digest = base64.b64decode(RIGHT).hex()
    assert _diagnose(1010010, _aksk(hex_digest)).mistake == "hex_digest"
    assert _diagnose(1010010, _aksk(hex_digest.upper())).mistake == "hex_digest"


def test_a_digest_matching_nothing_is_most_likely_the_wrong_secret():
    assert _diagnose(1010010, _aksk("A" * 43 + "=")).mistake == "wrong_secret"


def test_a_replayed_nonce_is_named_from_the_verifiers_detail():
    assert _diagnose(1010010, _aksk(), detail="Nonce already used").mistake == "reused_nonce"


def test_created_hours_off_is_a_time_zone_and_minutes_off_is_clock_skew():
    tz = _diagnose(1010013, _aksk(), now=NOW + 5 * 3600 + 20)  # stamped 5 h behind UTC (New York)
    assert tz.mistake == "created_timezone" and "UTC-05:00" in tz.detail
    india = _diagnose(1010013, _aksk(), now=NOW - 5.5 * 3600)
    assert india.mistake == "created_timezone" and "UTC+05:30" in india.detail
    skew = _diagnose(1010013, _aksk(), now=NOW + 900)
    assert skew.mistake == "clock_skew" and "900 s behind" in skew.detail


def test_created_formats_are_told_apart():
    shapes = {"2018-02-12T15:30:20.123Z": "fractions", "2018-02-12T15:30:20+08:00": "UTC offset",
              "2018-02-12 15:30:20": "space", "2018-02-12T15:30:20": "no trailing Z",
              "1518449420": "epoch seconds", "yesterday": "YYYY-MM-DDTHH:MM:SSZ"}
    for created, words in shapes.items():
        d = _diagnose(1010013, _aksk(created=created))
        assert d.mistake == "created_format" and words in d.detail, (created, d)


def test_header_shapes():
    assert _diagnose(1023007, _aksk(), auth="AKSK realm=SDP,profile=UsernameToken,type=Appkey").mistake \
        == "header_unquoted"
    assert _diagnose(1023007, _aksk(), auth='AKSK realm="SDP" profile="UsernameToken" type="Appkey"').mistake \
        == "header_separator"
    assert _diagnose(1023007, _aksk(), auth='AKSK Realm="SDP",profile="UsernameToken",type="Appkey"').mistake \
        == "header_attribute"
    assert _diagnose(1023007, _aksk(), auth='WSSE realm="SDP"').mistake == "header_scheme"
    value = _diagnose(1023009, _aksk(), auth='AKSK realm="sdp",profile="UsernameToken",type="Appkey"')
    assert value.mistake == "header_value" and '"SDP"' in value.detail
    assert _diagnose(1023006, _aksk(), auth=None).mistake == "header_missing"
    assert _diagnose(1023033, None).mistake == "header_missing"
    assert _diagnose(1023036, _aksk().replace('",Created="', '";Created="')).mistake == "header_separator"
    assert _diagnose(1023035, _aksk(nonce="a" * 129), detail="Nonce must be 1-128 letters and digits").detail \
        .endswith("is 129 characters long (at most 128)")


def test_app_key_mistakes():
    assert _diagnose(1010003, _aksk(key="KEY")).mistake == "app_key_case"
    assert _diagnose(1010003, _aksk(key="someone")).mistake == "unknown_app_key"
    swapped = _diagnose(1010003, _aksk(key=SECRET))
    assert swapped.mistake == "key_secret_swapped"
    assert SECRET not in swapped.evidence + swapped.detail and "<app secret>" in swapped.evidence


def test_json_round_trip_and_garbage():
    d = _diagnose(1010010, _aksk(OLD))
    assert Diagnosis.from_json(d.to_json()) == d
    assert Diagnosis.from_json({"mistake": 1}) is None
    assert Diagnosis.from_json("x") is None


ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=400)  # surrogates too: bytes not UTF-8


@given(auth=st.one_of(st.none(), ANY_TEXT), aksk=st.one_of(st.none(), ANY_TEXT, st.builds(
           _aksk, digest=ANY_TEXT, nonce=st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True),
           created=st.sampled_from([CREATED, "2018-02-12T15:30:20.5Z", "x"]))),
       code=st.sampled_from([1010003, 1010010, 1010013, *range(1023006, 1023013), *range(1023033, 1023038)]))
def test_any_headers_get_a_bounded_diagnosis_and_never_raise(auth, aksk, code):
    d = _diagnose(code, aksk, auth=auth)
    assert d.mistake and d.detail
    assert len(d.evidence) <= EVIDENCE_LIMIT + 3
    assert SECRET not in d.evidence
    (d.mistake + d.detail + d.evidence).encode()  # no lone surrogate: every view can show it


def test_a_secret_inside_the_username_is_masked_in_the_detail_too():
    d = _diagnose(1010003, _aksk(key=f"x{SECRET}"))
    assert d.mistake == "unknown_app_key" and SECRET not in d.detail + d.evidence


def test_long_hostile_headers_still_get_a_diagnosis_with_trimmed_evidence():
    # The diagnosis runs on every refused request: its patterns must stay linear on 8 KB of anything
    # (a benchmark, benchmarks/hostile_inputs.py, measures it; here only what it says).
    for text in ("a" * 8192, "_" * 8192, '"' + " " * 8190 + "x", '"x"' + " " * 8000 + ";", "realm" + " " * 8000 + "=",
                 "a=" * 4096):
        d = _diagnose(1023007, None, auth="AKSK " + text)
        assert d.mistake.startswith("header_") and len(d.evidence) <= EVIDENCE_LIMIT + 40
        d = _diagnose(1023034, "UsernameToken " + text)
        assert d.mistake.startswith("header_") and len(d.evidence) <= EVIDENCE_LIMIT + 40
    assert _diagnose(1023007, None, auth='AKSK realm="SDP" ; profile="UsernameToken"').mistake == "header_separator"
