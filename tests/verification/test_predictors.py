"""The predictors change only where the solvers start. Newton for θ starts from θ
extrapolated linearly in time from the last two accepted steps, CG for u (one-way) from u
extrapolated through the last two mechanics solves. At fixed dt the answers are the same to far
below the solver tolerances, and the solvers need fewer iterations on a moving two-phase front."""

from __future__ import annotations

import numpy as np

from chemomech_testing import front_case, run_case
from solver.physics import diffusion, mechanics


def _front_case_fixed_dt():
    # one dt throughout, no change limit: both runs take the same steps whatever Newton does
    return front_case({"dt_initial": 100.0, "dt_max": 100.0, "max_dtheta": 1.0,
                       "output_every": 1000})


def test_predictor_keeps_the_answer_and_saves_newton_iterations(tmp_path, monkeypatch):
    runs = {}
    for on in (False, True):
        monkeypatch.setattr(diffusion, "PREDICTOR", on)
        sim, res = run_case(_front_case_fixed_dt(), tmp_path / str(on))
        n = sim.theta.function_space.dofmap.index_map.size_local
        runs[on] = (res, sim.theta.x.array[:n].copy(), sim._counters["newton"])
    (ref, th_ref, newton_ref), (res, th, newton) = runs[False], runs[True]
    assert res.steps == ref.steps > 10
    assert th_ref.max() > 0.5 and th_ref.min() < 0.1  # a sharp front inside the particle
    assert np.max(np.abs(th - th_ref)) < 1e-8  # θ in [0, 1]; Newton rtol 1e-10
    assert newton < newton_ref


def test_mechanics_predictor_keeps_the_stress_and_saves_cg_iterations(tmp_path, monkeypatch):
    case = _front_case_fixed_dt()
    case["output"] = {**case["output"], "history_every": 4}
    runs = {}
    for on in (False, True):
        monkeypatch.setattr(mechanics, "PREDICTOR", on)
        sim, res = run_case(case, tmp_path / str(on))
        runs[on] = (res.history, sim._counters["krylov_mechanics"])
    (rows_ref, cg_ref), (rows, cg) = runs[False], runs[True]
    assert len(rows) == len(rows_ref) > 5
    stress = [k for k in rows_ref[0] if k.endswith("[Pa]")]
    assert stress
    for key in stress:
        a = np.array([r[key] for r in rows_ref])
        b = np.array([r[key] for r in rows])
        # CG runs to rtol 1e-10 in both: far below 1e-7 of the largest stress
        assert np.max(np.abs(a - b)) <= 1e-7 * np.max(np.abs(a)), key
    assert cg < cg_ref
