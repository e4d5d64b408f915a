"""Construction machinery of the layered kinds (private; Gmsh must be initialised).

Every layered particle is a set of nested balls (discs in 2D) of known centres and radii:
:func:`build_nested` creates them in reference units (lengths divided by the outer radius),
fragments them so that neighbouring layers share their interface (conforming facets), drops
the pieces that are not meshed (a cavity, the void of a yolk-shell), names every piece and every
boundary piece *by geometry* (a probe point inside each layer; adjacency and distance from the
layer centres for the boundaries), sets analytic size fields (``>= 3`` elements through every
thin layer, graded to the global size away from it) and meshes. :func:`build_layered` runs that in
a scratch model and copies the mesh, scaled to metres, into the caller's model (the same
machinery as :func:`meshes._common.build_in_reference_units`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import gmsh
import numpy as np

from meshes import tags
from meshes._common import (
    add_physical_groups,
    build_scaled,
    center_of_mass,
    generate,
)
from meshes.errors import MeshingError
from meshes.specs import Sizing

ELEMENTS_PER_LAYER = 3.5
"""Target element size inside a thin layer is ``thickness / ELEMENTS_PER_LAYER`` (>= 3 through)."""

GROWTH = 0.25
"""Slope of the element size away from a refined layer (size grows ~25 % per element)."""

_ON_PLANE = 1e-6  # reference units: a centre of mass closer than this lies on a plane / the axis


@dataclass(frozen=True)
class Ball:
    """A ball (3D) or disc (2D) in reference units.

    Attributes:
        radius: Radius (reference units).
        offset: Position of the centre along the offset axis (z in 3D, y in 2D).
        label: Name of the layer *inside* this ball and outside the next smaller ball of the
            list (a region name, or ``None`` for a piece that is not meshed).
    """

    radius: float
    offset: float
    label: str | None


def build_layered(
    build_unit: Callable[[], None],
    length: float,
    dim: int,
    set_sizes: Callable[[], None],
    algorithm_2d: int = 6,
) -> None:
    """:func:`meshes._common.build_scaled` with layer sizing and a choice of 2D algorithm.

    Args:
        build_unit: Creates the geometry (units of ``length``) with all its physical groups.
        length: Reference length in m (outer particle radius).
        dim: Mesh dimension (2 or 3).
        set_sizes: Sets the mesh-size options / fields in the scratch model (reference units).
        algorithm_2d: Gmsh 2D algorithm (6 Frontal-Delaunay; 5 Delaunay, which copes better
            with a very thin layer along a closed circle).
    """

    def mesh_unit() -> None:
        set_sizes()
        _generate(dim, algorithm_2d)

    build_scaled(build_unit, length, dim, mesh_unit)


def _generate(dim: int, algorithm_2d: int) -> None:
    """:func:`meshes._common.generate` with a choice of the 2D algorithm."""
    if dim == 3 or algorithm_2d == 6:
        generate(dim)
        return
    for name, value in (
        ("Mesh.ElementOrder", 1),
        ("Mesh.RecombineAll", 0),
        ("Mesh.Algorithm", algorithm_2d),
        ("Mesh.Optimize", 1),
        ("Mesh.OptimizeNetgen", 0),
    ):
        gmsh.option.setNumber(name, value)
    try:
        gmsh.model.mesh.generate(dim)
    except Exception as exc:  # gmsh raises bare Exception with its last error message
        raise MeshingError(f"Gmsh failed to generate the {dim}D mesh: {exc}") from exc
    types, element_tags, _ = gmsh.model.mesh.getElements(dim)
    if [int(t) for t in types] != [2] or len(element_tags[0]) == 0:
        raise MeshingError(f"expected only linear triangles, got element types {list(types)}")


def base_size_options(size: float, surface_size: float) -> None:
    """Mesh-size options shared by the layered kinds (reference units).

    Sizes come from the background field only, except that curved boundaries get at least
    ``2 pi / size`` elements per full turn (``MeshSizeFromCurvature``): a cavity or yolk of
    smaller radius than the particle is then as well resolved, relative to its radius, as the
    outer surface.
    """
    for name, value in (
        ("Mesh.MeshSizeFromPoints", 0),
        ("Mesh.MeshSizeFromCurvature", max(12, math.ceil(2.0 * math.pi / min(size, 1.0)))),
        ("Mesh.MeshSizeExtendFromBoundary", 0),
        ("Mesh.MeshSizeFactor", 1.0),
        ("Mesh.MeshSizeMin", 0.0),
        ("Mesh.MeshSizeMax", max(size, surface_size)),
    ):
        gmsh.option.setNumber(name, value)


def _radial_distance(dim: int, offset: float, radius: float) -> str:
    """MathEval expression of the distance to a sphere (circle) centred on the offset axis."""
    if dim == 3:
        r = f"Sqrt(x^2 + y^2 + (z - ({offset!r}))^2)"
    else:
        r = f"Sqrt(x^2 + (y - ({offset!r}))^2 + z^2)"
    return f"Abs({r} - ({radius!r}))"


def _threshold(expression: str, size_min: float, size_max: float, width: float) -> int:
    field = gmsh.model.mesh.field
    distance = field.add("MathEval")
    field.setString(distance, "F", expression)
    threshold = field.add("Threshold")
    field.setNumber(threshold, "InField", distance)
    field.setNumber(threshold, "SizeMin", size_min)
    field.setNumber(threshold, "SizeMax", size_max)
    field.setNumber(threshold, "DistMin", 0.0)
    field.setNumber(threshold, "DistMax", max(width, 1e-12))
    return threshold


def set_layer_sizes(
    sizing: Sizing,
    dim: int,
    layers: Sequence[tuple[float, float, float]],
    outer: tuple[float, float] | None,
) -> None:
    """Size fields for nested spherical layers (reference units).

    The size is ``sizing.size`` in the bulk; within a layer of thickness ``t`` it is at most
    ``t / ELEMENTS_PER_LAYER`` and grows by :data:`GROWTH` per unit distance away from it; with
    a graded sizing it goes from ``surface_size`` on the outer sphere to ``size`` over a band
    like :func:`meshes._common.apply_sizing`.

    Args:
        sizing: Element sizes in reference units.
        dim: Mesh dimension.
        layers: ``(offset, inner radius, outer radius)`` of every spherical layer.
        outer: ``(offset, radius)`` of the outer sphere (graded sizing), or ``None``.
    """
    size = float(sizing.size)
    surface_size = sizing.effective_surface_size
    base_size_options(size, surface_size)
    coarse = max(size, surface_size)
    fields = []
    if sizing.graded and outer is not None:
        width = min(max(3.0 * abs(size - surface_size), 2.0 * surface_size), 0.5)
        fields.append(_threshold(_radial_distance(dim, *outer), surface_size, size, width))
    for offset, r0, r1 in layers:
        local = (r1 - r0) / ELEMENTS_PER_LAYER
        if local >= coarse:
            continue
        middle, half = 0.5 * (r0 + r1), 0.5 * (r1 - r0)
        expression = f"Max(0, {_radial_distance(dim, offset, middle)} - ({half!r}))"
        fields.append(_threshold(expression, local, coarse, (coarse - local) / GROWTH))
    if not fields:
        if sizing.graded and outer is None:
            raise MeshingError("graded sizing needs the outer sphere")
        return
    field = gmsh.model.mesh.field
    if len(fields) == 1:
        background = fields[0]
    else:
        background = field.add("Min")
        field.setNumbers(background, "FieldsList", fields)
    field.setAsBackgroundMesh(background)


# --- geometry ----------------------------------------------------------------------------------


def _add_ball(mode: str, radius: float, offset: float) -> list[tuple[int, int]]:
    """One ball / disc of the mode (octant part, meridian half disc) as OCC entities."""
    occ = gmsh.model.occ
    if mode in ("3d", "octant"):
        ball = [(3, occ.addSphere(0.0, 0.0, offset, radius))]
        if mode == "octant":
            box = [(3, occ.addBox(0.0, 0.0, 0.0, 2.0, 2.0, 2.0))]
            ball, _ = occ.intersect(ball, box)
        return ball
    disc = [(2, occ.addDisk(0.0, offset, 0.0, radius, radius))]
    if mode == "axisymmetric":
        half_plane = [(2, occ.addRectangle(0.0, -2.0, 0.0, 2.0, 4.0))]
        disc, _ = occ.intersect(disc, half_plane)
    return disc


def _probe_direction(mode: str) -> np.ndarray:
    """A unit direction pointing into the meshed part of every layer (x >= 0 etc.)."""
    if mode in ("3d", "octant"):
        return np.array([1.0, 1.0, 1.0]) / math.sqrt(3.0)
    return np.array([1.0, 1.0, 0.0]) / math.sqrt(2.0)


def _probe(mode: str, inner: Ball | None, ball: Ball) -> np.ndarray:
    """A point inside ``ball`` and outside ``inner`` (which it contains)."""
    d = _probe_direction(mode)
    axis = 2 if mode in ("3d", "octant") else 1
    centre = np.zeros(3)
    centre[axis] = ball.offset
    # distance from the centre of `ball` to its sphere along d is ball.radius; the inner ball
    # seen from the same centre: the ray c + s d leaves it at s_in.
    if inner is None:
        return centre + 0.5 * ball.radius * d
    c_in = np.zeros(3)
    c_in[axis] = inner.offset
    # ray from c_in (inside inner) along d: exits inner at inner.radius, exits ball at s_out
    rel = c_in - centre
    b = float(rel @ d)
    s_out = -b + math.sqrt(b * b - float(rel @ rel) + ball.radius**2)
    return c_in + 0.5 * (inner.radius + s_out) * d


def _point_on(dim: int, tag: int) -> np.ndarray:
    """A point on an entity (the image of the middle of its parameter box)."""
    low, high = gmsh.model.getParametrizationBounds(dim, tag)
    middle = [0.5 * (a + b) for a, b in zip(low, high, strict=True)]
    return np.asarray(gmsh.model.getValue(dim, tag, middle), dtype=float)[:3]


def build_nested(
    mode: str,
    balls: Sequence[Ball],
    region_names: Sequence[str],
    boundary_name: Callable[[str, float], str],
    interface_pairs: Sequence[tuple[str, str]],
    boundary_order: Sequence[str],
) -> None:
    """Create, fragment, label and tag nested balls in reference units (current model).

    Args:
        mode: Geometry mode (``3d``, ``octant``, ``axisymmetric``, ``plane_strain``).
        balls: Nested balls, smallest first; ``balls[i].label`` names the piece inside ball
            i and outside ball i - 1 (``None``: not meshed, removed).
        region_names: Region names in their contract order.
        boundary_name: ``boundary_name(region, distance)`` names a curved exterior boundary
            piece of ``region`` whose points lie at ``distance`` from the origin (reference
            units).
        interface_pairs: ``(a, b)`` region pairs (region order) that share an interface.
        boundary_order: Boundary names in contract order (every one must be found).

    Raises:
        MeshingError: If a piece cannot be identified or a group would be empty.
    """
    occ = gmsh.model.occ
    dim = 3 if mode in ("3d", "octant") else 2
    pieces = []
    for ball in balls:
        pieces += _add_ball(mode, ball.radius, ball.offset)
    if len(pieces) > 1:
        occ.fragment(pieces[:1], pieces[1:])
    occ.synchronize()
    entities = [t for _, t in gmsh.model.getEntities(dim)]

    labels: dict[int, str | None] = {}
    for i, ball in enumerate(balls):
        point = _probe(mode, balls[i - 1] if i else None, ball)
        found = [t for t in entities if gmsh.model.isInside(dim, t, list(point))]
        if len(found) != 1:
            raise MeshingError(
                f"layer {ball.label or 'void'} (probe {point}) lies in {len(found)} pieces"
            )
        if found[0] in labels:
            raise MeshingError(f"piece {found[0]} holds two layers")
        labels[found[0]] = ball.label
    if set(labels) != set(entities):
        raise MeshingError(f"unidentified pieces {sorted(set(entities) - set(labels))}")
    removed = [(dim, t) for t, name in labels.items() if name is None]
    if removed:
        occ.remove(removed, recursive=True)
        occ.synchronize()
    regions = {t: name for t, name in labels.items() if name is not None}
    add_physical_groups(
        dim, [(name, [t for t, n in regions.items() if n == name]) for name in region_names]
    )

    planes = (tags.SYMMETRY_X, tags.SYMMETRY_Y, tags.SYMMETRY_Z)
    groups: dict[str, list[int]] = {name: [] for name in boundary_order}
    groups.update({tags.interface(a, b): [] for a, b in interface_pairs})
    order = {name: i for i, name in enumerate(region_names)}
    facets = {t for t in regions for _, t in gmsh.model.getBoundary([(dim, t)], oriented=False)}
    for facet in sorted(facets):
        up = [int(t) for t in gmsh.model.getAdjacencies(dim - 1, facet)[0] if int(t) in regions]
        names = sorted({regions[t] for t in up}, key=order.__getitem__)
        if len(names) == 2:
            name = tags.interface(*names)
        elif len(names) != 1:
            raise MeshingError(f"facet {facet} bounds regions {names}")
        else:
            com = center_of_mass(dim - 1, facet)
            on = []
            if mode == "octant":
                on = [planes[i] for i in range(3) if abs(com[i]) < _ON_PLANE]
            elif mode == "axisymmetric" and abs(com[0]) < _ON_PLANE:
                on = [tags.AXIS]
            if len(on) > 1:
                raise MeshingError(f"facet {facet} (centre {com}) lies on several planes {on}")
            if on:
                name = on[0]
            else:
                name = boundary_name(names[0], float(np.linalg.norm(_point_on(dim - 1, facet))))
        if name not in groups:
            raise MeshingError(f"facet {facet} would be {name!r}, not a group of this geometry")
        groups[name].append(facet)
    add_physical_groups(dim - 1, groups.items())


__all__ = ["Ball", "build_layered", "build_nested", "set_layer_sizes"]
