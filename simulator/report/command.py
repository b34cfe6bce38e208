"""``voicesim report``: the SP integration report of a running simulator (its control API) or of a data dir.

Exit status: 0, or 1 when ``--fail-on`` names a severity some finding reaches, or 2
when the report cannot be had (no simulator there, no journal in the directory).
"""
from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
from typing import Any

import aiohttp
from rich.console import Console

from .analysis import SLOW_AFTER, analyze
from .model import SEVERITIES, Report
from .render import junit, markdown, terminal
from .sources import NoJournal, from_data_dir

DEFAULT_URL = "http://127.0.0.1:8090"
FETCH_TIMEOUT = 60.0  # seconds for the simulator to answer


class Unavailable(Exception):
    """The report cannot be had from where the user pointed."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` to the command line."""
    p = sub.add_parser("report", help="list what an SP backend got wrong, from a running simulator or a data dir",
                       description="List every problem the journal shows (signing mistakes, field errors, push "
                                   "answers, use of the API), grouped, with how often, an example, the spec section "
                                   "and the fix.")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--url", default=None, help=f"a running simulator (default {DEFAULT_URL})")
    source.add_argument("--data-dir", default=None, help="read the journal a simulator kept in DIR instead")
    p.add_argument("--control-token", default=os.environ.get("VOICESIM_CONTROL_TOKEN"),
                   help="the simulator's --control-token [env VOICESIM_CONTROL_TOKEN]")
    p.add_argument("--format", choices=("terminal", "markdown", "junit"), default="terminal",
                   help="terminal (default), markdown, or junit (JUnit XML for CI)")
    p.add_argument("--output", "-o", default=None, metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--fail-on", choices=SEVERITIES, default=None,
                   help="exit 1 if a finding is at this severity or worse (JUnit failures follow it too)")
    p.add_argument("--slow-after", type=_positive, default=SLOW_AFTER, metavar="SECONDS",
                   help=f"report an SP URL whose p99 answer time is above this (default {SLOW_AFTER:g})")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def command(args: argparse.Namespace) -> int:
    """Run ``voicesim report``."""
    try:
        report = _from_data_dir(args) if args.data_dir else asyncio.run(_fetch(args))
    except Unavailable as exc:
        print(f"voicesim: {exc}", file=sys.stderr)
        return 2
    text = render(report, args.format, args.fail_on, to_terminal=args.output is None)
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            print(f"voicesim: cannot write {args.output}: {exc}", file=sys.stderr)
            return 2
    return 1 if args.fail_on and report.failing(args.fail_on) else 0


def render(report: Report, fmt: str, fail_on: str | None, to_terminal: bool = False) -> str:
    """The report in ``fmt`` (terminal, markdown, junit); terminal text has colours only for a terminal."""
    if fmt == "markdown":
        return markdown(report)
    if fmt == "junit":
        return junit(report, fail_on)
    buffer = io.StringIO()
    colours = to_terminal and sys.stdout.isatty()
    console = Console(file=buffer, force_terminal=colours, color_system="auto" if colours else None,
                      width=Console().width if colours else 110, highlight=False)
    terminal(report, console)
    return buffer.getvalue()


def _from_data_dir(args: argparse.Namespace) -> Report:
    try:
        return analyze(from_data_dir(args.data_dir), args.slow_after)
    except NoJournal as exc:
        raise Unavailable(str(exc)) from None


async def _fetch(args: argparse.Namespace) -> Report:
    base = (args.url or DEFAULT_URL).rstrip("/")
    headers = {"Authorization": f"Bearer {args.control_token}"} if args.control_token else {}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=FETCH_TIMEOUT)) as session:
            async with session.get(base + "/_sim/report", params={"slowAfter": repr(args.slow_after)},
                                   headers=headers) as resp:
                doc: Any = await resp.json(content_type=None)
                status = resp.status
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
        raise Unavailable(f"cannot read the report of {base}: {exc or type(exc).__name__}") from None
    if status == 401:
        raise Unavailable(f"{base} wants its control token: --control-token or VOICESIM_CONTROL_TOKEN")
    if status != 200:
        raise Unavailable(f"{base}/_sim/report answered HTTP {status}: {doc}")
    try:
        return Report.from_json(doc)
    except ValueError as exc:
        raise Unavailable(f"{base}/_sim/report is not a voicesim report: {exc}") from None
