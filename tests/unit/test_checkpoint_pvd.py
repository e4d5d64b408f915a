"""``--restart`` and a damaged ``fields.pvd``: the restart is refused in one line naming the
file (checked with the checkpoint, before anything in the folder changes), never an
``xml.etree.ElementTree.ParseError`` traceback. No solver run here; the whole command is
checked in tests/regression/test_restart.py."""

from __future__ import annotations

import pytest

from solver.outputs import checkpoint
from solver.outputs.fields import _write_pvd


def test_a_readable_or_absent_pvd_is_no_problem(tmp_path):
    assert checkpoint.pvd_problem(tmp_path / "fields.pvd") is None  # absent
    _write_pvd(tmp_path / "fields.pvd", [(0.0, "fields000000.pvtu"), (5.0, "fields000001.pvtu")])
    assert checkpoint.pvd_problem(tmp_path / "fields.pvd") is None


@pytest.mark.parametrize("content", [b"garbage\n", b"", b"<VTKFile></VTKFile>\n",
                                     b'<VTKFile><Collection><DataSet timestep="x" file="a"/>'
                                     b"</Collection></VTKFile>\n"],
                         ids=["garbage", "empty", "no_collection", "bad_timestep"])
def test_a_damaged_pvd_is_one_line_naming_it(tmp_path, content):
    pvd = tmp_path / "fields.pvd"
    pvd.write_bytes(content)
    problem = checkpoint.pvd_problem(pvd)
    assert problem is not None and problem.startswith(f"{pvd}: cannot read it")
    assert "\n" not in problem and "without --restart" in problem
    with pytest.raises(checkpoint.CheckpointError, match="fields.pvd: cannot read it"):
        checkpoint.merge_pvd(tmp_path, [1.0])
    assert pvd.read_bytes() == content  # left as it was


def _series(path):
    import xml.etree.ElementTree as ET

    return [(float(d.get("timestep")), d.get("file"))
            for d in ET.parse(path).getroot().find("Collection")]


def test_merge_keeps_each_parts_frames_up_to_the_next_restart(tmp_path):
    """The run wrote frames at 0, 10, 20, checkpointed at 20 and was killed after writing 30;
    restart 1 (from t = 20) wrote 30 and 40, checkpointed at 35 and was killed; restart 2
    (from t = 35) wrote 40 and 50. fields.pvd is then 0, 10, 20 of the run (the checkpoint's
    own frame included), 30 of restart 1 and 40, 50 of restart 2: every time once, from the
    part that continued from it."""
    run = [(0.0, "fields000000.pvtu"), (10.0, "fields000001.pvtu"),
           (20.0, "fields000002.pvtu"), (30.0, "fields000003.pvtu")]
    r1 = [(30.0, "fields_r1000000.pvtu"), (40.0, "fields_r1000001.pvtu")]
    r2 = [(40.0, "fields_r2000000.pvtu"), (50.0, "fields_r2000001.pvtu")]
    _write_pvd(tmp_path / "fields.pvd", run)
    _write_pvd(tmp_path / "fields_r1.pvd", r1)
    _write_pvd(tmp_path / "fields_r2.pvd", r2)
    checkpoint.merge_pvd(tmp_path, [20.0, 35.0])
    assert _series(tmp_path / "fields.pvd") == run[:3] + r1[:1] + r2

    # one restart that ran to the end: its last frame is the run's last
    _write_pvd(tmp_path / "fields.pvd", run)
    checkpoint.merge_pvd(tmp_path, [20.0])
    assert _series(tmp_path / "fields.pvd") == run[:3] + r1


def test_pvd_lists_every_entry_written(tmp_path):
    entries = [(0.0, "fields000000.pvtu"), (2.5, "fields000001.pvtu"), (7.25, "fields000002.pvtu")]
    _write_pvd(tmp_path / "fields.pvd", entries)
    assert _series(tmp_path / "fields.pvd") == entries
