"""The debounce/finish/dedup state machine, with fake times and fake probes."""

from __future__ import annotations

import pytest

from qc.watch.decision import Gone, Incomplete, Phase, Ready, Wait
from qc.watch.finished import HeaderCheck, Probe
from qc.watch.record import Trigger
from qc.watch.tracker import Tracker

COMPLETE = HeaderCheck("complete", "", "wav")
INCOMPLETE = HeaderCheck("incomplete", "header sizes are placeholders", "wav")
UNKNOWN = HeaderCheck("unknown", "flac: no sizes to check", "flac")
P = "/r/mix.wav"


def look(size: int = 1000, header: HeaderCheck = COMPLETE, *, age: float = 0.0) -> Probe:
    return Probe((size, size * 1000, 7), age, header)


def tracker() -> Tracker:
    return Tracker(settle_s=1.0, abort_s=5.0)


def test_close_makes_a_complete_file_ready_at_once() -> None:
    t = tracker()
    t.changed(P, 0.0)
    t.changed(P, 0.5)
    t.signalled(P, Trigger.CLOSED, 0.6)
    assert t.due(0.6) == [P]
    assert t.judge(P, look(), 0.6) == Ready(Trigger.CLOSED)
    [taken] = t.take_ready(4)
    assert (taken.path, taken.trigger, taken.ready_at) == (P, Trigger.CLOSED, 0.6)
    assert t.phase(P) is Phase.RUNNING


def test_writes_debounce_the_settle_timer() -> None:
    t = tracker()
    for i in range(100):  # a hundred modified events are one entry and one timer
        t.changed(P, i * 0.01)
    assert len(t) == 1
    assert t.due(1.5) == []  # last write at 0.99 s: not due before 1.99 s
    assert t.due(2.0) == [P]
    assert t.judge(P, look(age=1.0), 2.0) == Ready(Trigger.SETTLED)


def test_settle_needs_the_file_still_and_the_header_complete() -> None:
    t = tracker()
    t.changed(P, 0.0)
    assert t.due(1.0) == [P]
    # The probe sees a write the events missed (network share): the timer re-arms.
    assert t.judge(P, look(1000), 1.0) == Wait(2.0)
    assert t.due(2.0) == [P]
    assert t.judge(P, look(2000), 2.0) == Wait(3.0)
    assert t.due(3.0) == [P]
    assert t.judge(P, look(2000), 3.0) == Ready(Trigger.SETTLED)


def test_first_look_trusts_a_recent_mtime() -> None:
    t = tracker()
    t.changed(P, 0.0)
    t.due(1.0)
    # Modified 0.2 s ago although the last event was 1 s ago: wait until 1.8 s.
    assert t.judge(P, look(age=0.2), 1.0) == Wait(pytest.approx(1.8))


def test_unknown_formats_settle_or_close() -> None:
    t = tracker()
    t.changed(P, 0.0)
    t.due(1.0)
    assert t.judge(P, look(header=UNKNOWN, age=1.0), 1.0) == Ready(Trigger.SETTLED)
    q = "/r/b.flac"
    t.signalled(q, Trigger.CLOSED, 0.0)
    t.due(0.0)
    assert t.judge(q, look(header=UNKNOWN), 0.0) == Ready(Trigger.CLOSED)


def test_incomplete_after_close_is_reported_once_settled() -> None:
    t = tracker()
    t.changed(P, 0.0)
    t.signalled(P, Trigger.CLOSED, 0.1)
    t.due(0.1)
    assert t.judge(P, look(header=INCOMPLETE), 0.1) == Wait(pytest.approx(1.1))
    t.due(1.1)
    decision = t.judge(P, look(header=INCOMPLETE), 1.1)
    assert decision == Incomplete(Trigger.CLOSED, "header sizes are placeholders", 1000)
    assert len(t) == 0


def test_incomplete_without_close_waits_for_the_abort_time() -> None:
    t = tracker()
    t.changed(P, 0.0)
    t.due(1.0)
    assert t.judge(P, look(header=INCOMPLETE, age=1.0), 1.0) == Wait(5.0)  # a stalled writer
    assert t.due(4.9) == []
    t.due(5.0)
    assert isinstance(t.judge(P, look(header=INCOMPLETE), 5.0), Incomplete)


def test_a_stalled_writer_that_resumes_is_not_reported() -> None:
    t = tracker()
    t.changed(P, 0.0)
    t.due(1.0)
    t.judge(P, look(header=INCOMPLETE, age=1.0), 1.0)
    t.changed(P, 3.0)  # writing again
    t.signalled(P, Trigger.CLOSED, 3.5)
    t.due(3.5)
    assert t.judge(P, look(2000), 3.5) == Ready(Trigger.CLOSED)


def test_rename_into_place_is_finished_and_the_source_is_gone() -> None:
    t = tracker()
    t.changed("/r/a.wav", 0.0)
    gone = t.moved("/r/a.wav", "/r/b.wav", 0.2)
    assert gone == Gone(None)
    t.due(0.2)
    assert t.judge("/r/b.wav", look(), 0.2) == Ready(Trigger.RENAMED)
    assert t.phase("/r/a.wav") is None


def test_delete_while_waiting_or_queued_is_gone_and_while_running_is_left_to_the_worker() -> None:
    t = tracker()
    t.changed(P, 0.0)
    assert t.deleted(P, 0.1) == Gone(None)  # never finished: no trigger
    t.signalled(P, Trigger.CLOSED, 1.0)
    t.due(1.0)
    t.judge(P, look(), 1.0)  # it exists again: a later deletion is news
    assert t.deleted(P, 1.1) == Gone(Trigger.CLOSED)  # queued, not yet taken
    t.signalled(P, Trigger.CLOSED, 2.0)
    t.due(2.0)
    t.judge(P, look(), 2.0)
    t.take_ready(1)
    assert t.deleted(P, 2.1) is None  # running: the worker's look decides
    t.finish(P, 2.2, blake2b=None, changed=False, gone=True)
    assert len(t) == 0
    assert t.judge(P, None, 3.0) is None


def test_late_events_of_a_deleted_file_are_not_reported_twice() -> None:
    t = tracker()
    t.changed(P, 0.0)
    assert t.deleted(P, 0.1) == Gone(None)
    t.changed(P, 0.2)  # the writer still holds the unlinked inode: modified, closed
    t.signalled(P, Trigger.CLOSED, 0.3)
    t.due(0.3)
    assert t.judge(P, None, 0.3) is None
    assert len(t) == 0
    q = "/r/other.wav"
    t.changed(q, 1.0)
    t.due(2.0)
    assert t.judge(q, None, 2.0) == Gone(None)  # vanished between its event and the probe
    assert t.deleted(q, 2.1) is None  # its delete event comes later: reported once


def test_events_while_running_re_arm_the_file_after_its_check() -> None:
    t = tracker()
    t.signalled(P, Trigger.CLOSED, 0.0)
    t.due(0.0)
    t.judge(P, look(), 0.0)
    t.take_ready(1)
    t.changed(P, 0.5)  # a re-render starts during the check
    t.signalled(P, Trigger.CLOSED, 0.7)
    t.finish(P, 0.8, blake2b="aa", changed=True, gone=False)
    assert t.phase(P) is Phase.WAITING
    assert t.last_blake2b(P) is None  # a stale check is not remembered
    assert t.due(0.8) == [P]
    assert t.judge(P, look(2000), 0.8) == Ready(Trigger.CLOSED)


def test_change_seen_only_by_the_worker_needs_a_new_settle() -> None:
    t = tracker()
    t.signalled(P, Trigger.CLOSED, 0.0)
    t.due(0.0)
    t.judge(P, look(), 0.0)
    t.take_ready(1)
    t.finish(P, 2.0, blake2b="aa", changed=True, gone=False)
    t.due(2.0)
    assert t.judge(P, look(2000), 2.0) == Wait(3.0)


def test_dedup_remembers_the_last_hash_per_path_in_a_bounded_lru() -> None:
    t = Tracker(settle_s=1.0, abort_s=5.0, seen_capacity=2)
    for i, path in enumerate(["/r/a.wav", "/r/b.wav", "/r/c.wav"]):
        t.signalled(path, Trigger.CLOSED, i)
        t.due(i)
        t.judge(path, look(), i)
        [taken] = t.take_ready(1)
        assert taken.known_blake2b is None
        t.finish(path, i, blake2b=f"h{i}", changed=False, gone=False)
    assert t.last_blake2b("/r/a.wav") is None  # evicted
    assert t.last_blake2b("/r/c.wav") == "h2"
    t.signalled("/r/c.wav", Trigger.CLOSED, 9.0)
    t.due(9.0)
    t.judge("/r/c.wav", look(), 9.0)
    assert t.take_ready(1)[0].known_blake2b == "h2"
    t.moved("/r/b.wav", "/r/renamed.wav", 10.0)
    assert t.last_blake2b("/r/renamed.wav") == "h1"


def test_backpressure_take_ready_is_fifo_and_bounded() -> None:
    t = tracker()
    paths = [f"/r/{i:03}.wav" for i in range(200)]
    for p in paths:
        t.signalled(p, Trigger.CLOSED, 0.0)
    for p in t.due(0.0):
        t.judge(p, look(), 0.0)
    assert t.counts()[Phase.READY] == 200
    first = t.take_ready(2)
    assert [x.path for x in first] == paths[:2]
    assert t.take_ready(0) == []
    assert t.counts() == {Phase.WAITING: 0, Phase.READY: 198, Phase.RUNNING: 2}


def test_max_files_refuses_new_paths() -> None:
    t = Tracker(settle_s=1.0, abort_s=5.0, max_files=2)
    assert t.changed("/r/a.wav", 0.0)
    assert t.changed("/r/b.wav", 0.0)
    assert not t.changed("/r/c.wav", 0.0)
    assert t.changed("/r/a.wav", 0.1)  # known paths are still updated


def test_initial_files_are_judged_at_once_by_their_age() -> None:
    t = tracker()
    t.initial(P, 100.0)
    assert t.due(100.0) == [P]
    assert t.judge(P, look(age=3600.0), 100.0) == Ready(Trigger.INITIAL)
    t2 = tracker()
    t2.initial(P, 100.0)
    t2.due(100.0)
    assert t2.judge(P, look(age=0.1), 100.0) == Wait(pytest.approx(100.9))  # still being written


def test_heap_stays_bounded_under_a_flood_of_events() -> None:
    t = tracker()
    for i in range(10_000):
        t.changed(P, i * 1e-4)
    assert t._deadlines.heap_entries() <= 2


def test_bad_settings() -> None:
    with pytest.raises(ValueError, match="settle_s"):
        Tracker(settle_s=2.0, abort_s=1.0)


def _checked(t: Tracker, path: str, digest: str, now: float) -> None:
    t.signalled(path, Trigger.CLOSED, now)
    t.due(now)
    t.judge(path, look(), now)
    t.take_ready(1)
    t.finish(path, now, blake2b=digest, changed=False, gone=False)


def test_dedup_forgets_deleted_files_so_memory_follows_the_folder() -> None:
    t = Tracker(settle_s=1.0, abort_s=5.0)
    for i in range(50):  # render, check, delete: the table stays empty
        path = f"/r/{i}.wav"
        _checked(t, path, f"h{i}", float(i))
        assert t.last_blake2b(path) == f"h{i}"
        assert t.deleted(path, i + 0.5) is None  # not tracked any more: nothing to report
        assert t.last_blake2b(path) is None
    assert len(t._seen) == 0
    _checked(t, "/r/kept.wav", "hk", 60.0)
    t.moved("/r/kept.wav", None, 61.0)  # renamed to a name that is not a bounce
    assert t.last_blake2b("/r/kept.wav") is None
    _checked(t, "/r/a.wav", "ha", 70.0)
    t.moved("/r/a.wav", "/r/b.wav", 71.0)  # renamed to another bounce: the hash follows
    assert (t.last_blake2b("/r/a.wav"), t.last_blake2b("/r/b.wav")) == (None, "ha")


def test_a_file_gone_during_its_check_is_not_remembered() -> None:
    t = Tracker(settle_s=1.0, abort_s=5.0)
    t.signalled(P, Trigger.CLOSED, 0.0)
    t.due(0.0)
    t.judge(P, look(), 0.0)
    t.take_ready(1)
    t.finish(P, 1.0, blake2b="aa", changed=False, gone=True)
    assert t.last_blake2b(P) is None


def test_a_file_deleted_while_running_is_forgotten_when_found_gone() -> None:
    t = Tracker(settle_s=1.0, abort_s=5.0)
    _checked(t, P, "h0", 0.0)
    t.signalled(P, Trigger.CLOSED, 1.0)
    t.due(1.0)
    t.judge(P, look(), 1.0)
    t.take_ready(1)
    t.deleted(P, 1.5)  # while RUNNING: the worker read it all, then it went
    t.finish(P, 2.0, blake2b="h1", changed=False, gone=False)
    assert t.last_blake2b(P) == "h1"
    t.due(2.0)
    t.judge(P, None, 2.0)  # the dirty file is looked at again: gone
    assert t.last_blake2b(P) is None
