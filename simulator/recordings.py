"""Call recordings: which exist, when they expire, and the WAV each one downloads as.

Nothing is kept but a small entry per recorded call; the audio is generated when it
is downloaded (PCM 16-bit, 8000 Hz, mono, exactly as long as the recorded talk time)
and streamed, so a day-long call costs no memory.
"""
from __future__ import annotations

import array
import math
import sys
import wave
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Awaitable, Callable

from .api.codes import PlatformError
from .clock import utc_text
from .engine.call import Call

RATE = 8000
SAMPLE_WIDTH = 2
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
        if call.extra is not None:
            call.extra["record"] = {
                "recordStartTime": utc_text(now),
                "recordObjectName": rec.name,
                "recordBucketName": bucket,
                "recordDomain": domain,
                "recordFileDownloadUrl": download_api_url(base_url, rec.name, domain),
            }
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


def wav_size(seconds: float) -> int:
    """Bytes of the WAV file of ``seconds`` (44-byte header plus the samples)."""
    return 44 + round(seconds * RATE) * SAMPLE_WIDTH


@lru_cache(maxsize=1)
def _one_second() -> bytes:
    # A quiet 425 Hz tone (the dial-tone pitch), so a player shows the file is not empty.
    samples = array.array("h", (int(1200 * math.sin(2 * math.pi * 425 * i / RATE)) for i in range(RATE)))
    if sys.byteorder == "big":
        samples.byteswap()  # WAV is little-endian
    return samples.tobytes()


class _Collector:
    """A write-only file for ``wave`` that hands over what was written, chunk by chunk."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.pos = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self.pos

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


async def write_wav(seconds: float, write: Callable[[bytes], Awaitable[None]]) -> None:
    """Stream a WAV of ``seconds`` through ``write``, a second of audio at a time."""
    frames = round(seconds * RATE)
    sink = _Collector()
    out = wave.open(sink, "wb")  # type: ignore[arg-type]
    out.setnchannels(1)
    out.setsampwidth(SAMPLE_WIDTH)
    out.setframerate(RATE)
    out.setnframes(frames)  # the header is right from the start: nothing to patch afterwards
    second = _one_second()
    left = frames
    while left:
        n = min(left, RATE)
        out.writeframesraw(second[:n * SAMPLE_WIDTH])
        left -= n
        await write(sink.take())
    out.close()
    tail = sink.take()
    if tail:
        await write(tail)
