"""``voicesim``: serve the simulator, run the demo or a load run, check scenarios, sign requests, send a
verification code, report what an SP backend got wrong."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Sequence

import aiohttp

from . import collector, config, demo, front, tls
from . import load as load_mode
from .auth import request_headers
from .client import VoiceClient, b64
from .report import command as report
from .scenarios import ScenarioError, load, shipped
from .version import __version__

HELP = {
    "host": "address to listen on (default 127.0.0.1)",
    "port": "port to listen on (default 8090)",
    "speed": "simulated seconds per real second (default 1; 3600 makes the 1 h bill retry 1 s)",
    "call_ports": "the platform's call ports, 0-65535: live calls it can hold (default 65535)",
    "app_key": "key of the app the simulator accepts (default: the demo app's)",
    "app_secret": "secret of that app (default: the demo app's)",
    "app_quota": "concurrent calls the app may have, or 'unlimited' (default); the real platform's usual is 10",
    "display_numbers": "comma-separated display numbers the app owns (default +8675528000002)",
    "status_url": "the app's status URL, used when a request has no statusUrl",
    "fee_url": "the app's bill URL, used when a request has no feeUrl",
    "auth_window": "seconds a request's Created stamp may be off (default 300)",
    "reject_replay": "refuse a nonce seen before within the window: true (default) or false",
    "push_newlines": "push digest joins url, nonce, created with newlines: true (default) or false",
    "push_timeout": "seconds to wait for the SP to answer a push (default 10)",
    "bill_retry_interval": "simulated seconds between bill re-pushes (default 3600)",
    "bill_max_retries": "bill re-pushes after the first attempt (default 6)",
    "bill_merge_delay": "seconds after a bill's end second before its message leaves (default 1)",
    "keep_deliveries": "finished pushes remembered for /_sim/deliveries (default 100000)",
    "push_queue": "pushes waiting per SP origin (scheme, host, port); past it, status events to that origin are "
                  "not sent (bills still wait their turn) (default 10000)",
    "push_senders": "pushes on the wire at once per SP origin, one connection each (default 64)",
    "callback_talk": "seconds A and B talk in a voice callback once B answers (default 30)",
    "collect_digits": "digits every notification user presses when asked ('' = none; default: drawn by faker)",
    "record_domain": "recordDomain of recordings in callback bills (default record.voicesim.local)",
    "data_dir": "directory for the journal's SQLite file; what is owed to SPs survives restarts there",
    "control_token": "make /_sim/* demand 'Authorization: Bearer <token>'",
    "manual_clock": "true: time stands still until POST /_sim/clock advances it (default false)",
    "journal_keep": "entries of each kind the journal keeps in memory (default 100000)",
    "clock_max_step": "most simulated seconds a scaled clock moves when the process stalls (default 60)",
    "keepalive_timeout": "seconds an idle connection, or one still sending its headers, stays open (default 75)",
    "body_timeout": "seconds a request's body may take to arrive after its headers (default 30)",
    "tls_cert": "serve HTTPS with this certificate (PEM, chain included); needs --tls-key",
    "tls_key": "the private key (PEM) of --tls-cert",
    "tls_self_signed": "true: serve HTTPS with a certificate from a local CA made for localhost, 127.0.0.1, ::1 "
                       "and --host; prints the CA file to trust (kept in --data-dir/tls, else a temp dir)",
    "tls_names": "comma-separated extra host names or addresses for the --tls-self-signed certificate "
                 "(e.g. a compose service name)",
    "push_ca_file": "CA certificates (PEM) trusted for pushes to https:// SP URLs, besides the system's",
    "allowed_origins": "comma-separated browser origins (scheme://host:port, or *) besides the dashboard's own "
                       "that may POST to /_sim/* (default none)",
    "allowed_hosts": "comma-separated Host names /_sim/* answers besides IP addresses, localhost and --host "
                     "(e.g. the compose service name; * for any)",
}


def _serve_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("serve", help="run the simulator",
                       description="Run the simulator. Every option can also be given as an environment "
                                   "variable VOICESIM_<NAME> (e.g. VOICESIM_CALL_PORTS=10); flags win.")
    p.add_argument("--config", help="YAML file with settings, apps and media (env VOICESIM_CONFIG)")
    for name, parse in config.ENV_PARSERS.items():
        flag = "--" + name.replace("_", "-")
        p.add_argument(flag, dest=name, type=parse, default=None,
                       help=f"{HELP[name]} [env VOICESIM_{name.upper()}]")
    p.add_argument("--scenario", dest="scenarios", action="append", default=None, metavar="FILE_OR_NAME",
                   help="a scenario file or shipped name (see `voicesim scenarios`); repeat for more, the first "
                        "match wins, the default catches the rest [env VOICESIM_SCENARIOS, comma-separated]")
    p.add_argument("--loop", choices=("asyncio", "uvloop"), default=os.environ.get("VOICESIM_LOOP", "asyncio"),
                   help="event loop: asyncio (default) or uvloop (pip install 'voicesim[uvloop]'; "
                        "10-15%% more requests/s) [env VOICESIM_LOOP]")
    p.add_argument("--seed", type=int, default=None,
                   help="seed for every scenario's draws, overriding their own [env VOICESIM_SEED]")


def _client_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--app-key", default=os.environ.get("VOICESIM_APP_KEY", config.DEMO_APP_KEY),
                   help="app key (default: the demo app's, or VOICESIM_APP_KEY)")
    p.add_argument("--app-secret", default=os.environ.get("VOICESIM_APP_SECRET", config.DEMO_APP_SECRET),
                   help="app secret (default: the demo app's, or VOICESIM_APP_SECRET)")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(prog="voicesim", description=__doc__)
    parser.add_argument("--version", action="version", version=f"voicesim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _serve_parser(sub)
    sign = sub.add_parser("sign", help="print the Authorization and X-AKSK headers of a signed request")
    _client_args(sign)
    sign.add_argument("--curl", action="store_true", help="print them as curl -H arguments")
    verify = sub.add_parser("verify", help="ask a running simulator (or the platform) for a verification code")
    _client_args(verify)
    verify.add_argument("--base-url", default="http://127.0.0.1:8090", help="default http://127.0.0.1:8090")
    verify.add_argument("--callee", default="+8613800000000", help="number to call, global format")
    verify.add_argument("--display", default=config.DEMO_DISPLAY_NUMBER, help="the app's display number")
    verify.add_argument("--code", default="123456", help="the digits to speak")
    verify.add_argument("--times", type=int, default=None, help="plays of the code, 0-9")
    verify.add_argument("--status-url", help="where status events go (sent Base64-encoded)")
    verify.add_argument("--fee-url", help="where bills go (sent Base64-encoded)")
    verify.add_argument("--user-data", help="echoed in every push of the call")
    _scenario_parsers(sub)
    demo.add_parser(sub)
    report.add_parser(sub)
    load_mode.add_parser(sub)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from .app import create_app

    flags = {name: getattr(args, name) for name in config.ENV_PARSERS}
    flags["scenarios"] = tuple(args.scenarios) if args.scenarios else None
    flags["seed"] = args.seed
    try:
        settings = config.build(flags, os.environ, args.config)
        app = create_app(settings)
        server_tls = tls.server_tls(settings)
    except (ValueError, OSError) as exc:
        print(f"voicesim: {exc}", file=sys.stderr)
        return 2

    async def tune_collector(_: web.Application) -> None:
        collector.tune()  # last of the start-up hooks: what start-up made is frozen

    app.on_startup.append(tune_collector)
    if args.loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            print("voicesim: --loop uvloop needs uvloop: pip install 'voicesim[uvloop]'", file=sys.stderr)
            return 2
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    scheme = "http" if server_tls is None else "https"
    print(f"voicesim {__version__} serving the voice platform at {scheme}://{settings.host}:{settings.port}")
    print(f"  app key:    {settings.app_key}")
    print(f"  app secret: {settings.app_secret}")
    print(f"  display:    {', '.join(settings.display_numbers)}")
    print(f"  call ports: {settings.call_ports}   speed: x{settings.speed:g}")
    print(f"  scenarios:  {', '.join(settings.scenarios + ('default',))}")
    for line in server_tls.banner() if server_tls is not None else ():
        print(line)
    sys.stdout.flush()
    front.run(app, settings.host, settings.port, server_tls.context if server_tls is not None else None)
    return 0


def _scenario_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("scenarios", help="list the shipped scenarios, one line each")
    p = sub.add_parser("validate", help="check scenario files (or shipped names) and name every problem")
    p.add_argument("files", nargs="+", metavar="FILE")


def _list_scenarios(args: argparse.Namespace) -> int:
    found = shipped()
    width = max(map(len, found), default=0)
    for name in found:
        try:
            description = load(name).description
        except ScenarioError as exc:  # a broken shipped file is a bug; say so rather than hide it
            description = f"INVALID: {exc.problems[0]}"
        print(f"{name.ljust(width)}  {description}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    # every problem as ``file:line: field: message``; 0 only if all are valid
    bad = 0
    for spec in args.files:
        try:
            scenario = load(spec)
        except ScenarioError as exc:
            bad += 1
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            continue
        print(f"{spec}: ok ({scenario.name})")
    return 1 if bad else 0


def _sign(args: argparse.Namespace) -> int:
    headers = request_headers(args.app_key, args.app_secret)
    for name, value in headers.items():
        print(f"-H '{name}: {value}'" if args.curl else f"{name}: {value}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    body: dict[str, object] = {"displayNbr": args.display, "calleeNbr": args.callee, "languageType": 2,
                               "preTone": "pretone.wav", "verifyCode": args.code, "returnIdlePort": "true"}
    if args.times is not None:
        body["times"] = args.times
    if args.status_url:
        body["statusUrl"] = b64(args.status_url)
    if args.fee_url:
        body["feeUrl"] = b64(args.fee_url)
    if args.user_data:
        body["userData"] = args.user_data

    async def send() -> int:
        async with VoiceClient(args.base_url, args.app_key, args.app_secret) as client:
            reply = await client.call_verify(**body)
        print(f"HTTP {reply.status}")
        print(json.dumps(reply.body, indent=2, ensure_ascii=False))
        return 0 if reply.get("resultcode") == "0" else 1

    try:
        return asyncio.run(send())
    except (OSError, ValueError, aiohttp.ClientError) as exc:  # unreachable, or no URL at all
        print(f"voicesim: cannot reach {args.base_url}: {exc}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``voicesim`` command."""
    args = build_parser().parse_args(argv)
    commands = {"serve": _serve, "sign": _sign, "verify": _verify, "demo": demo.command,
                "scenarios": _list_scenarios, "validate": _validate, "report": report.command,
                "load": load_mode.command}
    return commands[args.command](args)
