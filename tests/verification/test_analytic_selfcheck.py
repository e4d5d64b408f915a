"""Self-checks of the analytic oracles in ``analytic.py`` (fast, no FE).

Each oracle is checked against properties it must satisfy independently of the
formula that produced it: the governing ODE/PDE (by finite differences),
boundary conditions, known limits, published reference numbers
(Cheng & Verbrugge, J. Power Sources 190 (2009) 453; DESIGN §8), hand-derived
closed forms, and an independent linear-system solution of the Lamé problem.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from .analytic import (
    cv_concentration,
    cv_eigenvalues,
    cv_mean_concentration,
    cv_scales,
    cv_stress,
    lame_core_shell,
    lame_core_shell_fields,
    sphere_displacement_from_profile,
    sphere_stress_from_profile,
)

# ---------------------------------------------------------------------------
# Cheng & Verbrugge
# ---------------------------------------------------------------------------


def test_cv_eigenvalues_known_roots_and_brackets():
    lam = cv_eigenvalues(200)
    assert lam.shape == (200,)
    assert lam[0] == pytest.approx(4.4934094579, abs=1e-9)
    assert lam[1] == pytest.approx(7.7252518369, abs=1e-9)
    assert lam[2] == pytest.approx(10.9041216594, abs=1e-9)
    k = np.arange(1, 201)
    assert np.all(lam > k * np.pi) and np.all(lam < k * np.pi + np.pi / 2)
    # tan(l) = l, written without the pole: sin l - l cos l = 0 (relative to l)
    assert np.max(np.abs(np.sin(lam) - lam * np.cos(lam)) / lam) < 1e-13
    assert cv_eigenvalues(0).shape == (0,)


def test_cv_concentration_centre_limit():
    c0 = cv_concentration(0.0, 0.1)
    c_eps = cv_concentration(1e-7, 0.1)
    assert np.isfinite(c0)
    assert c0 == pytest.approx(c_eps, abs=1e-10)


def test_cv_concentration_flux_bc():
    # D dc/dr = j at r = R  <=>  d(c/K)/dx = 1 at x = 1 (one-sided, 2nd order)
    h = 1e-4
    for tau in (0.02, 0.1, 0.5):
        f = cv_concentration(np.array([1.0, 1.0 - h, 1.0 - 2 * h]), tau, n_terms=400)
        dcdx = (3 * f[0] - 4 * f[1] + f[2]) / (2 * h)
        assert dcdx == pytest.approx(1.0, abs=1e-4)


def test_cv_concentration_satisfies_diffusion_equation():
    # c_tau = c_xx + (2/x) c_x at interior points, central differences
    x = np.array([0.2, 0.5, 0.8, 0.95])
    tau, h, k = 0.05, 1e-3, 1e-5
    c_t = (cv_concentration(x, tau + k) - cv_concentration(x, tau - k)) / (2 * k)
    cp = cv_concentration(x + h, tau)
    c0 = cv_concentration(x, tau)
    cm = cv_concentration(x - h, tau)
    lap = (cp - 2 * c0 + cm) / h**2 + (2 / x) * (cp - cm) / (2 * h)
    np.testing.assert_allclose(c_t, lap, atol=1e-4)


def test_cv_concentration_initial_condition():
    # uniform initial state: interior stays ~0 at very early time
    c = cv_concentration(np.array([0.0, 0.3, 0.6, 0.8]), 1e-4)
    assert np.max(np.abs(c)) < 1e-6


@pytest.mark.parametrize("tau", [0.01, 0.1, 0.37, 2.0])
def test_cv_mean_concentration_is_3tau(tau):
    mean, _ = quad(
        lambda x: 3 * x * x * float(cv_concentration(x, tau)), 0.0, 1.0, epsabs=1e-12, limit=200
    )
    assert mean == pytest.approx(3 * tau, abs=1e-8)
    assert cv_mean_concentration(tau) == pytest.approx(3 * tau)


def test_cv_stress_reference_values_tau_0p1():
    """DESIGN §8 item 3: centre 0.16008 S, surface hoop -0.18676 S at tau = 0.1."""
    sr, st = cv_stress(np.array([0.0, 1.0]), 0.1)
    assert sr[0] == pytest.approx(0.16008, abs=1e-4)
    assert st[0] == pytest.approx(0.16008, abs=1e-4)
    assert st[1] == pytest.approx(-0.18676, abs=1e-4)
    assert sr[1] == pytest.approx(0.0, abs=1e-12)  # traction-free surface


def test_cv_stress_centre_limit_continuous():
    x = np.array([0.0, 1e-8, 1e-5, 1e-3, 0.011, 0.012])  # crosses the small-z Taylor switch
    sr, st = cv_stress(x, 0.1)
    assert sr[0] == pytest.approx(st[0], abs=1e-14)
    np.testing.assert_allclose(sr[:4], sr[0], atol=1e-5)
    np.testing.assert_allclose(st[:4], st[0], atol=1e-5)
    # smooth across the Taylor/closed-form switch for lambda_n x = 0.05
    xs = np.linspace(1e-4, 0.02, 400)
    sr_s, st_s = cv_stress(xs, 0.1)
    assert np.max(np.abs(np.diff(sr_s, 2))) < 1e-6
    assert np.max(np.abs(np.diff(st_s, 2))) < 1e-6


def test_cv_stress_long_time_limits():
    x = np.linspace(0.0, 1.0, 11)
    sr, st = cv_stress(x, 5.0)
    np.testing.assert_allclose(sr, (1 - x**2) / 5, atol=1e-12)
    np.testing.assert_allclose(st, (1 - 2 * x**2) / 5, atol=1e-12)


def test_cv_stress_equilibrium():
    x = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    h = 1e-4
    for tau in (0.02, 0.1, 0.3):
        srp, _ = cv_stress(x + h, tau)
        srm, _ = cv_stress(x - h, tau)
        sr, st = cv_stress(x, tau)
        resid = (srp - srm) / (2 * h) + 2 * (sr - st) / x
        assert np.max(np.abs(resid)) < 1e-6


def test_cv_stress_matches_quadrature_of_profile():
    """Closed-form xi-integrals vs numerical quadrature of the thermal analogue.

    With R = 1, beta_V = 3 (alpha = 1), E = 0.75, nu = 0.25 the prefactor
    alpha E/(1-nu) is 1, so sphere_stress_from_profile returns sigma/S.
    """
    tau = 0.1
    x = np.array([0.0, 1e-3, 0.25, 0.5, 0.75, 0.99, 1.0])
    sr_q, st_q = sphere_stress_from_profile(
        x, 1.0, lambda r: float(cv_concentration(r, tau)), E=0.75, nu=0.25, beta_v=3.0
    )
    sr, st = cv_stress(x, tau)
    np.testing.assert_allclose(sr, sr_q, atol=1e-9)
    np.testing.assert_allclose(st, st_q, atol=1e-9)


def test_cv_scales():
    K, S = cv_scales(j=2e-4, R=1e-6, D=1e-15, omega=9e-6, E=80e9, nu=0.22)
    assert K == pytest.approx(2e-4 * 1e-6 / 1e-15)
    assert S == pytest.approx(9e-6 * 80e9 * K / (3 * 0.78))


# ---------------------------------------------------------------------------
# Thermal-analogue sphere with prescribed theta(r)
# ---------------------------------------------------------------------------

R0, E0, NU0, BV0 = 2e-6, 80e9, 0.22, 2.8


def _tanh_profile(r):
    return 0.4 + 0.3 * np.tanh((r - 0.6 * R0) / (0.1 * R0))


def test_profile_uniform_is_stress_free():
    r = np.linspace(0.0, R0, 9)
    theta = 0.37
    sr, st = sphere_stress_from_profile(r, R0, lambda _r: theta, E0, NU0, BV0, theta_ref=0.05)
    scale = BV0 / 3 * E0 / (1 - NU0) * 0.32
    assert np.max(np.abs(sr)) < 1e-10 * scale
    assert np.max(np.abs(st)) < 1e-10 * scale
    u = sphere_displacement_from_profile(r, R0, lambda _r: theta, E0, NU0, BV0, theta_ref=0.05)
    np.testing.assert_allclose(u, BV0 * (theta - 0.05) * r / 3, rtol=1e-10, atol=1e-22)
    u0 = sphere_displacement_from_profile(r, R0, lambda _r: theta, E0, NU0, BV0)
    np.testing.assert_allclose(u0, BV0 * theta * r / 3, rtol=1e-10, atol=1e-22)


def test_profile_quadratic_closed_form():
    """theta = a r^2 (theta_ref = 0): J(r) = a r^5/5, so with k = alpha E/(1-nu)
    sigma_r = 2 k a (R^2 - r^2)/5, sigma_theta = k a (2R^2 - 4r^2)/5,
    u = alpha a [(1+nu)/(1-nu) r^3/5 + 2(1-2nu)/(1-nu) r R^2/5]."""
    a = 0.5 / R0**2
    r = np.linspace(0.0, R0, 7)
    alpha = BV0 / 3
    k = alpha * E0 / (1 - NU0)
    sr, st = sphere_stress_from_profile(r, R0, lambda x: a * x * x, E0, NU0, BV0)
    np.testing.assert_allclose(sr, 2 * k * a * (R0**2 - r**2) / 5, rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(st, k * a * (2 * R0**2 - 4 * r**2) / 5, rtol=1e-10, atol=1e-6)
    u = sphere_displacement_from_profile(r, R0, lambda x: a * x * x, E0, NU0, BV0)
    u_ref = alpha * a * (
        (1 + NU0) / (1 - NU0) * r**3 / 5 + 2 * (1 - 2 * NU0) / (1 - NU0) * r * R0**2 / 5
    )
    np.testing.assert_allclose(u, u_ref, rtol=1e-10, atol=1e-22)


def test_profile_free_surface_and_centre():
    sr, st = sphere_stress_from_profile(np.array([0.0, R0]), R0, _tanh_profile, E0, NU0, BV0, 0.1)
    scale = BV0 / 3 * E0 / (1 - NU0)
    assert abs(sr[1]) < 1e-10 * scale
    assert sr[0] == pytest.approx(st[0], abs=1e-10 * scale)


def test_profile_equilibrium():
    r = np.linspace(0.1, 0.9, 9) * R0
    h = 1e-4 * R0
    sr, st = sphere_stress_from_profile(r, R0, _tanh_profile, E0, NU0, BV0)
    srp, _ = sphere_stress_from_profile(r + h, R0, _tanh_profile, E0, NU0, BV0)
    srm, _ = sphere_stress_from_profile(r - h, R0, _tanh_profile, E0, NU0, BV0)
    resid = (srp - srm) / (2 * h) + 2 * (sr - st) / r
    scale = BV0 / 3 * E0 / (1 - NU0) / R0
    assert np.max(np.abs(resid)) < 1e-6 * scale


def test_profile_displacement_consistent_with_stress():
    """Hooke's law with eigenstrain applied to u_r (finite differences) must give sigma."""
    r = np.linspace(0.1, 0.95, 8) * R0
    h = 1e-5 * R0
    th_ref = 0.1
    args = (R0, _tanh_profile, E0, NU0, BV0, th_ref)
    u = sphere_displacement_from_profile(r, *args)
    up = sphere_displacement_from_profile(r + h, *args)
    um = sphere_displacement_from_profile(r - h, *args)
    du = (up - um) / (2 * h)
    eps_r, eps_t = du, u / r
    alpha_c = BV0 / 3 * (_tanh_profile(r) - th_ref)
    f = E0 / ((1 + NU0) * (1 - 2 * NU0))
    sr_h = f * ((1 - NU0) * eps_r + 2 * NU0 * eps_t) - E0 * alpha_c / (1 - 2 * NU0)
    st_h = f * (NU0 * eps_r + eps_t) - E0 * alpha_c / (1 - 2 * NU0)
    sr, st = sphere_stress_from_profile(r, *args)
    scale = BV0 / 3 * E0 / (1 - NU0)
    np.testing.assert_allclose(sr_h, sr, atol=1e-6 * scale)
    np.testing.assert_allclose(st_h, st, atol=1e-6 * scale)


def test_profile_rejects_radii_outside_sphere():
    with pytest.raises(ValueError):
        sphere_stress_from_profile(np.array([1.1 * R0]), R0, _tanh_profile, E0, NU0, BV0)


# ---------------------------------------------------------------------------
# Lamé core-shell
# ---------------------------------------------------------------------------


def _lame_linear_system(a, b, E1, nu1, E2, nu2, e1, e2):
    """Independent two-region Lamé solution.

    u = A1 r (core, B1 = 0 for regularity), u = A2 r + B2/r^2 (shell).
    sigma_r = 3K (A - eps*) - 4 mu B / r^3 with K = E/(3(1-2nu)), mu = E/(2(1+nu)).
    Unknowns (A1, A2, B2): u and sigma_r continuous at a, sigma_r(b) = 0.
    """
    K1, K2 = E1 / (3 * (1 - 2 * nu1)), E2 / (3 * (1 - 2 * nu2))
    mu2 = E2 / (2 * (1 + nu2))
    M = np.array(
        [
            [a, -a, -1 / a**2],
            [3 * K1, -3 * K2, 4 * mu2 / a**3],
            [0.0, 3 * K2, -4 * mu2 / b**3],
        ]
    )
    rhs = np.array([0.0, 3 * K1 * e1 - 3 * K2 * e2, 3 * K2 * e2])
    A1, A2, B2 = np.linalg.solve(M, rhs)
    p = -(3 * K1 * (A1 - e1))
    hoop_a = 3 * K2 * (A2 - e2) + 2 * mu2 * B2 / a**3
    return p, hoop_a, (A1, A2, B2, K1, K2, mu2)


LAME_CASES = [
    # a, b, E1, nu1, E2, nu2, eps1*, eps2*
    (1e-6, 1.2e-6, 80e9, 0.22, 150e9, 0.3, 0.05, 0.0),
    (1e-6, 3e-6, 185e9, 0.22, 35e9, 0.22, 0.3, 0.1),
    (0.5, 0.51, 1.0, 0.0, 10.0, 0.45, -0.01, 0.02),
    (2e-6, 2.5e-6, 50e9, 0.36, 55e9, 0.3, 0.2, 0.15),
]


@pytest.mark.parametrize("case", LAME_CASES)
def test_lame_formula_matches_linear_system(case):
    p, hoop = lame_core_shell(*case)
    p_ls, hoop_ls, (A1, A2, B2, K1, K2, mu2) = _lame_linear_system(*case)
    assert p == pytest.approx(p_ls, rel=1e-10)
    assert hoop == pytest.approx(hoop_ls, rel=1e-10)
    # full fields
    a, b, E1, nu1, E2, nu2, e1, e2 = case
    r = np.concatenate([np.linspace(0.0, a, 5, endpoint=False), np.linspace(a, b, 6)])
    sr, st, u = lame_core_shell_fields(r, *case)
    core = r < a
    rs = r[~core]
    np.testing.assert_allclose(u[core], A1 * r[core], rtol=1e-10, atol=1e-30)
    np.testing.assert_allclose(u[~core], A2 * rs + B2 / rs**2, rtol=1e-10)
    sr_ls = 3 * K2 * (A2 - e2) - 4 * mu2 * B2 / rs**3
    st_ls = 3 * K2 * (A2 - e2) + 2 * mu2 * B2 / rs**3
    scale = max(abs(p), 1e-300)
    np.testing.assert_allclose(sr[~core], sr_ls, atol=1e-9 * scale)
    np.testing.assert_allclose(st[~core], st_ls, atol=1e-9 * scale)
    np.testing.assert_allclose(sr[core], -p, rtol=1e-12)
    assert abs(sr[-1]) < 1e-10 * scale  # free outer surface


def test_lame_equal_eigenstrain_no_stress():
    p, hoop = lame_core_shell(1e-6, 1.5e-6, 80e9, 0.22, 150e9, 0.3, 0.07, 0.07)
    assert p == 0.0 and hoop == 0.0
    r = np.linspace(0, 1.5e-6, 7)
    sr, st, u = lame_core_shell_fields(r, 1e-6, 1.5e-6, 80e9, 0.22, 150e9, 0.3, 0.07, 0.07)
    assert np.all(sr == 0) and np.all(st == 0)
    np.testing.assert_allclose(u, 0.07 * r, rtol=1e-14)


def test_lame_soft_shell_limit():
    ps = [
        lame_core_shell(1e-6, 1.5e-6, 80e9, 0.22, E2, 0.3, 0.05, 0.0)[0]
        for E2 in (1e9, 1e6, 1e3)
    ]
    assert ps[0] > ps[1] > ps[2] > 0
    assert ps[2] < 1e-5 * ps[0]


def test_lame_thin_shell_limit():
    """t = b - a << a: b^3 - a^3 ~ 3 a^2 t, shell compliance -> (1-nu2) a/(2 E2 t),
    hoop -> p a/(2t) (Laplace). Relative error O(t/a)."""
    a, E1, nu1, E2, nu2, d = 1e-6, 80e9, 0.22, 150e9, 0.3, 0.02
    for t_over_a in (1e-2, 1e-3):
        t = t_over_a * a
        p, hoop = lame_core_shell(a, a + t, E1, nu1, E2, nu2, d, 0.0)
        p_thin = d / ((1 - 2 * nu1) / E1 + (1 - nu2) * a / (2 * E2 * t))
        assert p == pytest.approx(p_thin, rel=3 * t_over_a)
        assert hoop == pytest.approx(p * a / (2 * t), rel=3 * t_over_a)


def test_lame_rejects_bad_geometry():
    with pytest.raises(ValueError):
        lame_core_shell(2.0, 1.0, 1.0, 0.3, 1.0, 0.3, 0.1, 0.0)
