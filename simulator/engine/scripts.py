"""Default scripts: what a call does when no scenario says otherwise."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

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


def plays_heard(plays: int, seconds: float, heard: float) -> int:
    """Of ``plays`` spoken in ``seconds``, how many were (at least partly) heard in ``heard`` seconds.

    Speech cut short (the callee hung up, the call was stopped) is billed pro rata, rounded up.
    """
    if heard >= seconds:
        return plays
    return min(plays, math.ceil(plays * heard / seconds)) if seconds > 0 else 0


# Step kinds of the other services; their handlers live in ``engine/legs.py``.
COLLECT, FWD_CALLOUT, FWD_ALERT, FWD_ANSWER = "collect", "fwd_callout", "fwd_alert", "fwd_answer"


@dataclass(frozen=True, slots=True)
class Play:
    """One item of a notification's ``playInfoList``, as the script needs it."""

    seconds: float  # playback length
    collect: int = 0  # collectInd: up to this many digits, 0 = none
    replay_on: str | None = None  # digits that replay the item (replayAfterCollection "true")
    tts: bool = False  # a template, spoken by TTS (counted in the bill)


@dataclass(slots=True)
class NotifyPlan:
    """A notification's script and what its bill says about TTS."""

    script: tuple[Step, ...]
    tts_plays: int = 0
    tts_seconds: float = 0.0


def notify_script(alert_after: float, answer_after: float, plays: Sequence[Play], press: Callable[[int], str],
                  press_after: float, window: float, max_replays: int) -> NotifyPlan:
    """Ring, answer, play each item; after an item that collects, the user's digits (``press``).

    Digits arrive ``press_after`` seconds after playback; nothing pressed ends the call
    ``window`` seconds after playback (8008, tear-down point 100). Digits equal to an item's
    ``replay_on`` replay it (at most ``max_replays`` times). After the last item the platform
    hangs up.
    """
    steps = [Step(alert_after, ALERT), Step(answer_after, ANSWER)]
    plan = NotifyPlan(())
    wait = 0.0
    for play in plays:
        replays = 0
        while True:
            wait += play.seconds
            if play.tts:
                plan.tts_plays += 1
                plan.tts_seconds += play.seconds
            if not play.collect:
                break
            digits = press(play.collect)
            if not digits:
                steps.append(Step(round(wait + window, 3), END, ENDINGS["no_digits"]))
                plan.script = tuple(steps)
                return plan
            steps.append(Step(round(wait + press_after, 3), COLLECT, digits))
            wait = 0.0
            if digits != play.replay_on or replays >= max_replays:
                break
            replays += 1
    steps.append(Step(round(wait, 3), END, ENDINGS["normal"]))
    plan.script = tuple(steps)
    return plan


@lru_cache(maxsize=1024)
def callback_script(alert_after: float, answer_after: float, pre_voice: float, talk: float,
                    max_seconds: float = 0.0) -> tuple[Step, ...]:
    """Call A; once A answered (and heard ``pre_voice``), call B; talk; ``max_seconds`` cuts it short."""
    end_after, ending = talk, ENDINGS["normal"]
    if max_seconds and max_seconds <= talk:
        end_after, ending = max_seconds, ENDINGS["max_duration"]
    return (Step(alert_after, ALERT), Step(answer_after, ANSWER), Step(pre_voice, FWD_CALLOUT),
            Step(alert_after, FWD_ALERT), Step(answer_after, FWD_ANSWER), Step(end_after, END, ending))
