"""What a sweep believes about its points: exit codes against summaries, interrupted runs,
points still queued in SLURM, a changed base case, deleted or orphaned points, multi-line
errors; and the input checks of --vary, --set, the SLURM options and collect --metric."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from chemomech_testing import ROOT, chemomech_cmd
from solver.batch import slurm
from solver.batch.collect import collect, gather
from solver.batch.local import run_local
from solver.batch.sweep import (
    SweepError,
    build,
    point_status,
    prepare,
    read_manifest,
    refresh,
)
from solver.outputs.provenance import case_hash

DEFAULT = ROOT / "cases" / "default.yaml"
VARY = ["stop.mean_theta=0.2,0.4,0.6"]


def cli(*args, cwd=None):
    return subprocess.run([*chemomech_cmd(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def _summary(case_file: Path, status="completed", error=None) -> dict:
    case = yaml.safe_load(case_file.read_text())
    return {"status": status, "error": error, "case": {"hash": case_hash(case)},
            "run": {"wall_time_s": 1.0, "peak_memory_mb": 10.0},
            "peak": {"core: max Von Mises stress [Pa]": case["stop"]["mean_theta"] * 1e9},
            "final": {"time [s]": 1.0}}


def runner(calls=None, status="completed", error=None, code=0, stderr=""):
    """A fake ``chemomech run``: writes summary.json (status/error) and run.err; returns code."""

    def run(point_dir: Path, case_file: Path, results: Path) -> int:
        if calls is not None:
            calls.append(point_dir.name)
        results.mkdir(parents=True, exist_ok=True)
        (results / "summary.json").write_text(json.dumps(_summary(case_file, status, error)))
        if stderr:
            (point_dir / "run.err").write_text(stderr)
        return code

    return run


def swept(tmp_path, vary=VARY, sets=(), **kw) -> tuple:
    sw = build(DEFAULT, vary, tmp_path / "sw", sets=list(sets))
    rows = run_local(sw.out, sw.keys, prepare(sw), runner=runner(**kw), quiet=True)
    return sw, rows


# ------------------------------------------------------------------ 1. exit code vs summary


def test_nonzero_exit_code_beats_a_completed_summary(tmp_path):
    sw, rows = swept(tmp_path, code=1, stderr="warning: x\nerror: stopped by SIGTERM\nmore\n")
    assert [r["status"] for r in rows] == ["failed"] * 3
    assert rows[0]["error"] == "error: stopped by SIGTERM"
    pdir = sw.out / "points" / "p000"
    assert point_status(pdir) == ("failed", "error: stopped by SIGTERM")
    (pdir / "run.err").unlink()
    assert point_status(pdir) == ("failed", "exit code 1")
    # a re-run runs them again
    calls: list[str] = []
    sw2 = build(DEFAULT, VARY, sw.out)
    rows = run_local(sw2.out, sw2.keys, prepare(sw2), runner=runner(calls), quiet=True)
    assert sorted(calls) == ["p000", "p001", "p002"]
    assert [r["status"] for r in rows] == ["completed"] * 3


def test_interrupted_summary_is_not_completed(tmp_path):
    msg = "interrupted by a signal at step 12, t = 30 s; checkpoint written"
    sw, rows = swept(tmp_path, status="interrupted", error=msg + "\nsecond line", code=0)
    assert [(r["status"], r["error"]) for r in rows] == [("failed", msg)] * 3
    # without an exit_code file (e.g. a SLURM task killed after the summary was written)
    pdir = sw.out / "points" / "p001"
    (pdir / "exit_code").unlink()
    assert point_status(pdir) == ("failed", msg)
    # an interrupted summary whose error does not say so still says "interrupted"
    s = json.loads((pdir / "results" / "summary.json").read_text())
    s["error"] = None
    (pdir / "results" / "summary.json").write_text(json.dumps(s))
    assert point_status(pdir) == ("failed", "interrupted")
    calls: list[str] = []
    sw2 = build(DEFAULT, VARY, sw.out)
    rows = prepare(sw2)
    assert [r["status"] for r in rows] == ["failed"] * 3
    run_local(sw2.out, sw2.keys, rows, runner=runner(calls), quiet=True)
    assert sorted(calls) == ["p000", "p001", "p002"]


# ------------------------------------------------------------------ 2. points still submitted


def _submit_fake(sw, rows, todo, job="4242"):
    (sw.out / "slurm").mkdir(exist_ok=True)
    slurm.clear_points(sw.out, todo)
    slurm.mark_submitted(sw.out, sw.keys, rows, todo, job)


def test_submitted_points_are_not_reset_or_resubmitted(tmp_path):
    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4,0.6,0.8"], tmp_path / "sw")
    rows = prepare(sw)
    _submit_fake(sw, rows, rows[:3])
    # p000 has finished meanwhile; p001 is running (a trace of it must survive)
    runner()(sw.out / "points" / "p000", sw.out / rows[0]["case"],
             sw.out / "points" / "p000" / "results")
    (sw.out / "points" / "p000" / "exit_code").write_text("0\n")
    (sw.out / "points" / "p001" / "run.err").write_text("still running\n")
    again = build(DEFAULT, ["stop.mean_theta=0.2,0.4,0.6,0.8"], sw.out)
    with pytest.raises(SweepError) as exc:
        prepare(again)
    assert exc.value.lines == [
        "points p001-p002 are submitted as job 4242 and not finished; wait for it, or cancel "
        "it (scancel 4242) and pass --resubmit"]
    assert exc.value.code == 2
    assert (sw.out / "points" / "p001" / "run.err").exists()
    _, back = read_manifest(sw.out)
    assert [r["status"] for r in back] == ["submitted", "submitted", "submitted", "pending"]
    rows = prepare(again, resubmit=True)
    assert [r["status"] for r in rows] == ["completed", "pending", "pending", "pending"]


def test_cli_refuses_to_resubmit_a_queued_job(tmp_path):
    out = tmp_path / "sw"
    args = ["sweep", DEFAULT, "--vary", "stop.mean_theta=0.1,0.2", "--out", out,
            "--executor", "slurm", "--dry-run"]
    assert cli(*args).returncode == 0
    keys, rows = read_manifest(out)
    slurm.mark_submitted(out, keys, rows, rows, "77")
    p = cli(*args)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [
        "error: points p000-p001 are submitted as job 77 and not finished; wait for it, or "
        "cancel it (scancel 77) and pass --resubmit"]
    p = cli(*args, "--resubmit")
    assert p.returncode == 0, p.stderr
    # the local executor does not run them behind the job's back either
    slurm.mark_submitted(out, keys, rows, rows, "78")
    p = cli("sweep", DEFAULT, "--vary", "stop.mean_theta=0.1,0.2", "--out", out)
    assert p.returncode == 2 and "submitted as job 78" in p.stderr


# ------------------------------------------------------------------ 3. SLURM options


def test_slurm_time_must_be_a_quoted_string(tmp_path):
    prof = tmp_path / "site.yaml"
    prof.write_text("time: 2:00:00\n")  # YAML 1.1: the base-60 integer 7200
    with pytest.raises(SweepError) as exc:
        slurm.make_options(slurm.load_profile(prof))
    assert len(exc.value.lines) == 1 and exc.value.code == 2
    assert exc.value.lines[0].startswith("time: ")
    assert "7200" in exc.value.lines[0] and 'time: "2:00:00"' in exc.value.lines[0]
    prof.write_text("time: '2:00:00'\n")
    assert slurm.make_options(slurm.load_profile(prof)).time == "2:00:00"
    with pytest.raises(SweepError, match="time: .*quote"):
        slurm.make_options(None, time=1.5)


def test_slurm_max_parallel_must_be_positive(tmp_path):
    for bad in (-3, 0, "x", True, 1.5):
        with pytest.raises(SweepError, match=r"max_parallel \(--max-parallel\): ") as exc:
            slurm.make_options(None, max_parallel=bad)
        assert exc.value.code == 2 and len(exc.value.lines) == 1
    sw = build(DEFAULT, VARY, tmp_path / "sw")
    rows = prepare(sw)
    script = slurm.write_script(sw.out, rows, slurm.make_options({"max_parallel": "2"}))
    assert "#SBATCH --array=0-2%2\n" in script.read_text()


# ------------------------------------------------------------------ 4. changed base case


def test_changed_set_is_refused(tmp_path):
    sw, _ = swept(tmp_path, sets=["mesh.size=1 um"])
    before = (sw.out / "points" / "p000" / "results" / "summary.json").read_text()
    # the same physics spelled differently is the same sweep
    same = build(DEFAULT, VARY, sw.out, sets=["mesh.size=1000 nm"])
    assert [r["status"] for r in prepare(same)] == ["completed"] * 3
    other = build(DEFAULT, VARY, sw.out, sets=["mesh.size=1 um", "geometry.mode=axisymmetric"])
    with pytest.raises(SweepError) as exc:
        prepare(other)
    (line,) = exc.value.lines
    assert "another base case" in line and "geometry.mode: 'octant' -> 'axisymmetric'" in line
    assert "--out" in line
    assert (sw.out / "points" / "p000" / "results" / "summary.json").read_text() == before
    _, back = read_manifest(sw.out)
    assert [r["status"] for r in back] == ["completed"] * 3


def test_edited_case_file_is_refused(tmp_path):
    base = tmp_path / "base.yaml"
    shutil.copy(DEFAULT, base)
    sw = build(base, VARY, tmp_path / "sw")
    run_local(sw.out, sw.keys, prepare(sw), runner=runner(), quiet=True)
    base.write_text(base.read_text().replace("size: 0.5 um ", "size: 0.4 um "))
    with pytest.raises(SweepError, match=r"mesh.size: 5e-07 -> 4e-07"):
        prepare(build(base, VARY, sw.out))


# ------------------------------------------------------------------ 5. deleted / orphaned points


def test_collect_reports_a_deleted_point(tmp_path):
    sw, _ = swept(tmp_path)
    shutil.rmtree(sw.out / "points" / "p001")
    (sw.out / "points" / "p002" / "results" / "summary.json").unlink()
    res = collect(sw.out, quiet=True)
    assert res["counts"] == {"completed": 1, "failed": 2}
    _, back = read_manifest(sw.out)
    st = {r["point"]: (r["status"], r["error"]) for r in back}
    assert st["p001"][0] == "failed" and "points/p001 is missing" in st["p001"][1]
    assert st["p002"][0] == "failed" and "results/summary.json" in st["p002"][1]


def test_collect_leaves_sweep_csv_to_a_running_sweep(tmp_path):
    """collect refreshes sweep.csv, and so does a running sweep: two writers at once lost
    one's rows. While a sweep holds the folder, collect reports the statuses in collect.csv
    but leaves sweep.csv alone; a sweep that starts while collect holds the lock waits."""
    import threading

    from solver.batch.sweep import sweep_lock, sweep_lock_if_free

    sw, _ = swept(tmp_path)
    shutil.rmtree(sw.out / "points" / "p001")
    before = (sw.out / "sweep.csv").read_text()
    with sweep_lock(sw.out):
        res = collect(sw.out, quiet=True)
    assert res["counts"] == {"completed": 2, "failed": 1}  # collect.csv knows
    assert (sw.out / "sweep.csv").read_text() == before  # the sweep's file untouched
    collect(sw.out, quiet=True)  # no sweep: collect writes it
    assert "points/p001 is missing" in (sw.out / "sweep.csv").read_text()

    held = threading.Event()
    release = threading.Event()

    def briefly():
        with sweep_lock(sw.out):
            held.set()
            release.wait(10)

    t = threading.Thread(target=briefly)
    t.start()
    held.wait(10)
    threading.Timer(0.5, release.set).start()
    with sweep_lock(sw.out, wait_s=5):  # waits for the brief holder instead of refusing
        pass
    t.join()
    # a sweep refused while collect holds the folder names collect, not an earlier sweep
    with sweep_lock_if_free(sw.out) as free:
        assert free
        with pytest.raises(SweepError, match=f"another chemomech collect .pid {os.getpid()}"):
            with sweep_lock(sw.out, wait_s=0.2):
                pass


def test_point_of_a_killed_sweep_is_not_left_running(tmp_path):
    sw = build(DEFAULT, VARY, tmp_path / "sw")
    prepare(sw)
    code = textwrap.dedent(f"""
        import dolfinx_solver, os
        from solver.batch.local import run_local
        from solver.batch.sweep import read_manifest
        out = {str(sw.out)!r}
        keys, rows = read_manifest(out)
        run_local(out, keys, rows[:1], runner=lambda *a: os._exit(9), quiet=True)
    """)
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert p.returncode == 9, p.stderr
    _, back = read_manifest(sw.out)
    assert back[0]["status"] == "running"  # what the killed process left behind
    _, table = gather(sw.out)
    assert table[0]["status"] == "failed"
    assert "killed" in table[0]["error"]
    # while a (live) sweep runs a point, collect leaves it running
    sw2 = build(DEFAULT, VARY, tmp_path / "sw2")
    seen = []

    def run(point_dir, case_file, results):
        keys, rows = read_manifest(sw2.out)
        seen.append({r["point"]: r["status"] for r in refresh(sw2.out, keys, rows)})
        return runner()(point_dir, case_file, results)

    run_local(sw2.out, sw2.keys, prepare(sw2), runner=run, quiet=True)
    assert seen[0] == {"p000": "running", "p001": "pending", "p002": "pending"}




# ------------------------------------------------------------------ 6. multi-line errors


def test_multi_line_error_keeps_its_first_line(tmp_path, capsys):
    stack = ("PETSc error 55: out of memory\n[0]PETSC ERROR: -----------------\n"
             "[0]PETSC ERROR: #1 MatLUFactor() at mat.c:1\n")
    sw = build(DEFAULT, VARY, tmp_path / "sw")
    rows = run_local(sw.out, sw.keys, prepare(sw), quiet=False,
                     runner=runner(status="failed", error=stack, code=1))
    assert [r["error"] for r in rows] == ["PETSc error 55: out of memory"] * 3
    assert "MatLUFactor" not in capsys.readouterr().out
    _, back = read_manifest(sw.out)
    assert all(r["error"] == "PETSc error 55: out of memory" for r in back)
    # run.err: a PETSc banner line and a traceback are skipped
    pdir = sw.out / "points" / "p000"
    (pdir / "results" / "summary.json").unlink()
    (pdir / "run.err").write_text("[0]PETSC ERROR: ------------------ Error Message -----\n"
                                  "[0]PETSC ERROR: Argument out of range\n[0]PETSC ERROR: x\n")
    assert point_status(pdir) == ("failed", "[0]PETSC ERROR: Argument out of range")
    (pdir / "run.err").write_text('Traceback (most recent call last):\n  File "a.py", line 1\n'
                                  "    raise ValueError('x')\nValueError: bad value\n")
    assert point_status(pdir) == ("failed", "ValueError: bad value")

    def boom(point_dir, case_file, results):
        raise RuntimeError("first line\nsecond line")

    sw2 = build(DEFAULT, VARY, tmp_path / "sw2")
    rows = run_local(sw2.out, sw2.keys, prepare(sw2), runner=boom, quiet=True)
    assert rows[0]["error"] == "error: RuntimeError: first line"


# ------------------------------------------------------------------ 7. input checks


def test_duplicate_values_rejected():
    with pytest.raises(SweepError) as exc:
        build(DEFAULT, ["mesh.size=0.5 um,0.5 um,500 nm", "stop.mean_theta=0.2,0.4"], "unused")
    assert exc.value.lines == [
        "--vary mesh.size: '0.5 um', '0.5 um' and '500 nm' are the same value (equal after "
        "unit conversion); give each value once"]
    assert exc.value.code == 2
    with pytest.raises(SweepError, match=r"--zip: points p000 and p002 are the same case"):
        build(DEFAULT, ["mesh.size=0.5 um,1 um,500 nm", "stop.mean_theta=0.2,0.4,0.2"],
              "unused", zip_=True)
    # zipped lists may repeat a value when the other list differs
    sw = build(DEFAULT, ["mesh.size=0.5 um,500 nm", "stop.mean_theta=0.2,0.4"], "unused",
               zip_=True)
    assert len(sw.points) == 2


def test_unknown_set_field_reported_once():
    with pytest.raises(SweepError) as exc:
        build(DEFAULT, VARY, "unused", sets=["loading.foo=1"])
    (line,) = exc.value.lines
    assert line.startswith("invalid case: ") and "loading.foo: unknown field" in line
    # a problem of the varied key itself is still named per point
    with pytest.raises(SweepError) as exc:
        build(DEFAULT, ["loading.foo=1,2"], "unused", sets=["loading.bar=1"])
    assert len(exc.value.lines) == 3
    assert "loading.bar" in exc.value.lines[0]
    assert all(ln.startswith("point p00") and "loading.foo" in ln for ln in exc.value.lines[1:])


def test_collect_rejects_non_numeric_metric(tmp_path):
    sw, _ = swept(tmp_path)
    with pytest.raises(SweepError) as exc:
        collect(sw.out, metric="status", quiet=True)
    (line,) = exc.value.lines
    assert line.startswith("--metric 'status': not a numeric column")
    assert "peak: core: max Von Mises stress [Pa]" in line and "error" not in line.split(
        "numeric ones:")[1].split(", ")
    p = cli("collect", sw.out, "--metric", "status")
    assert p.returncode == 2 and "not a numeric column" in p.stderr


# ------------------------------------------------------------------ 6. damaged sweep files


def _damage_manifest(path: Path, damage: str) -> None:
    if damage == "not_utf8":
        path.write_bytes(path.read_bytes() + b"\xff\xfe\n")
    elif damage == "no_case_column":
        lines = path.read_text().splitlines()
        lines[0] = lines[0].replace(",case,", ",cas,")
        path.write_text("\n".join(lines) + "\n")
    else:  # header only
        path.write_text(path.read_text().splitlines()[0] + "\n")


@pytest.mark.parametrize("damage, words", [
    ("not_utf8", "not UTF-8 text"),
    ("no_case_column", "no case column"),
    ("header_only", "lists no points"),
])
def test_collect_damaged_manifest_is_one_error_line(tmp_path, damage, words):
    """A sweep.csv that is not UTF-8, has no case column or only a header: one line naming
    it, exit 2 (was: a UnicodeDecodeError/KeyError traceback, or "collect:  of 0 points"
    with exit 1 and no error)."""
    sw, _ = swept(tmp_path)
    _damage_manifest(sw.out / "sweep.csv", damage)
    p = cli("collect", sw.out)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), p.stderr
    assert str(sw.out / "sweep.csv") in lines[0] and words in lines[0], lines[0]
    assert "of 0 points" not in p.stdout


def test_collect_unreadable_summary_fails_the_point_saying_so(tmp_path):
    """summary.json holding [1] (valid JSON, not an object): the point is failed because its
    summary is unreadable (not "exited without writing"); the others are collected."""
    sw, _ = swept(tmp_path)
    pdir = sw.out / "points" / "p000"
    (pdir / "results" / "summary.json").write_text("[1]")
    msg = "results/summary.json: unreadable, a JSON list instead of an object; damaged?"
    assert point_status(pdir) == ("failed", msg)
    res = collect(sw.out, quiet=True)
    assert res["counts"] == {"completed": 2, "failed": 1}
    _, back = read_manifest(sw.out)
    assert (back[0]["status"], back[0]["error"]) == ("failed", msg)


def test_collect_counts_each_points_warnings(tmp_path):
    """A point that warned (θ out of range, the yolk touching the shell…) stands out in the
    table; a summary.json of a version that did not list warnings gives no count."""
    sw, _ = swept(tmp_path)
    for name, warned in (("p000", ["a", "b"]), ("p001", None)):
        path = sw.out / "points" / name / "results" / "summary.json"
        s = json.loads(path.read_text())
        s["warnings"] = [] if warned is None else warned
        if warned is None:
            del s["warnings"]
        path.write_text(json.dumps(s))
    _, table = gather(sw.out)
    counts = [r["warnings"] for r in table]
    assert counts[0] == 2 and counts[1] != counts[1] and counts[2] != counts[2]


def test_collect_without_a_completed_point_exits_1_with_an_error_line(tmp_path):
    """Every point failed: nothing to plot; exit 1 (a failed point is a runtime failure, see
    solver/batch/cli.py) with an error line saying so, not silently."""
    sw, _ = swept(tmp_path, code=1)
    p = cli("collect", sw.out)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "collect: 3 failed of 3 points" in p.stdout
    assert p.stderr.startswith("error: ") and "no point completed (3 failed)" in p.stderr, \
        p.stderr


def test_results_of_another_case_are_not_completed(tmp_path):
    """A point whose results/summary.json has another case hash (results copied in, or the
    point's case.yaml edited since) is not counted as completed: collect says why and a
    re-run runs that point again."""
    sw, rows = swept(tmp_path)
    assert [r["status"] for r in rows] == ["completed"] * 3
    summary_file = sw.out / "points" / "p001" / "results" / "summary.json"
    s = json.loads(summary_file.read_text())
    s["case"]["hash"] = "0" * 16
    summary_file.write_text(json.dumps(s))
    _, table = gather(sw.out)
    by_point = {r["point"]: r for r in table}
    assert by_point["p001"]["status"] == "failed"
    assert "another case" in by_point["p001"]["error"]
    assert by_point["p000"]["status"] == by_point["p002"]["status"] == "completed"
    calls: list[str] = []
    sw2 = build(DEFAULT, VARY, sw.out)
    run_local(sw2.out, sw2.keys, prepare(sw2), runner=runner(calls), quiet=True)
    assert calls == ["p001"]


@pytest.mark.parametrize("case_section", [{"hash": None}, {}, None],
                         ids=["hash_null", "no_hash", "no_case"])
def test_a_summary_without_a_case_hash_is_not_completed(tmp_path, case_section):
    """A point's results/summary.json naming no case hash cannot be shown to be of the
    point's case: not completed when a hash is expected (a re-run runs the point again)."""
    pdir = tmp_path / "p000"
    (pdir / "results").mkdir(parents=True)
    (pdir / "exit_code").write_text("0\n")
    summary = {"status": "completed", "error": None}
    if case_section is not None:
        summary["case"] = case_section
    (pdir / "results" / "summary.json").write_text(json.dumps(summary))
    status, error = point_status(pdir, "0123456789abcdef")
    assert status == "failed" and "another case" in error
    assert point_status(pdir) == ("completed", "")  # no hash expected: as written


def test_collect_plots_completed_points_only(tmp_path, monkeypatch):
    """An interrupted point's summary holds the peaks of a partial run: the table lists it
    as failed and the metric plot leaves it out."""
    import solver.batch.collect as collect_mod

    sw, _ = swept(tmp_path)  # fake peaks: mean_theta × 1e9 Pa → 2e8, 4e8, 6e8
    summary_file = sw.out / "points" / "p001" / "results" / "summary.json"
    s = json.loads(summary_file.read_text())
    s["status"], s["error"] = "interrupted", "interrupted by a signal at step 3"
    summary_file.write_text(json.dumps(s))
    drawn = []
    monkeypatch.setattr(collect_mod, "_draw",
                        lambda png, series, xlabel, ylabel, title: drawn.append(series))
    written = collect(sw.out, quiet=True)
    assert written["counts"] == {"completed": 2, "failed": 1}
    ((xs, ys, _),) = drawn[0]
    assert xs == [0.2, 0.6] and ys == [2e8, 6e8]
