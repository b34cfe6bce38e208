"""Which digits a user presses when a notification collects them.

In order of precedence: digits a test queued for the next collections (``press``),
the platform setting ``collect_digits`` (the same every time), else faker, seeded,
drawing 1 to ``collectInd`` digits. An empty string means "nothing pressed".
"""
from __future__ import annotations

import random
from collections import deque
from typing import Any


class DigitSource:
    """Digits for each collection, scripted or drawn."""

    __slots__ = ("fixed", "queued", "_seed", "_faker", "_rng")

    def __init__(self, fixed: str | None = None, seed: int = 0) -> None:
        self.fixed = fixed
        self.queued: deque[str] = deque()
        self._seed = seed
        self._faker: Any = None
        self._rng = random.Random(seed)

    def press(self, *digits: str) -> None:
        """Queue what the users of the next collections press, one string per collection."""
        self.queued.extend(digits)

    def draw(self, collect_ind: int) -> str:
        """The digits of one collection of up to ``collect_ind`` digits."""
        if self.queued:
            return self.queued.popleft()[:collect_ind]
        if self.fixed is not None:
            return self.fixed[:collect_ind]
        if self._faker is None:  # faker is slow to import: only when a collection needs it
            from faker import Faker
            self._faker = Faker()
            self._faker.seed_instance(self._seed)
        return self._faker.numerify("#" * self._rng.randint(1, collect_ind))
