"""Occurrences gathered into findings: one group per problem (and URL or path), counted, the first as example."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .model import CATEGORIES, ERROR, Finding

EXAMPLE_LIMIT = 400  # characters of a body kept in an example


@dataclass(frozen=True, slots=True)
class Words:
    """What a finding says, made once, for its first occurrence."""

    severity: str
    category: str
    title: str
    spec: str
    fix: str
    example: str


@dataclass(slots=True)
class _Group:
    words: Words
    count: int
    first_at: float
    last_at: float


class Groups:
    """Findings being gathered; ``add`` one occurrence at a time, in journal order."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], _Group] = {}

    def add(self, id: str, where: str, at: float, words: Callable[[], Words]) -> None:
        """One occurrence of problem ``id`` at ``where``; ``words`` is called only for the first."""
        group = self._groups.get((id, where))
        if group is None:
            self._groups[(id, where)] = _Group(words(), 1, at, at)
            return
        group.count += 1
        group.first_at = min(group.first_at, at)
        group.last_at = max(group.last_at, at)

    def findings(self) -> list[Finding]:
        """Every group as a finding: errors first, then by category, the most frequent first."""
        out = [Finding(id, g.words.severity, g.words.category, g.words.title, g.count, g.words.example,
                       g.words.spec, g.words.fix, where, g.first_at, g.last_at)
               for (id, where), g in self._groups.items()]
        out.sort(key=lambda f: (f.severity != ERROR, CATEGORIES.index(f.category), -f.count, f.id, f.where))
        return out


def trim(text: str, limit: int = EXAMPLE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying so."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"


def text_of(raw: bytes | bytearray | None) -> str:
    """A body as text (bytes the SP sent may not be UTF-8)."""
    return "" if raw is None else bytes(raw).decode("utf-8", "replace")
