"""Porous particles and particles with second-phase inclusions (see ``meshes/CONTRACT.md``).

Two geometry kinds, both a Si body (region ``core``) of radius ``body_radius`` centred at the
origin, optionally wrapped in concentric outer coatings ``coating_1`` (innermost), ...:

* ``porous`` (:class:`PorousSpec`): spherical pores (voids), optionally each lined by a
  ``pore_coating`` layer; their walls are ``pore_surface`` (open pores, wetted by the
  electrolyte) or ``closed_pore_surface``.
* ``inclusions`` (:class:`InclusionsSpec`): second-phase inclusions (spheres or bars) given per
  phase, each phase its own region ``inclusion_<phase>``.

Placements (frozen dataclasses, lengths in m) resolve deterministically to a list of objects:
explicit centres, ordered shells / rings, seeded random (``numpy.random.default_rng(seed)``:
the same seed gives the same layout everywhere) with a minimum ligament, or a target porosity /
volume fraction (turned into a count, then placed like ``random``).

Modes:

* ``3d``: the full particle.
* ``octant``: x, y, z >= 0 with ``symmetry_x|y|z``. Random placements (``random``,
  ``porosity``, ``volume_fraction``) place ``count / 8`` objects in the open octant, at least
  half a ligament away from the coordinate planes, and mirror them into all eight octants, so
  the count must be a multiple of 8 (a porosity / volume fraction is rounded to one, and
  refused when that misses it by more than 25 %). Explicit
  and shell placements are *not* mirrored: they must already be symmetric under the three
  reflections (an object centred on a plane is its own image and is cut by it), otherwise a
  GeometryError names the first object whose image is missing.
* ``axisymmetric``: the (r, z) half plane (x = r, y = z). Only objects on the z axis
  (spheres centred at x = y = 0, bars along z) fit; random placements are rejected.
* ``plane_strain``: the cross-section z = 0 of the 3D particle: a sphere of radius a at height
  z becomes a disc of radius sqrt(a² - z²) if |z| < a; sections thinner than a tenth of the
  sphere radius (|z| > 0.995 a, nearly tangent) are dropped. Bars are sectioned exactly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from numbers import Integral, Real
from typing import Any, ClassVar, Literal

import numpy as np

from meshes import tags
from meshes.specs import ModeGeometry
from meshes._placement import (
    Capsule,
    check_layout,
    check_mirror_symmetric,
    fibonacci_sphere,
    random_capsules,
    ring,
)
from meshes.errors import GeometryError

PorousMode = Literal["3d", "octant", "axisymmetric", "plane_strain"]
MODES_ALL: tuple[str, ...] = ("3d", "octant", "axisymmetric", "plane_strain")

#: A section of a sphere of radius a is kept when |z| < SECTION_KEEP * a (plane strain).
SECTION_KEEP = 0.995
#: Relative floor of every clear gap (of the body radius): tangent objects cannot be meshed.
MIN_GAP_FLOOR = 1e-3

_PHASE = re.compile(r"^[a-z][a-z0-9_]*$")


# --- checks ------------------------------------------------------------------------------------


def _length(field: str, value: Any, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise GeometryError(field, f"must be a length in m, got {value!r}")
    x = float(value)
    if not math.isfinite(x) or x < 0.0 or (x == 0.0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise GeometryError(field, f"must be a finite length {bound} m, got {x!r}")
    return x


def _count(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise GeometryError(field, f"must be an integer >= 1, got {value!r}")
    return int(value)


def _seed(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise GeometryError(field, f"must be an integer >= 0, got {value!r}")
    return int(value)


def _fraction(field: str, value: Any, upper: float) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise GeometryError(field, f"must be a number, got {value!r}")
    x = float(value)
    if not (0.0 < x < upper):
        raise GeometryError(field, f"must be in (0, {upper:g}), got {x!r}")
    return x


def _point(field: str, value: Any) -> np.ndarray:
    try:
        p = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise GeometryError(field, f"must be a point (x, y, z) in m, got {value!r}") from None
    if p.shape != (3,) or not np.all(np.isfinite(p)):
        raise GeometryError(field, f"must be a point (x, y, z) in m, got {value!r}")
    return p


def _check_mode(mode: Any, supported: tuple[str, ...]) -> None:
    if mode not in supported:
        raise GeometryError("geometry.mode", f"unknown mode {mode!r}; expected one of {supported}")


def _check_coatings(coatings: Any) -> tuple[float, ...]:
    if not isinstance(coatings, tuple | list):
        raise GeometryError("geometry.coatings", f"must be a list of thicknesses, got {coatings!r}")
    return tuple(_length(f"geometry.coatings.{i}", t) for i, t in enumerate(coatings))


# --- pore placements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExplicitPlacement:
    """Pores at listed centres.

    Attributes:
        centers: Pore centres (x, y, z) in m.
        radii: Radius of each pore in m; empty means ``pore_radius`` for all.
        min_ligament: Required clear distance (m) between (coated) pores and to the body surface.
    """

    centers: tuple[tuple[float, float, float], ...]
    radii: tuple[float, ...] = ()
    min_ligament: float = 0.0


@dataclass(frozen=True)
class Shell:
    """Pores on a sphere (``layout="sphere"``, golden-angle spiral) or a ring.

    Attributes:
        radius: Distance of the pore centres from the origin (sphere) or the z axis (ring), m
            (0 with ``count=1``: one pore at the centre / on the axis).
        count: Number of pores on this shell.
        layout: ``"sphere"`` or ``"ring"`` (evenly spaced on a circle in the plane z = ``z``).
        z: Height of a ring in m.
    """

    radius: float
    count: int
    layout: Literal["sphere", "ring"] = "sphere"
    z: float = 0.0


@dataclass(frozen=True)
class ShellsPlacement:
    """Pores on ordered shells / rings (see :class:`Shell`)."""

    shells: tuple[Shell, ...]
    min_ligament: float = 0.0


@dataclass(frozen=True)
class RandomPlacement:
    """``count`` pores at seeded random positions, non-overlapping.

    Attributes:
        count: Number of pores in the whole particle (a multiple of 8 in octant mode).
        seed: Seed of ``numpy.random.default_rng``.
        min_ligament: Clear distance (m) kept between (coated) pores and to the body surface.
        radius_spread: Radii uniform in ``pore_radius * [1 - s, 1 + s]`` (0: all equal).
    """

    count: int
    seed: int = 0
    min_ligament: float = 0.0
    radius_spread: float = 0.0


@dataclass(frozen=True)
class PorosityPlacement:
    """Random pores up to a target porosity (pore volume / body volume, before coatings).

    Equal pores: the count nearest to ``porosity * body_radius³ / r³`` (a multiple of 8 in
    octant mode, at least one / eight); with a radius spread, radii are drawn one after
    another until their volume is nearest to the target. Either way a result more than
    ``FRACTION_TOLERANCE`` (25 %) off the target is an error (the placed
    value is in the run log and summary.json). Then placed like
    :class:`RandomPlacement`.
    """

    porosity: float
    seed: int = 0
    min_ligament: float = 0.0
    radius_spread: float = 0.0


PorePlacement = ExplicitPlacement | ShellsPlacement | RandomPlacement | PorosityPlacement
_RANDOM = (RandomPlacement, PorosityPlacement)


@dataclass(frozen=True)
class PorousSpec(ModeGeometry):
    """A porous Si particle, optionally with pore-wall and outer coatings.

    Attributes:
        body_radius: Radius of the Si body (m), pores included, coatings excluded.
        pore_radius: Nominal pore radius (m).
        placement: Where the pores are (:data:`PorePlacement`).
        pore_coating: Thickness (m) of a ``pore_coating`` layer lining every pore (outside the
            pore radius, inside the Si body), or ``None``.
        coatings: Outer coating thicknesses (m), innermost first (``coating_1``, ...).
        open_pores: ``"all"``: pore walls are ``pore_surface`` (wetted); ``"none"``:
            ``closed_pore_surface``.
        mode: ``3d``, ``octant``, ``axisymmetric`` or ``plane_strain`` (module docstring).
    """

    body_radius: float
    pore_radius: float
    placement: PorePlacement
    pore_coating: float | None = None
    coatings: tuple[float, ...] = ()
    open_pores: Literal["all", "none"] = "all"
    mode: PorousMode = "3d"
    kind: ClassVar[str] = "porous"
    MODES_SUPPORTED: ClassVar[tuple[str, ...]] = MODES_ALL

    # -- contract ------------------------------------------------------------------------------

    @property
    def radius(self) -> float:
        """Outer radius (m): body plus coatings."""
        return float(self.body_radius) + float(sum(self.coatings))

    @property
    def outer_radius(self) -> float:
        """Same as :attr:`radius`."""
        return self.radius



    @property
    def pore_surface_name(self) -> str:
        return tags.PORE_SURFACE if self.open_pores == "all" else tags.CLOSED_PORE_SURFACE

    def pores(self) -> tuple[Capsule, ...]:
        """The resolved pores of the whole particle (spheres, ``a == b``), in m."""
        return _resolve_pores(self)

    def placed_fractions(self) -> dict[str, tuple[float, float]]:
        """``{case field: (target, placed)}`` of a porosity target (pore volume / body
        volume, before coatings); empty for other placements."""
        if not isinstance(self.placement, PorosityPlacement):
            return {}
        placed = sum(p.r**3 for p in self.pores()) / float(self.body_radius) ** 3
        return {"geometry.pores.placement.porosity": (float(self.placement.porosity), placed)}

    def _present(self) -> tuple[bool, bool]:
        """(any pore void in the mesh, any pore coating in the mesh)."""
        pores = self.pores()
        t = float(self.pore_coating or 0.0)
        if self.mode != "plane_strain":
            return bool(pores), bool(pores) and t > 0
        void = any(abs(p.a[2]) < SECTION_KEEP * p.r for p in pores)
        coat = t > 0 and any(abs(p.a[2]) < SECTION_KEEP * (p.r + t) for p in pores)
        return void, coat

    def region_names(self) -> tuple[str, ...]:
        _, coat = self._present()
        names = [tags.CORE] + ([tags.PORE_COATING] if coat else [])
        return tuple(names + [tags.coating(i + 1) for i in range(len(self.coatings))])

    def boundary_names(self) -> tuple[str, ...]:
        void, _ = self._present()
        return (tags.OUTER_SURFACE,) + ((self.pore_surface_name,) if void else ()) + _sym(
            self.mode
        )

    def interface_names(self) -> tuple[str, ...]:
        regions = self.region_names()
        out = []
        if tags.PORE_COATING in regions:
            out.append(tags.interface(tags.CORE, tags.PORE_COATING))
        return tuple(out) + _coating_interfaces(len(self.coatings))


    def validate(self) -> None:
        """Check every parameter and that the pores can be placed; see the module docstring.

        Raises:
            GeometryError: naming the dotted case field (``geometry.pores.placement.count``...).
        """
        _check_mode(self.mode, self.MODES_SUPPORTED)
        rb = _length("geometry.radius", self.body_radius)
        _check_coatings(self.coatings)
        r = _length("geometry.pores.radius", self.pore_radius)
        if self.pore_coating is not None:
            t = _length("geometry.pores.coating", self.pore_coating)
            if r + t >= rb:
                raise GeometryError(
                    "geometry.pores.coating",
                    f"a pore of radius {r:.4g} m with a {t:.4g} m coating does not fit in the "
                    f"body of radius {rb:.4g} m",
                )
        if r >= rb:
            raise GeometryError(
                "geometry.pores.radius",
                f"pore radius {r:.4g} m must be smaller than the body radius {rb:.4g} m",
            )
        if self.open_pores not in ("all", "none"):
            raise GeometryError(
                "geometry.pores.open", f"must be 'all' or 'none', got {self.open_pores!r}"
            )
        p = self.placement
        base = "geometry.pores.placement"
        if not isinstance(p, PorePlacement):
            raise GeometryError(base, f"unknown placement {p!r}")
        _length(f"{base}.min_ligament", p.min_ligament, allow_zero=True)
        if isinstance(p, _RANDOM):
            _seed(f"{base}.seed", p.seed)
            if not (0.0 <= float(p.radius_spread) < 1.0):
                raise GeometryError(
                    f"{base}.radius_spread", f"must be in [0, 1), got {p.radius_spread!r}"
                )
            if self.mode == "axisymmetric":
                raise GeometryError(
                    "geometry.mode",
                    "random pores cannot be axisymmetric (every pore must be centred on the "
                    "z axis); use an explicit placement with centres (0, 0, z), or 3d/octant",
                )
        if isinstance(p, RandomPlacement):
            n = _count(f"{base}.count", p.count)
            if self.mode == "octant" and n % 8:
                raise GeometryError(
                    f"{base}.count",
                    f"octant mode mirrors random pores into the 8 octants: the count must be a "
                    f"multiple of 8, got {n}",
                )
        elif isinstance(p, PorosityPlacement):
            _fraction(f"{base}.porosity", p.porosity, 0.6)
        elif isinstance(p, ExplicitPlacement):
            if len(p.centers) == 0:
                raise GeometryError(f"{base}.centers", "must list at least one pore centre")
            for i, c in enumerate(p.centers):
                _point(f"{base}.centers.{i}", c)
            if p.radii and len(p.radii) != len(p.centers):
                raise GeometryError(
                    f"{base}.radii",
                    f"must give one radius per centre ({len(p.centers)}), got {len(p.radii)}",
                )
            for i, ri in enumerate(p.radii):
                _length(f"{base}.radii.{i}", ri)
        elif isinstance(p, ShellsPlacement):
            if len(p.shells) == 0:
                raise GeometryError(f"{base}.shells", "must list at least one shell")
            for i, s in enumerate(p.shells):
                _length(f"{base}.shells.{i}.radius", s.radius, allow_zero=True)
                _count(f"{base}.shells.{i}.count", s.count)
                if s.layout not in ("sphere", "ring"):
                    raise GeometryError(
                        f"{base}.shells.{i}.layout", f"must be 'sphere' or 'ring', got {s.layout!r}"
                    )
                if float(s.radius) == 0.0 and s.count != 1:
                    raise GeometryError(
                        f"{base}.shells.{i}.count", "a shell of radius 0 holds exactly one pore"
                    )
        pores = self.pores()  # raises placement errors
        if self.mode == "axisymmetric":
            for i, pore in enumerate(pores):
                if math.hypot(pore.a[0], pore.a[1]) > 1e-9 * rb:
                    raise GeometryError(
                        "geometry.mode",
                        f"axisymmetric mode needs every pore on the z axis, but pore {i} is "
                        f"centred at {tuple(float(f'{v:.4g}') for v in pore.a)} m",
                    )


def _sym(mode: str) -> tuple[str, ...]:
    if mode == "octant":
        return (tags.SYMMETRY_X, tags.SYMMETRY_Y, tags.SYMMETRY_Z)
    if mode == "axisymmetric":
        return (tags.AXIS,)
    return ()


def _coating_interfaces(n: int) -> tuple[str, ...]:
    names = [tags.CORE] + [tags.coating(i + 1) for i in range(n)]
    return tuple(tags.interface(names[i], names[i + 1]) for i in range(n))


def _spread_radii(rng: np.random.Generator, r: float, spread: float, n: int) -> list[float]:
    if spread == 0.0:
        return [r] * n
    return sorted((r * rng.uniform(1.0 - spread, 1.0 + spread, n)).tolist(), reverse=True)


def _mean_cube(r: float, spread: float) -> float:
    """E[r³] for r uniform in r [1 - s, 1 + s]."""
    if spread == 0.0:
        return r**3
    a, b = r * (1 - spread), r * (1 + spread)
    return (b**4 - a**4) / (4 * (b - a))


#: largest relative miss of a porosity / volume-fraction target by the placed objects
FRACTION_TOLERANCE = 0.25


def _fraction_error(field: str, target: float, got: float, what: str, objects: str,
                    octant: bool) -> GeometryError:
    return GeometryError(field, (
        f"{what} {target:g} cannot be met by whole {objects}: the nearest count gives "
        f"{got:.4g} ({got / target:.2f} x the target; at most {FRACTION_TOLERANCE:.0%} off is "
        "accepted)" + (" - octant mode places a multiple of 8" if octant else "")
        + "; use smaller objects" + (", mode 3d" if octant else "")
        + ", or placement kind random with the count you want"))


def _count_for_fraction(target: float, per_object: float, octant: bool, field: str,
                        objects: str, what: str) -> int:
    """The count whose volume fraction (``per_object`` each) is nearest to ``target`` (a
    multiple of 8 in octant mode, at least one / eight); GeometryError when even that one
    misses the target by more than FRACTION_TOLERANCE."""
    n = target / per_object
    n = max(8, 8 * round(n / 8)) if octant else max(1, round(n))
    got = n * per_object
    if abs(got / target - 1.0) > FRACTION_TOLERANCE:
        raise _fraction_error(field, target, got, what, objects, octant)
    return n


def _radii_for_porosity(rng: np.random.Generator, r: float, spread: float, porosity: float,
                        rb: float, octant: bool, field: str) -> list[float]:
    """Radii (largest first, one octant's in octant mode) drawn uniformly in r [1 ± spread]
    one after another, as many as bring the pore volume nearest to ``porosity``: the target
    is met by the radii drawn, not only on average."""
    m = 8 if octant else 1
    goal = porosity * rb**3 / m  # per octant, in units of 4π/3
    expect = goal / _mean_cube(r, spread)
    draws = r * rng.uniform(1.0 - spread, 1.0 + spread, int(2 * expect) + 16)
    total = np.concatenate([[0.0], np.cumsum(draws**3)])
    k = max(1, int(np.argmin(np.abs(total - goal))))
    got = m * total[k] / rb**3
    if abs(got / porosity - 1.0) > FRACTION_TOLERANCE:
        raise _fraction_error(field, porosity, got, "porosity",
                              f"pores of radius {r:.4g} m +- {spread:g}", octant)
    return sorted(draws[:k].tolist(), reverse=True)


@lru_cache(maxsize=256)
def _resolve_pores(spec: PorousSpec) -> tuple[Capsule, ...]:
    p = spec.placement
    rb, r = float(spec.body_radius), float(spec.pore_radius)
    t = float(spec.pore_coating or 0.0)
    lig = max(float(p.min_ligament), MIN_GAP_FLOOR * rb)
    base = "geometry.pores.placement"
    octant = spec.mode == "octant"
    if isinstance(p, _RANDOM):
        rng = np.random.default_rng([int(p.seed), 1])  # radii stream, apart from positions
        spread = float(p.radius_spread)
        if isinstance(p, RandomPlacement):
            n = int(p.count)
            radii = _spread_radii(rng, r, spread, n // 8 if octant else n)
        elif spread == 0.0:
            n = _count_for_fraction(float(p.porosity), (r / rb) ** 3, octant, f"{base}.porosity",
                                    f"pores of radius {r:.4g} m", "porosity")
            radii = [r] * (n // 8 if octant else n)
        else:
            radii = _radii_for_porosity(rng, r, spread, float(p.porosity), rb, octant,
                                        f"{base}.porosity")
        field = f"{base}.min_ligament" if isinstance(p, RandomPlacement) else f"{base}.porosity"
        placed = random_capsules(
            [(ri + t, 0.0) for ri in radii], rb, lig, int(p.seed), octant, [], field, "pore"
        )
        # placed carries the coated radius; the pore radius is the coated one minus t
        return tuple(Capsule(c.a, c.b, c.r - t) for c in placed)
    if isinstance(p, ExplicitPlacement):
        radii = [float(x) for x in p.radii] or [r] * len(p.centers)
        centers = [tuple(float(v) for v in c) for c in p.centers]
        field = f"{base}.centers"
    else:
        centers, radii = [], []
        for s in p.shells:
            pts = (
                fibonacci_sphere(int(s.count), float(s.radius))
                if s.layout == "sphere"
                else ring(int(s.count), float(s.radius), float(s.z))
            )
            centers += pts
            radii += [r] * len(pts)
        field = f"{base}.shells"
    coated = [Capsule(c, c, ri + t) for c, ri in zip(centers, radii, strict=True)]
    if octant:
        check_mirror_symmetric(coated, 1e-9 * rb, field, "pore")
    check_layout(coated, rb, lig, field, "pore")
    return tuple(Capsule(c.a, c.b, c.r - t) for c in coated)


# --- inclusions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InclusionExplicit:
    """Inclusions at listed centres; bars along ``axes`` (one unit-ish vector per centre,
    default +z)."""

    centers: tuple[tuple[float, float, float], ...]
    axes: tuple[tuple[float, float, float], ...] = ()
    min_gap: float = 0.0


@dataclass(frozen=True)
class InclusionRandom:
    """``count`` inclusions (whole particle; a multiple of 8 in octant mode) at seeded random
    positions (and random bar directions), ``min_gap`` apart and from the body surface."""

    count: int
    seed: int = 0
    min_gap: float = 0.0


@dataclass(frozen=True)
class InclusionFraction:
    """Random inclusions up to a volume fraction of the body (count rounded as for equal
    pores, at most ``FRACTION_TOLERANCE`` off the target)."""

    volume_fraction: float
    seed: int = 0
    min_gap: float = 0.0


InclusionPlacement = InclusionExplicit | InclusionRandom | InclusionFraction


@dataclass(frozen=True)
class InclusionSet:
    """Inclusions of one phase and shape.

    Attributes:
        phase: Phase name (lower case, ``[a-z][a-z0-9_]*``): region ``inclusion_<phase>``.
        radius: Sphere radius or bar radius (m).
        placement: :data:`InclusionPlacement`.
        shape: ``"sphere"`` or ``"bar"`` (a cylinder).
        length: Bar: length of the cylindrical part (m); a capped bar adds a hemisphere of
            ``radius`` at each end.
        bar_ends: ``"flat"`` or ``"capped"``.
    """

    phase: str
    radius: float
    placement: InclusionPlacement
    shape: Literal["sphere", "bar"] = "sphere"
    length: float | None = None
    bar_ends: Literal["capped", "flat"] = "flat"

    def volume(self) -> float:
        r = float(self.radius)
        if self.shape == "sphere":
            return 4.0 / 3.0 * math.pi * r**3
        v = math.pi * r**2 * float(self.length)
        return v + (4.0 / 3.0 * math.pi * r**3 if self.bar_ends == "capped" else 0.0)

    @property
    def half_length(self) -> float:
        return 0.5 * float(self.length) if self.shape == "bar" else 0.0


@dataclass(frozen=True)
class InclusionsSpec(ModeGeometry):
    """A Si matrix particle with second-phase inclusions, optionally coated.

    Attributes:
        body_radius: Radius of the matrix body (m), coatings excluded.
        inclusions: The inclusion sets (placed in order; later sets avoid earlier ones).
        coatings: Outer coating thicknesses (m), innermost first.
        mode: ``3d``, ``octant``, ``axisymmetric`` or ``plane_strain`` (module docstring).
    """

    body_radius: float
    inclusions: tuple[InclusionSet, ...]
    coatings: tuple[float, ...] = ()
    mode: PorousMode = "3d"
    kind: ClassVar[str] = "inclusions"
    MODES_SUPPORTED: ClassVar[tuple[str, ...]] = MODES_ALL

    @property
    def radius(self) -> float:
        """Outer radius (m): body plus coatings."""
        return float(self.body_radius) + float(sum(self.coatings))

    @property
    def outer_radius(self) -> float:
        return self.radius



    def objects(self) -> tuple[tuple[int, Capsule], ...]:
        """Resolved inclusions ``(set index, capsule)`` of the whole particle (m)."""
        return _resolve_inclusions(self)

    def placed_fractions(self) -> dict[str, tuple[float, float]]:
        """``{case field: (target, placed)}`` of every volume-fraction target (inclusion
        volume / body volume)."""
        out = {}
        body = 4.0 / 3.0 * math.pi * float(self.body_radius) ** 3
        objects = self.objects()
        for i, s in enumerate(self.inclusions):
            if isinstance(s.placement, InclusionFraction):
                n = sum(1 for k, _ in objects if k == i)
                out[f"geometry.inclusion_sets.{i}.placement.volume_fraction"] = (
                    float(s.placement.volume_fraction), n * s.volume() / body)
        return out

    def phases(self) -> tuple[str, ...]:
        """Phases in order of first appearance in :attr:`inclusions`."""
        return tuple(dict.fromkeys(s.phase for s in self.inclusions))

    def present(self, index: int, cap: Capsule) -> bool:
        """True when the inclusion appears in the mesh of this mode."""
        if self.mode != "plane_strain":
            return True
        s = self.inclusions[index]
        z = 0.5 * (cap.a[2] + cap.b[2])
        if s.shape == "sphere":
            return abs(z) < SECTION_KEEP * cap.r
        az = abs(cap.b[2] - cap.a[2]) / (2 * s.half_length)
        side = cap.r if s.bar_ends == "capped" else cap.r * math.sqrt(max(0.0, 1 - az * az))
        return abs(z) < SECTION_KEEP * (s.half_length * az + side)

    def region_names(self) -> tuple[str, ...]:
        found = {self.inclusions[i].phase for i, c in self.objects() if self.present(i, c)}
        incl = [tags.inclusion(ph) for ph in self.phases() if ph in found]
        return (tags.CORE, *incl, *(tags.coating(i + 1) for i in range(len(self.coatings))))

    def boundary_names(self) -> tuple[str, ...]:
        return (tags.OUTER_SURFACE, *_sym(self.mode))

    def interface_names(self) -> tuple[str, ...]:
        incl = [n for n in self.region_names() if n.startswith("inclusion_")]
        return tuple(tags.interface(tags.CORE, n) for n in incl) + _coating_interfaces(
            len(self.coatings)
        )


    def validate(self) -> None:
        """Check every parameter and that the inclusions fit.

        Raises:
            GeometryError: naming the dotted case field (``geometry.inclusion_sets.0.radius``...).
        """
        _check_mode(self.mode, self.MODES_SUPPORTED)
        rb = _length("geometry.radius", self.body_radius)
        _check_coatings(self.coatings)
        if not isinstance(self.inclusions, tuple | list) or len(self.inclusions) == 0:
            raise GeometryError("geometry.inclusion_sets", "must list at least one inclusion set")
        for k, s in enumerate(self.inclusions):
            base = f"geometry.inclusion_sets.{k}"
            if not isinstance(s.phase, str) or not _PHASE.match(s.phase):
                raise GeometryError(
                    f"{base}.phase",
                    f"must be a lower-case name [a-z][a-z0-9_]* (e.g. sn), got {s.phase!r}",
                )
            r = _length(f"{base}.radius", s.radius)
            if s.shape not in ("sphere", "bar"):
                raise GeometryError(f"{base}.shape", f"must be 'sphere' or 'bar', got {s.shape!r}")
            if s.shape == "bar":
                if s.length is None:
                    raise GeometryError(f"{base}.length", "a bar needs a length")
                length = _length(f"{base}.length", s.length)
                if s.bar_ends not in ("capped", "flat"):
                    raise GeometryError(
                        f"{base}.ends", f"must be 'capped' or 'flat', got {s.bar_ends!r}"
                    )
                extent = 0.5 * length + r
            else:
                if s.length is not None:
                    raise GeometryError(f"{base}.length", "only bars have a length")
                extent = r
            if extent >= rb:
                raise GeometryError(
                    f"{base}.radius",
                    f"an inclusion reaching {extent:.4g} m from its centre does not fit in the "
                    f"body of radius {rb:.4g} m",
                )
            p = s.placement
            pb = f"{base}.placement"
            if not isinstance(p, InclusionPlacement):
                raise GeometryError(pb, f"unknown placement {p!r}")
            _length(f"{pb}.min_gap", p.min_gap, allow_zero=True)
            if isinstance(p, InclusionExplicit):
                if len(p.centers) == 0:
                    raise GeometryError(f"{pb}.centers", "must list at least one centre")
                for i, c in enumerate(p.centers):
                    _point(f"{pb}.centers.{i}", c)
                if p.axes and len(p.axes) != len(p.centers):
                    raise GeometryError(
                        f"{pb}.axes",
                        f"must give one axis per centre ({len(p.centers)}), got {len(p.axes)}",
                    )
                for i, a in enumerate(p.axes):
                    if np.linalg.norm(_point(f"{pb}.axes.{i}", a)) == 0.0:
                        raise GeometryError(f"{pb}.axes.{i}", "must be a non-zero direction")
            else:
                _seed(f"{pb}.seed", p.seed)
                if self.mode == "axisymmetric":
                    raise GeometryError(
                        "geometry.mode",
                        "random inclusions cannot be axisymmetric (every inclusion must be on "
                        "the z axis); use an explicit placement, or 3d/octant",
                    )
                if isinstance(p, InclusionRandom):
                    n = _count(f"{pb}.count", p.count)
                    if self.mode == "octant" and n % 8:
                        raise GeometryError(
                            f"{pb}.count",
                            "octant mode mirrors random inclusions into the 8 octants: the "
                            f"count must be a multiple of 8, got {n}",
                        )
                else:
                    _fraction(f"{pb}.volume_fraction", p.volume_fraction, 0.5)
        objects = self.objects()
        if self.mode == "axisymmetric":
            for i, cap in objects:
                on_axis = max(math.hypot(cap.a[0], cap.a[1]), math.hypot(cap.b[0], cap.b[1]))
                if on_axis > 1e-9 * rb:
                    raise GeometryError(
                        "geometry.mode",
                        f"axisymmetric mode needs every inclusion on the z axis (bars along z), "
                        f"but an inclusion of set {i} is centred at "
                        f"{tuple(float(f'{v:.4g}') for v in cap.center)} m",
                    )


@lru_cache(maxsize=256)
def _resolve_inclusions(spec: InclusionsSpec) -> tuple[tuple[int, Capsule], ...]:
    rb = float(spec.body_radius)
    octant = spec.mode == "octant"
    placed: list[tuple[int, Capsule]] = []
    for k, s in enumerate(spec.inclusions):
        p = s.placement
        pb = f"geometry.inclusion_sets.{k}.placement"
        gap = max(float(p.min_gap), MIN_GAP_FLOOR * rb)
        r, half = float(s.radius), s.half_length
        fixed = [c for _, c in placed]
        if isinstance(p, InclusionExplicit):
            caps = []
            for i, c in enumerate(p.centers):
                c = np.asarray(c, dtype=float)
                axis = np.asarray(p.axes[i] if p.axes else (0.0, 0.0, 1.0), dtype=float)
                axis = axis / np.linalg.norm(axis)
                caps.append(Capsule(tuple(c - half * axis), tuple(c + half * axis), r))
            if octant:
                check_mirror_symmetric(caps, 1e-9 * rb, f"{pb}.centers", "inclusion")
            check_layout(caps, rb, gap, f"{pb}.centers", "inclusion", fixed)
        else:
            if isinstance(p, InclusionRandom):
                n = int(p.count)
                field = f"{pb}.min_gap"
            else:
                field = f"{pb}.volume_fraction"
                n = _count_for_fraction(float(p.volume_fraction),
                                        s.volume() / (4.0 / 3.0 * math.pi * rb**3), octant,
                                        field, f"{s.shape}s of {s.phase}", "volume fraction")
            per = n // 8 if octant else n
            caps = random_capsules(
                [(r, half)] * per, rb, gap, int(p.seed), octant, fixed, field, "inclusion"
            )
        placed += [(k, c) for c in caps]
    return tuple(placed)


def build_porous(spec: PorousSpec, sizing) -> None:
    """Build, tag and mesh a porous particle into the current Gmsh model (m).

    Physical groups: regions :meth:`PorousSpec.region_names`, boundaries
    :meth:`PorousSpec.boundary_names`, interfaces :meth:`PorousSpec.interface_names`.

    Raises:
        GeometryError: If ``spec`` or ``sizing`` is invalid or the pores cannot be placed.
        MeshingError: If Gmsh fails.
    """
    from meshes._porous_build import build_porous_model

    spec.validate()
    sizing.validate(spec)
    build_porous_model(spec, sizing)


def build_inclusions(spec: InclusionsSpec, sizing) -> None:
    """Build, tag and mesh a particle with inclusions into the current Gmsh model (m).

    Raises:
        GeometryError: If ``spec`` or ``sizing`` is invalid or the inclusions do not fit.
        MeshingError: If Gmsh fails.
    """
    from meshes._porous_build import build_inclusions_model

    spec.validate()
    sizing.validate(spec)
    build_inclusions_model(spec, sizing)


#: ((SpecClass, builder), ...) registered in meshes.BUILDERS
KINDS: tuple = ((PorousSpec, build_porous), (InclusionsSpec, build_inclusions))

__all__ = [
    "ExplicitPlacement",
    "InclusionExplicit",
    "InclusionFraction",
    "InclusionRandom",
    "InclusionSet",
    "InclusionsSpec",
    "PorosityPlacement",
    "PorousSpec",
    "RandomPlacement",
    "Shell",
    "ShellsPlacement",
    "build_inclusions",
    "build_porous",
]
