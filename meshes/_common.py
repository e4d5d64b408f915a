"""Helpers shared by the geometry builders (private; Gmsh must be initialised).

Builders construct and mesh their OpenCASCADE geometry in *reference units* (lengths divided
by the particle radius) inside a scratch model; :func:`build_in_reference_units` then copies the
mesh into the caller's model as discrete entities with SI coordinates. Two reasons:

* OCC's absolute tolerance (1e-7) is comparable to a micrometre particle in SI, and Gmsh's
  size fields misbehave at that scale (the graded surface refinement is lost), while a 50 nm
  particle fails outright;
* the mesh becomes exactly scale invariant: the mesh of radius R is R times that of radius 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

import gmsh
import numpy as np

from meshes.errors import GeometryError, MeshingError
from meshes.specs import Sizing
from meshes.tags import OUTER_SURFACE

# Gmsh element types of linear simplices.
_LINEAR_SIMPLEX = {1: 1, 2: 2, 3: 4}  # dim -> type (line, triangle, tetrahedron)


def build_scaled(
    build_unit: Callable[[], None],
    length: float,
    dim: int,
    mesh_unit: Callable[[], None],
) -> None:
    """Build and mesh a geometry in reference units, then copy it scaled into the current model.

    OpenCASCADE's fixed tolerance (1e-7) is comparable to micron-size particles, so every
    geometry is built in units of ``length`` in a scratch model, tagged, sized and meshed
    there, and only the mesh is copied into the caller's (empty) current model, in metres.

    Args:
        build_unit: Creates the geometry in units of ``length`` in the (scratch) current model
            and adds its physical groups.
        length: Reference length (outer particle radius) in m.
        dim: Mesh dimension (2 or 3).
        mesh_unit: Sets the sizes (reference units) and generates the mesh.

    Raises:
        MeshingError: If the current model is not empty, Gmsh fails or the model is not fully
            tagged.
    """
    target = gmsh.model.getCurrent()
    if gmsh.model.getEntities():
        raise MeshingError(f"build needs an empty current Gmsh model; {target!r} has entities")
    scratch = f"{target}::reference-units"
    gmsh.model.add(scratch)
    try:
        try:
            build_unit()
        except (MeshingError, GeometryError):
            raise
        except Exception as exc:  # gmsh raises bare Exception with its last error message
            raise MeshingError(f"Gmsh failed to build the geometry: {exc}") from exc
        check_all_tagged(dim)
        mesh_unit()
        mesh = _extract_mesh(dim)
    finally:
        gmsh.model.setCurrent(scratch)
        gmsh.model.remove()
        gmsh.model.setCurrent(target)
    _insert_mesh(mesh, length)


def build_in_reference_units(
    build_unit: Callable[[], None], sizing: Sizing, length: float, dim: int
) -> None:
    """:func:`build_scaled` with the sphere's sizing: graded towards the boundary groups named
    ``outer_surface``, then :func:`generate`.

    Args:
        build_unit: Creates the geometry in units of ``length`` with its physical groups.
        sizing: Element sizes in m.
        length: Reference length (particle radius) in m.
        dim: Mesh dimension (2 or 3).
    """

    def mesh_unit() -> None:
        outer = [
            int(t)
            for d, group in gmsh.model.getPhysicalGroups(dim - 1)
            if gmsh.model.getPhysicalName(d, group) == OUTER_SURFACE
            for t in gmsh.model.getEntitiesForPhysicalGroup(d, group)
        ]
        surface_size = sizing.surface_size
        apply_sizing(
            Sizing(
                size=float(sizing.size) / length,
                surface_size=None if surface_size is None else float(surface_size) / length,
            ),
            dim,
            outer,
            1.0,
        )
        generate(dim)

    build_scaled(build_unit, length, dim, mesh_unit)


def _extract_mesh(dim: int) -> dict:
    """Entities (with boundaries), nodes, elements and physical groups of the current model."""
    entities = []
    for d, tag in sorted(gmsh.model.getEntities(), key=lambda e: e[0]):
        if d > dim:
            continue
        boundary = (
            [t for _, t in gmsh.model.getBoundary([(d, tag)], combined=False, oriented=True)]
            if d > 0
            else []
        )
        node_tags, coords, _ = gmsh.model.mesh.getNodes(d, tag, includeBoundary=False)
        types, element_tags, element_nodes = gmsh.model.mesh.getElements(d, tag)
        entities.append((d, tag, boundary, node_tags, coords, types, element_tags, element_nodes))
    groups = [
        (d, group, gmsh.model.getPhysicalName(d, group),
         list(gmsh.model.getEntitiesForPhysicalGroup(d, group)))
        for d, group in gmsh.model.getPhysicalGroups()
    ]
    return {"entities": entities, "groups": groups}


def _insert_mesh(mesh: dict, length: float) -> None:
    """Add an extracted mesh to the current model as discrete entities scaled by ``length``."""
    for d, tag, boundary, *_ in mesh["entities"]:
        gmsh.model.addDiscreteEntity(d, tag, [int(b) for b in boundary])
    for d, tag, _, node_tags, coords, *_ in mesh["entities"]:
        if len(node_tags):
            gmsh.model.mesh.addNodes(d, tag, node_tags, np.asarray(coords) * length)
    for d, tag, _, _, _, types, element_tags, element_nodes in mesh["entities"]:
        if len(types):
            gmsh.model.mesh.addElements(d, tag, types, element_tags, element_nodes)
    for d, group, name, entity_tags in mesh["groups"]:
        gmsh.model.addPhysicalGroup(d, [int(t) for t in entity_tags], tag=group, name=name)


def center_of_mass(dim: int, tag: int) -> tuple[float, float, float]:
    """Centre of mass of an OCC entity (exact, unlike the tolerance-inflated bounding box).

    Args:
        dim: Entity dimension.
        tag: Entity tag.

    Returns:
        The centre of mass (x, y, z), in model units.
    """
    x, y, z = gmsh.model.occ.getCenterOfMass(dim, tag)
    return float(x), float(y), float(z)


def add_physical_groups(dim: int, groups: Iterable[tuple[str, Sequence[int]]]) -> None:
    """Add named physical groups of one dimension with tags 1, 2, ... in the given order.

    Args:
        dim: Dimension of the entities.
        groups: ``(name, entity tags)`` pairs.

    Raises:
        MeshingError: If a group would be empty.
    """
    for number, (name, entity_tags) in enumerate(groups, start=1):
        if not entity_tags:
            raise MeshingError(f"physical group {name!r} (dim {dim}) has no entities")
        gmsh.model.addPhysicalGroup(dim, sorted(entity_tags), tag=number, name=name)


def check_all_tagged(dim: int) -> None:
    """Check that every entity of the top dimension belongs to a physical group.

    Args:
        dim: Top (cell) dimension of the model.

    Raises:
        MeshingError: If an entity would carry untagged cells.
    """
    tagged: set[int] = set()
    for _, group in gmsh.model.getPhysicalGroups(dim):
        tagged.update(int(t) for t in gmsh.model.getEntitiesForPhysicalGroup(dim, group))
    untagged = sorted({t for _, t in gmsh.model.getEntities(dim)} - tagged)
    if untagged:
        raise MeshingError(f"entities of dimension {dim} without a physical group: {untagged}")


def apply_sizing(sizing: Sizing, dim: int, surfaces: Sequence[int], length: float) -> None:
    """Set the mesh-size options and, for graded sizing, a Distance + Threshold field.

    The element size is ``sizing.size`` everywhere, or grows linearly from
    ``sizing.surface_size`` on ``surfaces`` to ``sizing.size`` over a band of width
    ``w = clip(3 |size - surface_size|, 2 surface_size, length / 2)`` (growth ratio about 1.3
    per element), and is ``sizing.size`` beyond.

    Args:
        sizing: Validated element sizes (m).
        dim: Mesh dimension (2 or 3); ``surfaces`` are entities of dimension ``dim - 1``.
        surfaces: Tags of the boundary entities the graded size refers to.
        length: Reference length of the particle (radius) in m.
    """
    size = float(sizing.size)
    surface_size = sizing.effective_surface_size
    for name, value in (
        ("Mesh.MeshSizeFromPoints", 0),
        ("Mesh.MeshSizeFromCurvature", 0),
        ("Mesh.MeshSizeExtendFromBoundary", 0),
        ("Mesh.MeshSizeFactor", 1.0),
        ("Mesh.MeshSizeMin", 0.0),
        ("Mesh.MeshSizeMax", max(size, surface_size)),
    ):
        gmsh.option.setNumber(name, value)
    if not sizing.graded:
        return
    field = gmsh.model.mesh.field
    distance = field.add("Distance")
    field.setNumbers(distance, "SurfacesList" if dim == 3 else "CurvesList", list(surfaces))
    # Uniform parametric sampling of the surfaces: finer than the surface element size.
    samples = int(min(400, max(20, math.ceil(4.0 * length / surface_size))))
    field.setNumber(distance, "Sampling", samples)
    width = min(max(3.0 * abs(size - surface_size), 2.0 * surface_size), 0.5 * length)
    threshold = field.add("Threshold")
    field.setNumber(threshold, "InField", distance)
    field.setNumber(threshold, "SizeMin", surface_size)
    field.setNumber(threshold, "SizeMax", size)
    field.setNumber(threshold, "DistMin", 0.0)
    field.setNumber(threshold, "DistMax", width)
    field.setAsBackgroundMesh(threshold)


def generate(dim: int) -> None:
    """Generate a linear simplex mesh of dimension ``dim`` and check it.

    Uses Delaunay with the Netgen optimiser in 3D and Frontal-Delaunay in 2D; no recombination,
    order 1.

    Args:
        dim: 2 (triangles) or 3 (tetrahedra).

    Raises:
        MeshingError: If Gmsh fails, or the mesh is empty or holds other element types.
    """
    for name, value in (
        ("Mesh.ElementOrder", 1),
        ("Mesh.RecombineAll", 0),
        ("Mesh.Algorithm", 6),
        ("Mesh.Algorithm3D", 1),
        ("Mesh.Optimize", 1),
        ("Mesh.OptimizeNetgen", 1 if dim == 3 else 0),
    ):
        gmsh.option.setNumber(name, value)
    try:
        gmsh.model.mesh.generate(dim)
    except Exception as exc:  # gmsh raises bare Exception with its last error message
        raise MeshingError(f"Gmsh failed to generate the {dim}D mesh: {exc}") from exc
    types, element_tags, _ = gmsh.model.mesh.getElements(dim)
    counts = {int(t): len(e) for t, e in zip(types, element_tags, strict=True)}
    if set(counts) != {_LINEAR_SIMPLEX[dim]} or counts[_LINEAR_SIMPLEX[dim]] == 0:
        raise MeshingError(f"expected only linear simplices of dimension {dim}, got {counts}")
