"""Call recordings: which exist, and when they expire.

Nothing is kept but a small entry per recorded call; the audio is generated when it
is downloaded (``wav``), exactly as long as the recorded talk time.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..engine import Call, RecordingRef
from ..errors import PlatformError

KEEP_SECONDS = 7 * 86400


@dataclass(slots=True)
class Recording:
    """One recording: its object name, where it lives, and how long it is.

    While its call is live it points at the call; once the call ended it keeps only
    the few numbers a download needs, so an ended call is not held for 7 days.
    """

    name: str
    domain: str
    bucket: str
    app_key: str
    call: Call | None
    end: float = 0.0
    seconds: float = 0.0
    recorded: bool = False

    @property
    def live(self) -> bool:
        """True while the recorded call goes on (the file does not exist yet)."""
        if self.call is not None and not self.call.live:
            self.end, self.seconds, self.recorded = self.call.end, self.call.recorded_seconds, self.call.recorded
            self.call = None
        return self.call is not None


def object_name(session_id: str) -> str:
    """The recording's object name, derived from the session id (``1201_5_5_20260101000000.wav``)."""
    return session_id.partition("@")[0] + ".wav"


class Recordings:
    """Recordings by object name, downloadable ``keep`` simulated seconds after their call ended.

    An expired recording is remembered for another ``keep`` (a few numbers), so that
    asking for it says "expired" rather than "does not exist".
    """

    __slots__ = ("keep", "items", "_live", "_ended")

    def __init__(self, keep: float = KEEP_SECONDS) -> None:
        self.keep = keep
        self.items: dict[str, Recording] = {}
        self._live: deque[Recording] = deque()  # in start order; calls end roughly in that order too
        self._ended: deque[Recording] = deque()

    def add(self, call: Call, domain: str, bucket: str, base_url: str, now: float) -> Recording:
        """Start recording ``call`` now; its bill gets the recording fields if it lasts >= 3 s."""
        self.prune(now)
        rec = Recording(object_name(call.session_id), domain, bucket, call.app.key, call)
        self.items[rec.name] = rec
        self._live.append(rec)
        call.recording = RecordingRef(now, rec.name, bucket, domain, download_api_url(base_url, rec.name, domain))
        return rec

    def prune(self, now: float) -> None:
        """Settle ended calls (dropping those too short to record), forget long-expired ones."""
        live, ended = self._live, self._ended
        while live and not live[0].live:
            rec = live.popleft()
            if rec.recorded:
                ended.append(rec)
            else:
                self.items.pop(rec.name, None)
        while ended and ended[0].end + 2 * self.keep < now:
            self.items.pop(ended.popleft().name, None)

    def get(self, name: str, domain: str | None, app_key: str | None, now: float) -> Recording:
        """The finished recording ``name`` or the platform's 1010002 (HTTP 404) saying why not."""
        rec = self.items.get(name)
        if (rec is None or rec.live or not rec.recorded or (domain is not None and rec.domain != domain)
                or (app_key is not None and rec.app_key != app_key)):
            raise PlatformError(1010002, f"{name} does not exist", http_status=404)
        if rec.end + self.keep < now:
            raise PlatformError(1010002, f"{name} has expired (recordings are kept 7 days)", http_status=404)
        return rec


def download_api_url(base_url: str, name: str, domain: str) -> str:
    """The recording API's address for ``name``, as a bill's ``recordFileDownloadUrl`` gives it."""
    return f"{base_url}/rest/provision/voice/record/v1.0?fileName={name}&recordDomain={domain}"
