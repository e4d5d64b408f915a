"""The frame a run keeps for its ``*_at_peak`` pictures is the written frame (listed in
fields.pvd) whose history row has the largest max von Mises — worked out here from the
run's own history.csv and fields.pvd — and ``chemomech plot`` picks the same one.
A lithiation front in a 2 um sphere (a few seconds)."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest

from chemomech_testing import front_case

VM_SUFFIX = ": max Von Mises stress [Pa]"


def test_the_kept_peak_frame_is_the_written_frame_of_largest_von_mises(tmp_path):
    from solver import build_simulation, load_case_dict
    from solver.outputs.replot import peak_dataset

    case = front_case({"dt_initial": 5.0, "max_dtheta": 0.1, "output_every": 3},
                      radius=2e-6)
    case["geometry"]["mode"] = "axisymmetric"
    case["stop"] = {"mean_theta": 0.9}
    case["output"] = {"pictures": False, "formats": ["vtk"], "checkpoint_every": None,
                      "checkpoint_minutes": None}
    sim = build_simulation(load_case_dict(case, source="<peak frame>"), out_dir=tmp_path,
                           quiet=True)
    assert sim.run().status == "completed"
    frames = [float(d.get("timestep")) for d in
              ET.parse(tmp_path / "fields.pvd").getroot().iter("DataSet")]
    with open(tmp_path / "history.csv", newline="") as fh:
        rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(fh)]
    vm = {r["time [s]"]: max(v for k, v in r.items() if k.endswith(VM_SUFFIX)) for r in rows}
    written = {t: vm[t] for t in frames}
    assert len(written) >= 4
    t_peak = max(written, key=written.get)
    assert t_peak < rows[-1]["time [s]"], "the case was meant to peak before its end"
    kept_vm, kept_t = sim._peak_frame[0], sim._peak_frame[1]
    assert kept_t == t_peak and kept_vm == pytest.approx(written[t_peak], rel=1e-12)
    # chemomech plot (from the files alone) draws the same frame
    _, t_plot, vm_plot = peak_dataset(tmp_path)
    assert t_plot == t_peak and vm_plot == pytest.approx(written[t_peak], rel=1e-12)
