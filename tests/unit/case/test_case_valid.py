"""Valid cases: conversions, derived values, round trips."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from solver.case import Case, CaseError, load_case, load_case_dict
from solver.case.schema import (
    ConstantModulus,
    ConstantRatio,
    LinearModulus,
    SphereGeometry,
    TwoPhaseDiffusivity,
)


def test_reference_case_loads(reference_path: Path) -> None:
    case = load_case(reference_path)
    assert case.name == "reference"
    assert case.source_path == reference_path
    assert case.geometry.radius == pytest.approx(4e-6)
    assert case.mesh.size == pytest.approx(0.5e-6)
    assert case.mesh.surface_size == pytest.approx(0.25e-6)
    core = case.materials["core"]
    assert core.density == 2330.0
    assert math.isclose(core.specific_capacity, 1.28844e7, rel_tol=1e-6)
    assert isinstance(core.youngs_modulus, LinearModulus)
    assert core.youngs_modulus.unlithiated == pytest.approx(185e9)
    assert core.youngs_modulus.lithiated == pytest.approx(35e9)
    assert core.poissons_ratio == ConstantRatio(kind="constant", value=0.22)
    assert isinstance(core.diffusivity, TwoPhaseDiffusivity)
    assert core.diffusivity.pristine == pytest.approx(2e-17)
    assert case.loading.kind == "galvanostatic"
    assert case.loading.specific_current == pytest.approx(100.0)
    assert case.stop.mean_theta == 0.9
    assert case.coupling == "one_way"
    assert case.output.formats == ["vtk", "xdmf"]


def test_silicon_capacity_to_c_max(reference_path: Path) -> None:
    core = load_case(reference_path).materials["core"]
    # 3579 mAh/g * 2330 kg/m^3 / F
    assert core.c_max_si == pytest.approx(3.11e5, rel=2e-3)
    assert core.c_max_si == pytest.approx(3579 * 3.6e3 * 2330 / 96485.33212, rel=1e-9)
    assert core.beta_v == 2.8


def test_c_max_to_specific_capacity(reference_data: dict[str, Any]) -> None:
    core = reference_data["materials"]["core"]
    del core["specific_capacity"], core["volume_expansion"]
    core["c_max"] = "311142.13 mol/m^3"
    core["partial_molar_volume"] = "9 cm^3/mol"
    material = load_case_dict(reference_data).materials["core"]
    assert material.specific_capacity_si == pytest.approx(1.28844e7, rel=1e-6)
    assert material.beta_v == pytest.approx(9e-6 * 311142.13)


def test_bare_modulus_becomes_constant(reference_data: dict[str, Any]) -> None:
    reference_data["materials"]["core"]["youngs_modulus"] = "185 GPa"
    material = load_case_dict(reference_data).materials["core"]
    assert material.youngs_modulus == ConstantModulus(kind="constant", value=185e9)


def test_c_rate_gives_specific_current(reference_data: dict[str, Any]) -> None:
    reference_data["loading"] = {"kind": "galvanostatic", "c_rate": 1.0}
    case = load_case_dict(reference_data)
    assert case.loading.specific_current_si(case.specific_capacity_si) == pytest.approx(
        1.28844e7 / 3600
    )


@pytest.mark.parametrize("text, rate", [("2C", 2.0), ("0.5 C", 0.5), ("C/10", 0.1),
                                         ("C / 4", 0.25), (3, 3.0)])
def test_c_rate_as_written_by_people(reference_data: dict[str, Any], text, rate) -> None:
    reference_data["loading"] = {"kind": "galvanostatic", "c_rate": text}
    assert load_case_dict(reference_data).loading.c_rate == pytest.approx(rate)


def test_c_rate_in_other_units_is_refused(reference_data: dict[str, Any]) -> None:
    reference_data["loading"] = {"kind": "galvanostatic", "c_rate": "1 A"}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["loading.c_rate"]


def test_geometry_spec_comes_from_meshes(reference_path: Path) -> None:
    from meshes.specs import SphereSpec

    geometry = load_case(reference_path).geometry
    assert isinstance(geometry, SphereGeometry)
    assert geometry.to_spec() == SphereSpec(radius=4e-6, mode="octant")
    assert geometry.region_names() == ("core",)
    assert geometry.symmetry_names() == ("symmetry_x", "symmetry_y", "symmetry_z")


@pytest.mark.parametrize(
    ("mode", "point"), [("3d", [0.0, "-1 um", 0.0]), ("axisymmetric", ["1 um", "-3 um"])]
)
def test_modes_and_probes(reference_data: dict[str, Any], mode: str, point: list[Any]) -> None:
    reference_data["geometry"]["mode"] = mode
    reference_data["output"] = {"probes": [{"name": "p", "point": point}]}
    case = load_case_dict(reference_data)
    assert case.output.probes[0].point[1] == pytest.approx(-1e-6 if mode == "3d" else -3e-6)


def test_other_loadings(reference_data: dict[str, Any]) -> None:
    data = dict(reference_data)
    data["loading"] = {"kind": "potentiostatic", "surface_theta": 1.0, "ramp_time": "30 min"}
    assert load_case_dict(data).loading.ramp_time == 1800.0
    data["loading"] = {
        "kind": "prescribed",
        "profile": {"kind": "radial", "table": [[0, 0.0], ["2 um", 0.2], ["4 um", 1.0]]},
    }
    data.pop("stop")
    table = load_case_dict(data).loading.profile.table
    assert table[1] == pytest.approx((2e-6, 0.2))
    data["loading"] = {"kind": "prescribed", "profile": {"kind": "uniform", "theta": 0.5}}
    assert load_case_dict(data).loading.profile.theta == 0.5


def test_cc_cv_allows_mean_target_below_cutoff(reference_data: dict[str, Any]) -> None:
    """A target the constant current would not reach (the surface reaches 0.8 first) is
    reached during the hold; one at or beyond the cut-off is not (test_case_errors)."""
    reference_data["stop"] = {"mean_theta": 0.79, "surface_theta": 0.8, "hold_at_cutoff": True}
    assert load_case_dict(reference_data).stop.hold_at_cutoff is True


def test_surface_cutoff_alone_is_a_stop(reference_data: dict[str, Any]) -> None:
    reference_data["stop"] = {"surface_theta": 0.8}
    assert load_case_dict(reference_data).stop.surface_theta == 0.8


def test_capacity_stop(reference_data: dict[str, Any]) -> None:
    reference_data["stop"] = {"capacity": "1 A*h/g"}
    assert load_case_dict(reference_data).stop.capacity == pytest.approx(3.6e6)


def test_overrides(reference_path: Path) -> None:
    case = load_case(
        reference_path,
        [
            "geometry.radius=2 um",
            "mesh.size=0.2 um",
            "time.output_times=[1,2]",
            "output.name=small",
            "materials.core.diffusivity={kind: constant, value: 1e-16 m^2/s}",
            "solver.newton_max_iterations=10",
        ],
    )
    assert case.geometry.radius == pytest.approx(2e-6)
    assert case.time.output_times == [1.0, 2.0]
    assert case.name == "small"
    assert case.materials["core"].diffusivity.value == pytest.approx(1e-16)
    assert case.solver.newton_max_iterations == 10


def test_override_creates_sections(reference_path: Path) -> None:
    case = load_case(reference_path, ["output.probes=[{name: c, point: [0, 0, 0]}]"])
    assert case.output.probes[0].name == "c"


def test_defaults_filled(reference_data: dict[str, Any]) -> None:
    del reference_data["mesh"]
    case = load_case_dict(reference_data)
    assert case.mesh.size is None
    resolved = case.resolved()
    assert resolved["mesh"]["size"] == pytest.approx(4e-7)
    assert resolved["mesh"]["surface_size"] == pytest.approx(4e-7)
    assert resolved["output"]["name"] == "case"
    assert resolved["time"]["dt_initial"] == 1.0


def test_resolved_round_trip(reference_path: Path, tmp_path: Path) -> None:
    case = load_case(reference_path)
    resolved = case.resolved()
    text = yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True)
    out = tmp_path / "case.resolved.yaml"
    out.write_text(text, encoding="utf-8")
    reloaded = load_case(out)
    assert reloaded.resolved() == resolved
    # the reference sets every resolved default except these
    assert reloaded.model_copy(
        update={"output": case.output, "mesh": case.mesh}
    ) == case
    assert reloaded.name == "reference"


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool)


def test_resolved_is_plain_data(reference_path: Path) -> None:
    assert _plain(load_case(reference_path).resolved())


def test_case_equality_ignores_source(reference_path: Path, reference_data: dict) -> None:
    assert load_case(reference_path) == load_case_dict(reference_data)
    assert isinstance(load_case_dict(reference_data), Case)


def test_plausibility_warnings_catch_a_missing_unit(reference_path: Path) -> None:
    """A bare number is read in the SI unit: '120' for a modulus is 120 Pa, '0.8' for a
    capacity 0.8 C/kg. Valid, but each is named with its field; the shipped cases have none."""
    case = load_case(reference_path, overrides=[
        "materials.core.youngs_modulus=120", "stop.capacity=0.8", "geometry.radius=2 mm",
        "materials.core.volume_expansion=280"])
    found = dict(case.plausibility_warnings())
    assert set(found) == {"materials.core.youngs_modulus", "stop.capacity", "geometry.radius",
                          "materials.core.volume_expansion"}, found
    assert "120 Pa" in found["materials.core.youngs_modulus"]
    assert "'120 GPa'" in found["materials.core.youngs_modulus"]
    assert "stop.mean_theta" in found["stop.capacity"]
    root = Path(__file__).resolve().parents[3] / "cases"
    for path in sorted(root.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if not isinstance(data, dict) or "geometry" not in data:  # references, the library
            continue
        assert load_case(path).plausibility_warnings() == [], path


def test_plausibility_warning_for_a_bare_specific_current(reference_path: Path) -> None:
    """'0.1' meant as A/g is 0.1 A/kg (1e-4 A/g: years to fill a Si particle); the range
    started at 1e-3 A/kg and let it pass."""
    found = dict(load_case(reference_path, overrides=["loading.specific_current=0.1"])
                 .plausibility_warnings())
    assert "'0.1 A/g'" in found.get("loading.specific_current", ""), found


def test_plausibility_warning_for_stop_criteria_of_a_prescribed_field(
        reference_path: Path) -> None:
    """A prescribed θ field is one elastic solve: a stop criterion left in the case (or in the
    file a --set turned prescribed) was silently not used; it is named now."""
    field = "loading={kind: prescribed, profile: {kind: radial, table: [[0, 0], [4 um, 1]]}}"
    found = dict(load_case(reference_path, overrides=[field, "stop={time: 1 h}"])
                 .plausibility_warnings())
    assert "stop.time: not used" in found.get("stop", ""), found
    assert "stop" not in dict(load_case(reference_path, overrides=[field, "stop={}"])
                              .plausibility_warnings())


def test_plausibility_warning_for_a_temperature_in_celsius(reference_path: Path) -> None:
    """'temperature: 25' meant as °C is 25 K (a bare number is in K), which makes the two_way
    stress-driven flux Ω θ ∇σ_h/(R T) twelve times too strong: named like the other slips."""
    found = dict(load_case(reference_path, overrides=["temperature=25"]).plausibility_warnings())
    assert "temperature" in found and "25 K" in found["temperature"], found
    assert "degC" in found["temperature"]
    for ok in ("25 degC", "-20 degC", "60 degC"):
        assert "temperature" not in dict(
            load_case(reference_path, overrides=[f"temperature={ok}"]).plausibility_warnings())


def test_plausibility_warning_for_a_nearly_incompressible_material(reference_path: Path) -> None:
    """ν = 0.4999 is valid (< 0.5), but the P2 displacement formulation locks: against the
    closed form of a prescribed θ = 0.5 r²/R² (axisymmetric, 0.2 µm cells) the mean radial
    stress came out 4.5 times too large and the mean hoop stress of the wrong sign, in a run
    reported completed without a word. It is now named, constant or as a θ law."""
    found = dict(load_case(reference_path, overrides=[
        "materials.core.poissons_ratio=0.4999"]).plausibility_warnings())
    assert "materials.core.poissons_ratio" in found, found
    assert "hydrostatic" in found["materials.core.poissons_ratio"]
    law = "{kind: linear, unlithiated: 0.3, lithiated: 0.49}"
    found = dict(load_case(reference_path, overrides=[
        f"materials.core.poissons_ratio={law}"]).plausibility_warnings())
    assert set(found) == {"materials.core.poissons_ratio.lithiated"}, found
    assert dict(load_case(reference_path, overrides=[
        "materials.core.poissons_ratio=0.45"]).plausibility_warnings()) == {}


def test_plausibility_warning_for_a_mesh_far_too_fine(reference_path: Path) -> None:
    """mesh.size 1 nm on a micron particle: meshing alone ran for minutes and Ctrl-C was
    not seen while Gmsh worked; validate now says how many cells that is."""
    fine = load_case(reference_path, overrides=["mesh.size=1 nm", "mesh.surface_size=1 nm"])
    found = dict(fine.plausibility_warnings())
    assert "mesh" in found and "cells" in found["mesh"], found
    assert "mesh" not in dict(load_case(reference_path).plausibility_warnings())
