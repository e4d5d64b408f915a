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

from chemomech_testing import run_case, sphere_case

A_R, C_Z = 2e-6, 4e-6  # m: semi-axes along r and z
L = C_Z
A = 0.6
#: relative; the P1 interpolant of θ on the faceted surface (measured 6.3e-4 at size a/8)
TOL = 5e-3


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
