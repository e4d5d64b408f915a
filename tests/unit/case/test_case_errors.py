"""Malformed cases: every problem is a CaseError with a dotted path and a clear message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from solver.case import CaseError, load_case, load_case_dict
from solver.case.errors import Problem


def _error(path: Path, overrides: list[str]) -> CaseError:
    with pytest.raises(CaseError) as info:
        load_case(path, overrides)
    return info.value


def _only(err: CaseError) -> Problem:
    assert len(err.problems) == 1, str(err)
    return err.problems[0]


# (overrides, dotted path, phrases expected in the message)
MALFORMED: list[tuple[list[str], str, list[str]]] = [
    (["geometry.radus=4 um"], "geometry.radus", ["unknown field (allowed: kind, mode, radius)"]),
    (["materials.core.density=null"], "materials.core.density", ["[kg/m^3]", "got null"]),
    (
        ["geometry.radius=5 GPa"],
        "geometry.radius",
        ["expected a length [m], got '5 GPa' (a pressure)"],
    ),
    (["geometry.radius=-4 um"], "geometry.radius", ["must be > 0 [m]", "'-4 um'"]),
    (["geometry.radius=0"], "geometry.radius", ["must be > 0 [m]", "got 0"]),
    (["geometry.radius=true"], "geometry.radius", ["[m]", "true (a boolean)"]),
    (["materials.core.poissons_ratio=0.5"], "materials.core.poissons_ratio", ["< 0.5", "0.5"]),
    (
        ["materials.core.poissons_ratio={kind: linear, unlithiated: 0.2, lithiated: 0.6}"],
        "materials.core.poissons_ratio.lithiated",
        ["< 0.5", "0.6"],
    ),
    (["loading.initial_theta=1.2"], "loading.initial_theta", ["<= 1", "1.2"]),
    (["stop.mean_theta=-0.1"], "stop.mean_theta", [">= 0", "-0.1"]),
    (["loading.surfaces=[outside]"], "loading.surfaces.0", ["unknown boundary 'outside'"]),
    (
        ["loading.surfaces=[outer_surface, symmetry_y]"],
        "loading.surfaces.1",
        ["symmetry plane", "outer_surface"],
    ),
    (
        ["stop.surface_theta=0.8"],
        "stop.mean_theta",
        ["unreachable", "stop.surface_theta", "hold_at_cutoff"],
    ),
    (["stop.capacity=4000 mA*h/g"], "stop.capacity",
     ["unreachable", "C/kg", "(4000 mA*h/g)", "(3579 mA*h/g)"]),
    (["stop={}"], "stop", ["no stop criterion"]),
    (
        ["materials.core.diffusivity={kind: regular_solution, d0: 1e-16 m^2/s, alpha: 5}"],
        "materials.core.diffusivity.alpha",
        ["not positive for θ from 0.1127 to 0.8873", "alpha must be < 2"],
    ),
    (
        ["materials.core.diffusivity={kind: regular_solution, d0: 1e-16 m^2/s, alpha: 2, "
         "theta_max: 0.6}"],
        "materials.core.diffusivity.alpha",
        ["not positive for θ from 0.5 to 0.5"],
    ),
    (["time.dt_min=10", "time.dt_max=1"], "time.dt_min", ["dt_min (10 s) is larger than dt_max (1 s)"]),
    (["time.dt_initial=1e5 s"], "time.dt_initial", ["larger than dt_max"]),
    (["mesh.size=5 um"], "mesh.size", ["particle radius", "m)"]),
    (["mesh.surface_size=1 mm"], "mesh.surface_size", ["particle radius"]),
    (
        ["materials.core.density=abc"],
        "materials.core.density",
        ["expected a number or a quantity with units of [kg/m^3], got 'abc'"],
    ),
    (
        ["coupling=two_way", 'loading={"kind": "prescribed", "profile": {"kind": "uniform", "theta": 0.5}}'],
        "coupling",
        ["two_way coupling needs a diffusion solve", "one_way"],
    ),
    (["temperature=25 GPa"], "temperature", ["[K]"]),
    (["materials.core.c_max=3e5"], "materials.core", ["exactly one of c_max", "both"]),
    (["materials.core.specific_capacity=null"], "materials.core", ["exactly one", "neither"]),
    (["materials.core.volume_expansion=null"], "materials.core", ["partial_molar_volume", "neither"]),
    (["materials.core.volume_expansion=-1"], "materials.core.volume_expansion", [">= 0"]),
    (["loading.c_rate=1"], "loading", ["exactly one of specific_current", "both"]),
    (["loading.kind=pulsed"], "loading.kind", ["unknown kind 'pulsed'", "galvanostatic"]),
    (["geometry.kind=cube"], "geometry.kind", ["unknown kind 'cube'", "sphere"]),
    (["geometry.mode=2d"], "geometry.mode", ["expected one of", "'2d'"]),
    (["materials.core.diffusivity.width=0"], "materials.core.diffusivity.width", ["> 0"]),
    (
        ["materials.core.diffusivity.theta_star=1"],
        "materials.core.diffusivity.theta_star",
        ["< 1"],
    ),
    (
        ["materials.core.diffusivity.pristine=2e-17 m^2"],
        "materials.core.diffusivity.pristine",
        ["diffusivity [m^2/s]", "an area"],
    ),
    (
        ["materials.core.diffusivity={kind: two_phase, pristine: 1e-17, theta_star: 0.5, width: 0.1}"],
        "materials.core.diffusivity.lithiated",
        ["required field missing (lithiated [m^2/s])"],
    ),
    (["loading.specific_current=0.1 A"], "loading.specific_current", ["[A/kg]", "a current"]),
    (["stop.capacity=1 A*h"], "stop.capacity", ["[C/kg]", "a charge"]),
    (["time.growth=1"], "time.growth", ["> 1"]),
    (["time.cutback=1"], "time.cutback", ["< 1"]),
    (["time.output_times=[10, 5]"], "time.output_times.1", ["increase strictly"]),
    (["time.output_times=[-1]"], "time.output_times.0", ["> 0 [s]"]),
    (["stop.max_steps=1.5"], "stop.max_steps", ["expected an integer"]),
    (["time.output_mean_theta=[0.5, 1.5]"], "time.output_mean_theta.1", ["<= 1"]),
    (["loading.initial_theta=0.3", "time.output_mean_theta=[0.2, 0.5]"],
     "time.output_mean_theta.0", ["0.2 is not reached", "starts at 0.3 and rises"]),
    (["loading={kind: potentiostatic, surface_theta: 1}", "time.output_mean_theta=[0.5]"],
     "time.output_mean_theta", ["needs galvanostatic loading", "time.output_times"]),
    (["stop={surface_theta: 0.95, hold_at_cutoff: true, mean_theta: 0.9}",
      "time.output_mean_theta=[0.5]"], "time.output_mean_theta", ["stop.hold_at_cutoff"]),
    (["stop.hold_at_cutoff=true"], "stop.hold_at_cutoff", ["stop.surface_theta"]),
    # the CV hold keeps the surface at the cut-off: the mean θ never passes it (such a run
    # went on for 38 660 steps at mean θ 0.8 before it was stopped by hand)
    (["stop={surface_theta: 0.8, hold_at_cutoff: true, mean_theta: 0.85}"], "stop.mean_theta",
     ["unreachable", "CV hold", "(0.8)", "0.85"]),
    (["stop={surface_theta: 0.8, hold_at_cutoff: true, mean_theta: 0.8}"], "stop.mean_theta",
     ["unreachable", "strictly between"]),
    (["stop={surface_theta: 0.5, hold_at_cutoff: true, capacity: 1.8 A*h/g}"], "stop.capacity",
     ["unreachable", "held stop.surface_theta (0.5)"]),
    (["solver.linear_rtol=0.1"], "solver.linear_rtol", ["<= 0.01"]),
    (["solver.diffusion_linear_solver=hypre"], "solver.diffusion_linear_solver",
     ["'auto', 'direct', 'ilu' or 'amg'"]),
    (["output.formats=[xdmf, pdf]"], "output.formats.1", ["'xdmf', 'vtx' or 'vtk'"]),
    (["output.formats=[]"], "output.formats", ["at least 1 item"]),
    (["title=[a, b]"], "title", ["expected a string"]),
    (["loading.surfaces=[outer_surface, outer_surface]"], "loading.surfaces.1", ["twice"]),
    (["loading.direction=delithiation"], "stop.mean_theta", ["unreachable", "smaller"]),
    (
        ["output.probes=[{name: p, point: [0, 0]}]"],
        "output.probes.0.point",
        ["expected 3 coordinates"],
    ),
    (
        ["output.probes=[{name: p, point: [5 um, 0, 0]}]"],
        "output.probes.0.point",
        ["outside the particle"],
    ),
    (
        ["output.probes=[{name: p, point: [1 um, -1 um, 0]}]"],
        "output.probes.0.point",
        ["outside the octant"],
    ),
    (
        ["output.probes=[{name: p, point: [0, 0, 0]}, {name: p, point: [0, 0, 0]}]"],
        "output.probes.1.name",
        ["used twice"],
    ),
    (
        ["output.measures=[{name: m, field: von_mises, statistic: max, regions: [shell]}]"],
        "output.measures.0.regions.0",
        ["unknown region 'shell'", "core"],
    ),
    (
        ["output.measures=[{name: m, field: von_mises, statistic: max, on: symmetry_x}]"],
        "output.measures.0.on",
        ["unknown surface or interface 'symmetry_x'", "outer_surface"],
    ),
    (
        ["output.measures=[{name: m, field: strain, statistic: max}]"],
        "output.measures.0.field",
        ["von_mises", "theta"],
    ),
    (
        ["output.measures=[{name: m, field: theta, statistic: max},"
         " {name: m, field: theta, statistic: min}]"],
        "output.measures.1.name",
        ["used twice"],
    ),
    (["schema_version=2"], "schema_version", ["expected 1", "got 2"]),
    # only the time ends the run and the current would overfill (or empty) the material:
    # θ went to 1.12 (4 h at 1 A/g) and to -1.06 (delithiation from 0), status "completed"
    (["loading.specific_current=1 A/g", "stop={time: 4 h}"], "stop.time",
     ["unreachable", "4000 mA*h/g", "3579 mA*h/g"]),
    (["loading.direction=delithiation", "stop={time: 1 h}"], "stop.time",
     ["unreachable", "can give"]),
    # the case name is a folder under output.directory: a path would write elsewhere
    (["output.name=../../elsewhere"], "output.name", ["not a folder name"]),
    (["output.name=.."], "output.name", ["not a folder name"]),
    (["output.name=a/b"], "output.name", ["not a folder name"]),
    # targets exactly at the limit are not reached either (the run would never stop, or
    # stop at once): the boundaries of the stop checks are exclusive
    (["stop.mean_theta=0"], "stop.mean_theta", ["unreachable", "must be larger"]),
    (["stop.surface_theta=0.9"], "stop.mean_theta",  # the reference stops at mean θ 0.9
     ["unreachable", "stop.surface_theta (0.9)"]),
    (["stop={surface_theta: 0}"], "stop.surface_theta", ["must be above initial_theta"]),
    # potentiostatic: the mean θ and the charge approach their limits only asymptotically
    (["loading={kind: potentiostatic, surface_theta: 0.9}", "stop={mean_theta: 0.9}"],
     "stop.mean_theta", ["unreachable", "strictly between"]),
    (["loading={kind: potentiostatic, surface_theta: 0.5}",
      "stop={capacity: 1789.5 mA*h/g}"],  # exactly 0.5 × 3579 mA*h/g
     "stop.capacity", ["unreachable", "is not less than"]),
    # a time-only stop from a partly lithiated particle: 2 h at 1 A/g is 2000 mA*h/g, more
    # than the 0.5 × 3579 = 1789.5 mA*h/g left above initial_theta 0.5
    (["loading.initial_theta=0.5", "loading.specific_current=1 A/g", "stop={time: 2 h}"],
     "stop.time", ["unreachable", "initial_theta (0.5)"]),
    (["time.output_times=[10, 10]"], "time.output_times.1", ["increase strictly"]),
]


def test_measure_key_on_is_not_a_boolean(reference_path: Path) -> None:
    """YAML 1.1 reads `on` as true; case files are read with YAML 1.2 booleans."""
    case = load_case(reference_path, [
        "output.measures=[{name: m, field: hoop, statistic: mean, on: outer_surface}]"])
    assert case.output.measures[0].on == "outer_surface"
    assert case.output.measures[0].column == "measure m [Pa]"


@pytest.mark.parametrize(("overrides", "path", "phrases"), MALFORMED, ids=lambda x: str(x))
def test_malformed_case(
    reference_path: Path, overrides: list[str], path: str, phrases: list[str]
) -> None:
    problem = _only(_error(reference_path, overrides))
    assert problem.path == path, str(problem)
    for phrase in phrases:
        assert phrase in problem.message, str(problem)
    assert problem.file == str(reference_path)


def test_message_format(reference_path: Path) -> None:
    err = _error(reference_path, ["geometry.radius=5 GPa"])
    assert str(err) == (
        f"{reference_path}: geometry.radius: expected a length [m], got '5 GPa' (a pressure) "
        "(from --set geometry.radius=5 GPa)"
    )


def test_missing_required_names_field_and_unit(reference_data: dict[str, Any]) -> None:
    del reference_data["materials"]["core"]["density"]
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data, source="cases/x.yaml")
    assert str(info.value) == (
        "cases/x.yaml: materials.core.density: required field missing (density [kg/m^3])"
    )


def test_missing_sections(reference_data: dict[str, Any]) -> None:
    for key in ("geometry", "materials", "loading"):
        reference_data.pop(key)
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["geometry", "loading", "materials"] or sorted(
        info.value.paths
    ) == ["geometry", "loading", "materials"]
    assert all("required field missing" in p.message for p in info.value.problems)


def test_all_problems_are_reported(reference_path: Path) -> None:
    err = _error(reference_path, ["geometry.radius=abc", "materials.core.density=-1", "time.growth=0"])
    assert sorted(err.paths) == ["geometry.radius", "materials.core.density", "time.growth"]


def test_unknown_region(reference_data: dict[str, Any]) -> None:
    reference_data["materials"]["foo"] = dict(reference_data["materials"]["core"])
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["materials.foo"]
    assert "unknown region 'foo'; the sphere geometry has regions: core" in str(info.value)


def test_region_without_material(reference_data: dict[str, Any]) -> None:
    reference_data["materials"] = {"shell": reference_data["materials"]["core"]}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert sorted(info.value.paths) == ["materials", "materials.shell"]
    assert "region 'core' has no material" in str(info.value)


def test_axis_is_not_loadable(reference_data: dict[str, Any]) -> None:
    reference_data["geometry"]["mode"] = "axisymmetric"
    reference_data["loading"]["surfaces"] = ["axis"]
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["loading.surfaces.0"]
    assert "symmetry axis" in str(info.value)


def test_symmetry_plane_does_not_exist_in_3d(reference_data: dict[str, Any]) -> None:
    reference_data["geometry"]["mode"] = "3d"
    reference_data["loading"]["surfaces"] = ["symmetry_x"]
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["loading.surfaces.0"]


def test_octant_probe_needs_three_coordinates(reference_data: dict[str, Any]) -> None:
    reference_data["output"] = {"probes": [{"name": "c", "point": [0, 0]}]}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["output.probes.0.point"]
    assert "expected 3 coordinates (x, y, z)" in str(info.value)


def test_axisymmetric_probe_takes_a_3d_point_at_its_radius(reference_data: dict[str, Any]) -> None:
    """A 3D point (x, y, z) is taken at (r = sqrt(x² + y²), z): outside if that r is."""
    reference_data["geometry"]["mode"] = "axisymmetric"
    reference_data["output"] = {"probes": [{"name": "c", "point": [0, 0, 0]},
                                           {"name": "out", "point": ["3 um", "3 um", 0]}]}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["output.probes.1.point"]
    assert "outside the particle" in str(info.value)


def test_hollow_probes_are_bounded_by_the_outer_coating(reference_data: dict[str, Any]) -> None:
    """The bound of a hollow particle is its coated outer radius (2.5 + 0.1 um), not the
    core's `outer_radius` field; so are the mesh sizes."""
    reference_data["geometry"] = {"kind": "hollow", "mode": "axisymmetric",
                                  "inner_radius": "1 um", "outer_radius": "2.5 um",
                                  "outer_coatings": ["0.1 um"]}
    reference_data["materials"]["coating_1"] = reference_data["materials"]["core"]
    reference_data["mesh"] = {"size": "2.55 um"}
    reference_data["output"] = {"probes": [{"name": "in_coating", "point": ["2.55 um", 0]},
                                           {"name": "out", "point": ["2.65 um", 0]}]}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["output.probes.1.point"], str(info.value)
    assert "radius 2.6e-06 m" in str(info.value)


def test_a_loaded_body_must_store_li(reference_data: dict[str, Any]) -> None:
    """Li fed into an inert yolk-shell shell (which touches the yolk nowhere) has nowhere to
    go: a case error naming the surface and the one to load instead, not a failed run."""
    reference_data["geometry"] = {"kind": "yolk_shell", "mode": "axisymmetric",
                                  "yolk_radius": "0.5 um", "void_thickness": "63 nm",
                                  "shell_thickness": "20 nm"}
    core = reference_data["materials"].pop("core")
    inert = {"active": False, "density": "2000 kg/m^3", "youngs_modulus": "50 GPa",
             "poissons_ratio": 0.25}
    reference_data["materials"] = {"yolk": core, "shell": inert}
    reference_data["mesh"] = {"size": "0.1 um"}
    reference_data["output"] = {}
    reference_data["loading"]["surfaces"] = ["outer_surface"]
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["loading.surfaces.0"], str(info.value)
    assert "'outer_surface' bounds only shell" in str(info.value)
    assert "instead (yolk_surface)" in str(info.value)
    reference_data["loading"]["surfaces"] = ["yolk_surface"]
    load_case_dict(reference_data)  # valid
    reference_data["materials"]["shell"] = core  # a storing shell may be loaded
    reference_data["loading"]["surfaces"] = ["outer_surface"]
    load_case_dict(reference_data)


@pytest.mark.parametrize("geometry, point, space", [
    ({"kind": "yolk_shell", "mode": "axisymmetric", "yolk_radius": "0.5 um",
      "void_thickness": "63 nm", "shell_thickness": "20 nm"}, ["0.53 um", 0], "the void"),
    ({"kind": "yolk_shell", "mode": "3d", "yolk_radius": "0.5 um", "void_thickness": "0.2 um",
      "shell_thickness": "0.1 um", "yolk_offset": "0.1 um"}, [0, 0, "-0.45 um"], "the void"),
    ({"kind": "hollow", "mode": "axisymmetric", "inner_radius": "1 um", "outer_radius": "2 um",
      "inner_coatings": ["0.1 um"]}, ["0.85 um", 0], "the cavity"),
], ids=["yolk_shell", "yolk_shell_offset", "hollow"])
def test_a_probe_in_unmeshed_space_is_a_case_error(reference_data: dict[str, Any], geometry,
                                                    point, space) -> None:
    """validate catches a probe in a cavity or void (run used to be the first to say so)."""
    reference_data["geometry"] = geometry
    core = reference_data["materials"].pop("core")
    regions = {"yolk_shell": ["yolk", "shell"], "hollow": ["core", "inner_coating_1"]}
    reference_data["materials"] = {r: core for r in regions[geometry["kind"]]}
    reference_data["mesh"] = {"size": "0.1 um"}
    reference_data["loading"]["surfaces"] = ["outer_surface"]
    reference_data["output"] = {"probes": [{"name": "p", "point": point}]}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["output.probes.0.point"], str(info.value)
    assert space in str(info.value)
    # the same point in a solid part is fine: the yolk centre, or inside the inner coating
    solid = {"yolk_shell": [0, 0, "0.1 um"] if len(point) == 3 else [0, 0],
             "hollow": ["0.95 um", 0]}[geometry["kind"]]
    reference_data["output"] = {"probes": [{"name": "p", "point": solid}]}
    load_case_dict(reference_data)


def test_potentiostatic_stops(reference_data: dict[str, Any]) -> None:
    reference_data["loading"] = {"kind": "potentiostatic", "surface_theta": 0.8}
    reference_data["stop"] = {"mean_theta": 0.85, "capacity": "3000 mA*h/g"}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert sorted(info.value.paths) == ["stop.capacity", "stop.mean_theta"]
    assert "strictly between" in str(info.value)


def test_potentiostatic_needs_stop(reference_data: dict[str, Any]) -> None:
    reference_data["loading"] = {"kind": "potentiostatic", "surface_theta": 0.8}
    reference_data["stop"] = {}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["stop"]


def test_delithiation_capacity(reference_data: dict[str, Any]) -> None:
    reference_data["loading"].update(direction="delithiation", initial_theta=0.5)
    reference_data["stop"] = {"capacity": "2000 mA*h/g"}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["stop.capacity"]


def test_lithiation_cutoff_below_start(reference_data: dict[str, Any]) -> None:
    reference_data["loading"]["initial_theta"] = 0.5
    reference_data["stop"] = {"surface_theta": 0.4}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["stop.surface_theta"]


def test_radial_table(reference_data: dict[str, Any]) -> None:
    reference_data["loading"] = {
        "kind": "prescribed",
        "profile": {"kind": "radial", "table": [[0, 0], ["2 um", 1]]},
    }
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["loading.profile.table"]
    assert "must reach the particle radius" in str(info.value)
    reference_data["loading"]["profile"]["table"] = [[0, 0], ["3 um", 1], ["2 um", 1], ["4 um", 1]]
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["loading.profile.table.2.0"]
    reference_data["loading"]["profile"]["table"] = [["4 um", 1]]
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["loading.profile.table"]
    assert "at least 2 items" in str(info.value)


def test_not_a_mapping() -> None:
    with pytest.raises(CaseError) as info:
        load_case_dict([1, 2])  # type: ignore[arg-type]
    assert "expected a mapping" in str(info.value)


@pytest.mark.parametrize("alpha, theta_max", [(1.99, 0.999), (5.0, 0.11), (-3.0, 0.999)])
def test_regular_solution_diffusivity_positive_on_its_range_is_valid(
        reference_path, alpha, theta_max) -> None:
    law = (f"materials.core.diffusivity={{kind: regular_solution, d0: 1e-16 m^2/s, "
           f"alpha: {alpha}, theta_max: {theta_max}}}")
    assert load_case(reference_path, [law]).materials["core"].diffusivity.alpha == alpha


def test_an_inactive_library_material_names_the_fields_it_brings(
        reference_data: dict[str, Any]) -> None:
    """``{from: si_crystalline, active: false}``: the library gives Li-storage fields and an
    E(θ) that an inert region cannot have. The messages say they come from the library and
    how to drop them there (they said "remove this field" of a field not in the case), and the
    single inert region gets no second error on its fill time (capacity 0 gave "= 0 s")."""
    reference_data["materials"]["core"] = {"from": "si_crystalline", "active": False}
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    text = str(info.value)
    assert "materials.core.specific_capacity" in info.value.paths
    assert "set it to null next to from: (it comes from library material 'si_crystalline')" \
        in text
    assert "materials.core.youngs_modulus" in info.value.paths
    assert "give a constant next to from:" in text
    reference_data["materials"]["core"].update(specific_capacity=None, volume_expansion=None,
                                               youngs_modulus="100 GPa")
    with pytest.raises(CaseError) as info:
        load_case_dict(reference_data)
    assert info.value.paths == ["loading.surfaces.0"], str(info.value)  # nowhere for the Li
    assert "time to fill" not in str(info.value)


def test_set_of_a_list_item_that_does_not_exist() -> None:
    """``--set output.probes.5.name=x``: the message says the list has no item 5 (it said
    'output.probes.5' is not a mapping), and with no list at all that there is nothing to
    index (it said 'output.probes: expected a list, got a mapping')."""
    root = Path(__file__).resolve().parents[3] / "cases"
    err = _error(root / "default.yaml", ["output.probes.5.name=x"])
    assert "'output.probes' has 2 item(s), no item 5" in _only(err).message
    err = _error(root / "examples" / "hollow.yaml", ["output.probes.0.name=x"])
    assert "'output.probes' has no items to index" in _only(err).message
    assert "--set 'output.probes=[...]'" in _only(err).message
