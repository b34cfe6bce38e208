"""How late scripted events run: a rolling minute of real time, in a histogram cheap enough for every event.

The clock notes, for every callback it runs on a real or scaled clock, how many real seconds
after its due time it ran. ``/_sim/health``, ``/_sim/metrics`` and the demo read the p50 and p99
of the last minute, and whether the simulator is falling behind the speed it was asked for.
"""
from __future__ import annotations

import math
import time
from bisect import bisect_right
from dataclasses import dataclass
from typing import Callable

WINDOW = 60  # real seconds the figures cover
_FLOOR = 1e-5  # 10 us: anything earlier counts as on time
_PER_DECADE = 20  # bins per factor of 10: each bin 12 % wide
_BINS = 7 * _PER_DECADE + 1  # up to 100 s late; later lands in the last bin
_SCALE = _PER_DECADE / math.log(10)
BEHIND_SIMULATED = 1.0  # simulated seconds of p99 lateness past which the run has fallen behind ...
BEHIND_REAL = 0.010  # ... provided it is also this many real seconds (below that it is timer and GC jitter)


_EDGES = [_FLOOR * math.exp(i / _SCALE) for i in range(_BINS - 1)]  # bin i + 1 starts at _EDGES[i]


def _bin(late: float) -> int:
    return bisect_right(_EDGES, late)


def _value(index: int) -> float:
    """The middle of a bin, in seconds."""
    if index == 0:
        return 0.0
    return _FLOOR * math.exp((index - 0.5) / _SCALE)


@dataclass(slots=True)
class Figures:
    """Lateness over the window: how many events, their p50, p99 and max (real seconds)."""

    events: int
    p50: float
    p99: float
    max: float

    def to_json(self, speed: float | None) -> dict[str, object]:
        """As ``/_sim/health`` shows it; ``speed`` None for a manual clock (never late)."""
        return {"windowSeconds": WINDOW, "events": self.events, "p50Ms": round(self.p50 * 1000, 3),
                "p99Ms": round(self.p99 * 1000, 3), "maxMs": round(self.max * 1000, 3),
                "behind": behind(self.p99, speed)}


def behind(p99: float, speed: float | None) -> bool:
    """Whether events run so late that the simulation no longer keeps the requested speed.

    Late by a simulated second or more (the platform's timestamps are to the second) and by
    more than timer jitter in real time.
    """
    return speed is not None and p99 >= BEHIND_REAL and p99 * speed >= BEHIND_SIMULATED


class Lateness:
    """Per real second, a histogram of how late events ran; the last ``WINDOW`` seconds are kept."""

    __slots__ = ("_now", "_second", "_current", "_max", "_seconds")

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._second = int(now())
        self._current = [0] * _BINS
        self._max = 0.0
        self._seconds: list[tuple[int, list[int], float]] = []  # (second, histogram, max), oldest first

    def note(self, late: float, now: float) -> None:
        """One event ran ``late`` real seconds after its due time, at ``now`` (real, as ``now()`` tells it)."""
        second = int(now)
        if second != self._second:
            self._roll(second)
        self._current[_bin(late)] += 1
        if late > self._max:
            self._max = late

    def _roll(self, second: int) -> None:
        if any(self._current):
            self._seconds.append((self._second, self._current, self._max))
            self._current = [0] * _BINS
            self._max = 0.0
        self._second = second
        cutoff = second - WINDOW
        while self._seconds and self._seconds[0][0] <= cutoff:
            self._seconds.pop(0)

    def figures(self) -> Figures:
        """The last minute's figures (zeros when nothing ran)."""
        second = int(self._now())
        if second != self._second:
            self._roll(second)
        total = [0] * _BINS
        peak = self._max
        for _, hist, top in self._seconds + [(second, self._current, self._max)]:
            for i, n in enumerate(hist):
                if n:
                    total[i] += n
            peak = max(peak, top)
        count = sum(total)  # a bin's middle may lie past the latest event: never report more than it
        return Figures(count, min(peak, _quantile(total, count, 0.50)), min(peak, _quantile(total, count, 0.99)), peak)

    def clear(self) -> None:
        """Forget every figure (a clock whose speed changed starts afresh)."""
        self._current = [0] * _BINS
        self._max = 0.0
        self._seconds.clear()


def _quantile(hist: list[int], count: int, q: float) -> float:
    if not count:
        return 0.0
    rank = q * count
    seen = 0
    for i, n in enumerate(hist):
        seen += n
        if seen >= rank:
            return _value(i)
    return _value(len(hist) - 1)
