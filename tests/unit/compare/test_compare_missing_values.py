"""A value that history.csv gives as NaN is no value: the quantity says so and an ordering
that needs it is not evaluated (neither "holds" nor "does not hold"), also when it is
checked at every output time. Synthetic histories (no FE run)."""

from __future__ import annotations

import math

from solver.compare.evaluate import evaluate
from solver.compare.reference import load_reference
from solver.compare.results import read_results


def _evaluate(tmp_path, synth, orderings, histories, output_times):
    data = {
        "kind": "reference",
        "paper": "Missing values",
        "baseline": "A",
        "configurations": {"A": "a.yaml", "B": "b.yaml"},
        "quantities": {"y": {"column": "measure y [Pa]", "at": "end", "unit": "Pa"}},
        "orderings": orderings,
    }
    ref = load_reference(synth.write_reference(tmp_path, data))
    results = {lab: read_results(lab, ref.case_file(lab), synth.write_results(
        tmp_path / "runs" / lab, h, output_times=output_times))
        for lab, h in histories.items()}
    return evaluate(ref, results)


def _with_nan_at(hist, t_nan):
    hist["measure y [Pa]"] = [math.nan if t == t_nan else y
                              for t, y in zip(hist["time [s]"], hist["measure y [Pa]"])]
    return hist


def test_an_ordering_at_every_output_time_with_a_nan_there_is_not_evaluated(tmp_path, synth):
    # A: y = 2t + 1 but NaN at t = 4 s; B: y = 3 (2t + 1). At 8 s B 51 > A 17 holds; at 4 s
    # A has no value: the ordering is not evaluated (it said "does not hold")
    hist_a = _with_nan_at(synth.linear_history(), 4.0)
    c = _evaluate(tmp_path, synth,
                  [{"name": "B above A", "quantity": "y", "descending": ["B", "A"],
                    "at": "every_output_time"}],
                  {"A": hist_a, "B": synth.linear_history(3.0)}, [4.0, 8.0])
    o = c["orderings"][0]
    assert o["holds"] is None, o
    assert "t = 4 s" in o["details"] and "not a number" in o["details"], o["details"]
    assert c["all_orderings_hold"] is False


def test_a_nan_end_value_is_no_value_and_gives_no_ratio(tmp_path, synth):
    hist_b = _with_nan_at(synth.linear_history(3.0), 10.0)  # the end row
    c = _evaluate(tmp_path, synth,
                  [{"name": "B above A", "quantity": "y", "descending": ["B", "A"]}],
                  {"A": synth.linear_history(), "B": hist_b}, None)
    v = c["quantities"]["y"]["values"]["B"]
    assert v["ours"] is None and v["ours_ratio"] is None
    assert "not a number" in v["note"]
    assert c["orderings"][0]["holds"] is None


def test_a_zero_baseline_gives_no_ratio(tmp_path, synth):
    # the paper reports 0 for the baseline A (e.g. an unloaded design): no ratio to it,
    # and the comparison is still made (it divided by zero)
    data = {
        "kind": "reference", "paper": "Zero baseline", "baseline": "A",
        "configurations": {"A": "a.yaml", "B": "b.yaml"},
        "quantities": {"y": {"column": "measure y [Pa]", "at": "end", "unit": "Pa",
                             "reported": {"A": 0.0, "B": 4.0}}},
        "orderings": [],
    }
    ref = load_reference(synth.write_reference(tmp_path, data))
    results = {lab: read_results(lab, ref.case_file(lab), synth.write_results(
        tmp_path / "runs" / lab, synth.linear_history(s))) for lab, s in (("A", 1), ("B", 3))}
    v = evaluate(ref, results)["quantities"]["y"]["values"]
    assert v["B"]["reported_ratio"] is None and v["A"]["reported_ratio"] is None
    assert v["B"]["ours_ratio"] == 3.0  # 63 Pa / 21 Pa
    assert v["A"]["ours_over_reported"] is None  # 21 Pa over a reported 0
