"""End to end: ``chemomech compare`` on two tiny real cases (axisymmetric spheres that
differ only in Young's modulus), then a second call that must reuse the results.

Invariant checked (not a number copied from a run): with one-way coupling θ does not depend
on E, and linear elasticity with the same ν scales every stress with E, so our stress ratio
soft/stiff must equal E_soft/E_stiff.
"""

from __future__ import annotations

import json

import pytest
import yaml

CASE = """\
schema_version: 1
title: "tiny sphere, E = {E}"
references: ["test fixture: values only need to be plausible"]
geometry: {{kind: sphere, mode: axisymmetric, radius: 1 um}}
mesh: {{size: 0.25 um, cache: false}}
materials:
  core: {{density: 2330 kg/m^3, specific_capacity: 3579 mA*h/g, volume_expansion: 2.8,
         youngs_modulus: {E}, poissons_ratio: 0.22,
         diffusivity: {{kind: constant, value: 1e-15 m^2/s}}}}
loading: {{kind: galvanostatic, specific_current: 1 A/g, surfaces: [outer_surface]}}
stop: {{mean_theta: 0.2}}
time: {{dt_initial: 10 s, dt_max: 400 s, max_dtheta: 0.2, output_every: null,
        output_times: [100 s, 300 s]}}
output:
  formats: [vtk]
  pictures: false
  measures: [{{name: max vm, field: von_mises, statistic: max}}]
"""

E_STIFF, E_SOFT = 185.0, 60.0


def test_compare_end_to_end_and_reuse(tmp_path, capsys):
    from solver.cli import main

    (tmp_path / "stiff.yaml").write_text(CASE.format(E=f"{E_STIFF} GPa"))
    (tmp_path / "soft.yaml").write_text(CASE.format(E=f"{E_SOFT} GPa"))
    ref = {
        "kind": "reference", "paper": "Tiny test paper", "baseline": "stiff",
        "configurations": {"stiff": "stiff.yaml", "soft": "soft.yaml"},
        "quantities": {"max_vm": {"column": "measure max vm [Pa]", "at": "end", "unit": "GPa",
                                  "reported": {"stiff": 1.0, "soft": 0.5}}},
        "orderings": [
            {"name": "stiff above soft", "quantity": "max_vm", "descending": ["stiff", "soft"],
             "at": "every_output_time"},
            {"name": "soft above stiff", "quantity": "max_vm", "descending": ["soft", "stiff"]},
        ],
        "figures": [
            {"name": "max_vm", "kind": "history", "x": "time [s]", "x_unit": "min",
             "y": "measure max vm [Pa]", "y_unit": "GPa"},
            {"name": "vm_section", "kind": "section", "field": "Von Mises stress [Pa]",
             "unit": "GPa"},
        ],
    }
    (tmp_path / "reference.yaml").write_text(yaml.safe_dump(ref, sort_keys=False))
    out = tmp_path / "cmp"
    argv = ["compare", "--reference", str(tmp_path / "reference.yaml"), "--out", str(out),
            "--set", "mesh.size=0.3 um"]
    assert main(argv) == 0  # an ordering fails: still exit 0
    first = capsys.readouterr().out
    assert "running stiff (1/2)" in first and "running soft (2/2)" in first

    data = json.loads((out / "comparison.json").read_text())
    assert all(c["status"] == "completed" for c in data["configurations"].values())
    vals = data["quantities"]["max_vm"]["values"]
    assert vals["soft"]["ours_ratio"] == pytest.approx(E_SOFT / E_STIFF, rel=1e-6)
    assert vals["soft"]["reported_ratio"] == pytest.approx(0.5)
    holds = {o["name"]: o["holds"] for o in data["orderings"]}
    assert holds == {"stiff above soft": True, "soft above stiff": False}
    assert "2 output time(s)" in data["orderings"][0]["details"]
    assert data["all_orderings_hold"] is False
    assert sorted(data["figures"]) == ["max_vm.png", "vm_section.png"]
    for name in ("comparison.md", "comparison.csv", "max_vm.png", "vm_section.png"):
        assert (out / name).stat().st_size > 0
    assert "**DOES NOT HOLD**" in (out / "comparison.md").read_text()
    summary = out / "runs" / "soft" / "summary.json"
    stamp = summary.stat().st_mtime_ns

    # the same call again: nothing is re-run
    assert main(argv) == 0
    second = capsys.readouterr().out
    assert "running" not in second
    assert "reusing stiff" in second and "reusing soft" in second
    assert summary.stat().st_mtime_ns == stamp
    again = json.loads((out / "comparison.json").read_text())
    assert again["quantities"] == data["quantities"]
    assert all(c["reused"] for c in again["configurations"].values())
