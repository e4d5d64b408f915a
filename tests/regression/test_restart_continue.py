"""A run that fails because dt cannot be cut below time.dt_min used to lose every step since
its last periodic checkpoint, and the error's advice (lower time.dt_min) could not be taken
with --restart: any change of the case refused it. The failure now checkpoints its last
accepted step, and a restart may change the CONTINUABLE fields (provenance.py: dt_min, the
linear solvers, title, pictures), which change no result computed before it. A change of the
physics is still refused, and before meshing."""

from __future__ import annotations

import json
import subprocess

from chemomech_testing import ROOT, chemomech_cmd, set_args

# a diffusivity that jumps by 15 orders across θ* with a step 1e-4 wide: Newton fails at the
# front once it is steep enough, whatever dt
BASE = ["geometry.mode=axisymmetric", "mesh.size=1 um", "mesh.surface_size=null",
        "mesh.cache=false", "output.pictures=false", "output.probes=[]",
        "output.checkpoint_every=1000",
        "materials.core.diffusivity={kind: two_phase, pristine: 1e-25, lithiated: 1e-10, "
        "theta_star: 0.5, width: 0.0001}"]


def _run(out, *sets, restart=False, quiet=True):
    args = [*chemomech_cmd(), "run", str(ROOT / "cases" / "default.yaml"), "--out", str(out),
            *set_args([*BASE, *sets])]
    args += (["--restart"] if restart else []) + (["--quiet"] if quiet else [])
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def _history(out):
    import csv

    with open(out / "history.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_dt_min_failure_is_checkpointed_and_continued_with_a_lower_dt_min(tmp_path):
    out = tmp_path / "run"
    failed = _run(out, "time.dt_min=5 s")
    assert failed.returncode == 1, failed.stderr
    assert "cannot be reduced below dt_min = 5 s" in failed.stderr
    assert "is checkpointed: with a lower time.dt_min" in failed.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "failed"
    from solver.outputs.result_files import read_checkpoint_state

    step = read_checkpoint_state(out)["step"]
    assert step > 100  # the last accepted step, not the last periodic checkpoint (none)
    assert f"the last accepted step ({step}," in failed.stderr
    before = _history(out)

    # a physics change is refused before meshing; the folder is left as it was
    other = _run(out, "time.dt_min=1 s", "loading.specific_current=0.2 A/g", restart=True,
                 quiet=False)
    assert other.returncode == 1
    assert "written for a different case" in other.stderr
    assert "loading.specific_current: 100.0 -> 200.0" in other.stderr
    assert "meshing" not in other.stdout + other.stderr
    assert _history(out) == before

    cont = _run(out, "time.dt_min=1 s", "solver.diffusion_linear_solver=ilu", "title=renamed",
                restart=True)
    log = (out / "run.log").read_text()
    assert f"restarting from the checkpoint at step {step}" in log
    assert "continuing with changed settings" in log and "time.dt_min: 5.0 -> 1.0" in log
    after = _history(out)
    assert after[:len(before)] == before  # the rows before the restart are kept as they were
    assert int(after[-1]["step"]) > step
    steps = [int(r["step"]) for r in after]
    assert steps == sorted(set(steps))
    # the continued run is of the new case (it ends completed or fails further on)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] in ("completed", "failed"), cont.stderr
    resolved = (out / "case.resolved.yaml").read_text()
    assert "dt_min: 1.0" in resolved and "title: renamed" in resolved
