"""The case's temperature enters the stress-driven flux Ω θ/(R T) ∇σ_h, found by mutation
testing: the two-way coupling taken at 298.15 K whatever the case says went unnoticed (the
quantitative two-way test, test_two_way_sphere.py, runs at 298.15 K, the default).

κ = 2 β_V² E / (9 (1 − ν) c_max R T) sets the effective diffusivity D (1 + κ θ) of the
two-way sphere (see test_two_way_sphere.py). At T = 400 K with β_V chosen for κ = 3, the run
must follow the same one-way reference as that test; at 298.15 K the same β_V would give
κ = 4.02 (a 34 % error in κ: 10 % moves the θ compared here by 4.5e-3).
"""

from __future__ import annotations

import numpy as np

from verification.test_two_way_sphere import (CMAX, E, GAS, KAPPA, KHAT, NU, TAUS, _case,
                                              assert_follows_at_the_last_tau, radial_reference)

TEMPERATURE = 400.0  # K, not the default
BETA = float(np.sqrt(KAPPA * 9 * (1 - NU) * CMAX * GAS * TEMPERATURE / (2 * E)))


def test_two_way_coupling_takes_the_case_temperature(tmp_path):
    centre, surface, _ = radial_reference(KAPPA, KHAT, TAUS)
    case = _case("two_way", lumped=True)
    case["temperature"] = TEMPERATURE
    case["materials"]["core"]["volume_expansion"] = BETA
    assert_follows_at_the_last_tau(case, tmp_path, centre, surface)
