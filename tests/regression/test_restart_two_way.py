"""A two-way coupled run stopped by a signal and restarted matches the uninterrupted run
(both schemes). The restart takes u and σ_h from the checkpoint (one of an earlier version,
without them, re-solves them at the checkpointed θ: test_restart_exact.py)."""

from __future__ import annotations

import signal

import pytest

from chemomech_testing import assert_same_history, run_case, signal_after_step, sphere_case

R = 4e-6
STOP_AFTER = 6
#: relative to each column's largest magnitude (as in test_restart.py; a restart on the same
#: ranks repeats the run to round-off: test_restart_exact.py)
REL_TOL = 1e-6
SKIP = {"wall time [s]", "Krylov iterations (mechanics)", "Li balance error [-]"}


def _case(scheme):
    case = sphere_case(mode="axisymmetric", radius=R, size=R / 4, surface_size=R / 8)
    case["loading"] = {"kind": "galvanostatic", "specific_current": "8 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.1}
    case["time"] = {"dt_initial": 0.5, "dt_max": 5.0, "max_dtheta": 0.05}
    case["coupling"] = "two_way"
    case["solver"] = {"coupling_scheme": scheme}
    case["output"].update(checkpoint_every=None, checkpoint_minutes=None)
    return case


@pytest.mark.parametrize("scheme", ["monolithic", "staggered"])
def test_two_way_restart_matches_the_uninterrupted_run(tmp_path, scheme):
    from solver import build_simulation, load_case_dict
    from solver.interrupts import RunInterrupted

    _, full = run_case(_case(scheme), tmp_path / "full")
    assert full.steps > STOP_AFTER + 3

    def simulation():
        return build_simulation(load_case_dict(_case(scheme), source="<two-way restart>"),
                                out_dir=tmp_path / "run", quiet=True)

    sim = simulation()
    signal_after_step(sim, STOP_AFTER, signal.SIGINT)
    with pytest.raises(RunInterrupted):
        sim.run()
    resumed = simulation().run(restart=True)
    assert resumed.status == "completed"
    assert_same_history(full.history, resumed.history, REL_TOL, SKIP)
