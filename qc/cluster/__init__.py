"""``mixdesk check --cluster``: the same check, one Dask task per file.

``spec`` (addresses, path maps; pure), ``task`` (what a worker runs),
``client`` (Dask: connect, bounded submission; the only module importing
``distributed``, inside its functions), ``logbook`` (``--log`` read back to
resume), ``progress`` (the bar), ``run`` (a whole run, results in a local run's
order). See ``docs/cluster.md``.
"""

from qc.cluster.spec import ENV_VAR, ClusterSpec, PathMap, parse_cluster, resolve_cluster

__all__ = ["ENV_VAR", "ClusterSpec", "PathMap", "parse_cluster", "resolve_cluster"]
