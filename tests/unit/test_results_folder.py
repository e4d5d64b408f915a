"""The results folder is checked before any computing: a disk with less than
``MIN_FREE_MB`` free is refused at the start in one line (HDF5 does not fail cleanly on a
full disk later). No solver run."""

from __future__ import annotations

import collections
import shutil

import pytest

from solver.outputs import run_dir
from solver.outputs.run_dir import MIN_FREE_MB, OutputDirError, ResultsFolder


class _Comm:  # rank 0 of one
    rank = 0

    def bcast(self, value, root=0):
        return value


def _disk_with(free_mb):
    real = shutil.disk_usage

    def usage(path):
        u = real(path)
        return collections.namedtuple("usage", "total used free")(u.total, u.used,
                                                                  int(free_mb * 2**20))
    return usage


def test_a_nearly_full_disk_is_refused_at_the_start(tmp_path, monkeypatch):
    monkeypatch.setattr(run_dir.shutil, "disk_usage", _disk_with(10))
    with pytest.raises(OutputDirError) as info:
        ResultsFolder(tmp_path / "out", _Comm(), None).prepare()
    message = str(info.value)
    assert "only 10 MB free" in message and str(tmp_path / "out") in message
    assert "\n" not in message


def test_enough_free_space_is_accepted(tmp_path, monkeypatch):
    monkeypatch.setattr(run_dir.shutil, "disk_usage", _disk_with(MIN_FREE_MB + 1))
    ResultsFolder(tmp_path / "out", _Comm(), None).prepare()
    assert (tmp_path / "out" / "png").is_dir()


class _Log:
    def __init__(self):
        self.warnings, self.lines = [], []

    def warn(self, msg):
        self.warnings.append(msg)

    def file_only(self, msg):
        self.lines.append(msg)


#: what chemomech writes, one of each kind (run, restarts, every field format, plot,
#: paraview); folders end with "/"
_CHEMOMECH = [
    "history.csv", "summary.json", "case.resolved.yaml", "run.log", "checkpoint.npz",
    "checkpoint.npz.tmp.npz", "fields.xdmf", "fields.h5", "fields.pvd", "fields000000.pvtu",
    "fields000001.pvtu", "fields_p0_000000.vtu", "fields_p1_000001.vtu", "fields_r1.pvd",
    "fields_r1000002.pvtu", "fields_r1_p0_000002.vtu", "fields_r1.xdmf", "fields_r1.h5",
    "fields_displacement.bp/", "fields_lithiation.bp/", "fields_stress.bp/",
    "fields_r2_stress.bp/", "open_in_paraview.py", "png/von_mises_stress.png",
    "png/lithiation_fraction.png",
    "png/hydrostatic_stress.png", "png/von_mises_stress_at_peak.png",
    "png/lithiation_fraction_at_peak.png", "png/hydrostatic_stress_at_peak.png",
    "png/stress_vs_time.png", "png/stress_vs_capacity.png",
]
#: a user's files, run.lock (the live-run guard) and `chemomech mesh`'s files: never removed
_OTHERS = ["notes.txt", "png/my_figure.png", "png/von_mises_stress_v2.png", "fields_notes.txt",
           "fields.csv", "my_fields.pvd", "history.csv.bak", "run.lock", "data/fields.h5",
           "mesh.xdmf", "mesh.h5", "mesh.msh", "mesh.json", "mesh.png"]


def _plant(out, names):
    for name in names:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("/"):
            path.mkdir()
            (path / "md.idx").write_bytes(b"x")
        else:
            path.write_bytes(b"x")


def _left(out):
    return {p.relative_to(out).as_posix() for p in out.rglob("*")}


def test_a_fresh_run_removes_what_chemomech_wrote_and_only_that(tmp_path):
    out = tmp_path / "out"
    _plant(out, _CHEMOMECH + _OTHERS)
    (out / "summary.json").write_text('{"case": {"hash": "old", "source": "a.yaml"}}')
    log = _Log()
    removed = ResultsFolder(out, _Comm(), log).prepare(fresh=True, case_hash="new")
    assert sorted(removed) == sorted(_CHEMOMECH)
    assert _left(out) == {"png", "data", *_OTHERS}
    # run.log: the count and the names (frames grouped); a warning: another case's results
    [line] = log.lines
    assert "27 files and 4 folders:" in line
    assert "fields*.pvtu (2)" in line and "fields_r1*.pvtu, " in line
    assert "fields_stress.bp/" in line and "png/stress_vs_time.png" in line
    assert "notes" not in line and "my_figure" not in line and "run.lock" not in line
    [warning] = log.warnings
    assert "held the results of another case (a.yaml" in warning
    assert "27 files and 4 folders of them removed" in warning


def test_the_same_case_again_is_no_warning_and_a_restart_keeps_everything(tmp_path):
    out = tmp_path / "out"
    _plant(out, _CHEMOMECH)
    (out / "summary.json").write_text('{"case": {"hash": "same"}}')
    before = _left(out)
    log = _Log()
    assert ResultsFolder(out, _Comm(), log).prepare(fresh=False, case_hash="same") == []
    assert _left(out) == before and not log.lines
    assert len(ResultsFolder(out, _Comm(), log).prepare(case_hash="same")) == len(_CHEMOMECH)
    assert not log.warnings and len(log.lines) == 1
    assert ResultsFolder(out, _Comm(), log).prepare(case_hash="same") == []  # nothing left
    assert len(log.lines) == 1


def test_only_rank_0_removes(tmp_path):
    """Under MPI the other ranks touch no file: they learn from rank 0 what it removed."""
    class _Rank1:
        rank = 1

        def bcast(self, value, root=0):
            return (None, ["history.csv"], None)  # what rank 0 sends

    out = tmp_path / "out"
    _plant(out, _CHEMOMECH)
    log = _Log()
    assert ResultsFolder(out, _Rank1(), log).prepare(case_hash="x") == ["history.csv"]
    assert (out / "history.csv").exists() and len(_left(out)) > len(_CHEMOMECH)
    assert log.lines and "1 file:" in log.lines[0]
