"""Two-way coupling, monolithic scheme (DESIGN §3, §8.5).

1. Manufactured solution for the coupled steady system (u, θ, σ_h) in plane strain with a
   linear E(θ), an exponential D(θ) and the stress-driven flux, solved with the production
   residuals (:func:`solver.physics.coupled.coupled_residuals`) and SNES options. Sources
   come from the strong form (UFL derivatives of the exact fields) with the material laws
   written out from DESIGN, independently of the weak form and of the production laws. Observed orders: θ (P1) 2 in L2 and 1 in H1; u (P2) 2 in H1 (the P1 θ limits
   the eigenstrain, and so u, to second order in L2 as well; 3 is not expected). With the
   coupling term dropped from the solver (but kept in the source) θ stops converging.
2. Through the simulation: monolithic and staggered agree to the staggered tolerance
   (galvanostatic and surface-θ loading, fixed dt so both take the same steps), and the
   monolithic scheme reduces to one-way when Ω → 0.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from solver import _bootstrap  # noqa: F401

import dolfinx
import dolfinx.fem.petsc
import ufl
from mpi4py import MPI

from chemomech_testing import run_case, sphere_case
from solver.materials import diffusivity_law
from solver.physics import constitutive
from solver.physics.coordinates import coordinates_for
from solver.physics.coupled import coupled_residuals, snes_options

THETA_L2_ORDER, THETA_H1_ORDER, U_H1_ORDER = 2.0, 1.0, 2.0
ORDER_TOL = 0.15
MESHES = [6, 12, 24, 48]

# dimensionless material: E(θ) linear (the θ-dependence enters the Jacobian), D(θ) exponential
E0, E1, NU, BETA, THETA_REF = 1.0, 0.4, 0.3, 0.6, 0.0
RT = 0.05  # "R T" chosen so that the stress-driven flux is comparable with the Fickian one
D_LAW = SimpleNamespace(kind="exponential", d0=1.0, exponent=1.5)
DT = 1e12  # one backward-Euler step this long: the steady limit


def E(th):
    return E0 + (E1 - E0) * th


def nu(th):
    return NU


# what the solver is given: the production laws
def eps_ch(th):
    return constitutive.chemical_strain(th, BETA, THETA_REF, "linear")


D = diffusivity_law(D_LAW)


def coef(th):
    return D(th) * BETA * th / RT


# what the source is built from: the same laws written out from docs/DESIGN.md (§2, §3), not
# taken from the solver, so an error in the production laws does not cancel out of the MMS
def eps_ch_design(th):
    return BETA * (th - THETA_REF) / 3.0  # Vegard: ε_ch = β_V (θ − θ_ref)/3


def d_design(th):
    return D_LAW.d0 * ufl.exp(D_LAW.exponent * th)  # exponential: D0·exp(m θ)


def coef_design(th):
    return d_design(th) * BETA * th / RT


def stress_design(eps, th, identity):
    """σ = λ tr(ε_e) I + 2 μ ε_e, ε_e = ε − ε_ch I, λ = Eν/((1+ν)(1−2ν)), μ = E/(2(1+ν))."""
    e, n = E(th), nu(th)
    lmbda, mu = e * n / ((1 + n) * (1 - 2 * n)), e / (2 * (1 + n))
    eps_e = eps - eps_ch_design(th) * identity
    return lmbda * ufl.tr(eps_e) * identity + 2.0 * mu * eps_e


def _solve(n: int, coupled_solver: bool = True):
    comm = MPI.COMM_WORLD
    mesh = dolfinx.mesh.create_rectangle(comm, [[0.0, 0.0], [1.0, 1.0]], [n, n],
                                         dolfinx.mesh.CellType.triangle)
    coords = coordinates_for(mesh, "plane_strain", 1.0)
    x = ufl.SpatialCoordinate(mesh)
    pi = np.pi
    theta_e = 0.5 + 0.3 * ufl.sin(pi * x[0]) * ufl.cos(pi * x[1])
    u_e = 0.05 * ufl.as_vector([ufl.sin(pi * x[0]) * ufl.cos(0.5 * pi * x[1]),
                                ufl.cos(pi * x[0]) * ufl.sin(pi * x[1]) + x[0] * x[1]])
    # strong form: −div σ = f, div J = s with J = −c D ∇θ + coef ∇σ_h (c_max = 1)
    I = coords.identity()
    # plane-strain ε(u_e) written out here, not taken from the solver's coords.strain
    g = ufl.grad(u_e)
    eps_e = ufl.as_tensor([[g[0, 0], 0.5 * (g[0, 1] + g[1, 0]), 0.0],
                           [0.5 * (g[0, 1] + g[1, 0]), g[1, 1], 0.0], [0.0, 0.0, 0.0]])
    sig_e = stress_design(eps_e, theta_e, I)
    f = ufl.as_vector([-(sig_e[i, 0].dx(0) + sig_e[i, 1].dx(1)) for i in range(2)])
    sh_e = ufl.tr(sig_e) / 3.0
    J_e = -d_design(theta_e) * ufl.grad(theta_e) + coef_design(theta_e) * ufl.grad(sh_e)
    s = ufl.div(J_e)

    V_u = dolfinx.fem.functionspace(mesh, ("Lagrange", 2, (2,)))
    V_t = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
    V_s = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
    u, th, th_n, sh = (dolfinx.fem.Function(V_u), dolfinx.fem.Function(V_t),
                       dolfinx.fem.Function(V_t), dolfinx.fem.Function(V_s))
    th_expr = dolfinx.fem.Expression(theta_e, V_t.element.interpolation_points)
    u_expr = dolfinx.fem.Expression(u_e, V_u.element.interpolation_points)
    th_n.interpolate(th_expr)
    th.x.array[:] = 0.5
    dt = dolfinx.fem.Constant(mesh, DT)
    dxq = ufl.dx(metadata={"quadrature_degree": 8})
    F = coupled_residuals(
        u, th, th_n, sh, dt, coords=coords, E=E, nu=nu, eps_ch=eps_ch, c_max=1.0,
        mobility=D, stress_mobility=coef if coupled_solver else (lambda t: 0.0 * t),
        influx=[],
        length=1.0, e_ref=1.0, volume=1.0,
        c_ref=DT,  # scales the θ rows by 1/Δt: O(1) like the others in the steady limit
        body_force=f, source=s, source_dx=dxq,
    )
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    facets = dolfinx.mesh.exterior_facet_indices(mesh.topology)
    g_u, g_t = dolfinx.fem.Function(V_u), dolfinx.fem.Function(V_t)
    g_u.interpolate(u_expr)
    g_t.interpolate(th_expr)
    bcs = [dolfinx.fem.dirichletbc(g_u, dolfinx.fem.locate_dofs_topological(V_u, tdim - 1, facets)),
           dolfinx.fem.dirichletbc(g_t, dolfinx.fem.locate_dofs_topological(V_t, tdim - 1, facets))]
    settings = SimpleNamespace(newton_rtol=1e-11, newton_atol=1e-13, newton_max_iterations=25)
    problem = dolfinx.fem.petsc.NonlinearProblem(
        F, [u, th, sh], bcs=bcs, kind="mpi", petsc_options_prefix=f"mms_coupled_{n}_",
        petsc_options=snes_options(settings))
    problem.solve()
    reason = problem.solver.getConvergedReason()
    assert reason > 0, f"Newton failed (reason {reason})"

    def norm(e):
        return np.sqrt(comm.allreduce(dolfinx.fem.assemble_scalar(dolfinx.fem.form(e * dxq)),
                                      op=MPI.SUM))

    et, eu = th - theta_e, u - u_e
    return (1.0 / n, norm(et**2), norm(ufl.inner(ufl.grad(et), ufl.grad(et))),
            norm(ufl.inner(eu, eu)), norm(ufl.inner(ufl.grad(eu), ufl.grad(eu))))


def _rate(h, e):
    return np.polyfit(np.log(h), np.log(e), 1)[0]


def test_mms_coupled_orders_plane_strain():
    h, t_l2, t_h1, u_l2, u_h1 = np.array([_solve(n) for n in MESHES]).T
    rates = {"theta L2": _rate(h, t_l2), "theta H1": _rate(h, t_h1), "u L2": _rate(h, u_l2),
             "u H1": _rate(h, u_h1)}
    assert rates["theta L2"] > THETA_L2_ORDER - ORDER_TOL, (t_l2, rates)
    assert rates["theta H1"] > THETA_H1_ORDER - ORDER_TOL, (t_h1, rates)
    assert rates["u H1"] > U_H1_ORDER - ORDER_TOL, (u_h1, rates)
    assert rates["u L2"] > U_H1_ORDER - ORDER_TOL, (u_l2, rates)  # see the module docstring
    assert t_l2[-1] < 1e-3 and u_h1[-1] < 1e-3


def test_mms_coupled_detects_a_missing_coupling_term():
    """The same source, but the solver without the stress-driven flux: θ converges to the
    wrong field, so the observed L2 order collapses (the MMS can fail)."""
    h, t_l2, *_ = np.array([_solve(n, coupled_solver=False) for n in MESHES[:3]]).T
    assert _rate(h, t_l2) < 0.5, t_l2
    assert t_l2[-1] > 1e-2


# ------------------------------------------------------------------ through the simulation
R = 4e-6
COUPLING_TOL = 1e-10
AGREE = 10 * COUPLING_TOL  # θ; the staggered stop criterion bounds the last change only


def _case(scheme, loading="galvanostatic", beta=2.8, coupling="two_way"):
    case = sphere_case(mode="axisymmetric", radius=R, size=R / 8)
    core = case["materials"]["core"]
    core["volume_expansion"] = beta
    core["youngs_modulus"] = {"kind": "linear", "unlithiated": 185e9, "lithiated": 35e9}
    core["diffusivity"] = {"kind": "constant", "value": 1e-14}
    if loading == "galvanostatic":
        case["loading"] = {"kind": "galvanostatic", "specific_current": "8 A/g",
                           "surfaces": ["outer_surface"]}
        dt, steps = 2.0, 6
    else:
        case["loading"] = {"kind": "potentiostatic", "surface_theta": 0.5, "ramp_time": 4.0,
                           "surfaces": ["outer_surface"]}
        dt, steps = 0.1, 3
    # a fixed dt: both schemes take the same steps whatever their Newton counts
    case["time"] = {"dt_initial": dt, "dt_max": dt, "max_dtheta": 0.5, "output_every": 1000}
    case["stop"] = {"time": steps * dt}
    case["output"]["probes"] = [{"name": "centre", "point": [0.0, 0.0]}]
    case["coupling"] = coupling
    case["solver"] = {"coupling_tolerance": COUPLING_TOL, "coupling_scheme": scheme}
    return case


THETA_COLUMNS = ("probe centre: lithiation fraction [-]",
                 "outer_surface: mean lithiation fraction [-]",
                 "mean lithiation fraction [-]")


@pytest.mark.parametrize("loading", ["galvanostatic", "potentiostatic"])
def test_monolithic_agrees_with_staggered(tmp_path, loading):
    _, a = run_case(_case("staggered", loading), tmp_path / "s")
    sim, b = run_case(_case("monolithic", loading), tmp_path / "m")
    assert sim.coupled is not None
    assert len(a.history) == len(b.history) > 3
    stress = "outer_surface: mean hoop stress [Pa]"
    scale = max(abs(r[stress]) for r in a.history)
    for ra, rb in zip(a.history, b.history):
        assert rb["time [s]"] == pytest.approx(ra["time [s]"], rel=1e-12)
        for key in THETA_COLUMNS:
            assert rb[key] == pytest.approx(ra[key], abs=AGREE), key
        assert rb[stress] == pytest.approx(ra[stress], abs=1e-6 * scale)
    if loading == "galvanostatic":
        assert max(r["Li balance error [-]"] for r in b.history[1:]) < 1e-10
    # the coupling matters here: the stress drives Li inward, away from the surface
    _, c = run_case(_case("monolithic", loading, coupling="one_way"), tmp_path / "o")
    key = "outer_surface: mean lithiation fraction [-]" if loading == "galvanostatic" else \
        "mean lithiation fraction [-]"
    sign = 1.0 if loading == "galvanostatic" else -1.0
    assert sign * (c.history[-1][key] - b.history[-1][key]) > 1e3 * AGREE, (
        c.history[-1][key], b.history[-1][key])


def test_monolithic_reduces_to_one_way_without_swelling(tmp_path):
    _, a = run_case(_case("monolithic", beta=1e-9, coupling="one_way"), tmp_path / "a")
    _, b = run_case(_case("monolithic", beta=1e-9), tmp_path / "b")
    assert len(a.history) == len(b.history) > 3
    for ra, rb in zip(a.history, b.history):
        for key in THETA_COLUMNS:
            assert rb[key] == pytest.approx(ra[key], abs=1e-9), key
