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

SYMMETRY_NAMES: tuple[str, ...] = (SYMMETRY_X, SYMMETRY_Y, SYMMETRY_Z, AXIS)
"""Boundaries that never carry Li flux (symmetry planes and the axis of revolution)."""

__all__ = [
    "AXIS",
    "CORE",
    "OUTER_SURFACE",
    "SYMMETRY_NAMES",
    "SYMMETRY_X",
    "SYMMETRY_Y",
    "SYMMETRY_Z",
]
