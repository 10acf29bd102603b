"""The ``mixdesk`` command line: one entry point, one module per subcommand."""

from qc.cli.main import main

__all__ = ["main"]
