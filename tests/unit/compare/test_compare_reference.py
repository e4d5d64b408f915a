"""Reference files: valid ones load; every kind of mistake is reported at its field."""

from __future__ import annotations

import pytest

from solver.case.errors import CaseError
from solver.compare.reference import load_reference, parse_at


def _paths(tmp_path, synth, data):
    ref = synth.write_reference(tmp_path, data)
    with pytest.raises(CaseError) as info:
        load_reference(ref)
    assert all(str(ref) == p.file for p in info.value.problems)
    return info.value.paths, str(info.value)


def test_valid_reference_loads_with_defaults(tmp_path, synth, base_reference):
    base_reference["quantities"]["z"] = {"column": "measure y [Pa]"}
    ref = load_reference(synth.write_reference(tmp_path, base_reference))
    assert list(ref.configurations) == ["A", "B"]
    assert ref.case_file("A") == tmp_path / "a.yaml"
    z = ref.quantities["z"]
    assert str(z.at) == "end" and z.display_unit == "Pa" and z.reported == {}
    assert ref.orderings[0].chain == ["B", "A"]


@pytest.mark.parametrize("raw, kind, value", [
    ("end", "end", None), ("peak", "peak", None), ("trough", "trough", None),
    ({"time": "1 h"}, "time", 3600.0), ({"capacity": "1 A*h/g"}, "capacity", 3.6e6),
    ({"mean_theta": 0.5}, "mean_theta", 0.5), ({"capacity_fraction": 0.25},
                                               "capacity_fraction", 0.25),
])
def test_at_values_are_parsed_to_si(raw, kind, value):
    at = parse_at(raw)
    assert at.kind == kind
    assert at.value == (pytest.approx(value) if value is not None else None)


def test_capacity_fraction_must_be_above_zero_mean_theta_may_be_zero():
    """capacity_fraction is in (0, 1], mean_theta in [0, 1]: only the capacity fraction
    excludes 0 (a capacity of 0 is the start of every history, not a point along it)."""
    with pytest.raises(ValueError, match=r"capacity_fraction: must be in \(0, 1\], got 0"):
        parse_at({"capacity_fraction": 0})
    with pytest.raises(ValueError, match=r"capacity_fraction: must be in \(0, 1\]"):
        parse_at({"capacity_fraction": 0.0})
    assert parse_at({"capacity_fraction": 1e-9}).value == 1e-9
    assert parse_at({"mean_theta": 0}).value == 0.0


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d["quantities"]["y"].update(colum="x"), "quantities.y.colum"),
    (lambda d: d["quantities"]["y"].update(at="middle"), "quantities.y.at"),
    (lambda d: d["quantities"]["y"].update(at={"time": "3 kg"}), "quantities.y.at"),
    (lambda d: d["quantities"]["y"].update(at={"capacity_fraction": 1.5}), "quantities.y.at"),
    # the fraction of the end capacity is in (0, 1]: at 0 there is no capacity yet to place it
    (lambda d: d["quantities"]["y"].update(at={"capacity_fraction": 0}), "quantities.y.at"),
    (lambda d: d["quantities"]["y"].update(at="every_output_time"), "quantities.y.at"),
    (lambda d: d["quantities"]["y"].update(unit="furlongs"), "quantities.y.unit"),
    (lambda d: d["quantities"]["y"].update(unit="s"), "quantities.y.unit"),
    (lambda d: d["quantities"]["y"].update(column="measure y"), "quantities.y.column"),
    (lambda d: d["quantities"]["y"]["reported"].update(C=1.0), "quantities.y.reported.C"),
    (lambda d: d.update(baseline="Z"), "baseline"),
    (lambda d: d.update(kind="case"), "kind"),
    (lambda d: d.update(paper=""), "paper"),  # optional (own designs), but not empty
    (lambda d: d["configurations"].update({"a/b": "c.yaml"}), "configurations.a/b"),
    (lambda d: d["configurations"].update({"A.log": "c.yaml"}), "configurations.A.log"),
    (lambda d: d["orderings"][0].update(quantity="nope"), "orderings.0.quantity"),
    (lambda d: d["orderings"][0].update(descending=["B", "Q"]), "orderings.0.descending.1"),
    # a label listed twice (B > B can never hold) is refused
    (lambda d: d["orderings"][0].update(descending=["B", "B"]), "orderings.0.descending"),
    (lambda d: d["orderings"][0].update(greater="y", than="y"), "orderings.0"),
    (lambda d: d["orderings"][0].pop("quantity"), "orderings.0.quantity"),
    (lambda d: d["orderings"].append({"name": "x", "greater": "y"}), "orderings.1.than"),
    (lambda d: d.update(figures=[{"name": "f", "kind": "history", "y": "measure y [Pa]"}]),
     "figures.0.x"),
    (lambda d: d.update(figures=[{"name": "f", "kind": "radial_profile",
                                  "field": "Lithiation fraction [-]", "at": ["peak"]}]),
     "figures.0.at.0"),
    (lambda d: d.update(figures=[{"name": "f", "kind": "section", "field": "Von Mises "
                                  "stress [Pa]", "unit": "s"}]), "figures.0.unit"),
    (lambda d: d.update(figures=[{"name": "f", "kind": "pie"}]), "figures.0.kind"),
])
def test_mistakes_name_the_field(tmp_path, synth, base_reference, mutate, path):
    mutate(base_reference)
    paths, text = _paths(tmp_path, synth, base_reference)
    assert path in paths, text


def test_missing_case_file_is_named(tmp_path, synth, base_reference):
    ref = synth.write_reference(tmp_path, base_reference)
    (tmp_path / "b.yaml").unlink()
    with pytest.raises(CaseError) as info:
        load_reference(ref)
    assert info.value.paths == ["configurations.B"]
    assert "case file not found" in str(info.value)


def test_duplicate_key_and_missing_file(tmp_path):
    ref = tmp_path / "reference.yaml"
    ref.write_text("kind: reference\nkind: reference\n")
    with pytest.raises(CaseError) as info:
        load_reference(ref)
    assert "duplicate key" in str(info.value)
    with pytest.raises(CaseError, match="file not found"):
        load_reference(tmp_path / "nothere.yaml")


def test_needed_configurations_of_a_quantity(tmp_path, synth, base_reference):
    """Which configurations a quantity must have a value for: its own ``configurations``;
    else those with a reported value, in a chain ordering of it, or in a greater/than
    ordering naming it (that ordering's ``configurations``, else all); else all."""
    d = base_reference
    d["configurations"].update(C="c.yaml", D="d.yaml")
    d["quantities"] = {
        "y": {"column": "measure y [Pa]", "reported": {"A": 2.0, "B": None}},
        "own": {"column": "measure y [Pa]", "reported": {"C": 1.0}, "configurations": ["C", "D"]},
        "chain": {"column": "measure y [Pa]"},
        "pair": {"column": "measure y [Pa]"},
        "pair_all": {"column": "measure y [Pa]"},
        "nothing": {"column": "measure y [Pa]"},
    }
    d["orderings"] = [
        {"name": "chain", "quantity": "chain", "ascending": ["B", "D"]},
        {"name": "pair", "greater": "pair", "than": "y", "configurations": ["D"]},
        {"name": "pair_all", "greater": "nothing", "than": "pair_all"},
    ]
    ref = load_reference(synth.write_reference(tmp_path, d))
    every = {"A", "B", "C", "D"}
    assert ref.needed("own") == {"C", "D"}  # all of its configurations, reported or not
    assert ref.needed("y") == {"A", "D"}  # reported (None is not a value) + the pair's D
    assert ref.needed("chain") == {"B", "D"}
    assert ref.needed("pair") == {"D"}
    assert ref.needed("pair_all") == every  # a greater/than without configurations: all
    assert ref.needed("nothing") == every
