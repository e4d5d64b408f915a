"""The solver runs a short lithiation on every geometry kind (coarse meshes) and conserves Li.

Every region gets a material (Si for active bodies, an assumed carbon-like coating material),
Li enters through every electrolyte-facing surface of the kind, and the checks are the Li
balance at every step, the mean-θ target, and statistics for every region.
"""

from __future__ import annotations

import pytest

from chemomech_testing import run_case, sphere_case

UM = 1e-6
COATING = {"density": 2000.0, "specific_capacity": "300 mA*h/g", "volume_expansion": 0.1,
           "youngs_modulus": 50e9, "poissons_ratio": 0.25,
           "diffusivity": {"kind": "constant", "value": 1e-14}}

# (id, geometry, loaded surfaces, mesh size [m])
KINDS = [
    ("sphere-plane_strain", {"kind": "sphere", "mode": "plane_strain", "radius": 2.5 * UM},
     ["outer_surface"], 0.4 * UM),
    ("ellipsoid-axisymmetric", {"kind": "ellipsoid", "mode": "axisymmetric",
                                "semi_axes": [2.5 * UM, 2.5 * UM, 1.5 * UM]},
     ["outer_surface"], 0.4 * UM),
    ("ellipsoid-octant", {"kind": "ellipsoid", "mode": "octant",
                          "semi_axes": [2.5 * UM, 2.0 * UM, 1.5 * UM]},
     ["outer_surface"], 0.6 * UM),
    ("core_shell-axisymmetric", {"kind": "core_shell", "mode": "axisymmetric",
                                 "core_radius": 2.5 * UM, "coatings": [0.2 * UM]},
     ["outer_surface"], 0.4 * UM),
    ("core_shell-octant", {"kind": "core_shell", "mode": "octant",
                           "core_radius": 2.5 * UM, "coatings": [0.5 * UM]},
     ["outer_surface"], 0.6 * UM),
    ("hollow-axisymmetric", {"kind": "hollow", "mode": "axisymmetric", "inner_radius": 1.0 * UM,
                             "outer_radius": 2.5 * UM, "outer_coatings": [0.2 * UM]},
     ["outer_surface", "inner_surface"], 0.4 * UM),
    ("yolk_shell-axisymmetric", {"kind": "yolk_shell", "mode": "axisymmetric",
                                 "yolk_radius": 2.0 * UM, "void_thickness": 0.5 * UM,
                                 "shell_thickness": 0.3 * UM, "yolk_offset": 0.2 * UM},
     ["outer_surface", "shell_inner_surface", "yolk_surface"], 0.3 * UM),
    ("porous-plane_strain", {"kind": "porous", "mode": "plane_strain", "radius": 2.5 * UM,
                             "coatings": [0.2 * UM],
                             "pores": {"radius": 0.3 * UM, "coating": 0.1 * UM,
                                       "placement": {"kind": "random", "count": 12, "seed": 3,
                                                     "min_ligament": 0.2 * UM}}},
     ["outer_surface", "pore_surface"], 0.4 * UM),
    ("porous-axisymmetric", {"kind": "porous", "mode": "axisymmetric", "radius": 2.5 * UM,
                             "pores": {"radius": 0.4 * UM, "placement": {
                                 "kind": "explicit", "centers": [[0, 0, 1.2 * UM], [0, 0, -1.2 * UM]]}}},
     ["outer_surface", "pore_surface"], 0.4 * UM),
    ("inclusions-plane_strain", {"kind": "inclusions", "mode": "plane_strain", "radius": 2.5 * UM,
                                 "coatings": [0.2 * UM],
                                 "inclusion_sets": [{"phase": "sn", "shape": "sphere",
                                                     "radius": 0.3 * UM, "placement": {
                                                         "kind": "random", "count": 6, "seed": 2,
                                                         "min_gap": 0.2 * UM}}]},
     ["outer_surface"], 0.4 * UM),
]


@pytest.mark.parametrize("geometry,surfaces,size", [k[1:] for k in KINDS], ids=[k[0] for k in KINDS])
def test_short_lithiation_conserves_li(geometry, surfaces, size, tmp_path):
    from pydantic import TypeAdapter

    from solver.case.geometry import Geometry

    case = sphere_case(radius=2.5 * UM, size=size)
    case["geometry"] = geometry
    si = dict(case["materials"]["core"])
    si["diffusivity"] = {"kind": "two_phase", "pristine": 2e-17, "lithiated": 2e-15,
                         "theta_star": 0.5, "width": 0.05}
    names = TypeAdapter(Geometry).validate_python(geometry).region_names()
    case["materials"] = {n: (COATING if "coating" in n else si) for n in names}
    case["loading"] = {"kind": "galvanostatic", "specific_current": "1 A/g", "surfaces": surfaces}
    case["stop"] = {"mean_theta": 0.05}
    case["time"] = {"dt_initial": 1.0, "dt_max": 500.0, "max_dtheta": 0.1}
    sim, result = run_case(case, tmp_path)
    assert result.status == "completed"
    last = result.history[-1]
    assert last["mean lithiation fraction [-]"] == pytest.approx(0.05, rel=1e-9)
    assert max(r["Li balance error [-]"] for r in result.history[1:]) < 1e-10
    for n in names:
        assert last[f"{n}: max Von Mises stress [Pa]"] > 0.0
    assert set(sim.domain.regions) == set(names)


def test_a_probe_in_a_pore_names_its_field_and_point(tmp_path):
    """A probe inside the radius but in no cell (a pore: validate does not place pores, so
    it is found after meshing; a hollow cavity is refused by validate already) is refused at
    output.probes.<i>.point, with its name and point."""
    from solver.simulation import CaseSetupError

    case = sphere_case(mode="axisymmetric", size=0.5 * UM)
    case["geometry"] = {"kind": "porous", "mode": "axisymmetric", "radius": 2.5 * UM,
                        "pores": {"radius": 0.4 * UM,
                                  "placement": {"kind": "explicit",
                                                "centers": [[0.0, 0.0, 0.0]]}}}
    case["output"]["probes"] = [{"name": "wall", "point": [2.0 * UM, 0.0]},
                                {"name": "hole", "point": [0.0, 0.2 * UM]}]
    with pytest.raises(CaseSetupError, match=r"output\.probes\.1\.point \(hole: \[0\.0, 2e-07\]"):
        run_case(case, tmp_path)
