"""``mixdesk check``'s options for a cluster run: ``--cluster``, ``--path-map``, ``--log``.

``--cluster-timeout`` bounds the connection.

Only :mod:`qc.cluster.spec` (pure) is imported here; the Dask side
(:mod:`qc.cluster.run`, :mod:`qc.cluster.client`) is imported when a run names
a cluster, so a plain ``mixdesk check`` never loads ``distributed``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qc.cli.console import is_tty, make_console
from qc.cluster.spec import ENV_VAR, PathMap, resolve_cluster
from qc.errors import UsageError

if TYPE_CHECKING:
    from qc.cluster.run import Outcome, Renderer
    from qc.engine import FileResult
    from qc.settings import Settings

__all__ = ["add_cluster_options", "run_on_cluster"]

DEFAULT_TIMEOUT_S = 10.0
"""Bound on reaching the scheduler and on waiting for its first worker, s."""


def add_cluster_options(p: argparse.ArgumentParser) -> None:
    """Add the cluster options to ``check``'s parser."""
    p.add_argument(
        "--cluster",
        metavar="ADDR",
        default=None,
        help=f"check on a Dask cluster: tcp://HOST:PORT of a scheduler, or local:N to start N "
        f"worker processes (default: ${ENV_VAR}, else cluster in mixdesk.toml, else no cluster)",
    )
    p.add_argument(
        "--path-map",
        action="append",
        default=[],
        metavar="LOCAL=REMOTE",
        help="on the workers, files under LOCAL are read under REMOTE (repeatable; the longest "
        "LOCAL wins)",
    )
    p.add_argument(
        "--log",
        metavar="FILE",
        default=None,
        help="append each file checked on the cluster to FILE.ndjson (the watch log); a re-run "
        "with the same log skips files whose content it holds",
    )
    p.add_argument(
        "--cluster-timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"give up when no scheduler answers or no worker joins within S seconds "
        f"(default: {DEFAULT_TIMEOUT_S:g})",
    )


def _config_cluster(args: argparse.Namespace) -> tuple[str | None, str]:
    """``cluster`` of ``--config`` or of the config found from the current folder."""
    from qc.config import load_config

    explicit = getattr(args, "config", None)
    config = load_config(Path(explicit) if explicit is not None else None)
    return config.cluster, str(config.path) if config.path is not None else "mixdesk.toml"


def run_on_cluster(
    args: argparse.Namespace,
    jobs: Sequence[tuple[str, Settings, float]],
    fmt: str,
    fallback: Renderer,
) -> tuple[list[FileResult], Renderer] | None:
    """Run the planned jobs on the cluster, if the command line, environment or config names one.

    Args:
        args: ``check``'s arguments.
        jobs: The planned files (path, settings, max duration in s), in report order.
        fmt: The output format.
        fallback: ``check``'s own renderer.

    Returns:
        ``None`` for a local run; else the results in the files' order and the
        renderer for them.

    Raises:
        QCError: A malformed cluster address or path map, ``--log`` without a
            cluster, a missing extra, an unreachable cluster.
    """
    config_value, config_name = _config_cluster(args)
    spec = resolve_cluster(args.cluster, os.environ, config_value, config_name)
    if spec is None:
        for flag, value in (("--log", args.log), ("--path-map", args.path_map)):
            if value:
                raise UsageError(f"{flag} needs a cluster (--cluster, ${ENV_VAR} or mixdesk.toml)")
        return None
    if not args.cluster_timeout > 0:
        raise UsageError(f"--cluster-timeout {args.cluster_timeout:g}: must be above 0 s")
    from qc.cluster.run import ClusterOptions, run_cluster

    opts = ClusterOptions(
        spec, PathMap.parse(args.path_map), args.log, timeout_s=args.cluster_timeout
    )
    stream = sys.stdout if fmt == "json-lines" and args.output_file is None else None
    drawn = is_tty(sys.stderr) and os.environ.get("CI") != "true"
    console: Any = make_console(sys.stderr) if drawn else None
    outcome: Outcome = run_cluster(jobs, opts, stream=stream, console=console)
    return outcome.results, outcome.render_with(fallback, args.log)
