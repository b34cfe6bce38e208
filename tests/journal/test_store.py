"""The data dir's writer: what it cannot store is refused before it enters state, and a write that fails
anyway never stops it (the entry is given up alone, health and metrics say so)."""
from __future__ import annotations

import asyncio

from simulator.cli import main
from simulator.journal import RequestEntry, Store, unstorable

from ..control.test_metrics import parse, sample

SURROGATE = "k\ud800"


def _request(seq: int, path: str) -> RequestEntry:
    return RequestEntry(seq, 1000.0 + seq, "POST", path, 200, "0", b"{}", b'{"resultcode":"0"}')


def test_unstorable_names_what_cannot_be_kept():
    assert unstorable({"key": "k", "n": [1, 2.5, None, True, b"x"], "t": ("\u00e9", -(2**63))}) is None
    assert "surrogate" in unstorable({"key": ["ok", SURROGATE]})
    assert "surrogate" in unstorable({SURROGATE: 1})
    assert "64 bits" in unstorable([2**63])
    assert "not finite" in unstorable({"d": float("nan")})
    assert "not finite" in unstorable(float("-inf"))
    assert "type object" in unstorable(object())


def test_an_entry_that_cannot_be_written_is_given_up_alone_and_the_writer_goes_on(tmp_path):
    store = Store(str(tmp_path), lambda: 1234.5)
    for seq, path in ((1, "/a"), (2, "/b" + SURROGATE), (3, "/c")):  # one batch: the bad entry in the middle
        store.request(_request(seq, path))
    store.start()
    store.close()
    assert [r["seq"] for r in store.load().requests] == [1, 3]
    assert store.entries_lost == 1 and store.write_errors >= 1 and store.backlog == 0 and not store.failing
    assert store.degraded is not None
    assert store.degraded.startswith("1 journal entry could not be written to the data dir (last error: "
                                     "UnicodeEncodeError: 'utf-8' codec can't encode"), store.degraded

    store.start()  # the writer is alive and well: later entries still reach the disk
    store.request(_request(4, "/d"))
    store.close()
    history = store.load()
    assert [r["seq"] for r in history.requests] == [1, 3, 4] and history.clock == 1234.5


async def test_an_app_the_data_dir_cannot_keep_is_refused_and_nothing_breaks(make_sim, tmp_path):
    sim = await make_sim(data_dir=str(tmp_path / "data"))
    bad = await sim.control_api.request("POST", "apps", {"key": SURROGATE, "secret": "s"})
    assert bad.status == 400 and bad["status"] == 400 and "surrogate" in bad["error"], bad.body
    bad = await sim.control_api.request("POST", "apps", {"key": "k", "secret": "s", "spId": "sp\udfff"})
    assert bad.status == 400 and "surrogate" in bad["error"], bad.body
    apps = await sim.control_api.request("GET", "apps")
    assert apps.status == 200 and [a["key"] for a in apps["apps"]] == [sim.settings.app_key]

    reply = await sim.client.call_verify(**sim.verify_request())
    assert reply["resultcode"] == "0"
    await sim.advance(60)
    for _ in range(500):  # the writer thread commits within moments (real time: it is another thread)
        health = await sim.control_api.health()
        if health["journal"]["backlog"] == 0:
            break
        await asyncio.sleep(0.01)
    assert health["journal"]["backlog"] == 0
    assert health["status"] == "ok" and health["journal"]["error"] is None and health["journal"]["entriesLost"] == 0
    samples = parse(await sim.control_api.metrics())
    assert sample(samples, "voicesim_journal_degraded") == 0
    assert sample(samples, "voicesim_journal_entries_lost_total") == 0
    assert (await sim.control_api.call(reply["sessionId"]))["state"] == "ended"


def test_serve_refuses_an_app_key_it_could_not_store(tmp_path, capsys):
    # undecodable bytes in a flag reach Python as lone surrogates (surrogateescape)
    assert main(["serve", "--app-key", "key\udcff", "--data-dir", str(tmp_path), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("voicesim: app_key must be 1-128 letters, digits"), err  # named before it is stored
