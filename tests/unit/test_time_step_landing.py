"""Adaptive dt around target times (output times, the end time): the step lands on the
nearest target, splits a gap of under two steps evenly, keeps the nominal dt after a step
shortened to land, and a rejection cuts the dt that was tried. Hand-worked numbers only."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from solver.time_stepping import AdaptiveStep


def _stepper(**kw):
    s = dict(dt_initial=1.0, dt_min=1e-3, dt_max=1e3, growth=1.5, cutback=0.5,
             max_dtheta=0.1, easy_newton_iterations=4)
    s.update(kw)
    return AdaptiveStep(SimpleNamespace(**s))


def test_the_step_lands_on_the_nearest_target_not_the_first_listed():
    st = _stepper(dt_initial=10.0)
    # the loop lists the end time first, then the output times
    assert st.propose(0.0, [100.0, 4.0, 7.0]) == pytest.approx(4.0)
    assert st.propose(4.0, [100.0, 4.0, 7.0]) == pytest.approx(3.0)  # 4 s is behind now


def test_a_target_under_two_steps_away_is_reached_in_two_equal_steps():
    st = _stepper(dt_initial=1.0)
    assert st.propose(0.0, [1.5]) == pytest.approx(0.75)  # not 1 s and a 0.5 s sliver
    assert st.propose(0.0, [2.5]) == pytest.approx(1.0)  # two steps or more away: nominal
    assert st.propose(0.0, [0.4]) == pytest.approx(0.4)  # within one step: land on it


def test_a_step_shortened_to_land_keeps_the_nominal_dt():
    st = _stepper(dt_initial=10.0)
    assert st.propose(0.0, [3.0]) == pytest.approx(3.0)
    st.accepted(3.0, 2)  # easy: grows from the nominal 10 s, not from the 3 s taken
    assert st.dt == pytest.approx(15.0)


def test_newton_iterations_equal_to_the_easy_count_still_grow_dt():
    st = _stepper()
    st.accepted(1.0, 4)  # easy_newton_iterations = 4
    assert st.dt == pytest.approx(1.5)
    st.accepted(1.5, 5)
    assert st.dt == pytest.approx(1.5)


def test_a_rejection_cuts_the_dt_that_was_tried():
    st = _stepper(dt_initial=10.0)
    dt = st.propose(0.0, [3.0])  # 3 s, shortened to land
    st.rejected_step(dt, 0.0, "test")  # cutback 0.5 of the 3 s tried
    assert st.dt == pytest.approx(1.5)


@pytest.mark.parametrize("factor, dt", [(0.2, 2.0), (0.01, 0.5), (0.99, 9.5)])
def test_a_rejection_uses_its_factor_within_bounds(factor, dt):
    # the loop's factor (e.g. to end just short of an event) is kept to 0.05 .. 0.95
    st = _stepper(dt_initial=10.0)
    st.rejected_step(10.0, 0.0, "test", factor=factor)
    assert st.dt == pytest.approx(dt)
