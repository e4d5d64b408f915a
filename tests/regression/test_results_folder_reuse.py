"""A results folder used again: a fresh run removes everything chemomech wrote there (the
earlier run's results, pictures and field files of every format, the checkpoint, which a
later --restart would continue, the files of `plot` and `paraview`), and only that; a
refused --restart changes nothing in the folder."""

from __future__ import annotations

import re

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


def _listing(folder):
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_a_fresh_run_leaves_nothing_of_the_earlier_runs_outputs(tmp_path):
    """Run 1 (vtx + vtk + xdmf, pictures, a checkpoint, then `plot` and `paraview`), run 2
    (vtk only, no pictures) into the same folder: the folder holds what run 2 writes into an
    empty one, and the user's own files; run.log counts and names what was removed."""
    from solver import _bootstrap  # noqa: F401  (before dolfinx)

    import dolfinx

    from solver.outputs.paraview_state import write_state
    from solver.outputs.replot import replot

    if not dolfinx.has_adios2:
        pytest.skip("this dolfinx has no ADIOS2 (output format vtx)")
    out = tmp_path / "r"
    assert _simulation(out, formats=["vtx", "vtk", "xdmf"], pictures=True,
                       checkpoint_every=2).run().status == "completed"
    replot(out)
    write_state(out)
    for name in ("von_mises_stress_at_peak.png", "lithiation_fraction_at_peak.png"):
        (out / "png" / name).write_bytes(b"")  # (whether run 1 had a peak frame or not)
    first = _listing(out)
    assert {"fields_stress.bp", "fields.h5", "checkpoint.npz", "open_in_paraview.py",
            "png/stress_vs_time.png", "png/von_mises_stress.png"} <= first
    (out / "notes.txt").write_text("mine")
    (out / "png" / "my_figure.png").write_bytes(b"mine")
    (out / "fields_notes").mkdir()  # not a name chemomech writes

    assert _simulation(out, checkpoint_every=None).run().status == "completed"
    assert _simulation(tmp_path / "clean", checkpoint_every=None).run().status == "completed"
    mine = {"notes.txt", "png/my_figure.png", "fields_notes"}
    assert _listing(out) == _listing(tmp_path / "clean") | mine
    assert (out / "notes.txt").read_text() == "mine"
    log = (out / "run.log").read_text()
    line = next(ln for ln in log.splitlines() if "fresh run: removed" in ln)
    # everything of run 1 was removed (what run 2 wrote again too), but not inside a .bp folder
    removed = {n for n in first if "/" not in n or n.startswith("png/")} - {"png"}
    folders = {n for n in removed if n.endswith(".bp")}
    assert f" {len(removed) - len(folders)} files and {len(folders)} folders:" in line
    for name in removed:
        if not re.search(r"\d{6}\.", name):  # (numbered frames are grouped)
            assert name + ("/" if name in folders else "") in line
    assert "fields*.pvtu (" in line and "fields_p0_*.vtu (" in line
    assert "notes" not in line and "my_figure" not in line


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


@pytest.mark.parametrize("where", ["file", "inside_a_file"])
def test_an_out_path_blocked_by_a_file_fails_before_meshing(tmp_path, monkeypatch, where):
    """``--out`` naming a regular file (or a folder inside one) is refused before the mesh is
    built (it was refused only after meshing and the solver set-up)."""
    from solver.simulation import OutputDirError, Simulation

    def no_meshing(self):
        raise AssertionError("meshed before the results folder was checked")

    monkeypatch.setattr(Simulation, "_setup_domain", no_meshing)
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    out = blocker if where == "file" else blocker / "out"
    with pytest.raises(OutputDirError, match=f"{blocker} is a file, not a folder"):
        _simulation(out)
