"""A run stopped by SIGINT (Ctrl-C) or SIGTERM (a batch system's time limit) ends cleanly: the
step in progress finishes, a checkpoint of it is written, summary.json says ``interrupted``
(never ``completed``), and ``--restart`` continues to the same end as an uninterrupted run.

The signal is sent by the process to itself from inside the time loop (after step 5 is
recorded), so the test does not depend on timing.
"""

from __future__ import annotations

import json
import os
import signal

import pytest

from chemomech_testing import front_case

STOP_AFTER = 5


def _case():
    case = front_case({"dt_initial": 5.0, "max_dtheta": 0.1}, radius=2e-6)
    case["geometry"]["mode"] = "axisymmetric"
    case["stop"] = {"mean_theta": 0.1}
    case["output"] = {"pictures": False, "formats": ["xdmf"], "history_every": 1,
                      "checkpoint_every": None, "checkpoint_minutes": None}
    return case


def _simulation(out, restart=False):
    from solver import build_simulation, load_case_dict

    return build_simulation(load_case_dict(_case(), source="<interrupt>"), out_dir=out,
                            quiet=True)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_run_with_a_checkpoint_and_restart_continues(tmp_path, signum):
    from solver.interrupts import RunInterrupted
    from solver.outputs.history import read_history

    full = _simulation(tmp_path / "full").run()
    assert full.status == "completed" and full.steps > STOP_AFTER + 2

    out = tmp_path / "run"
    sim = _simulation(out)
    record = sim._record

    def record_then_signal(*args, **kw):
        record(*args, **kw)
        if sim._step == STOP_AFTER:
            os.kill(os.getpid(), signum)

    sim._record = record_then_signal

    def outside(signum, frame):  # what a run that installs no handler of its own would meet
        raise RuntimeError(f"signal {signum} reached the handler outside the run")

    before = signal.signal(signum, outside)
    try:
        with pytest.raises(RunInterrupted, match=f"step {STOP_AFTER},.*--restart"):
            sim.run()
        assert signal.getsignal(signum) is outside  # the handlers are restored
    finally:
        signal.signal(signum, before)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "interrupted", summary["status"]
    assert "interrupted by a signal" in summary["error"]
    assert [r["step"] for r in read_history(out / "history.csv")] == list(range(STOP_AFTER + 1))
    assert (out / "checkpoint.npz").exists()  # although the case asks for no checkpoints

    result = _simulation(out).run(restart=True)
    assert result.status == "completed"
    rows = read_history(out / "history.csv")
    assert [r["step"] for r in rows] == list(range(full.steps + 1))
    assert rows[-1]["time [s]"] == pytest.approx(full.history[-1]["time [s]"], rel=1e-12)
    assert rows[-1]["mean lithiation fraction [-]"] == pytest.approx(
        full.history[-1]["mean lithiation fraction [-]"], rel=1e-9)
