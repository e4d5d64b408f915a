"""Analytic reference solutions (oracles) for the chemomech verification ladder.

Pure NumPy/SciPy, SI units throughout. Each function documents its source and
its conventions; the FE verification tests compare the solver against these
(DESIGN.md §8).

Contents
--------
1. Cheng & Verbrugge galvanostatic sphere (DESIGN §8 item 3):
   ``cv_eigenvalues``, ``cv_concentration``, ``cv_mean_concentration``,
   ``cv_stress``, ``cv_scales``.
   Source: Y.-T. Cheng and M. W. Verbrugge, "Evolution of stress within a
   spherical insertion electrode particle under potentiostatic and
   galvanostatic operation", J. Power Sources 190 (2009) 453-460.
   Diffusion series: H. S. Carslaw and J. C. Jaeger, *Conduction of Heat in
   Solids*, 2nd ed. (1959), §9.3 (sphere with constant surface flux).
2. Thermal-analogue free sphere with a prescribed radial swelling field
   (DESIGN §8 item 2): ``sphere_stress_from_profile``,
   ``sphere_displacement_from_profile``.
   Source: S. P. Timoshenko and J. N. Goodier, *Theory of Elasticity*, 3rd ed.
   (1970), §152 (thermal stresses in a solid sphere), with the analogy
   alpha*T <-> Omega*c_tilde/3 = beta_V*(theta - theta_ref)/3.
3. Core-shell sphere with eigenstrain mismatch (Lamé, DESIGN §8 item 4):
   ``lame_core_shell``, ``lame_core_shell_fields``.
   Source: G. Lamé, *Leçons sur la théorie mathématique de l'élasticité des
   corps solides* (1852); the thick-walled sphere under internal pressure,
   e.g. Timoshenko & Goodier §141.

Conventions
-----------
* Tension positive. Radial stress ``sigma_r``, hoop stress
  ``sigma_theta`` (= sigma_phi in a sphere under radial symmetry).
* Chemical eigenstrain is the "linear" (Vegard) law of DESIGN §3:
  ``eps_ch = beta_V (theta - theta_ref) / 3 * I`` = ``Omega (c - c_ref)/3 * I``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq

__all__ = [
    "cv_eigenvalues",
    "cv_concentration",
    "cv_mean_concentration",
    "cv_stress",
    "cv_scales",
    "sphere_stress_from_profile",
    "sphere_displacement_from_profile",
    "lame_core_shell",
    "lame_core_shell_fields",
]

# ---------------------------------------------------------------------------
# 1. Cheng & Verbrugge (2009): galvanostatic sphere, constant D
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _cv_eigenvalues_cached(n: int) -> tuple[float, ...]:
    roots = []
    for k in range(1, n + 1):
        # f(l) = sin l - l cos l vanishes exactly where tan l = l (cos l != 0).
        # f(k pi) = -k pi (-1)^k and f(k pi + pi/2) = (-1)^k: opposite signs,
        # and f' = l sin l does not vanish inside, so the root is unique.
        lo = k * np.pi
        hi = k * np.pi + 0.5 * np.pi
        roots.append(
            brentq(lambda lam: np.sin(lam) - lam * np.cos(lam), lo, hi, xtol=1e-14, rtol=1e-15)
        )
    return tuple(roots)


def cv_eigenvalues(n: int) -> np.ndarray:
    """First ``n`` positive roots of ``tan(lambda) = lambda``.

    The k-th root (k = 1, 2, ...) lies in ``(k pi, k pi + pi/2)``; each is
    bracketed there and found with Brent's method on
    ``sin(l) - l cos(l) = 0`` (same zeros, no poles). Results are cached.

    Source: Cheng & Verbrugge, J. Power Sources 190 (2009) 453, eq. for
    lambda_n; Carslaw & Jaeger (1959) §9.3.

    Args:
        n: number of roots (>= 0).

    Returns:
        Array of shape ``(n,)``, dimensionless, increasing
        (4.4934094579, 7.7252518369, 10.904121659, ...).
    """
    if n < 0:
        raise ValueError("n must be non-negative")
    return np.array(_cv_eigenvalues_cached(int(n)), dtype=float)


def _sin_over_x(lam: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sin(lam*x)/x with its limit lam at x = 0 (broadcasting)."""
    z = lam * x
    safe = np.where(x == 0.0, 1.0, x)
    return np.where(x == 0.0, lam, np.sin(z) / safe)


def _mom_over_x3(lam: np.ndarray, x: np.ndarray) -> np.ndarray:
    """x^-3 * int_0^x xi sin(lam xi) dxi = (sin z - z cos z)/(lam^2 x^3), z = lam x.

    Uses the Taylor series of (sin z - z cos z) = z^3/3 - z^5/30 + z^7/840
    - z^9/45360 + ... for small z to avoid cancellation (limit lam/3 at x=0).
    """
    z = lam * x
    small = np.abs(z) < 0.05
    z_s = np.where(small, z, 0.0)
    z2 = z_s * z_s
    # (sin z - z cos z)/z^3 by Taylor, times lam^3 / lam^2 = lam
    taylor = lam * (1.0 / 3.0 - z2 / 30.0 + z2 * z2 / 840.0 - z2 * z2 * z2 / 45360.0)
    z_l = np.where(small, 1.0, z)
    x_l = np.where(small, 1.0, x)
    exact = (np.sin(z_l) - z_l * np.cos(z_l)) / (lam**2 * x_l**3)
    return np.where(small, taylor, exact)


def _cv_series_parts(x, tau, n_terms):
    x = np.asarray(x, dtype=float)
    tau = np.asarray(tau, dtype=float)
    if np.any(x < 0.0) or np.any(x > 1.0 + 1e-12):
        raise ValueError("x = r/R must lie in [0, 1]")
    if np.any(tau < 0.0):
        raise ValueError("tau must be non-negative")
    x_b, tau_b = np.broadcast_arrays(x, tau)
    lam = cv_eigenvalues(n_terms)
    lam_e = lam.reshape((1,) * x_b.ndim + (-1,))
    xe = x_b[..., None]
    te = tau_b[..., None]
    # coefficient a_n(tau) = exp(-lam^2 tau) / (lam^2 sin lam)
    coef = np.exp(-(lam_e**2) * te) / (lam_e**2 * np.sin(lam_e))
    return x_b, tau_b, lam_e, xe, coef


def cv_concentration(x, tau, n_terms: int = 200) -> np.ndarray:
    """Dimensionless concentration change ``c_tilde / K``, galvanostatic sphere.

    Solves ``dc/dt = D (1/r^2) d/dr(r^2 dc/dr)`` on ``0 <= r <= R`` with
    ``c(r, 0) = c0`` and a constant *inward* molar flux ``j`` at ``r = R``
    (``D dc/dr|_R = j``)::

        c_tilde/K = 3 tau + x^2/2 - 3/10
                    - (2/x) sum_n sin(lambda_n x) exp(-lambda_n^2 tau) / (lambda_n^2 sin lambda_n)

    with ``c_tilde = c - c0`` [mol/m^3], ``x = r/R``, ``tau = D t / R^2``,
    ``K = j R / D`` [mol/m^3] and ``tan lambda_n = lambda_n``. The term
    ``sin(lambda x)/x`` is replaced by its limit ``lambda`` at ``x = 0``.

    Note on K: Cheng & Verbrugge write ``K = i_n R / (F D)`` with ``i_n`` a
    current density [A/m^2]; in chemomech the flux is already molar
    (DESIGN §3: ``j = I/(F A)`` [mol m^-2 s^-1]), so ``i_n/F`` is our ``j`` and
    ``K = j R / D``.

    Source: Cheng & Verbrugge, J. Power Sources 190 (2009) 453 (galvanostatic
    concentration); Carslaw & Jaeger (1959) §9.3.

    Args:
        x: normalised radius r/R in [0, 1] (array-like).
        tau: normalised time D t / R^2 >= 0 (array-like, broadcast with x).
            The truncated series converges for tau > 0; at tau = 0 it shows
            Gibbs-type error near x = 1.
        n_terms: number of series terms.

    Returns:
        ``c_tilde / K`` (dimensionless), shape of ``broadcast(x, tau)``.
    """
    x_b, tau_b, lam_e, xe, coef = _cv_series_parts(x, tau, n_terms)
    series = np.sum(_sin_over_x(lam_e, xe) * coef, axis=-1)
    return 3.0 * tau_b + 0.5 * x_b**2 - 0.3 - 2.0 * series


def cv_mean_concentration(tau) -> np.ndarray:
    """Volume-averaged ``c_tilde / K`` = ``3 tau`` (Li mass balance).

    Total Li inserted: ``4 pi R^2 j t``; divided by ``(4/3) pi R^3`` and ``K``
    gives ``3 D t / R^2 = 3 tau``. The series part of :func:`cv_concentration`
    has zero volume mean because ``sin l - l cos l = 0`` at every root, and
    ``3 int_0^1 (x^2/2 - 3/10) x^2 dx = 0``.

    Args:
        tau: normalised time D t / R^2 (array-like).

    Returns:
        Mean ``c_tilde / K`` (dimensionless).
    """
    return 3.0 * np.asarray(tau, dtype=float)


def cv_stress(x, tau, n_terms: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Radial and hoop stress, in units of ``S``, in the galvanostatic Cheng-Verbrugge sphere.

    Thermal analogue (DESIGN §8 item 2) applied to ``c_tilde``. Writing
    ``I(x) = int_0^x (c_tilde/K) xi^2 dxi`` (radii in units of R,
    concentration in units of K, so that ``R^-3 int_0^R c_tilde rho^2 drho =
    K I(1)``)::

        sigma_r / S     = 2 [ I(1) - I(x)/x^3 ]
        sigma_theta / S = 2 I(1) + I(x)/x^3 - c_tilde/K

    with ``S = Omega E K / (3 (1 - nu))`` [Pa]. The prefactor is exactly the
    ``Omega E / (3 (1 - nu))`` of the thermal analogue times the
    concentration scale K. The xi-integrals are done in closed form:
    ``int_0^x xi^4/2 dxi = x^5/10``, and the series term uses
    ``int_0^x xi sin(lambda xi) dxi = (sin lambda x - lambda x cos lambda x)/lambda^2``,
    which vanishes at x = 1 (so ``I(1) = tau``). At the centre
    ``I(x)/x^3 -> c_tilde(0)/(3K)`` and ``sigma_r = sigma_theta``.

    Reference values (DESIGN §8 item 3): at tau = 0.1, centre stress
    0.16008 S and surface hoop stress -0.18676 S; for tau -> infinity
    ``sigma_r/S -> (1 - x^2)/5`` and ``sigma_theta/S -> (1 - 2 x^2)/5``.

    Source: Cheng & Verbrugge, J. Power Sources 190 (2009) 453 (galvanostatic
    stresses); Timoshenko & Goodier (1970) §152.

    Args:
        x: normalised radius r/R in [0, 1] (array-like, x = 0 allowed).
        tau: normalised time D t / R^2 >= 0 (broadcast with x).
        n_terms: number of series terms.

    Returns:
        ``(sigma_r / S, sigma_theta / S)``, dimensionless arrays.
    """
    x_b, tau_b, lam_e, xe, coef = _cv_series_parts(x, tau, n_terms)
    c = 3.0 * tau_b + 0.5 * x_b**2 - 0.3 - 2.0 * np.sum(_sin_over_x(lam_e, xe) * coef, axis=-1)
    # I(x)/x^3 = (3 tau - 3/10)/3 + x^2/10 - 2 sum a_n (sin z - z cos z)/(lam^2 x^3)
    i_over_x3 = (tau_b - 0.1) + 0.1 * x_b**2 - 2.0 * np.sum(_mom_over_x3(lam_e, xe) * coef, axis=-1)
    i_one = tau_b  # = (tau - 0.1) + 0.1; the series moment vanishes at x = 1
    sigma_r = 2.0 * (i_one - i_over_x3)
    sigma_t = 2.0 * i_one + i_over_x3 - c
    return sigma_r, sigma_t


def cv_scales(
    j: float, R: float, D: float, omega: float, E: float, nu: float
) -> tuple[float, float]:
    """Scales ``K`` and ``S`` of the Cheng-Verbrugge solution in chemomech units.

    Args:
        j: inward molar flux at r = R [mol m^-2 s^-1] (= i_n / F of the paper).
        R: particle radius [m].
        D: diffusivity [m^2/s].
        omega: partial molar volume Omega [m^3/mol] (= beta_V / c_max).
        E: Young's modulus [Pa].
        nu: Poisson's ratio [-].

    Returns:
        ``(K, S)``: ``K = j R / D`` [mol/m^3], ``S = Omega E K / (3 (1 - nu))`` [Pa].
        In state-of-charge terms, ``theta - theta0 = (c_tilde/K) * K / c_max``.
    """
    K = j * R / D
    S = omega * E * K / (3.0 * (1.0 - nu))
    return K, S


# ---------------------------------------------------------------------------
# 2. Thermal-analogue free sphere with prescribed theta(r)
# ---------------------------------------------------------------------------


def _scaled_moment(f: Callable[[float], float], r: float) -> float:
    """r^-3 int_0^r f(rho) rho^2 drho = int_0^1 f(r s) s^2 ds (finite at r = 0: f(0)/3)."""
    val, _err = quad(
        lambda s: float(f(r * s)) * s * s, 0.0, 1.0, epsabs=1e-14, epsrel=1e-12, limit=400
    )
    return val


def _profile_moments(r, R, theta_of_r, theta_ref):
    r_arr = np.asarray(r, dtype=float)
    if np.any(r_arr < 0.0) or np.any(r_arr > R * (1.0 + 1e-12)):
        raise ValueError("radii must lie in [0, R]")

    def ctil(rho: float) -> float:
        return float(theta_of_r(rho)) - theta_ref

    flat = r_arr.ravel()
    m_r = np.array([_scaled_moment(ctil, float(ri)) for ri in flat]).reshape(r_arr.shape)
    m_R = _scaled_moment(ctil, float(R))
    c_r = np.array([ctil(float(ri)) for ri in flat]).reshape(r_arr.shape)
    return r_arr, m_r, m_R, c_r


def sphere_stress_from_profile(
    r,
    R: float,
    theta_of_r: Callable[[float], float],
    E: float,
    nu: float,
    beta_v: float,
    theta_ref: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Stresses in a free solid sphere with a prescribed radial swelling field.

    Linear (Vegard) eigenstrain ``eps_ch = alpha * c_tilde(r) * I`` with
    ``alpha = beta_V / 3`` and ``c_tilde = theta - theta_ref`` (equivalently
    ``Omega (c - c_ref) = beta_V (theta - theta_ref)``), homogeneous isotropic
    E, nu, traction-free surface r = R::

        sigma_r     = 2 alpha E/(1-nu) [ R^-3 J(R) - r^-3 J(r) ]
        sigma_theta =   alpha E/(1-nu) [ 2 R^-3 J(R) + r^-3 J(r) - c_tilde(r) ]
        J(r) = int_0^r c_tilde(rho) rho^2 drho

    which is DESIGN §8 item 2 with ``Omega c_tilde <-> beta_V (theta - theta_ref)``.
    The moments are evaluated as ``r^-3 J(r) = int_0^1 c_tilde(r s) s^2 ds``
    by adaptive quadrature (``scipy.integrate.quad``), which is regular at
    r = 0 (limit ``c_tilde(0)/3``, so ``sigma_r(0) = sigma_theta(0)``).

    Source: Timoshenko & Goodier, *Theory of Elasticity* (1970) §152.

    Args:
        r: radii [m] in [0, R] (array-like; r = 0 allowed).
        R: sphere radius [m].
        theta_of_r: scalar callable theta(rho) [-] (rho in m); called with
            Python floats. Discontinuous profiles work but converge slower.
        E: Young's modulus [Pa].
        nu: Poisson's ratio [-].
        beta_v: volumetric expansion coefficient beta_V [-] (ΔV/V at theta = 1).
        theta_ref: stress-free reference state of charge [-].

    Returns:
        ``(sigma_r, sigma_theta)`` [Pa], arrays with the shape of ``r``.
    """
    _r, m_r, m_R, c_r = _profile_moments(r, R, theta_of_r, theta_ref)
    alpha = beta_v / 3.0
    k = alpha * E / (1.0 - nu)
    sigma_r = 2.0 * k * (m_R - m_r)
    sigma_t = k * (2.0 * m_R + m_r - c_r)
    return sigma_r, sigma_t


def sphere_displacement_from_profile(
    r,
    R: float,
    theta_of_r: Callable[[float], float],
    E: float,
    nu: float,
    beta_v: float,
    theta_ref: float = 0.0,
) -> np.ndarray:
    """Radial displacement of a free solid sphere with a prescribed radial swelling field.

    Same problem as :func:`sphere_stress_from_profile`::

        u_r = (1+nu)/(1-nu) * alpha/r^2 * J(r) + 2(1-2nu)/(1-nu) * alpha r/R^3 * J(R)
            = alpha r [ (1+nu)/(1-nu) r^-3 J(r) + 2(1-2nu)/(1-nu) R^-3 J(R) ]

    with ``alpha = beta_V/3``, ``J(r) = int_0^r c_tilde rho^2 drho``. For a
    uniform field it reduces to ``u_r = alpha c_tilde r`` (stress-free
    swelling), and u_r(0) = 0. E does not enter (kept for a uniform signature).

    Source: Timoshenko & Goodier, *Theory of Elasticity* (1970) §152.

    Args:
        r: radii [m] in [0, R] (array-like).
        R: sphere radius [m].
        theta_of_r: scalar callable theta(rho) [-].
        E: Young's modulus [Pa] (unused).
        nu: Poisson's ratio [-].
        beta_v: beta_V [-].
        theta_ref: reference state of charge [-].

    Returns:
        ``u_r`` [m], array with the shape of ``r``.
    """
    del E
    r_arr, m_r, m_R, _c = _profile_moments(r, R, theta_of_r, theta_ref)
    alpha = beta_v / 3.0
    c_loc = (1.0 + nu) / (1.0 - nu)
    c_glob = 2.0 * (1.0 - 2.0 * nu) / (1.0 - nu)
    return alpha * r_arr * (c_loc * m_r + c_glob * m_R)


# ---------------------------------------------------------------------------
# 3. Lamé core-shell with eigenstrain mismatch
# ---------------------------------------------------------------------------


def lame_core_shell(
    a: float,
    b: float,
    E1: float,
    nu1: float,
    E2: float,
    nu2: float,
    eps1_star: float,
    eps2_star: float,
) -> tuple[float, float]:
    """Interface pressure and shell hoop stress, core-shell sphere with eigenstrain mismatch.

    Solid core (0 <= r < a; E1, nu1, uniform isotropic eigenstrain eps1*)
    perfectly bonded to a shell (a <= r <= b; E2, nu2, eps2*), outer surface
    traction-free. The core is under uniform hydrostatic stress ``-p``; the
    shell is a thick sphere under internal pressure p. Matching u_r at r = a::

        p = (eps1* - eps2*) / [ (1-2nu1)/E1 + ((1-2nu2) a^3 + (1+nu2) b^3/2) / (E2 (b^3 - a^3)) ]
        sigma_theta(a+) = p (2 a^3 + b^3) / (2 (b^3 - a^3))

    (DESIGN §8 item 4). Eigenstrains are *linear* strains, e.g.
    ``eps* = beta_V (theta - theta_ref)/3``. Thin-shell limit (t = b - a << a):
    ``p -> (eps1*-eps2*) / [(1-2nu1)/E1 + (1-nu2) a / (2 E2 t)]`` and
    ``sigma_theta -> p a / (2 t)``.

    Source: Lamé (1852); Timoshenko & Goodier (1970) §141.

    Args:
        a: core radius [m].
        b: shell outer radius [m], b > a.
        E1, nu1: core Young's modulus [Pa] and Poisson's ratio [-].
        E2, nu2: shell Young's modulus [Pa] and Poisson's ratio [-].
        eps1_star, eps2_star: linear eigenstrains of core and shell [-].

    Returns:
        ``(p, sigma_theta_shell_at_a)`` [Pa]. ``p > 0`` means compression at
        the interface (``sigma_r(a) = -p``), i.e. the core swells more than
        the shell.
    """
    if not b > a > 0.0:
        raise ValueError("need 0 < a < b")
    a3, b3 = a**3, b**3
    shell = ((1.0 - 2.0 * nu2) * a3 + 0.5 * (1.0 + nu2) * b3) / (E2 * (b3 - a3))
    compliance = (1.0 - 2.0 * nu1) / E1 + shell
    p = (eps1_star - eps2_star) / compliance
    hoop_a = p * (2.0 * a3 + b3) / (2.0 * (b3 - a3))
    return p, hoop_a


def lame_core_shell_fields(
    r,
    a: float,
    b: float,
    E1: float,
    nu1: float,
    E2: float,
    nu2: float,
    eps1_star: float,
    eps2_star: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Full radial fields of the core-shell problem of :func:`lame_core_shell`.

    Core (r < a)::  sigma_r = sigma_theta = -p,  u_r = r (eps1* - p (1-2nu1)/E1)
    Shell (a <= r <= b), with q = p a^3/(b^3 - a^3)::

        sigma_r     = q (1 - b^3/r^3)
        sigma_theta = q (1 + b^3/(2 r^3))
        u_r         = eps2* r + q/E2 [ (1-2nu2) r + (1+nu2) b^3/(2 r^2) ]

    Points exactly at r = a are reported with the shell values (sigma_r and
    u_r are continuous there; sigma_theta jumps).

    Args:
        r: radii [m] in [0, b] (array-like).
        a, b, E1, nu1, E2, nu2, eps1_star, eps2_star: as in :func:`lame_core_shell`.

    Returns:
        ``(sigma_r [Pa], sigma_theta [Pa], u_r [m])`` with the shape of ``r``.
    """
    r = np.asarray(r, dtype=float)
    p, _ = lame_core_shell(a, b, E1, nu1, E2, nu2, eps1_star, eps2_star)
    q = p * a**3 / (b**3 - a**3)
    core = r < a
    rs = np.where(core, a, r)  # avoid 1/0 in the unused branch at r = 0
    sr_shell = q * (1.0 - b**3 / rs**3)
    st_shell = q * (1.0 + 0.5 * b**3 / rs**3)
    u_shell = eps2_star * rs + q / E2 * ((1.0 - 2.0 * nu2) * rs + 0.5 * (1.0 + nu2) * b**3 / rs**2)
    u_core = r * (eps1_star - p * (1.0 - 2.0 * nu1) / E1)
    sigma_r = np.where(core, -p, sr_shell)
    sigma_t = np.where(core, -p, st_shell)
    u_r = np.where(core, u_core, u_shell)
    return sigma_r, sigma_t, u_r
