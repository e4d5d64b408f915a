"""Geometry and mesh-sizing specifications (frozen dataclasses, SI units).

A spec describes *what* to mesh; :class:`Sizing` describes *how finely*. Both are plain values:
hashable, comparable, and serialisable with :func:`dataclasses.asdict` (see :mod:`meshes.io`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any, ClassVar, Literal, get_args

from meshes import tags
from meshes.errors import GeometryError

Mode = Literal["3d", "octant", "axisymmetric", "plane_strain"]
"""Geometry mode: full 3D body, 1/8 of it (three symmetry planes), 2D axisymmetric (r, z), or the
2D plane-strain cross-section z = 0."""

MODES: tuple[str, ...] = get_args(Mode)


def _check_length(field: str, value: Any) -> float:
    """Return ``value`` as a float after checking it is a finite length > 0.

    Args:
        field: Dotted parameter name reported in the error.
        value: The candidate length in m.

    Returns:
        The length in m.

    Raises:
        GeometryError: If the value is not a finite positive real number.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise GeometryError(field, f"must be a length in m, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number <= 0.0:
        raise GeometryError(field, f"must be a finite length > 0 m, got {number!r}")
    return number


class ModeGeometry:
    """What follows from a spec's ``mode`` alone (mixed into the geometry specs)."""

    mode: str

    @property
    def gdim(self) -> int:
        """Geometric dimension: 3 for ``3d``/``octant``, 2 for ``axisymmetric``/``plane_strain``."""
        return 2 if self.mode in ("axisymmetric", "plane_strain") else 3

    @property
    def symmetry_fraction(self) -> float:
        """Fraction of the particle the mesh represents: 1/8 for ``octant``, else 1 (the
        axisymmetric measures carry 2πr; plane strain is per metre of depth)."""
        return 0.125 if self.mode == "octant" else 1.0

    def bodies(self) -> tuple[tuple[str, ...], ...]:
        """Groups of regions that form one solid; by default one bonded body of all regions."""
        return (tuple(self.region_names()),)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SphereSpec:
    """A homogeneous spherical particle centred at the origin.

    Attributes:
        radius: Particle radius in m (> 0).
        mode: ``"3d"`` (full ball), ``"octant"`` (x, y, z >= 0 with three symmetry planes),
            ``"axisymmetric"`` (half disc x = r >= 0, y = z in the x-y plane) or
            ``"plane_strain"`` (the disc of radius ``radius`` in the x-y plane: the section z = 0).
        kind: Registry key of this geometry kind (class constant ``"sphere"``).
    """

    radius: float
    mode: Mode = "octant"
    kind: ClassVar[str] = "sphere"
    MODES_SUPPORTED: ClassVar[tuple[str, ...]] = MODES

    def region_names(self) -> tuple[str, ...]:
        """Names of the cell regions (physical groups of dimension :attr:`gdim`).

        Returns:
            ``("core",)``.
        """
        return (tags.CORE,)

    def boundary_names(self) -> tuple[str, ...]:
        """Names of the boundary groups (physical groups of dimension ``gdim - 1``).

        Returns:
            ``("outer_surface",)`` in 3D and plane strain, the outer surface plus the three
            symmetry planes for an octant, and ``("outer_surface", "axis")`` for the
            axisymmetric mode.
        """
        if self.mode in ("3d", "plane_strain"):
            return (tags.OUTER_SURFACE,)
        if self.mode == "octant":
            return (tags.OUTER_SURFACE, tags.SYMMETRY_X, tags.SYMMETRY_Y, tags.SYMMETRY_Z)
        return (tags.OUTER_SURFACE, tags.AXIS)

    def interface_names(self) -> tuple[str, ...]:
        """Names of the internal interfaces: none (a homogeneous ball).

        Returns:
            ``()``.
        """
        return ()

    def bodies(self) -> tuple[tuple[str, ...], ...]:
        """Connected solids: one.

        Returns:
            ``(("core",),)``.
        """
        return ((tags.CORE,),)

    @property
    def gdim(self) -> int:
        """Geometric (and topological) dimension of the mesh: 3, or 2 for the 2D modes."""
        return 2 if self.mode in ("axisymmetric", "plane_strain") else 3

    @property
    def symmetry_fraction(self) -> float:
        """Fraction of the physical particle represented by the mesh.

        1 for ``"3d"``, 1/8 for ``"octant"``, 1 for ``"axisymmetric"`` (the 2 pi r weighting
        of the measures makes the half disc represent the whole body) and 1 for
        ``"plane_strain"`` (quantities per metre of depth).
        """
        return 0.125 if self.mode == "octant" else 1.0

    def validate(self) -> None:
        """Check the parameters.

        Raises:
            GeometryError: ``geometry.radius`` if the radius is not a finite length > 0 m,
                ``geometry.mode`` if the mode is unknown.
        """
        _check_length("geometry.radius", self.radius)
        if self.mode not in MODES:
            raise GeometryError(
                "geometry.mode", f"unknown mode {self.mode!r}; expected one of {MODES}"
            )


@dataclass(frozen=True)
class Sizing:
    """Target element sizes.

    The mesh grades from :attr:`surface_size` at ``outer_surface`` to :attr:`size` in the
    interior (a Gmsh Distance + Threshold field); with ``surface_size=None`` it is uniform.

    Attributes:
        size: Target element size in the bulk, in m (> 0, at most the particle radius).
        surface_size: Element size at the outer surface, in m (> 0, at most the particle radius);
            ``None`` means :attr:`size`.
    """

    size: float
    surface_size: float | None = None

    @property
    def effective_surface_size(self) -> float:
        """Element size at the outer surface in m (:attr:`surface_size`, or :attr:`size`)."""
        return float(self.size if self.surface_size is None else self.surface_size)

    @property
    def graded(self) -> bool:
        """True when the surface size differs from the bulk size."""
        return self.surface_size is not None and float(self.surface_size) != float(self.size)

    def validate(self, spec: Any) -> None:
        """Check the sizes against a geometry.

        Args:
            spec: The geometry spec; its ``radius`` attribute (outer particle radius, m) bounds
                the element sizes.

        Raises:
            GeometryError: ``mesh.size`` / ``mesh.surface_size`` if a size is not a finite
                length > 0 m or exceeds the particle radius.
        """
        radius = float(spec.radius)
        checks = [("mesh.size", self.size)]
        if self.surface_size is not None:
            checks.append(("mesh.surface_size", self.surface_size))
        for field, value in checks:
            length = _check_length(field, value)
            if length > radius:
                raise GeometryError(
                    field, f"{length:g} m is larger than the particle radius {radius:g} m"
                )


__all__ = ["MODES", "Mode", "SphereSpec", "Sizing"]
