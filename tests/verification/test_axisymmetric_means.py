"""Surface means are means over the surface of the body of revolution (weight 2πr), found
by mutation testing: on a sphere with a radial θ(r) every surface field is uniform, so a
surface mean that dropped the weight r (numerator and area alike) gave the same numbers and
no test noticed.

A prolate spheroid (r-semi-axis a, z-semi-axis c) in axisymmetric mode with the prescribed
θ = A ρ²/L² (ρ the distance from the centre) varies along its surface; with the meridian
r = a sin φ, z = c cos φ (ds = √(a² cos²φ + c² sin²φ) dφ) the area mean is

    ⟨θ⟩ = ∫ θ r ds / ∫ r ds   (0.27806 here; the unweighted line mean would be 0.33903).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from chemomech_testing import SI, run_case, sphere_case

A_R, C_Z = 2e-6, 4e-6  # m: semi-axes along r and z
L = C_Z
A = 0.6
#: relative; the P1 interpolant of θ on the faceted surface (measured 6.3e-4 at size a/8)
TOL = 5e-3
#: in units of S_A, the tractions of the inclusion test (measured at a/8: 8e-6 normal, 1.1e-4
#: shear; unweighted means are off by 0.011 and 0.0066)
TRACTION_TOL = 2e-3


def exact_surface_mean(weighted: bool = True) -> float:
    def ds(p):
        return np.sqrt((A_R * np.cos(p)) ** 2 + (C_Z * np.sin(p)) ** 2)

    def theta(p):
        return A * ((A_R * np.sin(p)) ** 2 + (C_Z * np.cos(p)) ** 2) / L**2

    def w(p):
        return A_R * np.sin(p) if weighted else 1.0

    num = quad(lambda p: theta(p) * w(p) * ds(p), 0.0, np.pi)[0]
    return num / quad(lambda p: w(p) * ds(p), 0.0, np.pi)[0]


def test_surface_means_of_an_axisymmetric_spheroid_are_area_weighted(tmp_path):
    assert abs(exact_surface_mean(False) / exact_surface_mean() - 1) > 10 * TOL
    rr = np.linspace(0.0, L, 801)
    table = [[float(r), float(A * (r / L) ** 2)] for r in rr]
    case = sphere_case(mode="axisymmetric", radius=C_Z, size=A_R / 8,
                       loading={"kind": "prescribed",
                                "profile": {"kind": "radial", "table": table}})
    case["geometry"] = {"kind": "ellipsoid", "mode": "axisymmetric",
                        "semi_axes": [A_R, A_R, C_Z]}
    case["output"]["measures"] = [
        {"name": "surface theta", "field": "theta", "statistic": "mean", "on": "outer_surface"}]
    _, result = run_case(case, tmp_path)
    row = result.history[-1]
    want = exact_surface_mean()
    assert row["outer_surface: mean lithiation fraction [-]"] == pytest.approx(want, rel=TOL)
    assert row["measure surface theta [-]"] == pytest.approx(want, rel=TOL)


#: an inclusion of radius a centred on the axis at z0, in a body of radius L; θ = A ρ⁴/L⁴
INC_A, INC_Z0, BODY_R = 0.6e-6, 0.8e-6, 2e-6


def exact_interface_mean(weighted: bool = True) -> float:
    """Mean of θ = A ρ⁴/L⁴ over the inclusion's sphere (ρ² = a² + z0² + 2 a z0 cos φ): the area
    mean (weight sin φ) or, unweighted, the mean along its meridian."""
    def theta(p):
        return A * ((INC_A**2 + INC_Z0**2 + 2 * INC_A * INC_Z0 * np.cos(p)) / BODY_R**2) ** 2

    w = np.sin if weighted else (lambda p: 1.0)
    return (quad(lambda p: theta(p) * w(p), 0.0, np.pi)[0]
            / quad(lambda p: w(p), 0.0, np.pi)[0])


def _inclusion_case(power: int, size: float) -> dict:
    """The sphere of radius BODY_R with the off-centre inclusion (radius INC_A at z = INC_Z0,
    of the body's own material) under the prescribed θ = A (ρ/BODY_R)^power."""
    rr = np.linspace(0.0, BODY_R, 801)
    table = [[float(r), float(A * (r / BODY_R) ** power)] for r in rr]
    case = sphere_case(mode="axisymmetric", radius=BODY_R, size=size,
                       loading={"kind": "prescribed",
                                "profile": {"kind": "radial", "table": table}})
    case["geometry"] = {
        "kind": "inclusions", "mode": "axisymmetric", "radius": BODY_R,
        "inclusion_sets": [{"phase": "x", "radius": INC_A,
                            "placement": {"kind": "explicit", "centers": [[0, 0, INC_Z0]]}}]}
    case["materials"]["inclusion_x"] = dict(case["materials"]["core"])
    return case


def test_interface_means_of_an_axisymmetric_inclusion_are_area_weighted(tmp_path):
    """output.measures 'on' an interface: the same for interior facets. An inclusion off the
    centre sees a θ(ρ) that varies along its surface (for θ ∝ ρ² the two means would agree:
    ⟨cos φ⟩ = 0 either way, hence ρ⁴). Measured: 9.7e-4 off at size a/6."""
    assert abs(exact_interface_mean(False) / exact_interface_mean() - 1) > 10 * TOL
    case = _inclusion_case(power=4, size=INC_A / 6)
    case["output"]["measures"] = [
        {"name": "interface theta", "field": "theta", "statistic": "mean",
         "on": "interface_core_inclusion_x"},
        {"name": "interface theta inside", "field": "theta", "statistic": "mean",
         "regions": ["inclusion_x"], "on": "interface_core_inclusion_x"}]
    _, result = run_case(case, tmp_path)
    row = result.history[-1]
    want = exact_interface_mean()
    assert row["measure interface theta [-]"] == pytest.approx(want, rel=TOL)
    assert row["measure interface theta inside [-]"] == pytest.approx(want, rel=TOL)


def exact_interface_tractions(weighted: bool = True) -> tuple[float, float]:
    """Mean normal and shear traction (in units of S_A) on the inclusion's sphere for the
    stress of a homogeneous sphere of radius L with θ = A ρ²/L² (thermal analogue, as in
    test_radial_profile.py): σ = σ_r e⊗e + σ_θ (I − e⊗e), e = x/ρ, with
    σ_r = 2 (1 − ρ²/L²)/5 and σ_θ = (2 − 4 ρ²/L²)/5; for the facet normal n and c = n·e,
    n·σ·n = σ_θ + (σ_r − σ_θ) c², |σn − (n·σn) n| = |σ_r − σ_θ| |c| √(1 − c²)."""
    def parts(p):
        r, z = INC_A * np.sin(p), INC_Z0 + INC_A * np.cos(p)
        rho = np.hypot(r, z)
        x2 = rho**2 / BODY_R**2
        s_r, s_t = 2 * (1 - x2) / 5, (2 - 4 * x2) / 5
        c = (np.sin(p) * r + np.cos(p) * z) / rho
        return s_t + (s_r - s_t) * c * c, abs(s_r - s_t) * abs(c) * np.sqrt(max(0.0, 1 - c * c))

    w = np.sin if weighted else (lambda p: 1.0)
    area = quad(lambda p: w(p), 0.0, np.pi)[0]
    return tuple(quad(lambda p: parts(p)[k] * w(p), 0.0, np.pi)[0] / area for k in (0, 1))


def test_interface_tractions_of_an_axisymmetric_inclusion_are_area_weighted(tmp_path):
    """The interface columns of history.csv (mean normal and shear traction) on the same
    off-centre inclusion, of the same material as the body (the interface carries the stress
    of a homogeneous sphere): area means with the weight 2πr (unweighted: 0.268 against
    0.257 S_A normal, 0.032 against 0.038 S_A shear)."""
    e, nu, beta = SI["youngs_modulus"], SI["poissons_ratio"], SI["volume_expansion"]
    s_a = beta * e * A / (3.0 * (1.0 - nu))
    normal, shear = exact_interface_tractions()
    case = _inclusion_case(power=2, size=INC_A / 8)
    case["solver"] = {"linear_rtol": 1e-12}
    _, result = run_case(case, tmp_path)
    row = result.history[-1]
    name = "interface_core_inclusion_x"
    got_n = row[f"{name}: mean normal traction [Pa]"] / s_a
    got_s = row[f"{name}: mean shear traction [Pa]"] / s_a
    assert abs(got_n - normal) < TRACTION_TOL, (got_n, normal)
    assert abs(got_s - shear) < TRACTION_TOL, (got_s, shear)
