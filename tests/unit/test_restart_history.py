"""Which history.csv a restart continues: exactly the rows the run had written when it was
checkpointed (``_history_problem``); the regression tests run the cut-short cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.simulation import _history_problem

# a row every 3 steps, checkpointed at step 10 after the row of step 9
ROWS = [{"step": s} for s in (0, 3, 6, 9)]
STATE = {"step": 10, "history_rows": 4, "history_step": 9}


def test_the_rows_written_up_to_the_checkpoint_continue():
    assert _history_problem(ROWS, STATE, Path("history.csv")) is None


@pytest.mark.parametrize("rows", [
    ROWS[:2] + [ROWS[1]] + ROWS[2:],  # a row written twice: one more than the run wrote
    ROWS[:3] + [{"step": 9}, {"step": 9}],
    ROWS[:3],  # cut short
    ROWS[1:],  # its start missing
    [{"step": s} for s in (0, 3, 6, 8)],  # as many rows, but another run's steps
])
def test_any_other_rows_are_refused(rows):
    problem = _history_problem(rows, STATE, Path("history.csv"))
    assert problem is not None and "run without --restart" in problem


def test_read_history_drops_only_a_cut_last_row(tmp_path):
    """A run killed while writing history.csv leaves its last row cut short: that row is
    left out. A damaged row before the last is no such accident: it is refused, naming the
    row, not skipped (a restart would otherwise continue a history with a hole in it)."""
    from solver.outputs.history import read_history

    path = tmp_path / "history.csv"
    path.write_text("step,time [s]\n0,0.0\n1,2.5\n2,")
    assert read_history(path) == [{"step": 0, "time [s]": 0.0}, {"step": 1, "time [s]": 2.5}]
    path.write_text("step,time [s]\n0,0.0\nx,y\n2,5.0\n")
    with pytest.raises(ValueError, match="row 2"):
        read_history(path)
