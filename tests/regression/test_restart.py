"""A run killed with SIGKILL midway and restarted matches an uninterrupted run.

The history must hold the same steps and times with no duplicates or gaps, every value equal
to solver tolerance (1e-6 of each column's scale: what a checkpoint without the displacement,
of an earlier version, gives, the restarted elasticity solve starting from zero; a restart on
the same ranks repeats the run to round-off: test_restart_exact.py); fields.pvd must list
the same output times once.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from chemomech_testing import ROOT, assert_same_history, chemomech_cmd

ARGS = ["--set", "mesh.size=1 um", "--set", "mesh.surface_size=0.5 um", "--set", "mesh.cache=false",
        "--set", "output.checkpoint_every=7", "--set", "output.pictures=false",
        "--set", "time.output_every=5", "--quiet",
        # the case's steps before 2026-12-07: a restart is compared, not time-step accuracy
        "--set", "time.max_dtheta=0.1"]
SKIP = {"wall time [s]", "Krylov iterations (mechanics)"}
REL_TOL = 1e-6


def _run(out, *extra, **kw):
    return subprocess.Popen([*chemomech_cmd(), "run", str(ROOT / "cases" / "default.yaml"),
                             "--out", str(out), *ARGS, *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


_READ_XDMF = """
import sys
import dolfinx_solver  # noqa: F401  (dolfinx and PETSc of the wheel)
from mpi4py import MPI
import dolfinx.io
with dolfinx.io.XDMFFile(MPI.COMM_SELF, sys.argv[1] + "/fields.xdmf", "r") as f:
    mesh = f.read_mesh()
print(mesh.topology.index_map(mesh.topology.dim).size_local, "cells")
"""


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _pvd_times(path):
    return [float(d.get("timestep")) for d in ET.parse(path).getroot().find("Collection")]


def _kill_after(process, history, rows):
    """SIGKILL the run's process group once its history has more than ``rows`` lines."""
    deadline = time.time() + 300
    while time.time() < deadline:
        if process.poll() is not None:
            pytest.fail("the run finished before it could be killed")
        if history.exists() and history.read_text().count("\n") > rows:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_sigkill_then_restart_matches_uninterrupted_run(tmp_path):
    """Killed, restarted, killed again during the restart, restarted to the end: the frames
    of the killed restart are in fields.pvd too (they were merged only when a restart ended
    normally), and the summary's dt range covers the whole run."""
    ref = _run(tmp_path / "ref")
    assert ref.wait(timeout=600) == 0, ref.stderr.read()
    expected = _rows(tmp_path / "ref" / "history.csv")

    history = tmp_path / "run" / "history.csv"
    _kill_after(_run(tmp_path / "run", start_new_session=True), history, 40)
    killed_rows = _rows(history)
    assert 20 < len(killed_rows) < len(expected)
    # the XDMF/HDF5 file of the killed run opens (it was open for writing until the end, and
    # a kill left an HDF5 file with no valid signature or object headers)
    check = subprocess.run([sys.executable, "-c", _READ_XDMF, str(tmp_path / "run")],
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0 and "cells" in check.stdout, check.stderr[-2000:]
    assert (tmp_path / "run" / "fields.xdmf-writing").exists()  # dolfinx's, left by the kill

    # the first restart writes frames (output_every 5) and a checkpoint (every 7) and dies
    _kill_after(_run(tmp_path / "run", "--restart", start_new_session=True), history,
                len(killed_rows) + 20)
    assert len(_rows(history)) < len(expected)
    restarted = _run(tmp_path / "run", "--restart")
    assert restarted.wait(timeout=600) == 0, restarted.stderr.read()
    got = _rows(history)
    assert_same_history(expected, got, REL_TOL, SKIP, balance_below=1e-10)
    times = _pvd_times(tmp_path / "run" / "fields.pvd")
    assert times == sorted(set(times))
    # the killed parts' working XML is gone; each part's .xdmf stays
    assert not list((tmp_path / "run").glob("*.xdmf-writing"))
    assert (tmp_path / "run" / "fields_r2.xdmf").exists()
    assert times == pytest.approx(_pvd_times(tmp_path / "ref" / "fields.pvd"), rel=1e-12)
    files = [d.get("file") for d in
             ET.parse(tmp_path / "run" / "fields.pvd").getroot().find("Collection")]
    assert any(f.startswith("fields_r1") for f in files)  # the killed restart's frames
    assert all((tmp_path / "run" / f).exists() for f in files)
    summaries = [json.loads((tmp_path / d / "summary.json").read_text())["run"]
                 for d in ("ref", "run")]
    for key in ("dt_min_s", "dt_max_s"):
        assert summaries[1][key] == pytest.approx(summaries[0][key], rel=1e-9), key
    log = (tmp_path / "run" / "run.log").read_text()
    assert "restart" in log and "checkpoint at step" in log


def test_restart_without_checkpoint_is_a_clear_error(tmp_path):
    p = _run(tmp_path / "empty", "--restart")
    assert p.wait(timeout=300) == 1
    err = p.stderr.read()
    assert "no checkpoint" in err and "Traceback" not in err
    # said before meshing (which can take minutes), not after
    q = subprocess.run([*chemomech_cmd(), "run", str(ROOT / "cases" / "default.yaml"), "--out",
                        str(tmp_path / "empty"), *[a for a in ARGS if a != "--quiet"],
                        "--restart"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert q.returncode == 1 and "no checkpoint" in q.stderr
    assert "meshing" not in q.stdout + q.stderr


def test_unwritable_output_fails_at_start(tmp_path):
    """An output folder that cannot be created fails before any computing (even as root:
    a folder cannot be made inside a regular file)."""
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    p = _run(blocker / "out")
    assert p.wait(timeout=300) == 1
    err = p.stderr.read()
    assert "cannot write" in err and "Traceback" not in err


def test_restart_with_a_damaged_pvd_is_a_clear_error(tmp_path):
    """Garbage in fields.pvd: --restart is refused in one line naming the file (was an
    xml.etree.ElementTree.ParseError traceback), and the folder is left as it was."""
    out = tmp_path / "run"
    short = ["--set", "stop.mean_theta=0.1", "--set", "output.checkpoint_every=3"]
    assert _run(out, *short).wait(timeout=300) == 0
    _as_if_interrupted(out)
    (out / "fields.pvd").write_text("garbage\n")
    before = sorted(p.name for p in out.iterdir())
    p = _run(out, *short, "--restart")
    assert p.wait(timeout=300) == 1
    err = p.stderr.read()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert str(out / "fields.pvd") in err and "cannot read it" in err, err
    assert sorted(p.name for p in out.iterdir()) == before
    assert (out / "fields.pvd").read_text() == "garbage\n"


def _lines(text):
    return text.strip().splitlines()


def _as_if_interrupted(out):
    """Mark a completed run as stopped after its last checkpoint (as by a time limit): a
    restart of a completed run has nothing to continue and is not tried at all."""
    summary = json.loads((out / "summary.json").read_text())
    summary["status"] = "interrupted"
    (out / "summary.json").write_text(json.dumps(summary))


@pytest.mark.parametrize("damage", ["header only", "first rows missing", "cut before checkpoint"])
def test_restart_refuses_a_history_with_missing_rows(tmp_path, damage):
    """A history.csv that lacks rows up to the checkpoint (cut to its header, its start or
    its end missing) is refused with one line, and the folder is left as it was; the intact
    history (a row every 3 steps: fewer rows than steps) still restarts."""
    out = tmp_path / "run"
    axi = ["--set", "geometry.mode=axisymmetric", "--set", "stop.mean_theta=0.2",
           "--set", "output.history_every=3"]
    first = _run(out, *axi)
    assert first.wait(timeout=600) == 0, first.stderr.read()
    assert (out / "checkpoint.npz").exists()
    _as_if_interrupted(out)
    history = out / "history.csv"
    full = history.read_text()
    header, *rows = full.splitlines(keepends=True)
    assert len(rows) > 10
    damaged = {"header only": [header],
               "first rows missing": [header, *rows[2:]],
               "cut before checkpoint": [header, *rows[:3]]}[damage]
    history.write_text("".join(damaged))
    summary = (out / "summary.json").read_text()
    refused = _run(out, *axi, "--restart")
    assert refused.wait(timeout=300) == 1
    err = refused.stderr.read()
    assert len(_lines(err)) == 1 and "Traceback" not in err, err
    assert "history" in err and "run without --restart" in err
    assert history.read_text() == "".join(damaged)
    assert (out / "summary.json").read_text() == summary

    history.write_text(full)
    again = _run(out, *axi, "--restart")
    assert again.wait(timeout=600) == 0, again.stderr.read()
    assert [r["step"] for r in _rows(history)] == [r["step"] for r in csv.DictReader(
        full.splitlines())]


def test_restart_of_a_completed_run_has_nothing_to_do(tmp_path):
    """It re-ran the steps after the last checkpoint and wrote another restarted part of the
    field files, which repeated frames already there."""
    done = _run(tmp_path / "done")
    assert done.wait(timeout=300) == 0, done.stderr.read()
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "done").iterdir()}
    for flag in ("--restart", "--resume"):
        args = [*chemomech_cmd(), "run", str(ROOT / "cases" / "default.yaml"), "--out",
                str(tmp_path / "done"), *[a for a in ARGS if a != "--quiet"], flag]
        p = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        assert "already completed (summary.json); nothing to continue" in p.stdout
        assert {q.name: q.stat().st_mtime_ns for q in (tmp_path / "done").iterdir()} == before
