"""The Newton linear solver of θ (MUMPS LU, GMRES + ILU(0), GMRES + GAMG) must not change the
answer: the Krylov solves run to solver.linear_rtol = 1e-10, so the Newton iterates, the
accepted steps and θ agree to far below the Newton tolerance. The rule that picks the solver by
size (iterative from ITERATIVE_MIN_DOFS θ DOFs in 3D, direct otherwise) is checked as well."""

from __future__ import annotations

import numpy as np
import pytest

from chemomech_testing import front_case, run_case
from solver.physics import diffusion


def test_size_rule_is_iterative_only_for_large_3d(monkeypatch):
    monkeypatch.setattr(diffusion, "LINEAR_SOLVER", "auto")
    n = diffusion.ITERATIVE_MIN_DOFS
    assert n is not None
    assert diffusion.choose_linear_solver(n - 1, 3) == "direct"
    assert diffusion.choose_linear_solver(n, 3) == diffusion.ITERATIVE_KIND
    assert diffusion.choose_linear_solver(100 * n, 2) == "direct"


def _front_case():
    """A moving two-phase front: the hardest Newton systems."""
    return front_case({"dt_initial": 10.0, "dt_max": 2000.0, "max_dtheta": 0.1,
                       "output_every": 1000})


@pytest.mark.parametrize("kind", ["ilu", "gamg"])
def test_iterative_newton_solves_match_the_direct_ones(kind, tmp_path, monkeypatch):
    runs = {}
    for k in ("direct", kind):
        monkeypatch.setattr(diffusion, "LINEAR_SOLVER", k)
        sim, res = run_case(_front_case(), tmp_path / k)
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
