"""``python -m solver`` is the ``chemomech`` command."""

import sys

from solver.cli import main

sys.exit(main())
