"""A run stopped with a checkpoint and restarted on the same number of ranks repeats the
uninterrupted run: the checkpoint holds, besides θ, what the elasticity solve of the next
steps starts from (the displacement, the two solves its predictor extrapolates from, and the
θ at which its p-multigrid preconditioner was built first and last) and, two-way, σ_h
(solver/outputs/checkpoint.py). Every step after the restart then does the same arithmetic
on the same numbers as the uninterrupted run, so the history is the same to round-off
(1e-12 of each column's scale) and so are the iteration counts. A restart that solved the
elasticity from zero and built a new preconditioner differed by 1e-7 (test_restart.py)."""

from __future__ import annotations

import signal

import numpy as np

from chemomech_testing import ROOT, assert_same_history, signal_after_step, two_way_case

#: relative to each column's largest magnitude: the same computation, to round-off
EXACT = 1e-12


def stopped_then_restarted(case: dict, out, step: int):
    """(uninterrupted history, restarted history, checkpoint state): ``case`` run through,
    then stopped by SIGINT after ``step`` (a checkpoint) and restarted to the end."""
    from solver import build_simulation, load_case_dict
    from solver.interrupts import RunInterrupted
    from solver.outputs.checkpoint import read_state

    def simulation(folder):
        return build_simulation(load_case_dict(case, source="<exact restart>"),
                                out_dir=out / folder, quiet=True)

    full = simulation("full").run()
    assert full.steps > step + 3
    sim = simulation("run")
    signal_after_step(sim, step, signal.SIGINT)
    try:
        sim.run()
    except RunInterrupted:
        pass
    state = read_state(out / "run")
    assert state["step"] == step
    resumed = simulation("run").run(restart=True)
    assert resumed.status == "completed"
    return full.history, resumed.history, state


def test_one_way_restart_repeats_the_uninterrupted_run(tmp_path):
    """The default case (E falls with θ: the elasticity matrix changes every step and the
    preconditioner of an older matrix is kept until CG slows down; GAMG keeps the
    interpolation of its first set-up): stopped after a step at which the preconditioner in
    use is a rebuilt one, so that both of its set-ups must be redone."""
    import yaml

    case = yaml.safe_load((ROOT / "cases" / "default.yaml").read_text(encoding="utf-8"))
    case["mesh"].update(size="1 um", surface_size="0.5 um", cache=False)
    case["output"].update(pictures=False, formats=["xdmf"], checkpoint_every=None)
    # the case's steps before 2026-12-07 (max_dtheta 0.1): step 23 uses a rebuilt
    # preconditioner there; what is compared is the restart, not the time-step accuracy
    case["time"].update(output_every=5, max_dtheta=0.1)
    full, resumed, state = stopped_then_restarted(case, tmp_path, 23)
    assert_same_history(full, resumed, EXACT, ("wall time [s]",))
    assert state["mechanics"]["pc_builds"] >= 2  # the case still tests the rebuilt set-up
    # (the restarted CG iterations are the same, not only the stresses)
    assert any(r["Krylov iterations (mechanics)"] for r in resumed)


def test_two_way_restarts_repeat_the_uninterrupted_run(tmp_path):
    """Both two-way schemes: u and σ_h come from the checkpoint (they were re-solved from
    zero at the restart, which changed every later step's θ to the coupling's tolerance)."""
    for scheme in ("monolithic", "staggered"):
        full, resumed, _ = stopped_then_restarted(two_way_case(scheme), tmp_path / scheme, 6)
        assert_same_history(full, resumed, EXACT, ("wall time [s]",))


def test_a_checkpoint_without_the_mechanics_state_still_restarts(tmp_path):
    """A checkpoint of an earlier version (θ and the loop state only): the restart solves u
    from zero and σ_h again at the checkpointed θ, and ends within the solvers' tolerance of
    the uninterrupted run (1e-6 of each column's scale, as test_restart.py)."""
    import json

    from solver import build_simulation, load_case_dict
    from solver.interrupts import RunInterrupted
    from solver.outputs.checkpoint import FILENAME

    case = two_way_case("staggered")

    def simulation(folder):
        return build_simulation(load_case_dict(case, source="<old checkpoint>"),
                                out_dir=tmp_path / folder, quiet=True)

    full = simulation("full").run()
    sim = simulation("run")
    signal_after_step(sim, 6, signal.SIGINT)
    try:
        sim.run()
    except RunInterrupted:
        pass
    path = tmp_path / "run" / FILENAME
    with np.load(path) as data:
        new = [k for k in data if k.startswith(("keys_", "values_", "extra_mechanics_"))]
        assert new  # (what is removed below)
        old = {k: data[k] for k in data if k not in new}
    state = json.loads(str(old["state"]))
    del state["mechanics"]
    old["state"] = np.array(json.dumps(state))
    np.savez(path, **old)
    resumed = simulation("run").run(restart=True)
    assert resumed.status == "completed"
    assert_same_history(full.history, resumed.history, 1e-6, (
        "wall time [s]", "Krylov iterations (mechanics)", "Li balance error [-]"))
