"""The garbage collector of a long-running simulator: what start-up made is frozen, young collections are rarer.

A full collection walks every tracked object, so its pause grows with what the process holds:
start-up's modules, aiohttp and faker data, then the live calls and the journal. Freezing what
start-up made (``gc.freeze``) takes it out of every later collection; a higher first threshold
makes young collections rarer (each still short). ``make bench`` (d) measures the lateness of
scripted events with 10,000 live calls with this in force.
"""
from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 50)  # young, middle, old: CPython's defaults are (700, 10, 10)


def tune() -> None:
    """Collect once, freeze what survives, and set the thresholds; call once start-up is done."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
