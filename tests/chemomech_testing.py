"""Shared test helpers (imported as ``chemomech_testing``): case dicts built in Python and
run through the same code path as the CLI."""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")

#: Si-like elastic constants used by the verification tests (values only need to be plausible)
SI = {
    "density": 2330.0,
    "c_max": 3.11e5,
    "volume_expansion": 2.8,
    "youngs_modulus": 185e9,
    "poissons_ratio": 0.22,
}


def sphere_case(mode="octant", radius=4e-6, size=None, surface_size=None, **sections):
    """A valid case dict for a solid Si sphere; ``sections`` replace or extend the defaults."""
    case = {
        "schema_version": 1,
        "title": "test sphere",
        "geometry": {"kind": "sphere", "mode": mode, "radius": radius},
        "mesh": {"size": size or radius / 4, "cache": False},
        "materials": {
            "core": {**SI, "diffusivity": {"kind": "constant", "value": 1e-14}},
        },
        "loading": {"kind": "prescribed", "profile": {"kind": "uniform", "theta": 0.5}},
        "output": {"pictures": False, "formats": ["xdmf"]},
    }
    if surface_size is not None:
        case["mesh"]["surface_size"] = surface_size
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(case.get(key), dict) and key != "loading":
            case[key] = {**case[key], **copy.deepcopy(value)}
        else:
            case[key] = copy.deepcopy(value)
    return case


def front_case(time: dict, radius=4e-6) -> dict:
    """Octant Si sphere with the sharp two-phase D(θ), galvanostatic to mean θ 0.3: a moving
    front, the hardest Newton systems; ``time`` is the case's time section."""
    case = sphere_case(mode="octant", radius=radius, size=radius / 4, surface_size=radius / 8)
    case["materials"]["core"] = {
        **SI, "diffusivity": {"kind": "two_phase", "pristine": 2e-17, "lithiated": 2e-15,
                              "theta_star": 0.5, "width": 0.05}}
    case["loading"] = {"kind": "galvanostatic", "specific_current": 1000.0,
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.3}
    case["time"] = dict(time)
    return case


def two_way_case(scheme: str, radius=4e-6) -> dict:
    """Axisymmetric Si sphere, two-way coupled (``scheme``: solver.coupling_scheme), at 8 A/g
    to mean θ 0.1 in a few dozen steps, no checkpoints of its own: the restart tests' case."""
    case = sphere_case(mode="axisymmetric", radius=radius, size=radius / 4,
                       surface_size=radius / 8)
    case["loading"] = {"kind": "galvanostatic", "specific_current": "8 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.1}
    case["time"] = {"dt_initial": 0.5, "dt_max": 5.0, "max_dtheta": 0.05}
    case["coupling"] = "two_way"
    case["solver"] = {"coupling_scheme": scheme}
    case["output"].update(checkpoint_every=None, checkpoint_minutes=None)
    return case


def run_case(case: dict, out_dir: Path, name: str = "test"):
    """Validate and run a case dict in-process; returns (simulation, result)."""
    from solver import build_simulation, load_case_dict

    c = load_case_dict(case, source=f"<{name}>")
    sim = build_simulation(c, out_dir=out_dir, quiet=True)
    return sim, sim.run()


def chemomech_cmd() -> list[str]:
    return [sys.executable, "-m", "solver"]


#: --set values that make cases/default.yaml run long enough (a few hundred short steps, a
#: history row each) for a test to signal it mid-run; with them, a coarse axisymmetric mesh
SLOW_RUN_SETS = ["stop.mean_theta=0.3", "time.max_dtheta=0.002", "output.history_every=1",
                 "time.output_every=100"]


def set_args(sets) -> list[str]:
    """``--set`` options of a command line, one per ``key=value`` of ``sets``."""
    return [arg for item in sets for arg in ("--set", str(item))]


def mpiexec() -> str | None:
    cand = Path(sys.executable).parent / "mpiexec"
    if cand.exists():
        return str(cand)
    import shutil

    return shutil.which("mpiexec")


def remove_rigid_motion(sim, diff):
    """Subtract from a displacement dof vector the least-squares part in the operator's null
    space (the rigid motions a free body may carry), e.g. before comparing with an exact u.
    Returns the owned entries only."""
    import numpy as np
    from mpi4py import MPI

    V = sim.mechanics.V
    n_owned = V.dofmap.index_map.size_local * V.dofmap.index_map_bs
    ns = sim.mechanics.null_space
    if ns is None:
        return diff[:n_owned]
    modes = []
    for vec in ns.getVecs():  # orthonormal PETSc vectors (owned part)
        modes.append(vec.getArray(readonly=True).copy())
    B = np.array(modes)
    comm = sim.domain.comm
    coef = comm.allreduce(B @ diff[:n_owned], op=MPI.SUM)  # orthonormal basis: projections
    return diff[:n_owned] - coef @ B


def signal_after_step(sim, step: int, signum=None) -> None:
    """Make an in-process run send itself SIGTERM (or ``signum``) once it has recorded
    ``step``: it then stops after that step with a checkpoint, as a batch system's time
    limit would stop it."""
    import os
    import signal

    record = sim._record

    def record_then_signal(*args, **kw):
        record(*args, **kw)
        if sim._step == step:
            os.kill(os.getpid(), signum or signal.SIGTERM)

    sim._record = record_then_signal


def assert_same_history(expected: list[dict], got: list[dict], rel: float, skip=(),
                        balance_below: float | None = None) -> None:
    """Same steps; every number column of ``got`` within ``rel`` of the column's largest
    magnitude in ``expected``, NaN in the same rows (the first row's current), an integer
    column (iteration counts) equal unless its values are floats. ``balance_below``: the Li
    balance error (a round-off quantity) is only checked to be below it."""
    assert [r["step"] for r in got] == [r["step"] for r in expected]
    for key in expected[0]:
        if key in skip:
            continue
        a = [float(r[key]) for r in expected]
        b = [float(r[key]) for r in got]
        assert [x != x for x in a] == [y != y for y in b], (key, "NaN in other rows")
        a, b = [x for x in a if x == x], [y for y in b if y == y]
        if not a:
            continue
        if balance_below is not None and key == "Li balance error [-]":
            assert max(b) < balance_below, key
            continue
        scale = max(abs(v) for v in a) or 1.0
        worst = max(abs(x - y) for x, y in zip(a, b))
        assert worst <= rel * scale, (key, worst / scale)


#: a small valid case file text (axisymmetric 1 um sphere, one max von Mises measure 'y'):
#: the configurations of the compare tests, which read hand-made results, not runs
TINY_CASE = """\
schema_version: 1
title: tiny
references: ["test fixture"]
geometry: {kind: sphere, mode: axisymmetric, radius: 1 um}
mesh: {size: 0.25 um, cache: false}
materials:
  core: {density: 2330 kg/m^3, specific_capacity: 3579 mA*h/g, volume_expansion: 2.8,
         youngs_modulus: 185 GPa, poissons_ratio: 0.22,
         diffusivity: {kind: constant, value: 1e-15 m^2/s}}
loading: {kind: galvanostatic, specific_current: 1 A/g, surfaces: [outer_surface]}
stop: {mean_theta: 0.3}
output:
  formats: [vtk]
  measures: [{name: y, field: von_mises, statistic: max}]
"""
