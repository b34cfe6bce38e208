"""(c) Bytes per live call: N verification-code calls held live in one fresh process, journal on.

Each call is placed as the API places it (the platform's call_verify, and the request with its
body and answer recorded in the journal), on a manual clock so every call stays live. The
request names a feeUrl but no statusUrl: a live call holds no push (a status push is on the
wire for milliseconds; (b) measures pushes). RSS growth over N, after a full collection, is
the figure.

    python benchmarks/_memory.py N [calls-only]    (prints one JSON line)

``calls-only`` leaves the request records out: what the platform holds per call without the
journal's copy of each request and answer.
"""
from __future__ import annotations

import asyncio
import base64
import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulator import Platform, Settings, create_app
from simulator.config import DEMO_APP_KEY
from simulator.control import JOURNAL

PATH = "/rest/httpsessions/callVerify/v1.0"


def rss() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


async def main(n: int, requests: bool) -> None:
    platform = Platform(Settings(manual_clock=True))
    app = create_app(platform=platform)
    journal = app[JOURNAL]
    platform.ports.capacity = n  # memory is measured here, not the 65535-port limit
    owner = platform.apps[DEMO_APP_KEY]
    fee_url = "http://127.0.0.1:9/fee"
    fee_b64 = base64.b64encode(fee_url.encode()).decode()
    gc.collect()
    before = rss()
    started = time.perf_counter()
    for i in range(n):
        callee = f"+86138{i:08d}"
        body = json.dumps({"displayNbr": "+8675528000002", "calleeNbr": callee, "languageType": 2,
                           "preTone": "pretone.wav", "verifyCode": "123456", "feeUrl": fee_b64}).encode()
        call = platform.call_verify(owner, "+8675528000002", callee, "123456", 3, "pretone.wav",
                                    fee_url=fee_url)
        answer = f'{{"resultcode":"0","resultdesc":"Success","sessionId":"{call.session_id}"}}'.encode()
        if requests:
            journal.request("POST", PATH, 200, body, answer)
    elapsed = time.perf_counter() - started
    gc.collect()
    grown = rss() - before
    print(json.dumps({"calls": n, "live": len(platform.engine.live), "bytes_per_call": grown / n,
                      "rss_growth_mib": grown / 2**20, "placed_per_s": n / elapsed}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2:] != ["calls-only"]))
