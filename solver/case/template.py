"""Documentation generated from the schema: a commented YAML template and a Markdown reference.

Both walk the pydantic models of :mod:`solver.case.schema`, so the documentation cannot drift
from the validation. For a discriminated union the template writes the first variant and
comments out the others; the result is itself a valid case file.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any, Literal

import annotated_types
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from solver.case.schema import SCHEMA_VERSION, Case, discriminated_variants, split_annotation
from solver.case.units import unit_of

__all__ = [
    "README_END",
    "README_START",
    "replace_readme_block",
    "schema_markdown",
    "schema_template",
    "update_readme",
]

README_START = "<!-- schema:start -->"
README_END = "<!-- schema:end -->"

_INDENT = "  "


# --------------------------------------------------------------------------------------------
# Field helpers


def _float_text(x: float) -> str:
    """Format a float so that PyYAML (YAML 1.1) reads it back as the same float."""
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-3):
        mantissa, _, exponent = f"{x:.12e}".partition("e")
        mantissa = mantissa.rstrip("0")
        mantissa += "0" if mantissa.endswith(".") else ""
        return f"{mantissa}e{exponent}"
    text = f"{x:.12g}"
    if text in ("inf", "-inf", "nan"):
        return {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}[text]
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + (e + exponent if e else "")


def _scalar(value: Any) -> str:
    """Format a value as a one-line YAML (flow) value that reads back identically."""
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    if text.endswith("..."):
        text = text[:-3].rstrip()
    return text


def _metadata(field: FieldInfo) -> tuple[Any, list[Any], bool]:
    base, meta, optional = split_annotation(field.annotation)
    flat: list[Any] = []
    for item in list(field.metadata) + meta:
        if isinstance(item, FieldInfo):
            flat.extend(item.metadata)
        else:
            flat.append(item)
    return base, flat, optional


def _constraints(meta: list[Any]) -> str:
    parts = []
    for item in meta:
        for cls, op, attr in (
            (annotated_types.Gt, ">", "gt"),
            (annotated_types.Ge, ">=", "ge"),
            (annotated_types.Lt, "<", "lt"),
            (annotated_types.Le, "<=", "le"),
        ):
            if isinstance(item, cls):
                parts.append(f"{op} {getattr(item, attr):g}")
        if isinstance(item, annotated_types.MinLen) and item.min_length > 0:
            plural = "s" if item.min_length != 1 else ""
            parts.append(f"at least {item.min_length} item{plural}")
        if isinstance(item, annotated_types.MaxLen):
            parts.append(f"at most {item.max_length} items")
    return ", ".join(parts)


def _default(field: FieldInfo) -> Any:
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    return field.default


def _example(field: FieldInfo) -> Any:
    return field.examples[0] if field.examples else PydanticUndefined


def _template_flag(field: FieldInfo) -> str | None:
    extra = field.json_schema_extra
    return extra.get("template") if isinstance(extra, dict) else None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _literal_values(tp: Any) -> tuple[Any, ...] | None:
    return typing.get_args(tp) if typing.get_origin(tp) is Literal else None


# --------------------------------------------------------------------------------------------
# YAML template


def _comment(field: FieldInfo, unit: str | None, base: Any, note: str) -> str:
    parts = []
    if unit:
        parts.append(f"[{unit}]")
    parts.append(field.description or "")
    literal = _literal_values(base)
    if literal and len(literal) > 1:
        parts.append("(one of: " + ", ".join(str(v) for v in literal) + ")")
    if note:
        parts.append(f"({note})")
    return " ".join(p for p in parts if p)


def _comment_out(lines: list[str], indent: int) -> list[str]:
    pad = _INDENT * indent
    return [pad + "# " + line[len(pad):] if line.startswith(pad) else "# " + line for line in lines]


def _render_model(model: type[BaseModel], indent: int) -> list[str]:
    lines: list[str] = []
    for name, field in model.model_fields.items():
        lines.extend(_render_field(name, field, indent))
    return lines


def _render_variants(
    variants: dict[str, type[BaseModel]], indent: int
) -> list[str]:
    lines: list[str] = []
    for i, (kind, variant) in enumerate(variants.items()):
        body = _render_model(variant, indent)
        if i == 0:
            lines.extend(body)
        else:
            lines.append(f"{_INDENT * indent}# --- or kind: {kind} ---")
            lines.extend(_comment_out(body, indent))
    return lines


def _render_field(name: str, field: FieldInfo, indent: int) -> list[str]:
    pad = _INDENT * indent
    base, meta, _optional = _metadata(field)
    unit = unit_of(field.annotation, field.metadata)
    required = field.is_required()
    default = None if required else _default(field)
    example = _example(field)

    if name == "kind":
        kind = typing.get_args(base)[0]
        return [f"{pad}kind: {kind}  # {field.description}"]

    variants = discriminated_variants(base)
    if variants and (len(variants) > 1 or "kind" in next(iter(variants.values())).model_fields):
        note = "required" if required else f"default: {_scalar(default)}"
        lines = [f"{pad}{name}:  # {field.description} ({note})"]
        return lines + _render_variants(variants, indent + 1)

    if _is_model(base):
        return [f"{pad}{name}:  # {field.description}"] + _render_model(base, indent + 1)

    origin = typing.get_origin(base)
    if origin is dict and _is_model(split_annotation(typing.get_args(base)[1])[0]):
        value_type = split_annotation(typing.get_args(base)[1])[0]
        key = example if example is not PydanticUndefined else "name"
        lines = [f"{pad}{name}:  # {field.description} (required)"]
        lines.append(f"{pad}{_INDENT}{key}:")
        if name == "materials":  # the library entry a material may start from (loader)
            lines.append(f"{pad}{_INDENT * 2}# from: si_crystalline  # {_FROM_TEXT}")
        return lines + _render_model(value_type, indent + 2)

    if origin is list and _is_model(split_annotation(typing.get_args(base)[0])[0]):
        item_model = split_annotation(typing.get_args(base)[0])[0]
        lines = [f"{pad}{name}: {_scalar(default)}  # {field.description}; for example:"]
        body = _render_model(item_model, indent + 2)
        first = body[0]
        body[0] = f"{pad}{_INDENT}- " + first[len(pad) + 2 * len(_INDENT):]
        return lines + _comment_out(body, indent + 1)

    # scalars, lists of scalars, pairs
    if required:
        value, note, commented = example, "required", False
    elif default is None and example is not PydanticUndefined:
        value, note = example, "default: null"
        commented = _template_flag(field) != "example"
    else:
        value, note, commented = default, f"default: {_scalar(default)}", False
    line = f"{name}: {_scalar(value)}  # {_comment(field, unit, base, note)}"
    return [pad + ("# " if commented else "") + line]


# Keys the loader resolves before validation (solver.case.library), so not schema fields.
_FROM_TEXT = ("start from a library material (cases/materials.yaml, or the file of a "
              "top-level 'library:' key); the fields given here override its values")
_LIBRARY_TEXT = ("another material library (path relative to the case file) for "
                 "materials.<region>.from (default: cases/materials.yaml)")


def schema_template() -> str:
    """Return a commented YAML template listing every field of the case schema.

    Each line carries the field's SI unit, description and default (or "required"). For
    discriminated unions the first variant is written and the others are commented out;
    optional fields without a default value are commented out with an example. The text is
    a valid case file.

    Returns:
        The template, ending with a newline.
    """
    header = [
        f"# chemomech case file (schema version {SCHEMA_VERSION}).",
        "# Dimensional values: a plain number in the SI unit shown in [brackets], or a string",
        "# with units such as \"4 um\", \"185 GPa\", \"0.1 A/g\", \"3579 mA*h/g\", \"30 min\".",
        "# Write floats with a decimal point or as strings (\"2e-15 m^2/s\").",
        "",
    ]
    body = _render_model(Case, 0)
    # the loader's top-level key (not a schema field: it is resolved before validation)
    at = next(i for i, line in enumerate(body) if line.startswith("geometry:"))
    body.insert(at, f"# library: my_materials.yaml  # {_LIBRARY_TEXT}")
    return "\n".join(header + body) + "\n"


# --------------------------------------------------------------------------------------------
# Markdown reference


def _type_text(base: Any, meta: list[Any], unit: str | None) -> str:
    literal = _literal_values(base)
    if literal is not None and len(literal) == 1:
        text = f"`{literal[0]}`"
    elif literal is not None:
        text = "one of " + ", ".join(f"`{v}`" for v in literal)
    elif base is bool:
        text = "boolean"
    elif base is int:
        text = "integer"
    elif base is float:
        text = "quantity (number or string with units)" if unit else "number"
    elif base is str:
        text = "string"
    elif typing.get_origin(base) is dict:
        value = split_annotation(typing.get_args(base)[1])[0]
        text = ("mapping: region name → material" if _is_model(value)
                else f"mapping: name → {_type_text(value, [], None)}")
    elif typing.get_origin(base) is list:
        item, item_meta, _ = split_annotation(typing.get_args(base)[0])
        if typing.get_origin(item) is tuple:
            text = ("list of [x, y, z] triples" if len(typing.get_args(item)) == 3
                    else "list of [radius, θ] pairs")
        elif _is_model(item):
            text = "list of mappings"
        else:
            inner = _type_text(item, [], unit_of(typing.get_args(base)[0]))
            text = f"list of {inner}"
    elif typing.get_origin(base) is tuple:
        args = [a for a in typing.get_args(base) if a is not Ellipsis]
        parts = []
        for a in args:
            item, _, _ = split_annotation(a)
            parts.append(_type_text(item, [], unit_of(a)))
        text = f"list of {len(args)}: " + ", ".join(parts) if parts else "list"
    elif _is_model(base):
        text = "mapping"
    else:
        variants = discriminated_variants(base)
        if variants:
            text = "mapping with `kind`: " + " | ".join(f"`{k}`" for k in variants)
        else:
            # unions of simple types (e.g. a bare thickness or a mapping)
            options = [a for a in typing.get_args(base) if a is not type(None)]
            if options:
                text = " or ".join(
                    _type_text(split_annotation(a)[0], [], unit_of(a)) for a in options)
            else:
                text = getattr(base, "__name__", "value")
    constraints = _constraints(meta)
    if base is str and constraints:
        constraints = "non-empty"
    return f"{text}; {constraints}" if constraints else text


def _default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    default = _default(field)
    if isinstance(default, BaseModel):
        return "(defaults below)"
    return f"`{_scalar(default)}`"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _md_rows(model: type[BaseModel], prefix: str, note: str, rows: list[list[str]]) -> None:
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        base, meta, _ = _metadata(field)
        unit = unit_of(field.annotation, field.metadata)
        description = (field.description or "")
        if note:
            description = f"({note}) {description}"
        rows.append(
            [
                f"`{path}`",
                _md_escape(_type_text(base, meta, unit)),
                f"{unit}" if unit else "—",
                _md_escape(_default_text(field)),
                _md_escape(description),
            ]
        )
        variants = discriminated_variants(base)
        if variants and name != "kind":
            for kind, variant in variants.items():
                _md_rows(variant, path, f"kind `{kind}`", rows)
        elif _is_model(base):
            _md_rows(base, path, note, rows)
        elif typing.get_origin(base) is dict:
            value_type = split_annotation(typing.get_args(base)[1])[0]
            if _is_model(value_type):
                _md_rows(value_type, f"{path}.<region>", note, rows)
        elif typing.get_origin(base) is list:
            item = split_annotation(typing.get_args(base)[0])[0]
            if _is_model(item):
                _md_rows(item, f"{path}.<i>", note, rows)


def schema_markdown() -> str:
    """Return a Markdown reference of every case field, grouped by top-level section.

    Columns: dotted path, type/allowed values, SI unit, default, description. Fields of a
    variant are marked with their ``kind``.

    Returns:
        The Markdown text, ending with a newline.
    """
    out = [
        f"Case schema version {SCHEMA_VERSION}. Dimensional values accept a number in the SI "
        "unit shown or a string with units (`\"4 um\"`, `\"185 GPa\"`, `\"0.1 A/g\"`).",
        "",
    ]
    header = "| path | type / allowed values | unit | default | description |"
    rule = "|---|---|---|---|---|"
    top_level: list[list[str]] = []
    sections: list[tuple[str, list[list[str]]]] = []
    for name, field in Case.model_fields.items():
        base, _, _ = _metadata(field)
        rows: list[list[str]] = []
        _md_rows_single(name, field, rows)
        if name == "materials":
            rows.insert(1, ["`materials.<region>.from`", "string", "—", "`null`",
                            _md_escape(f"(loader) {_FROM_TEXT}")])
        if _is_model(base) or discriminated_variants(base) or typing.get_origin(base) is dict:
            sections.append((name, rows))
        else:
            top_level.extend(rows)
    top_level.append(["`library`", "string", "—", "`null`",
                      _md_escape(f"(loader) {_LIBRARY_TEXT}")])
    out += ["### General", "", header, rule]
    out += ["| " + " | ".join(r) + " |" for r in top_level]
    for name, rows in sections:
        out += ["", f"### `{name}`", "", header, rule]
        out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def _md_rows_single(name: str, field: FieldInfo, rows: list[list[str]]) -> None:
    holder = type("_Holder", (), {"model_fields": {name: field}})
    _md_rows(holder, "", "", rows)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# README


def replace_readme_block(text: str, block: str) -> str:
    """Replace the text between the schema markers of a README.

    Args:
        text: README content containing :data:`README_START` and :data:`README_END`.
        block: The new content between the markers.

    Returns:
        The new README content.

    Raises:
        ValueError: If the markers are missing or out of order.
    """
    start = text.find(README_START)
    end = text.find(README_END)
    if start < 0 or end < 0 or end < start:
        raise ValueError(f"README needs the markers {README_START} ... {README_END}")
    head = text[: start + len(README_START)]
    return head + "\n" + block + text[end:]


def readme_block(text: str) -> str | None:
    """Return the text between the schema markers (``None`` without markers)."""
    start = text.find(README_START)
    end = text.find(README_END)
    if start < 0 or end < 0 or end < start:
        return None
    return text[start + len(README_START) + 1 : end]


def update_readme(path: str | Path) -> bool:
    """Rewrite the schema reference between the markers of a README.

    Args:
        path: The README file.

    Returns:
        ``True`` if the file changed.

    Raises:
        ValueError: If the markers are missing.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    new = replace_readme_block(text, schema_markdown())
    if new != text:
        p.write_text(new, encoding="utf-8")
        return True
    return False
