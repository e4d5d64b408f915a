"""Sweep expansion, validation of every point, the manifest and resuming (fake runner)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from chemomech_testing import ROOT, chemomech_cmd
from solver.batch import slurm
from solver.batch.local import run_local
from solver.batch.sweep import (
    SweepError,
    build,
    check_output_dir,
    expand,
    parse_vary,
    prepare,
    read_manifest,
    split_values,
)

DEFAULT = ROOT / "cases" / "default.yaml"


def cli(*args, cwd=None):
    return subprocess.run([*chemomech_cmd(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


# ------------------------------------------------------------------ parsing and expansion


def test_split_values_respects_brackets_and_quotes():
    assert split_values("0.5 um, 0.25 um") == ["0.5 um", "0.25 um"]
    assert split_values("[10, 100],[20, 200]") == ["[10, 100]", "[20, 200]"]
    assert split_values("{kind: constant, value: 1e-16},2e-16 m^2/s") == [
        "{kind: constant, value: 1e-16}", "2e-16 m^2/s"]
    assert split_values('"a,b",c') == ['"a,b"', "c"]


def test_parse_vary_errors():
    assert parse_vary("mesh.size=0.5 um,0.25 um") == ("mesh.size", ["0.5 um", "0.25 um"])
    for bad in ("mesh.size", "=1,2", "mesh..size=1"):
        with pytest.raises(SweepError, match="expected dotted.key=v1,v2"):
            parse_vary(bad)
    with pytest.raises(SweepError, match="empty list of values"):
        parse_vary("mesh.size=")
    with pytest.raises(SweepError, match="empty value"):
        parse_vary("mesh.size=1 um,,2 um")


def test_cartesian_and_zip():
    pts = expand([("a", ["1", "2"]), ("b", ["x", "y", "z"])])
    assert len(pts) == 6
    assert [p.id for p in pts][:2] == ["p000", "p001"]
    assert pts[0].values == {"a": "1", "b": "x"} and pts[5].values == {"a": "2", "b": "z"}
    assert pts[1].overrides == ["a=1", "b=y"]
    z = expand([("a", ["1", "2"]), ("b", ["x", "y"])], zip_=True)
    assert [p.values for p in z] == [{"a": "1", "b": "x"}, {"a": "2", "b": "y"}]
    with pytest.raises(SweepError, match="equal length"):
        expand([("a", ["1", "2"]), ("b", ["x"])], zip_=True)
    with pytest.raises(SweepError, match="more than once"):
        expand([("a", ["1"]), ("a", ["2"])])
    with pytest.raises(SweepError, match="nothing to vary"):
        expand([])


# ------------------------------------------------------------------ validation


def test_every_point_validated_with_point_and_field_named():
    with pytest.raises(SweepError) as exc:
        build(DEFAULT, ["loading.specific_current=0.1 A/g,2 m,0.3 A/g"], "unused")
    lines = exc.value.lines
    assert exc.value.code == 2
    assert len(lines) == 1
    assert lines[0].startswith("point p001 (loading.specific_current=2 m): ")
    assert "loading.specific_current" in lines[0] and "A/kg" in lines[0]


def test_unknown_key_is_named_for_each_point():
    with pytest.raises(SweepError) as exc:
        build(DEFAULT, ["loading.specific_curent=1 A/g,2 A/g"], "unused")
    assert len(exc.value.lines) == 2
    assert all("loading.specific_curent: unknown field" in ln for ln in exc.value.lines)
    assert "did you mean 'specific_current'" in exc.value.lines[0]


def test_resolved_case_files_and_manifest(tmp_path):
    sw = build(DEFAULT, ["mesh.size=0.5 um,0.25 um", "stop.mean_theta=0.5,0.8"],
               tmp_path / "sw", sets=["geometry.mode=axisymmetric"])
    check_output_dir(sw.out)
    rows = prepare(sw)
    assert [r["point"] for r in rows] == ["p000", "p001", "p002", "p003"]
    keys, back = read_manifest(sw.out)
    assert keys == ["mesh.size", "stop.mean_theta"]
    assert back[3]["mesh.size"] == "0.25 um" and back[3]["stop.mean_theta"] == "0.8"
    assert all(r["status"] == "pending" for r in back)
    with open(sw.out / "sweep.csv", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["point", "mesh.size", "stop.mean_theta", "case", "status", "error",
                      "results"]
    case = yaml.safe_load((sw.out / back[3]["case"]).read_text())
    assert case["mesh"]["size"] == pytest.approx(0.25e-6)
    assert case["stop"]["mean_theta"] == 0.8
    assert case["geometry"]["mode"] == "axisymmetric"
    meta = json.loads((sw.out / "sweep.json").read_text())
    assert meta["set"] == ["geometry.mode=axisymmetric"]
    assert Path(meta["base_case"]) == DEFAULT.resolve()
    # the point case files are valid cases themselves
    from solver.case import load_case

    load_case(sw.out / back[0]["case"])
    # another sweep into the same directory is refused
    other = build(DEFAULT, ["mesh.size=1 um"], tmp_path / "sw")
    with pytest.raises(SweepError, match="different sweep"):
        prepare(other)


def test_output_dir_checks(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SweepError, match="cannot write to the output directory") as exc:
        check_output_dir(tmp_path / "file" / "sub")
    assert exc.value.code == 1
    with pytest.raises(SweepError, match="MB free"):
        check_output_dir(tmp_path / "ok", min_free_mb=1e15)


# ------------------------------------------------------------------ running and resuming


def _fake_runner(calls, fail=()):
    def run(point_dir: Path, case_file: Path, results: Path) -> int:
        calls.append(point_dir.name)
        case = yaml.safe_load(case_file.read_text())
        from solver.outputs.provenance import case_hash

        results.mkdir(parents=True, exist_ok=True)
        if point_dir.name in fail:
            (point_dir / "run.err").write_text("error: something broke\nmore detail\n")
            return 1
        summary = {"status": "completed", "case": {"hash": case_hash(case)},
                   "run": {"wall_time_s": 1.0, "peak_memory_mb": 10.0},
                   "peak": {"core: max Von Mises stress [Pa]": case["stop"]["mean_theta"] * 1e9},
                   "final": {"time [s]": 1.0}}
        (results / "summary.json").write_text(json.dumps(summary))
        return 0
    return run


def test_failed_point_recorded_others_run_and_resume_skips(tmp_path):
    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4,0.6"], tmp_path / "sw")
    rows = prepare(sw)
    calls: list[str] = []
    rows = run_local(sw.out, sw.keys, rows, workers=2, runner=_fake_runner(calls, {"p001"}),
                     quiet=True)
    assert sorted(calls) == ["p000", "p001", "p002"]
    _, back = read_manifest(sw.out)
    status = {r["point"]: (r["status"], r["error"]) for r in back}
    assert status["p000"] == ("completed", "") and status["p002"] == ("completed", "")
    assert status["p001"] == ("failed", "error: something broke")
    # re-run: only the failed point runs again
    calls.clear()
    sw2 = build(DEFAULT, ["stop.mean_theta=0.2,0.4,0.6"], tmp_path / "sw")
    rows = prepare(sw2)
    assert [r["status"] for r in rows] == ["completed", "failed", "completed"]
    run_local(sw2.out, sw2.keys, rows, workers=2, runner=_fake_runner(calls), quiet=True)
    assert calls == ["p001"]
    _, back = read_manifest(sw.out)
    assert all(r["status"] == "completed" for r in back)
    # a changed base case (another --set) is refused: the completed points are kept
    sw3 = build(DEFAULT, ["stop.mean_theta=0.2,0.4,0.6"], tmp_path / "sw",
                sets=["geometry.mode=axisymmetric"])
    with pytest.raises(SweepError, match="another base case .*geometry.mode"):
        prepare(sw3)
    _, back = read_manifest(sw.out)
    assert all(r["status"] == "completed" for r in back)

    from solver.batch.collect import collect

    res = collect(sw.out, quiet=True)
    assert res["counts"] == {"completed": 3}
    with open(sw.out / "collect.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [float(r["peak: core: max Von Mises stress [Pa]"]) for r in table] == pytest.approx(
        [0.2e9, 0.4e9, 0.6e9])
    assert [float(r["stop.mean_theta [-]"]) for r in table] == [0.2, 0.4, 0.6]
    assert (sw.out / "collect_stop.mean_theta.png").stat().st_size > 1000
    with pytest.raises(SweepError, match="no such value"):
        collect(sw.out, metric="no such metric", quiet=True)


def test_runner_exception_does_not_stop_others(tmp_path):
    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4"], tmp_path / "sw")
    rows = prepare(sw)

    def runner(point_dir, case_file, results):
        if point_dir.name == "p000":
            raise RuntimeError("boom")
        return _fake_runner([])(point_dir, case_file, results)

    rows = run_local(sw.out, sw.keys, rows, workers=1, runner=runner, quiet=True)
    assert [r["status"] for r in rows] == ["failed", "completed"]
    assert "boom" in rows[0]["error"]


def test_an_unwritable_point_folder_fails_that_point_only(tmp_path, monkeypatch):
    """A read-only point folder (or a full disk) killed the whole local sweep with a
    traceback and left the point 'pending'."""
    import errno

    import solver.batch.local as local

    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4"], tmp_path / "sw")
    rows = prepare(sw)
    real = local.mark_running

    def mark_running(point_dir):
        if point_dir.name == "p000":
            raise OSError(errno.EROFS, "Read-only file system", str(point_dir))
        real(point_dir)

    monkeypatch.setattr(local, "mark_running", mark_running)
    rows = run_local(sw.out, sw.keys, rows, workers=1, runner=_fake_runner([]), quiet=True)
    assert [r["status"] for r in rows] == ["failed", "completed"]
    assert "Read-only file system" in rows[0]["error"]


def test_collect_gives_a_varied_list_entry_as_its_number_with_unit(tmp_path):
    """--vary geometry.coatings.0=... gave the column 'geometry.coatings.0 [-]' holding
    JSON ({"thickness": 1e-07, "name": null}); it is now the thickness in m."""
    from solver.batch.collect import collect

    sw = build(ROOT / "cases" / "examples" / "core_shell.yaml",
               ["geometry.coatings.0=0.1 um,0.2 um"], tmp_path / "sw")
    rows = prepare(sw)
    run_local(sw.out, sw.keys, rows, workers=1, runner=_fake_runner([]), quiet=True)
    collect(sw.out, quiet=True)
    with open(sw.out / "collect.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [float(r["geometry.coatings.0.thickness [m]"]) for r in table] == [1e-7, 2e-7]
    assert (sw.out / "collect_geometry.coatings.0.png").stat().st_size > 1000


def test_a_point_waits_for_an_earlier_run_that_is_still_stopping(tmp_path, capsys):
    """Right after a killed sweep its point runs stop by themselves, but only after their
    step: a sweep started at once was refused by their run.lock and failed the points."""
    import socket
    import time

    from solver.batch.local import _wait_for_earlier_run

    results = tmp_path / "results"
    results.mkdir()
    earlier = subprocess.Popen(["sleep", "1.5"])
    import threading

    threading.Thread(target=earlier.wait).start()  # reaped when it ends (no zombie)
    (results / "run.lock").write_text(json.dumps({"pid": earlier.pid,
                                                  "host": socket.gethostname()}))
    t0 = time.monotonic()
    _wait_for_earlier_run(results, {"point": "p000"}, quiet=False)
    assert earlier.poll() is not None and time.monotonic() - t0 >= 1.0
    assert f"p000: waiting for an earlier run of it (pid {earlier.pid})" in capsys.readouterr().out
    (results / "run.lock").write_text(json.dumps({"pid": earlier.pid, "host": "elsewhere"}))
    _wait_for_earlier_run(results, {"point": "p000"}, quiet=False)  # not ours: no wait
    assert "waiting" not in capsys.readouterr().out


def test_one_sweep_at_a_time_in_a_folder(tmp_path):
    """Two sweeps started together into one --out both ran (or submitted) every point and
    the last to write sweep.csv won; the second is now refused while the first holds it."""
    from solver.batch.sweep import sweep_lock

    with sweep_lock(tmp_path):
        with pytest.raises(SweepError, match=f"another chemomech sweep .pid {os.getpid()}"):
            with sweep_lock(tmp_path):
                pass
    with sweep_lock(tmp_path):  # released when the first ends
        pass


# ------------------------------------------------------------------ SLURM script (no SLURM)


def test_slurm_script_and_profile(tmp_path):
    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4,0.6"], tmp_path / "sw")
    rows = prepare(sw)
    prof = tmp_path / "site.yaml"
    prof.write_text("partition: short\naccount: proj42\nmem: 8G\ntime: '02:00:00'\n"
                    "ranks: 4\nsetup: module load foo\n")
    opts = slurm.make_options(slurm.load_profile(prof), time="00:30:00", ranks=None)
    script = slurm.write_script(sw.out, rows[1:], opts)
    text = script.read_text()
    for line in ("#SBATCH --array=0-1", "#SBATCH --ntasks=4", "#SBATCH --mem=8G",
                 "#SBATCH --partition=short", "#SBATCH --account=proj42",
                 "#SBATCH --time=00:30:00", "module load foo", "srun --mpi=pmi2 --ntasks=4"):
        assert line in text, line
    assert f"--output={sw.out.resolve() / 'logs' / '%A_%a.out'}" in text
    assert "points/p001" in text and "points/p000" not in text
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("partitoin: x\n")
    with pytest.raises(SweepError, match="partitoin: unknown profile key"):
        slurm.load_profile(bad)


def test_slurm_srun_mpi_plugin(tmp_path):
    """srun without an MPI plugin starts N serial copies of a run: a multi-rank point is
    launched with --mpi=pmi2 unless the profile or --srun-mpi says otherwise ('default': no
    --mpi, the site's MpiDefault); a serial point runs without srun."""
    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4"], tmp_path / "sw")
    rows = prepare(sw)

    def run_line(opts):
        text = slurm.write_script(sw.out, rows, opts).read_text()
        assert subprocess.run(["bash", "-n", str(sw.out / "slurm" / "sweep.sbatch")]
                              ).returncode == 0
        return next(ln for ln in text.splitlines() if "-m solver run" in ln)

    assert run_line(slurm.make_options(None, ranks=2)).startswith("srun --mpi=pmi2 --ntasks=2 ")
    prof = tmp_path / "site.yaml"
    prof.write_text("ranks: 4\nsrun_mpi: pmix\n")
    assert run_line(slurm.make_options(slurm.load_profile(prof))).startswith(
        "srun --mpi=pmix --ntasks=4 ")
    assert run_line(slurm.make_options(slurm.load_profile(prof), srun_mpi="pmi2")).startswith(
        "srun --mpi=pmi2 --ntasks=4 ")  # the command line wins
    assert run_line(slurm.make_options(None, ranks=2, srun_mpi="default")).startswith(
        "srun --ntasks=2 ")
    assert "srun" not in run_line(slurm.make_options(None, ranks=1))
    assert "srun" not in run_line(slurm.make_options(None, ranks=2, launcher="mpiexec"))
    for bad in ("pmi2; rm -rf /", ""):
        with pytest.raises(SweepError, match="srun_mpi"):
            slurm.make_options(None, ranks=2, srun_mpi=bad)
    prof.write_text("srun_mpi: null\n")
    with pytest.raises(SweepError, match="srun_mpi"):
        slurm.make_options(slurm.load_profile(prof))


def test_point_runs_resume_from_a_checkpoint_of_their_case(tmp_path):
    """Both executors run a point with ``chemomech run --resume``; the sweep announces the
    step it resumes from only for a checkpoint of the point's own case."""
    import numpy as np

    from solver.batch.local import run_command
    from solver.batch.sweep import clear_attempt, expected_hashes, resume_step

    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4"], tmp_path / "sw")
    rows = prepare(sw)
    hashes = expected_hashes(sw.out, rows)
    assert "--resume" in run_command(Path("case.yaml"), Path("results"))
    text = slurm.write_script(sw.out, rows, slurm.make_options(None)).read_text()
    assert "--quiet --resume" in text
    pdir = sw.point_dir("p000")
    assert resume_step(pdir, hashes["p000"]) is None  # no checkpoint
    (pdir / "results").mkdir()
    ckpt = pdir / "results" / "checkpoint.npz"
    np.savez(ckpt, node=np.arange(3), theta=np.zeros(3),
             state=np.array(json.dumps({"step": 318, "case_hash": hashes["p000"]})))
    assert resume_step(pdir, hashes["p000"]) == 318
    assert resume_step(pdir, hashes["p001"]) is None  # another point's case
    clear_attempt(pdir)
    assert ckpt.exists()  # a new attempt keeps it
    ckpt.write_bytes(b"truncated")
    assert resume_step(pdir, hashes["p000"]) is None


def test_slurm_missing_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(slurm.shutil, "which", lambda name: None)
    with pytest.raises(SweepError, match="SLURM is not installed") as exc:
        slurm.check_installed()
    assert exc.value.code == 1 and len(exc.value.lines) == 1


# ------------------------------------------------------------------ the command line


def test_cli_bad_input_exit_codes(tmp_path):
    out = tmp_path / "sw"
    p = cli("sweep", DEFAULT, "--vary", "loading.specific_current=0.1 A/g,2 m", "--out", out)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [
        f"point p001 (loading.specific_current=2 m): {DEFAULT}: loading.specific_current: "
        "expected a specific current [A/kg], got '2 m' (a length)"]
    assert not out.exists()  # nothing written before every point is valid
    p = cli("sweep", DEFAULT, "--vary", "stop.mean_theta=", "--out", out)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "empty list of values" in p.stderr
    p = cli("sweep", DEFAULT, "--vary", "stop.mean_theta=0.1,0.2", "--vary", "mesh.size=1 um",
            "--zip", "--out", out)
    assert p.returncode == 2 and "equal length" in p.stderr
    (tmp_path / "file").write_text("")
    p = cli("sweep", DEFAULT, "--vary", "stop.mean_theta=0.1,0.2", "--out", tmp_path / "file" / "x")
    assert p.returncode == 1 and p.stderr.strip().startswith("error: cannot write")
    p = cli("sweep", DEFAULT, "--vary", "stop.mean_theta=0.1,0.2", "--out", out,
            "--executor", "slurm", "--dry-run", "--time", "00:05:00")
    assert p.returncode == 0, p.stderr
    assert (out / "slurm" / "sweep.sbatch").exists()
    p = cli("collect", tmp_path)
    assert p.returncode == 2 and "no sweep.csv" in p.stderr


def test_collect_writes_string_values_without_json_quotes(tmp_path):
    sw = build(DEFAULT, ["geometry.mode=axisymmetric,octant"], tmp_path / "sw")
    rows = prepare(sw)
    run_local(sw.out, sw.keys, rows, workers=1, runner=_fake_runner([]), quiet=True)
    from solver.batch.collect import collect

    collect(sw.out, quiet=True)
    with open(sw.out / "collect.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [r["geometry.mode [-]"] for r in table] == ["axisymmetric", "octant"]


def test_slurm_task_records_the_exit_code_of_its_point(tmp_path):
    """The array task's script (run by bash here, as SLURM would run task 1) writes the
    run's exit code for the point: a failed run makes a failed point, not a completed one."""
    from solver.batch.sweep import point_status

    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4"], tmp_path / "sw")
    rows = prepare(sw)
    script = slurm.write_script(sw.out, rows, slurm.make_options(None), workdir=tmp_path)
    pdir = sw.out / "points" / "p001"
    (pdir / "case.yaml").write_text("geometry: {kind: sphere, radius: -1}\n")  # exit 2
    env = {**os.environ, "SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_JOB_ID": "7"}
    proc = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert (pdir / "exit_code").read_text().strip() == "2"
    status, error = point_status(pdir)
    assert status == "failed" and error
    assert not (sw.out / "points" / "p000" / "exit_code").exists()  # task 1 is p001 only


def test_points_run_the_sweeps_own_code_whatever_the_working_folder(tmp_path):
    """A point ran ``python -m solver``, which imports the ``solver`` package of the working
    folder first: from a folder holding another one (another checkout, a user's own
    ``solver/``) the sweep's points ran that code. Both executors now run ``python -P -m
    solver`` with the sweep's code first on PYTHONPATH."""
    import os
    import subprocess

    from solver.batch.local import code_root, point_environment, point_python

    decoy = tmp_path / "solver"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    (decoy / "__main__.py").write_text("print('decoy'); raise SystemExit(3)\n")
    p = subprocess.run([*point_python(), "--version"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120, env=point_environment(dict(os.environ)))
    assert p.returncode == 0 and p.stdout.startswith("chemomech"), (p.stdout, p.stderr)
    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4"], tmp_path / "sw")
    text = slurm.write_script(sw.out, prepare(sw), slurm.make_options(None)).read_text()
    assert f"export PYTHONPATH={code_root()}" in text and " -P -m solver run " in text
