"""The WAV a recording downloads as: PCM 16-bit, 8000 Hz, mono, made while it is sent.

Nothing is stored: a second of tone is generated once and repeated, so a day-long
recording costs no memory.
"""
from __future__ import annotations

import array
import math
import sys
import wave
from functools import lru_cache
from typing import Awaitable, Callable

RATE = 8000
SAMPLE_WIDTH = 2


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
    out = wave.open(sink, "wb")  # type: ignore[call-overload]  # wave writes to any object with write/tell
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
