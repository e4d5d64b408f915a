"""Generate the mirror-symmetric Sn/Sb inclusion layouts of si_sn_sb_spheres.yaml and
si_sn_sb_bars.yaml (seed 004, Fig. S26/S27: "Sn and Sb incorporated into the Si particle as
discernible bars or spheres").

Why explicit layouts: the octant mode mirrors *random* inclusions only when they lie wholly in
the open octant, which leaves slabs along the three symmetry planes empty; at the volume
fractions of Si8.5Sn0.5Sb (Sn 6.32 %, Sb 14.15 %, see the case headers) random placement of
~0.65 um inclusions then fails (only about half of them fit). Here the random sequential
placement may put an inclusion *on* a symmetry plane (its centre snapped to the plane when it
would otherwise cut it), where it is its own mirror image - like an inclusion of a real
particle that the octant's planes happen to cut. Bars on a plane lie in it. The layout is
written out as explicit centres (and bar axes) of the whole particle, all mirror images
included, as the `explicit` placement requires in octant mode.

Run:  .venv/bin/python cases/gao2023/layout.py spheres|bars   (prints the YAML sets and the
achieved volume fractions). Deterministic (numpy default_rng with a fixed seed).
"""

from __future__ import annotations

import math
import sys

import numpy as np

from meshes._placement import Capsule, gap, mirror_images

UM = 1e-6
R_BODY = 4.11 * UM  # seed 004: mean particle size 8.22 um
MIN_GAP = 0.1 * UM  # clear Si ligament between inclusions and to the surface (assumed)
# volume fractions of Si8.5Sn0.5Sb from molar volumes (see the case-file headers)
PHI = {"sn": 0.0632, "sb": 0.1415}

# (phase, radius, half length of the cylindrical part) - whole-inclusion sizes, see headers
SHAPES = {
    "spheres": {"sb": (0.6746 * UM, 0.0), "sn": (0.6497 * UM, 0.0)},
    "bars": {"sb": (0.5 * UM, 0.5 * UM), "sn": (0.5 * UM, 0.5 * UM)},
}
SEED = {"spheres": 7, "bars": 1}


def _volume(r: float, half: float) -> float:
    """Sphere, or bar with hemispherical caps (``ends: capped``: the shape the gap test uses)."""
    return math.pi * r * r * 2.0 * half + 4.0 / 3.0 * math.pi * r**3


def _candidate(rng, r, half):
    """A random capsule in the octant whose centre is snapped to a symmetry plane when the
    inclusion would cut it; returns (capsule, fraction of its volume inside the octant)."""
    c = np.abs(rng.normal(size=3))
    c *= (R_BODY - r - half) * rng.random() ** (1 / 3) / np.linalg.norm(c)
    # bars along a coordinate axis (random one): parallel bars pack to the volume fraction,
    # randomly oriented ones of this size do not fit in the octant
    axis = np.zeros(3)
    axis[rng.integers(3)] = 1.0
    # an inclusion that would cut a symmetry plane is centred on it (its own mirror image)
    for i in range(3):
        if c[i] < r + half * axis[i] + 0.5 * MIN_GAP:
            c[i] = 0.0
    zeros = int(np.sum(c == 0.0))
    cap = Capsule(tuple(c - half * axis), tuple(c + half * axis), r)
    # the parts off the planes must stay in the open octant (their images would overlap)
    for i in range(3):
        if c[i] > 0 and min(cap.a[i], cap.b[i]) - r < 0.5 * MIN_GAP:
            return None, 0.0
    return cap, 0.5**zeros


def generate(kind: str):
    """Random sequential placement of both phases, interleaved: each accepted object goes to
    the phase furthest (relatively) from its volume-fraction target, so that when the
    octant jams both phases fall short by the same ratio."""
    rng = np.random.default_rng(SEED[kind])
    vb8 = _volume(R_BODY, 0.0) / 8.0
    placed: list[Capsule] = []  # all images, whole particle
    mine = {ph: [] for ph in PHI}
    got = {ph: 0.0 for ph in PHI}
    fails = 0
    while fails < 20000:
        left = {ph: 1.0 - got[ph] / (PHI[ph] * vb8) for ph in PHI}
        phase = max(left, key=left.get)
        r, half = SHAPES[kind][phase]
        v, target = _volume(r, half), PHI[phase] * vb8
        if got[phase] >= target - 0.125 * v:
            break
        cap, w = _candidate(rng, r, half)
        ok = cap is not None and got[phase] + w * v <= target + 0.125 * v
        ok = ok and R_BODY - cap.reach() >= MIN_GAP
        if ok:
            images = mirror_images(cap, 1e-12)
            ok = not any(gap(im, o) < MIN_GAP for im in images for o in placed)
        if not ok:
            fails += 1
            continue
        fails = 0
        placed += images
        mine[phase] += images
        got[phase] += w * v
    return {ph: (mine[ph], got[ph] / vb8) for ph in PHI}


def _fmt(v) -> str:
    return "[" + ", ".join(f"{x / UM:.4f} um" if abs(x) > 1e-15 else "0" for x in v) + "]"


def main(kind: str) -> None:
    sets = generate(kind)
    for phase in ("sn", "sb"):
        caps, frac = sets[phase]
        r, half = SHAPES[kind][phase]
        print(f"# {phase}: {len(caps)} pieces (whole particle), volume fraction {frac:.4f} "
              f"(target {PHI[phase]})")
        shape = "sphere" if half == 0 else "bar"
        extra = f"\n      length: {2 * half / UM:.4f} um\n      ends: capped" if half else ""
        print(f"    - phase: {phase}\n      shape: {shape}\n      radius: {r / UM:.4f} um{extra}")
        print("      placement:\n        kind: explicit\n        min_gap: 0.1 um\n        centers:")
        for c in caps:
            print(f"          - {_fmt(c.center)}")
        if half:
            print("        axes:")
            for c in caps:
                a = (np.array(c.b) - np.array(c.a)) / (2 * half)
                print("          - [" + ", ".join(f"{x:.4f}" for x in a) + "]")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "spheres")
