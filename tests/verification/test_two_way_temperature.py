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
import pytest

from chemomech_testing import run_case
from verification.test_two_way_sphere import (CMAX, E, GAS, KAPPA, KHAT, NU, TAUS, THETA_TOL,
                                              _case, _rows, radial_reference)

TEMPERATURE = 400.0  # K, not the default
BETA = float(np.sqrt(KAPPA * 9 * (1 - NU) * CMAX * GAS * TEMPERATURE / (2 * E)))


def test_two_way_coupling_takes_the_case_temperature(tmp_path):
    centre, surface, _ = radial_reference(KAPPA, KHAT, TAUS)
    case = _case("two_way", lumped=True)
    case["temperature"] = TEMPERATURE
    case["materials"]["core"]["volume_expansion"] = BETA
    _, result = run_case(case, tmp_path)
    row = _rows(result)[-1]  # τ = 0.1
    assert row["mean lithiation fraction [-]"] == pytest.approx(3 * KHAT * TAUS[-1], rel=1e-9)
    got_c = row["probe centre: lithiation fraction [-]"]
    got_s = row["outer_surface: mean lithiation fraction [-]"]
    assert abs(got_s - surface[-1]) < THETA_TOL, (got_s, surface[-1])
    assert abs(got_c - centre[-1]) < THETA_TOL, (got_c, centre[-1])
