"""Unit conversion of dimensional case fields."""

from __future__ import annotations

import math

import pytest
from pydantic import BaseModel, ValidationError

from solver.case.units import (
    FARADAY,
    Length,
    Number,
    SpecificCharge,
    SpecificCurrent,
    Time,
    dimension_name,
    to_si,
    unit_of,
)


class _Holder(BaseModel):
    length: Length = 1.0
    current: SpecificCurrent = 1.0
    charge: SpecificCharge = 1.0
    time: Time = 1.0
    ratio: Number = 0.0


@pytest.mark.parametrize(
    ("field", "given", "expected"),
    [
        ("length", "4 um", 4e-6),
        ("length", "4 µm", 4e-6),  # micro sign
        ("length", "4 μm", 4e-6),  # Greek mu
        ("length", 4e-6, 4e-6),
        ("length", 2, 2.0),
        ("length", "4e-6", 4e-6),  # YAML 1.1 reads 4e-6 as a string
        ("current", "0.1 A/g", 100.0),
        ("charge", "3579 mA*h/g", 1.28844e7),
        ("charge", "3579 mAh/g", 1.28844e7),
        ("charge", "1 A*h/g", 3.6e6),
        ("time", "30 min", 1800.0),
        ("time", "2 h", 7200.0),
        ("ratio", "0.5", 0.5),
    ],
)
def test_conversions_to_si(field: str, given: object, expected: float) -> None:
    value = getattr(_Holder(**{field: given}), field)
    assert isinstance(value, float)
    assert math.isclose(value, expected, rel_tol=1e-6)


@pytest.mark.parametrize(("a", "b"), [("2.5 um", "2500 nm"), ("0.2 um", "200 nm"),
                                      ("1.1 um", "1100 nm"), ("8.22 um", "0.00822 mm")])
def test_the_same_length_written_two_ways_is_the_same_float(a: str, b: str) -> None:
    """The unit's binary scale factor left 2.5 um at 2.4999999999999998e-06 but 2500 nm at
    2.5e-06: two meshes (634 and 654 cells) and two case hashes for one particle."""
    assert _Holder(length=a).length == _Holder(length=b).length == float(
        a.split()[0] + "e-6")  # the decimal literal, e.g. 2.5e-6


def test_diffusivity_string() -> None:
    assert math.isclose(to_si("2e-15 m^2/s", "m^2/s"), 2e-15, rel_tol=1e-12)


def test_wrong_dimension_message_names_both_dimensions() -> None:
    with pytest.raises(ValidationError) as info:
        _Holder(length="5 GPa")
    assert "expected a length [m], got '5 GPa' (a pressure)" in str(info.value)


@pytest.mark.parametrize("bad", ["abc", "um", "4 furlongs per blorp", True, None, [1], "nan"])
def test_garbage_is_rejected(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        _Holder(length=bad)
    assert "[m]" in str(info.value)


@pytest.mark.parametrize("bad", ["abc", True, False, None, float("inf")])
def test_plain_numbers_reject_strings_and_booleans(bad: object) -> None:
    with pytest.raises(ValidationError) as info:
        _Holder(ratio=bad)
    assert "expected a number" in str(info.value) or "finite" in str(info.value)


def test_unit_metadata_is_retrievable() -> None:
    field = _Holder.model_fields["charge"]
    assert unit_of(field.annotation, field.metadata) == "C/kg"
    assert _Holder.model_json_schema()["properties"]["length"]["unit"] == "m"
    assert unit_of(_Holder.model_fields["ratio"].annotation) is None


def test_dimension_names() -> None:
    assert dimension_name("GPa") == "a pressure"
    assert dimension_name("mA*h/g") == "a specific charge"
    assert dimension_name("") == "dimensionless"
    assert FARADAY == pytest.approx(96485.33212)


@pytest.mark.parametrize("given", [10**400, -(10**400), "1" + "0" * 400, "1e400", "1e400 m"])
def test_a_number_beyond_a_float_is_refused_not_an_overflow_traceback(given: object) -> None:
    """float(10**400) raises OverflowError, which pydantic does not turn into a
    validation error: `validate --set geometry.radius=1000...0` ended in a traceback."""
    for field in ("length",) if str(given).endswith(" m") else ("length", "ratio"):
        with pytest.raises(ValidationError) as info:
            _Holder(**{field: given})
        text = str(info.value)
        assert "too large for a floating-point number" in text
        assert "0" * 100 not in text  # the value is shortened, not printed in 401 digits


def test_infinity_written_out_is_not_called_too_large() -> None:
    with pytest.raises(ValidationError) as info:
        _Holder(length="inf")
    assert "not a finite number" in str(info.value)


@pytest.mark.parametrize(("given", "expected"), [("1.23456789 um", 1.23456789e-6),
                                                 ("4.0000001 um", 4.0000001e-6),
                                                 ("1234.56789012 nm", 1.23456789012e-6)])
def test_a_quantity_with_units_keeps_every_digit_given(given: str, expected: float) -> None:
    """The rounding that makes "2.5 um" and "2500 nm" one float must not cut the digits a
    user wrote: a radius of 4.0000001 um is not 4 um."""
    assert _Holder(length=given).length == pytest.approx(expected, rel=1e-13, abs=0)
