"""Gmsh (OpenCASCADE) geometries of battery particles with named physical groups.

Pure Gmsh: this package never imports dolfinx, mpi4py or :mod:`solver`. Typical use::

    from meshes import SphereSpec, Sizing, build, mesh_statistics
    from meshes.session import gmsh_session, new_model

    with gmsh_session():
        new_model("particle")
        build(SphereSpec(radius=2.5e-6, mode="octant"), Sizing(size=2.5e-7))
        print(mesh_statistics())

or :func:`meshes.io.mesh_file` for a cached ``.msh`` file. Region and boundary names are listed
in :mod:`meshes.tags`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gmsh
import numpy as np

from meshes import tags
from meshes.errors import GeometryError, MeshingError
from meshes.specs import Sizing, SphereSpec
from meshes.sphere import build_sphere

Builder = Callable[[Any, Sizing], None]

BUILDERS: dict[str, Builder] = {SphereSpec.kind: build_sphere}
"""Geometry builders by spec ``kind``; each builds, tags and meshes into the current model."""

# kinds defined in their own modules: each exports KINDS = ((SpecClass, builder), ...)
from meshes import layered as _layered  # noqa: E402
from meshes import porous as _porous  # noqa: E402

for _spec_type, _builder in (*_layered.KINDS, *_porous.KINDS):
    BUILDERS[_spec_type.kind] = _builder


def register(kind: str, builder: Builder) -> None:
    """Register the builder of a geometry kind (e.g. ``"core_shell"``).

    Args:
        kind: The ``kind`` class attribute of the spec type.
        builder: ``builder(spec, sizing)`` that builds, tags and meshes into the current model.

    Raises:
        ValueError: If ``kind`` is already registered.
    """
    if kind in BUILDERS:
        raise ValueError(f"geometry kind {kind!r} is already registered")
    BUILDERS[kind] = builder


def build(spec: Any, sizing: Sizing) -> None:
    """Build, tag and mesh ``spec`` into the current Gmsh model.

    Args:
        spec: A geometry spec (e.g. :class:`SphereSpec`); dispatched on ``spec.kind``.
        sizing: Element sizes in m.

    Raises:
        GeometryError: ``geometry.kind`` for an unknown kind, or invalid parameters.
        MeshingError: If Gmsh fails.
    """
    kind = getattr(spec, "kind", None)
    builder = BUILDERS.get(kind) if isinstance(kind, str) else None
    if builder is None:
        raise GeometryError(
            "geometry.kind", f"unknown geometry kind {kind!r}; known: {sorted(BUILDERS)}"
        )
    builder(spec, sizing)


def mesh_statistics() -> dict[str, int | float]:
    """Size and quality of the mesh of the current Gmsh model.

    Only the cells (elements of the model's top dimension) count; quality is Gmsh's
    ``minSICN`` (1 for a regular simplex, <= 0 for an inverted one).

    Returns:
        ``{"dim", "num_elements", "num_nodes", "min_quality", "mean_quality"}``.

    Raises:
        MeshingError: If the current model has no cells.
    """
    dim = gmsh.model.getDimension()
    element_tags = gmsh.model.mesh.getElements(dim)[1] if dim > 0 else []
    cells = np.concatenate([np.asarray(t, dtype=np.uint64) for t in element_tags] or [[]])
    if cells.size == 0:
        raise MeshingError("the current Gmsh model has no mesh")
    quality = np.asarray(gmsh.model.mesh.getElementQualities(cells, "minSICN"))
    node_tags, _, _ = gmsh.model.mesh.getNodes()
    return {
        "dim": int(dim),
        "num_elements": int(cells.size),
        "num_nodes": int(len(node_tags)),
        "min_quality": float(quality.min()),
        "mean_quality": float(quality.mean()),
    }


__all__ = [
    "BUILDERS",
    "GeometryError",
    "MeshingError",
    "Sizing",
    "SphereSpec",
    "build",
    "mesh_statistics",
    "register",
    "tags",
]
