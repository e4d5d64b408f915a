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
