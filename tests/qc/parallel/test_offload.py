"""The meters in a forked child give the thread's results bit for bit.

The reference is the same meter fed on the worker thread (``fork=False``): the
child is a copy of the meter at the fork and is fed the same blocks, so every
value must be equal, not close. The material is loud and clipped (many crests,
many overs), long enough that the child is forked after two blocks, with a last
block of odd length and a block larger than the shared slots.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import qc.parallel.forking
import qc.parallel.offload
from qc.measure.analyzer import Analyzer
from qc.parallel.forking import fork_map
from qc.parallel.offload import FORK_AFTER_FRAMES, Beside

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")


@pytest.fixture(autouse=True)
def _other_threads_are_ours(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """This process may hold threads other tests left; the policy is tested on its own below."""
    if "policy" not in request.node.name:
        monkeypatch.setattr(qc.parallel.offload, "fork_is_safe", lambda *_: True)
        monkeypatch.setattr(qc.parallel.forking, "fork_is_safe", lambda *_: True)


RATE = 48000


def loud_clipped(seconds: float, seed: int = 19) -> np.ndarray:
    """Stereo noise and tones driven into a clipper at -0.2 dBFS, shape (frames, 2)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    x = rng.standard_normal((t.size, 2)) * 0.3
    x[:, 0] += 0.8 * np.sin(2 * np.pi * 997 * t)
    x[:, 1] += 0.7 * np.sin(2 * np.pi * 15000 * t + 0.3)
    ceiling = 10 ** (-0.2 / 20)
    return np.clip(x, -ceiling, ceiling)


def measure(x: np.ndarray, sizes: list[int], *, fork: bool) -> tuple[Analyzer, object]:
    with Analyzer(RATE, 2, bit_depth=24, fork=fork) as analyzer:
        at = 0
        for size in sizes:
            analyzer.feed(x[at : at + size])
            at += size
        assert at == len(x)
        forked = analyzer._beside.forked
        return forked, analyzer.result()


def test_forked_true_peak_equals_the_threads() -> None:
    x = loud_clipped(9.0)
    # Two 65536-frame blocks on the thread, then the child; one block larger than a slot.
    sizes = [65536, 65536, 65536, 100000]
    sizes.append(len(x) - sum(sizes))
    forked, by_child = measure(x, sizes, fork=True)
    thread_only, by_thread = measure(x, sizes, fork=False)
    assert forked
    assert not thread_only
    assert by_child.true_peak == by_thread.true_peak  # type: ignore[attr-defined]
    assert by_child.true_peak.channel_overs[0] > 100  # type: ignore[attr-defined]
    # The stereo meter runs beside too (arrays: compared element by element).
    s_child, s_thread = by_child.stereo, by_thread.stereo  # type: ignore[attr-defined]
    assert s_child.correlation == s_thread.correlation
    assert s_child.worst_time_s == s_thread.worst_time_s
    np.testing.assert_array_equal(s_child.segment_correlation, s_thread.segment_correlation)
    assert s_child.segment_correlation.size == 90
    # The rest of the measurements never left this process.
    assert by_child.loudness.integrated_lufs == by_thread.loudness.integrated_lufs  # type: ignore[attr-defined]


def test_short_input_never_forks() -> None:
    x = loud_clipped(FORK_AFTER_FRAMES / RATE * 0.9)
    forked, result = measure(x, [len(x) // 2, len(x) - len(x) // 2], fork=True)
    assert not forked
    assert result.true_peak.dbtp > -0.2  # type: ignore[attr-defined]


class BoomError(RuntimeError):
    pass


def _failing_child(pool: ThreadPoolExecutor) -> Beside[str]:
    """A meter forked after a block of zeros, then fed a block of ones it raises on."""

    def feed(block: np.ndarray) -> None:
        if block[0, 0] > 0.5:
            raise BoomError(f"bad block at {block[0, 0]:.1f}")

    beside = Beside(feed, lambda: "done", channels=1, executor=pool)
    beside.feed(np.zeros((FORK_AFTER_FRAMES + 1, 1)))
    assert beside.forked
    beside.feed(np.ones((10, 1)))
    return beside


def test_an_error_in_the_child_reaches_the_caller() -> None:
    with ThreadPoolExecutor(1) as pool:
        beside = _failing_child(pool)
        with pytest.raises(BoomError, match=r"bad block at 1\.0"):
            beside.result()


@pytest.mark.parametrize("blocks_after_error", [0, 3])
def test_an_error_raised_before_the_end_is_the_callers_error_even_when_the_pipe_broke(
    blocks_after_error: int,
) -> None:
    """The child raised and exited before the parent wrote again (the order CI once hit).

    The parent's next write meets a broken pipe; the child's acknowledgements of
    the blocks it measured, then its error, are still in the pipe up, and the
    caller must get that error, not "ended early".
    """
    with ThreadPoolExecutor(1) as pool:
        beside = _failing_child(pool)
        pid = beside._child._pid  # type: ignore[union-attr]
        # Wait until the child has exited, without reaping it.
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)

        def go_on() -> object:  # the first write after the child's exit breaks the pipe
            for _ in range(blocks_after_error):
                beside.feed(np.zeros((10, 1)))
            return beside.result()

        with pytest.raises(BoomError, match=r"bad block at 1\.0"):
            go_on()
        beside.close()


def test_result_pickled_back_and_close_reaps() -> None:
    seen: list[float] = []
    with ThreadPoolExecutor(1) as pool:
        beside = Beside(
            lambda b: seen.append(float(b.sum())), lambda: sum(seen), channels=2, executor=pool
        )
        for k in range(5):
            beside.feed(np.full((FORK_AFTER_FRAMES // 2, 2), float(k)))
        assert beside.forked
        # The child's sum: every block fed, those before the fork included.
        assert beside.result() == sum(k * FORK_AFTER_FRAMES for k in range(5))
        assert len(seen) == 2  # this process fed only the blocks before the fork

        other = Beside(lambda b: None, lambda: 0, channels=1, executor=pool)
        other.feed(np.zeros((FORK_AFTER_FRAMES + 1, 1)))
        pid = other._child._pid  # type: ignore[union-attr]
        other.close()  # mid-stream: the child is killed and reaped
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_fork_map_runs_every_other_job_in_a_child() -> None:
    here = os.getpid()
    out = fork_map(lambda k: (k * k, os.getpid() == here), range(5))
    # Jobs 0, 2, 4 here, then 1, 3 in the child (the two-thread map's order).
    assert [v for v, _ in out] == [0, 4, 16, 1, 9]
    assert [mine for _, mine in out] == [True, True, True, False, False]


def test_fork_map_deals_three_hands_to_this_process_and_two_children() -> None:
    here = os.getpid()
    out = fork_map(lambda k: (k * k, os.getpid()), range(7), processes=3)
    # Hands: jobs 0, 3, 6 here; 1, 4 in one child; 2, 5 in another; results hand by hand.
    assert [v for v, _ in out] == [0, 9, 36, 1, 16, 4, 25]
    pids = [pid for _, pid in out]
    assert pids[:3] == [here] * 3
    assert pids[3] == pids[4] != here
    assert pids[5] == pids[6] not in (here, pids[3])
    for pid in set(pids) - {here}:  # every child was reaped
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_forked_child_never_frees_the_parents_garbage(tmp_path: Path) -> None:
    """Native objects in the parent's garbage (a PyAV graph) must not be freed in a child."""
    import gc

    from qc.parallel.forking import run_forked

    log = tmp_path / "freed-by"

    class Native:
        def __del__(self) -> None:  # stands for a native free that needs the parent's threads
            with open(log, "a") as f:
                f.write(f"{os.getpid()}\n")

    gc.disable()  # keep the cycle as garbage until the child looks
    try:
        a, b = Native(), Native()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        del a, b

        def child() -> int:
            gc.collect()
            return 0

        pid = run_forked(child)
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
        assert not log.exists(), "the child freed the parent's garbage"
    finally:
        gc.enable()
    gc.collect()
    assert log.read_text().split() == [str(os.getpid())] * 2  # freed here, as it should be


def test_fork_map_raises_the_childs_error() -> None:
    def job(k: int) -> int:
        if k == 3:
            raise BoomError("job 3")
        return k

    with pytest.raises(BoomError, match="job 3"):
        fork_map(job, range(4))


def test_grids_in_two_processes_equal_the_threads() -> None:
    x = loud_clipped(6.0)
    sizes = [65536] * (len(x) // 65536) + [len(x) % 65536]
    _, by_child = measure(x, sizes, fork=True)
    _, by_thread = measure(x, sizes, fork=False)
    assert by_child.lossy == by_thread.lossy  # type: ignore[attr-defined]


def test_policy_a_busy_thread_keeps_the_meter_on_the_thread() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # not a daemon: could be inside BLAS
    other.start()
    try:
        with ThreadPoolExecutor(1) as pool:
            beside = Beside(lambda b: None, lambda: "thread", channels=1, executor=pool)
            beside.feed(np.zeros((FORK_AFTER_FRAMES + 1, 1)))
            assert not beside.forked
            assert beside.result() == "thread"
            assert fork_map(lambda k: os.getpid(), range(3)) == [os.getpid()] * 3
    finally:
        stop.set()
        other.join()


def test_policy_a_fresh_process_forks() -> None:
    code = (
        "import numpy as np, threading\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from qc.parallel.forking import fork_is_safe\n"
        "from qc.parallel.offload import FORK_AFTER_FRAMES, Beside\n"
        "threading.Thread(target=lambda: None, daemon=True).start()\n"
        "with ThreadPoolExecutor(1) as pool:\n"
        "    b = Beside(lambda x: None, lambda: 7, channels=1, executor=pool)\n"
        "    b.feed(np.zeros((10, 1)))  # the pool's thread now exists\n"
        "    b.feed(np.zeros((FORK_AFTER_FRAMES, 1)))\n"
        "    print(b.forked, b.result(), fork_is_safe(pool))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "7", "True"]
