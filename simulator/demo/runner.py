"""``voicesim demo``: the simulator, a built-in SP receiver and faker traffic in one process, shown live.

Calls arrive on the simulator's clock (a seeded Poisson process at ``--rate`` a simulated
second, for ``--duration`` simulated seconds), so ``--speed`` fast-forwards the whole
run; each is a signed verification-code request over HTTP, and the active scenarios
(``--scenario``; by default the demo's own mix) decide how it ends. The terminal view
refreshes in real time. When the run ends the demo waits for the calls in progress to
finish and their bills to leave, then prints a summary in which the platform's counts
stand next to what the SP receiver recorded.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from .. import collector
from ..app import create_app
from ..client import VoiceClient, b64
from ..config import MAX_PORTS, MAX_SPEED, MIN_SPEED, Settings
from ..control import JOURNAL, TALLY
from ..front import Site
from ..journal import Journal, figures
from ..lateness import behind
from ..platform import Platform
from ..testing import Receiver
from .traffic import DemoCall, Traffic
from .view import EVENT_TYPES, live_panel, print_summary

# The scenario a demo plays unless told otherwise: a weighted mix of the shipped scenarios' outcomes.
MIXED = Path(__file__).parent / "mixed.yaml"
STATUS_PATH, FEE_PATH = "/voice/status", "/voice/fee"  # where the built-in SP takes pushes


@dataclass(slots=True)
class DemoOptions:
    """What ``voicesim demo`` was asked for."""

    rate: float = 2.0  # calls per simulated second
    duration: float = 60.0  # simulated seconds of traffic
    locale: str = "zh_CN"
    scenarios: tuple[str, ...] = ()  # shipped names or files; none: the demo's own mix (MIXED)
    seed: int | None = None
    speed: float = 1.0
    host: str = "127.0.0.1"
    port: int = 8090  # 0: any free port
    call_ports: int = 100
    sp_error_rate: float = 0.0  # share of pushes the built-in SP refuses with HTTP 500
    refresh: float = 0.25  # real seconds between redraws of the live view
    drain_limit: float = 300.0  # simulated seconds to wait, after the run, for calls still going
    keep_serving: bool = False
    tune_gc: bool = False  # tune the collector once serving (the command does; an embedding program decides)

    def check(self) -> None:
        """Raise ValueError naming the first option out of range."""
        # NaN passes no comparison and infinities none of these bounds: both are refused here
        in_range = 0 < self.rate <= 10_000 and 0 < self.duration <= 366 * 86400.0
        if not (in_range and MIN_SPEED <= self.speed <= MAX_SPEED):
            raise ValueError(f"--rate (at most 10000), --duration (at most 366 days) and --speed ({MIN_SPEED:g} to "
                             f"{MAX_SPEED:g}) must be positive numbers")
        if not 0 <= self.sp_error_rate <= 1:
            raise ValueError("--sp-error-rate must be between 0 and 1")
        if not 0 <= self.call_ports <= MAX_PORTS:
            raise ValueError(f"--call-ports must be 0-{MAX_PORTS}")
        if not 0 <= self.port <= 65535:
            raise ValueError("--port must be 0-65535 (0: any free port)")


@dataclass(slots=True)
class DemoResult:
    """The summary (the platform's side) and the SP receiver that heard the pushes."""

    summary: dict[str, Any]
    receiver: Receiver
    base_url: str
    text: list[str] = field(default_factory=list)


class Demo:
    """One demo run: serves the simulator, places the calls, draws the view, sums up."""

    def __init__(self, options: DemoOptions, console: Console) -> None:
        options.check()
        self.options = options
        self.console = console
        self.traffic = Traffic(options.locale, options.seed)
        self.settings = Settings(host=options.host, port=options.port, speed=options.speed,
                                 call_ports=options.call_ports, scenarios=options.scenarios or (str(MIXED),),
                                 seed=options.seed)
        self.platform = Platform(self.settings)  # a bad scenario raises ScenarioError, a ValueError
        self.http = create_app(platform=self.platform)
        self.journal: Journal = self.http[JOURNAL]
        self.receiver = Receiver(refuse_rate=options.sp_error_rate, keep=1000,
                                 seed=None if options.seed is None else options.seed + 1)
        self.tally = self.http[TALLY]  # the dashboard's running totals: one count of every push
        self.placed = 0
        self.refused: Counter[str] = Counter()
        self.in_flight = 0
        self.client: VoiceClient | None = None
        self.phase = "placing calls"
        self.worst_p99 = 0.0  # the worst p99 event lateness the live view saw, real seconds
        self.fell_behind = False  # whether the run ever fell behind the requested speed
        self._tick_due = 0.0  # simulated time the next redraw (and drain check) is due
        self.started_at = 0.0
        self._next_at = 0.0
        self._done: asyncio.Future[None] | None = None
        self._live: Live | None = None
        self._progress = Progress(TextColumn("{task.description:<22}"), BarColumn(bar_width=None),
                                  TextColumn("{task.completed:>6.0f}/{task.total:.0f} s simulated"),
                                  console=console, expand=True)
        self._task: TaskID = self._progress.add_task("placing calls", total=options.duration)

    # -- the run ---------------------------------------------------------------------
    async def run(self) -> DemoResult:
        """Serve, play the traffic with the live view, wait for the calls to finish, print the summary."""
        await self.receiver.start()
        runner = web.AppRunner(self.http, access_log=None)
        await runner.setup()
        await Site(runner, self.options.host, self.options.port).start()
        if self.options.tune_gc:
            collector.tune()
        host, port = runner.addresses[0][:2]
        base_url = f"http://{host}:{port}"
        self.client = VoiceClient(base_url, self.settings.app_key, self.settings.app_secret)
        try:
            self._intro(base_url)
            self._done = asyncio.get_running_loop().create_future()
            clock = self.platform.clock
            self.started_at = self._next_at = clock.now()
            self._schedule_arrival()
            self._next_tick(clock.now())
            with Live(self._panel(), console=self.console, auto_refresh=False, transient=False) as live:
                self._live = live
                await self._done
                self.phase = "done"
                self._progress.update(self._task, description=self.phase)
                live.update(self._panel(), refresh=True)
            self.console.print()
            summary = self.summary()
            lines = print_summary(self.console, summary, self.receiver.counts)
            if self.options.keep_serving:
                self.console.print(f"Still serving at {base_url} (dashboard {base_url}/_sim/ui); Ctrl-C stops.")
                await asyncio.Event().wait()
            return DemoResult(summary, self.receiver, base_url, lines)
        finally:
            await self.client.close()
            await runner.cleanup()
            await self.receiver.close()

    def _intro(self, base_url: str) -> None:
        o = self.options
        scenarios = ", ".join(o.scenarios) or "mixed"
        self.console.print(f"[bold]voicesim demo[/]: {o.rate:g} calls/s for {o.duration:g} s (simulated) at "
                           f"x{o.speed:g}, locale {o.locale}, scenario {scenarios}, seed {o.seed}")
        self.console.print(f"  simulator {base_url}   dashboard {base_url}/_sim/ui   SP receiver "
                           f"{self.receiver.base_url}")

    def _schedule_arrival(self) -> None:
        # Arrivals are spaced from the previous due time, not from when the callback ran,
        # so a seed gives the same calls whatever the speed.
        self._next_at += self.traffic.next_gap(self.options.rate)
        if self._next_at < self.started_at + self.options.duration:
            self.platform.clock.call_at(self._next_at, self._arrive)
        else:
            self.platform.clock.call_at(self.started_at + self.options.duration, self._stop_calling)

    def _arrive(self, _: Any) -> None:
        self.place()
        self._schedule_arrival()

    def _stop_calling(self, _: Any) -> None:
        self.phase = "finishing calls"

    def place(self) -> None:
        """Send the next call of the traffic as an SP's verification-code request."""
        self.in_flight += 1
        self.platform.clock.spawn(self._request(self.traffic.call()))

    async def _request(self, spec: DemoCall) -> None:
        assert self.client is not None
        try:
            reply = await self.client.call_verify(
                displayNbr=self.settings.display_numbers[0], calleeNbr=spec.callee, languageType=2,
                preTone="pretone.wav", verifyCode=spec.code, statusUrl=b64(self.receiver.url(STATUS_PATH)),
                feeUrl=b64(self.receiver.url(FEE_PATH)), userData=spec.user_data)
            if reply.get("resultcode") == "0":
                self.placed += 1
            else:
                self.refused[f"{reply.get('resultcode')} {reply.get('resultdesc')}"] += 1
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            self.refused[f"no answer: {type(exc).__name__}"] += 1
        finally:
            self.in_flight -= 1

    def _tick(self, _: Any) -> None:
        clock = self.platform.clock
        late = clock.lateness.figures()
        self.worst_p99 = max(self.worst_p99, late.p99)
        self.fell_behind = self.fell_behind or behind(late.p99, clock.speed)
        done = min(self.options.duration, clock.now() - self.started_at)
        self._progress.update(self._task, completed=done, description=self.phase)
        if self._live is not None:
            self._live.update(self._panel(), refresh=True)
        # From the tick's due time, not the clock's now: after a stall everything due before the tick
        # has run, but calls due to end after it (and before now) have not run yet.
        over = self._tick_due - self.started_at - self.options.duration
        if self.phase != "placing calls" and (self._drained() or over > self.options.drain_limit):
            assert self._done is not None
            if not self._done.done():
                self._done.set_result(None)
            return
        self._next_tick(self._tick_due)

    def _next_tick(self, after: float) -> None:
        self._tick_due = after + self.options.refresh * self.options.speed
        self.platform.clock.call_at(self._tick_due, self._tick)

    def _drained(self) -> bool:
        """No request on its way, no call live, nothing on its way to the SP (see ``Delivery.settled``)."""
        return not self.in_flight and not self.platform.engine.live and self.platform.delivery.settled

    def _panel(self) -> Group:
        return live_panel(figures(self.platform, self.tally, self.journal), self.refused, self._progress)

    def summary(self) -> dict[str, Any]:
        """The run's counts as the platform saw them."""
        f = figures(self.platform, self.tally, self.journal)
        endings = Counter(f"{c.ending.state_code} {c.ending.desc}" for c in self.journal.calls.values()
                          if c.ending is not None)
        return {"placed": self.placed, "refused": dict(self.refused), "endings": dict(endings.most_common()),
                "events": {t: self.tally.events_ok[t] for t in EVENT_TYPES},
                "eventsRefused": f["events"]["failed"], "bills": f["bills"]["delivered"],
                "billMessages": f["bills"]["messages"], "billAttemptsRefused": f["bills"]["failedAttempts"],
                "retrying": f["bills"]["retrying"], "givenUp": f["bills"]["givenUp"], "ports": f["ports"],
                "billsOwed": sum(len(p.session_ids) for p in self.platform.delivery.owed.values()),
                "live": f["calls"]["live"], "speed": self.options.speed, "fellBehind": self.fell_behind,
                "worstP99Ms": round(self.worst_p99 * 1000, 1)}
