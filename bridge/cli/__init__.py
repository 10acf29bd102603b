"""The bridge's ``mixdesk`` subcommands: ``mix``, ``run`` and ``doctor``.

The ``mixdesk`` console script lives in :mod:`qc.cli.main`, which never imports
this package: it finds these subcommands through the ``mixdesk.commands``
entry-point group (``pyproject.toml``), each an ``add_parser(sub)`` function
that registers on argparse's subparsers object. Importing a module here is
cheap; the bridge itself is imported only when a subcommand runs.
"""

__all__: list[str] = []
