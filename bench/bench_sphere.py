#!/usr/bin/env python
"""Mesh-convergence / cost benchmark of the default case (4 µm Si sphere, 0.1 A/g, to θ̄ = 0.9).

Runs ``cases/default.yaml`` for ``geometry.mode`` ∈ {axisymmetric, octant} at three mesh sizes
each and prints one Markdown table row per run: cells, DOFs, steps, rejected steps, Newton and
(mechanics) Krylov iterations, setup and wall time, peak memory and the peak core von Mises
stress.  The table is also written to ``bench/results/<stem>.md`` and ``<stem>.json``.

Usage::

    .venv/bin/python bench/bench_sphere.py                  # full benchmark (make bench)
    .venv/bin/python bench/bench_sphere.py --quick          # one size per mode (smoke check)
    mpiexec -n 2 .venv/bin/python bench/bench_sphere.py --quick
    .venv/bin/python bench/bench_sphere.py --modes octant --sizes 0.7 0.5

This is a benchmark, not a test: nothing about time or accuracy is asserted.  A failing run is
reported in the table (status column) and the benchmark goes on with the next one.

Serial runs are, by default, each executed in a fresh child process so that the peak memory
column (the process high-water mark, ``getrusage`` maxrss) belongs to that run alone.  Under
``mpiexec`` (or with ``--in-process``) all runs share one process per rank and the peak memory
column is the high-water mark *so far*, i.e. monotone over the rows.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a plain script from anywhere
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import environment, fmt_cell, repo_relative  # noqa: E402  (shared with bench_workloads.py)
from _common import json_safe as _json_safe  # noqa: E402

MODES = ("axisymmetric", "octant")
# Bulk element sizes in µm (surface_size = ratio × size).  Chosen so that the full serial
# benchmark takes about 4 minutes on one core (octant h = 0.35 µm: ~2.5 min of it).
SIZES = {"axisymmetric": (0.5, 0.25, 0.125), "octant": (1.0, 0.5, 0.35)}
QUICK_SIZES = {"axisymmetric": (0.5,), "octant": (1.0,)}
VM_KEY = "{region}: max Von Mises stress [Pa]"

# (json key, Markdown header, format)
COLUMNS = [
    ("mode", "mode", "{}"),
    ("size_um", "size [µm]", "{:g}"),
    ("surface_size_um", "surface [µm]", "{:g}"),
    ("cells", "cells", "{:d}"),
    ("dofs_theta", "DOFs θ", "{:d}"),
    ("dofs_displacement", "DOFs u", "{:d}"),
    ("steps", "steps", "{:d}"),
    ("rejected_steps", "rejected", "{:d}"),
    ("newton_iterations", "Newton", "{:d}"),
    ("newton_per_step", "Newton/step", "{:.2f}"),
    ("krylov_mechanics", "Krylov mech.", "{:d}"),
    ("krylov_mechanics_per_step", "Krylov mech./step", "{:.1f}"),
    ("setup_time_s", "setup [s]", "{:.2f}"),
    ("wall_time_s", "wall [s]", "{:.1f}"),
    ("wall_per_step_s", "wall/step [s]", "{:.3f}"),
    ("peak_memory_mb", "peak mem [MB]", "{:.0f}"),
    ("peak_core_von_mises_pa", "peak core von Mises [Pa]", "{:.4e}"),
    ("status", "status", "{}"),
]


# ------------------------------------------------------------------------------------ options
def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Benchmark the default chemomech case (Si sphere) over mesh sizes and modes.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--quick", action="store_true",
                   help="one (coarse) size per mode, as a smoke check")
    p.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES),
                   help="geometry modes to run")
    p.add_argument("--sizes", nargs="+", type=float, metavar="UM", default=None,
                   help="bulk element sizes in µm, used for every selected mode "
                        f"(default per mode: {SIZES}; with --quick: {QUICK_SIZES})")
    p.add_argument("--surface-ratio", type=float, default=0.5,
                   help="mesh.surface_size = ratio × mesh.size")
    p.add_argument("--case", type=Path, default=ROOT / "cases" / "default.yaml",
                   help="case file")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="extra case override (repeatable), applied after the benchmark's own")
    p.add_argument("--results", type=Path, default=ROOT / "bench" / "results",
                   help="results directory (run outputs go to <results>/runs/)")
    p.add_argument("--stem", default=None,
                   help="table file name stem (default: bench_sphere, or bench_sphere_quick "
                        "with --quick)")
    p.add_argument("--region", default="core", help="region whose peak von Mises is reported")
    p.add_argument("--mesh-cache", action="store_true",
                   help="reuse cached meshes (default: mesh every run, so setup time includes "
                        "meshing)")
    p.add_argument("--in-process", action="store_true",
                   help="serial: run every case in this process instead of a fresh child "
                        "process per run (peak memory then becomes cumulative)")
    # internal: run exactly one case and write its row to a JSON file (used by the parent)
    p.add_argument("--_child", nargs=2, metavar=("MODE", "SIZE"), help=argparse.SUPPRESS)
    p.add_argument("--_row-json", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.stem is None:
        args.stem = "bench_sphere_quick" if args.quick else "bench_sphere"
    return args


def plan(args) -> list[tuple[str, float]]:
    runs = []
    for mode in args.modes:
        sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)[mode]
        if args.quick and args.sizes:
            sizes = sizes[:1]
        runs += [(mode, float(s)) for s in sizes]
    return runs


# ------------------------------------------------------------------------------------ one run
def _probe_overrides(case_path: Path, mode: str) -> list[str]:
    """The default case's probes are 3-D points; the axisymmetric mode wants (r, z)."""
    import yaml

    raw = yaml.safe_load(case_path.read_text())
    probes = ((raw.get("output") or {}).get("probes")) or []
    if mode != "axisymmetric" or not probes:
        return []
    mapped = []
    for pr in probes:
        pt = list(pr.get("point", []))
        if len(pt) == 3:  # (x, y, z) on the y = 0 plane → (r, z) = (x, z)
            pt = [pt[0], pt[2]]
        mapped.append({**pr, "point": pt})
    return ["output.probes=" + json.dumps(mapped)]  # JSON is YAML flow syntax


def case_overrides(args, mode: str, size_um: float) -> list[str]:
    return [
        f"geometry.mode={mode}",
        f"mesh.size={size_um:g} um",
        f"mesh.surface_size={size_um * args.surface_ratio:g} um",
        f"mesh.cache={'true' if args.mesh_cache else 'false'}",
        "output.pictures=false",
        "output.formats=[xdmf]",
        *_probe_overrides(args.case, mode),
        *args.overrides,
    ]


def run_dir(args, mode: str, size_um: float, nprocs: int) -> Path:
    return args.results / "runs" / f"{mode}_h{size_um:g}um_np{nprocs}"


def run_one(args, mode: str, size_um: float, comm) -> dict:
    """Build and run one case in this process; return its table row (same on every rank)."""
    import solver

    row = {"mode": mode, "size_um": size_um, "surface_size_um": size_um * args.surface_ratio,
           "mpi_size": comm.size, "out_dir": str(run_dir(args, mode, size_um, comm.size))}
    t0 = time.perf_counter()
    try:
        case = solver.load_case(args.case, overrides=case_overrides(args, mode, size_um))
        sim = solver.build_simulation(case, comm=comm, out_dir=row["out_dir"], quiet=True)
        result = sim.run()
    except Exception as exc:  # a benchmark reports a failure and moves on
        row.update(status="error", error=f"{type(exc).__name__}: {exc}",
                   traceback=traceback.format_exc(), elapsed_s=time.perf_counter() - t0)
        return row
    row["elapsed_s"] = time.perf_counter() - t0
    row.update(row_from_result(result, args.region))
    return row


def row_from_result(result, region: str) -> dict:
    s = result.summary
    run, mesh = s["run"], s["mesh"]
    steps = int(run["steps"])
    per = (lambda x: x / steps) if steps else (lambda x: math.nan)
    key = VM_KEY.format(region=region)
    vm = [r[key] for r in result.history if key in r and r[key] == r[key]]
    wall = float(run["wall_time_s"])
    return {
        "status": result.status if result.status != "completed" else "ok",
        "stop_reason": result.stop_reason,
        "cells": int(mesh["cells"]),
        "vertices": int(mesh["vertices"]),
        "dofs_theta": int(mesh["dofs"]["lithiation_fraction"]),
        "dofs_displacement": int(mesh["dofs"]["displacement"]),
        "steps": steps,
        "rejected_steps": int(run["rejected_steps"]),
        "newton_iterations": int(run["newton_iterations"]),
        "newton_per_step": per(run["newton_iterations"]),
        "krylov_diffusion": int(run["krylov_iterations_diffusion"]),
        "krylov_mechanics": int(run["krylov_iterations_mechanics"]),
        "krylov_mechanics_per_step": per(run["krylov_iterations_mechanics"]),
        "setup_time_s": float(run["setup_time_s"]),
        "mesh_time_s": float(run["mesh_time_s"]) if run.get("mesh_time_s") is not None else None,
        "wall_time_s": wall,
        "wall_per_step_s": per(wall),
        "peak_memory_mb": float(run["peak_memory_mb"]),
        "peak_core_von_mises_pa": max(vm) if vm else math.nan,
        "final_mean_theta": (result.history[-1].get("mean lithiation fraction [-]")
                             if result.history else math.nan),
        "final_time_s": result.history[-1].get("time [s]") if result.history else math.nan,
    }


def run_child(args, mode: str, size_um: float) -> dict:
    """Run one case in a fresh serial Python process (own memory high-water mark)."""
    with tempfile.TemporaryDirectory() as tmp:
        row_json = Path(tmp) / "row.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--_child", mode, repr(size_um),
               "--_row-json", str(row_json), "--case", str(args.case),
               "--surface-ratio", repr(args.surface_ratio), "--results", str(args.results),
               "--region", args.region]
        if args.mesh_cache:
            cmd.append("--mesh-cache")
        for o in args.overrides:
            cmd += ["--set", o]
        # a child of an `mpiexec -n 1` parent must start as its own MPI singleton
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PMI_", "PMIX_", "HYDRA_", "OMPI_", "MPIR_"))}
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if row_json.exists():
            return json.loads(row_json.read_text())
        return {"mode": mode, "size_um": size_um, "surface_size_um": size_um * args.surface_ratio,
                "mpi_size": 1, "status": "crashed", "elapsed_s": time.perf_counter() - t0,
                "error": f"child exited with {proc.returncode}: {proc.stderr[-2000:]}"}


# ------------------------------------------------------------------------------------ table
def md_header() -> str:
    heads = [h for _, h, _ in COLUMNS]
    aligns = ["---" if k in ("mode", "status") else "---:" for k, _, _ in COLUMNS]
    return "| " + " | ".join(heads) + " |\n|" + "|".join(aligns) + "|"


def md_row(row: dict) -> str:
    return "| " + " | ".join(fmt_cell(row, k, s) for k, _, s in COLUMNS) + " |"


def md_table(rows: list[dict]) -> str:
    return "\n".join([md_header(), *(md_row(r) for r in rows)])


def write_outputs(args, rows: list[dict], meta: dict) -> tuple[Path, Path]:
    args.results.mkdir(parents=True, exist_ok=True)
    md_path = args.results / f"{args.stem}.md"
    json_path = args.results / f"{args.stem}.json"
    n = meta["environment"]["mpi_size"]
    lines = [
        f"# chemomech sphere benchmark ({meta['environment']['date']})",
        "",
        f"Case `{meta['case']}` (overrides per row: geometry.mode, mesh.size, "
        f"mesh.surface_size = {args.surface_ratio:g} × size, output.pictures=false, "
        f"output.formats=[xdmf]{', ' + ', '.join(args.overrides) if args.overrides else ''}); "
        f"{n} MPI rank(s) on `{meta['environment']['host']}`; "
        f"total benchmark time {meta['total_time_s']:.0f} s.",
        "",
        md_table(rows),
        "",
        "Newton = total Newton iterations of the diffusion solve; Krylov mech. = total Krylov "
        "iterations of the mechanics solves (one per accepted step plus the initial state); "
        "per-step values divide by the accepted steps. setup = mesh + spaces + forms; "
        "wall = `Simulation.run()` time. peak mem = max over ranks of the process "
        "high-water mark (" + ("per run: one process per run" if meta["isolated"]
                               else "cumulative over the rows: all runs share the process")
        + "). peak core von Mises = max over the history rows of "
        f"\"{VM_KEY.format(region=args.region)}\" (linear elasticity: far above yield).",
    ]
    errors = [r for r in rows if r.get("error")]
    if errors:
        lines += ["", "Failures:", ""]
        lines += [f"- {r['mode']} h = {r['size_um']:g} µm: {r['error']}" for r in errors]
    md_path.write_text("\n".join(lines) + "\n")
    json_path.write_text(json.dumps(_json_safe({**meta, "rows": rows}), indent=2) + "\n")
    return md_path, json_path


# ------------------------------------------------------------------------------------ main
def main(argv=None) -> int:
    args = parse_args(argv)
    args.case = args.case.resolve()
    args.results = args.results.resolve()

    if args._child:  # internal: one serial run, row to JSON
        from solver import _bootstrap  # noqa: F401
        from mpi4py import MPI

        mode, size = args._child[0], float(args._child[1])
        row = run_one(args, mode, size, MPI.COMM_SELF)
        args._row_json.write_text(json.dumps(_json_safe(row)))
        return 0

    from solver import _bootstrap  # noqa: F401
    from mpi4py import MPI

    import dolfinx  # noqa: F401  (collective: initialises PETSc on every rank, never rank 0 alone)

    comm = MPI.COMM_WORLD
    rank0 = comm.rank == 0
    isolated = comm.size == 1 and not args.in_process
    runs = plan(args)

    def say(msg=""):
        if rank0:
            print(msg, flush=True)

    say(f"chemomech sphere benchmark: {len(runs)} run(s) on {comm.size} MPI rank(s), "
        f"case {repo_relative(args.case)}, "
        f"{'one process per run' if isolated else 'in-process'}")
    say()
    say(md_header())
    t_start = time.perf_counter()
    rows = []
    for mode, size in runs:
        row = run_child(args, mode, size) if isolated else run_one(args, mode, size, comm)
        rows.append(row)
        say(md_row(row))
    total = time.perf_counter() - t_start
    env = environment(comm.size)  # on every rank: it may import modules collectively

    if rank0:
        meta = {
            "benchmark": "bench_sphere",
            "case": repo_relative(args.case),
            "surface_ratio": args.surface_ratio,
            "overrides": args.overrides,
            "quick": args.quick,
            "isolated": isolated,
            "total_time_s": total,
            "environment": env,
            "columns": {k: h for k, h, _ in COLUMNS},
        }
        md_path, json_path = write_outputs(args, rows, meta)
        for r in rows:
            if r.get("error"):
                print(f"\n{r['mode']} h = {r['size_um']:g} µm failed: {r['error']}",
                      file=sys.stderr)
                if r.get("traceback"):
                    print(r["traceback"], file=sys.stderr)
        print(f"\ntotal {total:.0f} s; table written to {md_path} and {json_path}", flush=True)
    comm.Barrier()
    return 1 if any(r.get("status") not in ("ok",) for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
