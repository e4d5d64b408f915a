"""pytest configuration shared by all tests.

Helpers live in ``tests/chemomech_testing.py`` (import them by that name: several folders
have a ``conftest.py``, so ``from conftest import …`` would be ambiguous).
"""

import os

os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
