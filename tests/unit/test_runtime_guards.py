"""A run that computes NaN/inf, or a solver that fails inside PETSc, ends with one line and
exit 1; a case without swelling runs. Small axisymmetric meshes: a few seconds in all."""

from __future__ import annotations

import json
import math

import pytest

from chemomech_testing import ROOT, run_case, sphere_case

PRESCRIBED = {"kind": "prescribed", "profile": {"kind": "uniform", "theta": 0.5}}


def _small(**sections):
    return sphere_case(mode="axisymmetric", radius=4e-6, size=1e-6, loading=PRESCRIBED,
                       **sections)


def test_no_swelling_anywhere_runs_stress_free(tmp_path):
    """volume_expansion: 0 made UFL drop the whole swelling load, and assembling the empty
    form raised IndexError (vector::_M_range_check) in the first mechanics solve."""
    case = _small()
    case["materials"]["core"]["volume_expansion"] = 0.0
    _, result = run_case(case, tmp_path)
    row = result.history[-1]
    assert result.status == "completed"
    assert row["core: max Von Mises stress [Pa]"] == pytest.approx(0.0, abs=1e-6)


def test_a_non_finite_result_stops_the_run_naming_what_and_the_step(tmp_path, monkeypatch):
    from solver import build_simulation, load_case_dict
    from solver.simulation import NonFiniteResult

    sim = build_simulation(load_case_dict(_small(), source="<t>"), out_dir=tmp_path,
                           quiet=True)
    monkeypatch.setattr(sim, "li_content", lambda: math.nan)
    with pytest.raises(NonFiniteResult) as info:
        sim.run()
    text = str(info.value)
    assert "step 0" in text and "mean lithiation fraction [-]" in text and "NaN" in text
    assert "\n" not in text
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "failed"
    history = tmp_path / "history.csv"
    assert not history.exists() or "nan" not in history.read_text().lower()  # no NaN row


def test_a_nan_displacement_is_named(tmp_path, monkeypatch):
    from solver import build_simulation, load_case_dict
    from solver.simulation import NonFiniteResult

    sim = build_simulation(load_case_dict(_small(), source="<t>"), out_dir=tmp_path,
                           quiet=True)
    solve = sim.mechanics.solve

    def poisoned(*args, **kwargs):
        its = solve(*args, **kwargs)
        sim.mechanics.u.x.array[0] = math.inf
        return its

    monkeypatch.setattr(sim.mechanics, "solve", poisoned)
    with pytest.raises(NonFiniteResult, match=r"step 0, t = 0 s: .*displacement u"):
        sim.run()


def test_a_petsc_error_in_the_elasticity_solve_is_a_mechanics_error(tmp_path):
    """A modulus that under- or overflowed the Chebyshev eigenvalue estimate raised
    petsc4py.PETSc.Error ("Computed maximum singular value as zero"): a traceback."""
    from petsc4py import PETSc

    from solver import build_simulation, load_case_dict
    from solver.physics.mechanics import MechanicsError

    sim = build_simulation(load_case_dict(_small(), source="<t>"), out_dir=tmp_path,
                           quiet=True)

    class FailingKSP:
        def __init__(self, ksp):
            self._ksp = ksp

        def solve(self, b, x):
            raise PETSc.Error(77)

        def __getattr__(self, name):
            return getattr(self._ksp, name)

    sim.mechanics.ksp = FailingKSP(sim.mechanics.ksp)
    with pytest.raises(MechanicsError, match="error code 77"):
        sim.mechanics.solve()


def test_solver_reasons_are_named():
    from solver.physics.diffusion import snes_reason
    from solver.physics.mechanics import _ksp_reason

    assert snes_reason(-4) == "SNES reason -4 (residual NaN or inf)"
    assert snes_reason(-99) == "SNES reason -99"
    assert _ksp_reason(-9) == "KSP reason -9: NaN or inf in the system"


def test_cli_exits_1_with_one_line_for_a_non_finite_result(tmp_path, monkeypatch, capsys):
    from solver import cli
    from solver.simulation import Simulation

    monkeypatch.setattr(Simulation, "li_content", lambda self: math.nan)
    rc = cli.main(["run", str(ROOT / "cases" / "default.yaml"), "--quiet", "--out",
                   str(tmp_path / "out"), "--set", "geometry.mode=axisymmetric",
                   "--set", "mesh.size=1 um", "--set", "mesh.surface_size=null",
                   "--set", "output.pictures=false", "--set", "stop.max_steps=1"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1].startswith("error: step 0, t = 0 s: mean lithiation fraction [-]")
