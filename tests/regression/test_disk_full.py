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


def _limited_run(tmp_path, limit_bytes, *sets):
    """``chemomech run`` in a process whose files may not grow past ``limit_bytes`` (ulimit
    -f: writes beyond it fail with EFBIG, as on a full disk, without root)."""
    import resource
    import subprocess

    from chemomech_testing import ROOT, chemomech_cmd, set_args

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    args = [*chemomech_cmd(), "run", str(ROOT / "cases" / "default.yaml"), "--out",
            str(tmp_path / "run"), "--quiet",
            *set_args(["geometry.mode=axisymmetric", "mesh.cache=false",
                       "output.pictures=false", *sets])]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          preexec_fn=limit)


def test_hdf5_that_cannot_write_ends_the_run_with_one_line(tmp_path):
    """fields.h5 reaching the limit: the XDMF writer raised "Failed to close HDF5 file.", a
    traceback followed and then HDF5 aborted the process (exit 134) when the file was closed
    again at teardown; the file was never named."""
    p = _limited_run(tmp_path, 5_000_000, "mesh.size=0.4 um", "time.output_every=1")
    assert p.returncode == 1, p.stderr[-3000:]
    lines = [ln for ln in p.stderr.splitlines() if ln.startswith("error")]
    assert lines == [f"error: cannot write the results: HDF5 could not write it (Failed to "
                     f"close HDF5 file.): the disk may be full or a file-size limit (ulimit -f) "
                     f"reached: {tmp_path / 'run' / 'fields.h5'} (once it can be written, "
                     "`chemomech run CASE --restart` continues from the last checkpoint)"]
    assert "Traceback" not in p.stderr and "Assertion" not in p.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "failed" and "fields.h5" in summary["error"]


def test_a_checkpoint_that_cannot_be_written_is_named_and_leaves_no_part(tmp_path,
                                                                          monkeypatch):
    """zipfile's error named no file, a half-written checkpoint.npz.tmp.npz stayed, and the
    message promised a --restart from a checkpoint that did not exist."""
    from solver.outputs import checkpoint

    def savez(path, **arrays):
        with open(path, "wb") as fh:
            fh.write(b"PK\x03\x04 half")
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(checkpoint.np, "savez", savez)
    case = _case()
    case["output"]["checkpoint_every"] = 2
    with pytest.raises(OSError) as info:
        run_case(case, tmp_path / "run")
    assert info.value.filename == str(tmp_path / "run" / "checkpoint.npz")
    assert not list((tmp_path / "run").glob("*.tmp*"))
