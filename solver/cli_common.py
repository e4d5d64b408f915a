"""What the sub-command modules of ``chemomech`` share (``solver/batch/cli.py``,
``solver/compare/cli.py``): the exit codes and the progress printer.

It imports nothing from ``solver``, so every CLI module can import it without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable

EXIT_OK, EXIT_RUNTIME, EXIT_INPUT = 0, 1, 2
"""0 success; 1 runtime or environment failure; 2 invalid input (one line per problem)."""


def progress_printer(quiet: bool) -> Callable[[str], None]:
    """A ``say(message)`` that prints and flushes, or does nothing under ``--quiet``."""
    if quiet:
        return lambda message: None
    return lambda message: print(message, flush=True)
