"""Units for case files: one pint registry and pydantic field types that convert to SI.

Case files accept either plain numbers, taken to be in the SI unit of the field, or strings
with units such as ``"4 um"``, ``"185 GPa"``, ``"0.1 A/g"`` or ``"3579 mA*h/g"``. The field
types defined here check the dimension of such strings against the field's SI unit and
return plain ``float`` values in SI, so nothing downstream of the schema sees pint objects.

Each dimensional type carries a :class:`Unit` marker in its ``Annotated`` metadata; the
template and Markdown generators (and error messages) read the SI unit from it with
:func:`unit_of`.

Example:
    >>> from pydantic import BaseModel
    >>> class Particle(BaseModel):
    ...     radius: Length
    >>> Particle(radius="4 um").radius
    4e-06
"""

from __future__ import annotations

import functools
import math
import re
import typing
from dataclasses import dataclass
from typing import Annotated, Any

import pint
from pydantic import BeforeValidator, GetJsonSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "FARADAY",
    "GAS_CONSTANT",
    "Concentration",
    "Density",
    "Diffusivity",
    "Integer",
    "Length",
    "MolarVolume",
    "Number",
    "Pressure",
    "Quantity",
    "SpecificCharge",
    "SpecificCurrent",
    "Temperature",
    "Time",
    "Unit",
    "describe_input",
    "dimension_name",
    "to_si",
    "unit_of",
    "ureg",
]

#: The single unit registry of chemomech.
ureg = pint.UnitRegistry()

#: Faraday constant [C/mol] (CODATA 2018, exact).
FARADAY = 96485.33212
#: Molar gas constant [J/(mol K)] (CODATA 2018, to 10 digits).
GAS_CONSTANT = 8.314462618

# Human names of the dimensions a user is likely to write, keyed by an SI unit.
_NAMED_UNITS: tuple[tuple[str, str], ...] = (
    ("m", "a length"),
    ("m^2", "an area"),
    ("m^3", "a volume"),
    ("s", "a time"),
    ("1/s", "a rate"),
    ("kg", "a mass"),
    ("mol", "an amount of substance"),
    ("K", "a temperature"),
    ("A", "a current"),
    ("C", "a charge"),
    ("V", "a voltage"),
    ("J", "an energy"),
    ("W", "a power"),
    ("N", "a force"),
    ("Pa", "a pressure"),
    ("kg/m^3", "a density"),
    ("mol/m^3", "a concentration"),
    ("C/kg", "a specific charge"),
    ("A/kg", "a specific current"),
    ("A/m^2", "a current density"),
    ("m^2/s", "a diffusivity"),
    ("m^3/mol", "a molar volume"),
    ("m/s", "a velocity"),
    ("C/mol", "a molar charge"),
    ("J/mol", "a molar energy"),
)
_DIMENSION_NAMES = {ureg.parse_units(u).dimensionality: name for u, name in _NAMED_UNITS}

_NUMBER_START = re.compile(r"^\s*[-+]?(\d|\.\d)")


def dimension_name(unit: str) -> str:
    """Return a human name for the dimension of ``unit``, with its article.

    Args:
        unit: A unit string understood by pint, e.g. ``"GPa"`` or ``"mA*h/g"``.

    Returns:
        For example ``"a pressure"``, ``"dimensionless"`` or, for a dimension without a
        name, ``"dimension [mass] / [length]"``.
    """
    dim = ureg.parse_units(unit).dimensionality
    return _name_of_dimensionality(dim)


def _name_of_dimensionality(dim: Any) -> str:
    if not dim:
        return "dimensionless"
    if dim in _DIMENSION_NAMES:
        return _DIMENSION_NAMES[dim]
    return f"dimension {dim}"


@dataclass(frozen=True)
class Unit:
    """Annotation marker holding the SI unit of a dimensional field.

    Attributes:
        si: The SI unit string shown to users, e.g. ``"m"`` or ``"kg/m^3"``.
    """

    si: str

    @property
    def name(self) -> str:
        """Human name of the dimension, e.g. ``"a length"``."""
        return dimension_name(self.si)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        """Add ``"unit"`` to the JSON schema of the field."""
        json_schema = handler(schema)
        json_schema["unit"] = self.si
        return json_schema


def describe_input(value: Any) -> str:
    """The given value as an error message shows it (a long string or an integer beyond a
    float shortened)."""
    if isinstance(value, str):
        if len(value) <= 60:
            return repr(value)
        return repr(value[:40]) + f" ... ({len(value)} characters)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, int) and abs(value).bit_length() > 1024:  # beyond a float
        # not 400 digits in one error line (nor str(), which refuses more than 4300)
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        return f"{'a negative' if value < 0 else 'an'} integer of about {digits} digits"
    return str(value)


def _as_float(value: int | float | str) -> float:
    """``float(value)``; an integer too large for a float (YAML reads 1 followed by 400
    zeros as an int, and ``float()`` raises OverflowError on it) becomes inf, which the
    finiteness check then refuses like any other overflow."""
    try:
        return float(value.strip()) if isinstance(value, str) else float(value)
    except OverflowError:
        return -math.inf if isinstance(value, int) and value < 0 else math.inf


def _check_finite(x: float, value: Any, expected: str) -> float:
    if not math.isfinite(x):
        # 1e400 or a 400-digit integer is finite as written, but not as a float
        why = ("too large for a floating-point number, whose largest is 1.8e308"
               if math.isinf(x) and not isinstance(value, float)
               and not (isinstance(value, str) and "inf" in value.lower())
               else "not a finite number")
        raise PydanticCustomError(
            "not_finite",
            "expected {expected}, got {given} ({why})",
            {"expected": expected, "given": describe_input(value), "why": why},
        )
    return x


def to_si(value: Any, unit: str) -> float:
    """Convert a number or a string with units to a float in the SI unit ``unit``.

    Args:
        value: An ``int``/``float`` (taken to be in ``unit`` already), a numeric string
            (``"4e-6"``, which YAML 1.1 reads as a string), or a string with units
            (``"4 um"``).
        unit: The SI unit of the field, e.g. ``"m"``.

    Returns:
        The magnitude in ``unit``.

    Raises:
        pydantic_core.PydanticCustomError: If ``value`` is a boolean, not a number, has
            the wrong dimension or is not finite. The message names the expected unit.
    """
    target = ureg.parse_units(unit)
    expected = f"{_name_of_dimensionality(target.dimensionality)} [{unit}]"
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PydanticCustomError(
            "quantity_type",
            "expected a number or a quantity with units of [{unit}], got {given}",
            {"unit": unit, "given": describe_input(value)},
        )
    if isinstance(value, (int, float)):
        return _check_finite(_as_float(value), value, expected)
    text = value.strip()
    try:
        bare = _as_float(text)
    except ValueError:
        pass
    else:  # a number without a unit (not inside the try: the refusal is a ValueError too)
        return _check_finite(bare, value, expected)
    parsed = None
    if _NUMBER_START.match(text):
        try:
            parsed = ureg.Quantity(text)
        except Exception:  # pint raises many kinds of errors on garbage
            parsed = None
    if not isinstance(parsed, ureg.Quantity):
        raise PydanticCustomError(
            "quantity_parsing",
            "expected a number or a quantity with units of [{unit}], got {given}{hint}",
            {"unit": unit, "given": describe_input(value), "hint": _case_hint(text, target)},
        )
    if parsed.dimensionality != target.dimensionality:
        raise PydanticCustomError(
            "quantity_dimension",
            "expected {expected}, got {given} ({got})",
            {
                "expected": expected,
                "given": describe_input(value),
                "got": _name_of_dimensionality(parsed.dimensionality),
            },
        )
    try:
        magnitude = float(parsed.to(target).magnitude)
    except Exception:  # offset units and other oddities
        raise PydanticCustomError(
            "quantity_parsing",
            "expected a number or a quantity with units of [{unit}], got {given}",
            {"unit": unit, "given": describe_input(value)},
        ) from None
    # 15 significant digits: "2.5 um" gives 2.5e-06, not 2.4999999999999998e-06 from the
    # binary scale factor, so "2.5 um" and "2500 nm" are the same case (same mesh, same hash)
    if math.isfinite(magnitude) and magnitude != 0.0:
        magnitude = float(f"{magnitude:.15g}")
    return _check_finite(magnitude, value, expected)


_NUMBER_AND_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.+?)\s*$")


@functools.cache
def _loose_registry() -> pint.UnitRegistry:
    return pint.UnitRegistry(case_sensitive=False)


def _case_hint(text: str, target: Any) -> str:
    """``; did you mean '185 GPa'? …`` for a unit that only its letter case keeps from
    parsing to the expected dimension ('185 Gpa'), else ''. Unit symbols are case-sensitive
    and m/M are different prefixes (milli, mega): both are offered when either could be."""
    m = _NUMBER_AND_UNIT.match(text)
    if m is None:
        return ""
    number, unit_text = m.groups()
    candidates = [unit_text.lower()]  # 'UM'
    try:
        spelled = f"{_loose_registry().parse_units(unit_text):~}"  # 'Gpa' -> 'GPa'
        candidates += [spelled, spelled.swapcase()[:1] + spelled[1:]]
    except Exception:  # pint raises many kinds of errors on garbage
        pass
    found = []
    for candidate in candidates:
        try:
            if (candidate not in found
                    and ureg.parse_units(candidate).dimensionality == target.dimensionality):
                found.append(candidate)
        except Exception:
            continue
    if not found:
        return ""
    options = " or ".join(f"'{number} {c}'" for c in found)
    return f"; did you mean {options}? (unit symbols are case-sensitive)"


def Quantity(unit: str) -> Any:  # noqa: N802 - reads like a type in annotations
    """Build a pydantic field type for a dimensional quantity stored in SI.

    Args:
        unit: The SI unit of the field (pint syntax), e.g. ``"m"``, ``"Pa"``, ``"C/kg"``.

    Returns:
        ``Annotated[float, BeforeValidator(...), Unit(unit)]``: validation accepts numbers
        (already SI) and strings with units of the same dimension and yields a float in
        ``unit``. Booleans are rejected.
    """
    ureg.parse_units(unit)  # fail early on a typo in the schema itself

    def _validate(value: Any) -> float:
        return to_si(value, unit)

    return Annotated[float, BeforeValidator(_validate), Unit(unit)]


def _to_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PydanticCustomError(
            "number_type", "expected a number, got {given}", {"given": describe_input(value)}
        )
    try:
        x = _as_float(value)
    except ValueError:
        raise PydanticCustomError(
            "number_parsing",
            "expected a number, got {given}",
            {"given": describe_input(value)},
        ) from None
    return _check_finite(x, value, "a number")


def _to_integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PydanticCustomError(
            "integer_type", "expected an integer, got {given}", {"given": describe_input(value)}
        )
    if isinstance(value, int):
        return value
    try:
        x = _as_float(value)
    except ValueError:
        x = math.nan
    if not math.isfinite(x) or x != int(x):
        raise PydanticCustomError(
            "integer_parsing",
            "expected an integer, got {given}",
            {"given": describe_input(value)},
        )
    return int(x)


#: A dimensionless float (also accepts numeric strings; rejects booleans).
Number = Annotated[float, BeforeValidator(_to_number)]
#: An integer (accepts integral floats and numeric strings; rejects booleans).
Integer = Annotated[int, BeforeValidator(_to_integer)]

Length = Quantity("m")
Time = Quantity("s")
Temperature = Quantity("K")
Pressure = Quantity("Pa")
Density = Quantity("kg/m^3")
Concentration = Quantity("mol/m^3")
SpecificCharge = Quantity("C/kg")
SpecificCurrent = Quantity("A/kg")
Diffusivity = Quantity("m^2/s")
MolarVolume = Quantity("m^3/mol")


def unit_of(annotation: Any, metadata: typing.Iterable[Any] = ()) -> str | None:
    """Find the SI unit of a field from its annotation and metadata.

    Args:
        annotation: The field's type annotation (may be nested in ``Optional``, ``list``,
            ``tuple``, ``Annotated``).
        metadata: Extra metadata (pydantic's ``FieldInfo.metadata``).

    Returns:
        The SI unit string of the first :class:`Unit` marker found, or ``None``.
    """
    for item in metadata:
        if isinstance(item, Unit):
            return item.si
    if typing.get_origin(annotation) is Annotated:
        found = unit_of(typing.get_args(annotation)[0], typing.get_args(annotation)[1:])
        return found
    for arg in typing.get_args(annotation):
        found = unit_of(arg)
        if found is not None:
            return found
    return None
