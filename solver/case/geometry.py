"""Geometry section of the case schema: one pydantic model per geometry kind.

Each model mirrors a ``meshes`` spec (see ``meshes/CONTRACT.md``) and converts to it with
``to_spec()``; names of regions, boundaries and interfaces come from the spec, so the mesh
and the case file cannot disagree. Kinds defined in ``geometry_layered`` and
``geometry_porous`` join the discriminated union here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field

from solver.case._base import _Model, _kind
from solver.case.units import Length


class GeometryBase(_Model):
    """What every geometry kind provides (names come from its ``meshes`` spec)."""

    def to_spec(self) -> Any:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def region_names(self) -> tuple[str, ...]:
        """Names of the cell regions of the geometry (materials are keyed by them)."""
        return tuple(self.to_spec().region_names())

    def boundary_names(self) -> tuple[str, ...]:
        """Names of the exterior boundaries of the geometry in its mode."""
        return tuple(self.to_spec().boundary_names())

    def boundary_regions(self) -> dict[str, tuple[str, ...]]:
        """For each exterior boundary, the regions of the solid body it bounds (a body: the
        regions bonded into one solid; every geometry but the yolk-shell has one)."""
        regions = self.region_names()
        return {b: regions for b in self.boundary_names()}

    def empty_space_at(self, point: list[float]) -> str | None:
        """What unmeshed space (a cavity, a void) holds the point (m, coordinates of the
        mode), or None; only for the geometries whose empty space is known without meshing."""
        return None

    def interface_names(self) -> tuple[str, ...]:
        """Names of the internal interfaces between regions."""
        spec = self.to_spec()
        return tuple(spec.interface_names()) if hasattr(spec, "interface_names") else ()

    def interface_pairs(self) -> tuple[tuple[str, str], ...]:
        """The region pairs ``(a, b)`` bonded along an internal interface, in the order of
        :meth:`interface_names` (matched against them as the mesh builder does: a coating on
        the core or on another layer, an inclusion in the matrix; the yolk and the shell of
        a yolk-shell share none)."""
        from meshes import tags

        regions = self.region_names()
        by_name = {tags.interface(a, b): (a, b) for a in regions for b in regions if a != b}
        return tuple(by_name[n] for n in self.interface_names() if n in by_name)

    def symmetry_names(self) -> tuple[str, ...]:
        """Boundaries that are symmetry planes or the axis (never loaded)."""
        from meshes.tags import SYMMETRY_NAMES

        return tuple(b for b in self.boundary_names() if b in SYMMETRY_NAMES)


class SphereGeometry(GeometryBase):
    """A homogeneous spherical particle centred at the origin."""

    kind: Literal["sphere"] = _kind("a homogeneous sphere (region: core)")
    mode: Literal["octant", "3d", "axisymmetric", "plane_strain"] = Field(
        "octant",
        description=(
            "3d: full ball; octant: 1/8 of the ball with three symmetry planes; "
            "axisymmetric: 2D (r, z) half disc; plane_strain: the 2D section z = 0 (per metre of depth)"
        ),
    )
    radius: Length = Field(gt=0, description="particle radius", examples=[4e-6])

    def to_spec(self) -> Any:
        """Return the geometry as a :class:`meshes.specs.SphereSpec` (SI)."""
        from meshes.specs import SphereSpec

        return SphereSpec(radius=self.radius, mode=self.mode)


from solver.case.geometry_layered import LAYERED_GEOMETRIES  # noqa: E402
from solver.case.geometry_porous import POROUS_GEOMETRIES  # noqa: E402

GEOMETRY_KINDS: tuple[type[GeometryBase], ...] = (SphereGeometry, *LAYERED_GEOMETRIES, *POROUS_GEOMETRIES)

Geometry = Annotated[Union[GEOMETRY_KINDS], Field(discriminator="kind")]  # noqa: UP007
