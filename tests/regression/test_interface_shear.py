"""The interface shear columns agree with each other: the mean shear traction is taken, as
the max, of the traction of the two sides' mean stress. Before, the mean averaged each
side's |shear|, which keeps each side's discretisation error (they have opposite signs), and
on the core-shell example (a spherically symmetric layout: no shear in the continuum) it came
out 5x above the max shear of the same row."""

from __future__ import annotations

import yaml

from chemomech_testing import ROOT, run_case


def test_mean_shear_traction_is_below_the_max(tmp_path):
    case = yaml.safe_load((ROOT / "cases" / "examples" / "core_shell.yaml").read_text())
    case["stop"] = {"mean_theta": 0.3}
    case["output"] = {"pictures": False, "formats": ["vtk"], "checkpoint_every": None,
                      "checkpoint_minutes": None}
    _, result = run_case(case, tmp_path)
    name = "interface_core_coating_1"
    rows = result.history[1:]
    assert len(rows) > 10
    normal = max(abs(r[f"{name}: mean normal traction [Pa]"]) for r in rows)
    for r in rows:
        mean, top = (r[f"{name}: {s} shear traction [Pa]"] for s in ("mean", "max"))
        assert 0 <= mean <= top, (r["step"], mean, top)
        assert mean < 0.05 * normal  # a discretisation error, against GPa of normal traction
    assert result.history[0][f"{name}: mean shear traction [Pa]"] == 0.0
