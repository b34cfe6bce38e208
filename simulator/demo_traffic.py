"""What the demo's calls look like: faker callees and userData for a locale, and the mix of outcomes.

Everything is drawn from one seeded ``random.Random`` and a seeded Faker, so a seed
replays the same traffic.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from faker import Faker

from .engine.call import ALERT, ANSWER, END, ENDINGS, Step

# Country calling codes of the locales the demo offers (faker's numbers are national).
CALLING_CODES = {
    "zh_CN": "86", "zh_TW": "886", "en_US": "1", "en_CA": "1", "en_GB": "44", "en_AU": "61", "en_IN": "91",
    "hi_IN": "91", "de_DE": "49", "fr_FR": "33", "es_ES": "34", "it_IT": "39", "nl_NL": "31", "pt_BR": "55",
    "ja_JP": "81", "ko_KR": "82", "ru_RU": "7", "pl_PL": "48", "tr_TR": "90", "id_ID": "62",
}

# Outcome -> weight. The named mixes share their names with the shipped scenarios.
MIXES: dict[str, dict[str, int]] = {
    "mixed": {"answered": 60, "short-call": 10, "no-answer": 10, "busy": 8, "rejected": 5, "unreachable": 4,
              "powered-off": 3},
    "default": {"answered": 1},
    "busy": {"busy": 1},
    "no-answer": {"no-answer": 1},
    "rejected": {"rejected": 1},
    "short-call": {"short-call": 1},
}


@dataclass(frozen=True, slots=True)
class DemoCall:
    """One call the demo places."""

    callee: str
    user_data: str
    code: str
    outcome: str


class Traffic:
    """Draws the demo's calls: who is called, with what userData, and how each call will end."""

    def __init__(self, locale: str, scenarios: list[str], seed: int | None) -> None:
        if locale not in CALLING_CODES:
            raise ValueError(f"unknown locale {locale!r}; one of: {', '.join(sorted(CALLING_CODES))}")
        unknown = [s for s in scenarios if s not in MIXES]
        if unknown:
            raise ValueError(f"unknown scenario {unknown[0]!r}; one of: {', '.join(MIXES)}")
        self.locale = locale
        self.code = CALLING_CODES[locale]
        self.random = random.Random(seed)
        self.faker = Faker(locale)
        self.faker.seed_instance(seed)
        weights: dict[str, int] = {}
        for name in scenarios:
            for outcome, weight in MIXES[name].items():
                weights[outcome] = weights.get(outcome, 0) + weight
        self._outcomes = list(weights)
        self._weights = list(weights.values())

    def next_gap(self, rate: float) -> float:
        """Seconds to the next call: arrivals at ``rate`` a second, as a Poisson process."""
        return self.random.expovariate(rate)

    def call(self) -> DemoCall:
        """The next call."""
        outcome = self.random.choices(self._outcomes, self._weights)[0]
        order = self.faker.bothify("??-#####").upper()
        return DemoCall(self.callee(), f"order={order};user={self.faker.user_name()}",
                        f"{self.random.randrange(10**6):06d}", outcome)

    def callee(self) -> str:
        """A number of the locale, in the global format the platform wants (``+``, country code, number)."""
        for _ in range(20):
            national = _national(self.faker.phone_number(), self.code)
            if 6 <= len(national) <= 14:
                return f"+{self.code}{national}"
        return f"+{self.code}{self.faker.numerify('1########')}"

    def script(self, outcome: str, talk: float) -> tuple[Step, ...]:
        """How a call with this outcome goes; ``talk`` is how long the platform plays once answered."""
        r = self.random.uniform
        if outcome == "answered":
            return Step(r(0.5, 2), ALERT), Step(r(2, 8), ANSWER), Step(talk, END, ENDINGS["normal"])
        if outcome == "short-call":
            return Step(r(0.5, 2), ALERT), Step(r(2, 4), ANSWER), Step(r(1, 2.5), END, ENDINGS["user_hangup"])
        if outcome == "no-answer":
            return Step(r(0.5, 2), ALERT), Step(r(20, 40), END, ENDINGS["no_answer"])
        if outcome == "rejected":
            return Step(r(0.5, 2), ALERT), Step(r(2, 8), END, ENDINGS["rejected"])
        ending = {"busy": "busy", "unreachable": "unreachable", "powered-off": "powered_off"}[outcome]
        return (Step(r(1, 3), END, ENDINGS[ending]),)


def _national(text: str, code: str) -> str:
    """The national significant number in one of faker's formatted numbers."""
    text = text.split("x")[0].replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+") and digits.startswith(code):
        digits = digits[len(code):]
    if code == "1" and len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]  # the North American trunk prefix
    return digits.lstrip("0")
