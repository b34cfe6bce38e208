"""What the demo's calls look like: faker callees, userData and codes for a locale, and when they come.

Everything is drawn from one seeded ``random.Random`` and a seeded Faker, so a seed
replays the same traffic. How each call ends is not decided here: the platform's
active scenarios decide it, as they would for any SP's request.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from faker import Faker

# Country calling codes of the locales the demo offers (faker's numbers are national).
CALLING_CODES = {
    "zh_CN": "86", "zh_TW": "886", "en_US": "1", "en_CA": "1", "en_GB": "44", "en_AU": "61", "en_IN": "91",
    "hi_IN": "91", "de_DE": "49", "fr_FR": "33", "es_ES": "34", "it_IT": "39", "nl_NL": "31", "pt_BR": "55",
    "ja_JP": "81", "ko_KR": "82", "ru_RU": "7", "pl_PL": "48", "tr_TR": "90", "id_ID": "62",
}

@dataclass(frozen=True, slots=True)
class DemoCall:
    """One call the demo places."""

    callee: str
    user_data: str
    code: str


class Traffic:
    """Draws the demo's calls: who is called, with what userData and code, and when."""

    def __init__(self, locale: str, seed: int | None) -> None:
        if locale not in CALLING_CODES:
            raise ValueError(f"unknown locale {locale!r}; one of: {', '.join(sorted(CALLING_CODES))}")
        self.locale = locale
        self.code = CALLING_CODES[locale]
        self.random = random.Random(seed)
        self.faker = Faker(locale)
        self.faker.seed_instance(seed)

    def next_gap(self, rate: float) -> float:
        """Seconds to the next call: arrivals at ``rate`` a second, as a Poisson process."""
        return self.random.expovariate(rate)

    def call(self) -> DemoCall:
        """The next call."""
        order = self.faker.bothify("??-#####").upper()
        return DemoCall(self.callee(), f"order={order};user={self.faker.user_name()}",
                        f"{self.random.randrange(10**6):06d}")

    def callee(self) -> str:
        """A number of the locale, in the global format the platform wants (``+``, country code, number)."""
        for _ in range(20):
            national = _national(self.faker.phone_number(), self.code)
            if 6 <= len(national) <= 14:
                return f"+{self.code}{national}"
        return f"+{self.code}{self.faker.numerify('1########')}"


def _national(text: str, code: str) -> str:
    """The national significant number in one of faker's formatted numbers."""
    text = text.split("x")[0].replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("+") and digits.startswith(code):
        digits = digits[len(code):]
    if code == "1" and len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]  # the North American trunk prefix
    return digits.lstrip("0")
