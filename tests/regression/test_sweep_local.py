"""A real 3-point local sweep of a tiny axisymmetric case through ``chemomech sweep``.

One point is made to fail (one Newton iteration with dt_min = dt_initial: the step cannot be
cut back); it is recorded as failed with its error while the others complete. A re-run skips
the completed points; ``chemomech collect`` writes the table and the plot with the values of
each point's summary.json; ``chemomech plot`` and ``chemomech paraview`` work on a point.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess

import pytest

from chemomech_testing import ROOT, SLOW_RUN_SETS, chemomech_cmd, set_args

DEFAULT = ROOT / "cases" / "default.yaml"
FAST = ["geometry.mode=axisymmetric", "mesh.size=1 um", "mesh.surface_size=null",
        "mesh.cache=false", "stop.mean_theta=0.1", "output.pictures=false", "output.probes=[]",
        "time.dt_min=10 s"]
VARY = ["loading.specific_current=0.1 A/g,0.2 A/g,0.4 A/g",
        "solver.newton_max_iterations=25,25,1"]
METRIC = "core: max Von Mises stress [Pa]"


def cli(*args, cwd=None, timeout=600):
    return subprocess.run([*chemomech_cmd(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout)


def sweep_args(out):
    args = ["sweep", DEFAULT, "--out", out, "--workers", "2", "--zip"]
    for s in FAST:
        args += ["--set", s]
    for v in VARY:
        args += ["--vary", v]
    return args


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "sw"
    first = cli(*sweep_args(out))
    return out, first


def manifest(out):
    with open(out / "sweep.csv", newline="") as fh:
        return {r["point"]: r for r in csv.DictReader(fh)}


def test_failed_point_recorded_others_complete(swept):
    out, p = swept
    assert p.returncode == 1, p.stdout + p.stderr  # one point failed
    rows = manifest(out)
    assert [rows[k]["status"] for k in ("p000", "p001", "p002")] == [
        "completed", "completed", "failed"]
    assert "dt_min" in rows["p002"]["error"]
    assert rows["p000"]["loading.specific_current"] == "0.1 A/g"
    assert "error: point p002 failed" in p.stderr
    for k in ("p000", "p001"):
        summary = json.loads((out / rows[k]["results"] / "summary.json").read_text())
        assert summary["status"] == "completed"


def test_rerun_skips_completed(swept):
    out, _ = swept
    before = {k: (out / "points" / k / "results" / "summary.json").stat().st_mtime_ns
              for k in ("p000", "p001")}
    p = cli(*sweep_args(out))
    assert p.returncode == 1
    assert "2 already completed, 1 to run" in p.stdout
    after = {k: (out / "points" / k / "results" / "summary.json").stat().st_mtime_ns
             for k in ("p000", "p001")}
    assert before == after
    assert manifest(out)["p002"]["status"] == "failed"


def test_collect_table_and_plot(swept):
    out, _ = swept
    p = cli("collect", out)
    assert p.returncode == 0, p.stderr
    with open(out / "collect.csv", newline="") as fh:
        table = {r["point"]: r for r in csv.DictReader(fh)}
    assert set(table) == {"p000", "p001", "p002"}
    for k in ("p000", "p001"):
        summary = json.loads((out / "points" / k / "results" / "summary.json").read_text())
        assert float(table[k][f"peak: {METRIC}"]) == summary["peak"][METRIC]
        assert float(table[k]["final: time [s]"]) == summary["final"]["time [s]"]
        assert float(table[k]["wall time [s]"]) == summary["run"]["wall_time_s"]
        assert table[k]["status"] == "completed"
    assert table["p002"]["status"] == "failed"
    # SI values of the varied parameter: 0.1 A/g = 100 A/kg
    assert [float(table[k]["loading.specific_current [A/kg]"]) for k in ("p000", "p001", "p002")] \
        == pytest.approx([100.0, 200.0, 400.0])
    # a faster lithiation gives a higher peak stress
    assert float(table["p001"][f"peak: {METRIC}"]) > float(table["p000"][f"peak: {METRIC}"])
    png = out / "collect_loading.specific_current.png"
    assert png.exists() and png.stat().st_size > 5000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_and_paraview_on_a_point(swept):
    out, _ = swept
    res = out / "points" / "p000" / "results"
    p = cli("plot", res)
    assert p.returncode == 0, p.stderr
    for name in ("stress_vs_time", "stress_vs_capacity", "von_mises_stress",
                 "lithiation_fraction"):
        png = res / "png" / f"{name}.png"
        assert png.exists() and png.stat().st_size > 5000, name
    p = cli("plot", res, "--metric", "no such column")
    assert p.returncode == 2 and "no such history.csv column" in p.stderr
    p = cli("paraview", res, "--screenshot", res / "pv.png")
    assert p.returncode == 0, p.stderr
    script = res / "open_in_paraview.py"
    assert f"paraview --script={script}" in p.stdout
    compile(script.read_text(), str(script), "exec")
    pvpython = shutil.which("pvpython")
    if pvpython is None:
        pytest.skip("pvpython not found: the ParaView script was only checked to parse")
    run = subprocess.run([pvpython, "--force-offscreen-rendering", str(script)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "chemomech: opened" in run.stdout
    rng = [ln for ln in run.stdout.splitlines() if "range of Von Mises" in ln][0]
    assert "None" not in rng and "(0.0, 0.0)" not in rng
    if "no display" not in run.stdout:
        assert (res / "pv.png").exists()


def test_a_terminated_sweep_stops_its_point_runs(tmp_path):
    """SIGTERM to the sweep process alone (kill, a batch system's time limit) used to leave
    its point runs going as orphans; a re-run then started second runs into their folders.
    Now the sweep stops them (they end after their step as 'interrupted') before it exits."""
    import signal
    import time

    out = tmp_path / "sw"
    args = ["sweep", DEFAULT, "--out", out, "--workers", "1",
            "--set", "output.pictures=false", "--set", "mesh.cache=false",
            "--vary", "loading.specific_current=0.1 A/g,0.2 A/g"]
    proc = subprocess.Popen([*chemomech_cmd(), *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    locks = []
    deadline = time.time() + 300
    while not locks:  # the first point's run is writing its results
        assert proc.poll() is None and time.time() < deadline, proc.communicate()
        locks = list(out.glob("points/*/results/run.lock")) + list(out.glob("**/run.lock"))
        time.sleep(0.1)
    lock = locks[0]
    pid = json.loads(lock.read_text())["pid"]
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode != 0 and "interrupted" in err, err
    with pytest.raises(ProcessLookupError):  # the point run has ended with the sweep
        import os

        os.kill(pid, 0)
    summary = json.loads((lock.parent / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    assert not lock.exists()


def test_rerun_resumes_an_interrupted_point_from_its_checkpoint(tmp_path):
    """A point run stopped by SIGTERM (what SLURM sends at the time limit) leaves a checkpoint;
    re-running the sweep continues it from there ("p000: resuming from step N"): its history
    runs from step 0 without duplicates and run.log says restart 1. A checkpoint of another
    case in a point's folder is not used: that point starts afresh (and, failed before, is
    run again)."""
    import os
    import signal
    import time

    from solver.outputs.history import read_history

    out = tmp_path / "sw"
    args = ["sweep", DEFAULT, "--out", out, "--workers", "1", "--zip",
            "--vary", "time.dt_min=1e-3 s,100 s", "--vary", "time.dt_initial=10 s,100 s",
            "--vary", "solver.newton_max_iterations=25,1"]
    args += set_args([*(s for s in FAST if not s.startswith(("stop.", "time.dt_min"))),
                      *SLOW_RUN_SETS])
    proc = subprocess.Popen([*chemomech_cmd(), *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    res0 = out / "points" / "p000" / "results"
    deadline = time.time() + 300
    while True:  # p000's run has recorded some steps: stop it (not the sweep)
        assert proc.poll() is None and time.time() < deadline, proc.communicate()
        try:
            lines = (res0 / "history.csv").read_text().count("\n")
            pid = json.loads((res0 / "run.lock").read_text())["pid"]
        except (OSError, ValueError):
            lines = 0
        if lines > 20:
            break
        time.sleep(0.05)
    os.kill(pid, signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stdout + stderr
    rows = manifest(out)
    assert rows["p000"]["status"] == "failed" and "interrupted" in rows["p000"]["error"]
    assert rows["p001"]["status"] == "failed" and "dt_min" in rows["p001"]["error"]
    summary = json.loads((res0 / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    stopped = [r["step"] for r in read_history(res0 / "history.csv")]
    assert stopped == list(range(len(stopped))) and len(stopped) > 20
    assert (res0 / "checkpoint.npz").exists()
    # p001 gets p000's checkpoint: another case (its hash differs), so it must start afresh
    res1 = out / "points" / "p001" / "results"
    shutil.copyfile(res0 / "checkpoint.npz", res1 / "checkpoint.npz")

    again = cli(*args)
    assert again.returncode == 1, again.stdout + again.stderr  # p001 fails again
    assert "0 already completed, 2 to run" in again.stdout
    assert f"p000: resuming from step {stopped[-1]}" in again.stdout
    assert "p001: resuming" not in again.stdout
    rows = manifest(out)
    assert rows["p000"]["status"] == "completed", rows["p000"]
    assert rows["p001"]["status"] == "failed" and "dt_min" in rows["p001"]["error"]
    steps = [r["step"] for r in read_history(res0 / "history.csv")]
    assert steps == list(range(len(steps))) and len(steps) > len(stopped)
    log = (res0 / "run.log").read_text()
    assert "restart 1" in log and f"checkpoint at step {stopped[-1]}" in log
    assert json.loads((res0 / "summary.json").read_text())["status"] == "completed"
    log1 = (res1 / "run.log").read_text()
    assert "restart 0" in log1 and "restart 1" not in log1
    assert "not resuming" in log1 and "different case" in log1
    assert [r["step"] for r in read_history(res1 / "history.csv")] == [0]
    assert not (res1 / "checkpoint.npz").exists()  # the fresh run removed the foreign one
