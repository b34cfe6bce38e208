"""Call ports: idlePort tracks live calls; the pool and each app's quota refuse past their limit."""
from __future__ import annotations

import pytest

from simulator.config import Settings
from simulator.engine import PortPool


async def ask(sim, i=0):
    return await sim.client.call_verify(**sim.verify_request(calleeNbr=f"+8613900000{i:03d}", returnIdlePort="true"))


async def test_idle_ports_go_down_per_live_call_and_back_at_hangup(make_sim):
    sim = await make_sim(call_ports=5)
    idle = [(await ask(sim, i))["idlePort"] for i in range(3)]
    assert idle == [4, 3, 2]
    await sim.advance(60)  # every call has hung up
    assert (await ask(sim, 9))["idlePort"] == 4


async def test_at_capacity_the_platform_answers_insufficient_ports(make_sim):
    sim = await make_sim(call_ports=2)
    assert [(await ask(sim, i))["resultcode"] for i in range(2)] == ["0", "0"]
    refused = await ask(sim, 3)
    assert (refused.status, refused["resultcode"], refused["resultdesc"]) == (503, "1020154",
                                                                             "Insufficient voice ports.")
    assert refused["sessionId"] == ""
    await sim.advance(60)
    assert (await ask(sim, 4))["resultcode"] == "0"
    # the refused request placed no call: 3 calls, 3 bills
    await sim.advance(60)
    assert len(sim.receiver.bills()) == 3


async def test_zero_ports_refuses_everything(make_sim):
    sim = await make_sim(call_ports=0)
    assert (await ask(sim))["resultcode"] == "1020154"


async def test_app_quota(make_sim):
    sim = await make_sim(app_quota=2)
    assert [(await ask(sim, i))["resultcode"] for i in range(2)] == ["0", "0"]
    refused = await ask(sim, 2)
    assert (refused.status, refused["resultcode"]) == (403, "1020165")
    assert refused["resultdesc"] == "The number of app_key voice call ports exceeds the upper limit."
    await sim.advance(60)
    assert (await ask(sim, 3))["resultcode"] == "0"


def test_idle_never_leaves_0_to_65535():
    pool = PortPool(3)
    for _ in range(3):
        pool.acquire("a", None)
    pool.capacity = 1  # lowered below the live count at run time
    assert pool.idle == 0
    assert PortPool(10**6).idle == 65535


def test_call_ports_setting_range():
    with pytest.raises(ValueError, match="call_ports must be 0-65535"):
        Settings(call_ports=65536).check()
