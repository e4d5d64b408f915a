"""Gmsh session handling.

Gmsh is a process-wide singleton; :func:`gmsh_session` initialises it only when nobody else did,
and finalises only what it initialised, so sessions nest (e.g. the solver's and
:func:`meshes.io.mesh_file`'s).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import gmsh


@contextmanager
def gmsh_session(verbose: bool = False) -> Iterator[ModuleType]:
    """Run a block with Gmsh initialised.

    Gmsh is initialised without reading user configuration files (reproducible meshes) and,
    on the main thread, ``interruptible``: Ctrl-C then ends the process at once while Gmsh
    meshes (Python's own handler would only run once Gmsh returns, minutes later for a fine
    mesh; a cached mesh is written atomically, so nothing half-written is kept). Off the
    main thread, where no signal handler can be set, it is not interruptible. Terminal
    output follows ``verbose`` for the duration of the block and is restored afterwards when the
    session was already open.

    Args:
        verbose: Let Gmsh print its log to the terminal.

    Yields:
        The :mod:`gmsh` module.
    """
    owner = not gmsh.isInitialized()
    if owner:
        gmsh.initialize(argv=[], readConfigFiles=False, run=False,
                        interruptible=threading.current_thread() is threading.main_thread())
        previous_terminal = None
    else:
        previous_terminal = gmsh.option.getNumber("General.Terminal")
    gmsh.option.setNumber("General.Terminal", 1 if verbose else 0)
    try:
        yield gmsh
    finally:
        if owner:
            gmsh.finalize()
        elif gmsh.isInitialized() and previous_terminal is not None:
            gmsh.option.setNumber("General.Terminal", previous_terminal)


def new_model(name: str) -> str:
    """Add an empty Gmsh model and make it the current one (needs an active session).

    Args:
        name: Model name.

    Returns:
        The model name.
    """
    gmsh.model.add(name)
    return name


__all__ = ["gmsh_session", "new_model"]
