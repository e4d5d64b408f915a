"""Case-schema models of the ellipsoid, core_shell, hollow, yolk_shell geometry kinds (see ``meshes/CONTRACT.md``)."""

from __future__ import annotations

from solver.case.geometry import GeometryBase  # noqa: F401  (base of every kind here)

#: the geometry models defined here, joined into the ``geometry`` union
LAYERED_GEOMETRIES: tuple = ()
