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
