"""The garbage collector of a long-running simulator: what start-up made is frozen, young collections are rarer.

A full collection walks every tracked object, so its pause grows with what the process holds:
start-up's modules, aiohttp and faker data, then the live calls and the journal. Freezing what
start-up made (``gc.freeze``) takes it out of every later collection; young collections run a
little less often (each still short) and full ones ten times less often. Measured by ``make
bench`` (d), lateness of scripted events with 10,000 live calls: of (20000, 20, 50), (2000, 10,
100) and (700, 10, 1000) the middle one had the lowest p50 and p99; a larger first threshold
makes the middle collections long (each walks up to 20 times as many survivors).
"""
from __future__ import annotations

import gc

THRESHOLDS = (2_000, 10, 100)  # young, middle, old: CPython's defaults are (700, 10, 10)


def tune() -> None:
    """Collect once, freeze what survives, and set the thresholds; call once start-up is done."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
