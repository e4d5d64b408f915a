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

from chemomech_testing import ROOT, chemomech_cmd

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
