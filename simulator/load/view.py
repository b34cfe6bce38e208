"""What a load run shows in the terminal: a live panel while it runs, and the report at the end."""
from __future__ import annotations

from rich import box
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from .runner import LoadRun
from .stats import KINDS, Latency, LoadReport


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def live_panel(run: LoadRun) -> Panel:
    """Calls placed, pushes answered and failed, and the latest bucket's answer times."""
    stats, o = run.stats, run.options
    attempts = sum(b.attempts for b in stats.buckets.values())
    failed = sum(b.failed for b in stats.buckets.values())
    latest = stats.buckets[max(stats.buckets)] if stats.buckets else None
    now = Latency.of(latest.latencies) if latest is not None else Latency.of([])
    table = Table.grid(padding=(0, 3))
    for _ in range(4):
        table.add_column()
    table.add_row("phase", run.phase, "elapsed", f"{run.elapsed:.1f} s")
    table.add_row("calls placed", f"{run.placed}/{o.planned}", "refused", str(sum(run.refused.values())))
    table.add_row("push attempts", str(attempts), "failed", str(failed))
    table.add_row("latest p50 / p99", f"{_ms(now.p50)} / {_ms(now.p99)} ms", "bills owed",
                  str(len(run.platform.delivery.owed)))
    return Panel(table, title="voicesim load", border_style="cyan")


def print_report(console: Console, report: LoadReport) -> None:
    """The closing report: answer times overall and over time, failures by kind, bills, calls."""
    console.print(f"[bold]voicesim load[/]: {report.title}", highlight=False, soft_wrap=True)
    calls = report.calls_line
    if report.refused:
        calls += "; refused by the platform: " + ", ".join(f"{n} x {why}" for why, n in report.refused.items())
    console.print(calls, highlight=False)
    if not report.drained:
        console.print(f"[yellow]the drain limit ended the run: {report.unfinished} call(s) still live, "
                      f"{report.bills.owed_messages} bill message(s) still owed[/]", highlight=False)

    latency = Table(title="SP answer time (ms), attempts the SP answered", box=box.SIMPLE_HEAD, title_justify="left")
    for name in ("pushes", "answered", "p50", "p90", "p99", "max"):
        latency.add_column(name, justify="left" if name == "pushes" else "right")
    for kind in ("all", *KINDS):
        lat = report.latency[kind]
        latency.add_row(kind, str(lat.count), _ms(lat.p50), _ms(lat.p90), _ms(lat.p99), _ms(lat.max))
    console.print(latency)

    over_time = Table(title=f"over time ({report.bucket_seconds:g} s buckets, by when the attempt started)",
                      box=box.SIMPLE_HEAD, title_justify="left")
    for name in ("seconds", "attempts", "failed", "p50", "p90", "p99"):
        over_time.add_column(name, justify="left" if name == "seconds" else "right")
    for row in report.buckets:
        over_time.add_row(f"{row.start:g}-{row.end:g}", str(row.attempts), str(row.failed), _ms(row.latency.p50),
                          _ms(row.latency.p90), _ms(row.latency.p99))
    console.print(over_time)

    failures = Table(title="failures by kind", box=box.SIMPLE_HEAD, title_justify="left")
    for name in ("kind", "status pushes", "bill pushes"):
        failures.add_column(name, justify="left" if name == "kind" else "right")
    for name, counts in report.failures.items():
        failures.add_row(name, str(counts["status"]), str(counts["bill"]))
    if not report.failures:
        failures.add_row("none", "0", "0")
    console.print(failures)

    bills = Table(title="status events and bills", box=box.SIMPLE_HEAD, title_justify="left", show_header=False)
    bills.add_column()
    bills.add_column(justify="right")
    for label, value in report.delivery_rows():
        bills.add_row(label, str(value))
    console.print(bills)

