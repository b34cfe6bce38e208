"""``voicesim load`` on the command line: its options, the live view, the report."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.live import Live

from ..config import DEMO_APP_KEY, DEMO_APP_SECRET
from . import html
from .options import MAX_CALLS, MAX_DRAIN, MAX_DURATION, MAX_RATE, LoadOptions
from .runner import LoadRun
from .view import live_panel, print_report


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``voicesim load`` and its options."""
    d = LoadOptions()
    p = sub.add_parser(
        "load", help="originate calls and push their events and bills to your SP's endpoints at a rate",
        description="Place verification-code calls at --rate a second for --duration seconds (real time) and push "
                    "their status events and bills to --status-url and --fee-url, signed with your app's key and "
                    "secret; then report your endpoints' answer times (p50/p90/p99 over time), failures and "
                    "timeouts by kind, and bills re-pushed or given up. Pushes go only to this machine's "
                    "loopback addresses unless --allow-remote.")
    p.add_argument("--rate", type=float, default=d.rate,
                   help=f"calls per real second, at most {MAX_RATE:g} (default {d.rate:g})")
    p.add_argument("--duration", type=float, default=d.duration,
                   help=f"real seconds of calls, at most {MAX_DURATION:g}; rate x duration at most {MAX_CALLS} "
                        f"(default {d.duration:g})")
    p.add_argument("--status-url", help="your status event endpoint")
    p.add_argument("--fee-url", help="your bill endpoint")
    p.add_argument("--scenario", dest="scenarios", action="append", metavar="NAME_OR_FILE",
                   help="scenario deciding how calls end and which chaos pushes meet (see `voicesim scenarios`); "
                        "repeat for more, the first match wins (default: every call answered)")
    p.add_argument("--speed", type=float, default=d.speed,
                   help="simulated seconds per real second: shortens each call and the bills' hourly re-push "
                        "(3600: re-pushes a second apart) (default 1)")
    p.add_argument("--seed", type=int, default=None, help="seed for the callees, codes and scenario draws")
    p.add_argument("--html", metavar="FILE", help="also write the report as an HTML page with SVG plots")
    p.add_argument("--drain", type=float, default=d.drain,
                   help=f"real seconds to wait after the last call for calls to end and bills to be accepted or "
                        f"given up, at most {MAX_DRAIN:g} (default {d.drain:g})")
    p.add_argument("--push-timeout", type=float, default=d.push_timeout,
                   help=f"seconds your endpoints may take to answer a push (default {d.push_timeout:g})")
    p.add_argument("--push-ca-file", default=os.environ.get("VOICESIM_PUSH_CA_FILE"),
                   help="CA certificates (PEM) trusted for https:// endpoints, besides the system's "
                        "[env VOICESIM_PUSH_CA_FILE]")
    p.add_argument("--app-key", default=os.environ.get("VOICESIM_APP_KEY", DEMO_APP_KEY),
                   help="the app key pushes are signed with (default: the demo app's, or VOICESIM_APP_KEY)")
    p.add_argument("--app-secret", default=os.environ.get("VOICESIM_APP_SECRET", DEMO_APP_SECRET),
                   help="its secret (default: the demo app's, or VOICESIM_APP_SECRET)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow endpoints that are not on this machine: only for endpoints that are your own")


def command(args: argparse.Namespace, console: Console | None = None) -> int:
    """Run ``voicesim load``; 2 for options it refuses."""
    options = LoadOptions(rate=args.rate, duration=args.duration, status_url=args.status_url, fee_url=args.fee_url,
                          scenarios=tuple(args.scenarios or ()), speed=args.speed, seed=args.seed, html=args.html,
                          allow_remote=args.allow_remote, push_timeout=args.push_timeout,
                          push_ca_file=args.push_ca_file, drain=args.drain, app_key=args.app_key,
                          app_secret=args.app_secret)
    console = console or Console()
    try:
        if options.html and not Path(options.html).absolute().parent.is_dir():
            raise ValueError(f"--html {options.html}: no such directory to write the report in")
        run = LoadRun(options)
    except ValueError as exc:
        print(f"voicesim load: {exc}", file=sys.stderr)
        return 2
    try:
        with Live(live_panel(run), console=console, auto_refresh=False, transient=True) as live:
            run.on_tick = lambda r: live.update(live_panel(r), refresh=True)
            report = asyncio.run(run.run())
    except KeyboardInterrupt:
        return 130
    print_report(console, report)
    if options.html:
        try:
            written = html.write(options.html, report)
        except OSError as exc:
            print(f"voicesim load: cannot write {options.html}: {exc}", file=sys.stderr)
            return 2
        console.print(f"HTML report: {written}", highlight=False, soft_wrap=True)
    return 0
