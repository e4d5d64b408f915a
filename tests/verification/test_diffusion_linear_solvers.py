"""The Newton linear solver of θ (MUMPS LU, GMRES + ILU(0), GMRES + GAMG) must not change the
answer: the Krylov solves run to solver.linear_rtol = 1e-10, so the Newton iterates, the
accepted steps and θ agree to far below the Newton tolerance. The rule that picks the solver by
size (in 3D: direct, then ILU from ITERATIVE_MIN_DOFS θ DOFs, then AMG from AMG_MIN_DOFS; direct
in 2D) and the case's solver.diffusion_linear_solver are checked as well."""

from __future__ import annotations

import numpy as np
import pytest

from chemomech_testing import front_case, run_case
from solver.physics import diffusion


def test_size_rule_picks_lu_then_ilu_then_amg_in_3d_and_lu_in_2d(monkeypatch):
    monkeypatch.setattr(diffusion, "LINEAR_SOLVER", "auto")
    n, m = diffusion.ITERATIVE_MIN_DOFS, diffusion.AMG_MIN_DOFS
    assert n is not None and m is not None and n < m
    assert diffusion.choose_linear_solver(n - 1, 3) == "direct"
    assert diffusion.choose_linear_solver(n, 3) == diffusion.ITERATIVE_KIND == "ilu"
    assert diffusion.choose_linear_solver(m - 1, 3) == "ilu"
    assert diffusion.choose_linear_solver(m, 3) == diffusion.AMG_KIND == "amg"
    assert diffusion.choose_linear_solver(100 * m, 2) == "direct"


def test_a_case_can_ask_for_any_of_its_kinds_at_any_size(monkeypatch):
    monkeypatch.setattr(diffusion, "LINEAR_SOLVER", "auto")
    for kind in diffusion.CASE_KINDS:
        for n_dofs, tdim in ((10, 3), (10**6, 3), (10**6, 2)):
            assert diffusion.choose_linear_solver(n_dofs, tdim, kind) == kind


def test_the_schema_offers_the_kinds_the_solver_has():
    from typing import get_args

    from solver.case.schema import SolverSettings

    annotation = SolverSettings.model_fields["diffusion_linear_solver"].annotation
    assert set(get_args(annotation)) == {"auto", *diffusion.CASE_KINDS}
    for kind in diffusion.CASE_KINDS:  # each one has PETSc options
        assert diffusion.linear_solver_options(kind, SolverSettings())


def _front_case():
    """A moving two-phase front: the hardest Newton systems."""
    return front_case({"dt_initial": 10.0, "dt_max": 2000.0, "max_dtheta": 0.1,
                       "output_every": 1000})


@pytest.mark.parametrize("kind", ["ilu", "gamg", "amg"])
def test_iterative_newton_solves_match_the_direct_ones(kind, tmp_path, monkeypatch):
    runs = {}
    for k in ("direct", kind):
        case = _front_case()
        if k in diffusion.CASE_KINDS:  # through the case file, as a user would
            case["solver"] = {"diffusion_linear_solver": k}
        else:  # a benchmark-only kind
            monkeypatch.setattr(diffusion, "LINEAR_SOLVER", k)
        sim, res = run_case(case, tmp_path / k)
        assert sim.diffusion.linear_solver == k
        runs[k] = (res, sim.theta.x.array[: sim.theta.function_space.dofmap.index_map.size_local
                                           ].copy())
    (ref, th_ref), (it, th_it) = runs["direct"], runs[kind]
    assert it.steps == ref.steps and it.stop_reason == ref.stop_reason
    assert [r["time [s]"] for r in it.history] == pytest.approx(
        [r["time [s]"] for r in ref.history], rel=1e-12)
    # θ in [0, 1]: 1e-8 is 100x the Newton tolerance and far below any physical difference
    assert np.max(np.abs(th_it - th_ref)) < 1e-8
    assert th_ref.max() > 0.5 and th_ref.min() < 0.1  # a sharp front: the hard systems
