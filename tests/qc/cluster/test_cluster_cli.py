"""``--cluster`` errors and the optional extra: one line, exit 2, no hang, no import."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from qc.cluster.spec import PathMap, parse_cluster, resolve_cluster
from qc.errors import UsageError
from tests.qc.cluster.conftest import free_port, make_folder, mixdesk, need_distributed


@pytest.fixture
def two(tmp_path: Path) -> Path:
    make_folder(tmp_path / "cat", 2)
    return tmp_path


def test_unreachable_scheduler_is_one_line(two: Path) -> None:
    need_distributed()
    port = free_port()  # nobody listens there
    run = mixdesk("check", "--cluster", f"tcp://127.0.0.1:{port}", "cat", cwd=two, timeout=60)
    assert run.returncode == 2
    where = f"tcp://127.0.0.1:{port}"
    assert run.stderr.splitlines() == [
        f"mixdesk: --cluster {where}: cannot reach the scheduler (Connection refused)"
    ]
    assert run.stdout == ""


@pytest.fixture
def not_dask() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that answers every connection with bytes that are not Dask's."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 4)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join()
    server.close()


def test_a_listener_that_is_not_dask_is_one_line_within_the_timeout(
    two: Path, not_dask: int
) -> None:
    need_distributed()
    address = f"tcp://127.0.0.1:{not_dask}"
    run = mixdesk("check", "--cluster", address, "--cluster-timeout", "3", "cat", cwd=two,
                  timeout=60)  # fmt: skip
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"mixdesk: --cluster {address}: ")


@pytest.mark.parametrize(
    ("where", "named"),
    [("env", "MIXDESK_CLUSTER 'tcp://nowhere'"), ("toml", "mixdesk.toml: cluster 'local:0'")],
)
def test_a_bad_cluster_from_env_or_config_names_its_source(
    two: Path, where: str, named: str
) -> None:
    env = {"MIXDESK_CLUSTER": "tcp://nowhere"} if where == "env" else {"MIXDESK_CLUSTER": ""}
    if where == "toml":
        (two / "mixdesk.toml").write_text('cluster = "local:0"\n')
    run = mixdesk("check", "cat", cwd=two, env=env)
    assert run.returncode == 2
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert named in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "local:2", "--path-map", "nodelimiter"],
         "mixdesk: --path-map 'nodelimiter': expected LOCAL=REMOTE"),
        (["--cluster", "local:2", "--path-map", "a=relative/b"],
         "mixdesk: --path-map 'a=relative/b': REMOTE must be an absolute path"),
        (["--log", "x.ndjson"],
         "mixdesk: --log needs a cluster (--cluster, $MIXDESK_CLUSTER or mixdesk.toml)"),
        (["--cluster", "udp://h:1"],
         "mixdesk: --cluster 'udp://h:1': expected tcp://HOST:PORT or local:N"),
    ],
)  # fmt: skip
def test_malformed_options_are_one_line(two: Path, args: list[str], message: str) -> None:
    run = mixdesk("check", *args, "cat", cwd=two, env={"MIXDESK_CLUSTER": ""})
    assert (run.returncode, run.stderr.splitlines()) == (2, [message])


_BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError("blocked for the test")
sys.meta_path.insert(0, Block())
from qc.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_distributed_cluster_names_the_extra(two: Path) -> None:
    cmd = [sys.executable, "-c", _BLOCK, "check", "--cluster", "local:2", "cat"]
    run = subprocess.run(cmd, cwd=two, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "mixdesk: --cluster needs distributed: pip install 'mixdesk[cluster]'"
    ]


def test_plain_check_never_imports_distributed(two: Path) -> None:
    code = (
        "import sys\nfrom qc.cli.main import main\n"
        "rc = main(['check', '--format', 'json', '--output-file', 'r.json', 'cat'])\n"
        "print(rc, sorted(m for m in sys.modules if m.split('.')[0] in ('distributed', 'dask')))"
    )
    env = {"MIXDESK_CLUSTER": "", "PATH": ""}
    run = subprocess.run([sys.executable, "-c", code], cwd=two, capture_output=True, text=True,
                         timeout=120, check=False, env=env)  # fmt: skip
    assert run.stdout.strip() == "2 []", run.stderr  # 2: the broken file; nothing of Dask loaded


def test_parse_cluster_forms() -> None:
    assert parse_cluster("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    assert parse_cluster("tcp://[::1]:8786").address == "tcp://[::1]:8786"
    assert parse_cluster("local:3").local_workers == 3
    for bad in ("tcp://h:0", "tcp://h:70000", "local:0", "local:", "h:8786", "tcp://h"):
        with pytest.raises(UsageError):
            parse_cluster(bad)
    env = {"MIXDESK_CLUSTER": "local:2"}
    assert str(resolve_cluster("local:1", env, "local:3", "c")) == "local:1"
    assert str(resolve_cluster(None, env, "local:3", "c")) == "local:2"
    assert str(resolve_cluster(None, {}, "local:3", "c")) == "local:3"
    assert resolve_cluster(None, {"MIXDESK_CLUSTER": ""}, None, "c") is None


def test_path_map_longest_prefix_at_a_separator() -> None:
    m = PathMap.parse(["/data=/mnt/a", "/data/masters=/mnt/m", "/=/root-of-all"])
    assert m.to_worker("/data/masters/x.wav") == "/mnt/m/x.wav"
    assert m.to_worker("/data/mastersX/y.wav") == "/mnt/a/mastersX/y.wav"  # not a prefix match
    assert m.to_worker("/data/y.wav") == "/mnt/a/y.wav"
    assert m.to_worker("/other/z.wav") == "/root-of-all/other/z.wav"
    assert PathMap.parse(["/a/=/b/"]).to_worker("/a/c.wav") == "/b/c.wav"
    assert PathMap.parse([]).to_worker("/q/r.wav") == "/q/r.wav"
    with pytest.raises(UsageError, match="mapped twice"):
        PathMap.parse(["/a=/b", "/a=/c"])
