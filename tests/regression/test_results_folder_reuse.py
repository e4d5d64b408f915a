"""A results folder used again: a fresh run removes what the earlier run left that it would
not overwrite (the checkpoint, which a later --restart would continue, and the field files
of that run's restarts); a refused --restart changes nothing in the folder."""

from __future__ import annotations

import pytest

from chemomech_testing import front_case


def _simulation(out, **output):
    from solver import build_simulation, load_case_dict

    case = front_case({"dt_initial": 5.0, "max_dtheta": 0.1}, radius=2e-6)
    case["geometry"]["mode"] = "axisymmetric"
    case["stop"] = {"mean_theta": 0.05}
    case["output"] = {"pictures": False, "formats": ["vtk"], "checkpoint_minutes": None,
                      **output}
    return build_simulation(load_case_dict(case, source="<reuse>"), out_dir=out, quiet=True)


def test_a_fresh_run_removes_the_earlier_runs_checkpoint_and_restart_files(tmp_path):
    from solver.outputs.checkpoint import CheckpointError

    out = tmp_path / "r"
    assert _simulation(out, checkpoint_every=2).run().status == "completed"
    assert (out / "checkpoint.npz").exists()
    (out / "fields_r1.pvd").write_text("<left by a restart of the earlier run/>")
    (out / "fields_r1000007.pvtu").write_text("")
    (out / "fields999999.pvtu").write_text("")  # a frame beyond this run's
    (out / "notes.txt").write_text("mine")

    assert _simulation(out, checkpoint_every=None).run().status == "completed"
    left = {p.name for p in out.iterdir()}
    assert "checkpoint.npz" not in left
    assert not {n for n in left if n.startswith("fields_r") or n == "fields999999.pvtu"}
    assert "notes.txt" in left and "fields.pvd" in left
    with pytest.raises(CheckpointError, match="no checkpoint"):
        _simulation(out, checkpoint_every=None).run(restart=True)


def test_a_refused_restart_leaves_the_folder_as_it_was(tmp_path):
    from solver.outputs.checkpoint import CheckpointError

    out = tmp_path / "r"
    assert _simulation(out, checkpoint_every=2).run().status == "completed"
    (out / "png").rmdir()  # (empty: no pictures) a refused restart must not create it again
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # another case: the message names what changed (from the run's case.resolved.yaml)
    with pytest.raises(CheckpointError, match="different case .*output.history_every: 1 -> 3"):
        _simulation(out, checkpoint_every=2, history_every=3).run(restart=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    empty = tmp_path / "empty"
    with pytest.raises(CheckpointError, match="no checkpoint"):
        _simulation(empty, checkpoint_every=2).run(restart=True)
    assert not empty.exists()


def test_restart_with_a_broken_checkpoint_or_history_says_so(tmp_path):
    from solver.outputs.checkpoint import CheckpointError

    out = tmp_path / "r"
    assert _simulation(out, checkpoint_every=2).run().status == "completed"
    history = (out / "history.csv").read_text()
    (out / "history.csv").write_text(history + "99,1.5,")  # a last row cut short: left out
    from solver.outputs.history import read_history

    assert len(read_history(out / "history.csv")) == history.count("\n") - 1
    (out / "history.csv").unlink()
    with pytest.raises(CheckpointError, match="history.csv, cannot be read"):
        _simulation(out, checkpoint_every=2).run(restart=True)
    data = (out / "checkpoint.npz").read_bytes()
    (out / "checkpoint.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="checkpoint.npz cannot be read"):
        _simulation(out, checkpoint_every=2).run(restart=True)


def test_replacing_another_cases_results_is_announced(tmp_path, capsys):
    """`run case --set …` into the folder of an earlier run of other inputs replaces those
    results: a warning says so; the same inputs again replace them silently."""
    from solver import build_simulation, load_case_dict

    def run(mean_theta):
        case = front_case({"dt_initial": 5.0, "max_dtheta": 0.1}, radius=2e-6)
        case["geometry"]["mode"] = "axisymmetric"
        case["stop"] = {"mean_theta": mean_theta}
        case["output"] = {"pictures": False, "formats": ["vtk"]}
        sim = build_simulation(load_case_dict(case, source="<reuse>"), out_dir=tmp_path / "r")
        assert sim.run().status == "completed"
        return capsys.readouterr().err

    assert "results of another case" not in run(0.02)
    assert "results of another case" not in run(0.02)
    err = run(0.03)
    assert "held the results of another case" in err and "--out" in err


def test_a_folder_in_use_by_a_live_run_is_refused(tmp_path):
    """A second run into the folder of a live one is refused (exit 1, one line); once that
    run is gone (SIGKILL leaves its lock behind) the folder can be used again."""
    import os
    import signal
    import subprocess
    import time

    from chemomech_testing import ROOT, chemomech_cmd

    out = tmp_path / "r"
    args = [*chemomech_cmd(), "run", str(ROOT / "cases" / "default.yaml"), "--out", str(out),
            "--quiet", "--set", "output.pictures=false", "--set", "mesh.cache=false"]
    first = subprocess.Popen(args, cwd=ROOT, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 300
        while not (out / "run.lock").exists():
            assert first.poll() is None and time.time() < deadline, "no run.lock written"
            time.sleep(0.05)
        second = subprocess.run([*args, "--set", "stop.mean_theta=0.02"], cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
        assert second.returncode == 1, second.stderr
        assert "another chemomech run" in second.stderr and "--out" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert (out / "run.lock").exists()  # left by the killed run
    third = subprocess.run([*args, "--set", "stop.mean_theta=0.02",
                            "--set", "mesh.size=1 um"], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert third.returncode == 0, third.stderr
    assert not (out / "run.lock").exists()
