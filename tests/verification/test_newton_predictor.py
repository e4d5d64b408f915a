"""The Newton predictor (θ extrapolated linearly in time from the last two accepted steps)
changes only where Newton starts: at fixed dt the converged θ is the same to far below the
Newton tolerance, and Newton needs fewer iterations on a moving two-phase front."""

from __future__ import annotations

import numpy as np

from chemomech_testing import SI, run_case, sphere_case
from solver.physics import diffusion

R = 4e-6


def _front_case_fixed_dt():
    case = sphere_case(mode="octant", radius=R, size=R / 4, surface_size=R / 8)
    case["materials"]["core"] = {
        **SI, "diffusivity": {"kind": "two_phase", "pristine": 2e-17, "lithiated": 2e-15,
                              "theta_star": 0.5, "width": 0.05}}
    case["loading"] = {"kind": "galvanostatic", "specific_current": 1000.0,
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.3}
    # one dt throughout, no change limit: both runs take the same steps whatever Newton does
    case["time"] = {"dt_initial": 100.0, "dt_max": 100.0, "max_dtheta": 1.0,
                    "output_every": 1000}
    return case


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
