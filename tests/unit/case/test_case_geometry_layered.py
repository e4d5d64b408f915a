"""Case schema of the layered geometry kinds: loading, names, and errors at dotted paths."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from solver.case import CaseError, load_case_dict
from solver.case.geometry_layered import (
    LAYERED_GEOMETRIES,
    CoreShellGeometry,
    EllipsoidGeometry,
    HollowGeometry,
    YolkShellGeometry,
)


def _case(reference: dict[str, Any], geometry: dict[str, Any], regions: tuple[str, ...]) -> dict:
    data = copy.deepcopy(reference)
    data["geometry"] = geometry
    data["mesh"] = {"size": "0.2 um"}  # below every outer radius used here
    si = data["materials"]["core"]
    data["materials"] = {name: copy.deepcopy(si) for name in regions}
    return data


GOOD = [
    (
        {"kind": "ellipsoid", "mode": "octant", "semi_axes": ["2.5 um", "2 um", "1.5 um"]},
        ("core",),
        EllipsoidGeometry,
        2.5e-6,
    ),
    (
        {"kind": "ellipsoid", "mode": "axisymmetric", "semi_axes": ["2 um", "2 um", "3 um"]},
        ("core",),
        EllipsoidGeometry,
        3e-6,
    ),
    (
        {"kind": "core_shell", "mode": "axisymmetric", "core_radius": "2.5 um", "coatings": ["0.2 um"]},
        ("core", "coating_1"),
        CoreShellGeometry,
        2.7e-6,
    ),
    (
        {
            "kind": "core_shell",
            "mode": "plane_strain",
            "core_radius": "2.5 um",
            "coatings": [{"thickness": "7 nm", "name": "carbon"}, "0.1 um"],
        },
        ("core", "carbon", "coating_2"),
        CoreShellGeometry,
        2.607e-6,
    ),
    (
        {
            "kind": "hollow",
            "mode": "3d",
            "inner_radius": "1 um",
            "outer_radius": "2 um",
            "inner_coatings": ["0.1 um"],
            "outer_coatings": ["0.2 um", "50 nm"],
        },
        ("core", "coating_1", "coating_2", "inner_coating_1"),
        HollowGeometry,
        2.25e-6,
    ),
    (
        {
            "kind": "yolk_shell",
            "mode": "axisymmetric",
            "yolk_radius": "2 um",
            "void_thickness": "0.5 um",
            "shell_thickness": "0.1 um",
            "yolk_offset": "0.5 um",
        },
        ("yolk", "shell"),
        YolkShellGeometry,
        2.6e-6,
    ),
]


@pytest.mark.parametrize(("geometry", "regions", "model", "radius"), GOOD)
def test_layered_geometries_load(reference_data, geometry, regions, model, radius):
    case = load_case_dict(_case(reference_data, geometry, regions))
    assert isinstance(case.geometry, model)
    assert case.geometry.region_names() == regions
    assert case.geometry.radius == pytest.approx(radius)
    spec = case.geometry.to_spec()
    assert spec.kind == geometry["kind"] and spec.mode == geometry["mode"]
    assert "outer_surface" in case.geometry.boundary_names()


def test_interface_and_symmetry_names(reference_data):
    geometry = {"kind": "core_shell", "core_radius": "2 um", "coatings": ["0.2 um", "0.1 um"]}
    case = load_case_dict(_case(reference_data, geometry, ("core", "coating_1", "coating_2")))
    assert case.geometry.mode == "octant"
    assert case.geometry.interface_names() == (
        "interface_core_coating_1",
        "interface_coating_1_coating_2",
    )
    assert case.geometry.symmetry_names() == ("symmetry_x", "symmetry_y", "symmetry_z")
    assert case.geometry.to_spec().coatings == pytest.approx((2e-7, 1e-7))


def test_sphere_accepts_plane_strain(reference_data):
    data = copy.deepcopy(reference_data)
    data["geometry"]["mode"] = "plane_strain"
    case = load_case_dict(data)
    assert case.geometry.to_spec().gdim == 2


def test_materials_must_cover_the_layered_regions(reference_data):
    geometry = {"kind": "core_shell", "core_radius": "2 um", "coatings": ["0.2 um"]}
    with pytest.raises(CaseError) as info:
        load_case_dict(_case(reference_data, geometry, ("core",)))
    assert "materials" in info.value.paths
    assert "coating_1" in str(info.value)


BAD = [
    (
        {"kind": "core_shell", "core_radius": "2 um", "coatings": [{"thickness": "-0.2 um"}]},
        ("core", "coating_1"),
        "geometry.coatings.0.thickness",
        "> 0",
    ),
    (  # a bare thickness is reported at the key the user wrote
        {"kind": "core_shell", "core_radius": "2 um", "coatings": ["-0.2 um"]},
        ("core", "coating_1"),
        "geometry.coatings.0",
        "> 0",
    ),
    (
        {"kind": "core_shell", "core_radius": "2 um", "coatings": []},
        ("core",),
        "geometry.coatings",
        "at least 1",
    ),
    (
        {
            "kind": "core_shell",
            "core_radius": "2 um",
            "coatings": [{"thickness": "0.2 um", "name": "outer_surface"}],
        },
        ("core", "outer_surface"),
        "geometry.coatings.0.name",
        "reserved",
    ),
    (
        {
            "kind": "yolk_shell",
            "mode": "3d",
            "yolk_radius": "2 um",
            "void_thickness": "0.5 um",
            "shell_thickness": "0.1 um",
            "yolk_offset": "0.6 um",
        },
        ("yolk", "shell"),
        "geometry.yolk_offset",
        "void_thickness",
    ),
    (
        {
            "kind": "yolk_shell",
            "mode": "octant",
            "yolk_radius": "2 um",
            "void_thickness": "0.5 um",
            "shell_thickness": "0.1 um",
            "yolk_offset": "0.2 um",
        },
        ("yolk", "shell"),
        "geometry.mode",
        "yolk_offset = 0",
    ),
    (
        {"kind": "ellipsoid", "mode": "axisymmetric", "semi_axes": ["2 um", "1 um", "1 um"]},
        ("core",),
        "geometry.mode",
        "not rotationally symmetric",
    ),
    (
        {"kind": "ellipsoid", "semi_axes": ["2 um", "0 um", "1 um"]},
        ("core",),
        "geometry.semi_axes.1",
        "> 0",
    ),
    (
        {"kind": "hollow", "inner_radius": "2 um", "outer_radius": "1.5 um"},
        ("core",),
        "geometry.inner_radius",
        "smaller than outer_radius",
    ),
    (
        {
            "kind": "hollow",
            "inner_radius": "1 um",
            "outer_radius": "2 um",
            "inner_coatings": ["0.6 um", "0.6 um"],
        },
        ("core", "inner_coating_1", "inner_coating_2"),
        "geometry.inner_coatings",
        "does not fit",
    ),
    (
        {"kind": "hollow", "inner_radius": "1 um", "outer_radius": "2 um", "outer_coatings": ["-1 nm"]},
        ("core", "coating_1"),
        "geometry.outer_coatings.0",
        "> 0",
    ),
]


@pytest.mark.parametrize(("geometry", "regions", "path", "phrase"), BAD)
def test_layered_geometry_errors_point_at_the_field(reference_data, geometry, regions, path, phrase):
    with pytest.raises(CaseError) as info:
        load_case_dict(_case(reference_data, geometry, regions))
    problems = [p for p in info.value.problems if p.path == path]
    assert problems, str(info.value)
    assert phrase in problems[0].message, str(info.value)


def test_mesh_size_is_bounded_by_the_outer_radius(reference_data):
    geometry = {"kind": "core_shell", "core_radius": "1 um", "coatings": ["0.5 um"]}
    data = _case(reference_data, geometry, ("core", "coating_1"))
    data["mesh"] = {"size": "1.4 um"}  # larger than the core, smaller than the outer radius
    assert load_case_dict(data).geometry.radius == pytest.approx(1.5e-6)
    data["mesh"] = {"size": "1.6 um"}
    with pytest.raises(CaseError) as info:
        load_case_dict(data)
    assert "mesh.size" in info.value.paths


def test_registered_in_the_union():
    from solver.case.geometry import GEOMETRY_KINDS

    assert set(LAYERED_GEOMETRIES) <= set(GEOMETRY_KINDS)
