"""The bare baseline of complete calls/s: an aiohttp server answering callVerify plus an aiohttp client
posting the same pushes (four status events, then the bill) to the URLs the request names. Nothing else:
no signature check, no field rules, no clock, no journal. Bills ending within the same millisecond
travel together, <= 50 a message, as the simulator's do at --speed 1000 (one simulated second).

    python benchmarks/_bare_calls.py PORT
"""
from __future__ import annotations

import asyncio
import base64
import itertools
import json
import sys
import time
from typing import Any

import aiohttp
from aiohttp import web

HEADERS = {
    "Content-Type": "application/json;charset=UTF-8",
    "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
    "X-AKSK": 'UsernameToken Username="voicesimDemoAppKey0000000001",PasswordDigest="'
              + "x" * 44 + '",Nonce="' + "0" * 32 + '",Created="2026-01-01T00:00:00Z"',
}
ANSWER_HEADERS = {"Content-Type": "application/json;charset=UTF-8"}
EVENTS = ("callout", "alerting", "answer", "disconnect")
ids = itertools.count(1)
MERGE = 0.001
tasks: set[asyncio.Task[Any]] = set()
session: aiohttp.ClientSession | None = None
bills: dict[str, list[dict[str, Any]]] = {}  # fee URL -> bills waiting to leave


def _stamp() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


async def pushes(sid: str, doc: dict[str, Any]) -> None:
    assert session is not None
    status_url = base64.b64decode(doc["statusUrl"]).decode()
    fee_url = base64.b64decode(doc["feeUrl"]).decode()
    for event in EVENTS:
        info: dict[str, Any] = {"sessionId": sid, "timestamp": _stamp(), "caller": doc["displayNbr"],
                                "called": doc["calleeNbr"]}
        if event == "disconnect":
            info.update(stateCode=0, stateDesc="The user releases the call.")
        body = json.dumps({"eventType": event, "statusInfo": info}, separators=(",", ":")).encode()
        async with session.post(status_url, data=body, headers=HEADERS) as resp:
            await resp.read()
    now = _stamp()
    bill = {"direction": 0, "spId": "voicesim_sp", "appKey": "voicesimDemoAppKey0000000001",
            "icid": f"CAE-{sid[-12:]}", "bindNum": doc["displayNbr"], "sessionId": sid,
            "callerNum": doc["displayNbr"], "calleeNum": doc["calleeNbr"], "callOutStartTime": now,
            "callOutAlertingTime": now, "callOutAnswerTime": now, "callEndTime": now, "ulFailReason": 0,
            "recordFlag": 0, "ttsPlayTimes": 3, "ttsTransDuration": 12, "serviceType": "001",
            "hostName": "callenabler245.huaweicaas.com"}
    waiting = bills.get(fee_url)
    if waiting is None:
        bills[fee_url] = waiting = []
        asyncio.get_running_loop().call_later(MERGE, flush, fee_url)
    waiting.append(bill)


def flush(fee_url: str) -> None:
    waiting = bills.pop(fee_url, [])
    for i in range(0, len(waiting), 50):
        spawn(post_bills(fee_url, waiting[i:i + 50]))


async def post_bills(fee_url: str, part: list[dict[str, Any]]) -> None:
    assert session is not None
    body = json.dumps({"eventType": "fee", "feeLst": part}, separators=(",", ":")).encode()
    async with session.post(fee_url, data=body, headers=HEADERS) as resp:
        await resp.read()


def spawn(coro: Any) -> None:
    task = asyncio.create_task(coro)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def handle(request: web.Request) -> web.Response:
    doc = json.loads(await request.read())
    n = next(ids)
    sid = f"1201_{n % 1000}_{n}_20260101000000@callenabler245.huaweicaas.com"
    spawn(pushes(sid, doc))
    body = f'{{"resultcode":"0","resultdesc":"Success","sessionId":"{sid}"}}'.encode()
    return web.Response(body=body, headers=ANSWER_HEADERS)


async def on_startup(_: web.Application) -> None:
    global session
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))


async def on_cleanup(_: web.Application) -> None:
    if session is not None:
        await session.close()


def main() -> None:
    app = web.Application()
    app.router.add_post("/rest/httpsessions/callVerify/v1.0", handle)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
