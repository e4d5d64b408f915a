"""Stop criteria of galvanostatic delithiation (the current flows out, θ falls): the surface
θ cut-off is reached from above, and a capacity counts the charge taken out. The lithiation
versions are in test_loading.py; these ran only one way, so a stop that compared in the
lithiation direction only went unnoticed.

Oracles: the requested cut-off and capacity, Faraday's law (t = Q m / I) — no numbers from
earlier runs. Coarse axisymmetric sphere (a few seconds each).
"""

from __future__ import annotations

import pytest

from chemomech_testing import SI, run_case, sphere_case

R = 4e-6
EVENT_TOL = 1e-4
SPEC_CAP = SI["c_max"] * 96485.33212 / SI["density"]  # C/kg
TWO_PHASE = {"kind": "two_phase", "pristine": 2e-17, "lithiated": 2e-15, "theta_star": 0.5,
             "width": 0.05}
MIN_SURFACE = "outer_surface: min lithiation fraction [-]"


def _delithiation(specific_current, stop):
    case = sphere_case(mode="axisymmetric", radius=R, size=R / 6, surface_size=R / 12,
                       loading={"kind": "galvanostatic", "specific_current": specific_current,
                                "surfaces": ["outer_surface"], "direction": "delithiation",
                                "initial_theta": 1.0},
                       stop=stop,
                       time={"dt_initial": 10.0, "dt_max": 2000.0, "max_dtheta": 0.1})
    case["materials"]["core"]["diffusivity"] = TWO_PHASE
    case["materials"]["core"]["reference_theta"] = 1.0
    return case


def test_surface_cutoff_stops_delithiation_from_above(tmp_path):
    # the surface empties first: its smallest θ falls to the cut-off 0.2 long before the mean
    _, res = run_case(_delithiation(2000.0, {"surface_theta": 0.2, "max_steps": 300}),
                      tmp_path)
    assert res.stop_reason == "surface θ cut-off reached"
    last = res.history[-1]
    assert last[MIN_SURFACE] == pytest.approx(0.2, abs=EVENT_TOL)
    assert all(r[MIN_SURFACE] >= 0.2 - EVENT_TOL for r in res.history)
    assert last["mean lithiation fraction [-]"] > 0.2
    assert res.steps > 1


def test_capacity_stop_of_a_delithiation(tmp_path):
    # 0.5 A h/g out at 0.1 A/g: 5 h
    _, res = run_case(_delithiation(100.0, {"capacity": "0.5 A*h/g", "max_steps": 300}),
                      tmp_path)
    assert res.stop_reason == "capacity target reached"
    last = res.history[-1]
    assert last["capacity [A h/g]"] == pytest.approx(0.5, rel=1e-9)
    assert last["time [s]"] == pytest.approx(0.5 * 3.6e6 / 100.0, rel=1e-9)
    assert last["mean lithiation fraction [-]"] == pytest.approx(
        1.0 - 0.5 * 3.6e6 / SPEC_CAP, rel=1e-9)


def test_cc_cv_delithiation_ends_at_the_capacity(tmp_path):
    # constant current out until the surface θ falls to 0.6 (0.8 A h/g out by then), then
    # held there until 1.3 A h/g is out (0.4 of θ, 1.43 A h/g, is available down to 0.6)
    _, res = run_case(_delithiation(5000.0, {"surface_theta": 0.6, "hold_at_cutoff": True,
                                             "capacity": "1.3 A*h/g", "max_steps": 300}),
                      tmp_path)
    assert res.stop_reason == "capacity target reached"
    last = res.history[-1]
    assert last["capacity [A h/g]"] == pytest.approx(1.3, abs=EVENT_TOL * SPEC_CAP / 3.6e6)
    assert last["mean lithiation fraction [-]"] == pytest.approx(
        1.0 - 1.3 * 3.6e6 / SPEC_CAP, abs=EVENT_TOL)
    assert last[MIN_SURFACE] == pytest.approx(0.6, abs=1e-9)
    assert last["outer_surface: max lithiation fraction [-]"] == pytest.approx(0.6, abs=1e-9)
    # the hold draws less than the constant current: the charge takes longer to pass
    assert last["time [s]"] > 1.3 * 3.6e6 / 5000.0 * 1.001
