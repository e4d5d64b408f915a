#!/usr/bin/env python
"""Cost of the seeded random placement of pores and inclusions (no meshing).

Resolves the layouts of a few dense placements in a 2 µm body (spheres, bars, both, octant
and full 3D) and prints one Markdown row each: objects placed, the placed volume fraction
and the wall time. A placement that cannot be completed is reported with its error (also a
figure: how long it took to give up). Layouts are cached per spec inside a process, so each
row runs in a fresh child process.

Usage::

    .venv/bin/python bench/bench_placement.py

A benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys

UM = 1e-6

#: (label, mode, [(phase, shape, radius, half length, volume fraction, seed, min gap)])
CASES = [
    ("spheres 0.1 um, 0.2", "3d", [("sn", "sphere", 0.1, 0.0, 0.2, 1, 0.01)]),
    ("bars 0.05 x 0.2 um, 0.05", "3d", [("sb", "bar", 0.05, 0.1, 0.05, 1, 0.01)]),
    ("bars 0.05 x 0.2 um, 0.1", "3d", [("sb", "bar", 0.05, 0.1, 0.1, 1, 0.01)]),
    ("bars 0.1 x 0.4 um, 0.2", "3d", [("sb", "bar", 0.1, 0.2, 0.2, 1, 0.01)]),
    ("spheres 0.15 + bars 0.08 x 0.4 um", "octant",
     [("sn", "sphere", 0.15, 0.0, 0.1, 4, 0.01), ("sb", "bar", 0.08, 0.2, 0.08, 5, 0.01)]),
]

CHILD = r"""
import json, sys, time
from meshes.porous import InclusionFraction, InclusionSet, InclusionsSpec
from meshes import GeometryError
UM = 1e-6
mode, sets = json.loads(sys.argv[1])
spec = InclusionsSpec(2 * UM, tuple(
    InclusionSet(ph, r * UM, InclusionFraction(vf, seed, gap * UM), shape,
                 2 * h * UM if shape == "bar" else None, "capped" if shape == "bar" else "flat")
    for ph, shape, r, h, vf, seed, gap in sets), mode=mode)
t = time.perf_counter()
try:
    n = len(spec.objects())
    placed = sum(b for _, b in spec.placed_fractions().values())
    err = ""
except GeometryError as exc:
    n, placed, err = 0, 0.0, str(exc)
print(json.dumps({"n": n, "placed": placed, "s": time.perf_counter() - t, "error": err}))
"""


def main() -> None:
    print("| placement | mode | objects | placed fraction | wall [s] | note |")
    print("|---|---|---|---|---|---|")
    for label, mode, sets in CASES:
        out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([mode, sets])],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(f"| {label} | {mode} | — | — | — | crashed: {out.stderr.strip()[-120:]} |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {label} | {mode} | {r['n']} | {r['placed']:.4g} | {r['s']:.2f} | "
              f"{r['error'][:120]} |", flush=True)


if __name__ == "__main__":
    main()
