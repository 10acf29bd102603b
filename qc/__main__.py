"""``python -m qc`` runs the ``mixdesk`` command line."""

import sys

from qc.cli.main import main

sys.exit(main())
