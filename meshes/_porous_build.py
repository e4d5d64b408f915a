"""Gmsh OCC construction of porous / inclusion particles (private; see :mod:`meshes.porous`).

One pipeline for every mode: primitives (concentric layer balls/discs, one solid per pore,
pore coating or inclusion, and the clipping box / half plane of the octant / axisymmetric
modes) are built in units of the outer radius, *fragmented together in one call* (so every
interface is conforming), and each resulting cell entity is classified from the inputs it
descends from: a pore void (removed), else the pore coating / inclusion it lies in, else the
innermost layer ball containing it (``core``, ``coating_1``, ...); pieces outside the layer
balls or the clip domain are removed. Boundaries are classified from their adjacent cells:
two different regions make an interface, one cell makes an exterior boundary (symmetry plane,
axis, the outer sphere, or else a pore wall).

The mesh size is the minimum of analytic Ball fields: the global size, ``surface_size`` at the
outer surface, ``<= t/3`` in the outer coatings, ``<= min(t/3, r/4)`` around each (coated) pore
(``r/5`` of the section radius in 2D) and ``<= r/3`` around each inclusion, each graded to the
global size over about three times the size difference (growth about 1.3 per element).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gmsh
import numpy as np

from meshes import tags
from meshes._common import build_scaled
from meshes._placement import Capsule
from meshes.errors import MeshingError
from meshes.porous import SECTION_KEEP, InclusionsSpec, PorousSpec
from meshes.specs import Sizing

_TOL = 1e-6  # reference units (outer radius 1)


@dataclass
class _Item:
    """One non-layer primitive: ``region`` None is a void (pore)."""

    region: str | None
    cap: Capsule  # reference units
    shape: str  # "sphere" | "bar"
    capped: bool
    size: float  # element size near it, reference units


def build_porous_model(spec: PorousSpec, sizing: Sizing) -> None:
    """Mesh ``spec`` into the current (empty) Gmsh model; see :func:`meshes.porous.build_porous`."""
    length = spec.radius
    s = float(sizing.size) / length
    t = float(spec.pore_coating or 0.0) / length
    items: list[_Item] = []
    voids, coats = [], []
    section = spec.mode == "plane_strain"
    for pore in spec.pores():
        cap = _scaled(pore, length)
        r, z = cap.r, abs(cap.a[2])
        h = min(s, r / 4.0, t / 3.0 if t > 0 else math.inf)
        if not section or z < SECTION_KEEP * r:
            voids.append(_Item(None, cap, "sphere", False, h))
        if t > 0 and (not section or z < SECTION_KEEP * (r + t)):
            coats.append(_Item(tags.PORE_COATING, Capsule(cap.a, cap.b, r + t), "sphere", False, h))
    items = voids + coats
    _run(spec, sizing, items, spec.pore_surface_name)


def build_inclusions_model(spec: InclusionsSpec, sizing: Sizing) -> None:
    """Mesh ``spec`` into the current (empty) Gmsh model."""
    length = spec.radius
    s = float(sizing.size) / length
    items = []
    for k, cap in spec.objects():
        if not spec.present(k, cap):
            continue
        inc = spec.inclusions[k]
        c = _scaled(cap, length)
        items.append(
            _Item(tags.inclusion(inc.phase), c, inc.shape, inc.bar_ends == "capped", min(s, c.r / 3))
        )
    _run(spec, sizing, items, None)


def _scaled(cap: Capsule, length: float) -> Capsule:
    return Capsule(
        tuple(float(v) / length for v in cap.a), tuple(float(v) / length for v in cap.b), cap.r / length
    )


def _run(spec, sizing: Sizing, items: list[_Item], void_name: str | None) -> None:
    dim = spec.gdim

    def mesh_unit() -> None:
        _sizing(spec, sizing, items)
        _generate(dim)

    build_scaled(lambda: _geometry(spec, items, void_name), spec.radius, dim, mesh_unit)


# --- geometry ----------------------------------------------------------------------------------


def _layer_radii(spec) -> list[float]:
    radii = [float(spec.body_radius)]
    for t in spec.coatings:
        radii.append(radii[-1] + float(t))
    return [r / spec.radius for r in radii]


def _primitive(mode: str, item: _Item) -> list[tuple[int, int]]:
    occ = gmsh.model.occ
    a, b, r = np.asarray(item.cap.a), np.asarray(item.cap.b), item.cap.r
    if mode in ("3d", "octant"):
        if item.shape == "sphere":
            return [(3, occ.addSphere(*a, r))]
        d = b - a
        body = [(3, occ.addCylinder(*a, *d, r))]
        if item.capped:
            ends = [(3, occ.addSphere(*a, r)), (3, occ.addSphere(*b, r))]
            body, _ = occ.fuse(body, ends)
        return body
    if mode == "axisymmetric":  # on the axis: (x, y) = (r, z)
        if item.shape == "sphere":
            return [(2, occ.addDisk(0.0, a[2], 0.0, r, r))]
        z0, z1 = sorted((a[2], b[2]))
        body = [(2, occ.addRectangle(-r, z0, 0.0, 2 * r, z1 - z0))]
        if item.capped:
            ends = [(2, occ.addDisk(0.0, z0, 0.0, r, r)), (2, occ.addDisk(0.0, z1, 0.0, r, r))]
            body, _ = occ.fuse(body, ends)
        return body
    # plane strain: the z = 0 section
    if item.shape == "sphere":
        rho = math.sqrt(r * r - a[2] ** 2)
        return [(2, occ.addDisk(a[0], a[1], 0.0, rho, rho))]
    solid = [(3, occ.addCylinder(*a, *(b - a), r))]
    if item.capped:
        solid, _ = occ.fuse(solid, [(3, occ.addSphere(*a, r)), (3, occ.addSphere(*b, r))])
    plane = [(2, occ.addRectangle(-2.0, -2.0, 0.0, 4.0, 4.0))]
    section, _ = occ.intersect(plane, solid)
    section = [e for e in section if e[0] == 2]
    if not section:
        raise MeshingError(f"the z = 0 section of a bar at {item.cap.center} is empty")
    return section


def _geometry(spec, items: list[_Item], void_name: str | None) -> None:
    occ = gmsh.model.occ
    mode, dim = spec.mode, spec.gdim
    layer_radii = _layer_radii(spec)
    layer_names = [tags.CORE] + [tags.coating(i + 1) for i in range(len(spec.coatings))]
    inputs: list[list[tuple[int, int]]] = []
    for rad in layer_radii:
        inputs.append(
            [(3, occ.addSphere(0.0, 0.0, 0.0, rad))]
            if dim == 3
            else [(2, occ.addDisk(0.0, 0.0, 0.0, rad, rad))]
        )
    n_layers = len(inputs)
    for item in items:
        inputs.append(_primitive(mode, item))
    domain = None
    if mode == "octant":
        domain = len(inputs)
        inputs.append([(3, occ.addBox(0.0, 0.0, 0.0, 2.0, 2.0, 2.0))])
    elif mode == "axisymmetric":
        domain = len(inputs)
        inputs.append([(2, occ.addRectangle(0.0, -2.0, 0.0, 2.0, 4.0))])
    flat = [(i, e) for i, group in enumerate(inputs) for e in group]
    dimtags = [e for _, e in flat]
    try:
        _, out_map = occ.fragment(dimtags[:1], dimtags[1:])
    except Exception as exc:
        raise MeshingError(f"Gmsh (OCC) failed to fragment the {spec.kind} geometry: {exc}") from exc
    ancestors: dict[int, set[int]] = {}
    for (i, _), children in zip(flat, out_map, strict=True):
        for d, tag in children:
            if d == dim:
                ancestors.setdefault(tag, set()).add(i)
    regions: dict[str, list[int]] = {}
    remove = []
    for tag, anc in ancestors.items():
        name = _classify(anc, n_layers, layer_names, items, domain)
        if name is None:
            remove.append((dim, tag))
        else:
            regions.setdefault(name, []).append(tag)
    if remove:
        occ.remove(remove, recursive=True)
    occ.synchronize()
    leftovers = {t for _, t in gmsh.model.getEntities(dim)} - {
        t for tl in regions.values() for t in tl
    }
    if leftovers:
        raise MeshingError(f"unclassified {dim}D entities after fragmenting: {sorted(leftovers)}")

    region_of = {t: name for name, tl in regions.items() for t in tl}
    order = list(spec.region_names())
    boundaries: dict[str, list[int]] = {}
    for _, e in gmsh.model.getEntities(dim - 1):
        up = [int(t) for t in gmsh.model.getAdjacencies(dim - 1, e)[0] if int(t) in region_of]
        if len(up) == 2:
            a, b = sorted({region_of[up[0]], region_of[up[1]]}, key=_index(order))
            if a != b:
                boundaries.setdefault(tags.interface(a, b), []).append(e)
            continue
        if len(up) != 1:
            continue
        name = _exterior_name(mode, dim, e, void_name)
        boundaries.setdefault(name, []).append(e)

    expected_regions = list(spec.region_names())
    expected_bounds = list(spec.boundary_names()) + list(spec.interface_names())
    if set(regions) != set(expected_regions) or set(boundaries) != set(expected_bounds):
        raise MeshingError(
            f"built groups {sorted(regions)} / {sorted(boundaries)} differ from the expected "
            f"{expected_regions} / {expected_bounds}"
        )
    for number, name in enumerate(expected_regions, start=1):
        gmsh.model.addPhysicalGroup(dim, sorted(regions[name]), tag=number, name=name)
    for number, name in enumerate(expected_bounds, start=1):
        gmsh.model.addPhysicalGroup(dim - 1, sorted(boundaries[name]), tag=number, name=name)


def _index(order: list[str]):
    return lambda name: order.index(name) if name in order else len(order)


def _classify(anc, n_layers, layer_names, items, domain) -> str | None:
    if domain is not None and domain not in anc:
        return None
    for k, item in enumerate(items):
        if n_layers + k in anc:
            return item.region  # None for a void
    for k in range(n_layers):
        if k in anc:
            return layer_names[k]
    return None


def _exterior_name(mode: str, dim: int, entity: int, void_name: str | None) -> str:
    etype = gmsh.model.getType(dim - 1, entity)
    com = gmsh.model.occ.getCenterOfMass(dim - 1, entity)
    if mode == "octant" and etype == "Plane":
        on = [i for i in range(3) if abs(com[i]) < _TOL]
        if len(on) == 1:
            return (tags.SYMMETRY_X, tags.SYMMETRY_Y, tags.SYMMETRY_Z)[on[0]]
    if mode == "axisymmetric" and etype == "Line" and abs(com[0]) < _TOL:
        return tags.AXIS
    lo, hi = gmsh.model.getParametrizationBounds(dim - 1, entity)
    mid = [0.5 * (u + v) for u, v in zip(lo, hi, strict=True)]
    p = np.asarray(gmsh.model.getValue(dim - 1, entity, mid))
    if abs(np.linalg.norm(p) - 1.0) < _TOL:
        return tags.OUTER_SURFACE
    if void_name is None:
        raise MeshingError(
            f"boundary entity {entity} ({etype}, centre {com}) is neither the outer surface nor a "
            "symmetry plane"
        )
    return void_name


# --- sizing and meshing ------------------------------------------------------------------------


def _grading(size: float, h: float) -> float:
    """Width over which the size grows from ``h`` to ``size`` (ratio about 1.3 per element)."""
    return max(3.0 * (size - h), h)


def _sizing(spec, sizing: Sizing, items: list[_Item]) -> None:
    length = spec.radius
    s = float(sizing.size) / length
    ss = sizing.effective_surface_size / length
    for name, value in (
        ("Mesh.MeshSizeFromPoints", 0),
        ("Mesh.MeshSizeFromCurvature", 0),
        ("Mesh.MeshSizeExtendFromBoundary", 0),
        ("Mesh.MeshSizeFactor", 1.0),
        ("Mesh.MeshSizeMin", 0.0),
        ("Mesh.MeshSizeMax", s),
    ):
        gmsh.option.setNumber(name, value)
    field = gmsh.model.mesh.field
    balls = []

    def ball(center, radius, h_in, h_out, width) -> None:
        f = field.add("Ball")
        for key, value in zip("XYZ", center, strict=True):
            field.setNumber(f, f"{key}Center", float(value))
        field.setNumber(f, "Radius", float(radius))
        field.setNumber(f, "Thickness", float(width))
        field.setNumber(f, "VIn", float(h_in))
        field.setNumber(f, "VOut", float(h_out))
        balls.append(f)

    rb = float(spec.body_radius) / length
    if spec.coatings:
        h = min(s, min(float(t) for t in spec.coatings) / length / 3.0)
        w = _grading(s, h)
        ball((0, 0, 0), max(rb - w, 0.0), s, h, w)
    if ss < s:
        w = _grading(s, ss)
        ball((0, 0, 0), max(1.0 - w, 0.0), s, ss, w)
    for item in items:
        c = item.cap.center
        if item.shape == "sphere":
            radius = item.cap.r
            h = item.size
            if spec.mode == "plane_strain":
                radius = math.sqrt(max(radius**2 - c[2] ** 2, 0.0))
                h = min(h, radius / 5.0)
                c = (c[0], c[1], 0.0)
            elif spec.mode == "axisymmetric":
                c = (0.0, c[2], 0.0)
                h = min(h, radius / 5.0)
        else:
            radius = 0.5 * float(np.linalg.norm(np.subtract(item.cap.b, item.cap.a))) + item.cap.r
            h = item.size
            if spec.mode == "axisymmetric":
                c = (0.0, c[2], 0.0)
            elif spec.mode == "plane_strain":
                c = (c[0], c[1], 0.0)
        if h < s:
            ball(c, radius, h, s, _grading(s, h))
    if balls:
        m = field.add("Min")
        field.setNumbers(m, "FieldsList", balls)
        field.setAsBackgroundMesh(m)


def _generate(dim: int) -> None:
    for name, value in (
        ("Mesh.ElementOrder", 1),
        ("Mesh.RecombineAll", 0),
        ("Mesh.Algorithm", 6),
        ("Mesh.Algorithm3D", 10),
        ("Mesh.Optimize", 1),
        ("Mesh.OptimizeNetgen", 0),
    ):
        gmsh.option.setNumber(name, value)
    # one thread: HXT with several threads gives a slightly different mesh on every run, and
    # the mesh cache and serial-vs-MPI comparisons rely on "same input, same mesh"
    threads = gmsh.option.getNumber("General.NumThreads")
    gmsh.option.setNumber("General.NumThreads", 1)
    try:
        gmsh.model.mesh.generate(dim)
    except Exception as exc:
        raise MeshingError(f"Gmsh failed to generate the {dim}D mesh: {exc}") from exc
    finally:
        gmsh.option.setNumber("General.NumThreads", threads)
    types, element_tags, _ = gmsh.model.mesh.getElements(dim)
    linear = {2: 2, 3: 4}[dim]
    counts = {int(t): len(e) for t, e in zip(types, element_tags, strict=True)}
    if set(counts) != {linear} or counts[linear] == 0:
        raise MeshingError(f"expected only linear simplices of dimension {dim}, got {counts}")
