"""``greater: … than: …`` orderings: the verdict on the paper's own numbers, and a
configuration without a value leaves the ordering unevaluated (never "holds").
Synthetic histories (no FE run); expected verdicts worked out by hand.
"""

from __future__ import annotations

from solver.compare.evaluate import evaluate
from solver.compare.reference import load_reference
from solver.compare.results import read_results


def _data(reported_end, reported_early):
    # "end" is y at the end (t = 10 s), "early" y at t = 1 s; both in Pa
    return {
        "kind": "reference",
        "paper": "Greater than",
        "baseline": "A",
        "configurations": {"A": "a.yaml", "B": "b.yaml"},
        "quantities": {
            "end": {"column": "measure y [Pa]", "at": "end", "unit": "Pa",
                    "reported": reported_end},
            "early": {"column": "measure y [Pa]", "at": {"time": "1 s"}, "unit": "Pa",
                      "reported": reported_early},
        },
        "orderings": [{"name": "end above early", "greater": "end", "than": "early"}],
    }


def _evaluate(tmp_path, synth, data, histories):
    ref = load_reference(synth.write_reference(tmp_path, data))
    results = {lab: read_results(lab, ref.case_file(lab), synth.write_results(
        tmp_path / "runs" / lab, h)) for lab, h in histories.items()}
    return evaluate(ref, results)


def test_the_papers_numbers_are_judged_with_greater_meaning_greater(tmp_path, synth):
    hist = {"A": synth.linear_history(), "B": synth.linear_history(2.0)}
    # the paper: A 5 > 1, B 6 > 2: holds
    c = _evaluate(tmp_path / "1", synth, _data({"A": 5.0, "B": 6.0}, {"A": 1.0, "B": 2.0}), hist)
    o = c["orderings"][0]
    assert o["reported_holds"] is True, o
    assert "FAILS" not in o["reported_details"]
    # the paper: A 5 > 1 ok, B 1 > 2 fails
    c = _evaluate(tmp_path / "2", synth, _data({"A": 5.0, "B": 1.0}, {"A": 1.0, "B": 2.0}), hist)
    o = c["orderings"][0]
    assert o["reported_holds"] is False, o
    assert o["reported_details"].count("FAILS") == 1
    # ours (y = 2t + 1 scaled): A 21 > 3, B 42 > 6 either way
    assert o["holds"] is True


def test_a_configuration_without_the_value_leaves_the_ordering_unevaluated(tmp_path, synth):
    # B's run ends at t = 0.5 s: "early" (t = 1 s) is not reached there. A alone holds
    # (21 > 3), but that must not make the ordering hold for both.
    short = synth.linear_history(n=11)
    short["time [s]"] = [0.05 * i for i in range(11)]
    data = _data({}, {})
    c = _evaluate(tmp_path, synth, data, {"A": synth.linear_history(), "B": short})
    o = c["orderings"][0]
    assert o["holds"] is None, o
    assert "not evaluated" in o["details"] and "B" in o["details"]
    assert c["all_orderings_hold"] is False
