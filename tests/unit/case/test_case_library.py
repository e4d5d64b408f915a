"""The material library (cases/materials.yaml) and ``from:`` references in case files."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from solver.case import CaseError, load_case, load_case_dict
from solver.case.library import DEFAULT_LIBRARY, expand_library_refs, load_library, merge_entry
from solver.case.schema import Material
from solver.case.units import FARADAY, to_si

LIBRARY = load_library()
NAMES = list(LIBRARY["materials"])

EXPECTED = {
    "si_crystalline", "si_amorphous", "carbon_amorphous", "carbon_hard", "siox_c",
    "sn", "sb", "ge", "ag", "si8_5sn0_5sb",
}


def _case_with(reference_data: dict[str, Any], entry: Any) -> dict[str, Any]:
    data = copy.deepcopy(reference_data)
    data["materials"] = {"core": copy.deepcopy(entry)}
    return data


def _write(tmp_path: Path, data: dict[str, Any], name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_default_library_is_the_repository_file() -> None:
    assert DEFAULT_LIBRARY.is_file()
    assert DEFAULT_LIBRARY.parent.name == "cases"
    assert LIBRARY["path"] == DEFAULT_LIBRARY


def test_library_has_the_issue_materials() -> None:
    assert EXPECTED <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_validates_as_a_case_material(
    name: str, reference_data: dict[str, Any]
) -> None:
    entry = LIBRARY["materials"][name]
    Material.model_validate(copy.deepcopy(entry))
    # and inside a whole case (the reference case with 'core' replaced)
    data = _case_with(reference_data, entry)
    if entry.get("active", True) is False:
        # an inert core has no capacity: use a prescribed loading without capacity checks
        data["loading"] = {"kind": "prescribed", "profile": {"kind": "uniform", "theta": 0.5}}
        data["stop"] = {}
    case = load_case_dict(data)
    assert case.materials["core"] == Material.model_validate(copy.deepcopy(entry))


@pytest.mark.parametrize("name", NAMES)
def test_every_field_has_a_source(name: str) -> None:
    entry = LIBRARY["materials"][name]
    sources = LIBRARY["sources"].get(name, {})
    missing = [field for field in entry if field not in sources]
    assert not missing, f"{name}: no source for {missing}"
    for field, text in sources.items():
        assert field in Material.model_fields, f"{name}: source for unknown field {field}"
        assert isinstance(text, str) and len(text.strip()) > 10, f"{name}.{field}: {text!r}"


@pytest.mark.parametrize("name", NAMES)
def test_c_max_is_capacity_times_density_over_faraday(name: str) -> None:
    entry = LIBRARY["materials"][name]
    material = Material.model_validate(copy.deepcopy(entry))
    if not material.active:
        assert name not in LIBRARY["derived"] or "c_max" not in LIBRARY["derived"][name]
        return
    assert entry.get("specific_capacity") is not None, "library entries give capacities"
    implied = float(material.specific_capacity) * material.density / FARADAY
    assert material.c_max_si == pytest.approx(implied, rel=1e-12)
    stated = to_si(LIBRARY["derived"][name]["c_max"], "mol/m^3")
    assert stated == pytest.approx(implied, rel=2e-3), (name, stated, implied)
    # the c_max quoted in the specific_capacity source agrees too
    text = LIBRARY["sources"][name]["specific_capacity"]
    assert "c_max" in text


def test_alloy_diffusivity_is_ten_times_si() -> None:
    si = LIBRARY["materials"]["si_crystalline"]["diffusivity"]
    alloy = LIBRARY["materials"]["si8_5sn0_5sb"]["diffusivity"]
    assert alloy["kind"] == si["kind"] == "two_phase"
    for key in ("pristine", "lithiated"):
        ratio = to_si(alloy[key], "m^2/s") / to_si(si[key], "m^2/s")
        assert math.isclose(ratio, 10.0, rel_tol=1e-12)
    assert alloy["theta_star"] == si["theta_star"] and alloy["width"] == si["width"]


def test_from_equals_values_written_out(
    tmp_path: Path, reference_data: dict[str, Any]
) -> None:
    written = _case_with(reference_data, LIBRARY["materials"]["si_crystalline"])
    referenced = _case_with(reference_data, {"from": "si_crystalline"})
    a = load_case(_write(tmp_path, written, "written.yaml"))
    b = load_case(_write(tmp_path, referenced, "referenced.yaml"))
    assert a == b
    assert b._material_sources["core"]["material"] == "si_crystalline"
    assert b._material_sources["core"]["sources"] == LIBRARY["sources"]["si_crystalline"]
    assert a._material_sources == {}


def test_reference_case_material_matches_the_library(reference_data: dict[str, Any]) -> None:
    """The reference case's Si is the library's crystalline Si."""
    a = load_case_dict(reference_data)
    b = load_case_dict(_case_with(reference_data, {"from": "si_crystalline"}))
    assert a == b


def test_overrides_win(tmp_path: Path, reference_data: dict[str, Any]) -> None:
    data = _case_with(
        reference_data,
        {
            "from": "si_crystalline",
            "density": "2300 kg/m^3",
            "youngs_modulus": {"lithiated": "30 GPa"},  # no kind: merged into the law
            "diffusivity": {"kind": "constant", "value": "1e-16 m^2/s"},  # kind: replaced
            "c_max": 3.0e5,  # drops the library's specific_capacity
        },
    )
    case = load_case(_write(tmp_path, data))
    m = case.materials["core"]
    assert m.density == 2300.0
    assert m.youngs_modulus.kind == "linear"
    assert m.youngs_modulus.unlithiated == 185e9
    assert m.youngs_modulus.lithiated == 30e9
    assert m.diffusivity.kind == "constant" and m.diffusivity.value == 1e-16
    assert m.c_max == 3.0e5 and m.specific_capacity is None
    assert m.volume_expansion == 2.8 and m.poissons_ratio.value == 0.22
    src = case._material_sources["core"]
    assert src["overridden"] == ["c_max", "density", "diffusivity", "youngs_modulus"]
    assert src["sources"]["density"].startswith("given in the case")
    assert src["sources"]["volume_expansion"] == LIBRARY["sources"]["si_crystalline"][
        "volume_expansion"
    ]
    assert "specific_capacity" not in src["sources"]


def test_set_overrides_apply_on_top_of_library(
    tmp_path: Path, reference_data: dict[str, Any]
) -> None:
    path = _write(tmp_path, _case_with(reference_data, {"from": "si_crystalline"}))
    case = load_case(
        path,
        overrides=[
            "materials.core.youngs_modulus=100 GPa",
            "materials.core.diffusivity.width=0.1",
        ],
    )
    m = case.materials["core"]
    assert m.youngs_modulus.kind == "constant" and m.youngs_modulus.value == 100e9
    assert m.diffusivity.kind == "two_phase" and m.diffusivity.width == 0.1
    assert m.diffusivity.pristine == 2e-17
    # --set can also pick the library material
    case = load_case(path, overrides=["materials.core.from=si8_5sn0_5sb"])
    assert case.materials["core"].diffusivity.pristine == pytest.approx(2e-16)


def test_null_removes_a_library_field() -> None:
    merged = merge_entry({"a": 1, "b": {"kind": "x", "v": 2}}, {"a": None, "b": {"v": 3}})
    assert merged == {"b": {"kind": "x", "v": 3}}


def test_unknown_name_names_the_choices(
    tmp_path: Path, reference_data: dict[str, Any]
) -> None:
    path = _write(tmp_path, _case_with(reference_data, {"from": "si_crystaline"}))
    with pytest.raises(CaseError) as info:
        load_case(path)
    err = info.value
    assert err.paths == ["materials.core.from"]
    line = str(err)
    assert "\n" not in line
    assert line.startswith(f"{path}: materials.core.from: unknown library material 'si_crystaline'")
    for name in NAMES:
        assert name in line
    assert "did you mean 'si_crystalline'" in line


def test_bad_from_value(reference_data: dict[str, Any]) -> None:
    with pytest.raises(CaseError) as info:
        load_case_dict(_case_with(reference_data, {"from": 3}))
    assert info.value.paths == ["materials.core.from"]


def test_other_library_relative_to_case_file(
    tmp_path: Path, reference_data: dict[str, Any]
) -> None:
    (tmp_path / "libs").mkdir()
    lib = {
        "schema_version": 1,
        "materials": {
            "my_si": {**LIBRARY["materials"]["si_crystalline"], "density": "2300 kg/m^3"}
        },
        "sources": {"my_si": {"density": "assumed: test"}},
    }
    (tmp_path / "libs" / "mine.yaml").write_text(yaml.safe_dump(lib), encoding="utf-8")
    data = _case_with(reference_data, {"from": "my_si"})
    data["library"] = "libs/mine.yaml"
    case = load_case(_write(tmp_path, data))
    assert case.materials["core"].density == 2300.0
    assert case._material_sources["core"]["library"] == str(tmp_path / "libs" / "mine.yaml")
    # the default library's names are not available then
    data["materials"]["core"] = {"from": "si_crystalline"}
    with pytest.raises(CaseError) as info:
        load_case(_write(tmp_path, data))
    assert info.value.paths == ["materials.core.from"]
    assert "available: my_si" in str(info.value)


def test_missing_library_file(tmp_path: Path, reference_data: dict[str, Any]) -> None:
    data = _case_with(reference_data, {"from": "si_crystalline"})
    data["library"] = "nope.yaml"
    path = _write(tmp_path, data)
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert info.value.paths == ["library"]
    assert "not found" in str(info.value) and str(path) in str(info.value)


def test_invalid_library_yaml(tmp_path: Path, reference_data: dict[str, Any]) -> None:
    (tmp_path / "bad.yaml").write_text("materials: {a: [1, 2}\n", encoding="utf-8")
    data = _case_with(reference_data, {"from": "a"})
    data["library"] = "bad.yaml"
    with pytest.raises(CaseError) as info:
        load_case(_write(tmp_path, data))
    assert str(tmp_path / "bad.yaml") in str(info.value)
    assert "YAML syntax error" in str(info.value)


def test_malformed_library_structure(tmp_path: Path) -> None:
    (tmp_path / "lib.yaml").write_text(
        "schema_version: 2\nmaterials: {a: 3}\nsources: {b: {density: x}}\nextra: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(CaseError) as info:
        load_library(tmp_path / "lib.yaml")
    assert set(info.value.paths) == {"schema_version", "materials.a", "sources.b", "extra"}


def test_no_reference_means_no_library_read(reference_data: dict[str, Any]) -> None:
    data, provenance = expand_library_refs(reference_data, None)
    assert data is reference_data and provenance == {}


def test_expansion_does_not_modify_the_input(reference_data: dict[str, Any]) -> None:
    raw = _case_with(reference_data, {"from": "sn", "density": 7300})
    before = copy.deepcopy(raw)
    data, provenance = expand_library_refs(raw, None)
    assert raw == before
    assert data["materials"]["core"]["density"] == 7300
    assert provenance["core"]["material"] == "sn"
