"""Comparisons of three configurations: every pair of a chain counts, ratios are to the
named baseline (not the first configuration), and comparison.md / .csv put each ratio in
its own column. Synthetic histories (no FE run); expected values are worked out by hand.

History end values (measure y = scale · (2 t + 1), end t = 10 s, so 21 · scale Pa):
A (scale 1) 21 Pa, B (scale 3) 63 Pa, C (scale 2) 42 Pa. Reported (kPa): A 1, B 4, C 2.
"""

from __future__ import annotations

import csv

import pytest

from solver.compare.evaluate import evaluate
from solver.compare.reference import load_reference
from solver.compare.results import read_results
from solver.compare.writers import markdown, write_csv

SCALES = {"A": 1.0, "B": 3.0, "C": 2.0}


def _data(orderings, baseline="A"):
    return {
        "kind": "reference",
        "paper": "Three configurations",
        "baseline": baseline,
        "configurations": {"A": "a.yaml", "B": "b.yaml", "C": "c.yaml"},
        "quantities": {"y": {"column": "measure y [Pa]", "at": "end", "unit": "Pa",
                             "reported": {"A": 1.0, "B": 4.0, "C": 2.0}}},
        "orderings": orderings,
    }


def _evaluate(tmp_path, synth, data):
    ref = load_reference(synth.write_reference(tmp_path, data))
    results = {lab: read_results(lab, ref.case_file(lab), synth.write_results(
        tmp_path / "runs" / lab, synth.linear_history(s))) for lab, s in SCALES.items()}
    return evaluate(ref, results)


@pytest.mark.parametrize("chain, kind, first_ok, second_ok", [
    # ours: B 63 > C 42 holds, C 42 > A 21 holds; reported: 4 > 2 > 1
    (["B", "C", "A"], "descending", True, True),
    # second pair fails: B 63 > A 21 ok, A 21 > C 42 FAILS (reported 4 > 1 ok, 1 > 2 fails)
    (["B", "A", "C"], "descending", True, False),
    # first pair fails: A 21 > B 63 FAILS, B 63 > C 42 ok (reported 1 > 4 fails, 4 > 2 ok)
    (["A", "B", "C"], "descending", False, True),
    # ascending: A 21 < C 42 ok, C 42 < B 63 ok
    (["A", "C", "B"], "ascending", True, True),
    # ascending, second pair fails: C 42 < B 63 ok, B 63 < A 21 FAILS
    (["C", "B", "A"], "ascending", True, False),
    # ascending, first pair fails: B 63 < A 21 FAILS, A 21 < C 42 ok
    (["B", "A", "C"], "ascending", False, True),
])
def test_a_chain_holds_only_when_every_adjacent_pair_does(tmp_path, synth, chain, kind,
                                                          first_ok, second_ok):
    c = _evaluate(tmp_path, synth, _data([{"name": "o", "quantity": "y", kind: chain}]))
    o = c["orderings"][0]
    expected = first_ok and second_ok
    assert o["holds"] is expected, o
    # the reported values (A 1, B 4, C 2) are in the same order as ours
    assert o["reported_holds"] is expected, o
    parts = o["details"].split("; ")
    assert len(parts) == 2, o["details"]
    assert parts[0].startswith(f"{chain[0]} ") and ("FAILS" in parts[0]) is not first_ok
    assert parts[1].startswith(f"{chain[1]} ") and ("FAILS" in parts[1]) is not second_ok
    assert c["all_orderings_hold"] is expected


def test_ratios_are_to_the_named_baseline_not_the_first_configuration(tmp_path, synth):
    c = _evaluate(tmp_path, synth, _data([], baseline="C"))
    v = c["quantities"]["y"]["values"]
    # ours: A 21 / C 42 = 0.5, B 63 / 42 = 1.5; reported: A 1 / C 2 = 0.5, B 4 / 2 = 2
    assert v["A"]["ours_ratio"] == pytest.approx(0.5)
    assert v["B"]["ours_ratio"] == pytest.approx(1.5)
    assert v["C"]["ours_ratio"] == pytest.approx(1.0)
    assert v["B"]["reported_ratio"] == pytest.approx(2.0)
    assert v["A"]["reported_ratio"] == pytest.approx(0.5)
    # ours / reported: B 63 Pa / 4 Pa
    assert v["B"]["ours_over_reported"] == pytest.approx(63.0 / 4.0)


def test_markdown_and_csv_put_each_ratio_under_its_own_heading(tmp_path, synth):
    c = _evaluate(tmp_path, synth, _data([], baseline="C"))
    text = markdown(c)
    lines = text.splitlines()
    head = next(ln for ln in lines if ln.startswith("| configuration | reported"))
    cells = [x.strip() for x in head.strip("|").split("|")]
    assert cells == ["configuration", "reported [Pa]", "ours [Pa]", "reported / C", "ours / C",
                     "ours / reported"]
    row_b = next(ln for ln in lines if ln.startswith("| B |"))
    got = [x.strip() for x in row_b.strip("|").split("|")]
    # B: reported 4, ours 63, reported ratio 4/2 = 2, ours ratio 63/42 = 1.5, 63/4 = 15.75
    assert got == ["B", "4", "63", "2", "1.5", "15.75"], row_b
    out = write_csv(tmp_path / "c.csv", c)
    rows = {r["configuration"]: r for r in csv.DictReader(open(out))}
    b = rows["B"]
    assert float(b["reported"]) == 4.0 and float(b["ours"]) == pytest.approx(63.0)
    assert float(b["reported_ratio"]) == pytest.approx(2.0)
    assert float(b["ours_ratio"]) == pytest.approx(1.5)
    assert float(b["ours_over_reported"]) == pytest.approx(15.75)
