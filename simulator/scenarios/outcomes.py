"""What happens to a call a scenario selects: the outcome names, their timings, their scripts.

An outcome is turned into the Step script the engine already plays; the ending it
closes with comes from ``engine.call.ENDINGS``, so the disconnect ``stateCode`` and
the bill fields of each outcome are written down in one table only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..engine.call import ALERT, ANSWER, END, ENDINGS, Step
from ..engine.scripts import FWD_ANSWER, FWD_CALLOUT

ANSWERED = "answered"
# Outcomes that ring before they end; the others fail before the phone rings.
RINGING = ("answered", "no_answer", "rejected")
FAILING = ("busy", "unreachable", "powered_off", "invalid_number", "platform_failure", "ports_insufficient")
OUTCOMES = RINGING + FAILING

RING_TIMEOUT = 60.0  # seconds a no_answer call rings before the platform gives up (spec: silent)
REJECT_AFTER = 5.0  # seconds a rejected call rings before the callee declines it

# One way to match any text (no \s* next to an optional \s*): linear time on hostile input.
_DURATION = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)(?:\s*(ms|s|m|h))?\s*")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
MAX_DURATION = 366 * 86400.0  # a year: the longest wait a scenario may schedule on the clock


@dataclass(frozen=True, slots=True)
class Span:
    """A duration: fixed (``lo == hi``) or drawn uniformly from ``lo..hi`` seconds."""

    lo: float
    hi: float

    def draw(self, u: float) -> float:
        """The duration for the uniform draw ``u`` in [0, 1), to the millisecond."""
        if self.lo == self.hi:
            return self.lo
        return round(self.lo + (self.hi - self.lo) * u, 3)

    @property
    def fixed(self) -> bool:
        """True when no draw is needed."""
        return self.lo == self.hi


def parse_duration(text: str | int | float) -> float:
    """``2``, ``2.5``, ``"2s"``, ``"500ms"``, ``"1m"``, ``"1h"`` -> seconds; ValueError otherwise."""
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, (int, float)):
        if text < 0:
            raise ValueError(f"a duration must not be negative, got {text}")
        seconds = float(text)
    else:
        m = _DURATION.fullmatch(str(text))
        if m is None:
            raise ValueError(f"not a duration: {text!r} (write e.g. 2s, 500ms, 1.5m, 1h)")
        seconds = round(float(m.group(1)) * _UNITS[m.group(2)], 6)
    if not seconds <= MAX_DURATION:  # also NaN
        raise ValueError(f"a duration must be at most {MAX_DURATION:g} s (366 days), got {text!r}"[:160])
    return seconds


def parse_span(text: str | int | float) -> Span:
    """A fixed duration or a range ``"2s..6s"``; ValueError if unparseable or out of order."""
    if isinstance(text, str) and ".." in text:
        lo_text, _, hi_text = text.partition("..")
        lo, hi = parse_duration(lo_text), parse_duration(hi_text)
        if lo > hi:
            raise ValueError(f"range {text!r} is out of order: {lo:g}s > {hi:g}s")
        return Span(lo, hi)
    value = parse_duration(text)
    return Span(value, value)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One possible fate of a call, with its weight among the scenario's outcomes.

    ``alert``: callout to alerting (for outcomes that never ring: callout to the failure).
    ``ring``: alerting to answer (answered), to the ringing timeout (no_answer), or to
    the callee's refusal (rejected). ``talk``: for answered calls, when the user hangs
    up; absent, the platform hangs up when the playback ends.
    """

    name: str
    weight: float = 1.0
    alert: Span | None = None
    ring: Span | None = None
    talk: Span | None = None


@dataclass(frozen=True, slots=True)
class Timing:
    """The platform's default timings (from Settings), used where an outcome says nothing."""

    alert: float = 1.0
    answer: float = 3.0


def reshape(outcome: tuple[Step, ...], talk: float | None, service: tuple[Step, ...]) -> tuple[Step, ...]:
    """A service's own script (ring, answer, then its steps) under a scenario's outcome script.

    Unanswered: the outcome's script as is. Answered: the outcome's ring and answer
    timings, then the service's steps, cut short with the user's hang-up (8017) once
    ``talk`` seconds have passed since the answer; a callback whose A hangs up while B
    is still being called ends with 8009 and tear-down point 530 instead.
    """
    if talk is None:
        return outcome
    steps = list(outcome[:2])
    elapsed = 0.0
    forwarding = False  # a callback is calling B and B has not answered yet
    for step in service[2:]:
        if elapsed + step.delay > talk:
            ending = ENDINGS["caller_hangup_before_forward" if forwarding else "user_hangup"]
            steps.append(Step(round(talk - elapsed, 3), END, ending))
            return tuple(steps)
        forwarding = step.kind == FWD_CALLOUT or (forwarding and step.kind != FWD_ANSWER)
        elapsed += step.delay
        steps.append(step)
    return tuple(steps)


def outcome_script(outcome: Outcome, timing: Timing, playback: float,
                   draws: tuple[float, float, float]) -> tuple[tuple[Step, ...], float | None]:
    """The script of a call with ``outcome``, and its talk seconds (None when it is not answered).

    ``playback``: seconds the platform plays after the answer before it hangs up itself.
    ``draws``: three uniform numbers in [0, 1) for alert, ring and talk.
    """
    alert = outcome.alert.draw(draws[0]) if outcome.alert else timing.alert
    name = outcome.name
    if name in FAILING:
        return (Step(alert, END, ENDINGS[name]),), None
    if name == ANSWERED:
        ring = outcome.ring.draw(draws[1]) if outcome.ring else timing.answer
        talk, ending = playback, ENDINGS["normal"]
        if outcome.talk is not None:
            wanted = outcome.talk.draw(draws[2])
            if wanted < playback:  # the user hangs up before the playback ends
                talk, ending = wanted, ENDINGS["user_hangup"]
        return (Step(alert, ALERT), Step(ring, ANSWER), Step(talk, END, ending)), talk
    default_ring = RING_TIMEOUT if name == "no_answer" else REJECT_AFTER
    ring = outcome.ring.draw(draws[1]) if outcome.ring else default_ring
    return (Step(alert, ALERT), Step(ring, END, ENDINGS[name])), None
