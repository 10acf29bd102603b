"""The bounded path table the tracker keeps its memories in."""

from __future__ import annotations

import pytest

from qc.watch.lru import Lru


def test_the_least_recently_set_path_is_dropped_first() -> None:
    table: Lru[int] = Lru(3)
    for i, path in enumerate("abc"):
        table.set(path, i)
    table.set("a", 10)  # setting makes it the newest
    table.get("b")  # reading does not
    table.set("d", 3)
    assert "b" not in table
    assert [table.get(p) for p in "acd"] == [10, 2, 3]
    assert len(table) == 3


def test_pop_forgets_and_says_what_was_there() -> None:
    table: Lru[str] = Lru(2)
    table.set("x", "h1")
    assert table.pop("x") == "h1"
    assert table.pop("x") is None
    assert table.get("x") is None
    assert len(table) == 0


def test_a_thousand_paths_through_a_table_of_ten_keep_the_last_ten() -> None:
    table: Lru[int] = Lru(10)
    for i in range(1000):
        table.set(f"/bounces/{i}.wav", i)
    assert len(table) == 10
    assert [table.get(f"/bounces/{i}.wav") for i in range(990, 1000)] == list(range(990, 1000))
    assert "/bounces/989.wav" not in table


def test_a_capacity_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1, got 0"):
        Lru(0)
