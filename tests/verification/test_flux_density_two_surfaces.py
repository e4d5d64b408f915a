"""Galvanostatic loading on several surfaces without flux_shares: the same inward flux
density j = I m / (F ΣA) on each (DESIGN §3), found by mutation testing: splitting the Li
rate equally between the surfaces instead went unnoticed (every test with more than one
loaded surface gave shares, or compared only totals).

Hollow sphere a < r < b loaded on both walls at a specific current I (A/kg):
m = ρ 4π (b³ − a³)/3 and ΣA = 4π (a² + b²), so j = I ρ (b³ − a³) / (3 F (a² + b²)).
"""

from __future__ import annotations

import pytest

from chemomech_testing import SI, run_case, sphere_case

UM = 1e-6
A_IN, B_OUT = 1.0 * UM, 2.5 * UM
CURRENT = 1000.0  # A/kg (1 A/g)
FARADAY = 96485.33212
TOL = 0.01  # faceted areas and volume (measured: 1.2e-3 at 0.25 um)


def test_loaded_surfaces_without_shares_take_the_same_flux_density(tmp_path):
    case = sphere_case(radius=B_OUT, size=0.25 * UM)
    case["geometry"] = {"kind": "hollow", "mode": "axisymmetric", "inner_radius": A_IN,
                        "outer_radius": B_OUT}
    case["loading"] = {"kind": "galvanostatic", "specific_current": CURRENT,
                       "surfaces": ["outer_surface", "inner_surface"]}
    case["stop"] = {"time": 3.0}
    case["time"] = {"dt_initial": 1.0, "dt_min": 1.0, "dt_max": 1.0, "max_dtheta": 0.5}
    sim, result = run_case(case, tmp_path)
    want = CURRENT * SI["density"] * (B_OUT**3 - A_IN**3) / (3 * FARADAY * (A_IN**2 + B_OUT**2))
    for name, j in sim.diffusion.fluxes.items():
        assert float(j.value) == pytest.approx(want, rel=TOL), name
    assert max(r["Li balance error [-]"] for r in result.history[1:]) < 1e-10
