#!/usr/bin/env python
"""Two-way coupling: staggered against monolithic on the same cases (issue 4).

Each workload is ``cases/default.yaml`` (4 µm Si sphere, two-phase D(θ), E(θ) 185 → 35 GPa)
with ``coupling: two_way``, coarsened so the benchmark stays short, run once with
``solver.coupling_scheme: staggered`` and once with ``monolithic``. Printed per run: DOFs,
accepted and rejected steps, Newton iterations (staggered: summed over its fixed-point
iterations), Krylov iterations (diffusion + mechanics), wall time; and per workload the largest
difference of the two schemes' final rows (both stop at the same mean θ, so the rows are
comparable although the adaptive steps differ).

Usage::

    .venv/bin/python bench/bench_coupling.py            # all workloads
    .venv/bin/python bench/bench_coupling.py --only axisymmetric_galvanostatic

A benchmark, not a test: nothing is asserted. The table is also written to
``bench/results/bench_coupling.md``.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bench._common import md_table  # noqa: E402

# Coarse meshes and an early stop: at 0.25 µm / mean θ = 0.3 the staggered run had not
# finished after 50 min (1954 steps cut back, the fixed point stalling above the tolerance)
AXI = {"geometry": {"mode": "axisymmetric"}, "mesh": {"size": "0.5 um", "surface_size": "0.25 um"}}
OCT = {"geometry": {"mode": "octant"}, "mesh": {"size": "1 um", "surface_size": "0.5 um"}}
GALV = {"stop": {"mean_theta": 0.1}}
POT = {"loading": {"kind": "potentiostatic", "surface_theta": 0.8, "ramp_time": "10 s",
                   "surfaces": ["outer_surface"], "initial_theta": 0.0},
       "stop": {"time": "600 s"}}
WORKLOADS = {
    "axisymmetric_galvanostatic": (AXI, GALV),
    "axisymmetric_potentiostatic": (AXI, POT),
    "octant_galvanostatic": (OCT, GALV),
}
COMPARE = ("mean lithiation fraction [-]", "probe centre: lithiation fraction [-]",
           "outer_surface: mean lithiation fraction [-]", "core: max von Mises stress [Pa]",
           "outer_surface: mean hoop stress [Pa]")


def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in extra.items():
        if k in ("loading", "stop"):  # replaced whole: a kept mean_theta would clash
            out[k] = copy.deepcopy(v)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def case_dict(name: str, scheme: str) -> dict:
    case = yaml.safe_load((ROOT / "cases" / "default.yaml").read_text())
    for part in WORKLOADS[name]:
        case = _merge(case, part)
    case["coupling"] = "two_way"
    case.setdefault("solver", {})["coupling_scheme"] = scheme
    case["output"].update({"pictures": False, "formats": ["xdmf"], "directory": "results"})
    case["time"]["output_every"] = 100000
    if case["geometry"]["mode"] == "axisymmetric":
        case["output"]["probes"] = [{"name": "centre", "point": [0, 0]},
                                    {"name": "surface", "point": ["4 um", 0]}]
    case["mesh"]["cache"] = False
    return case


def run(name: str, scheme: str, out: Path) -> dict:
    from solver import build_simulation, load_case_dict

    case = load_case_dict(case_dict(name, scheme), source=f"<bench {name}>")
    t0 = time.perf_counter()
    sim = build_simulation(case, out_dir=out / f"{name}_{scheme}", quiet=True)
    res = sim.run()
    wall = time.perf_counter() - t0
    r = res.summary["run"]
    return {"workload": name, "scheme": scheme, "status": res.status,
            "dofs": sum(res.summary["mesh"]["dofs"].values()), "steps": res.steps,
            "rejected": r["rejected_steps"], "newton": r["newton_iterations"],
            "krylov": r["krylov_iterations_diffusion"] + r["krylov_iterations_mechanics"],
            "wall": wall, "final": res.history[-1]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--only", nargs="*", choices=sorted(WORKLOADS))
    args = ap.parse_args(argv)
    rows, diffs = [], []
    with tempfile.TemporaryDirectory(prefix="bench-coupling-") as tmp:
        for name in args.only or list(WORKLOADS):
            pair = {}
            for scheme in ("staggered", "monolithic"):
                row = run(name, scheme, Path(tmp))
                rows.append(row)
                pair[scheme] = row["final"]
                print(f"{name:30s} {scheme:10s} steps {row['steps']:5d} rejected "
                      f"{row['rejected']:4d} Newton {row['newton']:6d} Krylov {row['krylov']:7d} "
                      f"wall {row['wall']:8.1f} s", flush=True)
            d = {"workload": name}
            for key in COMPARE:
                a, b = pair["staggered"].get(key), pair["monolithic"].get(key)
                if a is not None and b is not None:
                    d[key] = abs(a - b)
            diffs.append(d)
    cols = [("workload", "workload", "{}"), ("scheme", "scheme", "{}"),
            ("status", "status", "{}"), ("dofs", "DOFs", "{:d}"), ("steps", "steps", "{:d}"),
            ("rejected", "rejected", "{:d}"), ("newton", "Newton its", "{:d}"),
            ("krylov", "Krylov its", "{:d}"), ("wall", "wall [s]", "{:.1f}")]
    table = md_table(rows, cols, left=("workload", "scheme", "status"))
    dcols = [("workload", "workload", "{}")] + [(k, "Δ " + k, "{:.2e}") for k in COMPARE]
    dtable = md_table(diffs, dcols, left=("workload",))
    text = f"{table}\n\nFinal-row differences |staggered − monolithic|:\n\n{dtable}\n"
    print()
    print(text)
    res = ROOT / "bench" / "results"
    res.mkdir(exist_ok=True)
    (res / "bench_coupling.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
