"""What a restarted run reports about its outputs covers the whole run, not only the part
after the restart: the ``*_at_peak.png`` pictures show the written frame of largest max von
Mises also when it was written before the checkpoint, and ``summary.json`` lists
``fields.pvd`` (the one series of every frame) and the XDMF file of every part.

The run is stopped by a signal it sends itself after a given step (no timing).
"""

from __future__ import annotations

import json
import signal

import numpy as np
import pytest

from chemomech_testing import front_case, signal_after_step


def _case():
    case = front_case({"dt_initial": 5.0, "max_dtheta": 0.1, "output_every": 3},
                      radius=2e-6)
    case["geometry"]["mode"] = "axisymmetric"
    case["stop"] = {"mean_theta": 0.9}
    case["output"] = {"pictures": False, "formats": ["vtk", "xdmf"],
                      "checkpoint_every": None, "checkpoint_minutes": None}
    return case


def _simulation(out):
    from solver import build_simulation, load_case_dict

    return build_simulation(load_case_dict(_case(), source="<restart outputs>"),
                            out_dir=out, quiet=True)


def test_restart_keeps_the_peak_frame_and_lists_the_whole_runs_field_files(tmp_path):
    from solver.interrupts import RunInterrupted

    full_sim = _simulation(tmp_path / "full")
    full = full_sim.run()
    assert full.status == "completed"
    vm, t_peak, _, frame = full_sim._peak_frame
    last = full.history[-1]["time [s]"]
    assert t_peak < last  # the case has a peak frame before the final state
    peak_step = next(r["step"] for r in full.history if r["time [s]"] == t_peak)
    # stop a few steps after the peak frame, before the next written frames end the run
    stop = peak_step + 2
    assert stop < full.steps - 3

    out = tmp_path / "run"
    sim = _simulation(out)
    signal_after_step(sim, stop, signal.SIGINT)
    with pytest.raises(RunInterrupted):
        sim.run()
    restarted = _simulation(out)
    result = restarted.run(restart=True)
    assert result.status == "completed"

    got_vm, got_t, _, got_frame = restarted._peak_frame
    assert got_t == pytest.approx(t_peak, rel=1e-12)
    assert got_vm == pytest.approx(vm, rel=1e-6)
    for name, values in got_frame.items():
        scale = np.abs(frame[name]).max() or 1.0
        assert np.abs(values - frame[name]).max() <= 1e-6 * scale, name

    fields = json.loads((out / "summary.json").read_text())["outputs"]["fields"]
    assert fields == ["fields.xdmf", "fields_r1.xdmf", "fields.pvd"]
    assert json.loads((tmp_path / "full" / "summary.json").read_text())["outputs"][
        "fields"] == ["fields.xdmf", "fields.pvd"]
