"""The iterative linear solver of the monolithic two-way Newton gives the LU's answer.

``solver.coupled_linear_solver: iterative`` (FGMRES + block preconditioner θ → u → σ_h)
must change only how each Newton system is solved: the same steps, Newton iterations and
history as MUMPS LU, to the Krylov tolerance. A one-material sphere (one σ_h field) and a
coated sphere (two σ_h fields: the core's and the active coating's, four blocks).
"""

from __future__ import annotations

import pytest

from chemomech_testing import SI, assert_same_history, run_case, sphere_case

R = 4e-6


def _sphere() -> dict:
    case = sphere_case(mode="octant", radius=R, size=R / 3, surface_size=R / 6)
    case["loading"] = {"kind": "galvanostatic", "specific_current": "8 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.08}
    return case


def _coated() -> dict:
    case = _sphere()
    case["geometry"] = {"kind": "core_shell", "mode": "octant", "core_radius": 2e-6,
                        "coatings": [2e-6]}
    case["mesh"] = {"size": 1.5e-6, "cache": False}
    # a coating that stores Li and swells a little, below its two-way θ_crit (stable)
    case["materials"]["coating_1"] = {
        "density": 2000.0, "specific_capacity": "300 mA*h/g", "volume_expansion": 0.01,
        "youngs_modulus": 5e10, "poissons_ratio": 0.25,
        "diffusivity": {"kind": "constant", "value": 1e-14}}
    case["loading"]["specific_current"] = "1 A/g"  # the coating's surface θ stays low
    case["stop"] = {"mean_theta": 0.02, "surface_theta": 0.12, "max_steps": 10}
    return case


@pytest.mark.parametrize("make", [_sphere, _coated], ids=["sphere", "coated"])
def test_iterative_gives_the_lu_answer(make, tmp_path):
    runs = {}
    for solver in ("direct", "iterative"):
        case = make()
        case["time"] = {"dt_initial": 0.5, "dt_max": 5.0, "max_dtheta": 0.05}
        case["coupling"] = "two_way"
        case["solver"] = {"coupled_linear_solver": solver}
        runs[solver] = run_case(case, tmp_path / solver)
    (_, lu), (sim, it) = runs["direct"], runs["iterative"]
    assert len(lu.history) >= 8
    assert len(sim.hydrostatic.parts) == (2 if make is _coated else 1)
    newton = sum(r["Newton iterations"] for r in it.history)
    krylov = sum(r["Krylov iterations (diffusion)"] for r in it.history)
    assert krylov > 2 * newton  # FGMRES ran (LU: one "iteration" per Newton step)
    assert_same_history(lu.history, it.history, rel=1e-8,
                        skip=("Krylov iterations (diffusion)", "wall time [s]"),
                        balance_below=1e-9)
    assert "FGMRES" in sim._coupling_description()


def test_iterative_is_refused_outside_the_octant_mode():
    from solver import load_case_dict
    from solver.case.errors import CaseError

    case = _sphere()
    case["geometry"]["mode"] = "axisymmetric"
    case["coupling"] = "two_way"
    case["solver"] = {"coupled_linear_solver": "iterative"}
    with pytest.raises(CaseError) as info:
        load_case_dict(case, source="<test>")
    assert "solver.coupled_linear_solver" in str(info.value)
    assert "octant" in str(info.value)
    case["coupling"] = "one_way"  # which ignores the setting
    load_case_dict(case, source="<test>")


def test_a_failed_krylov_solve_is_cut_back_like_a_failed_newton(tmp_path, monkeypatch):
    """A Krylov solve that fails (here: FGMRES limited to 1 iteration) makes the step be
    cut back, and the retry solves again. The recovery resets the KSP, which drops the
    preconditioner's blocks; without setting them again every retry stopped in PETSc
    ("must have at least two fields") instead of solving."""
    from solver.physics import coupled
    from solver.time_stepping import TimeStepError

    options = coupled.iterative_options
    monkeypatch.setattr(coupled, "iterative_options",
                        lambda *a: {**options(*a), "ksp_max_it": 1})
    case = _sphere()
    case["time"] = {"dt_initial": 0.5, "dt_min": 0.1}
    case["coupling"] = "two_way"
    case["solver"] = {"coupled_linear_solver": "iterative"}
    with pytest.raises(TimeStepError) as info:
        run_case(case, tmp_path)
    assert "linear solve failed" in str(info.value)
    assert "PETSc error" not in str(info.value)
