"""The frame ``chemomech plot`` draws as ``*_at_peak``: of the frames fields.pvd lists, the
one whose history row has the largest max von Mises, before the end and over 1 % above the
end state's. Hand-made history.csv and fields.pvd (no run, no pictures)."""

from __future__ import annotations

import pytest

from solver.outputs.pictures import draws_peak
from solver.outputs.replot import peak_dataset

VM = "particle: max Von Mises stress [Pa]"


def _results(folder, rows, frames):
    """history.csv with (t, von Mises) rows; fields.pvd listing the frames at ``frames``."""
    folder.mkdir(parents=True)
    lines = [f"step,time [s],mean lithiation fraction [-],{VM}"]
    lines += [f"{i},{t!r},{0.1 * i!r},{vm!r}" for i, (t, vm) in enumerate(rows)]
    (folder / "history.csv").write_text("\n".join(lines) + "\n")
    sets = "".join(f'<DataSet timestep="{t!r}" file="fields_{i:03d}.vtu"/>'
                   for i, t in enumerate(frames))
    (folder / "fields.pvd").write_text(
        f'<?xml version="1.0"?><VTKFile type="Collection"><Collection>{sets}'
        "</Collection></VTKFile>\n")
    return folder


def test_the_peak_frame_is_the_written_one_of_largest_von_mises(tmp_path):
    # the history peaks at t = 2 s (8e8 Pa), but no frame was written then: of the written
    # frames (0, 1, 3, 4 s) the one at 1 s (5e8 Pa) is the largest, over 1 % above the end's
    rows = [(0.0, 0.0), (1.0, 5e8), (2.0, 8e8), (3.0, 3e8), (4.0, 2e8)]
    res = _results(tmp_path / "r", rows, [0.0, 1.0, 3.0, 4.0])
    path, t, vm = peak_dataset(res)
    assert (path.name, t, vm) == ("fields_001.vtu", 1.0, 5e8)


def test_no_peak_frame_when_the_stress_only_grew(tmp_path):
    rows = [(0.0, 0.0), (1.0, 1e8), (2.0, 2e8)]
    assert peak_dataset(_results(tmp_path / "r", rows, [0.0, 1.0, 2.0])) is None


@pytest.mark.parametrize("peak, drawn", [(1.005e8, False), (1.02e8, True)])
def test_a_peak_within_one_percent_of_the_end_is_not_drawn(tmp_path, peak, drawn):
    rows = [(0.0, 0.0), (1.0, peak), (2.0, 1e8)]
    assert (peak_dataset(_results(tmp_path / "r", rows, [0.0, 1.0, 2.0])) is not None) is drawn
    assert draws_peak(1.0, peak, 2.0, 1e8) is drawn
    assert draws_peak(2.0, peak, 2.0, 1e8) is False  # the end frame itself is no peak frame
