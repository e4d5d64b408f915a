"""``python -m solver`` is the ``chemomech`` command."""

import sys

try:
    from solver.cli import main

    code = main()
except KeyboardInterrupt:  # Ctrl-C while Python, dolfinx or PETSc load: no traceback
    print("interrupted", file=sys.stderr)
    code = 130
sys.exit(code)
