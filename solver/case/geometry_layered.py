"""Case-schema models of the ellipsoid, core_shell, hollow, yolk_shell geometry kinds (see ``meshes/CONTRACT.md``).

Each model converts to its :mod:`meshes.layered` spec with ``to_spec()``; the spec's own
checks (a layer that does not fit, a mode the geometry does not have, ...) run in a model
validator and come back as :class:`~solver.case.errors.FieldProblems` at the dotted case path
the spec names (``geometry.coatings.0.thickness``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from solver.case._base import _Model, _kind
from solver.case.errors import FieldProblems
from solver.case.geometry import GeometryBase
from solver.case.units import Length

_MODE_DESCRIPTION = (
    "3d: full body; octant: 1/8 with three symmetry planes; axisymmetric: 2D (r, z) "
    "meridian half section; plane_strain: 2D cross-section z = 0"
)


def _mode_field(description: str = _MODE_DESCRIPTION) -> Any:
    return Field("octant", description=description)


class _LayeredGeometry(GeometryBase):
    """Runs the spec checks of a layered kind and reports them at their case paths."""

    @model_validator(mode="after")
    def _check_spec(self) -> _LayeredGeometry:
        from meshes.errors import GeometryError

        try:
            self.to_spec().validate()
        except GeometryError as exc:
            path = exc.field.removeprefix("geometry.") if exc.field != "geometry" else ""
            raise FieldProblems([(path, exc.message)]) from None
        return self

    @property
    def radius(self) -> float:
        """Outer radius of the particle in m (bounds the element sizes; probe scale)."""
        return float(self.to_spec().radius)


class EllipsoidGeometry(_LayeredGeometry):
    """A homogeneous ellipsoid x²/a² + y²/b² + z²/c² <= 1 centred at the origin."""

    kind: Literal["ellipsoid"] = _kind("a homogeneous ellipsoid (region: core)")
    mode: Literal["octant", "3d", "axisymmetric", "plane_strain"] = _mode_field(
        _MODE_DESCRIPTION + " (axisymmetric needs a == b: revolution about z)"
    )
    semi_axes: tuple[Length, Length, Length] = Field(
        description="semi-axes (a, b, c) along x, y, z, each > 0",
        examples=[["2.5 um", "2 um", "1.5 um"]],
    )

    def to_spec(self) -> Any:
        """Return the geometry as a :class:`meshes.layered.EllipsoidSpec` (SI)."""
        from meshes.layered import EllipsoidSpec

        return EllipsoidSpec(semi_axes=tuple(float(v) for v in self.semi_axes), mode=self.mode)


class Coating(_Model):
    """One coating layer: a thickness, or ``{thickness, name}``."""

    thickness: Length = Field(gt=0, description="layer thickness", examples=[2e-7])
    name: str | None = Field(
        None,
        description="region name of the layer (default coating_<i>, innermost = 1)",
        examples=["carbon"],
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """Accept a bare thickness (``"0.2 um"``) for ``{thickness: "0.2 um"}``."""
        if isinstance(data, dict):
            return data
        return {"thickness": data}


class CoreShellGeometry(_LayeredGeometry):
    """A spherical core with concentric coating layers (regions: core, coating_1, ...)."""

    kind: Literal["core_shell"] = _kind(
        "a spherical core with coatings (regions: core, coating_1, ... or the coating names)"
    )
    mode: Literal["octant", "3d", "axisymmetric", "plane_strain"] = _mode_field()
    core_radius: Length = Field(gt=0, description="radius of the core", examples=[2.5e-6])
    coatings: list[Coating] = Field(
        min_length=1,
        description="coating layers, innermost first: thicknesses or {thickness, name}",
        examples=[["0.2 um"]],
    )

    def to_spec(self) -> Any:
        """Return the geometry as a :class:`meshes.layered.CoreShellSpec` (SI)."""
        from meshes import tags
        from meshes.layered import CoreShellSpec

        names = None
        if any(c.name is not None for c in self.coatings):
            names = tuple(
                c.name if c.name is not None else tags.coating(i + 1)
                for i, c in enumerate(self.coatings)
            )
        return CoreShellSpec(
            core_radius=self.core_radius,
            coatings=tuple(float(c.thickness) for c in self.coatings),
            mode=self.mode,
            coating_names=names,
        )


def _norm(values) -> float:
    """Euclidean length of a point (m)."""
    return float(sum(float(v) ** 2 for v in values) ** 0.5)


class HollowGeometry(_LayeredGeometry):
    """A hollow sphere (region core between inner and outer radius) with optional coatings."""

    kind: Literal["hollow"] = _kind(
        "a hollow sphere (regions: core, coating_1, ..., inner_coating_1, ...)"
    )
    mode: Literal["octant", "3d", "axisymmetric", "plane_strain"] = _mode_field()
    inner_radius: Length = Field(
        gt=0, description="radius of the cavity wall of the core", examples=[1e-6]
    )
    outer_radius: Length = Field(gt=0, description="outer radius of the core", examples=[2.5e-6])
    inner_coatings: list[Length] = Field(
        default_factory=list,
        description="thicknesses of the coatings on the cavity wall, from the core inwards",
        examples=[["20 nm"]],
    )
    outer_coatings: list[Length] = Field(
        default_factory=list,
        description="thicknesses of the outer coatings, from the core outwards",
        examples=[["0.1 um"]],
    )

    def empty_space_at(self, point: list[float]) -> str | None:
        """The cavity (inside the inner coatings)."""
        spec = self.to_spec()
        if _norm(point) < spec.cavity_radius * (1 - 1e-9):
            return "the cavity"
        return None

    def to_spec(self) -> Any:
        """Return the geometry as a :class:`meshes.layered.HollowSpec` (SI)."""
        from meshes.layered import HollowSpec

        return HollowSpec(
            inner_radius=self.inner_radius,
            outer_radius=self.outer_radius,
            inner_coatings=tuple(float(t) for t in self.inner_coatings),
            outer_coatings=tuple(float(t) for t in self.outer_coatings),
            mode=self.mode,
        )


class YolkShellGeometry(_LayeredGeometry):
    """A yolk inside a shell, separated by an unmeshed void (two free bodies)."""

    kind: Literal["yolk_shell"] = _kind("a yolk in a shell with a void (regions: yolk, shell)")
    mode: Literal["octant", "3d", "axisymmetric", "plane_strain"] = _mode_field(
        _MODE_DESCRIPTION + " (octant needs yolk_offset = 0; plane_strain offsets along +y)"
    )
    yolk_radius: Length = Field(gt=0, description="radius of the yolk", examples=[2e-6])
    void_thickness: Length = Field(
        gt=0, description="gap between a centred yolk and the shell", examples=[5e-7]
    )
    shell_thickness: Length = Field(gt=0, description="thickness of the shell", examples=[1e-7])
    yolk_offset: Length = Field(
        0.0,
        ge=0,
        description="shift of the yolk centre along +z, 0 ... void_thickness (touching)",
        examples=[0.0],
    )

    def empty_space_at(self, point: list[float]) -> str | None:
        """The void between yolk and shell (the yolk centre is offset along z, or along y in
        plane strain; in axisymmetric mode the point is (r, z))."""
        spec = self.to_spec()
        tol = 1e-9 * float(spec.radius)
        p = [float(v) for v in point]
        axis = 1 if self.mode in ("axisymmetric", "plane_strain") else 2
        q = list(p)
        q[axis] -= spec.meshed_offset
        if _norm(p) < spec.shell_inner_radius - tol and _norm(q) > float(self.yolk_radius) + tol:
            return "the void between yolk and shell"
        return None

    def boundary_regions(self) -> dict[str, tuple[str, ...]]:
        """The yolk's surface bounds the yolk; the other boundaries bound the shell."""
        yolk, shell = self.to_spec().bodies()
        return {b: (yolk if b == "yolk_surface" else shell) for b in self.boundary_names()}

    def to_spec(self) -> Any:
        """Return the geometry as a :class:`meshes.layered.YolkShellSpec` (SI)."""
        from meshes.layered import YolkShellSpec

        return YolkShellSpec(
            yolk_radius=self.yolk_radius,
            void_thickness=self.void_thickness,
            shell_thickness=self.shell_thickness,
            yolk_offset=self.yolk_offset,
            mode=self.mode,
        )


#: the geometry models defined here, joined into the ``geometry`` union
LAYERED_GEOMETRIES: tuple = (
    EllipsoidGeometry,
    CoreShellGeometry,
    HollowGeometry,
    YolkShellGeometry,
)
