"""A ring keeps the newest entries of a kind by column, and reads them back as entries, oldest first."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from simulator.journal.ring import CHUNK, Parts, Ring


@dataclass(slots=True)
class _Entry:
    seq: int
    at: float
    name: str
    extra: object


def _parts(e: _Entry) -> Parts:
    return e.seq, e.at, (e.name, e.extra)


def _ring(capacity: int) -> Ring[_Entry]:
    return Ring(capacity, 2, _Entry, _parts)


def _fill(ring: Ring[_Entry], n: int) -> None:
    for seq in range(1, n + 1):
        ring.append(seq, seq / 4, (f"n{seq % 3}", None if seq % 2 else {"seq": seq}))


@pytest.mark.parametrize("capacity, n", [(3, 2), (3, 3), (3, 10), (CHUNK + 5, 3 * CHUNK + 1)])
def test_the_newest_entries_come_back_as_they_went_in_oldest_first(capacity, n):
    ring = _ring(capacity)
    _fill(ring, n)
    kept = range(max(1, n - capacity + 1), n + 1)
    want = [_Entry(s, s / 4, f"n{s % 3}", None if s % 2 else {"seq": s}) for s in kept]
    assert len(ring) == len(want)
    assert list(ring) == want
    assert list(reversed(ring)) == want[::-1]
    assert list(ring.matching(0, "n1")) == [e for e in want if e.name == "n1"]
    assert list(ring.matching(0, "n2", newest_first=True)) == [e for e in reversed(want) if e.name == "n2"]


def test_clear_empties_and_extend_takes_entries_back():
    ring = _ring(4)
    _fill(ring, 6)
    entries = list(ring)
    ring.clear()
    assert len(ring) == 0 and list(ring) == [] and list(reversed(ring)) == []
    ring.extend(entries)
    assert list(ring) == entries
    ring.append(7, 1.75, ("n1", None))
    assert [e.seq for e in ring] == [4, 5, 6, 7]


def test_a_ring_holds_at_least_one_entry():
    with pytest.raises(ValueError):
        _ring(0)


def test_matching_since_a_time_looks_no_further_back():
    ring = _ring(10)
    _fill(ring, 20)  # seq 11..20 kept, at seq / 4
    assert [e.seq for e in ring.matching(0, "n1", newest_first=True, since=4.0)] == [19, 16]
    assert [e.seq for e in ring.matching(0, "n1", since=4.0)] == [16, 19]
    assert [e.seq for e in ring.matching(0, "n1")] == [13, 16, 19]
