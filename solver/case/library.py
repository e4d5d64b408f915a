"""The material library: named, cited material entries that case files can use and override.

A library file (default: ``cases/materials.yaml`` of the repository) holds::

    schema_version: 1
    materials:            # name -> a material entry exactly as in a case file
      si_crystalline: {density: 2330 kg/m^3, ...}
    sources:              # name -> field -> where the value comes from
      si_crystalline: {density: "...", ...}
    derived:              # optional: values implied by the entries, for reference
      si_crystalline: {c_max: 3.111e5 mol/m^3}

A case file refers to an entry with ``from`` and may override any field::

    library: my_materials.yaml        # optional, relative to the case file
    materials:
      core: {from: si_crystalline, youngs_modulus: {lithiated: 30 GPa}}

:func:`expand_library_refs` replaces such entries by the library entry merged with the
overrides before validation (see :func:`merge_entry` for the rules), so ``--set`` overrides
still apply on top of library entries.
"""

from __future__ import annotations

import copy
import difflib
from pathlib import Path
from typing import Any

from solver.case.errors import CaseError, Problem

__all__ = [
    "DEFAULT_LIBRARY",
    "FROM_KEY",
    "LIBRARY_KEY",
    "LIBRARY_SCHEMA_VERSION",
    "expand_library_refs",
    "load_library",
    "merge_entry",
]

#: The library shipped with chemomech (``cases/materials.yaml`` of the repository).
DEFAULT_LIBRARY = Path(__file__).resolve().parents[2] / "cases" / "materials.yaml"

#: Key of a material entry naming the library material it starts from.
FROM_KEY = "from"

#: Top-level case key selecting another library file (relative to the case file).
LIBRARY_KEY = "library"

LIBRARY_SCHEMA_VERSION = 1

_TOP_LEVEL = ("schema_version", "materials", "sources", "derived")

# Pairs of which a material gives exactly one: an override giving one drops the other.
_EXCLUSIVE = (("c_max", "specific_capacity"), ("volume_expansion", "partial_molar_volume"))


# --------------------------------------------------------------------------------------------
# Reading the library


def load_library(path: str | Path | None = None) -> dict[str, Any]:
    """Read and check a material library file.

    Args:
        path: The library file; ``None`` means :data:`DEFAULT_LIBRARY`.

    Returns:
        ``{"path": Path, "schema_version": 1, "materials": {name: entry}, "sources":
        {name: {field: citation}}, "derived": {name: {...}}}`` (``sources`` and ``derived``
        are empty mappings when the file has none). The entries are raw case-file material
        entries (not validated here; they are validated as part of a case).

    Raises:
        CaseError: If the file is missing, unreadable, not valid YAML or not shaped like a
            library; the problems name the library file.
    """
    from solver.case.loader import read_yaml  # the loader imports this module

    p = Path(path) if path is not None else DEFAULT_LIBRARY
    file = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseError([Problem(file, "", "material library file not found")]) from None
    except IsADirectoryError:
        raise CaseError([Problem(file, "", "is a directory, not a material library")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise CaseError(
            [Problem(file, "", f"cannot read the material library: {reason}")]
        ) from None
    data = read_yaml(text, file)
    if not isinstance(data, dict):
        raise CaseError(
            [Problem(file, "", "expected a material library (a mapping with 'materials')")]
        )
    problems: list[Problem] = []
    for key in data:
        if key not in _TOP_LEVEL:
            problems.append(
                Problem(file, str(key), f"unknown key (allowed: {', '.join(_TOP_LEVEL)})")
            )
    version = data.get("schema_version", LIBRARY_SCHEMA_VERSION)
    if version != LIBRARY_SCHEMA_VERSION:
        problems.append(
            Problem(file, "schema_version", f"expected {LIBRARY_SCHEMA_VERSION}, got {version!r}")
        )
    materials = data.get("materials")
    if not isinstance(materials, dict) or not materials:
        problems.append(Problem(file, "materials", "expected a non-empty mapping name -> material"))
        materials = {}
    for name, entry in materials.items():
        if not isinstance(entry, dict):
            problems.append(Problem(file, f"materials.{name}", "expected a material mapping"))
        elif FROM_KEY in entry:
            problems.append(
                Problem(file, f"materials.{name}.{FROM_KEY}",
                        "library entries cannot refer to other entries")
            )
    sources = data.get("sources") or {}
    if not isinstance(sources, dict):
        problems.append(Problem(file, "sources", "expected a mapping name -> field -> citation"))
        sources = {}
    for name, fields in sources.items():
        if name not in materials:
            problems.append(Problem(file, f"sources.{name}", f"no material '{name}' in materials"))
        elif not isinstance(fields, dict) or not all(
            isinstance(v, str) and v.strip() for v in fields.values()
        ):
            problems.append(
                Problem(file, f"sources.{name}", "expected a mapping field -> citation string")
            )
    derived = data.get("derived") or {}
    if not isinstance(derived, dict):
        problems.append(Problem(file, "derived", "expected a mapping name -> values"))
        derived = {}
    if problems:
        raise CaseError(problems)
    return {
        "path": p,
        "schema_version": LIBRARY_SCHEMA_VERSION,
        "materials": materials,
        "sources": sources,
        "derived": derived,
    }


# --------------------------------------------------------------------------------------------
# Merging


def merge_entry(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Return a library entry with a case's overrides applied (neither input is modified).

    Rules: an override value replaces the library value, except that a mapping without
    ``kind`` is merged (recursively) into a library mapping (so ``youngs_modulus:
    {lithiated: 30 GPa}`` changes one parameter of the library law, while a mapping with
    ``kind`` replaces the law as a whole); ``null`` removes the field (its schema default
    applies); an override giving ``c_max`` drops the library's ``specific_capacity`` (and
    ``partial_molar_volume`` drops ``volume_expansion``), and vice versa, unless the override
    gives both.

    Args:
        base: The library entry.
        overrides: The case's fields (without ``from``).

    Returns:
        The merged entry.
    """
    merged = _merge(base, overrides)
    for a, b in _EXCLUSIVE:
        for given, other in ((a, b), (b, a)):
            if overrides.get(given) is not None and other not in overrides:
                merged.pop(other, None)
    return merged


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict) and "kind" not in value:
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# --------------------------------------------------------------------------------------------
# Expanding a case


def expand_library_refs(
    raw_case: dict[str, Any],
    case_file: str | Path | None = None,
    file: str | None = None,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Replace ``{from: name, ...}`` material entries of a raw case by library entries.

    The library is ``raw_case["library"]`` (a path relative to the directory of
    ``case_file``, or to the working directory without one) or :data:`DEFAULT_LIBRARY`; the
    ``library`` key is removed from the result. Entries without ``from`` are left as they
    are. Nothing is read when no entry uses ``from`` and no ``library`` is given.

    Args:
        raw_case: The parsed (and overridden) case, not yet validated. Not modified.
        case_file: The case file, to resolve a relative ``library`` path.
        file: Name used as the file in error messages (default: ``case_file`` or
            ``"<dict>"``).

    Returns:
        ``(expanded raw case, provenance)``; provenance maps each region that used the
        library to ``{"material": name, "library": path, "overridden": [fields given in the
        case], "sources": {field: citation}}`` where the sources of overridden fields read
        ``"given in the case (overrides the library)"``.

    Raises:
        CaseError: On an unknown library material (at ``materials.<region>.from``, listing
            the available names), a bad ``from`` or ``library`` value, or a missing or
            invalid library file.
    """
    where = file if file is not None else (str(case_file) if case_file is not None else "<dict>")
    if not isinstance(raw_case, dict):
        return raw_case, {}
    materials = raw_case.get("materials")
    refs = {
        region: entry
        for region, entry in (materials.items() if isinstance(materials, dict) else ())
        if isinstance(entry, dict) and FROM_KEY in entry
    }
    if LIBRARY_KEY not in raw_case and not refs:
        return raw_case, {}

    data = dict(raw_case)
    library_path = _library_path(data.pop(LIBRARY_KEY, None), case_file, where)
    library = load_library(library_path)
    names = list(library["materials"])

    problems: list[Problem] = []
    expanded = dict(materials) if isinstance(materials, dict) else materials
    provenance: dict[str, dict[str, Any]] = {}
    for region, entry in refs.items():
        path = f"materials.{region}.{FROM_KEY}"
        name = entry[FROM_KEY]
        if not isinstance(name, str) or not name.strip():
            problems.append(
                Problem(where, path, f"expected the name of a library material, got {name!r}; "
                        f"available: {', '.join(names)}")
            )
            continue
        if name not in library["materials"]:
            msg = (f"unknown library material '{name}' (library {library['path']}); "
                   f"available: {', '.join(names)}")
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(Problem(where, path, msg + hint))
            continue
        overrides = {k: v for k, v in entry.items() if k != FROM_KEY}
        expanded[region] = merge_entry(library["materials"][name], overrides)
        sources = dict(library["sources"].get(name, {}))
        for key in overrides:
            sources[key] = "given in the case (overrides the library)"
        provenance[region] = {
            "material": name,
            "library": str(library["path"]),
            "overridden": sorted(overrides),
            "sources": {k: sources[k] for k in expanded[region] if k in sources},
        }
    if problems:
        raise CaseError(problems)
    if materials is not None:
        data["materials"] = expanded
    return data, provenance


def _library_path(value: Any, case_file: str | Path | None, where: str) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CaseError(
            [Problem(where, LIBRARY_KEY, f"expected the path of a material library file, got "
                     f"{value!r}")]
        )
    p = Path(value).expanduser()
    if not p.is_absolute() and case_file is not None:
        p = Path(case_file).parent / p
    if not p.is_file():
        raise CaseError(
            [Problem(where, LIBRARY_KEY, f"material library file not found: {p}")]
        )
    return p
