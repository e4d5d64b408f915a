"""Names of the physical groups written by :mod:`meshes`.

These strings are the contract between the mesh generator and the solver: the solver finds
regions (cell tags) and boundaries (facet tags) by these names, never by integer tags.
"""

from __future__ import annotations

CORE = "core"
"""The particle's volume region (3D) or meridian half-section (axisymmetric)."""

OUTER_SURFACE = "outer_surface"
"""The particle surface exposed to the electrolyte (carries the Li flux)."""

SYMMETRY_X = "symmetry_x"
"""The symmetry plane x = 0 (normal along x)."""

SYMMETRY_Y = "symmetry_y"
"""The symmetry plane y = 0 (normal along y)."""

SYMMETRY_Z = "symmetry_z"
"""The symmetry plane z = 0 (normal along z)."""

AXIS = "axis"
"""The r = 0 line of an axisymmetric (r, z) mesh."""

INNER_SURFACE = "inner_surface"
"""The cavity wall of a hollow particle."""

PORE_SURFACE = "pore_surface"
"""Walls of open (electrolyte-wetted) pores."""

CLOSED_PORE_SURFACE = "closed_pore_surface"
"""Walls of closed pores (no electrolyte)."""

YOLK_SURFACE = "yolk_surface"
"""Outer surface of the yolk of a yolk-shell particle."""

SHELL_INNER_SURFACE = "shell_inner_surface"
"""Inner surface of the shell of a yolk-shell particle (faces the void)."""

YOLK = "yolk"
SHELL = "shell"
PORE_COATING = "pore_coating"


def coating(i: int) -> str:
    """Name of the i-th outer coating layer (1 = innermost)."""
    return f"coating_{i}"


def inner_coating(i: int) -> str:
    """Name of the i-th coating on a cavity wall (1 = next to the core)."""
    return f"inner_coating_{i}"


def inclusion(phase: str) -> str:
    """Region name of the inclusions of a phase (e.g. ``inclusion_sn``)."""
    return f"inclusion_{phase}"


def interface(a: str, b: str) -> str:
    """Name of the interface between regions a and b (in region order)."""
    return f"interface_{a}_{b}"


SYMMETRY_NAMES: tuple[str, ...] = (SYMMETRY_X, SYMMETRY_Y, SYMMETRY_Z, AXIS)
"""Boundaries that never carry Li flux (symmetry planes and the axis of revolution)."""

__all__ = [
    "AXIS",
    "CLOSED_PORE_SURFACE",
    "INNER_SURFACE",
    "PORE_COATING",
    "PORE_SURFACE",
    "SHELL",
    "SHELL_INNER_SURFACE",
    "YOLK",
    "YOLK_SURFACE",
    "coating",
    "inclusion",
    "inner_coating",
    "interface",
    "CORE",
    "OUTER_SURFACE",
    "SYMMETRY_NAMES",
    "SYMMETRY_X",
    "SYMMETRY_Y",
    "SYMMETRY_Z",
]
