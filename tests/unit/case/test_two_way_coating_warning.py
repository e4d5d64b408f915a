"""The warning, from the case data alone, that two_way coupling of an active coating on a more
strongly swelling core goes unstable (README, two-way coupling: θ_crit)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from solver.case import load_case_dict

_SI = {
    "density": "2330 kg/m^3",
    "specific_capacity": "3579 mA*h/g",
    "volume_expansion": 2.8,
    "youngs_modulus": {"kind": "linear", "unlithiated": "185 GPa", "lithiated": "35 GPa"},
    "poissons_ratio": 0.22,
    "diffusivity": {"kind": "two_phase", "pristine": "2e-17 m^2/s",
                    "lithiated": "2e-15 m^2/s", "theta_star": 0.5, "width": 0.05},
}
#: the coating of the README's measurement: 50 GPa, ν 0.25, 300 mA h/g, β_V 0.1
_COATING = {
    "density": "2000 kg/m^3",
    "specific_capacity": "300 mA*h/g",
    "volume_expansion": 0.1,
    "youngs_modulus": "50 GPa",
    "poissons_ratio": 0.25,
    "diffusivity": {"kind": "constant", "value": "1e-14 m^2/s"},
}
#: an inert carbon coating: stores no Li, does not swell
_CARBON = {"active": False, "density": "2000 kg/m^3", "youngs_modulus": "50 GPa",
           "poissons_ratio": 0.25}

#: θ_crit = 9(1 - ν_c) R T / (2 E_c Ω_c (β_V,i - β_V,c)) of the measured case, by hand:
#: c_max,c = 300 mA h/g · 3.6 C/mA h · 1000 g/kg · 2000 kg/m^3 / F, Ω_c = 0.1 / c_max,c
_C_MAX = 300 * 3.6 * 1000 * 2000 / 96485.33212
THETA_CRIT = 9 * (1 - 0.25) * 8.314462618 * 298.15 / (2 * 50e9 * (0.1 / _C_MAX) * (2.8 - 0.1))


def _measured(**changes: Any) -> dict[str, Any]:
    """1 µm Si core with a 50 nm coating at 0.5 A/g, axisymmetric, two_way monolithic."""
    case = {
        "geometry": {"kind": "core_shell", "mode": "axisymmetric", "core_radius": "1 um",
                     "coatings": ["50 nm"]},
        "materials": {"core": copy.deepcopy(_SI), "coating_1": copy.deepcopy(_COATING)},
        "loading": {"kind": "galvanostatic", "specific_current": "0.5 A/g"},
        "stop": {"mean_theta": 0.9},
        "coupling": "two_way",
    }
    case.update(changes)
    return case


def _warnings(data: dict[str, Any]) -> dict[str, str]:
    return {path: msg for path, msg in load_case_dict(data).plausibility_warnings()
            if "θ_crit" in msg}


def test_theta_crit_by_hand_is_the_readmes():
    assert THETA_CRIT == pytest.approx(0.014, abs=5e-4)


def test_warns_for_the_measured_coating_on_si():
    found = _warnings(_measured())
    assert set(found) == {"materials.coating_1"}, found
    msg = found["materials.coating_1"]
    value = float(re.search(r"θ_crit ≈ ([0-9.e+-]+)", msg).group(1))
    assert value == pytest.approx(THETA_CRIT, rel=5e-3)  # printed to 3 digits
    assert "coating_1 bonded to core" in msg
    assert "9(1 - ν_c) R T / (2 E_c Ω_c (β_V,core - β_V,coating_1))" in msg
    for cure in ("one_way", "volume_expansion 0", "smaller Ω_c", "stop.surface_theta"):
        assert cure in msg, cure


def test_warns_with_the_stiffest_modulus_of_a_linear_law():
    """E(θ) from 5 GPa at θ = 0 up to 50 GPa at θ = 1: θ_crit with the largest E/(1 - ν),
    the 50 GPa (the estimate errs towards a warning; at θ = 0 it would be 10 times larger)."""
    data = _measured()
    data["materials"]["coating_1"]["youngs_modulus"] = {
        "kind": "linear", "unlithiated": "5 GPa", "lithiated": "50 GPa"}
    msg = _warnings(data)["materials.coating_1"]
    value = float(re.search(r"θ_crit ≈ ([0-9.e+-]+)", msg).group(1))
    assert value == pytest.approx(THETA_CRIT, rel=5e-3)


def test_quiet_one_way():
    assert _warnings(_measured(coupling="one_way")) == {}


def test_quiet_for_a_coating_that_does_not_swell():
    data = _measured()
    data["materials"]["coating_1"]["volume_expansion"] = 0.0
    assert _warnings(data) == {}


def test_quiet_for_an_inert_carbon_coating():
    data = _measured()
    data["materials"]["coating_1"] = copy.deepcopy(_CARBON)
    assert _warnings(data) == {}


@pytest.mark.parametrize("end", [
    {"stop": {"surface_theta": 0.01}},
    {"loading": {"kind": "potentiostatic", "surface_theta": 0.01}, "stop": {"time": 100.0}},
])
def test_quiet_when_the_run_stops_below_theta_crit(end):
    """The surface θ bounds the coating's: a cut-off (or a held surface θ) below θ_crit
    keeps it out of reach; just above it, the warning is back."""
    assert 0.01 < THETA_CRIT
    assert _warnings(_measured(**end)) == {}
    above = copy.deepcopy(end)
    (above["stop"] if "surface_theta" in above["stop"] else above["loading"])[
        "surface_theta"] = 0.02
    assert set(_warnings(_measured(**above))) == {"materials.coating_1"}


def test_only_regions_that_touch_are_paired():
    """Core | inert carbon | active coating: the active coating is bonded to the carbon
    only, which does not swell, so nothing is unstable (paired with the core it would be)."""
    data = _measured()
    data["geometry"]["coatings"] = ["20 nm", "50 nm"]
    data["materials"] = {"core": copy.deepcopy(_SI), "coating_1": copy.deepcopy(_CARBON),
                         "coating_2": copy.deepcopy(_COATING)}
    assert _warnings(data) == {}
    data["materials"]["coating_1"], data["materials"]["coating_2"] = (
        data["materials"]["coating_2"], data["materials"]["coating_1"])
    assert set(_warnings(data)) == {"materials.coating_1"}


def test_inclusion_in_a_more_swelling_matrix():
    """Inclusions are bonded to the matrix: an active inclusion that swells less is the
    'coating' side of the pair."""
    data = _measured()
    data["geometry"] = {
        "kind": "inclusions", "mode": "axisymmetric", "radius": "1 um",
        "inclusion_sets": [{"phase": "x", "radius": "0.2 um",
                            "placement": {"kind": "explicit", "centers": [[0, 0, 0]]}}]}
    data["materials"] = {"core": copy.deepcopy(_SI), "inclusion_x": copy.deepcopy(_COATING)}
    found = _warnings(data)
    assert set(found) == {"materials.inclusion_x"}, found
    assert "inclusion_x bonded to core" in found["materials.inclusion_x"]
