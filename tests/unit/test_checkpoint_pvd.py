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
