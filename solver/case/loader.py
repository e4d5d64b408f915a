"""Load case files: YAML → overrides → validation → :class:`~solver.case.schema.Case`.

Every problem with the input raises :class:`~solver.case.errors.CaseError` whose lines read
``file: dotted.path: message``; pydantic's messages are rewritten to say what was expected
(with the SI unit) and what was given.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from solver.case.errors import CaseError, FieldProblems, Problem
from solver.case.library import expand_library_refs
from solver.case.schema import Case, discriminated_variants, split_annotation
from solver.case.units import describe_input, unit_of

__all__ = ["apply_overrides", "load_case", "load_case_dict", "read_yaml", "read_yaml_file"]

OVERRIDE_PATH = "--set"


# --------------------------------------------------------------------------------------------
# YAML


class _DuplicateKey(Exception):
    def __init__(self, path: str, key: Any, first: int, second: int) -> None:
        self.path, self.key, self.first, self.second = path, key, first, second


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate keys in mappings, reporting their dotted path."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._paths: dict[int, str] = {}

    def _record_paths(self, node: yaml.Node, path: str) -> None:
        if id(node) in self._paths:  # aliases can make the graph cyclic
            return
        self._paths[id(node)] = path
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                self._record_paths(value_node, f"{path}.{key}" if path else str(key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._record_paths(item, f"{path}.{i}" if path else str(i))

    def construct_document(self, node: yaml.Node) -> Any:
        """Record the dotted path of every node, then construct the document."""
        self._record_paths(node, "")
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Construct a mapping, raising :class:`_DuplicateKey` on a repeated key."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKey(self._paths.get(id(node), ""), key, seen[key], line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_yaml_map)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """An integer, or a YAML error for one that Python refuses to read (more than 4300
    digits: ``int()`` raises ValueError, which would end ``validate`` in a traceback)."""
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"an integer of {len(node.value)} characters is too long to be a "
            "number", node.start_mark) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)

# YAML 1.2 booleans: only true/false. YAML 1.1 (PyYAML's default) also reads on/off/yes/no
# as booleans, which turns the key `on:` of output.measures into True.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


#: a case or library file larger than this is not one (read nothing from it)
MAX_CASE_BYTES = 16 * 2**20

def _yaml_problem(file: str, path: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    if context:
        what = f"{what} ({context})"
    # a value YAML parsed but cannot build (an integer too long for Python) is no syntax error
    label = ("invalid YAML value" if isinstance(exc, yaml.constructor.ConstructorError)
             else "YAML syntax error")
    if mark is not None:
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        return Problem(file, path, f"{label} at {where}: {what}")
    return Problem(file, path, f"{label}: {what}")


def read_yaml(text: str, file: str = "<string>", path: str = "") -> Any:
    """Parse YAML text with duplicate-key detection.

    Args:
        text: The YAML document.
        file: Name used in error messages.
        path: Dotted path used in error messages for syntax errors (e.g. ``"--set"``).

    Returns:
        The parsed document.

    Raises:
        CaseError: On syntax errors and duplicate keys.
    """
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except _DuplicateKey as dup:
        where = f"{dup.path}.{dup.key}" if dup.path else str(dup.key)
        raise CaseError(
            [
                Problem(
                    file,
                    where,
                    f"duplicate key '{dup.key}' (lines {dup.first} and {dup.second})",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise CaseError([_yaml_problem(file, path, exc)]) from None
    finally:
        loader.dispose()


def read_yaml_file(path: str | Path, what: str) -> Any:
    """Read a YAML file, translating every reading and parsing failure into a CaseError.

    Args:
        path: The file.
        what: What the file should be, for the messages (e.g. ``"case file"``).

    Returns:
        The parsed document (never None).

    Raises:
        CaseError: One problem naming the file: not found, a directory, not UTF-8, not
            readable, empty (or comments only), a YAML syntax error (with its line) or a
            duplicate key (with its dotted path and both lines).
    """
    file = str(path)
    try:
        # a device (e.g. a link to /dev/zero) would be read forever; a pipe (<(...)) ends
        if Path(path).is_char_device() or Path(path).is_block_device():
            raise CaseError([Problem(file, "", f"a device, not a {what}")])
        if Path(path).is_file() and Path(path).stat().st_size > MAX_CASE_BYTES:
            raise CaseError([Problem(file, "", f"{Path(path).stat().st_size} bytes: too large "
                                     f"for a {what} (at most {MAX_CASE_BYTES // 2**20} MB)")])
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError([Problem(file, "", "file not found")]) from None
    except IsADirectoryError:
        raise CaseError([Problem(file, "", f"is a directory, not a {what}")]) from None
    except UnicodeDecodeError as exc:
        raise CaseError([Problem(file, "", f"not a UTF-8 text file ({exc.reason})")]) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CaseError([Problem(file, "", f"cannot read the file: {reason}")]) from None
    data = read_yaml(text, file) if text.strip() else None
    if data is None:
        raise CaseError([Problem(file, "", "the file is empty")])
    return data


# --------------------------------------------------------------------------------------------
# Overrides


def apply_overrides(data: dict[str, Any], overrides: Iterable[str], file: str) -> dict[str, Any]:
    """Apply ``dotted.key=value`` overrides to a raw case dict (in place).

    The value is parsed as a YAML scalar or flow value (``"2 um"``, ``[1, 2]``,
    ``{kind: constant, value: 1e-16}``). Missing intermediate mappings are created; numeric
    keys index existing lists.

    Args:
        data: The raw case dict.
        overrides: ``key=value`` strings, e.g. from ``--set``.
        file: The case file, for error messages.

    Returns:
        ``data``.

    Raises:
        CaseError: On malformed overrides (path ``--set``).
    """
    problems = []
    for item in overrides:
        key, sep, raw = str(item).partition("=")
        key = key.strip()
        parts = key.split(".")
        if not sep or not key or any(not p for p in parts):
            problems.append(
                Problem(file, OVERRIDE_PATH, f"expected dotted.key=value, got {item!r}")
            )
            continue
        try:
            value = read_yaml(raw, file, OVERRIDE_PATH) if raw.strip() else None
        except CaseError as err:
            problems.append(
                Problem(file, OVERRIDE_PATH,
                        f"{describe_input(item)}: {err.problems[0].message}")
            )
            continue
        node: Any = data
        for depth, part in enumerate(parts[:-1]):
            here = ".".join(parts[: depth + 1])
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, list) and part.isdigit():
                problems.append(Problem(file, OVERRIDE_PATH, (
                    f"{item!r}: '{'.'.join(parts[:depth])}' has {len(node)} item(s), no item "
                    f"{part}: give the whole list to add one")))
                break
            elif isinstance(node, dict):
                if node.get(part) is None and parts[depth + 1].isdigit():
                    problems.append(Problem(file, OVERRIDE_PATH, (
                        f"{item!r}: '{here}' has no items to index: give the whole list, "
                        f"e.g. --set '{here}=[...]'")))
                    break
                if node.get(part) is None:
                    node[part] = {}
                node = node[part]
            else:
                node = None
            if not isinstance(node, (dict, list)):
                text = f"{item!r}: '{here}' is not a mapping, cannot set '{key}'"
                if node is not None:  # a value (a coating given by its bare thickness)
                    text = (f"{item!r}: '{here}' holds {describe_input(node)}, not a mapping, "
                            f"so '{key}' cannot be set: set it whole, e.g. --set '{here}=…'")
                problems.append(Problem(file, OVERRIDE_PATH, text))
                break
        else:
            last = parts[-1]
            if isinstance(node, list):
                if last.isdigit() and int(last) < len(node):
                    node[int(last)] = value
                else:
                    problems.append(
                        Problem(file, OVERRIDE_PATH, f"{item!r}: no list item {last}")
                    )
            else:
                node[last] = value
    if problems:
        raise CaseError(problems)
    return data


# --------------------------------------------------------------------------------------------
# Loading


def load_case(path: str | Path, overrides: Iterable[str] = (),
              named: Iterable[str] | None = None) -> Case:
    """Read, override and validate a case file.

    Args:
        path: The YAML case file.
        overrides: ``dotted.key=value`` strings applied before validation.
        named: the overrides that a message about their field names as ``(from --set …)``
            (default: all; a sweep's grid values have their own label).

    Returns:
        The validated case; ``case.source_path`` is ``path`` and ``case.name`` is
        ``output.name`` or the file's stem.

    Raises:
        CaseError: For every kind of bad input (missing file, YAML errors, duplicate keys,
            invalid values, inconsistent settings).
    """
    file = str(path)
    p = Path(path)
    data = read_yaml_file(p, "case file")
    if not isinstance(data, dict):
        raise CaseError(
            [
                Problem(
                    file,
                    "",
                    f"expected a mapping of case sections at the top level, got "
                    f"{_type_name(data)}",
                )
            ]
        )
    if (other := _not_a_case(data)) is not None:
        raise CaseError([Problem(file, "", other)])
    overrides = list(overrides)
    apply_overrides(data, overrides, file)
    try:
        case = load_case_dict(data, source=file, case_file=p)
    except CaseError as err:
        raise CaseError(_name_overrides(err.problems, overrides if named is None
                                        else list(named))) from None
    case._source = str(p)
    return case


def _not_a_case(data: dict) -> str | None:
    """What the other YAML files of chemomech are, when ``data`` is one of them: a reference
    file of ``chemomech compare`` or a material library (one message, not a list of missing
    and unknown case sections)."""
    from solver.case.library import _TOP_LEVEL

    if data.get("kind") == "reference":
        return ("a reference file of `chemomech compare` (kind: reference), not a case: give "
                "it as `chemomech compare CASES… --reference FILE`")
    if "geometry" not in data and "sources" in data and set(data) <= set(_TOP_LEVEL):
        return ("a material library (materials, sources), not a case: a case takes its "
                "entries with `materials: {REGION: {from: NAME}}` (and `library: FILE` for "
                "another library than cases/materials.yaml)")
    return None


def _name_overrides(problems: list[Problem], overrides: list[str]) -> list[Problem]:
    """Say so when a problem's field was given by ``--set``: the message named the case
    file, which does not hold the value."""
    out = []
    for p in problems:
        given = None
        for item in overrides:  # the last one that set the field, or a section holding it
            key = item.partition("=")[0].strip()
            if p.path and (p.path == key or p.path.startswith(key + ".")):
                given = item
        if given:
            p = dataclasses.replace(p, message=f"{p.message} (from --set {given})")
        out.append(p)
    return out


def load_case_dict(
    data: Any, source: str = "<dict>", case_file: str | Path | None = None
) -> Case:
    """Validate a raw case dict.

    Material entries ``{from: <name>, ...}`` are first replaced by entries of the material
    library (:mod:`solver.case.library`); where each value of those came from is kept in
    ``case._material_sources`` (region -> provenance).

    Args:
        data: The case as plain Python data (e.g. parsed YAML).
        source: Name used as the file in error messages.
        case_file: The case file, to resolve a relative ``library`` path.

    Returns:
        The validated case.

    Raises:
        CaseError: If the data is invalid.
    """
    if not isinstance(data, dict):
        raise CaseError(
            [Problem(source, "", f"expected a mapping of case sections, got {_type_name(data)}")]
        )
    data, material_sources = expand_library_refs(data, case_file, source)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation_error(exc, data, source)
        raise CaseError(_name_library_fields(problems, material_sources)) from None
    case._material_sources = material_sources
    return case


def _name_library_fields(problems: list[Problem], material_sources: dict) -> list[Problem]:
    """Say so when a problem's field came from a library entry (``from:``), not from the
    case: ``{from: si_crystalline, active: false}`` was told to "remove" the library's
    specific_capacity, which the case does not hold."""
    out = []
    for p in problems:
        parts = p.path.split(".")
        info = None
        if len(parts) >= 3 and parts[0] == "materials":
            info = material_sources.get(parts[1])
        if info and parts[2] not in info.get("overridden", ()):
            origin = f"it comes from library material '{info['material']}'"
            if p.message.endswith("remove this field"):
                message = (f"{p.message.removesuffix('remove this field')}set it to null "
                           f"next to from: ({origin})")
            else:
                message = f"{p.message} next to from: ({origin})"
            p = dataclasses.replace(p, message=message)
        out.append(p)
    return out


# --------------------------------------------------------------------------------------------
# Pydantic errors → problems

_MISSING = object()


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{value!r}"


def _given(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return describe_input(value)  # a 400-digit integer in a few words


class _Located:
    """What the error location points at, found by walking the schema along ``loc``."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.annotation: Any = None
        self.metadata: list[Any] = []
        self.field_name: str | None = None
        self.parent: type[BaseModel] | None = None  # model owning the last field
        self.model: type[BaseModel] | None = None  # model at the location, if any
        self.variants: dict[str, type[BaseModel]] | None = None


def _locate(loc: tuple[Any, ...]) -> _Located:
    """Walk the schema from :class:`Case` along a pydantic ``loc`` tuple.

    Discriminator tags inserted by pydantic (``'galvanostatic'``) are dropped; list indices
    and dict keys are kept.
    """
    out = _Located()
    current: Any = Case
    metadata: list[Any] = []
    for item in loc:
        base, meta, _ = split_annotation(current) if current is not None else (None, [], False)
        metadata = metadata + meta
        variants = discriminated_variants(base) if base is not None else None
        if variants and isinstance(item, str) and item in variants:
            current, metadata = variants[item], []
            continue
        if variants and len(variants) == 1:
            base = next(iter(variants.values()))
        if isinstance(base, type) and issubclass(base, BaseModel) and isinstance(item, str):
            out.parts.append(item)
            out.parent = base
            out.field_name = item
            field = base.model_fields.get(item)
            if field is None:
                current, metadata = None, []
            else:
                current, metadata = field.annotation, list(field.metadata)
            continue
        origin = typing.get_origin(base)
        out.parts.append(str(item))
        out.field_name = out.field_name if isinstance(item, int) else str(item)
        if origin in (list, tuple):
            args = typing.get_args(base)
            if origin is tuple and args and args[-1] is not Ellipsis and isinstance(item, int):
                current = args[item] if item < len(args) else None
            else:
                current = args[0] if args else None
            metadata = []
        elif origin is dict:
            current, metadata = typing.get_args(base)[1], []
        else:
            current, metadata = None, []
    out.annotation = current
    out.metadata = metadata
    if current is not None:
        base, meta, _ = split_annotation(current)
        out.metadata = metadata + meta
        out.variants = discriminated_variants(base)
        if isinstance(base, type) and issubclass(base, BaseModel):
            out.model = base
        elif out.variants and len(out.variants) == 1:
            out.model = next(iter(out.variants.values()))
    return out


def _raw_at(data: Any, parts: list[str]) -> tuple[Any, int]:
    """Return the raw input value at ``parts`` and how many parts could be followed."""
    node = data
    for depth, part in enumerate(parts):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) or (isinstance(node, list) and part.isdigit()):
            return _MISSING, depth
        else:  # a scalar where the schema expects a mapping (e.g. a bare Young's modulus)
            return node, depth
    return node, len(parts)


def _with_unit(located: _Located) -> str:
    unit = unit_of(located.annotation, located.metadata)
    return f" [{unit}]" if unit is not None else ""


def _message(err: dict[str, Any], located: _Located, raw: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = _given(raw)
    unit = _with_unit(located)
    name = located.field_name or "value"
    if kind == "missing":
        return f"required field missing ({name}{unit})"
    if kind == "extra_forbidden":
        allowed = list(located.parent.model_fields) if located.parent else []
        msg = f"unknown field (allowed: {', '.join(allowed)})"
        close = difflib.get_close_matches(name, allowed, n=1)
        return msg + (f"; did you mean '{close[0]}'?" if close else "")
    bounds = {
        "greater_than": (">", "gt"),
        "greater_than_equal": (">=", "ge"),
        "less_than": ("<", "lt"),
        "less_than_equal": ("<=", "le"),
    }
    if kind in bounds:
        op, key = bounds[kind]
        limit = ctx.get(key)
        converted = err.get("input")
        shown = given
        if isinstance(raw, str) and isinstance(converted, (int, float)):
            shown = f"{given} (= {converted:g}{unit.replace('[', '').replace(']', '')})"
        return f"must be {op} {limit:g}{unit}, got {shown}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        base = split_annotation(located.annotation)[0] if located.annotation else None
        if base is not None and len(typing.get_args(base)) == 1:
            return f"expected {expected}, got {given}"
        return f"expected one of {expected}, got {given}"
    if kind in ("union_tag_invalid", "union_tag_not_found", "model_attributes_type", "model_type",
                "dict_type"):
        if located.variants and (len(located.variants) > 1 or kind.startswith("union")):
            kinds = ", ".join(located.variants)
            if kind == "union_tag_not_found":
                return f"required field missing (kind: one of {kinds})"
            if kind == "union_tag_invalid":
                tag = ctx.get("tag", raw)
                return f"unknown kind {tag!r} (one of: {kinds})"
            return f"expected a mapping with 'kind' (one of: {kinds}), got {given}"
        model = located.model
        if model is not None:
            return f"expected a mapping (fields: {', '.join(model.model_fields)}), got {given}"
        return f"expected a mapping, got {given}"
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, got {given}"
    if kind in ("too_short", "too_long"):
        n = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        actual = ctx.get("actual_length")
        what = "at least" if kind == "too_short" else "at most"
        return f"expected {what} {n} item{'s' if n != 1 else ''}, got {actual}"
    if kind in ("string_type", "string_too_short"):
        if kind == "string_too_short":
            return "must not be empty"
        return f"expected a string, got {given}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {given}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected an integer, got {given}"
    if kind in ("float_type", "float_parsing"):
        return f"expected a number{unit}, got {given}"
    msg = str(err.get("msg", ""))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if kind.startswith(("quantity", "number", "integer", "not_finite")):
        return msg
    return f"{msg} (got {given})" if raw is not _MISSING else msg


def problems_from_validation_error(
    exc: ValidationError, data: Any, file: str
) -> list[Problem]:
    """Convert a pydantic ``ValidationError`` on :class:`Case` into problems.

    Args:
        exc: The validation error.
        data: The raw input that was validated (to show what was given).
        file: Name of the case file.

    Returns:
        One problem per error, with dotted paths and rewritten messages.
    """
    problems: list[Problem] = []
    for err in exc.errors():
        located = _locate(tuple(err["loc"]))
        parts = located.parts
        ctx = err.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, FieldProblems):
            for rel, message in cause.problems:
                full = parts + ([rel] if rel else [])
                problems.append(Problem(file, ".".join(full), message))
            continue
        raw, depth = _raw_at(data, parts)
        if depth < len(parts) and raw is not _MISSING:
            # e.g. 'poissons_ratio: 0.6' is validated as {kind: constant, value: 0.6}: report
            # the error at the key the user wrote
            parts = parts[:depth]
        message = _message(err, located, raw)
        if err["type"].startswith("union_tag") and isinstance(raw, dict):
            parts = [*parts, "kind"]
        problems.append(Problem(file, ".".join(parts), message))
    return problems
