"""Multi-material particles: inactive (inert) coatings and mass accounting.

An inert coating (active: false) stores no Li and does not swell; Li passes through it to
the core. Oracles: Faraday's law with the mass of the active core only, Li conservation at
every step, zero Li concentration in the coating.
"""

from __future__ import annotations

import numpy as np
import pytest

from chemomech_testing import SI, run_case, sphere_case

UM = 1e-6
A, T = 2.5 * UM, 0.2 * UM


def _case(mode="axisymmetric"):
    case = sphere_case(radius=A + T, size=0.25 * UM)
    case["geometry"] = {"kind": "core_shell", "mode": mode, "core_radius": A, "coatings": [T]}
    si = dict(case["materials"]["core"])
    case["materials"] = {
        "core": si,
        "coating_1": {"active": False, "density": 2000.0, "youngs_modulus": 20e9,
                      "poissons_ratio": 0.3},
    }
    case["loading"] = {"kind": "galvanostatic", "specific_current": "1 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.3}
    case["time"] = {"dt_initial": 1.0, "dt_max": 200.0, "max_dtheta": 0.1}
    return case


def test_inert_coating_stores_no_li_and_conserves_it(tmp_path):
    sim, result = run_case(_case(), tmp_path)
    last = result.history[-1]
    spec_cap = SI["c_max"] * 96485.33212 / SI["density"]  # C/kg of the Si core
    assert last["mean lithiation fraction [-]"] == pytest.approx(0.3, rel=1e-9)
    # the current is per mass of active material: the coating's mass does not count
    assert last["time [s]"] == pytest.approx(0.3 * spec_cap / 1000.0, rel=1e-9)
    assert max(r["Li balance error [-]"] for r in result.history[1:]) < 1e-10
    # Li content is c_max θ over the core only: it equals the charge passed
    li_expected = 0.3 * SI["c_max"] * 4.0 / 3.0 * np.pi * A**3
    assert last["Li content [mol]"] == pytest.approx(li_expected, rel=0.01)  # faceted volume
    # the coating carries stress: it is stretched in hoop tension by the swelling core
    assert last["coating_1: max first principal stress [Pa]"] > 0.0
    assert last["outer_surface: mean hoop stress [Pa]"] > 0.0
    # concentration output is zero in the coating
    c = sim.field_output.c_out
    x = c.function_space.tabulate_dof_coordinates()
    r = np.hypot(x[:, 0], x[:, 1])
    outer = r > A + 0.5 * T
    assert np.abs(c.x.array[outer]).max() == 0.0
