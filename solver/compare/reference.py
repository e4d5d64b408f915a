"""Reference files (``kind: reference``): what a paper reports, for ``chemomech compare``.

The format is described in ``docs/reference-format.md``. :func:`load_reference` reads the
YAML (duplicate keys refused, YAML 1.2 booleans, as case files), validates it with pydantic
models that forbid unknown keys, then checks what ties the parts together (labels, quantity
keys, units, case files). Every problem is reported as ``file: dotted.path: message`` in one
:class:`~solver.case.errors.CaseError`, like the case loader does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from solver.case.errors import CaseError, FieldProblems, Problem

__all__ = ["At", "Figure", "Ordering", "Quantity", "Reference", "column_unit", "load_reference",
           "parse_at"]

#: configuration labels are used as folder and file names
LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")

_AT_WORDS = ("end", "peak", "trough", "every_output_time")
_AT_KEYS = {"time": "s", "capacity": "C/kg", "mean_theta": None, "capacity_fraction": None}


@dataclass(frozen=True)
class At:
    """Where a value is read from a history: ``kind`` and, for the interpolated kinds, the
    target in SI (time in s, capacity in C/kg) or as a fraction."""

    kind: str
    value: float | None = None
    text: str = ""

    def __str__(self) -> str:
        return self.text or self.kind

    @property
    def interpolated(self) -> bool:
        return self.kind in _AT_KEYS


def parse_at(raw: Any) -> At:
    """Parse an ``at`` value (``end``, ``peak``, ``trough``, ``every_output_time``,
    ``{time: "3600 s"}``, ``{capacity: "1 A*h/g"}``, ``{mean_theta: 0.5}``,
    ``{capacity_fraction: 0.25}``).

    Raises:
        ValueError: with a message saying what is accepted.
    """
    if isinstance(raw, At):
        return raw
    accepted = ("expected end, peak, trough, every_output_time or a mapping with one of "
                "time, capacity, mean_theta, capacity_fraction")
    if isinstance(raw, str):
        if raw in _AT_WORDS:
            return At(raw, None, raw)
        raise ValueError(f"{accepted}; got {raw!r}")
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ValueError(f"{accepted}; got {raw!r}")
    (key, value), = raw.items()
    if key not in _AT_KEYS:
        raise ValueError(f"{accepted}; got the key {key!r}")
    unit = _AT_KEYS[key]
    if unit is not None:
        from solver.case.units import to_si

        try:
            si = to_si(value, unit)
        except Exception as exc:  # pydantic_core.PydanticCustomError
            raise ValueError(f"{key}: {exc}") from None
        if si < 0:
            raise ValueError(f"{key}: must be >= 0, got {value!r}")
        return At(key, si, f"{key} {value}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key}: expected a number, got {value!r}")
    lo_ok = value > 0 if key == "capacity_fraction" else value >= 0
    if not (lo_ok and value <= 1):
        rng = "(0, 1]" if key == "capacity_fraction" else "[0, 1]"
        raise ValueError(f"{key}: must be in {rng}, got {value!r}")
    return At(key, float(value), f"{key} {value}")


AtField = Annotated[At, BeforeValidator(parse_at)]


def column_unit(column: str) -> str | None:
    """The unit written in a history column name (``"measure x [Pa]"`` → ``"Pa"``)."""
    m = re.search(r"\[([^\[\]]*)\]\s*$", column)
    return m.group(1).strip() if m else None


def pint_unit(unit: str) -> str:
    """A unit as written in column names, in pint's spelling (``-`` is dimensionless)."""
    return "dimensionless" if unit in ("-", "") else unit


def _check_unit(value: str | None) -> str | None:
    if value is None:
        return None
    from solver.case.units import ureg

    try:
        ureg.parse_units(pint_unit(value))
    except Exception:
        raise ValueError(f"not a unit pint understands: {value!r}") from None
    return value


Unit = Annotated[str, BeforeValidator(_check_unit)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class Configuration(_Model):
    """A configuration given as a case file with ``--set`` overrides of its own (a variant of
    a case that differs in one or two fields, without a copy of the case file)."""

    case: str = Field(min_length=1)
    set: list[str] = Field(default_factory=list)  # "dotted.key=value", as `chemomech run --set`

    @model_validator(mode="after")
    def _check_set(self) -> Configuration:
        bad = [(f"set.{i}", f"expected dotted.key=value, got {o!r}")
               for i, o in enumerate(self.set) if "=" not in o or o.startswith("=")]
        if bad:
            raise FieldProblems(bad)
        return self


#: a configuration: a case file (a string), or a mapping with case and set
ConfigurationField = Annotated[
    Configuration, BeforeValidator(lambda v: {"case": v} if isinstance(v, str) else v)]


class Quantity(_Model):
    """One reported number per configuration, and the history column that stands for it."""

    description: str = ""
    column: str = Field(min_length=1)
    at: AtField = At("end", None, "end")
    unit: Unit | None = None  # default: the column's unit
    reported: dict[str, float | None] = Field(default_factory=dict)
    source: str = ""
    magnitude: bool = False  # compare |value| (a paper giving compressive stress as a size)
    configurations: list[str] | None = Field(None, min_length=1)  # defined only for these

    @property
    def display_unit(self) -> str:
        return self.unit or column_unit(self.column) or "-"


class Ordering(_Model):
    """A claim of the paper: a chain of configurations, or one quantity above another."""

    name: str = Field(min_length=1)
    quantity: str | None = None
    descending: list[str] | None = Field(None, min_length=2)
    ascending: list[str] | None = Field(None, min_length=2)
    greater: str | None = None
    than: str | None = None
    configurations: list[str] | None = Field(None, min_length=1)
    at: AtField | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Ordering:
        problems = []
        chain = self.descending is not None or self.ascending is not None
        pair = self.greater is not None or self.than is not None
        if chain and pair:
            problems.append(("", "give either quantity + descending/ascending, or greater + "
                                 "than, not both"))
        elif chain:
            if self.descending is not None and self.ascending is not None:
                problems.append(("ascending", "give descending or ascending, not both"))
            if self.quantity is None:
                problems.append(("quantity", "a descending/ascending ordering needs the "
                                             "quantity it orders"))
            if self.configurations is not None:
                problems.append(("configurations", "only for greater/than orderings (the "
                                                   "chain lists its configurations)"))
        elif pair:
            if self.greater is None or self.than is None:
                problems.append(("than" if self.than is None else "greater",
                                 "greater and than go together"))
            if self.quantity is not None:
                problems.append(("quantity", "a greater/than ordering compares two "
                                             "quantities; use greater and than only"))
        else:
            problems.append(("", "expected quantity + descending/ascending, or greater + than"))
        if problems:
            raise FieldProblems(problems)
        return self

    @property
    def chain(self) -> list[str] | None:
        return self.descending if self.descending is not None else self.ascending


class Figure(_Model):
    """A picture written next to comparison.md (see the format document for the kinds)."""

    name: str = Field(min_length=1)
    kind: Literal["history", "radial_profile", "section"]
    title: str = ""
    configurations: list[str] | None = Field(None, min_length=1)
    # history
    x: str | None = None
    y: str | list[str] | None = None
    x_unit: Unit | None = None
    y_unit: Unit | None = None
    # radial_profile and section
    field: str | None = None
    unit: Unit | None = None  # display unit of the field (default: the field's)
    at: list[AtField] | AtField | None = None
    bins: int = Field(24, ge=2, le=500)  # radial_profile: radial bins
    centre: list[float] | None = Field(None, min_length=2, max_length=3)  # m; default origin

    @model_validator(mode="after")
    def _kind_fields(self) -> Figure:
        problems = []
        if not _NAME.match(self.name):
            problems.append(("name", f"used as a file name: letters, digits, _ . + - only; "
                                     f"got {self.name!r}"))
        need = {"history": ("x", "y"), "radial_profile": ("field", "at"),
                "section": ("field",)}[self.kind]
        for key in need:
            if getattr(self, key) is None:
                problems.append((key, f"required for kind {self.kind}"))
        other = {"history": ("field", "unit", "at", "centre"),
                 "radial_profile": ("x", "y", "x_unit", "y_unit"),
                 "section": ("x", "y", "x_unit", "y_unit", "centre")}[self.kind]
        for key in other:
            if getattr(self, key) is not None:
                problems.append((key, f"not used by kind {self.kind}"))
        for i, at in enumerate(self.at_list):
            if at.kind in ("peak", "trough", "every_output_time"):
                where = f"at.{i}" if isinstance(self.at, list) else "at"
                problems.append((where, f"{at.kind} is not a time a field can be read at "
                                        "(use end, time, capacity, mean_theta or "
                                        "capacity_fraction)"))
        if problems:
            raise FieldProblems(problems)
        return self

    @property
    def at_list(self) -> list[At]:
        if self.at is None:
            return [At("end", None, "end")] if self.kind == "section" else []
        return list(self.at) if isinstance(self.at, list) else [self.at]

    @property
    def y_list(self) -> list[str]:
        return [self.y] if isinstance(self.y, str) else list(self.y or [])


class Reference(_Model):
    """A reference file (see ``docs/reference-format.md``)."""

    kind: Literal["reference"]
    #: the source of the reported numbers; None for a comparison of one's own designs (no
    #: reported numbers: the orderings are then the expected ones)
    paper: str | None = Field(None, min_length=1)
    baseline: str
    configurations: dict[str, ConfigurationField] = Field(min_length=1)
    quantities: dict[str, Quantity] = Field(default_factory=dict)
    orderings: list[Ordering] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    notes: str = ""  # shown under the title of comparison.md

    # filled by load_reference
    _path: Path | None = None

    @property
    def path(self) -> Path:
        return self._path or Path("reference.yaml")

    def needed(self, key: str) -> set[str]:
        """The configurations a quantity must have a value for: its ``configurations``, or
        those with a reported value or in an ordering of it, or else all. (A case without the
        quantity's column is only an error for these; for the others it is "not measured".)"""
        q = self.quantities[key]
        if q.configurations is not None:
            return set(q.configurations)
        out = {lab for lab, v in q.reported.items() if v is not None}
        for o in self.orderings:
            if o.quantity == key:
                out.update(o.chain or [])
            if key in (o.greater, o.than):
                out.update(o.configurations or self.configurations)
        return out or set(self.configurations)  # nothing singles any out: all of them

    def case_file(self, label: str) -> Path:
        """The case file of a configuration (relative paths are relative to this file)."""
        p = Path(self.configurations[label].case)
        # normalised, so that ../other/case.yaml reads as other/case.yaml in the tables
        return Path(os.path.normpath(p if p.is_absolute() else self.path.parent / p))

    def overrides(self, label: str) -> list[str]:
        """The configuration's own ``--set`` values (empty for a plain case file)."""
        return list(self.configurations[label].set)


# --------------------------------------------------------------------------------------------
# Loading


def _loc_path(loc: tuple) -> str:
    parts = []
    for item in loc:
        if isinstance(item, str) and ("[" in item or item.startswith("function-")):
            continue  # pydantic's names of union members / validator wrappers
        parts.append(str(item))
    return ".".join(parts)


def _problems(exc: ValidationError, file: str) -> list[Problem]:
    out = []
    for err in exc.errors():
        path = _loc_path(err["loc"])
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, FieldProblems):
            for rel, msg in ctx_err.problems:
                out.append(Problem(file, ".".join(p for p in (path, rel) if p), msg))
            continue
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (see docs/reference-format.md for the keys of a reference file)"
        elif err["type"] == "missing":
            msg = "required, missing"
        elif err["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
        elif "input" in err and not isinstance(err["input"], (dict, list)):
            msg = f"{msg}, got {err['input']!r}"
        out.append(Problem(file, path, msg))
    # one problem per path (a union tried several members)
    seen, unique = set(), []
    for p in out:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            unique.append(p)
    return unique


def _dimension(unit: str | None):
    from solver.case.units import ureg

    if unit is None:
        return None
    try:
        return ureg.parse_units(pint_unit(unit)).dimensionality
    except Exception:
        return None


def _cross_checks(ref: Reference, check_files: bool) -> list[tuple[str, str]]:
    """Problems tying the parts together: (dotted path, message)."""
    labels = list(ref.configurations)
    problems: list[tuple[str, str]] = []

    def label_ok(path: str, label: str) -> None:
        if label not in ref.configurations:
            problems.append((path, f"unknown configuration {label!r} (configurations: "
                                   f"{', '.join(labels)})"))

    for label in ref.configurations:
        if not LABEL.match(label):
            problems.append((f"configurations.{label}", "a label is used as a folder name: "
                                                        "letters, digits, _ . + - only"))
        elif label.endswith(".log"):
            problems.append((f"configurations.{label}", "a label may not end in .log: the run "
                                                        "log of configuration X is X.log, "
                                                        "beside its results folder X"))
        if check_files:
            f = ref.case_file(label)
            if not f.is_file():
                problems.append((f"configurations.{label}", f"case file not found: {f}"))
    label_ok("baseline", ref.baseline)
    for key, q in ref.quantities.items():
        for label in q.reported:
            label_ok(f"quantities.{key}.reported.{label}", label)
        for j, label in enumerate(q.configurations or []):
            label_ok(f"quantities.{key}.configurations.{j}", label)
        if q.configurations is not None:
            for label in q.reported:
                if label not in q.configurations:
                    problems.append((f"quantities.{key}.reported.{label}", "reported for a "
                                     "configuration not in the quantity's configurations"))
        if q.at.kind == "every_output_time":
            problems.append((f"quantities.{key}.at", "every_output_time is for orderings only "
                                                     "(a quantity has one value per "
                                                     "configuration)"))
        cu = column_unit(q.column)
        if cu is None:
            problems.append((f"quantities.{key}.column", f"{q.column!r}: a history column "
                                                         "name ends with its unit in [ ]"))
        elif q.unit is not None and _dimension(q.unit) != _dimension(cu):
            problems.append((f"quantities.{key}.unit", f"{q.unit!r} does not convert from the "
                                                       f"column's unit [{cu}]"))
    for i, o in enumerate(ref.orderings):
        base = f"orderings.{i}"
        if o.quantity is not None and o.quantity not in ref.quantities:
            problems.append((f"{base}.quantity", f"unknown quantity {o.quantity!r} "
                                                 f"(quantities: {', '.join(ref.quantities)})"))
        for name in ("greater", "than"):
            key = getattr(o, name)
            if key is not None and key not in ref.quantities:
                problems.append((f"{base}.{name}", f"unknown quantity {key!r} (quantities: "
                                                   f"{', '.join(ref.quantities)})"))
        if (o.greater in ref.quantities and o.than in ref.quantities
                and _dimension(column_unit(ref.quantities[o.greater].column))
                != _dimension(column_unit(ref.quantities[o.than].column))):
            problems.append((f"{base}.than", f"{o.greater!r} and {o.than!r} have columns of "
                                             "different dimensions"))
        for field in ("descending", "ascending", "configurations"):
            for j, label in enumerate(getattr(o, field) or []):
                label_ok(f"{base}.{field}.{j}", label)
            vals = getattr(o, field) or []
            if len(set(vals)) < len(vals):
                problems.append((f"{base}.{field}", "a configuration is listed twice"))
    names = [f.name for f in ref.figures]
    for i, fig in enumerate(ref.figures):
        base = f"figures.{i}"
        if fig.name in names[:i]:
            problems.append((f"{base}.name", f"figure name {fig.name!r} is used twice"))
        for j, label in enumerate(fig.configurations or []):
            label_ok(f"{base}.configurations.{j}", label)
        for key, col in (("x", fig.x), *((f"y", y) for y in fig.y_list)):
            if col is not None and column_unit(col) is None:
                problems.append((f"{base}.{key}", f"{col!r}: a history column name ends with "
                                                  "its unit in [ ]"))
        pairs = [("x_unit", fig.x_unit, fig.x), ("unit", fig.unit, fig.field)]
        pairs += [("y_unit", fig.y_unit, y) for y in fig.y_list]
        for key, unit, col in pairs:
            cu = column_unit(col) if col else None
            if unit is not None and cu is not None and _dimension(unit) != _dimension(cu):
                problems.append((f"{base}.{key}", f"{unit!r} does not convert from [{cu}]"))
    return problems


def load_reference(path: str | Path, check_files: bool = True) -> Reference:
    """Read and validate a reference file.

    Args:
        path: the YAML file.
        check_files: also require every configuration's case file to exist.

    Raises:
        CaseError: every problem, one per line (``file: dotted.path: message``).
    """
    from solver.case.loader import read_yaml_file

    file = str(path)
    p = Path(path)
    data = read_yaml_file(p, "reference file")
    if not isinstance(data, dict):
        raise CaseError([Problem(file, "", "expected a mapping (kind: reference, paper, "
                                           "baseline, configurations, ...)")])
    if data.get("kind") != "reference":
        raise CaseError([Problem(file, "kind", f"expected 'reference' (this is not a reference "
                                               f"file), got {data.get('kind')!r}")])
    try:
        ref = Reference.model_validate(data)
    except ValidationError as exc:
        raise CaseError(_problems(exc, file)) from None
    ref._path = p
    problems = _cross_checks(ref, check_files)
    if problems:
        raise CaseError([Problem(file, where, msg) for where, msg in problems])
    return ref
