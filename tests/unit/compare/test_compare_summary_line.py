"""The line ``chemomech compare`` prints last about the orderings ("orderings: N of M
hold, K not evaluated"): an ordering without a verdict is not counted as holding.
``compare --no-run`` on hand-made results folders (no FE run)."""

from __future__ import annotations

from chemomech_testing import TINY_CASE as CASE


def test_an_unevaluated_ordering_is_not_counted_as_holding(tmp_path, synth):
    from solver.case import load_case
    from solver.compare.core import compare
    from solver.outputs.provenance import case_hash

    data = {
        "kind": "reference", "paper": "P", "baseline": "A",
        "configurations": {"A": "a.yaml", "B": "b.yaml", "C": "c.yaml"},
        "quantities": {"y": {"column": "measure y [Pa]", "at": "end", "unit": "Pa"}},
        "orderings": [{"name": "B above A", "quantity": "y", "descending": ["B", "A"]},
                      {"name": "C above A", "quantity": "y", "descending": ["C", "A"]}],
    }
    cases = {name: CASE for name in ("a.yaml", "b.yaml", "c.yaml")}
    ref = synth.write_reference(tmp_path, data, cases)
    def digest(name):  # the hash a run of this case file writes (its name is the file's)
        return case_hash(load_case(tmp_path / name).resolved())

    res = tmp_path / "res"
    # A 21 Pa, B 63 Pa at the end: "B above A" holds; C's results are of another case
    # (stale): "C above A" has no verdict
    synth.write_results(res / "A", synth.linear_history(1.0), case_hash=digest("a.yaml"))
    synth.write_results(res / "B", synth.linear_history(3.0), case_hash=digest("b.yaml"))
    synth.write_results(res / "C", synth.linear_history(5.0), case_hash="another case")
    said = []
    c = compare(ref, out=tmp_path / "out", results=res, run=False, say=said.append)
    assert [o["holds"] for o in c["orderings"]] == [True, None]
    line = next(s for s in said if s.startswith("orderings:"))
    assert line.startswith("orderings: 1 of 2 hold, 1 not evaluated"), line
