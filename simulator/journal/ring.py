"""The newest entries of one kind, kept by column: no object per entry.

A deque of dataclasses costs an object per entry, and an int and a float object for its
``seq`` and ``at``; at 100,000 entries of each kind that is most of what the journal holds.
A ``Ring`` keeps ``seq`` in an ``array('q')``, ``at`` in an ``array('d')`` and an entry's
other fields side by side in one flat list (``width`` slots per entry), so an entry costs
8 bytes per field and nothing else. Reading builds the entry dataclass again.

The columns come in chunks of ``CHUNK`` entries, each made when the first entry reaches it,
up to ``capacity``; then each new entry takes the oldest one's place. Chunks are never
grown: a growing list or array is copied to a larger block and leaves the old block behind
in the process's heap, which costs about as much memory again as the columns themselves.
"""
from __future__ import annotations

from array import array
from itertools import starmap
from typing import Any, Callable, Generic, Iterable, Iterator, Sequence, TypeVar

E = TypeVar("E")
_SHIFT = 12
CHUNK = 1 << _SHIFT  # entries per chunk of the columns

# (seq, at, the other fields): an entry as a ring stores it
Parts = tuple[int, float, tuple[Any, ...]]


class Ring(Generic[E]):
    """At most ``capacity`` entries, oldest first; ``build(seq, at, *fields)`` makes one entry to read,
    ``split(entry)`` takes one apart (``extend``)."""

    __slots__ = ("capacity", "width", "_build", "_split", "_seq", "_at", "_fields", "_full",
                 "_c", "_o", "_end", "_c_seq", "_c_at", "_c_fields")

    def __init__(self, capacity: int, width: int, build: Callable[..., E], split: Callable[[E], Parts]) -> None:
        if capacity < 1:
            raise ValueError("a ring holds at least one entry")
        self.capacity = capacity
        self.width = width
        self._build = build
        self._split = split
        self.clear()

    def clear(self) -> None:
        """Drop every entry and give the columns' memory back."""
        self._seq: list[array[int]] = []  # chunks
        self._at: list[array[float]] = []
        self._fields: list[list[Any]] = []
        self._full = False  # once full, the next entry takes the oldest one's place
        # The chunk the next entry goes to (index, offset, length, columns): ``_c`` -1, none yet.
        self._c, self._o, self._end = -1, 0, 0
        self._c_seq: array[int] = array("q")
        self._c_at: array[float] = array("d")
        self._c_fields: list[Any] = []

    def append(self, seq: int, at: float, fields: tuple[Any, ...]) -> None:
        """Add the newest entry (``width`` fields), dropping the oldest when the ring is full."""
        o = self._o
        if o == self._end:
            o = self._turn()
        self._c_seq[o] = seq
        self._c_at[o] = at
        w = self.width
        self._c_fields[o * w:o * w + w] = fields
        self._o = o + 1

    def _turn(self) -> int:
        # The current chunk is full: on to the next one (made when first reached), or back to the first.
        c = self._c + 1
        if c * CHUNK >= self.capacity:
            c = 0
            self._full = True
        if c == len(self._fields):
            n = min(CHUNK, self.capacity - c * CHUNK)
            self._seq.append(array("q", bytes(8 * n)))
            self._at.append(array("d", bytes(8 * n)))
            self._fields.append([None] * (n * self.width))
        self._c, self._c_seq, self._c_at, self._c_fields = c, self._seq[c], self._at[c], self._fields[c]
        self._end = len(self._c_seq)
        return 0

    def extend(self, entries: Iterable[E]) -> None:
        """Add ``entries``, oldest first (a journal reloaded from disk)."""
        split = self._split
        for entry in entries:
            self.append(*split(entry))

    def __len__(self) -> int:
        return self.capacity if self._full else max(0, self._c * CHUNK + self._o)

    def __iter__(self) -> Iterator[E]:
        for c, a, b in self._spans():
            yield from starmap(self._build, zip(*self._columns(c, a, b)))

    def __reversed__(self) -> Iterator[E]:
        for c, a, b in reversed(self._spans()):
            yield from starmap(self._build, zip(*map(reversed, self._columns(c, a, b))))

    def matching(self, field: int, value: Any, *, newest_first: bool = False,
                 since: float | None = None) -> Iterator[E]:
        """The entries whose ``field`` (0: the one after ``at``) is ``value``, oldest or newest first; with ``since``
        only those at or after it (newest first, it stops at the first entry before it). Only these are built."""
        spans = self._spans()
        w, build = self.width, self._build
        for c, a, b in reversed(spans) if newest_first else spans:
            fields = self._fields[c]
            column = fields[a * w + field:b * w:w]
            ats = self._at[c]
            for k in range(len(column) - 1, -1, -1) if newest_first else range(len(column)):
                o = a + k
                if since is not None and ats[o] < since:
                    if newest_first:
                        return
                    continue
                if column[k] == value:
                    yield build(self._seq[c][o], ats[o], *fields[o * w:o * w + w])

    def _spans(self) -> list[tuple[int, int, int]]:
        # (chunk, first, past the last) of the entries, oldest first: from the oldest slot on, then from slot 0
        oldest = (self._c * CHUNK + self._o) % self.capacity if self._full else 0
        ranges = [(oldest, self.capacity), (0, oldest)] if self._full else [(0, len(self))]
        spans = []
        for start, stop in ranges:
            while start < stop:
                c = start >> _SHIFT
                end = min(stop, (c + 1) * CHUNK)
                spans.append((c, start - c * CHUNK, end - c * CHUNK))
                start = end
        return spans

    def _columns(self, c: int, a: int, b: int) -> list[Sequence[Any]]:
        # entries a..b-1 of chunk c: seq, at and each field, as columns
        w, fields = self.width, self._fields[c]
        return [self._seq[c][a:b], self._at[c][a:b], *(fields[a * w + k:b * w:w] for k in range(w))]
