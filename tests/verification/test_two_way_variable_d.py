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

from verification.test_two_way_sphere import (D, KAPPA, KHAT, TAUS, _case,
                                              assert_follows_at_the_last_tau, radial_reference)

M = 2.0  # D(θ) = D₀ exp(M θ): 1.8 × D₀ at θ = 0.3


def test_two_way_sphere_with_an_exponential_diffusivity(tmp_path):
    centre, surface, _ = radial_reference(KAPPA, KHAT, TAUS, d=lambda u: np.exp(M * u))
    case = _case("two_way", lumped=True)
    case["materials"]["core"]["diffusivity"] = {"kind": "exponential", "d0": D, "exponent": M}
    assert_follows_at_the_last_tau(case, tmp_path, centre, surface)
