"""Case schema of the porous and inclusions geometry kinds: names, conversion, error paths."""

from __future__ import annotations

import copy

import pytest

from solver.case import load_case_dict
from solver.case.errors import CaseError

POROUS = {
    "kind": "porous",
    "mode": "3d",
    "radius": "2.5 um",
    "coatings": ["0.2 um"],
    "pores": {
        "radius": "0.2 um",
        "coating": "0.2 um",
        "placement": {"kind": "random", "count": 20, "seed": 1, "min_ligament": "0.1 um"},
    },
}
INCLUSIONS = {
    "kind": "inclusions",
    "mode": "octant",
    "radius": "2.5 um",
    "coatings": ["0.1 um"],
    "inclusion_sets": [
        {"phase": "sn", "radius": "0.2 um",
         "placement": {"kind": "random", "count": 8, "seed": 2, "min_gap": "0.1 um"}},
        {"phase": "sb", "shape": "bar", "radius": "0.1 um", "length": "0.6 um", "ends": "capped",
         "placement": {"kind": "volume_fraction", "volume_fraction": 0.01, "seed": 3}},
    ],
}


def case_with(reference_data, geometry, regions=None):
    data = copy.deepcopy(reference_data)
    data["geometry"] = copy.deepcopy(geometry)
    si = data["materials"]["core"]
    names = regions or ["core"]
    data["materials"] = {name: copy.deepcopy(si) for name in names}
    return data


def errors(data) -> CaseError:
    with pytest.raises(CaseError) as info:
        load_case_dict(data)
    return info.value


def test_porous_case_names_and_spec(reference_data):
    case = load_case_dict(case_with(reference_data, POROUS, ["core", "pore_coating", "coating_1"]))
    g = case.geometry
    assert g.region_names() == ("core", "pore_coating", "coating_1")
    assert g.boundary_names() == ("outer_surface", "pore_surface")
    assert g.interface_names() == ("interface_core_pore_coating", "interface_core_coating_1")
    assert g.radius == pytest.approx(2.5e-6) and g.outer_radius == pytest.approx(2.7e-6)
    spec = g.to_spec()
    assert spec.radius == pytest.approx(2.7e-6) and len(spec.pores()) == 20


def test_porous_explicit_axisymmetric_closed(reference_data):
    geometry = copy.deepcopy(POROUS)
    geometry["mode"] = "axisymmetric"
    geometry["pores"]["open"] = "none"
    geometry["pores"]["placement"] = {"kind": "explicit", "centers": [[0, 0, "1 um"], [0, 0, 0]]}
    case = load_case_dict(case_with(reference_data, geometry, ["core", "pore_coating", "coating_1"]))
    assert case.geometry.boundary_names() == ("outer_surface", "closed_pore_surface", "axis")
    assert case.geometry.symmetry_names() == ("axis",)
    # no electrolyte in closed pores: their walls take no Li
    data = case_with(reference_data, geometry, ["core", "pore_coating", "coating_1"])
    data["loading"]["surfaces"] = ["outer_surface", "closed_pore_surface"]
    with pytest.raises(CaseError) as info:
        load_case_dict(data)
    assert info.value.paths == ["loading.surfaces.1"]
    assert "closed pores" in str(info.value) and "Loadable boundaries: outer_surface" in str(
        info.value)


def test_inclusions_case_names(reference_data):
    regions = ["core", "inclusion_sn", "inclusion_sb", "coating_1"]
    case = load_case_dict(case_with(reference_data, INCLUSIONS, regions))
    g = case.geometry
    assert g.region_names() == tuple(regions)
    assert "interface_core_inclusion_sn" in g.interface_names()
    assert g.boundary_names() == ("outer_surface", "symmetry_x", "symmetry_y", "symmetry_z")


def test_missing_region_material_is_reported(reference_data):
    err = errors(case_with(reference_data, POROUS, ["core"]))
    assert "materials" in err.paths
    assert "pore_coating" in str(err)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda g: g.update(mode="axisymmetric"), "geometry.mode", "cannot be axisymmetric"),
        (lambda g: g["pores"]["placement"].update(count=500), "geometry.pores.placement.min_ligament",
         "could place only"),
        (lambda g: g["pores"].update(coating="3 um"), "geometry.pores.coating", "does not fit"),
        (lambda g: g["pores"].update(radius="-1 um"), "geometry.pores.radius", ""),
        (lambda g: g["pores"].update(radius="1 s"), "geometry.pores.radius", "length"),
        (lambda g: g["pores"]["placement"].update(kind="grid"), "geometry.pores.placement.kind", ""),
        (lambda g: g.update(mode="octant"), "geometry.pores.placement.count", "multiple of 8"),
        (lambda g: g.update(coatings=["0 um"]), "geometry.coatings.0", ""),
    ],
)
def test_porous_errors_point_at_the_field(reference_data, change, path, words):
    geometry = copy.deepcopy(POROUS)
    change(geometry)
    err = errors(case_with(reference_data, geometry, ["core", "pore_coating", "coating_1"]))
    assert path in err.paths, str(err)
    assert words in str(err)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda g: g["inclusion_sets"][0].update(phase="Sn"), "geometry.inclusion_sets.0.phase", ""),
        (lambda g: g["inclusion_sets"][1].pop("length"), "geometry.inclusion_sets.1.length", "length"),
        (lambda g: g["inclusion_sets"][0]["placement"].update(count=6),
         "geometry.inclusion_sets.0.placement.count", "multiple of 8"),
        (lambda g: g.update(mode="axisymmetric"), "geometry.mode", "cannot be axisymmetric"),
    ],
)
def test_inclusions_errors_point_at_the_field(reference_data, change, path, words):
    geometry = copy.deepcopy(INCLUSIONS)
    change(geometry)
    regions = ["core", "inclusion_sn", "inclusion_sb", "coating_1"]
    err = errors(case_with(reference_data, geometry, regions))
    assert path in err.paths, str(err)
    assert words in str(err)
