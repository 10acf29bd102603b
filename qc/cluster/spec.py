"""Where a cluster run goes and how its paths look on the workers; pure, no Dask import.

A cluster is named ``tcp://HOST:PORT`` (an existing Dask scheduler) or
``local:N`` (a ``LocalCluster`` of N worker processes for one run, bound to
127.0.0.1). It comes from ``--cluster``, else the ``MIXDESK_CLUSTER``
environment variable, else ``cluster = "..."`` in ``mixdesk.toml``
(:func:`resolve_cluster`). A bad value is a :class:`~qc.errors.UsageError`
naming where it came from.

``--path-map LOCAL=REMOTE`` (repeatable) rewrites the client's absolute paths
into the workers' (:class:`PathMap`): the longest ``LOCAL`` prefix that ends at
a path separator wins; a path under none is sent unchanged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qc.errors import UsageError
from qc.printable import printable

__all__ = ["ENV_VAR", "ClusterSpec", "PathMap", "parse_cluster", "resolve_cluster"]

ENV_VAR = "MIXDESK_CLUSTER"
"""Environment variable naming the cluster when ``--cluster`` is not given."""

MAX_LOCAL_WORKERS = 256
"""Most worker processes ``local:N`` may start."""

_TCP = re.compile(r"tcp://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})")
_LOCAL = re.compile(r"local:(?P<n>[0-9]{1,4})")
_EXPECTED = "expected tcp://HOST:PORT or local:N"


@dataclass(frozen=True)
class ClusterSpec:
    """A parsed cluster address.

    Attributes:
        address: ``tcp://HOST:PORT`` of an existing scheduler, or ``None`` for a local cluster.
        local_workers: Worker processes of a local cluster (``local:N``), else 0.
        source: Where the value came from (``--cluster``, ``MIXDESK_CLUSTER``, a config file).
    """

    address: str | None
    local_workers: int
    source: str

    def __str__(self) -> str:
        return self.address if self.address is not None else f"local:{self.local_workers}"


def parse_cluster(text: str, source: str = "--cluster") -> ClusterSpec:
    """Parse ``tcp://HOST:PORT`` or ``local:N``.

    Args:
        text: The value.
        source: Where it came from, named in the error.

    Returns:
        The spec.

    Raises:
        UsageError: The value is neither form, the port is not 1-65535 or N not 1-256.
    """
    value = text.strip()
    shown = printable(text)
    tcp = _TCP.fullmatch(value)
    if tcp is not None:
        port = int(tcp["port"])
        if not 1 <= port <= 65535:
            raise UsageError(f"{source} {shown!r}: port {port} is not 1-65535")
        return ClusterSpec(value, 0, source)
    local = _LOCAL.fullmatch(value)
    if local is not None:
        n = int(local["n"])
        if not 1 <= n <= MAX_LOCAL_WORKERS:
            raise UsageError(f"{source} {shown!r}: N must be 1-{MAX_LOCAL_WORKERS}")
        return ClusterSpec(None, n, source)
    raise UsageError(f"{source} {shown!r}: {_EXPECTED}")


def resolve_cluster(
    flag: str | None, environ: Mapping[str, str], config_value: str | None, config_name: str
) -> ClusterSpec | None:
    """The cluster of a run: the flag, else the environment, else the config; ``None``: local run.

    Args:
        flag: ``--cluster``, or ``None``.
        environ: The environment (``MIXDESK_CLUSTER``; an empty value counts as unset).
        config_value: ``cluster`` from the config, or ``None``.
        config_name: The config file, named in an error about its value.

    Raises:
        UsageError: The value that applies is malformed.
    """
    if flag is not None:
        return parse_cluster(flag, "--cluster")
    env = environ.get(ENV_VAR, "")
    if env:
        return parse_cluster(env, ENV_VAR)
    if config_value is not None:
        return parse_cluster(config_value, f"{config_name}: cluster")
    return None


@dataclass(frozen=True)
class PathMap:
    """Client path prefixes → worker path prefixes.

    Attributes:
        pairs: ``(local, remote)`` prefixes, absolute and normalised, longest ``local`` first.
    """

    pairs: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, entries: Sequence[str]) -> PathMap:
        """Parse ``--path-map`` values.

        Args:
            entries: ``LOCAL=REMOTE`` strings; ``LOCAL`` may be relative (to the
                current folder), ``REMOTE`` must be absolute (it is a worker's path).

        Raises:
            UsageError: An entry has no ``=``, an empty side, a relative
                ``REMOTE``, a NUL, or repeats a ``LOCAL`` with another ``REMOTE``.
        """
        found: dict[str, str] = {}
        for entry in entries:
            shown = printable(entry)
            local, sep, remote = entry.partition("=")
            if not sep or not local or not remote or "\0" in entry:
                raise UsageError(f"--path-map {shown!r}: expected LOCAL=REMOTE")
            if not remote.startswith("/"):
                raise UsageError(f"--path-map {shown!r}: REMOTE must be an absolute path")
            key = os.path.abspath(local)
            value = _strip(remote)
            if found.get(key, value) != value:
                raise UsageError(f"--path-map {shown!r}: {printable(local)!r} is mapped twice")
            found[key] = value
        pairs = sorted(((k, v) for k, v in found.items()), key=lambda kv: -len(kv[0]))
        return cls(tuple(pairs))

    def to_worker(self, path: str) -> str:
        """The worker's path of a client file (absolute); unchanged when no prefix matches."""
        absolute = os.path.abspath(path)
        for local, remote in self.pairs:
            if absolute == local:
                return remote
            prefix = local if local.endswith(os.sep) else local + os.sep
            if absolute.startswith(prefix):
                rest = absolute[len(prefix) :].replace(os.sep, "/")
                return remote.rstrip("/") + "/" + rest if remote != "/" else "/" + rest
        return absolute


def _strip(remote: str) -> str:
    """A remote prefix without trailing slashes (``/`` stays ``/``)."""
    return remote.rstrip("/") or "/"
