"""The active scenarios at run time: which one a call falls to, and the chaos they play.

The first active scenario whose match accepts a call decides its fate; calls no
scenario takes get the platform's default (answered, default timings), at the cost
of one list check. API and port chaos are platform-wide while a scenario is active;
status and bill chaos ride on the calls the scenario selected (``Call.chaos``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..engine import PortPool, StatusFate, Step, answered
from ..errors import PlatformError
from .chaos import (
    ApiChaos,
    BillChaos,
    StatusChaos,
    api_delay,
    api_refusal,
    bill_answer_lost,
    bill_delay,
    status_fate,
    unit,
)
from .loader import Scenario, ScenarioError, load, loads, shipped
from .outcomes import Outcome, Timing, outcome_script

DEFAULT = "default"


@dataclass(frozen=True, slots=True, eq=False)
class CallChaos:
    """One scenario's status and bill chaos, as the delivery layer applies it to its calls."""

    scenario: str
    seed: int
    status: StatusChaos | None
    bills: BillChaos | None

    def status_fate(self, call_seq: int, event: str) -> StatusFate:
        """What happens to status event ``event`` of call ``call_seq`` (1 plain copy without status chaos)."""
        if self.status is None:
            return StatusFate(1)
        return status_fate(self.status, self.seed, call_seq, event)

    @property
    def touches_status(self) -> bool:
        """False when the scenario only touches bills."""
        return self.status is not None

    @property
    def reorder_window(self) -> float:
        """Seconds a held-back status event waits at most for the call's next one."""
        return self.status.reorder_window if self.status else 0.0

    @property
    def merge_window(self) -> float | None:
        """The bill merge window this scenario sets, if any."""
        return self.bills.merge_window if self.bills else None

    def bill_delay(self, key: str) -> float:
        """Extra seconds before bill message ``key`` leaves."""
        return bill_delay(self.bills, self.seed, key) if self.bills else 0.0

    def bill_answer_lost(self, key: str, attempt: int) -> bool:
        """Whether the SP's answer to that attempt is lost, so the bill is re-pushed."""
        return bill_answer_lost(self.bills, self.seed, key, attempt) if self.bills else False


@dataclass(frozen=True, slots=True)
class CallPlan:
    """What a new call will do: its script, its chaos, its talk seconds (None: unanswered)."""

    script: tuple[Step, ...]
    chaos: CallChaos | None
    talk: float | None
    scenario: str


class _Active:
    """A scenario in play: its count of selected calls (the key of its draws) and its chaos."""

    __slots__ = ("scenario", "calls", "chaos", "weights", "total")

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.calls = 0
        c = scenario.chaos
        self.chaos = CallChaos(scenario.name, scenario.seed, c.status, c.bills) if (c.status or c.bills) else None
        self.weights = [o.weight for o in scenario.outcomes]
        self.total = sum(self.weights)

    def pick(self, n: int) -> Outcome:
        outcomes = self.scenario.outcomes
        if len(outcomes) == 1:
            return outcomes[0]
        target = unit(self.scenario.seed, "outcome", n) * self.total
        for outcome, weight in zip(outcomes, self.weights):
            target -= weight
            if target < 0:
                return outcome
        return outcomes[-1]


class ApiGate:
    """API chaos of the active scenario: latency, injected codes, flow control, outages."""

    def __init__(self, clock: Clock, chaos: ApiChaos, seed: int, since: float) -> None:
        self.clock = clock
        self.chaos = chaos
        self.seed = seed
        self.since = since
        self.requests = 0
        self._window = -1
        self._in_window = 0

    async def admit(self) -> None:
        """Let a request through, after any latency, or raise the platform error chaos chose."""
        index = self.requests
        self.requests += 1
        elapsed = self.clock.now() - self.since
        chaos = self.chaos
        in_window = 0
        if chaos.limit is not None:
            window = int(elapsed // chaos.per)
            if window != self._window:
                self._window, self._in_window = window, 0
            in_window = self._in_window
        code = api_refusal(chaos, self.seed, index, elapsed, in_window)
        if chaos.limit is not None and code != chaos.limit_code and code != chaos.outage_code:
            self._in_window += 1  # it got past flow control (an injected error comes later)
        delay = api_delay(chaos, self.seed, index)
        if delay > 0:
            await self.clock.sleep(delay)
        if code is not None:
            raise PlatformError(code)


class ScenarioSet:
    """The scenarios in play, first match first, and the catalog they can be switched to."""

    def __init__(self, clock: Clock, ports: PortPool, timing: Timing, scenarios: list[Scenario],
                 seed: int | None = None) -> None:
        self.clock = clock
        self.seed = seed  # overrides the seed of every scenario, also those activated later
        self.ports = ports
        self.timing = timing
        self.base_capacity = ports.capacity
        self.loaded: dict[str, Scenario] = {s.name: s for s in scenarios}
        self.active: list[_Active] = []
        self.gate: ApiGate | None = None
        self._generation = 0
        self._defaults: dict[float, CallPlan] = {}
        self._apply(scenarios)

    # -- per call -----------------------------------------------------------------
    def plan(self, callee: str, user_data: str | None, playback: float) -> CallPlan:
        """The fate of a new call to ``callee``: the first active scenario that matches.

        ``playback``: seconds the platform plays after the answer before it hangs up.
        """
        for active in self.active:
            scenario = active.scenario
            if scenario.match(callee, user_data):
                n = active.calls
                active.calls += 1
                seed = scenario.seed
                draws = (unit(seed, "alert", n), unit(seed, "ring", n), unit(seed, "talk", n))
                script, talk = outcome_script(active.pick(n), self.timing, playback, draws)
                return CallPlan(script, active.chaos, talk, scenario.name)
        plan = self._defaults.get(playback)
        if plan is None:  # the default plan of each playback length is made once and shared
            if len(self._defaults) >= 4096:
                self._defaults.clear()
            plan = self._defaults[playback] = CallPlan(answered(self.timing.alert, self.timing.answer, playback),
                                                       None, playback, DEFAULT)
        return plan

    # -- switching ------------------------------------------------------------------
    def find(self, name: str) -> Scenario:
        """A scenario loaded at start, or a shipped one, by name; ScenarioError if none."""
        if name in self.loaded:
            return self.loaded[name]
        if name in shipped():
            return load(name, self.seed)
        raise ScenarioError([f"no scenario named {name!r} (known: {', '.join(self.names())})"])

    def names(self) -> list[str]:
        """Every scenario that can be activated by name."""
        return list(dict.fromkeys([*self.loaded, *shipped()]))

    def activate(self, names: list[str]) -> None:
        """Make these scenarios (by name) the active ones, in order; chaos timelines restart now."""
        self._apply([self.find(n) for n in names])

    def activate_text(self, text: str, source: str = "<posted>") -> Scenario:
        """Check a scenario given as YAML text and make it the only active one."""
        return self.use(loads(text, source, self.seed))

    def use(self, scenario: Scenario) -> Scenario:
        """Make ``scenario`` (already loaded and checked) known by name and the only active one."""
        self.loaded[scenario.name] = scenario
        self._apply([scenario])
        return scenario

    def _apply(self, scenarios: list[Scenario]) -> None:
        self._generation += 1
        now = self.clock.now()
        self.active = [_Active(s) for s in scenarios]
        self.ports.capacity = self.base_capacity
        self.gate = None
        for s in scenarios:
            if s.chaos.api is not None and self.gate is None:
                self.gate = ApiGate(self.clock, s.chaos.api, s.seed, now)
            for change in s.chaos.ports:
                self.clock.call_at(now + change.at, self._set_capacity, (self._generation, change.capacity))

    def _set_capacity(self, arg: tuple[int, int | None]) -> None:
        generation, capacity = arg
        if generation == self._generation:  # a later activation cancels earlier timelines
            self.ports.capacity = self.base_capacity if capacity is None else capacity

    def describe(self) -> dict[str, Any]:
        """What ``GET /_sim/scenarios`` shows."""
        active = [a.scenario.name for a in self.active]
        out: list[dict[str, Any]] = []
        for name in self.names():
            try:
                s = self.find(name)
            except ScenarioError as exc:
                out.append({"name": name, "error": str(exc)})
                continue
            out.append({"name": s.name, "description": s.description, "source": s.source, "seed": s.seed,
                        "active": s.name in active,
                        "callsSelected": next((a.calls for a in self.active if a.scenario.name == s.name), 0)})
        return {"active": active or [DEFAULT], "portCapacity": self.ports.capacity, "scenarios": out}
