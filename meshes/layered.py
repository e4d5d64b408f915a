"""Ellipsoid, core-shell, hollow and yolk-shell particles (see ``meshes/CONTRACT.md``)."""

from __future__ import annotations

#: ((SpecClass, builder), ...) registered in meshes.BUILDERS
KINDS: tuple = ()
