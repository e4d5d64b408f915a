"""Closed-form checks for the plane-strain mode, several free bodies and bonded regions.

- plane strain, uniform θ in a free disc: in-plane stress-free, u = (1 + ν) ε* x,
  σ_zz = −E ε*, von Mises = E ε* (ε* = β_V θ / 3);
- yolk-shell (two free bodies, each with its own rigid motions), uniform θ: stress-free;
- core-shell, uniform θ and equal materials: stress-free across the bonded interface;
  with a swelling mismatch: the Lamé interface pressure and shell hoop stress (DESIGN §8.4).
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from chemomech_testing import SI, remove_rigid_motion, run_case, sphere_case
from verification.analytic import lame_core_shell

E, NU, BETA = SI["youngs_modulus"], SI["poissons_ratio"], SI["volume_expansion"]
THETA = 0.4
EPS = BETA * THETA / 3.0
TOL = 1e-6  # relative to E ε*
LAME_TOL = 0.005  # issue #4: interface pressure and shell hoop stress within 0.5 %


def _uniform(case):
    case["loading"] = {"kind": "prescribed", "profile": {"kind": "uniform", "theta": THETA}}
    case["solver"] = {"linear_rtol": 1e-12}
    return case


def _kind_available(kind):
    import meshes

    if kind not in meshes.BUILDERS:
        pytest.skip(f"geometry kind {kind!r} not available")


def test_plane_strain_uniform_swelling(tmp_path):
    from meshes.specs import MODES

    if "plane_strain" not in MODES:
        pytest.skip("plane_strain mode not available")
    R = 4e-6
    sim, result = run_case(_uniform(sphere_case(mode="plane_strain", radius=R, size=R / 4)),
                           tmp_path)
    row = result.history[-1]
    scale = E * EPS
    assert row["core: max Von Mises stress [Pa]"] == pytest.approx(scale, rel=TOL)
    assert row["core: max hydrostatic stress [Pa]"] == pytest.approx(-scale / 3, rel=TOL)
    assert abs(row["outer_surface: mean radial stress [Pa]"]) < TOL * scale
    assert abs(row["outer_surface: mean hoop stress [Pa]"]) < TOL * scale
    x = sim.mechanics.V.tabulate_dof_coordinates()[:, :2]
    diff = remove_rigid_motion(sim, sim.mechanics.u.x.array - ((1 + NU) * EPS * x).ravel())
    err = sim.domain.comm.allreduce(float(np.abs(diff).max()) if diff.size else 0.0, op=MPI.MAX)
    assert err < TOL * (1 + NU) * EPS * R


def _geometry_case(geometry, regions, tmp_path, size):
    case = sphere_case(radius=4e-6, size=size)
    case["geometry"] = geometry
    mat = case["materials"]["core"]
    case["materials"] = {r: dict(mat) for r in regions}
    return case


@pytest.mark.parametrize("mode", ["3d", "axisymmetric"])
def test_yolk_shell_free_bodies_swell_stress_free(mode, tmp_path):
    _kind_available("yolk_shell")
    # a 1 µm shell and 1 µm cells: 122k u DOFs in 3D (a 0.5 µm shell made 396k, 4× the time)
    geometry = {"kind": "yolk_shell", "mode": mode, "yolk_radius": 2e-6,
                "void_thickness": 0.5e-6, "shell_thickness": 1e-6}
    case = _uniform(_geometry_case(geometry, ["yolk", "shell"], tmp_path, 1e-6))
    sim, result = run_case(case, tmp_path)
    row = result.history[-1]
    for region in ("yolk", "shell"):
        assert row[f"{region}: max Von Mises stress [Pa]"] < TOL * E * EPS
    n_free = {"3d": 12, "axisymmetric": 2}[mode]  # each body keeps its own rigid motions
    assert sim.mechanics.null_space is not None
    assert len(sim.mechanics.null_space.getVecs()) == n_free


def test_loose_yolk_keeps_its_centroid_and_the_gap_is_mesh_independent(tmp_path):
    """A loose yolk off-centre, uniform θ: each body swells about its own centroid, so the
    gap on the axis is void + ε_shell R_in − ε_yolk a − offset. The rigid motion was fixed by
    the plain nodal mean, which depends on the mesh grading: on this coarse mesh the gap
    came out 1.53e-7 m for 0.93e-7."""
    _kind_available("yolk_shell")
    import dolfinx

    a, void, shell, offset = 2e-6, 0.5e-6, 0.2e-6, 0.2e-6
    geometry = {"kind": "yolk_shell", "mode": "axisymmetric", "yolk_radius": a,
                "void_thickness": void, "shell_thickness": shell, "yolk_offset": offset}
    case = _uniform(_geometry_case(geometry, ["yolk", "shell"], tmp_path, a / 4))
    theta, beta_shell = 0.2, 1.0  # the gap stays open
    case["loading"]["profile"]["theta"] = theta
    case["materials"]["shell"]["volume_expansion"] = beta_shell
    sim, result = run_case(case, tmp_path)
    expected = (void + beta_shell * theta / 3 * (a + void) - BETA * theta / 3 * a - offset)
    assert result.history[-1]["yolk-shell gap [m]"] == pytest.approx(expected, rel=0.01)
    d, u = sim.domain, sim.mechanics.u
    comm = d.comm
    for body in ("yolk", "shell"):
        def integral(f):
            return comm.allreduce(dolfinx.fem.assemble_scalar(dolfinx.fem.form(
                f * d.coords.weight * d.dx_region(body))), op=MPI.SUM)
        mean_uz = integral(u[1]) / integral(1.0 + 0.0 * u[1])
        assert abs(mean_uz) < 1e-9 * expected


@pytest.mark.parametrize("mode", ["octant", "axisymmetric"])
def test_core_shell_matches_lame(mode, tmp_path):
    """Core (β1) and shell (β2) at the same uniform θ: a pure swelling mismatch."""
    _kind_available("core_shell")
    a, t = 2.5e-6, 0.5e-6
    b = a + t
    geometry = {"kind": "core_shell", "mode": mode, "core_radius": a, "coatings": [t]}
    size = a / 10 if mode == "axisymmetric" else a / 5
    case = _uniform(_geometry_case(geometry, ["core", "coating_1"], tmp_path, size))
    E2, nu2, beta2 = 20e9, 0.3, 0.3
    case["materials"]["coating_1"].update(youngs_modulus=E2, poissons_ratio=nu2,
                                          volume_expansion=beta2)
    sim, result = run_case(case, tmp_path)
    p, hoop_a = lame_core_shell(a, b, E, NU, E2, nu2, BETA * THETA / 3, beta2 * THETA / 3)
    row = result.history[-1]
    # the core is under a uniform pressure p: its mean radial and hoop stresses are −p
    assert row["core: mean radial stress [Pa]"] == pytest.approx(-p, rel=LAME_TOL)
    assert row["core: mean hoop stress [Pa]"] == pytest.approx(-p, rel=LAME_TOL)
    # the shell's outer surface: hoop = 3 p a³ / (2 (b³ − a³)) (Lamé at r = b)
    hoop_b = p * a**3 * 3 / (2 * (b**3 - a**3))
    assert row["outer_surface: mean hoop stress [Pa]"] == pytest.approx(hoop_b, rel=LAME_TOL)
    # the largest tension is the shell hoop stress at the interface, seen at DG nodes next to
    # the stress jump (a nodal extreme, so a looser bound)
    assert row["coating_1: max first principal stress [Pa]"] == pytest.approx(hoop_a, rel=0.03)


def test_core_shell_nonuniform_core_only_the_mean_enters(tmp_path):
    """θ = 0.2 + 0.3 (r/a)² in the core, 0.5 in the shell (continuous at r = a): the shell sees
    the Lamé pressure of the core's *mean* eigenstrain (0.2 + 0.3·3/5 = 0.38)."""
    _kind_available("core_shell")
    a, t = 2.5e-6, 0.5e-6
    b = a + t
    geometry = {"kind": "core_shell", "mode": "axisymmetric", "core_radius": a, "coatings": [t]}
    case = _geometry_case(geometry, ["core", "coating_1"], tmp_path, a / 12)
    rr = np.linspace(0.0, a, 401)
    table = [[float(r), 0.2 + 0.3 * (r / a) ** 2] for r in rr] + [[b, 0.5]]
    case["loading"] = {"kind": "prescribed", "profile": {"kind": "radial", "table": table}}
    case["solver"] = {"linear_rtol": 1e-12}
    E2, nu2, beta2 = 20e9, 0.3, 0.3
    case["materials"]["coating_1"].update(youngs_modulus=E2, poissons_ratio=nu2,
                                          volume_expansion=beta2)
    _, result = run_case(case, tmp_path)
    mean_core = 0.2 + 0.3 * 3 / 5
    p, _ = lame_core_shell(a, b, E, NU, E2, nu2, BETA * mean_core / 3, beta2 * 0.5 / 3)
    hoop_b = p * a**3 * 3 / (2 * (b**3 - a**3))
    row = result.history[-1]
    assert row["outer_surface: mean hoop stress [Pa]"] == pytest.approx(hoop_b, rel=LAME_TOL)


def _interface_errors(mode, size, tmp_path):
    a, t = 2.5e-6, 0.5e-6
    b = a + t
    geometry = {"kind": "core_shell", "mode": mode, "core_radius": a, "coatings": [t]}
    case = _uniform(_geometry_case(geometry, ["core", "coating_1"], tmp_path, size))
    E2, nu2, beta2 = 20e9, 0.3, 0.3
    case["materials"]["coating_1"].update(youngs_modulus=E2, poissons_ratio=nu2,
                                          volume_expansion=beta2)
    _, result = run_case(case, tmp_path)
    p, hoop_a = lame_core_shell(a, b, E, NU, E2, nu2, BETA * THETA / 3, beta2 * THETA / 3)
    row = result.history[-1]
    name = "interface_core_coating_1"
    return (abs(row[f"{name}: mean normal traction [Pa]"] / -p - 1),
            row[f"{name}: mean shear traction [Pa]"] / p,
            abs(row[f"{name}: mean coating_1 hoop stress [Pa]"] / hoop_a - 1),
            abs(row[f"{name}: max normal traction [Pa]"] / -p - 1),
            row[f"{name}: max shear traction [Pa]"] / p)


def test_core_shell_interface_tractions_converge_to_lame(tmp_path):
    """At the bonded interface under the Lamé pressure p: normal traction −p, no shear, shell
    hoop stress p (2a³ + b³)/(2(b³ − a³)). The stress next to a material jump converges
    slowly (measured: normal-traction error 2.7 % at a/10, 0.56 % at a/50), so the test asks
    for convergence and for the fine-mesh values. The fine mesh is a/50 since the tractions
    weigh the two sides by compliance (2026-12-07; see test_interface_shear.py for why):
    on this case (E 185 against 20 GPa, uniform θ) that is 10-20 % less accurate than equal
    weights, and the shear error at a/40 came to 1.006 %."""
    a = 2.5e-6
    coarse = _interface_errors("axisymmetric", a / 10, tmp_path / "c")
    fine = _interface_errors("axisymmetric", a / 50, tmp_path / "f")
    for c, f in zip(coarse, fine):
        assert f < 0.5 * c  # each error at least halves over a 5x refinement
    for errors in (coarse, fine):  # both shears are of the two sides' mean stress
        assert errors[1] <= errors[4], errors
    normal, shear, hoop, _, _ = fine
    assert normal < 0.01 and shear < 0.01 and hoop < 0.005


def test_core_shell_interface_tractions_octant(tmp_path):
    """The same quantities through the 3D path (coarse mesh: a few % at a/5)."""
    normal, shear, hoop, _, _ = _interface_errors("octant", 2.5e-6 / 5, tmp_path)
    assert normal < 0.05 and shear < 0.05 and hoop < 0.02


def test_measures_and_interface_maxima_match_lame(tmp_path):
    """output.measures and the interface maxima on the Lamé core-shell: the core is under a
    uniform pressure p (hydrostatic −p, no von Mises), the shell hoop stress at r = a⁺ is
    p (2a³ + b³)/(2(b³ − a³)), the interface traction is −p with no shear; the side of the
    interface (regions) selects which of the two hoop stresses is seen."""
    _kind_available("core_shell")
    a, t = 2.5e-6, 0.5e-6
    b = a + t
    geometry = {"kind": "core_shell", "mode": "axisymmetric", "core_radius": a, "coatings": [t]}
    case = _uniform(_geometry_case(geometry, ["core", "coating_1"], tmp_path, a / 20))
    E2, nu2, beta2 = 20e9, 0.3, 0.3
    case["materials"]["coating_1"].update(youngs_modulus=E2, poissons_ratio=nu2,
                                          volume_expansion=beta2)
    iface = "interface_core_coating_1"
    case["output"]["measures"] = [
        {"name": "core p", "field": "hydrostatic", "statistic": "mean", "regions": ["core"]},
        {"name": "core vm", "field": "von_mises", "statistic": "mean", "regions": ["core"]},
        {"name": "shell hoop at a", "field": "hoop", "statistic": "max", "regions": ["coating_1"],
         "on": iface},
        {"name": "core hoop at a", "field": "hoop", "statistic": "mean", "regions": ["core"],
         "on": iface},
        {"name": "shell hoop mean at a", "field": "hoop", "statistic": "mean",
         "regions": ["coating_1"], "on": iface},
        {"name": "core hoop max at a", "field": "hoop", "statistic": "max", "regions": ["core"],
         "on": iface},
        {"name": "shell hoop min at a", "field": "hoop", "statistic": "min",
         "regions": ["coating_1"], "on": iface},
        {"name": "hoop at b", "field": "hoop", "statistic": "mean", "on": "outer_surface"},
        {"name": "theta", "field": "theta", "statistic": "range"},
    ]
    _, result = run_case(case, tmp_path)
    p, hoop_a = lame_core_shell(a, b, E, NU, E2, nu2, BETA * THETA / 3, beta2 * THETA / 3)
    hoop_b = p * a**3 * 3 / (2 * (b**3 - a**3))
    row = result.history[-1]
    assert row["measure core p [Pa]"] == pytest.approx(-p, rel=LAME_TOL)
    assert row["measure core vm [Pa]"] < 0.01 * p
    assert row["measure hoop at b [Pa]"] == pytest.approx(hoop_b, rel=LAME_TOL)
    assert row["measure shell hoop mean at a [Pa]"] == pytest.approx(hoop_a, rel=0.01)
    assert row["measure shell hoop at a [Pa]"] == pytest.approx(hoop_a, rel=0.03)
    assert row["measure core hoop at a [Pa]"] == pytest.approx(-p, rel=0.01)
    # nodal extremes on one side only: the other side's values (−p in the core, hoop_a > 0
    # in the shell) must not enter (measured: 1.1 % and 0.2 % off at a/20)
    assert row["measure core hoop max at a [Pa]"] == pytest.approx(-p, rel=0.03)
    assert row["measure shell hoop min at a [Pa]"] == pytest.approx(hoop_a, rel=0.03)
    assert row["measure theta [-]"] == pytest.approx(0.0, abs=1e-12)
