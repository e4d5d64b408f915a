"""A sharp two_phase D(θ) (a small width, θ far from theta_star) keeps a finite Jacobian: UFL
differentiates tanh(y) as (2 cosh y / (cosh 2y + 1))², which is inf/inf = NaN once |y| > 710,
e.g. width 0.001 at θ = 0 with theta_star = 0.8 (a valid case that then failed its first
step with 'SNES reason -3 (linear solve failed)')."""

from __future__ import annotations

import math
from types import SimpleNamespace

from solver import _bootstrap  # noqa: F401
from mpi4py import MPI  # noqa: E402

import dolfinx  # noqa: E402
import ufl  # noqa: E402


def _integral(expr, mesh) -> float:
    return dolfinx.fem.assemble_scalar(dolfinx.fem.form(expr * ufl.dx(domain=mesh)))


def test_sharp_two_phase_diffusivity_has_a_finite_derivative():
    from solver.materials import diffusivity_law

    mesh = dolfinx.mesh.create_unit_interval(MPI.COMM_SELF, 2)
    V = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
    theta = dolfinx.fem.Function(V)
    one = dolfinx.fem.Function(V)  # the direction of the Gateaux derivative (what Newton sees)
    one.x.array[:] = 1.0
    dp, dr, ts, w = 2e-17, 2e-15, 0.8, 1e-3
    D = diffusivity_law(SimpleNamespace(kind="two_phase", pristine=dp, lithiated=dr,
                                        theta_star=ts, width=w))
    for value in (0.0, -0.3, 1.0, 1.7, 0.8005, 0.79):  # |θ − θ*|/w up to 1100; and on the step
        theta.x.array[:] = value
        y = (value - ts) / w
        d = _integral(D(theta), mesh)
        dd = _integral(ufl.derivative(D(theta), theta, one), mesh)
        exact = dp + (dr - dp) * 0.5 * (1.0 + math.tanh(y))
        exact_dd = (dr - dp) * 0.5 / w * (1.0 - math.tanh(y) ** 2)
        assert math.isfinite(d) and math.isfinite(dd), (value, d, dd)
        assert abs(d - exact) <= 1e-12 * exact, (value, d, exact)
        assert abs(dd - exact_dd) <= 1e-12 * (dr - dp) / w, (value, dd, exact_dd)
