"""The progress line's ETA (solver/log.py): from the time loop's own pace, none too early."""

from __future__ import annotations

import pytest

from solver.log import ETA_AFTER, _eta


def test_eta_extrapolates_the_pace_since_the_first_progress_line():
    # 10 % done at the first line (after meshing), 30 % done 20 s later: 10 s per 10 %
    assert _eta(120.0, 0.3, (100.0, 0.1)) == pytest.approx(70.0)


def test_no_eta_until_a_share_of_the_run_is_done():
    """At step 1 of the default case the ETA said 05:52:07 for a one-minute run: the first
    steps are short while dt grows from dt_initial."""
    assert _eta(101.0, 0.1 + 0.5 * ETA_AFTER, (100.0, 0.1)) == float("inf")
    assert _eta(101.0, 0.0, (100.0, 0.0)) == float("inf")
    assert _eta(150.0, 1.0, (100.0, 0.0)) == 0.0


def test_elapsed_and_eta_are_hours_minutes_seconds():
    from solver.log import _hms

    assert _hms(59.6) == "00:01:00"
    assert _hms(3725.0) == "01:02:05"  # 1 h 2 min 5 s, not 62 minutes
    assert _hms(26 * 3600 + 61) == "26:01:01"
    assert _hms(float("inf")) == _hms(float("nan")) == "--:--:--"


def test_quiet_prints_no_progress(capsys):
    """``--quiet`` of sweep/collect/compare: no progress lines (only errors, on stderr)."""
    from solver.cli_common import progress_printer

    progress_printer(True)("point 1 of 3 done")
    assert capsys.readouterr() == ("", "")
    progress_printer(False)("point 1 of 3 done")
    assert capsys.readouterr().out == "point 1 of 3 done\n"
