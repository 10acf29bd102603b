"""The state mirror: tolerance, track lists, names, and waits with timeouts.

Waits that must time out use tiny timeouts; waits that must succeed get a
generous bound and return as soon as the value is there. Only the returned
booleans are asserted, never durations.
"""

from __future__ import annotations

import math
import threading

import pytest

from bridge.dialects.base import MASTER, TrackList, Update
from bridge.dialects.reaper import ReaperDialect
from bridge.mixer.mirror import Mirror

TINY = 0.01
"""A timeout that must expire, in s."""

WAIT = 5.0
"""A bound for waits that must succeed, in s (they return at once when they do)."""


def apply_soon(mirror: Mirror, update: Update) -> threading.Timer:
    """Apply ``update`` from another thread shortly after the caller starts waiting."""
    timer = threading.Timer(0.02, mirror.apply, args=(update,))
    timer.start()
    return timer


# ---- tolerance ----


def test_an_echo_within_tolerance_keeps_the_exact_value() -> None:
    m = Mirror()
    m.assume(1, "volume_db", -6.3)  # what we set; REAPER will not echo /volume/db
    generation = m.generation
    m.apply(Update(1, "volume_db", -6.30, 0.005))  # its "-6.30dB" text
    m.apply(Update(1, "volume_db", -6.3000002, 1e-5))  # a float32 echo
    assert m.get(1, "volume_db") == -6.3
    assert m.generation == generation  # nothing changed


def test_a_value_beyond_tolerance_or_without_one_overwrites() -> None:
    now = [0.0]
    m = Mirror(clock=lambda: now[0])
    m.assume(1, "volume_db", -6.3)
    m.apply(Update(1, "volume_db", -6.30, 0.005))  # confirmed: no longer pending
    assert m.get(1, "volume_db") == -6.3
    assert not m.pending(1, "volume_db")
    m.apply(Update(1, "volume_db", -6.31, 0.005))  # moved in the DAW: a new text
    assert m.get(1, "volume_db") == -6.31
    m.apply(Update(1, "volume_db", -6.3100001))  # tolerance 0: always stored
    assert m.get(1, "volume_db") == -6.3100001


def test_a_report_sent_before_our_set_does_not_undo_it() -> None:
    # REAPER reports every value of a track after each change; a report about
    # an earlier change can arrive after our newer set was recorded.
    now = [0.0]
    m = Mirror(clock=lambda: now[0])
    m.assume(2, "pan", 0.4)
    m.apply(Update(2, "pan", 0.0, 1e-6))  # stale: sent before the DAW applied 0.4
    assert m.get(2, "pan") == 0.4
    assert m.pending(2, "pan")
    m.apply(Update(2, "pan", 0.4, 0.005))  # the DAW's report of our set
    assert m.get(2, "pan") == 0.4
    assert not m.pending(2, "pan")


def test_the_daws_last_word_wins_once_the_pending_time_runs_out() -> None:
    now = [0.0]
    m = Mirror(clock=lambda: now[0])
    m.assume(3, "volume_db", 12.0)  # the DAW clamps it and reports +6 dB
    m.apply(Update(3, "volume_db", 6.0206, 1e-4))
    assert m.get(3, "volume_db") == 12.0
    now[0] += m.pending_s + 0.01
    assert m.get(3, "volume_db") == 6.0206
    assert not m.pending(3, "volume_db")


def test_infinities_and_bools_compare_exactly() -> None:
    now = [0.0]
    m = Mirror(clock=lambda: now[0])
    m.assume(1, "volume_db", -math.inf)
    m.apply(Update(1, "volume_db", -150.0, 0.005))  # not a confirmation of -inf
    assert m.pending(1, "volume_db")
    now[0] += m.pending_s
    assert m.get(1, "volume_db") == -150.0
    m.apply(Update(1, "volume_db", -math.inf, 0.005))
    assert m.get(1, "volume_db") == -math.inf
    m.assume(1, "mute", True)
    m.apply(Update(1, "mute", False, 0.5))  # a bool is never "close" to another
    assert m.pending(1, "mute")
    now[0] += m.pending_s
    assert m.get(1, "mute") is False


def test_a_rounded_reaper_echo_through_the_dialect_keeps_the_set_value() -> None:
    m, reaper = Mirror(), ReaperDialect()
    m.assume(2, "pan", -0.333)
    for item in reaper.decode("/track/2/pan/str", ["33%L"]):
        assert isinstance(item, Update)
        m.apply(item)
    assert m.get(2, "pan") == -0.333
    for item in reaper.decode("/track/2/pan/str", ["40%L"]):
        assert isinstance(item, Update)
        m.apply(item)
    assert m.get(2, "pan") == pytest.approx(-0.4, abs=1e-12)


# ---- track lists and names ----


def test_a_new_track_list_drops_the_values_of_ids_whose_track_changed() -> None:
    m = Mirror()
    m.apply_list(TrackList(((1, "Kick"), (2, "Snare"), (3, "Bass"))))
    for tid in (1, 2, 3):
        m.apply(Update(tid, "volume_db", -float(tid)))
    m.apply(Update(MASTER, "volume_db", -1.0))
    m.apply(Update(None, "playing", True))
    # "Snare" was removed: Ardour's strip ids shift down.
    m.apply_list(TrackList(((1, "Kick"), (2, "Bass")), rate=48_000))
    assert m.get(1, "volume_db") == -1.0  # same track, same id: kept
    assert not m.has(2, "volume_db")  # id 2 is another track now
    assert not m.has(3, "volume_db")  # gone
    assert not m.has(3, "name")
    assert m.get(2, "name") == "Bass"
    assert m.get(MASTER, "volume_db") == -1.0
    assert m.get(None, "playing") is True
    assert m.tracks() == [(1, "Kick"), (2, "Bass")]
    assert m.listed
    assert m.rate == 48_000


def test_names_resolve_exactly_first_then_case_insensitively() -> None:
    m = Mirror()
    m.apply_list(TrackList(((1, "vox"), (2, "Vox"), (3, "Gtr"))))
    assert m.track_id("Vox") == 2
    assert m.track_id("vox") == 1
    assert m.track_id("VOX") == 1  # no exact match: the first case-insensitive one
    assert m.track_id("gtr") == 3
    assert m.track_id("Bass") is None


def test_reaper_renames_update_the_name_map_and_an_empty_name_clears_the_slot() -> None:
    m, reaper = Mirror(), ReaperDialect()

    def feed(address: str, *args: object) -> None:
        for item in reaper.decode(address, args):
            assert isinstance(item, Update)
            m.apply(item)

    feed("/track/3/name", "Gtr")
    feed("/track/4/name", "Keys")
    assert m.track_id("Gtr") == 3
    feed("/track/3/name", "Guitar")
    assert m.track_id("Gtr") is None
    assert m.track_id("guitar") == 3
    feed("/track/3/name", "")
    assert m.tracks() == [(4, "Keys")]
    assert m.track_id("Guitar") is None
    assert not m.listed  # names from feedback are not a complete list


def test_a_name_we_set_resolves_at_once() -> None:
    """REAPER does not echo a rename made over OSC, so the assumed name must map to its id."""
    m = Mirror()
    m.apply(Update(3, "name", "Gtr"))
    m.assume(3, "name", "Lead")
    assert m.get(3, "name") == "Lead"
    assert m.track_id("Lead") == 3
    assert m.track_id("Gtr") is None


def test_params_and_snapshot() -> None:
    m = Mirror()
    m.apply(Update(1, "volume_db", -6.0))
    m.apply(Update(1, "mute", True))
    m.apply(Update(MASTER, "pan", 0.0))
    assert m.params(1) == {"volume_db": -6.0, "mute": True}
    assert m.snapshot() == {"1:volume_db": -6.0, "1:mute": True, "master:pan": 0.0}
    assert m.get(2, "volume_db", default=0.5) == 0.5


# ---- waits ----


def test_wait_for_times_out_false_and_succeeds_true() -> None:
    m = Mirror()
    assert m.wait_for(lambda mm: mm.has(1, "pan"), timeout=TINY) is False
    assert m.wait_for(lambda mm: True, timeout=0.0) is True
    timer = apply_soon(m, Update(1, "pan", 0.25))
    assert m.wait_for(lambda mm: mm.has(1, "pan"), timeout=WAIT) is True
    timer.join()


def test_wait_value_honours_tolerance_and_times_out() -> None:
    m = Mirror()
    m.apply(Update(1, "volume_db", -6.004))
    assert m.wait_value(1, "volume_db", -6.0, tolerance=0.005, timeout=TINY) is True
    assert m.wait_value(1, "volume_db", -6.0, tolerance=0.001, timeout=TINY) is False
    assert m.wait_value(2, "volume_db", -6.0, tolerance=1.0, timeout=TINY) is False  # unknown
    timer = apply_soon(m, Update(1, "volume_db", -12.0))
    assert m.wait_value(1, "volume_db", -12.0, tolerance=0.0, timeout=WAIT) is True
    timer.join()
    m.apply(Update(1, "mute", True))
    assert m.wait_value(1, "mute", True, tolerance=0.0, timeout=TINY) is True
    assert m.wait_value(1, "mute", False, tolerance=1.0, timeout=TINY) is False  # bools exact


def test_wait_quiet() -> None:
    m = Mirror()
    assert m.wait_quiet(0.0, timeout=TINY) is False  # nothing ever arrived
    m.apply(Update(None, "playing", False))
    assert m.wait_quiet(0.0, timeout=WAIT) is True


def test_last_update_and_generation_follow_the_injected_clock() -> None:
    now = [5.0]
    m = Mirror(clock=lambda: now[0])
    assert m.last_update == 0.0
    m.apply(Update(1, "pan", 0.0))
    assert (m.last_update, m.generation) == (5.0, 1)
    now[0] = 6.0
    m.apply(Update(1, "pan", 0.001, 0.005))  # kept, but it still counts as a sign of life
    assert (m.last_update, m.generation) == (6.0, 1)
