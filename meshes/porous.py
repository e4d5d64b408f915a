"""Porous particles and particles with second-phase inclusions (see ``meshes/CONTRACT.md``)."""

from __future__ import annotations

#: ((SpecClass, builder), ...) registered in meshes.BUILDERS
KINDS: tuple = ()
