"""The garbage collector of a long-running simulator: what start-up made is frozen, pauses kept short.

A collection's pause grows with what it walks: a full one walks every tracked object (start-up's
modules, aiohttp and faker data, then the live calls and the journal), a middle one the objects
that survived the young collections since the last, whose references land all over a large heap
(cache misses, not object count, set its length). Freezing what start-up made (``gc.freeze``)
takes it out of every later collection; smaller young and middle thresholds keep each middle
collection short, and a larger old threshold keeps full collections rare despite the more
frequent middle ones. Measured by ``make bench`` (d) (lateness of scripted events with 10,000
live calls, a quiet 2-core VM): (700, 10, 100) gave middle pauses of 9-12 ms and a p99 of
2.9-4.7 ms; (400, 5, 1000) pauses of 4.0-4.4 ms and a p99 of 1.8-3.0 ms. Smaller young
thresholds with the old one left at 100 brought full collections of 130-160 ms into the window.
"""
from __future__ import annotations

import gc

THRESHOLDS = (400, 5, 1000)  # young, middle, old: CPython's defaults are (700, 10, 10)


def tune() -> None:
    """Collect once, freeze what survives, and set the thresholds; call once start-up is done."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
