"""The look-again heap: the earliest armed time of a path counts, once."""

from __future__ import annotations

from qc.watch.deadlines import Deadlines


def test_paths_come_up_at_their_earliest_armed_time_once() -> None:
    d = Deadlines()
    d.arm("a.wav", 5.0)
    d.arm("b.wav", 2.0)
    d.arm("a.wav", 3.0)  # earlier: supersedes 5.0
    d.arm("b.wav", 4.0)  # later: 2.0 still counts
    assert d.next() == 2.0
    assert d.due(1.9) == []
    assert d.due(3.0) == ["b.wav", "a.wav"]
    assert d.due(10.0) == []  # the superseded 5.0 is skipped
    assert len(d) == 0
    assert d.next() is None


def test_a_disarmed_path_never_comes_up_and_can_be_armed_again() -> None:
    d = Deadlines()
    d.arm("a.wav", 1.0)
    d.disarm("a.wav")
    assert d.due(2.0) == []
    d.arm("a.wav", 7.0)
    assert d.due(6.9) == []
    assert d.due(7.0) == ["a.wav"]


def test_ten_thousand_rearms_of_one_path_are_one_due() -> None:
    d = Deadlines()
    for i in range(10_000):
        d.arm("render.wav", 100.0 - i * 0.001)
    assert d.due(1000.0) == ["render.wav"]
    assert len(d) == 0


def test_a_flood_of_later_times_costs_one_heap_entry() -> None:
    """Each write event moves the settle timer on: nothing is pushed for it."""
    d = Deadlines()
    for i in range(10_000):
        d.arm("render.wav", 2.0 + i * 1e-4)
    assert d.heap_entries() == 1
    assert d.due(2.0) == ["render.wav"]
