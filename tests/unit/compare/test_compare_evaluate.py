"""`at` evaluation, ratios and orderings on synthetic histories (no FE run).

The synthetic measure is linear in time (y = 2 t + 1), so linear interpolation must give
the exact value at any time, capacity or mean θ inside the history.
"""

from __future__ import annotations

import pytest

from solver.compare.evaluate import evaluate
from solver.compare.reference import load_reference, parse_at
from solver.compare.results import AtError, read_results


@pytest.fixture
def one(tmp_path, synth):
    folder = synth.write_results(tmp_path / "r", synth.linear_history())
    return read_results("A", tmp_path / "a.yaml", folder)


@pytest.mark.parametrize("at, t", [
    ("end", 10.0),
    ({"time": "2.5 s"}, 2.5),
    ({"time": "0.001 h"}, 3.6),
    ({"capacity": "0.35 A*h/g"}, 3.5),
    ({"capacity": "350 mA*h/g"}, 3.5),
    ({"mean_theta": 0.25}, 5.0),
    ({"capacity_fraction": 0.25}, 2.5),  # of the end capacity 1.0 A h/g
    ({"capacity_fraction": 1.0}, 10.0),
])
def test_at_interpolates_exactly_on_a_linear_history(one, at, t):
    assert one.value_at("measure y [Pa]", parse_at(at)) == pytest.approx(2 * t + 1, rel=1e-12)
    assert one.time_at(parse_at(at)) == pytest.approx(t, rel=1e-12)


def test_peak_trough_and_magnitude(tmp_path, synth):
    hist = synth.linear_history(y=lambda t: t * (6.0 - t))  # 0 .. 9 (t = 3) .. -40 (t = 10)
    res = read_results("A", tmp_path / "a.yaml", synth.write_results(tmp_path / "r", hist))
    col = "measure y [Pa]"
    assert res.value_at(col, parse_at("peak")) == 9.0
    assert res.value_at(col, parse_at("trough")) == -40.0
    assert res.value_at(col, parse_at("peak"), magnitude=True) == 40.0
    assert res.value_at(col, parse_at("end"), magnitude=True) == 40.0


@pytest.mark.parametrize("at", [{"time": "11 s"}, {"mean_theta": 0.9}, {"capacity": "2 A*h/g"}])
def test_targets_beyond_the_history_are_errors(one, at):
    with pytest.raises(AtError, match="not reached"):
        one.value_at("measure y [Pa]", parse_at(at))


def test_unknown_column_suggests_the_close_one(one):
    with pytest.raises(AtError, match="did you mean 'measure y"):
        one.value_at("measure yy [Pa]", parse_at("end"))


def test_status_missing_failed_stale(tmp_path, synth):
    assert read_results("A", tmp_path / "a.yaml", tmp_path / "none").status == "missing"
    f = synth.write_results(tmp_path / "f", synth.linear_history(), status="failed")
    assert read_results("A", tmp_path / "a.yaml", f).status == "failed"
    s = synth.write_results(tmp_path / "s", synth.linear_history(), case_hash="old")
    assert read_results("A", tmp_path / "a.yaml", s, expected_hash="new").status == "stale"
    assert read_results("A", tmp_path / "a.yaml", s, expected_hash="old").status == "completed"


@pytest.mark.parametrize("case_section", [{"hash": None}, {}, None],
                         ids=["hash_null", "no_hash", "no_case"])
def test_a_summary_without_a_case_hash_is_stale(tmp_path, synth, case_section):
    """Results whose summary.json names no case hash (hand-made, or written by an older
    version) cannot be shown to be of this case: stale (run again), never compared."""
    import json

    folder = synth.write_results(tmp_path / "r", synth.linear_history())
    summary = json.loads((folder / "summary.json").read_text())
    if case_section is None:
        del summary["case"]
    else:
        summary["case"] = case_section
    (folder / "summary.json").write_text(json.dumps(summary))
    res = read_results("A", tmp_path / "a.yaml", folder, expected_hash="h")
    assert res.status == "stale" and "changed" in res.error
    # nothing to check the hash against: the results are read as they are
    assert read_results("A", tmp_path / "a.yaml", folder).status == "completed"


def _compare(tmp_path, synth, data, histories, **kw):
    ref = load_reference(synth.write_reference(tmp_path, data))
    results = {}
    for lab, hist in histories.items():
        folder = synth.write_results(tmp_path / "runs" / lab, hist, **kw.get(lab, {}))
        results[lab] = read_results(lab, ref.case_file(lab), folder)
    return evaluate(ref, results)


def test_values_units_and_ratios(tmp_path, synth, base_reference):
    c = _compare(tmp_path, synth, base_reference,
                 {"A": synth.linear_history(1.0), "B": synth.linear_history(3.0)})
    v = c["quantities"]["y"]["values"]
    assert c["quantities"]["y"]["unit"] == "kPa"
    assert v["A"]["ours"] == pytest.approx(21.0e-3)  # 21 Pa in kPa
    assert v["B"]["ours"] == pytest.approx(63.0e-3)
    assert v["A"]["ours_ratio"] == 1.0 and v["B"]["ours_ratio"] == pytest.approx(3.0)
    assert v["B"]["reported_ratio"] == pytest.approx(2.0)  # 4 / 2
    assert v["B"]["ours_over_reported"] == pytest.approx(63.0e-3 / 4.0)
    assert c["orderings"][0]["holds"] is True and c["orderings"][0]["reported_holds"] is True
    assert c["all_orderings_hold"] is True


def test_an_ordering_that_fails_is_reported(tmp_path, synth, base_reference):
    base_reference["orderings"].append({"name": "A above B", "quantity": "y",
                                        "descending": ["A", "B"]})
    base_reference["orderings"].append({"name": "A below B", "quantity": "y",
                                        "ascending": ["A", "B"]})
    c = _compare(tmp_path, synth, base_reference,
                 {"A": synth.linear_history(1.0), "B": synth.linear_history(3.0)})
    holds = [o["holds"] for o in c["orderings"]]
    assert holds == [True, False, True]
    assert c["orderings"][1]["reported_holds"] is False
    assert "FAILS" in c["orderings"][1]["details"]
    assert c["all_orderings_hold"] is False


def test_greater_than_per_configuration(tmp_path, synth, base_reference):
    base_reference["quantities"]["early"] = {"column": "measure y [Pa]",
                                             "at": {"time": "1 s"}}
    base_reference["orderings"] = [
        {"name": "end above early", "greater": "y", "than": "early"},
        {"name": "early above end (A only)", "greater": "early", "than": "y",
         "configurations": ["A"]},
    ]
    c = _compare(tmp_path, synth, base_reference,
                 {"A": synth.linear_history(1.0), "B": synth.linear_history(3.0)})
    assert [o["holds"] for o in c["orderings"]] == [True, False]
    assert "A:" in c["orderings"][1]["details"] and "B:" not in c["orderings"][1]["details"]


def test_every_output_time(tmp_path, synth, base_reference):
    # A: y = 2t + 1; B: y = 4t - 2 crosses A at t = 1.5: B > A at t = 4, 8 but not at t = 1
    base_reference["orderings"] = [{"name": "B above A", "quantity": "y",
                                    "descending": ["B", "A"], "at": "every_output_time"}]
    hist_b = synth.linear_history(y=lambda t: 4.0 * t - 2.0)
    later = {"output_times": [4.0, 8.0, 20.0]}  # 20 s is never reached: not checked
    c = _compare(tmp_path, synth, base_reference, {"A": synth.linear_history(), "B": hist_b},
                 A=later, B=later)
    o = c["orderings"][0]
    assert o["holds"] is True and "2 output time(s)" in o["details"]
    early = {"output_times": [1.0, 4.0]}
    c = _compare(tmp_path / "2", synth, base_reference,
                 {"A": synth.linear_history(), "B": hist_b}, A=early, B=early)
    o = c["orderings"][0]
    assert o["holds"] is False and "t = 1 s" in o["details"]


def test_failed_configuration_leaves_orderings_unevaluated(tmp_path, synth, base_reference):
    c = _compare(tmp_path, synth, base_reference,
                 {"A": synth.linear_history(), "B": synth.linear_history(3.0)},
                 B={"status": "failed"})
    assert c["orderings"][0]["holds"] is None
    assert "B (failed)" in c["orderings"][0]["details"]
    assert c["all_orderings_hold"] is False
    v = c["quantities"]["y"]["values"]
    assert v["B"]["ours"] is None and "failed" in v["B"]["note"]
    assert v["A"]["ours_ratio"] == 1.0


def test_a_quantity_only_some_configurations_have(tmp_path, synth, base_reference):
    # "z" is reported for B only and only B's history has its column: A is "not measured"
    base_reference["quantities"]["z"] = {"column": "measure z [Pa]", "reported": {"B": 1.0}}
    base_reference["quantities"]["w"] = {"column": "measure y [Pa]", "configurations": ["A"]}
    hist_b = synth.linear_history(3.0)
    hist_b["measure z [Pa]"] = [1.0] * len(hist_b["time [s]"])
    c = _compare(tmp_path, synth, base_reference, {"A": synth.linear_history(), "B": hist_b})
    z = c["quantities"]["z"]["values"]
    assert z["A"]["ours"] is None and z["A"]["note"].startswith("not measured")
    assert z["A"]["required"] is False and z["B"]["ours"] == 1.0
    w = c["quantities"]["w"]["values"]
    assert w["A"]["ours"] == 21.0 and w["B"]["note"] == "not defined for this configuration"
    ref = load_reference(tmp_path / "reference.yaml")
    assert ref.needed("z") == {"B"} and ref.needed("y") == {"A", "B"}


def test_orderings_are_strict_a_tie_does_not_hold(tmp_path, synth, base_reference):
    # equal values (ours and the paper's) do not make "B above A" or "y above z" true
    base_reference["quantities"]["y"]["reported"] = {"A": 2.0, "B": 2.0}
    base_reference["quantities"]["z"] = {"column": "measure y [Pa]", "unit": "kPa",
                                         "reported": {"A": 2.0}}
    base_reference["orderings"].append({"name": "y above z", "greater": "y", "than": "z",
                                        "configurations": ["A"]})
    c = _compare(tmp_path, synth, base_reference,
                 {"A": synth.linear_history(1.0), "B": synth.linear_history(1.0)})
    for o in c["orderings"]:
        assert o["holds"] is False and "FAILS" in o["details"], o
        assert o["reported_holds"] is False, o
    assert c["all_orderings_hold"] is False


def test_every_output_time_up_to_the_end_of_the_shortest_run(tmp_path, synth, base_reference):
    # A runs to 10 s, B stops at 6 s: the output times both reached are 4 s and 6 s (B's
    # end, which is an output time); 10 s only A reached. B = 4t - 2 > A = 2t + 1 at both.
    base_reference["orderings"] = [{"name": "B above A", "quantity": "y",
                                    "descending": ["B", "A"], "at": "every_output_time"}]
    times = {"output_times": [4.0, 6.0, 10.0]}
    c = _compare(tmp_path, synth, base_reference,
                 {"A": synth.linear_history(),
                  "B": synth.linear_history(n=7, y=lambda t: 4.0 * t - 2.0)},
                 A=times, B=times)
    o = c["orderings"][0]
    assert o["holds"] is True, o
    assert "2 output time(s) (4, 6 s)" in o["details"], o["details"]
