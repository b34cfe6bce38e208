"""Pure rules: notification and callback scripts, digit sources."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.engine import DigitSource
from simulator.engine.call import END, ENDINGS
from simulator.engine.scripts import COLLECT, Play, callback_script, notify_script


def _digits(*seq):
    it = iter(seq)
    return lambda n: next(it)[:n]


def test_notify_script_without_collection_hangs_up_after_playing():
    plan = notify_script(1, 3, [Play(5.0), Play(4.0, tts=True)], _digits(), 2, 5, 2)
    assert [s.kind for s in plan.script][-1] == END
    assert plan.script[-1].delay == 9.0 and plan.script[-1].arg == ENDINGS["normal"]
    assert (plan.tts_plays, plan.tts_seconds) == (1, 4.0)


def test_notify_script_replays_are_capped():
    plan = notify_script(1, 3, [Play(2.0, collect=1, replay_on="9")], _digits("9", "9", "9", "9"), 2, 5, 2)
    assert [s.arg for s in plan.script if s.kind == COLLECT] == ["9", "9", "9"]  # first play + 2 replays


@given(st.lists(st.tuples(st.floats(0, 60), st.integers(0, 32)), min_size=1, max_size=5),
       st.lists(st.text("0123456789", max_size=4), min_size=5, max_size=5))
def test_notify_script_always_ends_once_at_the_end(items, presses):
    plays = [Play(round(sec, 3), collect) for sec, collect in items]
    it = iter(presses)
    plan = notify_script(1, 3, plays, lambda n: next(it)[:n], 2, 5, 2)
    kinds = [s.kind for s in plan.script]
    assert kinds.count(END) == 1 and kinds[-1] == END
    assert all(s.delay >= 0 for s in plan.script)


def test_callback_max_duration_only_when_reached():
    assert callback_script(1, 3, 0, 30, 60)[-1].arg == ENDINGS["normal"]
    last = callback_script(1, 3, 0, 90, 60)[-1]
    assert (last.delay, last.arg) == (60, ENDINGS["max_duration"])


def test_digit_source_order_of_precedence():
    src = DigitSource(fixed="777", seed=1)
    src.press("12345", "")
    assert [src.draw(3), src.draw(3), src.draw(2)] == ["123", "", "77"]
    drawn = [DigitSource(seed=3).draw(6) for _ in range(2)]
    assert drawn[0] == drawn[1] and drawn[0].isdigit()  # seeded: reproducible
