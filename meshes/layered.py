"""Ellipsoid, core-shell, hollow and yolk-shell particles (see ``meshes/CONTRACT.md``).

Every spec is a frozen dataclass in SI units with the members of the contract; the builders
construct the geometry with Gmsh's OpenCASCADE kernel in units of the outer radius, fragment
the layers so that interfaces are conforming (shared facets), tag every region, boundary and
interface by geometry, and put at least three elements through every thin layer (graded to the
global size away from it).

Modes: ``3d`` and ``octant`` (x, y, z >= 0, symmetry planes ``symmetry_x|y|z``) are 3D;
``axisymmetric`` meshes the meridian half plane x = r >= 0 of the x-y plane (y = z, curve
``axis``); ``plane_strain`` meshes the full cross-section z = 0 in the x-y plane.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any, ClassVar

import gmsh

from meshes import tags
from meshes._common import add_physical_groups, apply_sizing, center_of_mass
from meshes._layered_build import (
    Ball,
    base_size_options,
    build_nested,
    build_layered,
    set_layer_sizes,
)
from meshes.errors import GeometryError, MeshingError
from meshes.specs import ModeGeometry, MODES, Mode, Sizing, _check_length

_ON_PLANE = 1e-6

TOUCH_GAP = 1e-3
"""A yolk that touches its shell is moved back by this fraction of the void thickness."""

# names a custom coating may not take (boundaries, symmetry, other kinds' regions)
_RESERVED = frozenset(
    {
        tags.CORE,
        tags.OUTER_SURFACE,
        tags.INNER_SURFACE,
        tags.PORE_SURFACE,
        tags.CLOSED_PORE_SURFACE,
        tags.YOLK_SURFACE,
        tags.SHELL_INNER_SURFACE,
        tags.YOLK,
        tags.SHELL,
        tags.PORE_COATING,
        *tags.SYMMETRY_NAMES,
    }
)


# --- shared spec helpers -------------------------------------------------------------------------


def _check_mode(spec: Any) -> None:
    if spec.mode not in MODES:
        raise GeometryError(
            "geometry.mode", f"unknown mode {spec.mode!r}; expected one of {MODES}"
        )
    if spec.mode not in spec.MODES_SUPPORTED:
        raise GeometryError(
            "geometry.mode",
            f"mode {spec.mode!r} is not available for a {spec.kind} particle; "
            f"supported: {spec.MODES_SUPPORTED}",
        )


def _check_layers(field: str, values: Any, suffix: str = "") -> tuple[float, ...]:
    """Check a sequence of layer thicknesses (``field.i[suffix]`` in errors)."""
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        raise GeometryError(field, f"must be a list of thicknesses in m, got {values!r}")
    return tuple(_check_length(f"{field}.{i}{suffix}", v) for i, v in enumerate(values))


def _boundaries(mode: str, *curved: str) -> tuple[str, ...]:
    if mode == "octant":
        return (*curved, tags.SYMMETRY_X, tags.SYMMETRY_Y, tags.SYMMETRY_Z)
    if mode == "axisymmetric":
        return (*curved, tags.AXIS)
    return tuple(curved)


def _chain(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(tags.interface(a, b) for a, b in zip(names, names[1:]))


# --- ellipsoid -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EllipsoidSpec(ModeGeometry):
    """A homogeneous ellipsoid x²/a² + y²/b² + z²/c² <= 1 centred at the origin.

    Attributes:
        semi_axes: ``(a, b, c)`` along x, y, z in m (> 0).
        mode: ``3d``, ``octant``, ``axisymmetric`` (needs a == b: the meridian half ellipse
            with r-semi-axis a and z-semi-axis c) or ``plane_strain`` (the ellipse with
            semi-axes a, b: the section z = 0).
    """

    semi_axes: tuple[float, float, float]
    mode: Mode = "octant"
    kind: ClassVar[str] = "ellipsoid"
    MODES_SUPPORTED: ClassVar[tuple[str, ...]] = MODES

    @property
    def radius(self) -> float:
        """Outer radius: the largest semi-axis (m)."""
        return float(max(self.semi_axes))

    def region_names(self) -> tuple[str, ...]:
        """``("core",)``."""
        return (tags.CORE,)

    def boundary_names(self) -> tuple[str, ...]:
        """``outer_surface`` plus the symmetry planes (octant) or the axis (axisymmetric)."""
        return _boundaries(self.mode, tags.OUTER_SURFACE)

    def interface_names(self) -> tuple[str, ...]:
        """``()``."""
        return ()



    def validate(self) -> None:
        """Check the parameters.

        Raises:
            GeometryError: ``geometry.semi_axes[.i]`` for a bad semi-axis, ``geometry.mode`` for
                an unknown mode or an axisymmetric ellipsoid with a != b.
        """
        axes = self.semi_axes
        if isinstance(axes, str | bytes) or not hasattr(axes, "__len__") or len(axes) != 3:
            raise GeometryError("geometry.semi_axes", f"needs three semi-axes (a, b, c), got {axes!r}")
        a, b, _ = (_check_length(f"geometry.semi_axes.{i}", v) for i, v in enumerate(axes))
        _check_mode(self)
        if self.mode == "axisymmetric" and not math.isclose(a, b, rel_tol=1e-9):
            raise GeometryError(
                "geometry.mode",
                f"axisymmetric needs a == b: the ellipsoid is not rotationally symmetric about z "
                f"(a = {a:g} m != b = {b:g} m)",
            )


def build_ellipsoid(spec: EllipsoidSpec, sizing: Sizing) -> None:
    """Build, tag and mesh an ellipsoid in the current Gmsh model.

    Physical groups: region ``core``; boundaries ``outer_surface`` (+ ``symmetry_x|y|z`` for the
    octant, ``axis`` for the axisymmetric half ellipse). The outer surface is refined to
    ``sizing.surface_size`` (graded), curved parts get at least ``2 pi / size`` elements per turn
    of the local curvature.

    Raises:
        GeometryError: If ``spec`` or ``sizing`` is invalid.
        MeshingError: If Gmsh fails.
    """
    spec.validate()
    sizing.validate(spec)
    length = spec.radius
    a, b, c = (float(v) / length for v in spec.semi_axes)
    mode = spec.mode

    def unit() -> None:
        occ = gmsh.model.occ
        if mode in ("3d", "octant"):
            body = [(3, occ.addSphere(0.0, 0.0, 0.0, 1.0))]
            occ.dilate(body, 0.0, 0.0, 0.0, a, b, c)
            if mode == "octant":
                box = [(3, occ.addBox(0.0, 0.0, 0.0, 2.0, 2.0, 2.0))]
                body, _ = occ.intersect(body, box)
        else:
            body = [(2, occ.addDisk(0.0, 0.0, 0.0, 1.0, 1.0))]
            occ.dilate(body, 0.0, 0.0, 0.0, a, c if mode == "axisymmetric" else b, 1.0)
            if mode == "axisymmetric":
                half_plane = [(2, occ.addRectangle(0.0, -2.0, 0.0, 2.0, 4.0))]
                body, _ = occ.intersect(body, half_plane)
        occ.synchronize()
        dim = spec.gdim
        cells = [t for _, t in gmsh.model.getEntities(dim)]
        if len(cells) != 1:
            raise MeshingError(f"expected one piece for the ellipsoid, got {len(cells)}")
        add_physical_groups(dim, [(tags.CORE, cells)])
        groups: dict[str, list[int]] = {name: [] for name in spec.boundary_names()}
        planes = (tags.SYMMETRY_X, tags.SYMMETRY_Y, tags.SYMMETRY_Z)
        for _, facet in gmsh.model.getBoundary([(dim, cells[0])], oriented=False):
            com = center_of_mass(dim - 1, facet)
            on: list[str] = []
            if mode == "octant":
                on = [planes[i] for i in range(3) if abs(com[i]) < _ON_PLANE]
            elif mode == "axisymmetric" and abs(com[0]) < _ON_PLANE:
                on = [tags.AXIS]
            if len(on) > 1:
                raise MeshingError(f"facet {facet} (centre {com}) lies on several planes {on}")
            groups[on[0] if on else tags.OUTER_SURFACE].append(facet)
        add_physical_groups(dim - 1, groups.items())

    def sizes() -> None:
        scaled = _scaled(sizing, length)
        outer = [
            int(t)
            for d, group in gmsh.model.getPhysicalGroups(spec.gdim - 1)
            if gmsh.model.getPhysicalName(d, group) == tags.OUTER_SURFACE
            for t in gmsh.model.getEntitiesForPhysicalGroup(d, group)
        ]
        apply_sizing(scaled, spec.gdim, outer, 1.0)
        base_size_options(float(scaled.size), scaled.effective_surface_size)

    build_layered(unit, length, spec.gdim, sizes)


def _scaled(sizing: Sizing, length: float) -> Sizing:
    surface = sizing.surface_size
    return Sizing(float(sizing.size) / length, None if surface is None else float(surface) / length)


# --- core-shell ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoreShellSpec(ModeGeometry):
    """A spherical core with any number of concentric coating layers.

    Attributes:
        core_radius: Radius of the core in m.
        coatings: Thicknesses of the coating layers in m, innermost first (at least one).
        mode: ``3d``, ``octant``, ``axisymmetric`` or ``plane_strain``.
        coating_names: Region names of the coatings (default ``coating_1``, ``coating_2``, …);
            valid Python identifiers, unique, not a reserved tag name.
    """

    core_radius: float
    coatings: tuple[float, ...]
    mode: Mode = "octant"
    coating_names: tuple[str, ...] | None = None
    kind: ClassVar[str] = "core_shell"
    MODES_SUPPORTED: ClassVar[tuple[str, ...]] = MODES

    @property
    def radius(self) -> float:
        """Outer radius: core radius plus all coatings (m)."""
        return float(self.core_radius) + float(sum(self.coatings))

    def layer_names(self) -> tuple[str, ...]:
        """Region names of the coatings, innermost first."""
        if self.coating_names is not None:
            return tuple(self.coating_names)
        return tuple(tags.coating(i + 1) for i in range(len(self.coatings)))

    def region_names(self) -> tuple[str, ...]:
        """``("core", <coatings>...)``."""
        return (tags.CORE, *self.layer_names())

    def boundary_names(self) -> tuple[str, ...]:
        """``outer_surface`` (outermost coating) + symmetry planes / axis."""
        return _boundaries(self.mode, tags.OUTER_SURFACE)

    def interface_names(self) -> tuple[str, ...]:
        """``interface_core_coating_1``, ``interface_coating_1_coating_2``, …"""
        return _chain(self.region_names())




    def validate(self) -> None:
        """Check the parameters.

        Raises:
            GeometryError: ``geometry.core_radius``, ``geometry.coatings`` (none given, or a
                name count mismatch), ``geometry.coatings.<i>.thickness``,
                ``geometry.coatings.<i>.name``, ``geometry.mode``.
        """
        _check_length("geometry.core_radius", self.core_radius)
        thicknesses = _check_layers("geometry.coatings", self.coatings, ".thickness")
        if not thicknesses:
            raise GeometryError("geometry.coatings", "needs at least one coating layer")
        if self.coating_names is not None:
            names = tuple(self.coating_names)
            if len(names) != len(thicknesses):
                raise GeometryError(
                    "geometry.coatings",
                    f"{len(names)} coating names for {len(thicknesses)} coatings",
                )
            for i, name in enumerate(names):
                field = f"geometry.coatings.{i}.name"
                if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
                    raise GeometryError(field, f"must be an identifier (letters, digits, _), got {name!r}")
                if name in _RESERVED or name.startswith("interface_"):
                    raise GeometryError(field, f"{name!r} is a reserved tag name")
                if name in names[:i]:
                    raise GeometryError(field, f"duplicate coating name {name!r}")
        _check_mode(self)


def build_core_shell(spec: CoreShellSpec, sizing: Sizing) -> None:
    """Build, tag and mesh a core-shell particle in the current Gmsh model.

    Physical groups: regions ``core`` and the coatings; boundaries ``outer_surface`` (+ symmetry
    planes or axis); interfaces ``interface_<inner>_<outer>`` between neighbouring layers.
    Every coating gets ``>= 3`` elements through its thickness, graded to ``sizing.size``.

    Raises:
        GeometryError: If ``spec`` or ``sizing`` is invalid.
        MeshingError: If Gmsh fails.
    """
    spec.validate()
    sizing.validate(spec)
    names = spec.region_names()
    radii = [float(spec.core_radius)]
    for t in spec.coatings:
        radii.append(radii[-1] + float(t))
    _build_concentric(spec, sizing, radii, list(names), names, lambda region, r: tags.OUTER_SURFACE)


def _build_concentric(
    spec: Any,
    sizing: Sizing,
    radii: list[float],
    labels: list[str | None],
    region_names: tuple[str, ...],
    boundary_name: Any,
    offsets: list[float] | None = None,
) -> None:
    """Nested balls of ``radii`` (m, smallest first) labelled ``labels``; layers refined."""
    length = radii[-1]
    unit_radii = [r / length for r in radii]
    unit_offsets = [0.0] * len(radii) if offsets is None else [o / length for o in offsets]
    balls = [Ball(r, o, lab) for r, o, lab in zip(unit_radii, unit_offsets, labels, strict=True)]
    names = list(region_names)
    pairs = _interface_pairs(spec, names)

    def unit() -> None:
        build_nested(spec.mode, balls, names, boundary_name, pairs, spec.boundary_names())

    layers = [
        (balls[i].offset, balls[i - 1].radius, balls[i].radius)
        for i in range(1, len(balls))
        if balls[i].label is not None and balls[i].offset == balls[i - 1].offset
    ]
    dim = spec.gdim

    def sizes() -> None:
        set_layer_sizes(_scaled(sizing, length), dim, layers, (balls[-1].offset, 1.0))

    # Frontal-Delaunay leaves slivers next to a very thin layer along a closed circle
    build_layered(unit, length, dim, sizes, algorithm_2d=5 if spec.mode == "plane_strain" else 6)


def _interface_pairs(spec: Any, names: list[str]) -> list[tuple[str, str]]:
    """Region pairs of the spec's interfaces (matched against ``interface_names()``)."""
    by_name = {tags.interface(a, b): (a, b) for a in names for b in names if a != b}
    return [by_name[n] for n in spec.interface_names()]


# --- hollow --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HollowSpec(ModeGeometry):
    """A hollow sphere: the active shell ``core`` between inner and outer radius, with optional
    coatings outside (``coating_1``, … innermost first) and on the cavity wall
    (``inner_coating_1`` next to the core, ``inner_coating_2`` inside it, …).

    Attributes:
        inner_radius: Radius of the cavity wall of the core in m.
        outer_radius: Outer radius of the core in m (> inner_radius).
        inner_coatings: Thicknesses (m) of the coatings inside the cavity, from the core inwards.
        outer_coatings: Thicknesses (m) of the outer coatings, from the core outwards.
        mode: ``3d``, ``octant``, ``axisymmetric`` or ``plane_strain``.
    """

    inner_radius: float
    outer_radius: float
    inner_coatings: tuple[float, ...] = ()
    outer_coatings: tuple[float, ...] = ()
    mode: Mode = "octant"
    kind: ClassVar[str] = "hollow"
    MODES_SUPPORTED: ClassVar[tuple[str, ...]] = MODES

    @property
    def radius(self) -> float:
        """Outer radius of the particle (outer radius plus outer coatings, m)."""
        return float(self.outer_radius) + float(sum(self.outer_coatings))

    @property
    def cavity_radius(self) -> float:
        """Radius of the empty cavity (inner radius minus inner coatings, m)."""
        return float(self.inner_radius) - float(sum(self.inner_coatings))

    def region_names(self) -> tuple[str, ...]:
        """``core``, ``coating_1..``, ``inner_coating_1..``."""
        return (
            tags.CORE,
            *(tags.coating(i + 1) for i in range(len(self.outer_coatings))),
            *(tags.inner_coating(i + 1) for i in range(len(self.inner_coatings))),
        )

    def boundary_names(self) -> tuple[str, ...]:
        """``outer_surface``, ``inner_surface`` (cavity-facing) + symmetry planes / axis."""
        return _boundaries(self.mode, tags.OUTER_SURFACE, tags.INNER_SURFACE)

    def interface_names(self) -> tuple[str, ...]:
        """Core to outer coatings outwards, then core to inner coatings inwards."""
        outer = (tags.CORE, *(tags.coating(i + 1) for i in range(len(self.outer_coatings))))
        inner = (tags.CORE, *(tags.inner_coating(i + 1) for i in range(len(self.inner_coatings))))
        return _chain(outer) + _chain(inner)




    def validate(self) -> None:
        """Check the parameters.

        Raises:
            GeometryError: ``geometry.inner_radius`` (not a length, or not below the outer
                radius), ``geometry.outer_radius``, ``geometry.inner_coatings[.i]`` (a bad
                thickness, or the inner coatings fill the cavity), ``geometry.outer_coatings.i``,
                ``geometry.mode``.
        """
        inner = _check_length("geometry.inner_radius", self.inner_radius)
        outer = _check_length("geometry.outer_radius", self.outer_radius)
        if inner >= outer:
            raise GeometryError(
                "geometry.inner_radius",
                f"{inner:g} m must be smaller than outer_radius ({outer:g} m)",
            )
        inside = _check_layers("geometry.inner_coatings", self.inner_coatings)
        _check_layers("geometry.outer_coatings", self.outer_coatings)
        if inside and sum(inside) >= inner * (1.0 - 1e-9):
            raise GeometryError(
                "geometry.inner_coatings",
                f"total thickness {sum(inside):g} m does not fit in the cavity of radius "
                f"{inner:g} m (inner_radius); a cavity must remain",
            )
        _check_mode(self)


def build_hollow(spec: HollowSpec, sizing: Sizing) -> None:
    """Build, tag and mesh a hollow particle in the current Gmsh model (the cavity is empty).

    Physical groups: regions ``core``, ``coating_i``, ``inner_coating_i``; boundaries
    ``outer_surface``, ``inner_surface`` (+ symmetry planes or axis); interfaces between
    neighbouring layers. Thin layers (including a thin core wall) get ``>= 3`` elements through.

    Raises:
        GeometryError: If ``spec`` or ``sizing`` is invalid.
        MeshingError: If Gmsh fails.
    """
    spec.validate()
    sizing.validate(spec)
    radii = [spec.cavity_radius]
    labels: list[str | None] = [None]
    inner = [float(t) for t in spec.inner_coatings]
    for i in reversed(range(len(inner))):  # innermost inner coating first
        radii.append(radii[-1] + inner[i])
        labels.append(tags.inner_coating(i + 1))
    radii.append(float(spec.outer_radius))
    labels.append(tags.CORE)
    for i, t in enumerate(spec.outer_coatings):
        radii.append(radii[-1] + float(t))
        labels.append(tags.coating(i + 1))
    middle = 0.5 * (radii[0] + radii[-1]) / radii[-1]

    def boundary(region: str, distance: float) -> str:
        return tags.OUTER_SURFACE if distance > middle else tags.INNER_SURFACE

    _build_concentric(spec, sizing, radii, labels, spec.region_names(), boundary)


# --- yolk-shell ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class YolkShellSpec(ModeGeometry):
    """A spherical yolk inside a spherical shell, separated by an empty (unmeshed) void.

    The yolk centre is at (0, 0, yolk_offset) in 3D and axisymmetric (offset along the axis);
    in ``plane_strain`` the section z = 0 would not show the offset, so the yolk centre is at
    (0, yolk_offset) there (offset along +y). With ``yolk_offset == void_thickness`` the yolk
    touches the shell at one point; the two bodies must stay separate solids (no shared mesh
    nodes; contact is not modelled), so the mesh moves the yolk back by
    ``TOUCH_GAP * void_thickness`` (offsets closer than that to contact are clamped likewise).

    Attributes:
        yolk_radius: Radius of the yolk in m.
        void_thickness: Gap between yolk and shell for a centred yolk, in m.
        shell_thickness: Thickness of the shell in m.
        yolk_offset: Displacement of the yolk centre (m), ``0 <= yolk_offset <= void_thickness``.
        mode: ``3d``, ``octant`` (only with ``yolk_offset == 0``), ``axisymmetric`` or
            ``plane_strain``.
    """

    yolk_radius: float
    void_thickness: float
    shell_thickness: float
    yolk_offset: float = 0.0
    mode: Mode = "octant"
    kind: ClassVar[str] = "yolk_shell"
    MODES_SUPPORTED: ClassVar[tuple[str, ...]] = MODES

    @property
    def radius(self) -> float:
        """Outer radius of the shell (m)."""
        return float(self.yolk_radius) + float(self.void_thickness) + float(self.shell_thickness)

    @property
    def shell_inner_radius(self) -> float:
        """Inner radius of the shell (m)."""
        return float(self.yolk_radius) + float(self.void_thickness)

    @property
    def meshed_offset(self) -> float:
        """The yolk offset used for the mesh (m): clamped to leave a gap of ``TOUCH_GAP`` void."""
        return min(float(self.yolk_offset), (1.0 - TOUCH_GAP) * float(self.void_thickness))

    def region_names(self) -> tuple[str, ...]:
        """``("yolk", "shell")``."""
        return (tags.YOLK, tags.SHELL)

    def boundary_names(self) -> tuple[str, ...]:
        """``outer_surface``, ``shell_inner_surface``, ``yolk_surface`` + symmetry / axis."""
        return _boundaries(
            self.mode, tags.OUTER_SURFACE, tags.SHELL_INNER_SURFACE, tags.YOLK_SURFACE
        )

    def interface_names(self) -> tuple[str, ...]:
        """``()``: yolk and shell do not share a surface."""
        return ()

    def bodies(self) -> tuple[tuple[str, ...], ...]:
        """Two free bodies: ``(("yolk",), ("shell",))``."""
        return ((tags.YOLK,), (tags.SHELL,))



    def validate(self) -> None:
        """Check the parameters.

        Raises:
            GeometryError: ``geometry.yolk_radius``, ``geometry.void_thickness``,
                ``geometry.shell_thickness`` (not lengths > 0), ``geometry.yolk_offset`` (not in
                [0, void_thickness]), ``geometry.mode`` (unknown, or octant with an offset).
        """
        _check_length("geometry.yolk_radius", self.yolk_radius)
        void = _check_length("geometry.void_thickness", self.void_thickness)
        _check_length("geometry.shell_thickness", self.shell_thickness)
        offset = self.yolk_offset
        if isinstance(offset, bool) or not isinstance(offset, Real) or not math.isfinite(offset):
            raise GeometryError("geometry.yolk_offset", f"must be a finite length in m, got {offset!r}")
        if offset < 0.0 or offset > void * (1.0 + 1e-12):
            raise GeometryError(
                "geometry.yolk_offset",
                f"{float(offset):g} m must lie in [0, void_thickness = {void:g} m] "
                "(at void_thickness the yolk touches the shell)",
            )
        _check_mode(self)
        if self.mode == "octant" and offset != 0.0:
            raise GeometryError(
                "geometry.mode",
                "octant needs yolk_offset = 0: an offset yolk has no three symmetry planes "
                "(use 3d, axisymmetric or plane_strain)",
            )


def build_yolk_shell(spec: YolkShellSpec, sizing: Sizing) -> None:
    """Build, tag and mesh a yolk-shell particle in the current Gmsh model (void not meshed).

    Physical groups: regions ``yolk`` and ``shell``; boundaries ``outer_surface``,
    ``shell_inner_surface``, ``yolk_surface`` (+ symmetry planes or axis). The shell gets
    ``>= 3`` elements through its thickness.

    Raises:
        GeometryError: If ``spec`` or ``sizing`` is invalid.
        MeshingError: If Gmsh fails.
    """
    spec.validate()
    sizing.validate(spec)
    radii = [float(spec.yolk_radius), spec.shell_inner_radius, spec.radius]
    offsets = [spec.meshed_offset, 0.0, 0.0]
    middle = 0.5 * (spec.shell_inner_radius + spec.radius) / spec.radius

    def boundary(region: str, distance: float) -> str:
        if region == tags.YOLK:
            return tags.YOLK_SURFACE
        return tags.OUTER_SURFACE if distance > middle else tags.SHELL_INNER_SURFACE

    _build_concentric(
        spec, sizing, radii, [tags.YOLK, None, tags.SHELL], spec.region_names(), boundary, offsets
    )


#: ((SpecClass, builder), ...) registered in meshes.BUILDERS
KINDS: tuple = (
    (EllipsoidSpec, build_ellipsoid),
    (CoreShellSpec, build_core_shell),
    (HollowSpec, build_hollow),
    (YolkShellSpec, build_yolk_shell),
)

__all__ = [
    "KINDS",
    "TOUCH_GAP",
    "CoreShellSpec",
    "EllipsoidSpec",
    "HollowSpec",
    "YolkShellSpec",
    "build_core_shell",
    "build_ellipsoid",
    "build_hollow",
    "build_yolk_shell",
]
