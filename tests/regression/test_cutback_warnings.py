"""Steps cut back after a failed Newton solve: the first few are warnings, the rest go to
run.log only. A run at high current can be cut back thousands of times, and one warning
line each flooded the console and summary.json's warnings (2 778 lines in one audit run)."""

from __future__ import annotations

import json

import yaml

from chemomech_testing import ROOT
from solver.simulation import NEWTON_CUTBACKS_SHOWN


def test_newton_cutbacks_past_the_first_few_go_to_run_log_only(tmp_path, capsys):
    from solver import build_simulation, load_case_dict

    case = yaml.safe_load((ROOT / "cases" / "examples" / "sphere_axisymmetric.yaml").read_text())
    case["solver"] = {"newton_max_iterations": 1}  # most steps fail at first and are cut back
    case["time"]["dt_min"] = 5.0
    case["stop"] = {"mean_theta": 0.02}
    case["output"] = {"pictures": False, "formats": ["vtk"]}
    sim = build_simulation(load_case_dict(case, source="<cutbacks>"), out_dir=tmp_path)
    assert sim.run().status == "completed"
    err = capsys.readouterr().err
    summary = json.loads((tmp_path / "summary.json").read_text())
    log = (tmp_path / "run.log").read_text()
    failures = log.count("Newton failed")
    assert failures > NEWTON_CUTBACKS_SHOWN + 3  # the case does what it is for
    # run.log lists every cut-back: those after a failed Newton and those over max_dtheta
    assert failures + log.count("> max_dtheta") == summary["run"]["rejected_steps"]
    shown = [w for w in summary["warnings"] if "Newton failed" in w]
    assert len(shown) == NEWTON_CUTBACKS_SHOWN
    assert err.count("Newton failed") == NEWTON_CUTBACKS_SHOWN
    assert sum("run.log lists the others" in w for w in summary["warnings"]) == 1
