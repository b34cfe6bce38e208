"""Default scripts: what a call does when no scenario says otherwise."""
from __future__ import annotations

from functools import lru_cache

from .call import ALERT, ANSWER, END, ENDINGS, Step


@lru_cache(maxsize=4096)
def answered(alert_after: float, answer_after: float, talk: float, ending: str = "normal") -> tuple[Step, ...]:
    """Ring after ``alert_after``, answer after ``answer_after`` more, hang up ``talk`` later.

    Cached: the many calls with the same timings share one script.
    """
    return (Step(alert_after, ALERT), Step(answer_after, ANSWER), Step(talk, END, ENDINGS[ending]))


@lru_cache(maxsize=1024)
def code_playback(digits: int, times: int, digit_seconds: float, gap: float, loop_plays: int) -> tuple[int, float]:
    """How often the code is spoken and for how long: ``times`` 0 loops until the callee hangs up."""
    plays = times if times > 0 else loop_plays
    return plays, round(plays * (digits * digit_seconds + gap), 3)
