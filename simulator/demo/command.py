"""``voicesim demo`` on the command line: its options, and running it."""
from __future__ import annotations

import argparse
import asyncio

from rich.console import Console

from .runner import Demo, DemoOptions
from .traffic import CALLING_CODES


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``voicesim demo`` and its options."""
    p = sub.add_parser("demo", help="run the simulator with a built-in SP and generated traffic, shown live",
                       description="Start the simulator and a built-in SP receiver in one process, generate "
                                   "calls with faker and show them live; the dashboard is at /_sim/ui meanwhile.")
    d = DemoOptions()
    p.add_argument("--rate", type=float, default=d.rate, help=f"calls per simulated second (default {d.rate:g})")
    p.add_argument("--duration", type=float, default=d.duration,
                   help=f"simulated seconds of traffic (default {d.duration:g})")
    p.add_argument("--locale", default=d.locale, choices=sorted(CALLING_CODES), metavar="LOCALE",
                   help=f"faker locale of the callee numbers and userData (default {d.locale}; "
                        f"one of {', '.join(sorted(CALLING_CODES))})")
    p.add_argument("--scenario", dest="scenarios", action="append", metavar="NAME_OR_FILE",
                   help="scenario deciding how calls end: a shipped name (see `voicesim scenarios`) or a "
                        "YAML file; repeat for more, the first that matches a call wins (default: the demo's "
                        "own mix of answered, short, unanswered, busy, rejected and unreachable calls)")
    p.add_argument("--seed", type=int, default=None, help="seed for the traffic: same seed, same calls")
    p.add_argument("--speed", type=float, default=d.speed, help="simulated seconds per real second (default 1)")
    p.add_argument("--host", default=d.host, help=f"address of the simulator (default {d.host})")
    p.add_argument("--port", type=int, default=d.port, help=f"port of the simulator, 0 for any (default {d.port})")
    p.add_argument("--call-ports", type=int, default=d.call_ports,
                   help=f"the platform's call ports (default {d.call_ports})")
    p.add_argument("--sp-error-rate", type=float, default=d.sp_error_rate,
                   help="share of pushes the built-in SP refuses with HTTP 500, 0-1 (default 0)")
    p.add_argument("--keep-serving", action="store_true",
                   help="after the summary, keep the simulator and dashboard up until Ctrl-C")


def command(args: argparse.Namespace, console: Console | None = None) -> int:
    """Run ``voicesim demo``; 2 for bad options."""
    options = DemoOptions(rate=args.rate, duration=args.duration, locale=args.locale,
                          scenarios=tuple(args.scenarios or ()), seed=args.seed, speed=args.speed,
                          host=args.host, port=args.port, call_ports=args.call_ports,
                          sp_error_rate=args.sp_error_rate, keep_serving=args.keep_serving, tune_gc=True)
    console = console or Console()
    try:
        demo = Demo(options, console)
    except ValueError as exc:
        console.print(f"voicesim demo: {exc}", style="red", highlight=False)
        return 2
    try:
        asyncio.run(demo.run())
    except OSError as exc:
        console.print(f"voicesim demo: cannot listen on {options.host}:{options.port}: {exc}", style="red")
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
