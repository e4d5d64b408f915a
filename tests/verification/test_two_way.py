"""Two-way coupling (stress-assisted diffusion, DESIGN §3).

- with a vanishing swelling (Ω → 0) two-way equals one-way to solver tolerance;
- with Si's swelling, the hydrostatic-stress gradient (compression at the lithiated surface,
  tension in the centre) drives Li inward: the centre lithiates earlier than one-way, the
  surface later; Li is conserved at every step either way.
"""

from __future__ import annotations

import pytest

from chemomech_testing import run_case, sphere_case

R = 4e-6


def _case(coupling, beta=2.8):
    case = sphere_case(mode="axisymmetric", radius=R, size=R / 8, surface_size=R / 16)
    case["materials"]["core"]["volume_expansion"] = beta
    case["materials"]["core"]["diffusivity"] = {"kind": "constant", "value": 1e-14}
    case["loading"] = {"kind": "galvanostatic", "specific_current": "8 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.2}
    case["time"] = {"dt_initial": 0.5, "dt_max": 5.0, "max_dtheta": 0.05,
                    "output_times": [100.0], "output_every": 1000}
    case["output"]["probes"] = [{"name": "centre", "point": [0.0, 0.0]}]
    case["coupling"] = coupling
    case["solver"] = {"coupling_tolerance": 1e-9}
    return case


def test_two_way_reduces_to_one_way_without_swelling(tmp_path):
    _, a = run_case(_case("one_way", beta=1e-9), tmp_path / "a")
    _, b = run_case(_case("two_way", beta=1e-9), tmp_path / "b")
    assert len(a.history) == len(b.history)
    for ra, rb in zip(a.history, b.history):
        assert rb["time [s]"] == pytest.approx(ra["time [s]"], rel=1e-12)
        for key in ("probe centre: lithiation fraction [-]",
                    "outer_surface: mean lithiation fraction [-]"):
            assert rb[key] == pytest.approx(ra[key], abs=1e-9)


def test_stress_drives_li_inward_and_li_is_conserved(tmp_path):
    _, a = run_case(_case("one_way"), tmp_path / "a")
    _, b = run_case(_case("two_way"), tmp_path / "b")
    ra = next(r for r in a.history if abs(r["time [s]"] - 100.0) < 1e-9)
    rb = next(r for r in b.history if abs(r["time [s]"] - 100.0) < 1e-9)
    assert rb["mean lithiation fraction [-]"] == pytest.approx(ra["mean lithiation fraction [-]"],
                                                               rel=1e-9)
    assert rb["probe centre: lithiation fraction [-]"] > ra["probe centre: lithiation fraction [-]"]
    assert (rb["outer_surface: mean lithiation fraction [-]"]
            < ra["outer_surface: mean lithiation fraction [-]"])
    assert max(r["Li balance error [-]"] for r in b.history[1:]) < 1e-10
