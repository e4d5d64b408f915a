"""A write that fails mid-run or at the end (a full disk): one error, the rest of the
results kept, the summary written when it can be.

The disk is made "full" by making one writer raise ENOSPC, in-process (a real tmpfs needs
root; by hand, a 60 MB tmpfs filled during a run gave 60 lines of chained tracebacks, no
summary.json and, under mpiexec, an HDF5 assertion before this change).
"""

from __future__ import annotations

import errno
import json

import pytest

from chemomech_testing import run_case, sphere_case


def _case():
    case = sphere_case(mode="axisymmetric", radius=2e-6, size=0.5e-6)
    case["loading"] = {"kind": "galvanostatic", "specific_current": "1 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.1}
    case["output"]["pictures"] = False
    return case


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_history_write_fails_mid_run(tmp_path, monkeypatch):
    from solver.outputs.history import HistoryWriter

    real = HistoryWriter.append
    calls = {"n": 0}

    def append(self, row):
        calls["n"] += 1
        if calls["n"] > 5:
            _enospc()
        real(self, row)

    monkeypatch.setattr(HistoryWriter, "append", append)
    with pytest.raises(OSError) as info:
        run_case(_case(), tmp_path / "run")
    assert info.value.errno == errno.ENOSPC
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "failed" and "No space left" in summary["error"]
    assert not list((tmp_path / "run").glob("*.tmp"))


def test_summary_write_fails_at_the_end(tmp_path, monkeypatch):
    import solver.simulation as simulation

    monkeypatch.setattr(simulation, "write_json", _enospc)
    with pytest.raises(simulation.OutputDirError) as info:
        run_case(_case(), tmp_path / "run")
    assert "summary.json: No space left on device" in str(info.value)
    assert (tmp_path / "run" / "history.csv").read_text().count("\n") > 3  # the run is kept


def test_run_stops_before_a_field_write_when_the_disk_is_nearly_full(tmp_path, monkeypatch):
    """HDF5 does not fail cleanly on a full disk (an assertion ended a serial run with
    SIGABRT and no summary.json; on 2 ranks every rank threw): the run checks the space
    before each field write and stops with its summary while it still can."""
    import collections
    import shutil

    import solver.simulation as simulation

    real = shutil.disk_usage
    calls = {"n": 0}

    def disk_usage(path):
        calls["n"] += 1
        usage = real(path)
        if calls["n"] > 3:  # after the start check and two field writes: 10 MB left
            return collections.namedtuple("usage", "total used free")(usage.total, usage.used,
                                                                      10 * 2**20)
        return usage

    monkeypatch.setattr(simulation.shutil, "disk_usage", disk_usage)
    case = _case()
    case["time"] = {"output_every": 1}
    with pytest.raises(simulation.OutputDirError, match="only 10 MB left"):
        run_case(case, tmp_path / "run")
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "failed" and "only 10 MB left" in summary["error"]
    assert not (tmp_path / "run" / "run.lock").exists()
