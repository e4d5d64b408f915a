"""Case-schema models of the porous, inclusions geometry kinds (see ``meshes/CONTRACT.md``).

``radius`` is the radius of the Si body (pores / inclusions inside it); outer coatings add to
it: :attr:`PorousGeometry.outer_radius` is the particle's outer radius (use it for probe and
mesh-size bounds). Every model validates by building its :mod:`meshes.porous` spec, so the
case and the mesh can never disagree; a ``meshes.errors.GeometryError`` becomes a problem at
its dotted field (e.g. ``geometry.pores.placement.min_ligament``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, model_validator

from solver.case._base import _Model, _kind
from solver.case.errors import FieldProblems
from solver.case.geometry import GeometryBase
from solver.case.units import Integer, Length, Number

_MODES = Literal["3d", "octant", "axisymmetric", "plane_strain"]
_MODE_HELP = (
    "3d: full particle; octant: 1/8 with three symmetry planes (explicit/shell layouts must be "
    "mirror symmetric, random layouts are mirrored: count a multiple of 8); axisymmetric: 2D "
    "(r, z) half plane, only objects on the z axis; plane_strain: the 2D cross-section z = 0"
)

Point = tuple[Length, Length, Length]


# --- pores -------------------------------------------------------------------------------------


class ExplicitPores(_Model):
    """Pores at listed centres."""

    kind: Literal["explicit"] = _kind("pores at listed centres")
    centers: list[Point] = Field(
        min_length=1,
        description="pore centres [x, y, z] (axisymmetric: x = y = 0)",
        examples=[[["0 um", "0 um", "1 um"], ["0 um", "0 um", "-1 um"]]],
    )
    radii: list[Length] | None = Field(
        None, description="radius of each pore; null means pores.radius for all"
    )
    min_ligament: Length = Field(
        0.0, ge=0, description="minimum clear distance between (coated) pores and to the surface"
    )

    def to_spec(self) -> Any:
        from meshes.porous import ExplicitPlacement

        return ExplicitPlacement(
            centers=tuple(tuple(float(v) for v in c) for c in self.centers),
            radii=tuple(float(r) for r in self.radii or ()),
            min_ligament=self.min_ligament,
        )


class ShellModel(_Model):
    """Pores evenly spread on a sphere (golden-angle spiral) or on a ring."""

    radius: Length = Field(
        ge=0,
        description="distance of the pore centres from the centre (sphere) or z axis (ring)",
        examples=["1.2 um"],
    )
    count: Integer = Field(ge=1, description="number of pores on this shell", examples=[6])
    layout: Literal["sphere", "ring"] = Field(
        "sphere", description="sphere: spread over a sphere; ring: a circle at height z"
    )
    z: Length = Field(0.0, description="height of a ring")


class ShellPores(_Model):
    """Pores on ordered shells / rings."""

    kind: Literal["shells"] = _kind("pores on ordered shells or rings")
    shells: list[ShellModel] = Field(min_length=1, description="the shells, in any order")
    min_ligament: Length = Field(
        0.0, ge=0, description="minimum clear distance between (coated) pores and to the surface"
    )

    def to_spec(self) -> Any:
        from meshes.porous import Shell, ShellsPlacement

        return ShellsPlacement(
            shells=tuple(Shell(s.radius, s.count, s.layout, s.z) for s in self.shells),
            min_ligament=self.min_ligament,
        )


class RandomPores(_Model):
    """Seeded random pores (same seed, same layout on every machine)."""

    kind: Literal["random"] = _kind("seeded random pores")
    count: Integer = Field(
        ge=1, description="number of pores (octant: a multiple of 8)", examples=[20]
    )
    seed: Integer = Field(0, ge=0, description="random seed")
    min_ligament: Length = Field(
        0.0, ge=0, description="minimum clear distance between (coated) pores and to the surface",
        examples=["0.1 um"],
    )
    radius_spread: Number = Field(
        0.0, ge=0, lt=1, description="radii uniform in radius*[1-s, 1+s] (0: all equal)"
    )

    def to_spec(self) -> Any:
        from meshes.porous import RandomPlacement

        return RandomPlacement(self.count, self.seed, self.min_ligament, self.radius_spread)


class PorosityPores(_Model):
    """Seeded random pores up to a target porosity (pore volume / body volume)."""

    kind: Literal["porosity"] = _kind("random pores up to a target porosity")
    porosity: Number = Field(
        gt=0, lt=0.6, description="pore volume / Si body volume: whole pores come nearest "
        "to it (in eights in octant mode; with a radius spread, radii drawn until the volume "
        "is nearest); more than 25 % off is refused; the placed value is in the run log and "
        "summary.json (mesh.placed_fractions)", examples=[0.1]
    )
    seed: Integer = Field(0, ge=0, description="random seed")
    min_ligament: Length = Field(
        0.0, ge=0, description="minimum clear distance between (coated) pores and to the surface"
    )
    radius_spread: Number = Field(
        0.0, ge=0, lt=1, description="radii uniform in radius*[1-s, 1+s] (0: all equal)"
    )

    def to_spec(self) -> Any:
        from meshes.porous import PorosityPlacement

        return PorosityPlacement(self.porosity, self.seed, self.min_ligament, self.radius_spread)


PorePlacementModel = Annotated[
    Union[ExplicitPores, ShellPores, RandomPores, PorosityPores],  # noqa: UP007
    Field(discriminator="kind"),
]


class Pores(_Model):
    """The pores of a porous particle."""

    radius: Length = Field(gt=0, description="pore radius", examples=["0.2 um"])
    placement: PorePlacementModel = Field(description="where the pores are")
    coating: Length | None = Field(
        None, gt=0, description="thickness of a pore_coating layer on every pore wall (null: none)"
    )
    open: Literal["all", "none"] = Field(
        "all",
        description="all: pore walls are pore_surface (wetted, loadable); none: closed_pore_surface",
    )


def _geometry_problems(self: Any) -> Any:
    from meshes.errors import GeometryError

    try:
        self.to_spec().validate()
    except GeometryError as exc:
        field = exc.field.removeprefix("geometry.").removeprefix("geometry")
        raise FieldProblems([(field, exc.message)]) from None
    return self


class PorousGeometry(GeometryBase):
    """A porous Si particle (spherical pores), optionally with pore and outer coatings."""

    kind: Literal["porous"] = _kind(
        "porous particle (regions: core, pore_coating, coating_1, ...)"
    )
    mode: _MODES = Field("3d", description=_MODE_HELP)
    radius: Length = Field(
        gt=0, description="radius of the Si body (pores inside, coatings outside)",
        examples=["2.5 um"],
    )
    coatings: list[Annotated[Length, Field(gt=0)]] = Field(
        [],
        description="outer coating thicknesses, innermost first (coating_1, coating_2, ...)",
        examples=[["0.2 um"]],
    )
    pores: Pores = Field(description="the pores")

    @property
    def outer_radius(self) -> float:
        """Outer particle radius in m (body plus coatings)."""
        return float(self.radius) + float(sum(self.coatings))

    def to_spec(self) -> Any:
        """Return the :class:`meshes.porous.PorousSpec` (SI)."""
        from meshes.porous import PorousSpec

        return PorousSpec(
            body_radius=self.radius,
            pore_radius=self.pores.radius,
            placement=self.pores.placement.to_spec(),
            pore_coating=self.pores.coating,
            coatings=tuple(float(t) for t in self.coatings),
            open_pores=self.pores.open,
            mode=self.mode,
        )

    @model_validator(mode="after")
    def _check_geometry(self) -> PorousGeometry:
        return _geometry_problems(self)


# --- inclusions --------------------------------------------------------------------------------


class ExplicitInclusions(_Model):
    """Inclusions at listed centres."""

    kind: Literal["explicit"] = _kind("inclusions at listed centres")
    centers: list[Point] = Field(
        min_length=1,
        description="inclusion centres [x, y, z] (axisymmetric: x = y = 0)",
        examples=[[["0 um", "0 um", "0 um"]]],
    )
    axes: list[tuple[Number, Number, Number]] | None = Field(
        None, description="bar directions, one per centre (null: along z)"
    )
    min_gap: Length = Field(
        0.0, ge=0, description="minimum clear distance between inclusions and to the surface"
    )

    def to_spec(self) -> Any:
        from meshes.porous import InclusionExplicit

        return InclusionExplicit(
            centers=tuple(tuple(float(v) for v in c) for c in self.centers),
            axes=tuple(tuple(float(v) for v in a) for a in self.axes or ()),
            min_gap=self.min_gap,
        )


class RandomInclusions(_Model):
    """Seeded random, non-overlapping inclusions (random bar directions)."""

    kind: Literal["random"] = _kind("seeded random inclusions")
    count: Integer = Field(
        ge=1, description="number of inclusions (octant: a multiple of 8)", examples=[8]
    )
    seed: Integer = Field(0, ge=0, description="random seed")
    min_gap: Length = Field(
        0.0, ge=0, description="minimum clear distance between inclusions and to the surface"
    )

    def to_spec(self) -> Any:
        from meshes.porous import InclusionRandom

        return InclusionRandom(self.count, self.seed, self.min_gap)


class FractionInclusions(_Model):
    """Seeded random inclusions up to a volume fraction of the body."""

    kind: Literal["volume_fraction"] = _kind("random inclusions up to a volume fraction")
    volume_fraction: Number = Field(
        gt=0, lt=0.5, description="inclusion volume / body volume: the nearest whole count "
        "(in eights in octant mode); more than 25 % off is refused; the placed value is in "
        "the run log and summary.json (mesh.placed_fractions)", examples=[0.05]
    )
    seed: Integer = Field(0, ge=0, description="random seed")
    min_gap: Length = Field(
        0.0, ge=0, description="minimum clear distance between inclusions and to the surface"
    )

    def to_spec(self) -> Any:
        from meshes.porous import InclusionFraction

        return InclusionFraction(self.volume_fraction, self.seed, self.min_gap)


InclusionPlacementModel = Annotated[
    Union[ExplicitInclusions, RandomInclusions, FractionInclusions],  # noqa: UP007
    Field(discriminator="kind"),
]


class InclusionSetModel(_Model):
    """Inclusions of one phase and shape (region inclusion_<phase>)."""

    phase: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", description="phase name; region inclusion_<phase>",
        examples=["sn"],
    )
    shape: Literal["sphere", "bar"] = Field("sphere", description="sphere or bar (cylinder)")
    radius: Length = Field(gt=0, description="sphere or bar radius", examples=["0.2 um"])
    length: Length | None = Field(
        None, gt=0, description="bar: length of the cylindrical part (capped ends add 2 radii)"
    )
    ends: Literal["flat", "capped"] = Field("flat", description="bar ends: flat or hemispherical")
    placement: InclusionPlacementModel = Field(description="where the inclusions are")

    def to_spec(self) -> Any:
        from meshes.porous import InclusionSet

        return InclusionSet(
            phase=self.phase,
            radius=self.radius,
            placement=self.placement.to_spec(),
            shape=self.shape,
            length=self.length,
            bar_ends=self.ends,
        )


class InclusionsGeometry(GeometryBase):
    """A Si matrix particle with second-phase inclusions, optionally coated."""

    kind: Literal["inclusions"] = _kind(
        "particle with inclusions (regions: core, inclusion_<phase>, coating_1, ...)"
    )
    mode: _MODES = Field("3d", description=_MODE_HELP)
    radius: Length = Field(
        gt=0, description="radius of the matrix body (coatings outside)", examples=["2.5 um"]
    )
    coatings: list[Annotated[Length, Field(gt=0)]] = Field(
        [], description="outer coating thicknesses, innermost first"
    )
    inclusion_sets: list[InclusionSetModel] = Field(
        min_length=1,
        description="inclusion sets (one phase and shape each), placed in order: later sets "
        "avoid earlier ones",
    )

    @property
    def outer_radius(self) -> float:
        """Outer particle radius in m (body plus coatings)."""
        return float(self.radius) + float(sum(self.coatings))

    def to_spec(self) -> Any:
        """Return the :class:`meshes.porous.InclusionsSpec` (SI)."""
        from meshes.porous import InclusionsSpec

        return InclusionsSpec(
            body_radius=self.radius,
            inclusions=tuple(s.to_spec() for s in self.inclusion_sets),
            coatings=tuple(float(t) for t in self.coatings),
            mode=self.mode,
        )

    @model_validator(mode="after")
    def _check_geometry(self) -> InclusionsGeometry:
        return _geometry_problems(self)


#: the geometry models defined here, joined into the ``geometry`` union
POROUS_GEOMETRIES: tuple = (PorousGeometry, InclusionsGeometry)
