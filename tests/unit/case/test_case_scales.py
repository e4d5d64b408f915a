"""Finite values whose derived scales the solver cannot compute with are case errors.

Before, each of these validated and the run ended in a JIT compile error (inf written into
C), a PETSc traceback ("Computed maximum singular value as zero"), an OverflowError or a
ZeroDivisionError in the cell estimate, or ran through without taking up any Li.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.case import CaseError, load_case
from solver.case.schema import MESH_CELLS_LIMIT, SCALE_LIMITS


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        (["materials.core.density=1e-300"], "materials.core.density"),
        (["materials.core.specific_capacity=1e-300"], "materials.core.specific_capacity"),
        (["materials.core.specific_capacity=1e300"], "materials.core.specific_capacity"),
        (["materials.core.specific_capacity=null", "materials.core.c_max=1e-300"],
         "materials.core.c_max"),
        (["materials.core.youngs_modulus=1e300"], "materials.core.youngs_modulus"),
        (["materials.core.youngs_modulus.unlithiated=1e-300"],
         "materials.core.youngs_modulus.unlithiated"),
        (["materials.core.diffusivity.pristine=1e300"], "materials.core.diffusivity.pristine"),
        (["materials.core.diffusivity.lithiated=1e-300"],
         "materials.core.diffusivity.lithiated"),
        (["materials.core.diffusivity.width=1e-300"], "materials.core.diffusivity.width"),
        (["materials.core.diffusivity={kind: exponential, d0: 1e-15, exponent: 800}"],
         "materials.core.diffusivity.exponent"),
        (["materials.core.diffusivity={kind: regular_solution, d0: 1e-15, alpha: -1e300}"],
         "materials.core.diffusivity.alpha"),
        (["materials.core.volume_expansion=1e300"], "materials.core.volume_expansion"),
        (["loading.specific_current=1e300"], "loading.specific_current"),
        (["loading.specific_current=1e-300", "stop.mean_theta=null", "stop.time=1"],
         "loading.specific_current"),
        (["loading.specific_current=null", "loading.c_rate=1e300"], "loading.c_rate"),
        (["coupling=two_way", "temperature=1e-300"], "temperature"),
        (["geometry.radius=1e300", "mesh.size=null", "mesh.surface_size=null",
          "output.probes=[]"], "geometry.radius"),
        (["geometry.radius=1e-40", "mesh.size=null", "mesh.surface_size=null",
          "output.probes=[]"], "geometry.radius"),
        (["mesh.size=1e-300"], "mesh"),
        (["mesh.surface_size=1e-300"], "mesh"),
    ],
)
def test_unusable_scales_are_one_problem_naming_the_field(reference_path: Path, overrides,
                                                          path: str) -> None:
    with pytest.raises(CaseError) as info:
        load_case(reference_path, overrides=overrides)
    assert info.value.paths == [path], str(info.value)  # one line, not one per consequence
    text = str(info.value)
    assert "double precision" in text or "no machine" in text


def test_the_message_says_what_was_given_and_the_range(reference_path: Path) -> None:
    with pytest.raises(CaseError) as info:
        load_case(reference_path, overrides=["materials.core.density=1e-300"])
    text = str(info.value)
    assert "1e-300 kg/m^3" in text and "density·R^3" in text
    assert f"{SCALE_LIMITS[0]:g} ... {SCALE_LIMITS[1]:g}" in text


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        # far outside what an anode has (warnings), but the solver computes with them
        ["materials.core.youngs_modulus=120"],
        ["materials.core.density=1e-3"],
        ["materials.core.volume_expansion=0"],
        ["materials.core.volume_expansion=1e-300"],  # no swelling, in effect
        ["coupling=two_way", "temperature=1e300"],  # no stress-driven flux, in effect
        ["materials.core.diffusivity={kind: exponential, d0: 1e-15, exponent: -20}"],
        ["materials.core.diffusivity.width=1e-6"],
        ["loading.specific_current=1e4"],
        ["geometry.radius=2 mm", "mesh.size=null", "mesh.surface_size=null"],
        ["time.dt_min=1e-300", "time.dt_initial=1e-300"],
        ["time.dt_max=1e300"],
        ["mesh.size=1 nm", "mesh.surface_size=1 nm"],  # a warning (2e11 cells), not refused
    ],
)
def test_generous_values_stay_valid(reference_path: Path, overrides) -> None:
    load_case(reference_path, overrides=overrides)


def test_a_mesh_beyond_any_machine_is_refused_but_a_huge_one_warned(reference_path: Path):
    """mesh.size 1e-300 m: the cell estimate divided by zero (a traceback at the start of
    `run`); a merely huge mesh keeps its warning."""
    with pytest.raises(CaseError) as info:
        load_case(reference_path, overrides=["mesh.size=1e-12", "mesh.surface_size=1e-12"])
    assert f"more than {MESH_CELLS_LIMIT:.0e}" in str(info.value)
    case = load_case(reference_path, overrides=["mesh.size=2 nm", "mesh.surface_size=2 nm"])
    assert "mesh" in dict(case.plausibility_warnings())


def test_newton_rtol_of_1_or_more_is_refused(reference_path: Path) -> None:
    """PETSc refuses snes_rtol >= 1 ("Relative tolerance 1e+300 must be non-negative and
    less than 1.0"): the run ended in a PETSc traceback after meshing."""
    with pytest.raises(CaseError) as info:
        load_case(reference_path, overrides=["solver.newton_rtol=1e300"])
    assert info.value.paths == ["solver.newton_rtol"]
    assert "< 1" in str(info.value)
    load_case(reference_path, overrides=["solver.newton_rtol=0.5"])


def test_a_newton_atol_that_accepts_any_step_is_warned(reference_path: Path) -> None:
    """newton_atol 1e300 ran to completion with 0 Newton iterations and no Li taken up."""
    case = load_case(reference_path, overrides=["solver.newton_atol=1e300"])
    assert "no Li enters" in dict(case.plausibility_warnings())["solver.newton_atol"]
    assert "solver.newton_atol" not in dict(load_case(reference_path).plausibility_warnings())


EXAMPLES = Path(__file__).resolve().parents[3] / "cases" / "examples"


@pytest.mark.parametrize("case, override, field", [
    ("reference", "geometry.radius=2", "geometry.radius"),
    ("core_shell", "geometry.coatings=[150]", "geometry.coatings.0.thickness"),
    ("yolk_shell", "geometry.void_thickness=400", "geometry.void_thickness"),
])
def test_a_length_meant_in_um_is_refused_by_its_own_name(reference_path, case, override,
                                                         field):
    """`radius: 2` (2 m, meant in um) in axisymmetric mode passed with a range warning and
    meshing ran out of memory; a bare coating or void thickness was blamed on mesh.size."""
    path = reference_path if case == "reference" else EXAMPLES / f"{case}.yaml"
    with pytest.raises(CaseError) as info:
        load_case(path, overrides=[override, "geometry.mode=axisymmetric"])
    assert info.value.paths == [field], str(info.value)
    value = override.split("=")[1].strip("[]")
    assert f"write '{value} um' or '{value} nm'" in str(info.value)


def test_a_large_layered_particle_names_its_largest_length():
    case = load_case(EXAMPLES / "core_shell.yaml", overrides=["geometry.coatings=[1e-4]"])
    found = dict(case.plausibility_warnings())
    assert list(found) == ["geometry.coatings.0.thickness"], found
    assert "particle radius of 0.0001025 m" in found["geometry.coatings.0.thickness"]


def test_a_large_radius_and_its_huge_mesh_are_one_warning(reference_path):
    """The mesh estimate was left out when the geometry already had a warning."""
    found = dict(load_case(reference_path, overrides=["geometry.radius=2 mm"])
                 .plausibility_warnings())
    assert list(found) == ["geometry.radius"], found
    assert "cells" in found["geometry.radius"] and "may take hours" in found["geometry.radius"]
