"""What the demo shows: the live panel while calls run, and the closing summary beside the SP's counts."""
from __future__ import annotations

from collections import Counter
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from ..testing import Counts

EVENT_TYPES = ("callout", "alerting", "answer", "disconnect")


def live_panel(f: dict[str, Any], refused: Counter[str], progress: Progress) -> Group:
    """The live view: calls by state, what reached the SP, the platform's ports and clock (``f``: figures)."""
    calls, deliveries, ports = (Table(box=None, title=title, title_justify="left", title_style="bold",
                                      show_header=False, expand=True)
                                for title in ("calls", "delivered to the SP", "platform"))
    for table in (calls, deliveries, ports):
        table.add_column()
        table.add_column(justify="right")
    c = f["calls"]
    for name in ("callout", "alerting", "answered", "ended"):
        calls.add_row(name, str(c[name]))
    calls.add_row("refused", str(sum(refused.values())))
    deliveries.add_row("status events", str(f["events"]["delivered"]))
    deliveries.add_row("bills", str(f["bills"]["delivered"]))
    deliveries.add_row("events refused", str(f["events"]["failed"]))
    deliveries.add_row("bill pushes refused", str(f["bills"]["failedAttempts"]))
    ports.add_row("idle ports", f"{f['ports']['idle']}/{f['ports']['capacity']}")
    ports.add_row("retries pending", str(f["bills"]["retrying"]))
    ports.add_row("bills given up", str(f["bills"]["givenUp"]))
    ports.add_row("simulated time", f["clock"]["now"][11:])
    late, backlog = f["lateness"], f["pushBacklog"]
    ports.add_row("event lateness p50/p99", f"{late['p50Ms']:.1f}/{late['p99Ms']:.1f} ms")
    ports.add_row("push backlog", str(backlog["queued"]))
    grid = Table.grid(expand=True, padding=(0, 2))
    grid.add_row(calls, deliveries, ports)
    parts: list[Any] = [Panel(grid, title="voicesim demo", border_style="cyan"), progress]
    if late["behind"]:
        speed = f["clock"]["speed"]
        parts.append(Text(f"Falling behind x{speed:g}: events run {late['p99Ms']:.0f} ms late (p99), "
                          f"{late['p99Ms'] * speed / 1000:.1f} s simulated; fewer calls than asked for will be "
                          f"placed. Try a lower --speed or --rate.", style="bold red"))
    return Group(*parts)


def print_summary(console: Console, s: dict[str, Any], sp: Counts) -> list[str]:
    """Print the summary table (``s``: the platform's side, ``sp``: the receiver's) and return its lines."""
    table = Table(title="Summary", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("")
    table.add_column("platform", justify="right")
    table.add_column("SP receiver", justify="right")
    table.add_row("calls placed", str(s["placed"]), str(len(sp.sessions)))
    for reason, n in s["refused"].items():
        table.add_row(f"  refused: {reason}", str(n), "")
    for ending, n in s["endings"].items():
        table.add_row(f"  ended {ending}", str(n), "")
    for t in EVENT_TYPES:
        table.add_row(f"{t} events delivered", str(s["events"][t]), str(sp.events[t]))
    table.add_row("status events refused", str(s["eventsRefused"]), str(sp.events_refused))
    table.add_row("bills delivered", str(s["bills"]), str(sp.bills))
    table.add_row("bill messages delivered", str(s["billMessages"]), str(sp.bill_messages))
    table.add_row("bill attempts refused", str(s["billAttemptsRefused"]), str(sp.bill_messages_refused))
    table.add_row("bill retries pending", str(s["retrying"]), "")
    table.add_row("bills given up", str(s["givenUp"]), "")
    table.add_row("idle ports at the end", f"{s['ports']['idle']}/{s['ports']['capacity']}", "")
    if s["live"]:
        table.add_row("calls still live (drain limit)", str(s["live"]), "")
    with console.capture() as capture:
        console.print(table)
        if s["fellBehind"]:
            console.print(behind_warning(s), style="bold red")
    text = capture.get()
    console.print(table)
    if s["fellBehind"]:
        console.print(behind_warning(s), style="bold red")
    return text.splitlines()


def behind_warning(s: dict[str, Any]) -> str:
    """What the summary says when the run could not keep the requested speed."""
    late = s["worstP99Ms"]
    return (f"The simulator fell behind x{s['speed']:g}: events ran up to {late:.0f} ms late (p99), "
            f"{late * s['speed'] / 1000:.1f} s of simulated time, so these counts are not what x{s['speed']:g} "
            f"asks for (a lower --speed or --rate keeps up).")
