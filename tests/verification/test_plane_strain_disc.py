"""Plane strain with a radial θ(r): the long-cylinder thermal analogue, found by mutation
testing (a hoop direction that was not orthogonal to the radial one went unnoticed: the only
plane-strain stress test used a uniform θ, where radial and hoop stresses both vanish).

A free disc (plane strain, ε_zz = 0) of radius R with θ = A (r/R)², eigenstrain α θ with
α = β_V/3; Timoshenko's solid cylinder, with S = α E A / (1 − ν) and x = r/R:

    σ_r = S (1 − x²)/4,   σ_θ = S (1 − 3x²)/4,   σ_z = ν(σ_r + σ_θ) − E α θ = S (ν/2 − x²)

so at the surface σ_θ = −S/2, σ_r = 0; area means over the disc ⟨σ_r⟩ = S/8,
⟨σ_θ⟩ = −S/8; at the centre σ_h = S (1 + ν)/6 and von Mises |σ_r − σ_z| = S |1/4 − ν/2|.
"""

from __future__ import annotations

import numpy as np
import pytest

from chemomech_testing import SI, run_case, sphere_case

R = 4e-6
A = 0.6
E, NU, BETA = SI["youngs_modulus"], SI["poissons_ratio"], SI["volume_expansion"]
S = BETA / 3.0 * E * A / (1.0 - NU)
TOL = 0.01  # in units of S (measured: at most 7.5e-4 S at R/16)


def test_plane_strain_disc_with_a_radial_profile_matches_the_cylinder_closed_form(tmp_path):
    from meshes.specs import MODES

    if "plane_strain" not in MODES:
        pytest.skip("plane_strain mode not available")
    rr = np.linspace(0.0, R, 801)
    table = [[float(r), float(A * (r / R) ** 2)] for r in rr]
    case = sphere_case(mode="plane_strain", radius=R, size=R / 16,
                       loading={"kind": "prescribed",
                                "profile": {"kind": "radial", "table": table}})
    case["solver"] = {"linear_rtol": 1e-12}
    case["output"]["probes"] = [{"name": "centre", "point": [0.0, 0.0]}]
    _, result = run_case(case, tmp_path)
    row = result.history[-1]
    got = {
        "surface hoop": row["outer_surface: mean hoop stress [Pa]"],
        "surface radial": row["outer_surface: mean radial stress [Pa]"],
        "mean hoop": row["core: mean hoop stress [Pa]"],
        "mean radial": row["core: mean radial stress [Pa]"],
        "centre hydrostatic": row["probe centre: Hydrostatic stress [Pa]"],
        "centre von Mises": row["probe centre: Von Mises stress [Pa]"],
    }
    want = {"surface hoop": -S / 2, "surface radial": 0.0, "mean hoop": -S / 8,
            "mean radial": S / 8, "centre hydrostatic": S * (1 + NU) / 6,
            "centre von Mises": S * abs(0.25 - NU / 2)}
    errors = {k: abs(got[k] - want[k]) / S for k in want}
    assert max(errors.values()) < TOL, errors
