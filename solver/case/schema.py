"""The case schema (version 1): the single source of truth for case files.

Every model forbids unknown keys, every field has a description, and every dimensional field
carries its SI unit (see :mod:`solver.case.units`). Validation, the dotted error paths, the
commented YAML template and the README reference are all derived from these classes.

Variants are discriminated unions on ``kind``. Cross-field rules live in ``model_validator``
methods that raise :class:`~solver.case.errors.FieldProblems`, so each problem points at its own
dotted field.
"""

from __future__ import annotations

import math
import os
import re
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, PrivateAttr, field_validator, model_validator

from solver.case._base import _Model, _kind
from solver.case.errors import FieldProblems
from solver.case.geometry import Geometry, SphereGeometry
from solver.case.geometry_layered import LAYERED_GEOMETRIES
from solver.case.units import (
    FARADAY,
    GAS_CONSTANT,
    Temperature,
    Concentration,
    Density,
    Diffusivity,
    Integer,
    Length,
    MolarVolume,
    Number,
    Pressure,
    SpecificCharge,
    SpecificCurrent,
    Time,
    unit_of,
)

__all__ = [
    "Case",
    "ConstantDiffusivity",
    "ConstantModulus",
    "ConstantRatio",
    "ExponentialDiffusivity",
    "GalvanostaticLoading",
    "LinearModulus",
    "LinearRatio",
    "Material",
    "MeshSettings",
    "OutputSettings",
    "PotentiostaticLoading",
    "PrescribedLoading",
    "Probe",
    "Measure",
    "RadialProfile",
    "RegularSolutionDiffusivity",
    "SCHEMA_VERSION",
    "SolverSettings",
    "SphereGeometry",
    "Stop",
    "TimeSettings",
    "TwoPhaseDiffusivity",
    "UniformProfile",
    "discriminated_variants",
    "kind_of",
    "split_annotation",
]

SCHEMA_VERSION = 1

#: Lithiation fraction θ = c / c_max, in [0, 1].
Theta = Annotated[Number, Field(ge=0.0, le=1.0)]


def _fmt(x: float, unit: str = "") -> str:
    if unit == "C/kg":  # charges per mass also in the unit people write them in
        return f"{x:g} C/kg ({x / 3600.0:.4g} mA*h/g)"
    return f"{x:g} {unit}".rstrip()




# --------------------------------------------------------------------------------------------
# Mesh


def default_cache_dir() -> Path:
    """Return ``$XDG_CACHE_HOME/chemomech/meshes`` (or ``~/.cache/chemomech/meshes``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chemomech" / "meshes"


#: estimated cell count above which validate and run warn that meshing and solving will be
#: very long (the default 3D octant case has ~5e4 cells, the finest bench mesh ~4e5)
MESH_CELLS_WARNING = {"3d": 2e6, "octant": 2e6, "axisymmetric": 5e5, "plane_strain": 5e5}
#: estimated cell count above which a case is refused: no machine meshes or holds it (and
#: Gmsh would run until killed), e.g. a mesh.size of 1e-300 m; the largest meshes ever solved
#: have about 1e12 cells. (At 1e15 a radius of 2 m, a bare "2" meaning 2 um, in axisymmetric
#: mode passed with a warning, and meshing ran out of memory.)
MESH_CELLS_LIMIT = 1e12
#: geometry lengths above this (m) are far larger than an anode particle: most often a bare
#: number meant in um or nm (plausibility_warnings; the mesh estimate then names them)
PARTICLE_LENGTH_MAX = 1e-4
#: the band (in SI units) that every scale the solver builds from a case must lie in: well
#: inside double precision (1e±308), leaving room for the products and squares that the
#: assembly and the Krylov solvers form from them (a modulus of 1e300 Pa overflows the
#: Chebyshev eigenvalue estimate; a c_max of 1e-300 mol/m^3 turns the scale of the
#: diffusion residual into inf, which the form compiler cannot write in C). No battery
#: particle comes near it: moduli ~1e11 Pa, diffusivities ~1e-15 m^2/s, radii ~1e-6 m.
SCALE_LIMITS = (1e-100, 1e100)
#: Poisson's ratio above which the pure-displacement P2 formulation's hydrostatic stress
#: is more than 1-2 % off (plausibility_warnings; measured 2026-12-07)
NU_LOCKING = 0.45

class MeshSettings(_Model):
    """Element sizes and the mesh cache."""

    size: Length | None = Field(
        None,
        gt=0,
        description="target element size in the bulk; null means radius/10",
        examples=[5e-7],
    )
    surface_size: Length | None = Field(
        None,
        gt=0,
        description="element size at the loaded outer surface; null means the bulk size",
        examples=[2.5e-7],
    )
    cache: bool = Field(True, description="reuse meshes generated earlier with the same inputs")
    cache_dir: str | None = Field(
        None,
        description="mesh cache directory; null means $XDG_CACHE_HOME/chemomech/meshes "
        "(or ~/.cache/chemomech/meshes)",
    )

    def resolved_size(self, radius: float) -> float:
        """Bulk element size in m (``size`` or ``radius/10``)."""
        return float(self.size) if self.size is not None else radius / 10.0

    def resolved_surface_size(self, radius: float) -> float:
        """Surface element size in m (``surface_size`` or the bulk size)."""
        if self.surface_size is not None:
            return float(self.surface_size)
        return self.resolved_size(radius)

    def resolved_cache_dir(self) -> Path:
        """The mesh cache directory (``cache_dir`` or :func:`default_cache_dir`)."""
        if self.cache_dir is not None:
            return Path(self.cache_dir).expanduser()
        return default_cache_dir()


# --------------------------------------------------------------------------------------------
# Material laws


class _ConstantLaw(_Model):
    def ends(self) -> tuple[float, float]:
        """The values at θ = 0 and θ = 1."""
        return float(self.value), float(self.value)


class _LinearLaw(_Model):
    def ends(self) -> tuple[float, float]:
        """The values at θ = 0 and θ = 1 (the law interpolates linearly between them)."""
        return float(self.unlithiated), float(self.lithiated)


class ConstantModulus(_ConstantLaw):
    """A Young's modulus independent of θ."""

    kind: Literal["constant"] = _kind("E independent of θ")
    value: Pressure = Field(gt=0, description="Young's modulus", examples=[185e9])


class LinearModulus(_LinearLaw):
    """A Young's modulus linear in θ between the unlithiated and lithiated values."""

    kind: Literal["linear"] = _kind("E(θ) = unlithiated + (lithiated - unlithiated)·θ")
    unlithiated: Pressure = Field(gt=0, description="Young's modulus at θ = 0", examples=[185e9])
    lithiated: Pressure = Field(gt=0, description="Young's modulus at θ = 1", examples=[35e9])


_POISSON = {"gt": -1.0, "lt": 0.5}


class ConstantRatio(_ConstantLaw):
    """A Poisson's ratio independent of θ."""

    kind: Literal["constant"] = _kind("ν independent of θ")
    value: Number = Field(**_POISSON, description="Poisson's ratio, in (-1, 0.5)", examples=[0.22])


class LinearRatio(_LinearLaw):
    """A Poisson's ratio linear in θ between the unlithiated and lithiated values."""

    kind: Literal["linear"] = _kind("ν(θ) = unlithiated + (lithiated - unlithiated)·θ")
    unlithiated: Number = Field(
        **_POISSON, description="Poisson's ratio at θ = 0, in (-1, 0.5)", examples=[0.22]
    )
    lithiated: Number = Field(
        **_POISSON, description="Poisson's ratio at θ = 1, in (-1, 0.5)", examples=[0.22]
    )


YoungsModulus = Annotated[Union[ConstantModulus, LinearModulus], Field(discriminator="kind")]  # noqa: UP007
PoissonsRatio = Annotated[Union[ConstantRatio, LinearRatio], Field(discriminator="kind")]  # noqa: UP007


class ConstantDiffusivity(_Model):
    """D independent of θ."""

    kind: Literal["constant"] = _kind("D = value")
    value: Diffusivity = Field(gt=0, description="Li diffusivity", examples=[1e-16])


class ExponentialDiffusivity(_Model):
    """D = d0·exp(exponent·θ)."""

    kind: Literal["exponential"] = _kind("D = d0·exp(exponent·θ)")
    d0: Diffusivity = Field(gt=0, description="diffusivity at θ = 0", examples=[1e-16])
    exponent: Number = Field(description="exponent m of exp(m·θ)", examples=[2.0])


class TwoPhaseDiffusivity(_Model):
    """Smooth step between a pristine and a lithiated diffusivity."""

    kind: Literal["two_phase"] = _kind(
        "D = pristine + (lithiated - pristine)·½[1 + tanh((θ - theta_star)/width)]"
    )
    pristine: Diffusivity = Field(gt=0, description="diffusivity of the pristine phase", examples=[2e-17])
    lithiated: Diffusivity = Field(
        gt=0, description="diffusivity of the lithiated phase", examples=[2e-15]
    )
    theta_star: Number = Field(
        gt=0, lt=1, description="θ at the middle of the step, in (0, 1)", examples=[0.5]
    )
    width: Number = Field(gt=0, description="width of the step in θ", examples=[0.05])


class RegularSolutionDiffusivity(_Model):
    """Regular-solution (thermodynamic factor) diffusivity."""

    kind: Literal["regular_solution"] = _kind(
        "D = d0·[1/(1 - θ) - 2·alpha·θ], θ capped at theta_max"
    )
    d0: Diffusivity = Field(gt=0, description="diffusivity prefactor", examples=[1e-16])
    alpha: Number = Field(description="interaction parameter α", examples=[0.0])
    theta_max: Number = Field(
        0.999, gt=0, lt=1, description="θ is capped at this value in D(θ), in (0, 1)"
    )

    @model_validator(mode="after")
    def _positive(self) -> RegularSolutionDiffusivity:
        # 1/(1 - θ) = 2αθ  <=>  θ² - θ + 1/(2α) = 0: for α > 2, D < 0 between the two roots
        a = float(self.alpha)
        if a < 2.0:
            return self
        low = 0.5 * (1.0 - math.sqrt(max(0.0, 1.0 - 2.0 / a)))
        if self.theta_max < low:
            return self
        raise FieldProblems([("alpha", (
            f"D(θ) = d0·[1/(1 - θ) - 2·alpha·θ] is not positive for θ from {low:.4g} to "
            f"{1.0 - low:.4g} with alpha = {a:g} (Li would flow uphill): alpha must be < 2, or "
            f"theta_max below {low:.4g}"))])


DiffusivityLaw = Annotated[
    Union[  # noqa: UP007
        ConstantDiffusivity,
        ExponentialDiffusivity,
        TwoPhaseDiffusivity,
        RegularSolutionDiffusivity,
    ],
    Field(discriminator="kind"),
]


class Material(_Model):
    """Properties of the material of one region."""

    active: bool = Field(
        True,
        description="false: the material takes no Li (inert coating, binder shell): no c_max, "
        "no swelling; it carries stress, and Li passes through it without being stored",
    )
    density: Density = Field(gt=0, description="mass density of the unlithiated material", examples=[2330.0])
    c_max: Concentration | None = Field(
        None,
        gt=0,
        description="Li concentration at θ = 1, per unlithiated volume; give this or "
        "specific_capacity",
        examples=[3.11e5],
    )
    specific_capacity: SpecificCharge | None = Field(
        None,
        gt=0,
        description="theoretical specific capacity (θ = 1), e.g. '3579 mA*h/g'; give this or "
        "c_max",
        examples=[1.28844e7],
        json_schema_extra={"template": "example"},
    )
    volume_expansion: Number | None = Field(
        None,
        ge=0,
        description="volumetric expansion β_V = ΔV/V at θ = 1; give this or "
        "partial_molar_volume",
        examples=[2.8],
        json_schema_extra={"template": "example"},
    )
    partial_molar_volume: MolarVolume | None = Field(
        None,
        ge=0,
        description="partial molar volume Ω of Li (β_V = Ω·c_max); give this or "
        "volume_expansion",
        examples=[9.0e-6],
    )
    swelling_law: Literal["linear", "cube_root"] = Field(
        "linear",
        description="chemical strain: linear β_V(θ - θ_ref)/3, or cube_root "
        "(1 + β_V θ)^(1/3) - (1 + β_V θ_ref)^(1/3)",
    )
    reference_theta: Number = Field(
        0.0, ge=0, le=1, description="stress-free lithiation fraction θ_ref, in [0, 1]"
    )
    youngs_modulus: YoungsModulus = Field(
        description="Young's modulus: a value (number or '185 GPa') or a law with kind"
    )
    poissons_ratio: PoissonsRatio = Field(
        description="Poisson's ratio: a value in (-1, 0.5) or a law with kind"
    )
    diffusivity: DiffusivityLaw | None = Field(
        None,
        description="Li diffusivity law D(θ) (required for active materials); for an "
        "inactive material the transport of Li through it, without storage (null: "
        "1e-12 m^2/s, fast compared with Si — an assumption)",
    )

    @field_validator("youngs_modulus", "poissons_ratio", mode="before")
    @classmethod
    def _bare_value_is_constant(cls, value: Any) -> Any:
        if isinstance(value, dict) or isinstance(value, BaseModel):
            return value
        return {"kind": "constant", "value": value}

    @model_validator(mode="after")
    def _exactly_one(self) -> Material:
        problems = []
        if not self.active:
            for name in ("c_max", "specific_capacity", "volume_expansion",
                         "partial_molar_volume"):
                if getattr(self, name) is not None:
                    problems.append((name, "an inactive material (active: false) takes no Li: "
                                     "remove this field"))
            for name in ("youngs_modulus", "poissons_ratio"):
                if getattr(self, name).kind != "constant":
                    problems.append((name, "an inactive material has no θ: give a constant"))
            if problems:
                raise FieldProblems(problems)
            return self
        if self.diffusivity is None:
            problems.append(("diffusivity", "required field missing for an active material "
                             "(diffusivity law D(θ) [m^2/s])"))
        if (self.c_max is None) == (self.specific_capacity is None):
            got = "both" if self.c_max is not None else "neither"
            problems.append(
                (
                    "",
                    "give exactly one of c_max [mol/m^3] and specific_capacity [C/kg], "
                    f"got {got}",
                )
            )
        if (self.volume_expansion is None) == (self.partial_molar_volume is None):
            got = "both" if self.volume_expansion is not None else "neither"
            problems.append(
                (
                    "",
                    "give exactly one of volume_expansion and partial_molar_volume "
                    f"[m^3/mol], got {got}",
                )
            )
        if problems:
            raise FieldProblems(problems)
        return self

    @property
    def c_max_si(self) -> float:
        """Li concentration at θ = 1 in mol/m³ (given, or specific_capacity·density/F; 0 for
        an inactive material)."""
        if not self.active:
            return 0.0
        if self.c_max is not None:
            return float(self.c_max)
        return float(self.specific_capacity) * self.density / FARADAY

    @property
    def specific_capacity_si(self) -> float:
        """Specific capacity at θ = 1 in C/kg (given, or c_max·F/density; 0 if inactive)."""
        if not self.active:
            return 0.0
        if self.specific_capacity is not None:
            return float(self.specific_capacity)
        return float(self.c_max) * FARADAY / self.density

    @property
    def beta_v(self) -> float:
        """Volumetric expansion ΔV/V at θ = 1 (given, or partial_molar_volume·c_max; 0 if
        inactive)."""
        if not self.active:
            return 0.0
        if self.volume_expansion is not None:
            return float(self.volume_expansion)
        return float(self.partial_molar_volume) * self.c_max_si


# --------------------------------------------------------------------------------------------
# Loading

_SURFACES_DESCRIPTION = "boundaries that carry the Li flux (not symmetry planes or the axis)"


def _unique_surfaces(value: list[str]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for i, name in enumerate(value):
        if name in seen:
            problems.append((str(i), f"surface '{name}' is listed twice"))
        seen.add(name)
    if problems:
        raise FieldProblems(problems)
    return value


class GalvanostaticLoading(_Model):
    """Constant current into (or out of) the particle through its surfaces."""

    kind: Literal["galvanostatic"] = _kind("uniform Li flux from a constant current")
    specific_current: SpecificCurrent | None = Field(
        None,
        gt=0,
        description="current per mass of active material, e.g. '0.1 A/g'; give this or c_rate",
        examples=[100.0],
        json_schema_extra={"template": "example"},
    )
    c_rate: Number | None = Field(
        None,
        gt=0,
        description="current as a C-rate [1/h] (a number, or written as '2C' or 'C/10'): 1C "
        "fills the whole particle in one hour, i.e. it is relative to the Li capacity of all "
        "active regions per mass of active material (a mass-weighted mean of their specific "
        "capacities); give this or specific_current",
        examples=[1.0],
    )
    direction: Literal["lithiation", "delithiation"] = Field(
        "lithiation", description="lithiation (Li in) or delithiation (Li out)"
    )
    surfaces: list[str] = Field(
        default_factory=lambda: ["outer_surface"], min_length=1, description=_SURFACES_DESCRIPTION
    )
    initial_theta: Theta = Field(0.0, description="uniform initial θ, in [0, 1]")
    flux_shares: dict[str, Number] | None = Field(
        None,
        description="fraction of the current through each loaded surface (keys: the "
        "surfaces, values >= 0 summing to 1); null: the same flux density on all of them",
        examples=[{"outer_surface": 0.8, "pore_surface": 0.2}],
    )

    @field_validator("c_rate", mode="before")
    @classmethod
    def _read_c_rate(cls, value):
        """'2C', '0.5 C' -> 2, 0.5; 'C/10' -> 0.1 (anything else is left to the Number type,
        which names what it got)."""
        if isinstance(value, str):
            text = value.strip().replace(" ", "")
            m = re.fullmatch(r"([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)C", text)
            if m:
                return float(m.group(1))
            m = re.fullmatch(r"C/([0-9]*\.?[0-9]+)", text)
            if m and float(m.group(1)) > 0:
                return 1.0 / float(m.group(1))
        return value

    @field_validator("surfaces")
    @classmethod
    def _check_surfaces(cls, value: list[str]) -> list[str]:
        return _unique_surfaces(value)

    @model_validator(mode="after")
    def _exactly_one(self) -> GalvanostaticLoading:
        problems = []
        if (self.specific_current is None) == (self.c_rate is None):
            got = "both" if self.c_rate is not None else "neither"
            problems.append(
                ("", f"give exactly one of specific_current [A/kg] and c_rate, got {got}"))
        if self.flux_shares is not None:
            shares = self.flux_shares
            if set(shares) != set(self.surfaces):
                problems.append(("flux_shares", f"give a share for each loaded surface "
                                 f"{sorted(self.surfaces)}, got {sorted(shares)}"))
            elif any(v < 0 for v in shares.values()) or abs(sum(shares.values()) - 1.0) > 1e-9:
                problems.append(("flux_shares", "shares must be >= 0 and sum to 1, got "
                                 f"{dict(shares)} (sum {sum(shares.values()):g})"))
        if problems:
            raise FieldProblems(problems)
        return self

    def specific_current_si(self, specific_capacity: float) -> float:
        """Current per active mass in A/kg.

        Args:
            specific_capacity: Specific capacity of the active material in C/kg (for c_rate).
        """
        if self.specific_current is not None:
            return float(self.specific_current)
        return float(self.c_rate) * specific_capacity / 3600.0


class PotentiostaticLoading(_Model):
    """θ held at a fixed value on the surfaces (constant potential)."""

    kind: Literal["potentiostatic"] = _kind("θ prescribed on the surfaces")
    surface_theta: Theta = Field(description="θ imposed on the surfaces, in [0, 1]", examples=[1.0])
    ramp_time: Time = Field(
        0.0, ge=0, description="the surface θ is ramped linearly over this time; 0 means over "
        "the first time step"
    )
    surfaces: list[str] = Field(
        default_factory=lambda: ["outer_surface"], min_length=1, description=_SURFACES_DESCRIPTION
    )
    initial_theta: Theta = Field(0.0, description="uniform initial θ, in [0, 1]")

    @field_validator("surfaces")
    @classmethod
    def _check_surfaces(cls, value: list[str]) -> list[str]:
        return _unique_surfaces(value)


class UniformProfile(_Model):
    """The same θ everywhere."""

    kind: Literal["uniform"] = _kind("θ uniform in the particle")
    theta: Theta = Field(description="lithiation fraction, in [0, 1]", examples=[0.5])


class RadialProfile(_Model):
    """θ(r) interpolated linearly in a table of (radius, θ) rows."""

    kind: Literal["radial"] = _kind("θ(r) from a table, linear interpolation")
    table: list[tuple[Annotated[Length, Field(ge=0)], Theta]] = Field(
        min_length=2,
        description="rows [radius [m], θ]; radii >= 0, strictly increasing, the last one "
        "reaching the particle radius",
        examples=[[[0.0, 0.0], [4e-6, 1.0]]],
    )

    @field_validator("table")
    @classmethod
    def _increasing(cls, table: list[tuple[float, float]]) -> list[tuple[float, float]]:
        problems = []
        for i in range(1, len(table)):
            if table[i][0] <= table[i - 1][0]:
                problems.append(
                    (
                        f"{i}.0",
                        f"radii must increase strictly: {_fmt(table[i][0], 'm')} follows "
                        f"{_fmt(table[i - 1][0], 'm')}",
                    )
                )
        if problems:
            raise FieldProblems(problems)
        return table


Profile = Annotated[Union[UniformProfile, RadialProfile], Field(discriminator="kind")]  # noqa: UP007


class PrescribedLoading(_Model):
    """A prescribed θ field (no diffusion solve): one mechanical solve."""

    kind: Literal["prescribed"] = _kind("θ field prescribed, no diffusion")
    profile: Profile = Field(description="the prescribed θ field")


Loading = Annotated[
    Union[GalvanostaticLoading, PotentiostaticLoading, PrescribedLoading],  # noqa: UP007
    Field(discriminator="kind"),
]


# --------------------------------------------------------------------------------------------
# Stop, time, output, solver


class Stop(_Model):
    """When a transient run ends (the first criterion met ends it)."""

    mean_theta: Theta | None = Field(
        None,
        description="stop when the mean θ (the Li content over the Li capacity of the particle, "
        "history column 'mean lithiation fraction') reaches this value, in [0, 1]",
        examples=[0.9],
        json_schema_extra={"template": "example"},
    )
    capacity: SpecificCharge | None = Field(
        None,
        gt=0,
        description="stop after this charge per active mass has passed (counted in the "
        "run's direction), e.g. '1 A*h/g'; with several stop criteria the first one reached "
        "ends the run (summary.json stop_reason names it)",
        examples=[3.6e6],
    )
    time: Time | None = Field(None, gt=0, description="stop at this time", examples=[3600.0])
    surface_theta: Theta | None = Field(
        None,
        description="cut-off on the loaded surfaces' maximum θ (lithiation) or minimum θ "
        "(delithiation), in [0, 1]",
        examples=[0.95],
    )
    hold_at_cutoff: bool = Field(
        False,
        description="CC-CV: after the surface cut-off is reached, hold the surface θ there and "
        "continue until another criterion is met (a mean θ or capacity the held surface θ "
        "bounds: short of the cut-off)",
    )
    max_steps: Integer = Field(
        100000, ge=1, description="largest number of time steps: reaching it ends the run "
        "with a warning as completed (exit 0, stop reason 'stop.max_steps reached')")

    @model_validator(mode="after")
    def _hold_needs_cutoff(self) -> Stop:
        if self.hold_at_cutoff and self.surface_theta is None:
            raise FieldProblems([("hold_at_cutoff", "needs stop.surface_theta (the cut-off)")])
        return self


class TimeSettings(_Model):
    """Adaptive time stepping and output times."""

    dt_initial: Time = Field(1.0, gt=0, description="first time step")
    dt_min: Time = Field(
        1e-3, gt=0, description="smallest time step: dt is not cut or predicted below it "
        "(only shortened to land on an output or end time); a step at dt_min is accepted "
        "even when θ changes by more than max_dtheta or overshoots a stop event (a warning "
        "says so once), and a Newton failure at dt_min stops the run (exit 1)")
    dt_max: Time = Field(1e4, gt=0, description="largest time step")
    growth: Number = Field(1.5, gt=1, description="factor applied to dt after an easy step")
    cutback: Number = Field(
        0.5, gt=0, lt=1, description="factor applied to dt after a failed step, in (0, 1)"
    )
    max_dtheta: Number = Field(
        0.05, gt=0, le=1, description="largest change of θ at any node in one step, in "
        "(0, 1]: a larger step is cut back (down to dt_min)"
    )
    easy_newton_iterations: Integer = Field(
        4, ge=1, description="grow dt only when Newton converged within this many iterations"
    )
    output_every: Integer | None = Field(
        10, ge=1, description="write fields every N steps (null: only at output_times)"
    )
    output_times: list[Annotated[Time, Field(gt=0)]] | None = Field(
        None,
        description="also write fields at these times (strictly increasing, > 0); the "
        "stepper lands on them exactly",
        examples=[[60.0, 600.0, 3600.0]],
    )
    output_mean_theta: list[Theta] | None = Field(
        None,
        description="also write fields when the mean lithiation fraction reaches these values "
        "(galvanostatic loading without a CV hold: the Li content changes at a constant rate, "
        "so each value is a time known at the start, and the stepper lands on it exactly)",
        examples=[[0.25, 0.5]],
    )

    @model_validator(mode="after")
    def _consistent(self) -> TimeSettings:
        problems = []
        if self.dt_min > self.dt_max:
            problems.append(
                (
                    "dt_min",
                    f"dt_min ({_fmt(self.dt_min, 's')}) is larger than dt_max "
                    f"({_fmt(self.dt_max, 's')})",
                )
            )
        else:
            if self.dt_initial < self.dt_min:
                problems.append(
                    (
                        "dt_initial",
                        f"dt_initial ({_fmt(self.dt_initial, 's')}) is smaller than dt_min "
                        f"({_fmt(self.dt_min, 's')})",
                    )
                )
            if self.dt_initial > self.dt_max:
                problems.append(
                    (
                        "dt_initial",
                        f"dt_initial ({_fmt(self.dt_initial, 's')}) is larger than dt_max "
                        f"({_fmt(self.dt_max, 's')})",
                    )
                )
        times = self.output_times or []
        for i in range(1, len(times)):
            if times[i] <= times[i - 1]:
                problems.append(
                    (
                        f"output_times.{i}",
                        f"output times must increase strictly: {_fmt(times[i], 's')} follows "
                        f"{_fmt(times[i - 1], 's')}",
                    )
                )
        if problems:
            raise FieldProblems(problems)
        return self


class Probe(_Model):
    """A point where field values are recorded every step."""

    name: str = Field(min_length=1, description="probe name (unique), used in history.csv", examples=["centre"])
    point: list[Length] = Field(
        min_length=2,
        max_length=3,
        description=(
            "coordinates (x, y, z); in the axisymmetric mode also (r, z) — a 3D point is "
            "then taken at r = sqrt(x² + y²), z"
        ),
        examples=[[0.0, 0.0, 0.0]],
    )


class Measure(_Model):
    """A named statistic of a field over regions or along a surface/interface, recorded every
    step as the history.csv column ``measure <name> [unit]``."""

    name: str = Field(min_length=1, description="measure name (unique)", examples=["surface A"])
    field: Literal["von_mises", "hydrostatic", "first_principal", "radial", "hoop", "theta"] = (
        Field(description="von_mises, hydrostatic, first_principal, radial, hoop (Pa, radial "
              "and hoop about the particle centre) or theta (lithiation fraction)",
              examples=["von_mises"])
    )
    statistic: Literal["max", "min", "mean", "range"] = Field(
        description="max / min over the nodal values (stress: the DG1 values of the selected "
        "cells), mean (volume or area weighted), range = max - min",
        examples=["max"],
    )
    regions: list[str] | None = Field(
        None,
        description="regions whose cells are used (null: all); with `on`, the side(s) of the "
        "surface or interface whose values count",
        examples=[["core"]],
    )
    on: str | None = Field(
        None,
        description="a boundary surface or interface name: the statistic is taken on its "
        "facets (null: over the volume of the regions)",
        examples=["interface_core_coating_1"],
    )

    @property
    def column(self) -> str:
        unit = "[-]" if self.field == "theta" else "[Pa]"
        return f"measure {self.name} {unit}"


class OutputSettings(_Model):
    """Where and what to write."""

    directory: str = Field("results", description="results go to <directory>/<name>/")
    name: str | None = Field(None, description="case name (a folder name: no path separators, "
                             "not '.' or '..'); null means the case file's stem")
    formats: list[Literal["xdmf", "vtx", "vtk"]] = Field(
        default_factory=lambda: ["vtk", "xdmf"],
        min_length=1,
        description=(
            "field file formats: vtk (fields.pvd, all fields on one dataset, float64 — the one "
            "to open in ParaView), xdmf (fields.xdmf + .h5, also region ids as cell data), "
            "vtx (ADIOS2 .bp with the native P2/DG1 fields, ParaView >= 5.12)"
        ),
    )
    probes: list[Probe] = Field(
        default_factory=list,
        description="point probes (a point on a facet, edge or vertex shared by several cells: the "
                    "mean of their values; stresses jump between cells)")
    measures: list[Measure] = Field(
        default_factory=list,
        description="named statistics recorded every step (history column 'measure <name> "
        "[unit]'), e.g. the max von Mises stress on the Si side of an interface",
    )
    history_every: Integer | None = Field(
        1, ge=1,
        description="write a history.csv row every N accepted steps, and also at every field "
        "output (time.output_every, time.output_times) and at the last step (null: only "
        "there). One-way coupling solves the mechanics only for these rows and fields, so "
        "N > 1 saves most of the stress cost of a large mesh; stop events and dt control "
        "still look at θ every step. Newton/Krylov iterations and rejected steps of a row "
        "count since the previous row",
    )
    checkpoint_every: Integer | None = Field(
        25, ge=1,
        description="write a restart checkpoint every N accepted steps (null: not by count)",
    )
    checkpoint_minutes: Number | None = Field(
        10.0, gt=0,
        description="also write one when this many minutes of wall time have passed (null: "
        "not by time); `chemomech run --restart` continues from the last one",
    )
    pictures: bool = Field(True, description="write PNG pictures of the results")


    @field_validator("name")
    @classmethod
    def _plain_folder_name(cls, v):
        # the name is a folder under output.directory: a path would write elsewhere
        if v is not None and (v.strip() in ("", ".", "..") or "/" in v or "\\" in v):
            raise ValueError("not a folder name: give a plain name (no '/' or '\\', not '.' "
                             "or '..'), or null for the case file's stem")
        return v
    @field_validator("formats")
    @classmethod
    def _unique_formats(cls, value: list[str]) -> list[str]:
        problems = [
            (str(i), f"format '{f}' is listed twice") for i, f in enumerate(value) if f in value[:i]
        ]
        if problems:
            raise FieldProblems(problems)
        return value

    @model_validator(mode="after")
    def _unique_probe_names(self) -> OutputSettings:
        problems = []
        for key in ("probes", "measures"):
            names = [p.name for p in getattr(self, key)]
            problems += [
                (f"{key}.{i}.name", f"{key[:-1]} name '{n}' is used twice")
                for i, n in enumerate(names)
                if n in names[:i]
            ]
        if problems:
            raise FieldProblems(problems)
        return self


class SolverSettings(_Model):
    """Tolerances of the linear and nonlinear solvers."""

    linear_rtol: Number = Field(
        1e-10, gt=0, le=1e-2, description="relative tolerance of the Krylov solvers (an "
        "elasticity CG that stalls at the round-off floor within 100 times of it is accepted, "
        "with a warning; summary.json counts such solves)"
    )
    newton_rtol: Number = Field(1e-10, gt=0, lt=1,
                                description="relative tolerance of Newton, in (0, 1)")
    newton_atol: Number = Field(1e-14, ge=0, description="absolute tolerance of Newton")
    newton_max_iterations: Integer = Field(
        25, ge=1, description="Newton iterations before the step is cut back"
    )
    coupling_tolerance: Number = Field(
        1e-8, gt=0, description="two_way, staggered: largest change of θ between staggered "
        "iterations at which a step counts as converged"
    )
    coupling_max_iterations: Integer = Field(
        30, ge=1, description="two_way, staggered: staggered iterations before the step is "
        "cut back"
    )
    diffusion_linear_solver: Literal["auto", "direct", "ilu", "amg"] = Field(
        "auto",
        description="linear solver inside the θ Newton: auto (by size: MUMPS LU in 2D and in "
        "small 3D problems, ilu in larger 3D ones, amg in the largest; the thresholds, "
        "ITERATIVE_MIN_DOFS and AMG_MIN_DOFS in solver/physics/diffusion.py, are measured in "
        "bench/README.md), "
        "direct (MUMPS LU), ilu (GMRES + block-Jacobi ILU(0): iterations grow with the mesh "
        "and the MPI ranks) or amg (GMRES + GAMG, unsmoothed aggregation: iterations nearly "
        "flat in both; the choice for many ranks). It does not change the answer, only the "
        "time: every Krylov solve runs to linear_rtol. two_way monolithic has no separate θ "
        "Newton and ignores it",
    )
    coupling_scheme: Literal["monolithic", "staggered"] = Field(
        "monolithic",
        description="two_way: monolithic (one Newton on u, θ and a continuous σ_h, its "
        "linear solver set by coupled_linear_solver; E(θ), ν(θ) inside the Jacobian; the "
        "default: 24–57 times faster than staggered on the three workloads of "
        "bench/bench_coupling.py) or staggered (Newton for θ with σ_h of the last stress, "
        "then the mechanics, repeated to coupling_tolerance; CG + multigrid mechanics; it "
        "needs the least memory: on 405k u DOFs 0.64 GB per rank against the monolithic "
        "iterative solver's 1.16 GB, but its steps are cut back where the coupling is strong)",
    )
    coupled_linear_solver: Literal["auto", "direct", "iterative"] = Field(
        "auto",
        description="two_way monolithic: the linear solver inside its Newton. direct (MUMPS "
        "LU; the fastest in 2D and on small 3D meshes, but its time and memory grow steeply: "
        "≈5.5 GB per rank and no step in 10 min on 405k u DOFs), iterative (FGMRES with a "
        "block preconditioner: θ with the stress-enhanced diffusion of a free body, then u by "
        "CG + multigrid, then σ_h; on 405k u DOFs 1.16 GB per rank, 33 s per step on 2 ranks) "
        "or auto (iterative in 3D from 25 000 u DOFs, ITERATIVE_MIN_DOFS in "
        "solver/physics/coupled.py, measured in bench/README.md; direct below and in 2D). "
        "Both give the same answer to linear_rtol. The staggered scheme and one_way ignore "
        "this setting",
    )
    mass_lumping: bool = Field(
        True,
        description="lump the Li storage term of the diffusion equation (vertex quadrature, "
        "also for the Li content and mean θ; the default from 2026-12-07): θ then stays in "
        "[0, 1] at a lithiation front that the mesh does not resolve (sharp two-phase fronts, "
        "high rates), where the consistent storage term undershoots below 0 and the "
        "undershoot's negative swelling adds spurious stress; a warning reports a θ that "
        "leaves [0, 1] by more than 0.01, but the stress can be far off without one (the "
        "tension at the centre of cases/examples/sphere_axisymmetric.yaml: θ ≥ -0.005, "
        "54.8 GPa consistent, 47.7 GPa lumped, 48 GPa on refined meshes; default.yaml: 72 "
        "against 47 GPa; README, Storage term). The same O(h²) convergence in L2 "
        "(tests/verification/test_mms_storage.py); false takes the consistent (standard "
        "Galerkin) term",
    )


# --------------------------------------------------------------------------------------------
# Case

_TRANSIENT = (GalvanostaticLoading, PotentiostaticLoading)


class Case(_Model):
    """A complete simulation case (schema version 1)."""

    schema_version: Literal[1] = Field(1, description="version of this case schema")
    title: str = Field("", description="short title")
    description: str = Field("", description="free text")
    references: list[str] = Field(
        default_factory=list, description="sources of the parameters (citations, DOIs)"
    )
    geometry: Geometry = Field(description="particle geometry")
    mesh: MeshSettings = Field(default_factory=MeshSettings, description="mesh settings")
    materials: dict[str, Material] = Field(
        min_length=1,
        description="material of each region, keyed by region name",
        examples=["core"],
    )
    loading: Loading = Field(description="how Li enters the particle")
    stop: Stop = Field(default_factory=Stop, description="stop criteria of transient loadings")
    time: TimeSettings = Field(default_factory=TimeSettings, description="time stepping")
    coupling: Literal["one_way", "two_way"] = Field(
        "one_way",
        description="one_way: θ every step, u where it is written (no stress-driven flux); "
        "two_way: the flux J = -c_max D [∇θ - (Ω θ/(R T)) ∇σ_h] with σ_h the consistent P1 "
        "projection of the current hydrostatic stress, u and θ every step, solved as "
        "solver.coupling_scheme says (monolithic, the default, or staggered)",
    )
    temperature: Temperature = Field(
        298.15, gt=0, description="temperature (isothermal); enters the two_way flux",
        examples=[298.15],
    )
    output: OutputSettings = Field(default_factory=OutputSettings, description="outputs")
    solver: SolverSettings = Field(default_factory=SolverSettings, description="solver settings")

    _source: str | None = PrivateAttr(default=None)
    #: region → {material, library, overridden, sources} for materials taken from a library
    _material_sources: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        """Cases are equal when their fields are (the source file does not matter)."""
        if not isinstance(other, Case):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    # ---- derived values -------------------------------------------------------------------

    @property
    def source_path(self) -> Path | None:
        """The case file this case was loaded from (``None`` for dicts)."""
        return Path(self._source) if self._source else None

    @property
    def name(self) -> str:
        """Case name: ``output.name``, else the case file's stem, else ``"case"``."""
        if self.output.name:
            return self.output.name
        if self._source:
            return Path(self._source).stem
        return "case"

    @property
    def material(self) -> Material:
        """The material of a single-material case."""
        if len(self.materials) != 1:
            raise ValueError("the case has several materials; pick one from case.materials")
        return next(iter(self.materials.values()))

    @property
    def specific_capacity_si(self) -> float:
        """Specific capacity of the active material in C/kg (single material for now)."""
        return self.material.specific_capacity_si

    # ---- cross-field rules ------------------------------------------------------------------

    @model_validator(mode="after")
    def _cross_field(self) -> Case:
        problems: list[tuple[str, str]] = []
        if self.coupling == "two_way" and isinstance(self.loading, PrescribedLoading):
            problems.append(("coupling", "two_way coupling needs a diffusion solve; a "
                             "prescribed θ field has none: use one_way"))
        problems += self._check_regions()
        problems += self._check_surfaces()
        problems += self._check_mesh()
        problems += self._check_probes()
        problems += self._check_measures()
        problems += self._check_profile()
        problems += self._check_stop()
        problems += self._check_output_mean_theta()
        problems += self._check_scales()
        if problems:
            raise FieldProblems(problems)
        return self

    def _check_regions(self) -> list[tuple[str, str]]:
        regions = self.geometry.region_names()
        kind = self.geometry.kind
        problems = [
            (
                f"materials.{name}",
                f"unknown region '{name}'; the {kind} geometry has regions: "
                + ", ".join(regions),
            )
            for name in self.materials
            if name not in regions
        ]
        problems += [
            ("materials", f"region '{r}' has no material") for r in regions if r not in self.materials
        ]
        return problems

    def _check_surfaces(self) -> list[tuple[str, str]]:
        if not isinstance(self.loading, _TRANSIENT):
            return []
        boundaries = self.geometry.boundary_names()
        symmetry = self.geometry.symmetry_names()
        dry = [b for b in boundaries if b == "closed_pore_surface"]  # no electrolyte there
        loadable = [b for b in boundaries if b not in symmetry and b not in dry]
        where = f"the {self.geometry.mode} {self.geometry.kind}"
        problems = []
        for i, name in enumerate(self.loading.surfaces):
            if name in dry:
                problems.append((f"loading.surfaces.{i}", (
                    f"'{name}' are the walls of closed pores (geometry.pores.open: none): no "
                    "electrolyte reaches them, so no Li enters there; open the pores "
                    "(open: all, walls 'pore_surface') to load them. Loadable boundaries: "
                    + ", ".join(loadable))))
            elif name in symmetry:
                what = "the symmetry axis" if name == "axis" else "a symmetry plane"
                problems.append(
                    (
                        f"loading.surfaces.{i}",
                        f"'{name}' is {what} of {where} and cannot be loaded; loadable "
                        "boundaries: " + ", ".join(loadable),
                    )
                )
            elif name not in boundaries:
                problems.append(
                    (
                        f"loading.surfaces.{i}",
                        f"unknown boundary '{name}'; {where} has boundaries: "
                        + ", ".join(boundaries)
                        + " (loadable: "
                        + ", ".join(loadable)
                        + ")",
                    )
                )
            else:
                problems += self._check_body_stores_li(i, name, loadable)
        return problems

    def _check_body_stores_li(self, i: int, name: str, loadable) -> list[tuple[str, str]]:
        """A loaded surface must bound a body with a Li-storing material: Li that enters a
        body of inactive materials only (an inert yolk-shell shell, which touches the yolk
        nowhere) has nowhere to go, and the diffusion problem has no solution."""
        bodies = self.geometry.boundary_regions()

        def stores_li(regions) -> bool:  # a missing material is reported by _check_regions
            return any(r not in self.materials or self.materials[r].active for r in regions)

        body = bodies[name]
        if not body or stores_li(body):
            return []
        others = [b for b in loadable if stores_li(bodies[b])]
        hint = (f"load a surface of a Li-storing body instead ({', '.join(others)})" if others
                else "give a region a Li-storing material (active: true)")
        return [(f"loading.surfaces.{i}",
                 f"'{name}' bounds only {', '.join(body)}, whose material stores no Li "
                 f"(active: false) and which touches no Li-storing region: the Li has nowhere to "
                 f"go; {hint}")]

    def _check_mesh(self) -> list[tuple[str, str]]:
        radius = self._outer_radius()
        problems = []
        for name in ("size", "surface_size"):
            value = getattr(self.mesh, name)
            if value is not None and value > radius:
                problems.append(
                    (
                        f"mesh.{name}",
                        f"mesh {name} ({_fmt(value, 'm')}) must not be larger than the "
                        f"particle radius ({_fmt(radius, 'm')})",
                    )
                )
        return problems

    def _check_scales(self) -> list[tuple[str, str]]:
        """Refuse values whose derived scales leave :data:`SCALE_LIMITS`: each is finite on
        its own, but the solver would compute with inf, 0 or NaN (a JIT or PETSc traceback,
        or silently no Li at all). Computed in logarithms, so that nothing overflows here.
        Only the ends that break something are checked (a tiny swelling stress or
        stress-coupling number only switches the effect off)."""
        lo, hi = (math.log10(x) for x in SCALE_LIMITS)
        problems: list[tuple[str, str]] = []

        def check(path: str, given: str, what: str, log10: float, unit: str,
                  hint: str = "", both_ends: bool = True) -> None:
            if any(p == path for p, _ in problems):
                return  # one problem per field
            if hi >= log10 and (log10 >= lo or not both_ends):
                return
            value = (f"~1e{round(log10):+d}" if abs(log10) > 300 and math.isfinite(log10)
                     else "0" if log10 == -math.inf else f"{10.0 ** log10:.3g}")
            limits = (f"outside {SCALE_LIMITS[0]:g} ... {SCALE_LIMITS[1]:g}" if both_ends
                      else f"above {SCALE_LIMITS[1]:g}")
            derived = f" gives {what} = {value} {unit}".rstrip() + "," if what else " is"
            problems.append((path, f"{given}{derived} {limits} (SI), the range the solver can "
                             "compute with in double precision; "
                             f"{hint or 'check the value and its unit'}"))

        def lg(*factors: float) -> float:
            return sum(math.log10(abs(f)) if f else -math.inf for f in factors)

        radius = self._outer_radius()
        check(self._radius_field(), f"a particle radius of {radius:g} m", "a volume ~ R^3",
              3 * lg(radius), "m^3", "particle radii are about 10 nm ... 100 um (a bare "
              "number is in m: write '2 um')")
        if problems:
            return problems  # everything below scales with it
        cells = self._estimated_cells(radius)
        if not cells <= MESH_CELLS_LIMIT:
            estimate = (f"mesh.size {self.mesh.resolved_size(radius):.3g} m and "
                        f"mesh.surface_size {self.mesh.resolved_surface_size(radius):.3g} m "
                        f"give roughly {cells:.2g} cells for a particle of radius "
                        f"{radius:.3g} m: more than {MESH_CELLS_LIMIT:.0e}, which no machine "
                        "meshes or holds")
            large = self._large_lengths()
            if large:  # the particle is too large, not the cells too small: name the cause
                path, value = large[0]
                problems.append((path, f"{value:g} m: {estimate} ({_bare_length_hint(value)})"))
            else:
                problems.append(("mesh", f"{estimate} (a bare number is in m: write '0.2 um')"))
        for name, m in self.materials.items():
            path = f"materials.{name}"
            before = len(problems)
            check(f"{path}.density", f"{m.density:g} kg/m^3", "a particle mass ~ density·R^3",
                  lg(m.density) + 3 * lg(radius), "kg")
            e = m.youngs_modulus
            moduli = [(key, getattr(e, key)) for key in ("value", "unlithiated", "lithiated")
                      if getattr(e, key, None) is not None]
            for key, value in moduli:
                where = f"{path}.youngs_modulus" + ("" if key == "value" else f".{key}")
                check(where, f"{value:g} Pa", "", lg(value), "Pa")
            for key, log_d in self._diffusivity_extremes(m):
                where = f"{path}.diffusivity.{key}"
                given = f"{getattr(m.diffusivity, key):g}" + (" m^2/s" if key in (
                    "value", "d0", "pristine", "lithiated") else "")
                check(where, given, "" if key in ("value", "d0", "pristine", "lithiated")
                      else "a diffusivity D(θ)", log_d, "m^2/s")
                check(where, given, "a diffusion time R^2/D", 2 * lg(radius) - log_d, "s",
                      f"the particle radius is {radius:.3g} m")
            width = getattr(m.diffusivity, "width", None)
            if width is not None:
                check(f"{path}.diffusivity.width", f"{width:g}", "a slope 1/width of D(θ)",
                      -lg(width), "", both_ends=False)
            if not m.active or len(problems) > before:
                continue  # what follows scales with the values above: not blamed on others
            key = "c_max" if m.c_max is not None else "specific_capacity"
            given = (f"{m.c_max:g} mol/m^3" if key == "c_max"
                     else f"{m.specific_capacity:g} C/kg")
            check(f"{path}.{key}", given, "c_max", lg(m.c_max_si), "mol/m^3")
            check(f"{path}.{key}", given, "a Li capacity of the particle ~ c_max·R^3",
                  lg(m.c_max_si) + 3 * lg(radius), "mol")
            check(f"{path}.{key}", given, "a specific capacity", lg(m.specific_capacity_si),
                  "C/kg")
            if m.beta_v > 0 and len(problems) == before:
                key = ("volume_expansion" if m.volume_expansion is not None
                       else "partial_molar_volume")
                given = (f"{m.volume_expansion:g}" if key == "volume_expansion"
                         else f"{m.partial_molar_volume:g} m^3/mol")
                for _, value in moduli:
                    check(f"{path}.{key}", given, "a swelling stress E·β_V",
                          lg(value, m.beta_v), "Pa", both_ends=False)
                if self.coupling == "two_way" and len(problems) == before:
                    # the stress-driven flux: Ω σ / (R T) with Ω = β_V / c_max, σ ~ E β_V
                    for _, value in moduli:
                        check("temperature", f"{self.temperature:g} K",
                              "a stress-coupling number Ω·E·β_V/(R·T)",
                              lg(m.beta_v, value, m.beta_v)
                              - lg(m.c_max_si, GAS_CONSTANT, self.temperature), "",
                              both_ends=False)
        load = self.loading
        # (an inactive single material stores nothing: the loading's own check says so)
        if (isinstance(load, GalvanostaticLoading) and len(self.materials) == 1 and not problems
                and all(m.active for m in self.materials.values())):
            q = self.specific_capacity_si
            if load.specific_current is not None:
                key, given = "specific_current", f"{load.specific_current:g} A/kg"
                log_i = lg(load.specific_current)
            else:
                key, given = "c_rate", f"{load.c_rate:g} (1/h)"
                log_i = lg(load.c_rate, q) - math.log10(3600.0)
            check(f"loading.{key}", given, "" if key == "specific_current"
                  else "a specific current", log_i, "A/kg")
            check(f"loading.{key}", given, "a time to fill the particle (capacity/current)",
                  lg(q) - log_i, "s")
        return problems

    @staticmethod
    def _diffusivity_extremes(m: Material) -> list[tuple[str, float]]:
        """``(field, log10 D)`` of the largest and smallest values of a material's D(θ)
        on θ in [0, 1] (for regular_solution, up to theta_max)."""
        d = m.diffusivity
        if d is None:
            return []
        lg = math.log10
        if d.kind == "constant":
            return [("value", lg(d.value))]
        if d.kind == "two_phase":
            return [("pristine", lg(d.pristine)), ("lithiated", lg(d.lithiated))]
        if d.kind == "exponential":  # d0·exp(m θ): exp(800) alone is inf
            return [("d0", lg(d.d0)), ("exponent", lg(d.d0) + d.exponent * math.log10(math.e))]
        # regular_solution: d0·[1/(1 - θ) - 2αθ]; the bracket is 1 at θ = 0
        t = float(d.theta_max)
        bracket = abs(1.0 / (1.0 - t) - 2.0 * d.alpha * t)
        return [("d0", lg(d.d0)), ("alpha", lg(d.d0) + (lg(bracket) if bracket else -math.inf))]

    def plausibility_warnings(self) -> list[tuple[str, str]]:
        """``(dotted field, message)`` for values that are valid but far outside what a
        battery-anode particle has: most often a unit left out (a bare number is read in the
        SI unit, so '120' for a modulus is 120 Pa), and values the model cannot handle: ν near
        0.5, and a two_way coupled coating that goes unstable below the θ the run reaches.
        The run goes ahead; they are printed."""
        out: list[tuple[str, str]] = []

        def check(path, value, lo, hi, unit, hint):
            if value is not None and not lo <= float(value) <= hi:
                out.append((path, f"{float(value):.4g} {unit} is outside the usual range "
                            f"{lo:g} ... {hi:g} {unit}; {hint}"))

        radius = self._outer_radius()
        large = self._large_lengths()
        for path, value in large:  # each length that makes the particle large, by its name
            out.append((path, f"{value:.4g} m is larger than an anode particle (radii are "
                        f"about 10 nm ... 100 um); {_bare_length_hint(value)}"))
        if not large:  # a layered particle's outer radius adds up several lengths: name
            # the largest of them for a large one
            field = self._radius_field()
            if field == "geometry" and radius > PARTICLE_LENGTH_MAX:
                path, value = max(_lengths(self.geometry, "geometry"), key=lambda pv: pv[1])
                out.append((path, f"{value:.4g} m gives a particle radius of {radius:.4g} m, "
                            "above the usual 10 nm ... 100 um; check the value and its unit "
                            "(a bare number is in m: write '2 um')"))
            else:
                check(field, radius, 1e-9, PARTICLE_LENGTH_MAX, "m", "particle radii are "
                      "about 10 nm ... 100 um (a bare number is in m: write '2 um')")
        for name, m in self.materials.items():
            path = f"materials.{name}"
            e = m.youngs_modulus
            for key in ("value", "unlithiated", "lithiated"):
                check(f"{path}.youngs_modulus" + ("" if key == "value" else f".{key}"),
                      getattr(e, key, None), 1e8, 2e12, "Pa", "a bare number is in Pa: write "
                      "'120 GPa'")
            nu = m.poissons_ratio
            for key in ("value", "unlithiated", "lithiated"):
                value = getattr(nu, key, None)
                if value is not None and float(value) > NU_LOCKING:
                    field = f"{path}.poissons_ratio" + ("" if key == "value" else f".{key}")
                    out.append((field, (
                        f"{float(value):g} is close to 0.5: the displacement formulation "
                        "then locks volumetrically and its pressure, the hydrostatic stress "
                        "(and the two_way flux it drives), degrades as 1/(1 - 2ν) while von "
                        "Mises stays right (against the closed form of a prescribed "
                        "θ = 0.5 r²/R², axisymmetric: mean radial and hoop stresses 1-2 % "
                        "off at 0.45, 6-12 % at 0.49, the mean hoop stress of the wrong sign "
                        f"at 0.499); use ν <= {NU_LOCKING:g} or do not trust the hydrostatic, "
                        "radial and hoop stresses")))
            check(f"{path}.volume_expansion", m.volume_expansion, 0.0, 5.0, "(fraction)",
                  "it is a fraction: 2.8 means 280 %")
            check(f"{path}.density", m.density, 500.0, 2e4, "kg/m^3", "a bare number is in "
                  "kg/m^3: write '2.33 g/cm^3'")
            if m.active:
                check(f"{path}.specific_capacity", m.specific_capacity, 3.6e4, 2e7, "C/kg",
                      "a bare number is in C/kg: write '3579 mA*h/g'")
        load = self.loading
        if getattr(load, "specific_current", None) is not None:
            check("loading.specific_current", load.specific_current, 1.0, 1e5, "A/kg",
                  "a bare number is in A/kg: write '0.1 A/g'")
        if isinstance(load, PrescribedLoading):
            given = [k for k in ("mean_theta", "capacity", "time", "surface_theta")
                     if getattr(self.stop, k) is not None]
            if given:
                out.append(("stop", f"{', '.join('stop.' + k for k in given)}: not used, "
                            "loading.kind prescribed solves the elasticity once for the given "
                            "θ field (no time loop)"))
        check("temperature", self.temperature, 200.0, 500.0, "K",
              "a bare number is in K: write '25 degC' or 298.15")
        check("stop.capacity", self.stop.capacity, 3.6e3, 2e7, "C/kg",
              "a bare number is in C/kg: write '1 A*h/g' (a fraction of the capacity is "
              "stop.mean_theta)")
        check("solver.newton_atol", self.solver.newton_atol, 0.0, 1e-3, "(dimensionless)",
              "the Newton residual is scaled by the particle's Li capacity: at 1e-3 Newton "
              "accepts steps a good part of a per-mille of θ off, and at 1 or more it accepts "
              "θ unchanged, so no Li enters at all")
        cells = self._estimated_cells(radius)
        limit = MESH_CELLS_WARNING[self.geometry.mode]
        if cells > limit:
            text = (f"mesh.size {self.mesh.resolved_size(radius):.3g} m and mesh.surface_size "
                    f"{self.mesh.resolved_surface_size(radius):.3g} m give roughly {cells:.2g} "
                    f"cells for a particle of radius {radius:.3g} m (more than {limit:.0g} in "
                    f"{self.geometry.mode} mode): meshing and each step may take hours")
            geo = next((i for i, (path, _) in enumerate(out) if path.startswith("geometry")),
                       None)
            if geo is None:
                out.append(("mesh", text))
            else:  # the cause is the geometry's warning: one warning, with the consequence
                out[geo] = (out[geo][0], f"{out[geo][1]}; with it, {text}")
        out += self._two_way_interface_warnings()
        return out

    def _theta_reach(self) -> tuple[float, str]:
        """The largest θ the loading can bring the particle to, and what bounds it.

        It is the θ at the loaded surface, which leads the rest during lithiation (and so
        bounds a coating's θ): the surface cut-off (stop.surface_theta) or the potentiostatic
        surface θ, else full lithiation, 1; in delithiation the initial θ. A stop at a mean
        θ, a capacity or a time bounds the mean, not the surface, and is not used."""
        load = self.loading
        start = float(load.initial_theta)
        if isinstance(load, PotentiostaticLoading):
            return max(start, float(load.surface_theta)), "loading.surface_theta"
        if load.direction == "delithiation":
            return start, "loading.initial_theta, delithiation"
        if self.stop.surface_theta is not None:
            return max(start, float(self.stop.surface_theta)), "the stop.surface_theta cut-off"
        return 1.0, "full lithiation: no stop.surface_theta cut-off bounds the surface θ"

    @staticmethod
    def _largest_biaxial_modulus(m: Material) -> tuple[float, float]:
        """``(E, ν)`` of a material where E/(1 - ν), the stiffness of a thin layer strained in
        its plane, is largest on θ in [0, 1] (for linear laws at θ = 0 or 1): the smallest
        θ_crit of :meth:`_two_way_interface_warnings`, so the warning errs towards firing."""
        ends = zip(m.youngs_modulus.ends(), m.poissons_ratio.ends())  # (E, ν) at θ = 0, 1
        return max(ends, key=lambda e: e[0] / (1.0 - e[1]))

    def _two_way_interface_warnings(self) -> list[tuple[str, str]]:
        """Two-way coupling: a warning for each bonded pair of regions (coating on core, layer
        on layer, inclusion in matrix) whose less swelling side c takes Li (Ω_c > 0) and whose
        estimated θ_crit = 9(1 - ν_c) R T / (2 E_c Ω_c (β_V,i - β_V,c)), Ω_c = β_V,c / c_max,c,
        lies below the θ the run can reach (:meth:`_theta_reach`). Above θ_crit the effective
        diffusivity D(1 - θ Ω_c ∂σ_h/∂θ / (R T)) of a thin layer c strained in its plane by
        the other side i is negative: Li gathers where it is, and θ runs away along the
        interface (README, two-way coupling; measured on a Si core with a 50 nm coating)."""
        if self.coupling != "two_way" or not isinstance(self.loading, _TRANSIENT):
            return []
        reach, bound = self._theta_reach()
        out: list[tuple[str, str]] = []
        for a, b in self.geometry.interface_pairs():
            if self.materials[a].beta_v > self.materials[b].beta_v:
                a, b = b, a
            c, i = self.materials[a], self.materials[b]  # c swells less per θ than i
            if not c.active or c.beta_v <= 0.0 or c.beta_v >= i.beta_v:
                continue
            omega = c.beta_v / c.c_max_si  # partial molar volume Ω_c, m^3/mol
            e, nu = self._largest_biaxial_modulus(c)
            crit = (9.0 * (1.0 - nu) * GAS_CONSTANT * self.temperature
                    / (2.0 * e * omega * (i.beta_v - c.beta_v)))
            if crit >= reach:
                continue
            out.append((f"materials.{a}", (
                f"two_way coupling of {a} bonded to {b} is unstable above θ_crit ≈ {crit:.3g} "
                f"= 9(1 - ν_c) R T / (2 E_c Ω_c (β_V,{b} - β_V,{a})), with E_c = {e:.3g} Pa, "
                f"ν_c = {nu:g} (the stiffest E/(1 - ν) on θ in [0, 1]), Ω_c = β_V,{a} / "
                f"c_max,{a} = {omega:.3g} m^3/mol, β_V {c.beta_v:g} against {i.beta_v:g}, "
                f"T = {self.temperature:g} K (the estimate for a thin layer of {a} on {b}; it "
                f"errs towards instability); the run can reach θ = {reach:g} ({bound}). Above "
                f"θ_crit, more Li at a spot of {a} lithiates {b} next to it, which swells more "
                f"and stretches {a} there, and the tension draws in more Li than diffusion "
                f"spreads out: θ runs away along the interface and the results are not physical "
                f"(measured: θ 4.1 at the poles of a 50 nm coating on Si, θ_crit ≈ 0.014). Run "
                f"coupling: one_way, give {a} a smaller Ω_c (volume_expansion over c_max) or "
                f"volume_expansion 0, or stop below "
                "θ_crit (stop.surface_theta)")))
        return out

    def _estimated_cells(self, radius: float) -> float:
        """Rough cell count of a ball of ``radius``: the bulk at mesh.size plus a surface
        layer two surface cells thick (triangles ≈ 2 area/h², tetrahedra ≈ 6 volume/h³)."""
        # in units of the radius: radius**3 or h**3 alone overflow or underflow for an
        # extreme radius or size (OverflowError, ZeroDivisionError), their ratios less so
        h = self.mesh.resolved_size(radius) / radius
        hs = min(self.mesh.resolved_surface_size(radius) / radius, h)
        layer = min(2.0 * hs, 1.0)
        try:
            if self.geometry.mode in ("axisymmetric", "plane_strain"):
                fraction = 0.5 if self.geometry.mode == "axisymmetric" else 1.0
                area = fraction * math.pi
                rim = fraction * 2.0 * math.pi * layer
                return 2.0 * ((area - rim) / h**2 + rim / hs**2)
            fraction = 0.125 if self.geometry.mode == "octant" else 1.0
            volume = fraction * 4.0 / 3.0 * math.pi
            shell = fraction * 4.0 * math.pi * layer
            return 6.0 * ((volume - shell) / h**3 + shell / hs**3)
        except (OverflowError, ZeroDivisionError):  # a size of 1e-300 m: beyond counting
            return math.inf

    def _large_lengths(self) -> list[tuple[str, float]]:
        """``(dotted field, value)`` of the geometry's lengths above PARTICLE_LENGTH_MAX."""
        return [(path, value) for path, value in _lengths(self.geometry, "geometry")
                if value > PARTICLE_LENGTH_MAX]

    def _radius_field(self) -> str:
        """The field to name for a bad :meth:`_outer_radius`: ``geometry.radius`` for the
        kinds that have one (sphere, porous, inclusions), else ``geometry`` (a layered
        particle's outer radius adds up several fields)."""
        return "geometry.radius" if "radius" in type(self.geometry).model_fields else "geometry"

    def _outer_radius(self) -> float:
        """Outer radius of the particle incl. coatings (m): the bound for probes and sizes."""
        g = self.geometry
        if isinstance(g, LAYERED_GEOMETRIES):  # `radius`: the spec's, coatings included
            return float(g.radius)  # (hollow's `outer_radius` field is the core's)
        outer = getattr(g, "outer_radius", None)
        return float(outer if outer is not None else g.radius)

    def _check_measures(self) -> list[tuple[str, str]]:
        regions = self.geometry.region_names()
        symmetry = self.geometry.symmetry_names()
        faces = [b for b in self.geometry.boundary_names() if b not in symmetry]
        faces += list(self.geometry.interface_names())
        problems = []
        for i, m in enumerate(self.output.measures):
            for j, r in enumerate(m.regions or []):
                if r not in regions:
                    problems.append((f"output.measures.{i}.regions.{j}", f"unknown region '{r}'; "
                                     f"the {self.geometry.kind} geometry has regions: "
                                     + ", ".join(regions)))
            if m.on is not None and m.on not in faces:
                problems.append((f"output.measures.{i}.on", f"unknown surface or interface "
                                 f"'{m.on}'; the {self.geometry.mode} {self.geometry.kind} has: "
                                 + ", ".join(faces)))
        return problems

    def _check_probes(self) -> list[tuple[str, str]]:
        mode = self.geometry.mode
        radius = self._outer_radius()
        dim = 2 if mode in ("axisymmetric", "plane_strain") else 3
        tol = radius * 1e-9
        problems = []
        for i, probe in enumerate(self.output.probes):
            path = f"output.probes.{i}.point"
            p = probe.point
            if mode == "axisymmetric" and len(p) == 3:
                p = [math.hypot(p[0], p[1]), p[2]]
            if mode == "plane_strain" and len(p) == 3:
                if abs(p[2]) > tol:
                    problems.append((path, f"point {p} [m] is off the plane-strain section z = 0"))
                    continue
                p = [p[0], p[1]]
            if len(p) != dim:
                coords = "(x, y, z)" if dim == 3 else (
                    "(r, z) or (x, y, z)" if mode == "axisymmetric" else "(x, y) or (x, y, 0)")
                problems.append(
                    (path, f"expected {dim} coordinates {coords} for the {mode} mode, got {len(p)}")
                )
                continue
            if math.sqrt(sum(x * x for x in p)) > radius + tol:
                problems.append(
                    (path, f"point {p} [m] is outside the particle (radius {_fmt(radius, 'm')})")
                )
            elif mode == "octant" and min(p) < -tol:
                problems.append(
                    (path, f"point {p} [m] is outside the octant (all coordinates must be >= 0)")
                )
            elif mode == "axisymmetric" and p[0] < -tol:
                problems.append((path, f"point {p} [m] has r < 0 (axisymmetric: (r, z), r >= 0)"))
            elif (space := self.geometry.empty_space_at(p)) is not None:
                problems.append((path, f"point {p} [m] lies in {space}, which is not meshed: "
                                 "no field there"))
        return problems

    def _check_profile(self) -> list[tuple[str, str]]:
        if not isinstance(self.loading, PrescribedLoading):
            return []
        profile = self.loading.profile
        if isinstance(profile, RadialProfile):
            last = profile.table[-1][0]
            radius = self._outer_radius()
            if last < radius * (1 - 1e-9):
                return [
                    (
                        "loading.profile.table",
                        f"the last radius ({_fmt(last, 'm')}) must reach the particle radius "
                        f"({_fmt(radius, 'm')})",
                    )
                ]
        return []

    def _check_output_mean_theta(self) -> list[tuple[str, str]]:
        values = self.time.output_mean_theta
        if not values:
            return []
        field = "time.output_mean_theta"
        if not isinstance(self.loading, GalvanostaticLoading):
            return [(field, f"needs galvanostatic loading (the mean θ then grows at a constant "
                     f"rate); with {self.loading.kind} loading use time.output_times")]
        if self.stop.hold_at_cutoff:
            return [(field, "not with stop.hold_at_cutoff: the CV hold ends the constant rate, "
                     "so the times of these values are not known in advance; use "
                     "time.output_times")]
        theta0 = self.loading.initial_theta
        lithiating = self.loading.direction == "lithiation"
        return [(f"{field}.{i}", f"{v:g} is not reached: the mean θ starts at {theta0:g} and "
                 f"{'rises' if lithiating else 'falls'}")
                for i, v in enumerate(values) if (v <= theta0 if lithiating else v >= theta0)]

    def _check_stop(self) -> list[tuple[str, str]]:
        loading = self.loading
        stop = self.stop
        if not isinstance(loading, _TRANSIENT):
            return []
        problems: list[tuple[str, str]] = []
        theta0 = loading.initial_theta
        # capacity checks need the (single, for now) active material
        q = self.specific_capacity_si if len(self.materials) == 1 else math.inf
        cap_unit = "C/kg"

        def held_capacity(held: float, name: str) -> list[tuple[str, str]]:
            # a surface held at θ `held` (potentiostatic, CV hold): the charge only
            # approaches what lies between the initial θ and it
            reachable = q * abs(held - theta0)
            if stop.capacity is None or stop.capacity < reachable:
                return []
            return [("stop.capacity", f"unreachable: {_fmt(stop.capacity, cap_unit)} is not "
                     f"less than the {_fmt(reachable, cap_unit)} available between "
                     f"initial_theta ({theta0:g}) and {name} ({held:g})")]

        if isinstance(loading, PotentiostaticLoading):
            if stop.surface_theta is not None:
                problems.append(
                    (
                        "stop.surface_theta",
                        "a surface θ cut-off has no meaning for potentiostatic loading (the "
                        "surface is held at loading.surface_theta); use stop.mean_theta, "
                        "stop.capacity or stop.time",
                    )
                )
            if stop.mean_theta is None and stop.capacity is None and stop.time is None:
                problems.append(
                    ("stop", "no stop criterion: set stop.mean_theta, stop.capacity or stop.time")
                )
            target = loading.surface_theta
            lo, hi = sorted((theta0, target))
            if stop.mean_theta is not None and not lo < stop.mean_theta < hi:
                problems.append(
                    (
                        "stop.mean_theta",
                        f"unreachable: with potentiostatic loading the mean θ moves from "
                        f"initial_theta ({theta0:g}) towards surface_theta ({target:g}); "
                        f"{stop.mean_theta:g} must lie strictly between them",
                    )
                )
            problems += held_capacity(target, "surface_theta")
            return problems

        # galvanostatic
        lithiation = loading.direction == "lithiation"
        cutoff = stop.surface_theta
        if stop.mean_theta is None and stop.capacity is None and stop.time is None:
            if cutoff is None or stop.hold_at_cutoff:
                problems.append(
                    (
                        "stop",
                        "no stop criterion: set stop.mean_theta, stop.capacity or stop.time "
                        "(or stop.surface_theta without hold_at_cutoff)",
                    )
                )
        if stop.mean_theta is not None:
            if lithiation and stop.mean_theta <= theta0:
                problems.append(
                    (
                        "stop.mean_theta",
                        f"unreachable: lithiation starts at initial_theta ({theta0:g}), so the "
                        f"mean θ target ({stop.mean_theta:g}) must be larger",
                    )
                )
            elif not lithiation and stop.mean_theta >= theta0:
                problems.append(
                    (
                        "stop.mean_theta",
                        f"unreachable: delithiation starts at initial_theta ({theta0:g}), so "
                        f"the mean θ target ({stop.mean_theta:g}) must be smaller",
                    )
                )
            elif cutoff is not None and (
                (lithiation and stop.mean_theta >= cutoff)
                or (not lithiation and stop.mean_theta <= cutoff)
            ):
                if stop.hold_at_cutoff:
                    # as with potentiostatic loading: the held surface θ bounds the mean θ
                    reason = (f"the CV hold keeps the surface at stop.surface_theta "
                              f"({cutoff:g}) and the mean θ only approaches that value; "
                              f"{stop.mean_theta:g} must lie strictly between initial_theta "
                              f"({theta0:g}) and it")
                else:
                    reason = (f"the run stops when the surface θ reaches stop.surface_theta "
                              f"({cutoff:g}), before the mean θ can reach "
                              f"{stop.mean_theta:g}; lower the target or set "
                              "stop.hold_at_cutoff: true (CC-CV)")
                problems.append(("stop.mean_theta", f"unreachable: {reason}"))
        if cutoff is not None and stop.hold_at_cutoff:
            problems += held_capacity(cutoff, "the held stop.surface_theta")
        elif stop.capacity is not None:
            available = q * (1.0 - theta0) if lithiation else q * theta0
            if stop.capacity > available * (1 + 1e-12):
                problems.append(
                    (
                        "stop.capacity",
                        f"unreachable: {_fmt(stop.capacity, cap_unit)} is more than the "
                        f"{_fmt(available, cap_unit)} the material can "
                        f"{'take' if lithiation else 'give'} from initial_theta ({theta0:g}) "
                        f"(specific capacity {_fmt(q, cap_unit)})",
                    )
                )
        if (stop.time is not None and stop.mean_theta is None and stop.capacity is None
                and cutoff is None and math.isfinite(q)):
            # only the time ends the run: the current must not ask for more Li than the
            # material can take (or give): θ would be pushed past 1 (or below 0)
            available = q * (1.0 - theta0) if lithiation else q * theta0
            charge = loading.specific_current_si(q) * stop.time
            if charge > available * (1 + 1e-9):
                problems.append(
                    (
                        "stop.time",
                        f"unreachable: {_fmt(stop.time, 's')} at this current passes "
                        f"{_fmt(charge, cap_unit)}, more than the {_fmt(available, cap_unit)} "
                        f"the material can {'take' if lithiation else 'give'} from "
                        f"initial_theta ({theta0:g}) (specific capacity {_fmt(q, cap_unit)}); "
                        "end the run with stop.mean_theta, stop.capacity or "
                        "stop.surface_theta",
                    )
                )
        if cutoff is not None:
            if lithiation and cutoff <= theta0:
                problems.append(
                    (
                        "stop.surface_theta",
                        f"the lithiation cut-off ({cutoff:g}) must be above initial_theta "
                        f"({theta0:g})",
                    )
                )
            elif not lithiation and cutoff >= theta0:
                problems.append(
                    (
                        "stop.surface_theta",
                        f"the delithiation cut-off ({cutoff:g}) must be below initial_theta "
                        f"({theta0:g})",
                    )
                )
        return problems

    # ---- resolved form ----------------------------------------------------------------------

    def resolved(self) -> dict[str, Any]:
        """Return the case as a plain dict in SI with defaults filled in.

        ``mesh.size``/``mesh.surface_size`` and ``output.name`` are resolved; laws given as
        bare values appear in their ``kind: constant`` form. ``mesh.cache_dir`` stays as given
        (null: the default of the machine and user that runs it, so the file runs elsewhere
        too). The dict
        holds only plain Python types (``float``, ``int``, ``str``, ``bool``, ``list``,
        ``dict``, ``None``), is YAML-dumpable and validates back into an equal case (up to
        the resolved defaults).

        Returns:
            The resolved case, suitable for ``case.resolved.yaml``.
        """
        data = self.model_dump(mode="json")
        radius = self._outer_radius()
        data["mesh"]["size"] = self.mesh.resolved_size(radius)
        data["mesh"]["surface_size"] = self.mesh.resolved_surface_size(radius)
        data["output"]["name"] = self.name
        return data


# --------------------------------------------------------------------------------------------
# Introspection helpers (template, Markdown reference, error messages)


def split_annotation(annotation: Any) -> tuple[Any, list[Any], bool]:
    """Strip ``Annotated`` and ``Optional`` layers from a type.

    Args:
        annotation: A type annotation.

    Returns:
        ``(base type, collected metadata, optional)``.
    """
    metadata: list[Any] = []
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            args = typing.get_args(annotation)
            annotation = args[0]
            metadata.extend(args[1:])
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) < len(typing.get_args(annotation)):
                optional = True
                annotation = args[0] if len(args) == 1 else Union[tuple(args)]  # noqa: UP007
                continue
        return annotation, metadata, optional


def kind_of(model: type[BaseModel]) -> str | None:
    """Return the ``kind`` literal of a variant model, or ``None``."""
    field = model.model_fields.get("kind")
    if field is None:
        return None
    args = typing.get_args(field.annotation)
    return args[0] if args else None


def discriminated_variants(annotation: Any) -> dict[str, type[BaseModel]] | None:
    """Return ``{kind: model}`` if ``annotation`` is a union of models tagged by ``kind``.

    A single model with a ``kind`` literal counts as a one-variant union.
    """
    base, _, _ = split_annotation(annotation)
    members = typing.get_args(base) if typing.get_origin(base) is Union else (base,)
    if not all(isinstance(m, type) and issubclass(m, BaseModel) for m in members):
        return None
    kinds = {kind_of(m): m for m in members}
    if None in kinds:
        return None
    return kinds


def _lengths(model: BaseModel, prefix: str):
    """Yield ``(dotted field, value in m)`` of every length in a (nested) case model."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}.{name}"
        is_length = unit_of(info.annotation, info.metadata) == "m"
        items = (list(enumerate(value)) if isinstance(value, (list, tuple))
                 else [(None, value)])
        for i, item in items:
            where = path if i is None else f"{path}.{i}"
            if isinstance(item, BaseModel):
                yield from _lengths(item, where)
            elif is_length and isinstance(item, (int, float)):
                yield where, float(item)
            elif is_length and isinstance(item, (list, tuple)):  # a point of coordinates
                for j, x in enumerate(item):
                    if isinstance(x, (int, float)):
                        yield f"{where}.{j}", float(x)


def _bare_length_hint(value: float) -> str:
    """What a length far too large probably meant: a bare number (read in m) is the usual
    slip, and a whole number of metres is most likely one meant in um or nm."""
    if value >= 1:
        return f"a bare number is in m: write '{value:g} um' or '{value:g} nm'"
    return "check the value and its unit (a bare number is in m: write '2 um')"

