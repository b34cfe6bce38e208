"""The words of a report: each problem's title, the spec section it breaks, and how to fix it.

Spec sections are those of the platform's contract (``voice-platform-api.md``).
"""
from __future__ import annotations

from ..api import paths

AUTH = "§2 Authentication"
ENDPOINTS = "§1 Endpoints"
STATUS = "§6 Status pushes"
BILLS = "§7 Bill pushes"
RULES = "§9 Other rules"
# The section of each API's request fields.
API_SECTIONS = {
    paths.VERIFY: "§3 Voice verification code",
    paths.NOTIFY: "§4 Voice notification",
    paths.NOTIFY_V1: "§4 Voice notification",
    paths.CALLBACK: "§5 Voice callback",
    paths.STOP: "§5 Stop a call",
    paths.RECORD: "§8 Recordings",
}
SIGN = "base64.b64encode(hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest())"

# mistake id (auth.diagnosis) -> (title, fix)
SIGNATURE: dict[str, tuple[str, str]] = {
    "hex_digest": ("PasswordDigest sent as hex instead of Base64",
                   f"Send the Base64 of the 32 raw HMAC bytes, not hexdigest(): {SIGN}."),
    "base64_of_hex": ("PasswordDigest is the Base64 of the hex digest",
                      "Base64-encode the raw 32-byte HMAC (digest()), not its hex text."),
    "base64url_digest": ("PasswordDigest in URL-safe Base64", "Use standard Base64 (+ and /, with = padding)."),
    "unpadded_base64": ("PasswordDigest without its = padding", "Keep the trailing = of standard Base64."),
    "swapped_key_message": ("HMAC key and message swapped (key = nonce + created, message = secret)",
                            f"The secret is the HMAC key, nonce + created the message: {SIGN}."),
    "app_key_as_secret": ("The app key used as the HMAC secret",
                          "Sign with the app secret; the app key only goes in Username."),
    "old_sha256": ("The old formula SHA256(nonce + created + secret)",
                   f"Use HMAC-SHA256 with the secret as key: {SIGN}."),
    "created_nonce_order": ("created + nonce signed instead of nonce + created",
                            "Sign the nonce first, then created, with nothing between."),
    "secret_newline": ("The secret signed with a trailing newline",
                       "Strip the secret read from a file or an environment variable."),
    "wrong_secret": ("PasswordDigest matches no known mistake: most likely the wrong secret",
                     "Sign with this app key's own secret, and send the very Nonce and Created you signed."),
    "reused_nonce": ("A nonce used twice",
                     "Make a fresh nonce for every request (uuid.uuid4().hex), also for a retry: never re-send "
                     "signed headers."),
    "created_timezone": ("Created stamped in another time zone",
                         "Stamp Created in UTC: time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())."),
    "clock_skew": ("Created outside the platform's time window",
                   "Keep the server's clock in sync (NTP) and stamp Created in UTC when sending."),
    "created_format": ("Created not in the format YYYY-MM-DDTHH:MM:SSZ",
                       "Write Created as YYYY-MM-DDTHH:MM:SSZ: whole seconds, a T, a literal Z."),
    "unknown_app_key": ("Unknown app key",
                        "Send the key of an app the platform knows (in voicesim: --app-key, the config file's "
                        "apps, or POST /_sim/apps)."),
    "key_secret_swapped": ("App key and secret swapped", "Username carries the app key; the secret only signs."),
    "app_key_whitespace": ("App key with spaces around it", "Trim the app key."),
    "app_key_case": ("App key in the wrong letter case", "Send the app key exactly as issued."),
    "header_missing": ("Authorization or X-AKSK header missing",
                       'Send both on every request: Authorization: AKSK realm="SDP",profile="UsernameToken",'
                       'type="Appkey" and X-AKSK: UsernameToken Username=...,PasswordDigest=...,Nonce=...,'
                       "Created=..."),
    "legacy_wsse": ("The old sandbox X-WSSE scheme",
                    "The X-WSSE headers of old samples are not accepted: send Authorization: AKSK ... and X-AKSK."),
    "header_scheme": ("Header without its scheme (AKSK, UsernameToken)",
                      "Start Authorization with 'AKSK ' and X-AKSK with 'UsernameToken '."),
    "header_unquoted": ("Header values without double quotes",
                        'Quote every value: realm="SDP", Username="<app key>", Nonce="...".'),
    "header_separator": ("Header attributes not separated by commas",
                         "Separate attributes with ',' or ', ', not ';' or spaces."),
    "header_value": ("Wrong realm, profile or type in Authorization",
                     'Send exactly AKSK realm="SDP",profile="UsernameToken",type="Appkey" (case-sensitive).'),
    "header_attribute": ("Header attribute missing or misspelt",
                         "Authorization needs realm, profile and type; X-AKSK needs Username, PasswordDigest, "
                         "Nonce and Created; names are case-sensitive."),
    "nonce_format": ("Nonce not 1-128 letters and digits",
                     "Use uuid.uuid4().hex (32 hex digits), not str(uuid.uuid4()) with its dashes."),
    "unknown": ("Signature refused for a reason not diagnosed", "Compare the headers with spec section 2."),
}
UNDIAGNOSED = ("Signature refused (the journal kept no diagnosis)", "Compare the headers with spec section 2.")


def signature_words(mistake: str) -> tuple[str, str]:
    """Title and fix of a mistake id, also of a combination (``swapped_key_message+hex_digest``)."""
    parts = [SIGNATURE.get(p) for p in mistake.split("+")]
    if not all(parts):
        return SIGNATURE["unknown"]
    known = [p for p in parts if p is not None]
    return "; ".join(t for t, _ in known), " ".join(f for _, f in known)


# field rule -> (what the SP did, how to fix it)
FIELD_RULES: dict[str, tuple[str, str]] = {
    "missing": ("a required field missing", "Send the field: the API requires it."),
    "type": ("the wrong JSON type",
             'Send the declared type: Strings as strings, Integers as numbers, flags as "true"/"false".'),
    "length": ("out of its length or range", "Keep the value within the API's bounds."),
    "global_format": ("a number not in global format",
                      "Send + country code + number, digits only (+8613800000000); a Chinese fixed line drops "
                      "the area code's 0 (+86755...)."),
    "base64_url": ("not the Base64 of an http(s) URL",
                   "Send base64.b64encode(url.encode()).decode() of the full http(s) URL."),
    "plain_url": ("a plain URL where Base64 is required",
                  "Send base64.b64encode(url.encode()).decode(), not the URL itself."),
    "digits": ("not digits only", "Send digits 0-9 only."),
    "flag": ('not "true"/"false"', 'Send the strings "true" or "false" (not JSON booleans).'),
    "choice": ("not one of the allowed values", "Send one of the values the API lists."),
    "not_approved": ("media not uploaded or not approved",
                     "Upload the audio file or template and have it approved before using it (voicesim: "
                     "POST /_sim/media or the config file's media); mind the exact name and .wav."),
    "not_owned": ("a display number the app does not own",
                  "Use one of the app's display numbers, exactly as registered."),
    "no_recording": ("a recording that does not exist (yet) or has expired",
                     "Ask with the bill's recordObjectName and recordDomain, once the bill has come and within "
                     "7 days of the call."),
    "body": ("a body the API cannot read", "Send a JSON object with Content-Type: application/json;charset=UTF-8."),
    "rule": ("breaks the field's rule", "Follow the field's rule in the API's table."),
}
