#!/usr/bin/env python
"""Performance workloads A, B, C of chemomech and the hand-written dolfinx baseline.

A  axisymmetric Si sphere, constant D, galvanostatic, to mean θ = 0.9 (τ = 0.9): centre stress
   against Cheng & Verbrugge at τ = 0.1 for successive refinements (mesh size and dt_max
   halved together); the cheapest run with an error below 1 % of S.
B  octant Si sphere of cases/default.yaml (two-phase D(θ), 0.1 A/g, to mean θ = 0.9) at
   ≈ 20k, 100k and 400k displacement DOFs, ``mpiexec -n 2`` (serial: 20k; all with --full);
   bench/baseline_dolfinx.py on the same .msh with a fixed dt equal to chemomech's smallest
   accepted dt (time extrapolated when it does not finish in --baseline-wall seconds) and with
   a fixed dt giving chemomech's step count (full run: peak von Mises compared); the exponent
   of the cost per step against DOFs. B writes a history row (and solves the mechanics) every
   B_HISTORY_EVERY = 10 steps, so its peaks are over the written rows only.
C  porous coated particle (cases/examples/porous.yaml), coarse, one-way (two-way if the case
   schema accepts ``coupling: two_way``).

Every chemomech run is a child process (``--_child``) that times the solver's stages by
wrapping its methods (no solver change) and runs under ``PETSC_OPTIONS=-log_view``; the event
totals are parsed from bench/results/logs/<run>_log_view.txt. Results:
bench/results/workloads.{json,md}. Nothing is asserted: a benchmark.

Usage::

    .venv/bin/python bench/bench_workloads.py              # make bench (A, B 20k/100k/400k, C)
    .venv/bin/python bench/bench_workloads.py --full       # also every B size serially (long)
    .venv/bin/python bench/bench_workloads.py --workloads B --b-sizes 0.48 --np 1
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import (ROOT, child_env, environment, json_safe, md_table,  # noqa: E402
                     mpi_prefix, parse_log_view, repo_relative)

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FARADAY = 96485.33212
VM_KEY = "core: max Von Mises stress [Pa]"

# ---------------------------------------------------------------- workload parameters
# A: the galvanostatic sphere of tests/verification/test_galvanostatic_sphere.py
A_R, A_D = 4e-6, 1e-14
A_SI = {"density": 2330.0, "c_max": 3.11e5, "volume_expansion": 2.8,
        "youngs_modulus": 185e9, "poissons_ratio": 0.22}
A_T = A_R**2 / A_D  # s; mean θ = τ with this current
A_CURRENT = A_SI["c_max"] * A_D * FARADAY / (A_SI["density"] * A_R**2)  # A/kg
A_TAUS = tuple(round(0.1 * k, 10) for k in range(1, 10))
# (mesh.size / R, time.dt_max in s): refined together; level 2 is the verification test's
A_LEVELS = [(1 / 2.5, 16.0), (1 / 5, 8.0), (1 / 10, 4.0), (1 / 20, 2.0), (1 / 40, 1.0)]
A_TOL = 0.01

# B: bulk mesh sizes (µm; surface size = size / 2) → displacement DOFs measured 2026-11-21
B_SIZES = {0.48: "≈20k", 0.23: "≈100k", 0.135: "≈400k"}
B_DEFAULT = (0.48, 0.23, 0.135)  # 0.135: 2 ranks only (serial with --full or --serial-sizes)
# a history row every 10 steps: with one-way coupling the mechanics is then solved only for
# those rows, the field outputs and the end (tests/regression/test_history_cadence.py), so the
# peak von Mises is over the written rows only (0.29 % below the every-step peak at 19k DOFs,
# bench/README.md); --set output.history_every=1 restores every step
B_HISTORY_EVERY = 10
# B keeps the consistent storage term of the baseline script (and of B's earlier runs), also
# since cases/default.yaml lumps it (2026-12-07): the peak von Mises is compared with the
# baseline's, and the two terms give peaks 1 % apart on this mesh family (README)
B_STORAGE = "solver.mass_lumping=false"

# C: porous coated particle, coarse
# mesh.size 0.5 µm still gives ≈405k displacement DOFs (≥ 3 elements through the 0.2 µm
# coatings): ~15 s per step on this VM, so the default stops early
C_OVERRIDES = ["mesh.size=0.5 um", "stop.mean_theta=0.03"]
# two-way: 2 steps give the cost per step, with the staggered scheme (CG + multigrid mechanics)
# and the monolithic one with its iterative linear solver (FGMRES + block preconditioner). The
# monolithic scheme's MUMPS LU on ≈440k u + θ + σ_h DOFs had finished no step after 10 min
# (2026-12-03, ≈5.5 GB per rank on 2 ranks); --c-monolithic adds that run
C_TWO_WAY_OVERRIDES = ["coupling=two_way", "stop.max_steps=2"]
#: the two-way runs of C: name → overrides
C_SCHEMES = {
    "staggered": ["solver.coupling_scheme=staggered"],
    "monolithic_iterative": ["solver.coupling_scheme=monolithic",
                             "solver.coupled_linear_solver=iterative"],
}


# ---------------------------------------------------------------- child: one instrumented run
TIMERS: dict[str, float] = {}
COUNTS: dict[str, int] = {}


def _wrap(cls, name: str, key: str) -> None:
    fn = getattr(cls, name, None)
    if fn is None or getattr(fn, "_bench_wrapped", False):
        return

    def wrapped(*a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            TIMERS[key] = TIMERS.get(key, 0.0) + time.perf_counter() - t0
            COUNTS[key] = COUNTS.get(key, 0) + 1

    wrapped._bench_wrapped = True
    setattr(cls, name, wrapped)


def install_timers() -> None:
    """Time the solver's stages by wrapping methods (the solver itself is unchanged)."""
    from solver.outputs import fields as out_fields, history as out_history
    from solver.physics import coupled, diffusion, mechanics, quantities

    _wrap(diffusion.DiffusionProblem, "step", "diffusion")
    _wrap(coupled.CoupledProblem, "step", "coupled")  # the monolithic two-way Newton
    _wrap(mechanics.MechanicsProblem, "solve", "mechanics")
    _wrap(mechanics.MechanicsProblem, "_assemble_matrix", "mechanics_matrix_assembly")
    _wrap(quantities.StressFields, "update", "stress")
    for name in ("surface_row", "region_row"):
        _wrap(quantities.Statistics, name, "statistics")
    _wrap(quantities.Probes, "evaluate", "statistics")
    _wrap(out_fields.FieldOutput, "write", "output")
    _wrap(out_history.HistoryWriter, "append", "output")


def run_child(spec_path: Path) -> int:
    from solver import _bootstrap  # noqa: F401
    from mpi4py import MPI

    import dolfinx  # noqa: F401
    import solver

    spec = json.loads(Path(spec_path).read_text())
    comm = MPI.COMM_WORLD
    install_timers()
    if spec.get("diffusion_solver"):
        from solver.physics import diffusion

        diffusion.LINEAR_SOLVER = spec["diffusion_solver"]
    row: dict = {}
    t0 = time.perf_counter()
    try:
        if spec.get("case_dict") is not None:
            case = solver.load_case_dict(spec["case_dict"], source=f"<{spec['name']}>")
        else:
            case = solver.load_case(spec["case"], overrides=spec.get("overrides", []))
        sim = solver.build_simulation(case, comm=comm, out_dir=spec["out_dir"], quiet=True)
        result = sim.run()
        s = result.summary
        run, mesh = s["run"], s["mesh"]
        timers = {k: comm.allreduce(TIMERS.get(k, 0.0), op=MPI.MAX)
                  for k in ("diffusion", "coupled", "mechanics", "mechanics_matrix_assembly",
                            "stress", "statistics", "output")}
        vm = [r[VM_KEY] for r in result.history if r.get(VM_KEY) == r.get(VM_KEY) and VM_KEY in r]
        steps = int(run["steps"])
        row = {
            "status": "ok" if result.status == "completed" else result.status,
            "stop_reason": result.stop_reason,
            "mpi_size": comm.size,
            "cells": int(mesh["cells"]),
            "dofs_theta": int(mesh["dofs"]["lithiation_fraction"]),
            "dofs_displacement": int(mesh["dofs"]["displacement"]),
            "mesh_file": mesh.get("file"),
            "steps": steps,
            # the history's "rejected steps" column stays 0 (see bench/README.md): count the
            # Newton solves (θ, or u, θ, σ_h of the monolithic two-way scheme) instead
            "diffusion_solves": COUNTS.get("diffusion", 0) + COUNTS.get("coupled", 0),
            "rejected_steps": COUNTS.get("diffusion", 0) + COUNTS.get("coupled", 0) - steps,
            "newton_iterations": int(run["newton_iterations"]),
            "krylov_mechanics": int(run["krylov_iterations_mechanics"]),
            "mechanics_solves": COUNTS.get("mechanics", 0),
            "mesh_time_s": run.get("mesh_time_s"),
            "setup_time_s": run.get("setup_time_s"),
            "wall_time_s": float(run["wall_time_s"]),
            "peak_memory_mb": float(run["peak_memory_mb"]),
            "peak_von_mises_pa": max(vm) if vm else math.nan,
            "final_mean_theta": result.history[-1].get("mean lithiation fraction [-]"),
            "timers": timers,
            "flux": float(sim.diffusion.flux.value) if sim.diffusion is not None else None,
            "diffusion_linear_solver": run.get("diffusion_linear_solver"),
            "krylov_diffusion": int(run.get("krylov_iterations_diffusion", 0)),
            "elapsed_in_child_s": time.perf_counter() - t0,
        }
        # over every accepted step: with history_every > 1 the history rows miss most of them
        row["dt_min_s"], row["dt_max_s"] = run.get("dt_min_s"), run.get("dt_max_s")
    except Exception as exc:  # reported in the table, the benchmark goes on
        row = {"status": "error", "error": f"{type(exc).__name__}: {exc}",
               "traceback": traceback.format_exc()}
    if comm.rank == 0:
        Path(spec["result"]).write_text(json.dumps(json_safe(row)))
    return 0


# ---------------------------------------------------------------- parent: run children
def run_chemomech(args, name: str, nprocs: int, *, case: Path | None = None,
                  overrides: list[str] | None = None, case_dict: dict | None = None) -> dict:
    """Run one chemomech case in a child process (under mpiexec for nprocs > 1)."""
    runs = args.results / "runs" / "workloads"
    logs = args.results / "logs"
    runs.mkdir(parents=True, exist_ok=True)
    logs.mkdir(parents=True, exist_ok=True)
    tag = f"{name}_np{nprocs}"
    spec = {"name": tag, "case": str(case) if case else None, "overrides": overrides or [],
            "case_dict": case_dict, "out_dir": str(runs / tag),
            "diffusion_solver": args.diffusion_solver,
            "result": str(runs / f"{tag}.result.json")}
    spec_path = runs / f"{tag}.spec.json"
    spec_path.write_text(json.dumps(spec))
    Path(spec["result"]).unlink(missing_ok=True)
    log_view = logs / f"{tag}_log_view.txt"
    env = child_env({"PETSC_OPTIONS": f"-log_view :{log_view}"} if args.log_view else {})
    cmd = [*mpi_prefix(nprocs), sys.executable, str(Path(__file__).resolve()),
           "--_child", str(spec_path)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    try:
        row = json.loads(Path(spec["result"]).read_text())
    except (OSError, ValueError):
        row = {"status": "crashed",
               "error": f"exit {proc.returncode}: {(proc.stderr or '')[-1500:]}"}
    row.update(name=name, ranks=nprocs, process_time_s=elapsed, out_dir=spec["out_dir"])
    if args.log_view and log_view.exists():
        row["log_view"] = repo_relative(log_view)
        row["petsc_events"] = _events_summary(parse_log_view(log_view))
    _derive(row)
    return row


def _events_summary(ev: dict) -> dict:
    def t(*names):
        return sum(ev.get(n, {}).get("time_s", 0.0) for n in names)

    return {
        "SNESSolve": t("SNESSolve"),
        "SNESJacobianEval": t("SNESJacobianEval"),
        "SNESFunctionEval": t("SNESFunctionEval"),
        "KSPSolve": t("KSPSolve"),
        "PCSetUp": t("PCSetUp"),
        "PCSetUp_GAMG": t("PCSetUp_GAMG+"),
        "GAMG_Galerkin_PtAP": t("MatPtAPNumeric"),
        "MatLUFactor": t("MatLUFactorNum", "MatLUFactorSym"),
        "MatSolve": t("MatSolve"),
        "MatMult": t("MatMult"),
        "PCApply": t("PCApply"),
        "MatAssemblyEnd": t("MatAssemblyEnd"),
    }


def _derive(row: dict) -> None:
    """Per-step values and the wall-time split (meshing, assembly, linear solves, output)."""
    steps = row.get("steps") or 0
    tm = row.get("timers") or {}
    ev = row.get("petsc_events") or {}
    if not steps or not tm:
        return
    wall = row["wall_time_s"]
    row["newton_per_step"] = row["newton_iterations"] / steps
    row["krylov_diffusion_per_newton"] = (row.get("krylov_diffusion", 0)
                                          / max(row["newton_iterations"], 1))
    row["krylov_mechanics_per_solve"] = row["krylov_mechanics"] / max(row["mechanics_solves"], 1)
    row["wall_per_step_s"] = wall / steps
    jac = ev.get("SNESJacobianEval", math.nan)
    res = ev.get("SNESFunctionEval", math.nan)
    mat = tm.get("mechanics_matrix_assembly", 0.0)
    # the SNES events count both Newtons: θ's, and the monolithic two-way one on (u, θ, σ_h)
    newton = tm.get("diffusion", 0.0) + tm.get("coupled", 0.0)
    row["split"] = split = {
        "meshing": row.get("mesh_time_s") or 0.0,
        "setup (spaces, forms, JIT)": (row.get("setup_time_s") or 0.0) - (row.get("mesh_time_s") or 0.0),
        "assembly: Newton Jacobian (θ; monolithic two-way: u, θ, σ_h)": jac,
        "assembly: Newton residual": res,
        "assembly: mechanics matrix": mat,
        "solve: Newton (− assembly: linear solver, line search)": newton - jac - res,
        "solve: mechanics (vector + multigrid setup + CG)": tm.get("mechanics", 0.0) - mat,
        "  of which GAMG setup (PCSetUp_GAMG, on the P1 level)": ev.get("PCSetUp_GAMG", math.nan),
        "stress (DG1 tensor + invariants)": tm.get("stress", 0.0),
        "statistics + probes": tm.get("statistics", 0.0),
        "output (XDMF + history)": tm.get("output", 0.0),
    }
    accounted = sum(v for k, v in split.items() if not k.startswith(("meshing", "setup", "  "))
                    and v == v)
    split["other (time loop overhead)"] = wall - accounted
    row["assembly_s"] = jac + res + mat
    row["linear_solves_s"] = (newton - jac - res) + (tm.get("mechanics", 0.0) - mat)
    row["output_s"] = tm.get("output", 0.0)
    row["post_s"] = tm.get("stress", 0.0) + tm.get("statistics", 0.0)


def run_baseline(args, msh: str, dt: float, nprocs: int, tag: str,
                 max_wall: float | None) -> dict:
    out = args.results / "runs" / "workloads" / f"baseline_{tag}_np{nprocs}.json"
    out.unlink(missing_ok=True)
    cmd = [*mpi_prefix(nprocs), sys.executable, str(HERE / "baseline_dolfinx.py"), msh,
           "--dt", repr(dt), "--json", str(out), "--quiet"]
    if max_wall:
        cmd += ["--max-wall", repr(max_wall)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), cwd=ROOT)
    try:
        row = json.loads(out.read_text())
    except (OSError, ValueError):
        row = {"status": "crashed", "error": f"exit {proc.returncode}: {proc.stderr[-1500:]}"}
    row.update(ranks=nprocs, process_time_s=time.perf_counter() - t0, tag=tag)
    row.setdefault("status", "ok")
    return row


# ---------------------------------------------------------------- workloads
def _analytic():
    spec = importlib.util.spec_from_file_location(
        "cv_analytic", ROOT / "tests" / "verification" / "analytic.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def a_case(size_frac: float, dt_max: float) -> dict:
    size = A_R * size_frac
    return {
        "schema_version": 1,
        "title": "workload A: galvanostatic sphere, constant D",
        "geometry": {"kind": "sphere", "mode": "axisymmetric", "radius": A_R},
        "mesh": {"size": size, "surface_size": size / 4, "cache": False},
        "materials": {"core": {**A_SI, "diffusivity": {"kind": "constant", "value": A_D}}},
        "loading": {"kind": "galvanostatic", "specific_current": A_CURRENT,
                    "surfaces": ["outer_surface"], "initial_theta": 0.0},
        "stop": {"mean_theta": 0.9},
        "time": {"dt_initial": 0.05, "dt_min": 1e-4, "dt_max": dt_max, "max_dtheta": 0.05,
                 "output_times": [tau * A_T for tau in A_TAUS], "output_every": 100000},
        "output": {"pictures": False, "formats": ["xdmf"],
                   "probes": [{"name": "centre", "point": [0.0, 0.0]}]},
        "solver": {"linear_rtol": 1e-10},
    }


def workload_a(args, say) -> list[dict]:
    cv = _analytic()
    ref = {tau: float(cv.cv_stress([0.0], tau)[0][0]) for tau in A_TAUS}
    rows = []
    levels = A_LEVELS[: args.a_levels]
    for k, (frac, dt_max) in enumerate(levels):
        row = run_chemomech(args, f"A_level{k}", 1, case_dict=a_case(frac, dt_max))
        row.update(level=k, size_um=A_R * frac * 1e6, dt_max_s=dt_max)
        if row.get("status") == "ok":
            j = row["flux"]
            S = (A_SI["volume_expansion"] / A_SI["c_max"]) * A_SI["youngs_modulus"] * (
                j * A_R / A_D) / (3.0 * (1.0 - A_SI["poissons_ratio"]))
            hist = _read_history(Path(row["out_dir"]) / "history.csv")
            errs = {}
            for tau in A_TAUS:
                r = [h for h in hist if abs(h["time [s]"] - tau * A_T) < 1e-9 * A_T]
                if r:
                    errs[tau] = abs(r[0]["probe centre: Hydrostatic stress [Pa]"] / S - ref[tau])
            row["S_pa"] = S
            row["error_tau_0.1"] = errs.get(0.1, math.nan)
            row["error_max_tau"] = max(errs.values()) if errs else math.nan
            row["errors_by_tau"] = {str(k_): v for k_, v in errs.items()}
        rows.append(row)
        say(f"  A level {k}: h = R/{1 / frac:g}, dt_max {dt_max:g} s: {row.get('status')}, "
            f"{row.get('steps')} steps, error(τ=0.1) {row.get('error_tau_0.1', math.nan):.4f} S, "
            f"wall {row.get('wall_time_s', math.nan):.1f} s")
        if row.get("error_tau_0.1", 1.0) < A_TOL and row.get("error_max_tau", 1.0) < A_TOL:
            break  # the cheapest run within 1 %: finer levels only cost more
    ok = [r for r in rows if r.get("error_tau_0.1", 1.0) < A_TOL]
    for r in rows:
        r["cheapest_within_1pct"] = bool(ok) and r is min(ok, key=lambda x: x["wall_time_s"])
    return rows


def _read_history(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return [{k: _num(v) for k, v in r.items()} for r in csv.DictReader(fh)]


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return v


def _b_overrides(args, size: float) -> list[str]:
    return [f"mesh.size={size:g} um", f"mesh.surface_size={size / 2:g} um", "mesh.cache=true",
            f"mesh.cache_dir={args.results / 'meshes'}", "output.pictures=false",
            "output.formats=[xdmf]", f"output.history_every={B_HISTORY_EVERY}", B_STORAGE,
            *args.overrides]


def workload_b(args, say) -> tuple[list[dict], list[dict], dict]:
    rows, base_rows = [], []
    sizes = args.b_sizes or B_DEFAULT
    for size in sizes:
        serial = None
        with_serial = not args.skip_serial and (args.full or size in args.serial_sizes)
        ranks = ([1] if with_serial else []) + ([args.np] if args.np > 1 else [])
        for n in ranks:
            row = run_chemomech(args, f"B_h{size:g}", n, case=args.case,
                                overrides=_b_overrides(args, size))
            row.update(size_um=size)
            rows.append(row)
            if n == ranks[0]:
                serial = row  # the reference for the baseline: serial if run
            say(f"  B h = {size:g} µm, {n} rank(s): {row.get('status')}, "
                f"{row.get('dofs_displacement')} u DOFs, {row.get('steps')} steps, "
                f"wall {row.get('wall_time_s', math.nan):.1f} s, "
                f"peak mem {row.get('peak_memory_mb', math.nan):.0f} MB")
        if serial is None or serial.get("status") != "ok" or not serial.get("mesh_file"):
            continue
        if size not in args.baseline_sizes:
            continue
        hist = _read_history(Path(serial["out_dir"]) / "history.csv")
        dt_min = serial["dt_min_s"]
        # baseline 1: the instructed fixed dt = chemomech's smallest accepted dt
        for n in ranks:
            ref = next(r for r in rows if r.get("size_um") == size and r["ranks"] == n)
            b = run_baseline(args, serial["mesh_file"], dt_min, n, f"h{size:g}_dtmin",
                             args.baseline_wall)
            b.update(size_um=size, variant="dt = chemomech's smallest dt", chemomech=ref["name"])
            _compare(b, ref, hist)
            base_rows.append(b)
            say(f"  baseline h = {size:g} µm, {n} rank(s), dt {dt_min:g} s: "
                f"{b.get('steps')} of {b.get('steps_needed')} steps in "
                f"{b.get('loop_time_s', math.nan):.1f} s → total "
                f"{b.get('total_time_extrapolated_s', math.nan):.0f} s"
                f"{' (extrapolated)' if not b.get('complete', True) else ''}; ratio "
                f"{b.get('time_ratio', math.nan):.3f}")
        # baseline 2: fixed dt with chemomech's number of steps, full run → peak von Mises
        if size in args.equal_step_sizes and serial["ranks"] == 1:
            ref = serial
            dt_eq = hist[-1]["time [s]"] / serial["steps"]
            b = run_baseline(args, serial["mesh_file"], dt_eq, 1, f"h{size:g}_dteq", None)
            b.update(size_um=size, variant="dt = t_end / chemomech's steps",
                     chemomech=ref["name"])
            _compare(b, ref, hist)
            base_rows.append(b)
            say(f"  baseline h = {size:g} µm, 1 rank, dt {dt_eq:.4g} s: {b.get('steps')} steps, "
                f"{b.get('total_time_s', math.nan):.1f} s, ratio {b.get('time_ratio', math.nan):.3f}, "
                f"peak von Mises difference {b.get('peak_vm_diff_pct', math.nan):+.3f} %")
    fit = _fit_exponent([r for r in rows if r.get("status") == "ok" and r["ranks"] == 1])
    fit_np = _fit_exponent([r for r in rows if r.get("status") == "ok" and r["ranks"] == args.np])
    return rows, base_rows, {"serial": fit, f"np{args.np}": fit_np}


def _compare(b: dict, ref: dict, hist: list[dict]) -> None:
    """Time ratio chemomech / baseline and the von Mises agreement."""
    if b.get("status") not in (None, "ok") or "total_time_s" not in b:
        return
    base_total = b["total_time_extrapolated_s"]
    ours = (ref.get("mesh_time_s") or 0.0) + ref.get("setup_time_s", 0.0) * 0 + ref["wall_time_s"]
    # like for like: chemomech setup (mesh read + spaces + forms) + time loop, against the
    # baseline's whole script time (mesh read + setup + time loop)
    ours = (ref.get("setup_time_s") or 0.0) + ref["wall_time_s"]
    b["chemomech_time_s"] = ours
    b["time_ratio"] = ours / base_total if base_total else math.nan
    b["baseline_per_step_s"] = b.get("wall_per_step_s")
    if b.get("complete"):
        peak = ref["peak_von_mises_pa"]
        b["peak_vm_diff_pct"] = 100.0 * (b["peak_von_mises_pa"] - peak) / peak
    # on the common time interval: max |Δ max von Mises| / peak (baseline history linear in t)
    bh = b.get("history") or []
    if len(bh) > 1:
        import numpy as np

        tb = np.array([h[0] for h in bh])
        vb = np.array([h[2] for h in bh])
        pts = [(r["time [s]"], r[VM_KEY]) for r in hist if 0 < r["time [s]"] <= tb[-1]]
        if pts:
            t, v = np.array(pts).T
            diff = np.abs(np.interp(t, tb, vb) - v)
            b["common_t_end_s"] = float(tb[-1])
            b["vm_max_diff_common_pct"] = float(100.0 * diff.max() / max(np.abs(vb).max(), 1.0))
    b.pop("history", None)


def _fit_exponent(rows: list[dict]) -> dict:
    """Least-squares slopes of log(wall per step) against log(displacement DOFs) and log(cells).

    Assembly works per cell, and cells/DOF drifts with the mesh size (the refined surface
    layer), so the two exponents differ by that drift (also reported).
    """
    rows = [r for r in rows if r.get("wall_per_step_s")]
    pts = [(r["dofs_displacement"], r["wall_per_step_s"]) for r in rows]
    if len(pts) < 2:
        return {"exponent": None, "points": pts}
    import numpy as np

    x, y = np.log(np.array(pts, dtype=float)).T
    cells = np.log([float(r["cells"]) for r in rows])
    return {"exponent": float(np.polyfit(x, y, 1)[0]),
            "exponent_cells": float(np.polyfit(cells, y, 1)[0]),
            "exponent_cells_vs_dofs": float(np.polyfit(x, cells, 1)[0]), "points": pts}


def workload_c(args, say) -> list[dict]:
    rows = []
    case = ROOT / "cases" / "examples" / "porous.yaml"
    base = [*C_OVERRIDES, "output.pictures=false", "output.formats=[xdmf]", "mesh.cache=true",
            f"mesh.cache_dir={args.results / 'meshes'}"]
    schemes = dict(C_SCHEMES)
    if args.c_monolithic:
        schemes["monolithic"] = ["solver.coupling_scheme=monolithic",
                                 "solver.coupled_linear_solver=direct"]
    for coupling in ("one_way", *(f"two_way_{x}" for x in schemes)):
        extra = [] if coupling == "one_way" else [
            *C_TWO_WAY_OVERRIDES, *schemes[coupling.removeprefix("two_way_")]]
        ranks = ([1] if args.full else []) + ([args.np] if args.np > 1 else [1])
        for n in ranks:
            if coupling != "one_way" and not _two_way_available(case, base):
                rows.append({"name": f"C_{coupling}", "coupling": coupling, "ranks": n,
                             "status": "two-way: not available"})
                continue
            row = run_chemomech(args, f"C_{coupling}", n, case=case, overrides=base + extra)
            row.update(coupling=coupling)
            rows.append(row)
            say(f"  C {coupling}, {n} rank(s): {row.get('status')}, "
                f"{row.get('dofs_displacement')} u DOFs, {row.get('steps')} steps, "
                f"wall {row.get('wall_time_s', math.nan):.1f} s")
    return rows


def _two_way_available(case: Path, overrides: list[str]) -> bool:
    try:
        import solver

        solver.load_case(case, overrides=[*overrides, "coupling=two_way"])
        return True
    except Exception:
        return False


# ---------------------------------------------------------------- tables
def _fmt_split(row: dict) -> str:
    sp = row.get("split") or {}
    wall = row.get("wall_time_s") or math.nan
    return "; ".join(f"{k} {v:.2f} s ({100 * v / wall:.0f} %)" for k, v in sp.items()
                     if v == v and not k.startswith(("meshing", "setup")))


COMMON = [
    ("ranks", "ranks", "{:d}"),
    ("cells", "cells", "{:d}"),
    ("dofs_theta", "DOFs θ", "{:d}"),
    ("dofs_displacement", "DOFs u", "{:d}"),
    ("steps", "steps", "{:d}"),
    ("rejected_steps", "rejected", "{:d}"),
    ("newton_per_step", "Newton/step", "{:.2f}"),
    ("diffusion_linear_solver", "θ linear solver", "{}"),
    ("krylov_diffusion_per_newton", "Krylov θ/Newton", "{:.1f}"),
    ("mechanics_solves", "mech. solves", "{:d}"),
    ("krylov_mechanics_per_solve", "Krylov mech./solve", "{:.1f}"),
    ("mesh_time_s", "meshing [s]", "{:.2f}"),
    ("assembly_s", "assembly [s]", "{:.1f}"),
    ("linear_solves_s", "linear solves [s]", "{:.1f}"),
    ("post_s", "stress+stats [s]", "{:.1f}"),
    ("output_s", "output [s]", "{:.1f}"),
    ("wall_time_s", "total (run) [s]", "{:.1f}"),
    ("wall_per_step_s", "per step [s]", "{:.3f}"),
    ("peak_memory_mb", "peak mem [MB]", "{:.0f}"),
]
A_COLS = [("level", "level", "{:d}"), ("size_um", "h [µm]", "{:.3g}"),
          ("dt_max_s", "dt_max [s]", "{:g}"), *COMMON,
          ("error_tau_0.1", "error σ_c(τ=0.1) [S]", "{:.4f}"),
          ("error_max_tau", "max error τ≤0.9 [S]", "{:.4f}"),
          ("cheapest_within_1pct", "cheapest < 1 %", "{}"), ("status", "status", "{}")]
B_COLS = [("size_um", "h [µm]", "{:g}"), *COMMON,
          ("peak_von_mises_pa", "peak von Mises [Pa]", "{:.4e}"), ("status", "status", "{}")]
BASE_COLS = [("size_um", "h [µm]", "{:g}"), ("ranks", "ranks", "{:d}"),
             ("variant", "baseline dt", "{}"), ("dt_s", "dt [s]", "{:.4g}"),
             ("dofs_displacement", "DOFs u", "{:d}"),
             ("steps", "steps run", "{:d}"), ("steps_needed", "steps needed", "{:d}"),
             ("newton_per_step", "Newton/step", "{:.2f}"),
             ("krylov_mechanics_per_step", "Krylov/solve", "{:.1f}"),
             ("wall_per_step_s", "per step [s]", "{:.3f}"),
             ("total_time_extrapolated_s", "baseline total [s]", "{:.1f}"),
             ("complete", "complete", "{}"),
             ("chemomech_time_s", "chemomech [s]", "{:.1f}"),
             ("time_ratio", "chemomech / baseline", "{:.3f}"),
             ("peak_vm_diff_pct", "Δ peak von Mises [%]", "{:+.3f}"),
             ("vm_max_diff_common_pct", "max Δ von Mises on common t [%]", "{:.3f}"),
             ("peak_memory_mb", "peak mem [MB]", "{:.0f}")]
C_COLS = [("coupling", "coupling", "{}"), *COMMON,
          ("peak_von_mises_pa", "peak core von Mises [Pa]", "{:.4e}"), ("status", "status", "{}")]


def render(meta: dict, res: dict) -> str:
    L = [f"# chemomech performance workloads ({meta['environment']['date']})", "",
         f"Host `{meta['environment']['host']}`, {meta['environment']['cpu_count']} CPUs; "
         f"total benchmark time {meta['total_time_s']:.0f} s. Timings are noisy (one run each).",
         ""]
    if "A" in res:
        L += ["## A: axisymmetric sphere, constant D, to τ = 0.9 (Cheng–Verbrugge)", "",
              md_table(res["A"], A_COLS, left=("status", "cheapest_within_1pct", "diffusion_linear_solver")), ""]
        best = [r for r in res["A"] if r.get("cheapest_within_1pct")]
        L += [("Cheapest run within 1 % of S at τ = 0.1: level "
               f"{best[0]['level']} ({best[0]['wall_time_s']:.1f} s)") if best else
              "No run within 1 % of S at τ = 0.1.", ""]
    if "B" in res:
        L += ["## B: octant Si sphere, two-phase D(θ), 0.1 A/g to mean θ = 0.9", "",
              md_table(res["B"], B_COLS, left=("status", "diffusion_linear_solver")), ""]
        for k, f in res.get("B_fit", {}).items():
            if f.get("exponent") is not None:
                L.append(f"Cost per step ∝ DOFs^p ({k}): p = {f['exponent']:.2f} "
                         f"(points {', '.join(f'{int(d)}: {t:.3f} s' for d, t in f['points'])}); "
                         f"against cells p = {f['exponent_cells']:.2f}, cells ∝ "
                         f"DOFs^{f['exponent_cells_vs_dofs']:.2f}")
        L += ["", "### Baseline (bench/baseline_dolfinx.py) on the same .msh", "",
              md_table(res.get("B_baseline", []), BASE_COLS, left=("variant", "complete")), "",
              "chemomech time = setup (mesh read, spaces, forms) + time loop; baseline total = "
              "the whole script (extrapolated from its cost per step when it was stopped "
              "after --baseline-wall seconds). Δ peak von Mises only for complete baseline "
              "runs; the last column compares the max von Mises over the time both covered.",
              "", "### Where the time goes (time loop, from method timers and -log_view)", ""]
        for r in res["B"]:
            if r.get("split"):
                L.append(f"- h = {r['size_um']:g} µm, {r['ranks']} rank(s), "
                         f"{r['wall_time_s']:.1f} s: {_fmt_split(r)}")
        L.append("")
    if "C" in res:
        L += ["## C: porous coated particle (cases/examples/porous.yaml, "
              + ", ".join(C_OVERRIDES) + ")", "",
              md_table(res["C"], C_COLS, left=("coupling", "status", "diffusion_linear_solver")), ""]
        for r in res["C"]:
            if r.get("split"):
                L.append(f"- {r['coupling']}, {r['ranks']} rank(s): {_fmt_split(r)}")
        L.append("")
    errors = [r for k in ("A", "B", "B_baseline", "C") for r in res.get(k, [])
              if r.get("error")]
    if errors:
        L += ["Failures:", ""] + [f"- {r.get('name', r.get('tag'))}: {r['error'][:300]}"
                                  for r in errors]
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--workloads", nargs="+", choices=("A", "B", "C"), default=["A", "B", "C"])
    p.add_argument("--c-monolithic", action="store_true",
                   help="also run C two-way with the monolithic scheme's MUMPS LU (> 10 min "
                        "and ≈11 GB on 2 ranks; its iterative solver runs anyway)")
    p.add_argument("--full", action="store_true",
                   help="every B size and C also serially (long: about an hour on 2 vCPUs; "
                        "B at 400k serial alone ≈6 min)")
    p.add_argument("--np", type=int, default=2, help="MPI ranks of the parallel runs (1: none)")
    p.add_argument("--skip-serial", action="store_true",
                   help="workload B: only the --np rank runs (the 60 s target is on 2 cores)")
    p.add_argument("--serial-sizes", nargs="*", type=float, default=[0.48], metavar="UM",
                   help="B sizes that also run serially (all with --full; the 20-minute "
                        "budget leaves no room for a serial 100k run)")
    p.add_argument("--b-sizes", nargs="+", type=float, default=None, metavar="UM",
                   help=f"workload B bulk mesh sizes (default {B_DEFAULT})")
    p.add_argument("--baseline-sizes", nargs="*", type=float, default=[0.48, 0.23],
                   metavar="UM", help="B sizes that also run the baseline")
    p.add_argument("--equal-step-sizes", nargs="*", type=float, default=[0.48], metavar="UM",
                   help="B sizes that also run the baseline to the end with chemomech's step "
                        "count (peak von Mises comparison)")
    p.add_argument("--baseline-wall", type=float, default=40.0,
                   help="stop the smallest-dt baseline after this many seconds of time "
                        "stepping and extrapolate (0: run it to the end)")
    p.add_argument("--a-levels", type=int, default=len(A_LEVELS),
                   help="at most this many refinement levels for workload A")
    p.add_argument("--case", type=Path, default=ROOT / "cases" / "default.yaml")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="extra override for the B runs")
    p.add_argument("--diffusion-solver", default=None, metavar="KIND",
                   help="force the Newton linear solver of θ (solver.physics.diffusion."
                        "linear_solver_options: direct, lagged_lu[:N], gamg, ilu, amg; default: "
                        "the solver's choice by size)")
    p.add_argument("--no-log-view", dest="log_view", action="store_false",
                   help="do not run chemomech under PETSc -log_view")
    p.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--stem", default="workloads")
    p.add_argument("--_child", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.baseline_wall == 0:
        args.baseline_wall = None
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args._child:
        return run_child(args._child)
    args.results = args.results.resolve()
    args.case = args.case.resolve()
    args.results.mkdir(parents=True, exist_ok=True)

    def say(msg=""):
        print(msg, flush=True)

    t0 = time.perf_counter()
    res: dict = {}
    say(f"chemomech workloads {' '.join(args.workloads)} (serial and {args.np} ranks)")
    if "A" in args.workloads:
        say("A: axisymmetric galvanostatic sphere, constant D, refinements")
        res["A"] = workload_a(args, say)
    if "B" in args.workloads:
        say("B: octant default case, mesh sizes " +
            ", ".join(f"{s:g} µm" for s in (args.b_sizes or B_DEFAULT)))
        res["B"], res["B_baseline"], res["B_fit"] = workload_b(args, say)
    if "C" in args.workloads:
        say("C: porous coated particle")
        res["C"] = workload_c(args, say)
    meta = {"benchmark": "bench_workloads", "total_time_s": time.perf_counter() - t0,
            "environment": environment(1), "args": {k: str(v) for k, v in vars(args).items()}}
    md = render(meta, res)
    (args.results / f"{args.stem}.md").write_text(md)
    for rows in (res.get("A", []), res.get("B", []), res.get("C", [])):
        for r in rows:
            r.pop("traceback", None) if r.get("status") == "ok" else None
    (args.results / f"{args.stem}.json").write_text(
        json.dumps(json_safe({**meta, **res}), indent=1) + "\n")
    say()
    say(md)
    say(f"written {args.results / (args.stem + '.md')} and {args.stem}.json")
    bad = [r for k in ("A", "B", "C") for r in res.get(k, [])
           if r.get("status") not in ("ok", "two-way: not available")]
    return 1 if bad else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
