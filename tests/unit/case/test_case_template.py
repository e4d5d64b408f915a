"""The YAML template and the Markdown reference are generated from the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from solver.case import Case, load_case, schema_markdown, schema_template
from solver.case.template import README_END, README_START, readme_block, update_readme


def _all_paths(model: type, prefix: str = "") -> set[str]:
    """Field names of every model reachable from ``model`` (names only, no nesting rules)."""
    from solver.case.schema import discriminated_variants, split_annotation

    names: set[str] = set()
    stack = [model]
    seen: set[type] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, field in current.model_fields.items():
            names.add(name)
            base = split_annotation(field.annotation)[0]
            candidates = [base, *getattr(base, "__args__", ())]
            for c in candidates:
                c = split_annotation(c)[0]
                variants = discriminated_variants(c)
                if variants:
                    stack.extend(variants.values())
                elif isinstance(c, type) and hasattr(c, "model_fields"):
                    stack.append(c)
                for arg in getattr(c, "__args__", ()):
                    arg = split_annotation(arg)[0]
                    if isinstance(arg, type) and hasattr(arg, "model_fields"):
                        stack.append(arg)
    return names


def test_template_is_a_valid_case(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(schema_template(), encoding="utf-8")
    case = load_case(path)
    assert case.geometry.kind == "sphere"
    assert case.loading.kind == "galvanostatic"
    assert case.materials["core"].density == 2330.0


def test_template_shows_the_library_keys(tmp_path: Path) -> None:
    """`from:` and `library:` are resolved by the loader, not schema fields: the template
    shows both, and uncommenting `from:` gives a valid case that takes the library entry."""
    text = schema_template()
    assert "\n# library: " in text
    lines = [line.replace("# from: si_crystalline", "from: si_crystalline", 1)
             if line.strip().startswith("# from: si_crystalline") else line
             for line in text.splitlines()]
    path = tmp_path / "from.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    case = load_case(path)
    assert case._material_sources["core"]["material"] == "si_crystalline"


def test_template_mentions_every_field() -> None:
    text = schema_template()
    for name in _all_paths(Case):
        assert f"{name}:" in text, name


def test_template_shows_units_and_defaults() -> None:
    text = schema_template()
    assert "radius: 4.0e-06  # [m] particle radius (required)" in text
    assert "dt_max: 10000.0  # [s] largest time step (default: 10000.0)" in text
    assert "# --- or kind: potentiostatic ---" in text
    assert "# --- or kind: regular_solution ---" in text


def test_commented_variants_are_valid_when_uncommented(tmp_path: Path) -> None:
    # swap in the potentiostatic loading by uncommenting its block
    lines = schema_template().splitlines()
    start = lines.index("  # --- or kind: potentiostatic ---")
    end = lines.index("  # --- or kind: prescribed ---")
    loading = lines.index("loading:  # how Li enters the particle (required)")
    block = [line.replace("  # ", "  ", 1) for line in lines[start + 1 : end]]
    galvanostatic_end = start
    new = lines[: loading + 1] + block + lines[galvanostatic_end:]
    path = tmp_path / "potentiostatic.yaml"
    path.write_text("\n".join(new) + "\n", encoding="utf-8")
    assert load_case(path).loading.kind == "potentiostatic"


def test_template_is_plain_yaml() -> None:
    data = yaml.safe_load(schema_template())
    assert data["geometry"] == {"kind": "sphere", "mode": "octant", "radius": 4e-6}


def test_markdown_lists_every_field_with_units() -> None:
    text = schema_markdown()
    for name in _all_paths(Case):
        assert f".{name}`" in text or f"`{name}`" in text, name
    assert "| `geometry.radius` |" in text
    assert "| `materials.<region>.density` |" in text
    assert "kg/m^3" in text
    assert "| `loading.specific_current` |" in text
    assert "(kind `galvanostatic`)" in text
    assert schema_markdown() == text  # deterministic


def test_update_readme(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{README_START}\nold\n{README_END}\n\nrest\n", encoding="utf-8")
    assert update_readme(readme) is True
    text = readme.read_text(encoding="utf-8")
    assert readme_block(text) == schema_markdown()
    assert text.endswith(f"{README_END}\n\nrest\n")
    assert update_readme(readme) is False


def test_update_readme_without_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="markers"):
        update_readme(readme)


def test_markdown_reference_has_no_python_reprs() -> None:
    """Type descriptions are words, not reprs (a repr with a memory address changes per run)."""
    from solver.case import schema_markdown

    text = schema_markdown()
    for bad in ("0x", "typing.", "<class", "function "):
        assert bad not in text, bad
