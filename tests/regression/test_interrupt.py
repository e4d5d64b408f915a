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

from chemomech_testing import front_case, signal_after_step

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
    signal_after_step(sim, STOP_AFTER, signum)

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
    assert summary["stop_reason"] == "interrupted by a signal"  # (it was empty)
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


def _interrupted_run(out):
    """A run stopped by SIGTERM after step STOP_AFTER (a checkpoint of that step)."""
    from solver.interrupts import RunInterrupted

    sim = _simulation(out)
    signal_after_step(sim, STOP_AFTER)
    with pytest.raises(RunInterrupted):
        sim.run()
    assert (out / "checkpoint.npz").exists()


@pytest.mark.parametrize("where", ["case.resolved.yaml", "history.csv"])
def test_a_signal_while_the_run_opens_its_files_ends_it_as_interrupted(tmp_path, monkeypatch,
                                                                       where):
    """SIGTERM between taking the folder's lock and the first step (a sweep stopping its
    point runs just as one starts) used to meet the default handler: the process died with
    run.lock left and no summary.json. Now it ends the run at step 0 like any other signal:
    a checkpoint, status 'interrupted', no lock; --restart continues."""
    import solver.simulation as simulation
    from solver.interrupts import RunInterrupted

    def with_signal(original):
        def opening(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGTERM)
            return original(*args, **kwargs)
        return opening

    name = {"case.resolved.yaml": "write_resolved_case", "history.csv": "HistoryWriter"}[where]
    monkeypatch.setattr(simulation, name, with_signal(getattr(simulation, name)))
    out = tmp_path / "run"
    sim = _simulation(out)
    with pytest.raises(RunInterrupted, match="step 0,"):
        sim.run()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    assert not (out / "run.lock").exists()
    assert (out / "checkpoint.npz").exists()
    monkeypatch.undo()
    assert _simulation(out).run(restart=True).status == "completed"


def test_a_failure_while_the_run_opens_its_files_leaves_no_lock(tmp_path, monkeypatch):
    """An error after the lock is taken and before the time loop (here: the field files
    cannot be opened) releases the lock: no later run is told a run is writing there."""
    import solver.simulation as simulation

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(simulation, "FieldOutput", broken)
    out = tmp_path / "run"
    with pytest.raises(OSError, match="No space"):
        _simulation(out).run()
    assert not (out / "run.lock").exists()


def test_resume_if_possible_continues_this_case_else_starts_afresh(tmp_path):
    """``chemomech run --resume`` (what a sweep's point runs use): no checkpoint → a fresh
    run; a checkpoint of this case → a restart to the same end; a checkpoint that cannot be
    used (unreadable, or its history unreadable after θ was loaded) → a fresh run from the
    initial state, the same as an uninterrupted one."""
    from solver.outputs.history import read_history

    full = _simulation(tmp_path / "full").run(resume_if_possible=True)
    assert full.status == "completed" and full.steps > STOP_AFTER + 2
    steps = list(range(full.steps + 1))

    def same_end(out):
        rows = read_history(out / "history.csv")
        assert [r["step"] for r in rows] == steps
        assert rows[-1]["time [s]"] == pytest.approx(full.history[-1]["time [s]"], rel=1e-12)
        assert rows[-1]["mean lithiation fraction [-]"] == pytest.approx(
            full.history[-1]["mean lithiation fraction [-]"], rel=1e-9)

    out = tmp_path / "run"
    _interrupted_run(out)
    assert _simulation(out).run(resume_if_possible=True).status == "completed"
    same_end(out)
    log = (out / "run.log").read_text()
    assert "restart 1" in log and "not resuming" not in log

    # an unreadable checkpoint: a fresh run (restart 0), which removes it
    bad = tmp_path / "bad"
    _interrupted_run(bad)
    (bad / "checkpoint.npz").write_bytes(b"not a checkpoint")
    assert _simulation(bad).run(resume_if_possible=True).status == "completed"
    same_end(bad)
    log = (bad / "run.log").read_text()
    assert "restart 0" in log and "not resuming" in log and "cannot be read" in log

    # θ is loaded, then the history is unreadable: θ and the predictor must be put back
    hist = tmp_path / "hist"
    _interrupted_run(hist)
    lines = (hist / "history.csv").read_text().splitlines()
    lines[1] = ",".join(["x"] * len(lines[1].split(",")))
    (hist / "history.csv").write_text("\n".join(lines) + "\n")
    assert _simulation(hist).run(resume_if_possible=True).status == "completed"
    same_end(hist)
    log = (hist / "run.log").read_text()
    assert "restart 0" in log and "not resuming" in log and "history" in log


def test_ctrl_c_ends_a_long_meshing_at_once(tmp_path):
    """Python's SIGINT handler runs only between bytecodes, so Ctrl-C waited until Gmsh had
    finished meshing (minutes for a fine mesh). Gmsh is now interruptible on the main
    thread: SIGINT during meshing ends the process (no waiting for the mesh)."""
    import subprocess
    import time

    from chemomech_testing import ROOT, chemomech_cmd

    # ~7e6 cells: meshing takes minutes on these machines; the point is only that it stops
    cmd = [*chemomech_cmd(), "run", str(ROOT / "cases" / "default.yaml"), "--out",
           str(tmp_path / "m"), "--set", "mesh.size=0.03 um", "--set", "mesh.surface_size=0.03 um",
           "--set", "mesh.cache=false"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}  # "meshing ..." arrives when printed
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=env)
    out = ""
    deadline = time.monotonic() + 120
    while "meshing" not in out and time.monotonic() < deadline:  # Gmsh is at work
        line = p.stdout.readline()
        if not line:
            break
        out += line
    time.sleep(2.0)
    p.send_signal(signal.SIGINT)
    try:
        code = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError("Ctrl-C did not stop the meshing within 30 s") from None
    assert code != 0


@pytest.mark.parametrize("signals", [1, 2])
def test_a_signal_while_the_pictures_are_drawn(tmp_path, monkeypatch, signals):
    """The run is complete when its pictures are drawn: a signal then used to kill the
    process by the default action (exit 130/143, no message), leaving png/ empty. One
    signal now lets the pictures finish; a second stops them with a warning that names
    `chemomech plot`; either way the run returns completed."""
    from solver import build_simulation, load_case_dict
    from solver.outputs import pictures

    real = pictures.draw_fields
    sent = {"done": False}

    def draw_fields(*args, **kwargs):
        if not sent["done"]:  # while the first picture is drawn
            sent["done"] = True
            for _ in range(signals):
                os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(pictures, "draw_fields", draw_fields)
    case = _case()
    case["output"]["pictures"] = True
    case["output"]["formats"] = ["vtk"]
    sim = build_simulation(load_case_dict(case, source="<pictures>"), out_dir=tmp_path,
                           quiet=True)
    result = sim.run()
    assert result.status == "completed"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "completed"
    drawn = sorted(p.name for p in (tmp_path / "png").glob("*.png"))
    if signals == 1:
        assert "von_mises_stress.png" in drawn and summary["outputs"]["pictures"]
    else:
        log = (tmp_path / "run.log").read_text()
        assert "pictures interrupted (0 drawn): `chemomech plot" in log
