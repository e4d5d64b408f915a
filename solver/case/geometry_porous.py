"""Case-schema models of the porous, inclusions geometry kinds (see ``meshes/CONTRACT.md``)."""

from __future__ import annotations

from solver.case.geometry import GeometryBase  # noqa: F401  (base of every kind here)

#: the geometry models defined here, joined into the ``geometry`` union
POROUS_GEOMETRIES: tuple = ()
