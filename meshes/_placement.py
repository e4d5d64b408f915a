"""Placement of pores and inclusions (private): explicit lists, shells/rings, seeded random.

Everything here is pure numpy (no Gmsh) and deterministic: random layouts use
``numpy.random.default_rng(seed)`` only, so the same seed gives the same layout on every
machine. Lengths are in m.

Objects are *capsules*: a segment ``[a, b]`` swept by a ball of radius ``r`` (a sphere is the
degenerate capsule ``a == b``). A flat-ended bar is contained in its capsule, so gaps measured
between capsules are safe (conservative) for flat bars too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from meshes.errors import GeometryError

_REFLECTIONS = np.array(
    [(sx, sy, sz) for sx in (1, -1) for sy in (1, -1) for sz in (1, -1)], dtype=float
)


@dataclass(frozen=True)
class Capsule:
    """A segment ``a``–``b`` swept by a ball of radius ``r`` (a sphere when ``a == b``)."""

    a: tuple[float, float, float]
    b: tuple[float, float, float]
    r: float

    @property
    def center(self) -> np.ndarray:
        return 0.5 * (np.asarray(self.a) + np.asarray(self.b))

    def reach(self) -> float:
        """Largest distance of a point of the capsule from the origin."""
        return max(float(np.linalg.norm(self.a)), float(np.linalg.norm(self.b))) + self.r


def segment_distance(p1, q1, p2, q2) -> float:
    """Shortest distance between segments p1–q1 and p2–q2 (Ericson, Real-Time Collision Det.)."""
    p1, q1, p2, q2 = (np.asarray(v, dtype=float) for v in (p1, q1, p2, q2))
    d1, d2, r = q1 - p1, q2 - p2, p1 - p2
    a, e, f = float(d1 @ d1), float(d2 @ d2), float(d2 @ r)
    eps = 1e-300
    if a <= eps and e <= eps:
        return float(np.linalg.norm(r))
    if a <= eps:
        s, t = 0.0, min(max(f / e, 0.0), 1.0)
    else:
        c = float(d1 @ r)
        if e <= eps:
            s, t = min(max(-c / a, 0.0), 1.0), 0.0
        else:
            b = float(d1 @ d2)
            denom = a * e - b * b
            s = min(max((b * f - c * e) / denom, 0.0), 1.0) if denom > eps else 0.0
            t = (b * s + f) / e
            if t < 0.0:
                t, s = 0.0, min(max(-c / a, 0.0), 1.0)
            elif t > 1.0:
                t, s = 1.0, min(max((b - c) / a, 0.0), 1.0)
    return float(np.linalg.norm((p1 + d1 * s) - (p2 + d2 * t)))


def gap(c1: Capsule, c2: Capsule) -> float:
    """Clear distance between two capsules (negative when they overlap)."""
    return segment_distance(c1.a, c1.b, c2.a, c2.b) - c1.r - c2.r


def mirror_images(capsule: Capsule, tol: float) -> list[Capsule]:
    """The distinct images of a capsule under the reflections x, y, z -> -x, -y, -z.

    Images equal to the capsule itself (centred on a plane, symmetric about it) are dropped.
    """
    images: list[Capsule] = []
    for s in _REFLECTIONS:
        img = Capsule(tuple(np.asarray(capsule.a) * s), tuple(np.asarray(capsule.b) * s), capsule.r)
        if all(not _same(img, other, tol) for other in images):
            images.append(img)
    return images


def _same(c1: Capsule, c2: Capsule, tol: float) -> bool:
    """True when two capsules coincide (as sets, ends in either order)."""
    a1, b1, a2, b2 = (np.asarray(v) for v in (c1.a, c1.b, c2.a, c2.b))
    if abs(c1.r - c2.r) > tol:
        return False
    return bool(
        (np.linalg.norm(a1 - a2) <= tol and np.linalg.norm(b1 - b2) <= tol)
        or (np.linalg.norm(a1 - b2) <= tol and np.linalg.norm(b1 - a2) <= tol)
    )


def check_mirror_symmetric(capsules: list[Capsule], tol: float, field: str, what: str) -> None:
    """Raise unless the set is invariant under the reflections x -> -x, y -> -y, z -> -z."""
    for i, cap in enumerate(capsules):
        for img in mirror_images(cap, tol):
            if not any(_same(img, other, tol) for other in capsules):
                c = tuple(float(f"{v:.4g}") for v in cap.center)
                raise GeometryError(
                    field,
                    f"octant mode needs a layout symmetric about the planes x = 0, y = 0, z = 0, "
                    f"but the mirror image of {what} {i} (centre {c} m) is missing; list all "
                    "mirror images, or use a random placement (mirrored automatically), or the "
                    "3d mode",
                )


def check_layout(
    capsules: list[Capsule],
    container_radius: float,
    min_gap: float,
    field: str,
    what: str,
    fixed: list[Capsule] = (),
) -> None:
    """Raise unless every capsule keeps ``min_gap`` from the others and from the container wall.

    Args:
        capsules: The objects to check.
        container_radius: Radius of the ball that must contain them (m).
        min_gap: Required clear distance (m, > 0 for a meshable layout).
        field: Dotted case path for the error.
        what: Noun for the error message ("pore", "inclusion").
        fixed: Objects placed before (checked against, not among themselves).
    """
    tol = 1e-9 * container_radius
    for i, cap in enumerate(capsules):
        wall = container_radius - cap.reach()
        if wall < min_gap - tol:
            raise GeometryError(
                field,
                f"{what} {i} (centre {_fmt_point(cap.center)} m) is {wall:.4g} m from the "
                f"particle surface; at least {min_gap:.4g} m are needed",
            )
        for j, other in enumerate(list(fixed) + capsules[:i]):
            g = gap(cap, other)
            if g < min_gap - tol:
                raise GeometryError(
                    field,
                    f"{what} {i} (centre {_fmt_point(cap.center)} m) is {g:.4g} m from "
                    f"{'an earlier object' if j < len(fixed) else f'{what} {j - len(fixed)}'}; "
                    f"at least {min_gap:.4g} m are needed",
                )


def _fmt_point(p) -> str:
    return "(" + ", ".join(f"{float(v):.4g}" for v in p) + ")"


def fibonacci_sphere(count: int, radius: float) -> list[tuple[float, float, float]]:
    """``count`` nearly uniform points on a sphere (golden-angle spiral); the centre if radius 0."""
    if radius == 0.0:
        return [(0.0, 0.0, 0.0)] * count
    golden = math.pi * (3.0 - math.sqrt(5.0))
    points = []
    for k in range(count):
        z = 1.0 - (2.0 * k + 1.0) / count
        rho = math.sqrt(max(0.0, 1.0 - z * z))
        phi = golden * k
        points.append((radius * rho * math.cos(phi), radius * rho * math.sin(phi), radius * z))
    return points


def ring(count: int, radius: float, z: float) -> list[tuple[float, float, float]]:
    """``count`` points evenly spaced on the circle of ``radius`` in the plane at height z."""
    return [
        (radius * math.cos(2 * math.pi * k / count), radius * math.sin(2 * math.pi * k / count), z)
        for k in range(count)
    ]


def random_capsules(
    shapes: list[tuple[float, float]],
    container_radius: float,
    min_gap: float,
    seed: int,
    octant: bool,
    fixed: list[Capsule],
    field: str,
    what: str,
    max_tries: int = 3000,
) -> list[Capsule]:
    """Random sequential addition of non-overlapping capsules in a ball.

    Args:
        shapes: ``(radius, half_length)`` of each object (half_length 0 for a sphere); the
            objects are placed in this order (give the largest first).
        container_radius: Ball the objects must stay inside, by ``min_gap`` (m).
        min_gap: Clear distance between objects and to the ball surface (m).
        seed: Seed of ``numpy.random.default_rng``.
        octant: Place in x, y, z > 0 only, at ``min_gap / 2`` or more from the coordinate
            planes, and return every object with its 8 mirror images (``shapes`` then lists the
            objects of one octant).
        fixed: Objects already placed (avoided).
        field: Dotted case path for the error.
        what: Noun for the error message.
        max_tries: Candidate positions tried per object.

    Returns:
        The placed capsules (with mirror images in octant mode).

    Raises:
        GeometryError: If an object cannot be placed in ``max_tries`` attempts.
    """
    rng = np.random.default_rng(seed)
    placed: list[Capsule] = []
    everything = list(fixed)
    # the bounding sphere (centre, radius) of every object so far: one vectorised test finds
    # the few objects near a candidate, and only those need the exact capsule gap (the
    # bounding gap is a lower bound of it, so far objects are clear: same result, O(N) numpy
    # per try instead of O(N) Python calls)
    cen = np.array([o.center for o in everything], dtype=float).reshape(-1, 3)
    bnd = np.array([_bounding_radius(o) for o in everything], dtype=float)
    for n, (r, half) in enumerate(shapes):
        limit = container_radius - min_gap - r - half
        ok = False
        if limit > 0:
            for _ in range(max_tries):
                c = _uniform_in_ball(rng, limit)
                if octant:
                    c = np.abs(c)
                axis = _random_direction(rng) if half > 0 else np.zeros(3)
                cap = Capsule(tuple(c - half * axis), tuple(c + half * axis), r)
                if cap.reach() > container_radius - min_gap:
                    continue
                if octant and min(min(cap.a), min(cap.b)) - r < 0.5 * min_gap:
                    continue
                near = np.flatnonzero(np.linalg.norm(cen - c, axis=1) - bnd - (r + half)
                                      < min_gap)
                if all(gap(cap, everything[i]) >= min_gap for i in near):
                    ok = True
                    break
        if not ok:
            total = len(shapes) * (8 if octant else 1)
            done = n * (8 if octant else 1)
            raise GeometryError(
                field,
                f"could place only {done} of {total} {what}s with a minimum gap of "
                f"{min_gap:.4g} m (seeded random placement, {max_tries} tries per {what}); "
                f"reduce the count, the size or the minimum gap",
            )
        new = mirror_images(cap, 1e-12 * container_radius) if octant else [cap]
        placed += new
        everything += new
        cen = np.vstack([cen, [o.center for o in new]])
        bnd = np.append(bnd, [_bounding_radius(o) for o in new])
    return placed


def _bounding_radius(c: Capsule) -> float:
    """Radius of the smallest ball about the capsule's centre that holds it."""
    return 0.5 * float(np.linalg.norm(np.subtract(c.a, c.b))) + c.r


def _uniform_in_ball(rng: np.random.Generator, radius: float) -> np.ndarray:
    while True:
        p = rng.uniform(-1.0, 1.0, 3)
        if p @ p <= 1.0:
            return radius * p


def _random_direction(rng: np.random.Generator) -> np.ndarray:
    while True:
        p = rng.normal(size=3)
        n = float(np.linalg.norm(p))
        if n > 1e-6:
            return p / n
