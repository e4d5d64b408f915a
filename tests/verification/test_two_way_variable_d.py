"""Two-way coupling with a θ-dependent diffusivity, found by mutation testing: the
stress-driven flux taken with D at θ = 0 instead of D(θ) went unnoticed (the quantitative
two-way test, test_two_way_sphere.py, has a constant D).

DESIGN §3: J = −c_max D(θ) [∇θ − (Ω θ / R T) ∇σ_h]. In a free sphere with a radial θ(r)
and constant E, ν, σ_h = 2 β_V E (θ̄ − θ) / (9 (1 − ν)) (test_two_way_sphere.py), so
J = −c_max D(θ) (1 + κ θ) ∇θ. With D = D₀ exp(m θ) the run must follow the one-way radial
equation u_τ = x⁻² (x² e^{m u} (1 + κ u) u_x)_x (τ = D₀ t / R²), solved here by finite
volumes. With D₀ in the coupling the effective diffusivity is D₀ (e^{m θ} + κ θ): 27 % lower
at the surface (θ ≈ 0.36) at τ = 0.1, which moved θ there by 0.015 and at the centre by
0.019. Measured (τ = 0.1, the mesh and steps of test_two_way_sphere.py, lumped storage):
centre 3.3e-4, surface 5e-5 off the reference; tolerance THETA_TOL = 3e-3 as there.
"""

from __future__ import annotations

import numpy as np
import pytest

from chemomech_testing import run_case
from verification.test_two_way_sphere import D, KAPPA, KHAT, TAUS, THETA_TOL, _case, _rows

M = 2.0  # D(θ) = D₀ exp(M θ): 1.8 × D₀ at θ = 0.3


def radial_reference(kappa, khat, taus, m, n=800):
    """u_τ = x⁻² (x² e^{m u} (1 + κ u) u_x)_x on 0 < x < 1, e^{m u} (1 + κ u) u_x = khat at
    x = 1, u(τ = 0) = 0: finite volumes on n equal cells. Returns (centre θ, surface θ)."""
    from scipy.integrate import solve_ivp
    from scipy.sparse import diags

    xf = np.linspace(0.0, 1.0, n + 1)
    vol = (xf[1:] ** 3 - xf[:-1] ** 3) / 3.0
    area = xf[1:-1] ** 2
    dx = 1.0 / n

    def d_eff(u):
        return np.exp(m * u) * (1 + kappa * u)

    def rhs(_, u):
        flux = area * d_eff(0.5 * (u[1:] + u[:-1])) * (u[1:] - u[:-1]) / dx
        f = np.zeros(n)
        f[:-1] += flux
        f[1:] -= flux
        f[-1] += khat
        return f / vol

    sol = solve_ivp(rhs, (0.0, max(taus)), np.zeros(n), method="BDF", t_eval=list(taus),
                    rtol=1e-9, atol=1e-12,
                    jac_sparsity=diags([np.ones(n - 1), np.ones(n), np.ones(n - 1)], [-1, 0, 1]))
    U = sol.y.T
    return U[:, 0], U[:, -1] + 0.5 * dx * khat / d_eff(U[:, -1])


def test_two_way_sphere_with_an_exponential_diffusivity(tmp_path):
    centre, surface = radial_reference(KAPPA, KHAT, TAUS, M)
    case = _case("two_way", lumped=True)
    case["materials"]["core"]["diffusivity"] = {"kind": "exponential", "d0": D, "exponent": M}
    _, result = run_case(case, tmp_path)
    row = _rows(result)[-1]  # τ = 0.1
    assert row["mean lithiation fraction [-]"] == pytest.approx(3 * KHAT * TAUS[-1], rel=1e-9)
    got_c = row["probe centre: lithiation fraction [-]"]
    got_s = row["outer_surface: mean lithiation fraction [-]"]
    assert abs(got_s - surface[-1]) < THETA_TOL, (got_s, surface[-1])
    assert abs(got_c - centre[-1]) < THETA_TOL, (got_c, centre[-1])
