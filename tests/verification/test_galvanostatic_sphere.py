"""DESIGN §8.3: galvanostatic lithiation of a sphere with constant D (Cheng & Verbrugge,
J. Power Sources 190 (2009) 453), in octant 3D and axisymmetric modes.

Checks, at τ = D t / R² = 0.05, 0.1, 0.2: centre stress and surface hoop stress within 1 % of
S = Ω E K / (3 (1 − ν)) (K = j R / D); Li mass balance to 1e-10 relative at every step; and
the peak von Mises of the two modes within 1 % of each other. Each with the consistent and
with the lumped storage term (solver.mass_lumping).
"""

from __future__ import annotations

import numpy as np
import pytest

from chemomech_testing import SI, run_case, sphere_case
from verification.analytic import cv_stress

R = 4e-6
D = 1e-14
T_SCALE = R**2 / D  # s
TAUS = (0.05, 0.1, 0.2)
E, NU, BETA, CMAX = SI["youngs_modulus"], SI["poissons_ratio"], SI["volume_expansion"], SI["c_max"]
# current that makes K = c_max / 3 on the exact sphere (mean θ = 0.2 at τ = 0.2)
FARADAY = 96485.33212
CURRENT = CMAX * D * FARADAY / (SI["density"] * R**2)  # A/kg
STRESS_TOL = 0.01  # in units of S (issue #2)
MASS_TOL = 1e-10


def _case(mode, lumped=False):
    centre = [0.0, 0.0] if mode == "axisymmetric" else [0.0, 0.0, 0.0]
    size = R / 10 if mode == "axisymmetric" else R / 6
    case = sphere_case(
        mode=mode, radius=R, size=size, surface_size=size / 4,
        loading={"kind": "galvanostatic", "specific_current": CURRENT,
                 "surfaces": ["outer_surface"], "initial_theta": 0.0},
        stop={"time": TAUS[-1] * T_SCALE},
        time={"dt_initial": 0.05, "dt_min": 1e-4, "dt_max": 4.0, "max_dtheta": 0.05,
              "output_times": [tau * T_SCALE for tau in TAUS], "output_every": 1000},
        output={"pictures": False, "formats": ["xdmf"],
                "probes": [{"name": "centre", "point": centre}]},
    )
    case["materials"]["core"]["diffusivity"] = {"kind": "constant", "value": D}
    case["solver"] = {"linear_rtol": 1e-10, "mass_lumping": lumped}
    return case


RUNS = ["octant", "axisymmetric", "octant-lumped", "axisymmetric-lumped"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for name in RUNS:
        mode, lumped = name.split("-")[0], name.endswith("-lumped")
        sim, result = run_case(_case(mode, lumped), tmp_path_factory.mktemp(name))
        j = float(sim.diffusion.flux.value)
        K = j * R / D
        S = (BETA / CMAX) * E * K / (3.0 * (1.0 - NU))
        out[name] = (result, S)
    return out


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("tau", TAUS)
def test_stresses_match_cheng_verbrugge(runs, run, tau):
    result, S = runs[run]
    rows = [r for r in result.history if abs(r["time [s]"] - tau * T_SCALE) < 1e-9 * T_SCALE]
    assert len(rows) == 1, "the stepper must land on the output time"
    row = rows[0]
    (sr0, _), (_, st1) = (cv_stress(np.array([0.0]), tau), cv_stress(np.array([1.0]), tau))
    centre = row["probe centre: Hydrostatic stress [Pa]"]  # σ_r = σ_θ = σ_h at the centre
    hoop = row["outer_surface: mean hoop stress [Pa]"]
    assert abs(centre / S - sr0[0]) < STRESS_TOL, (centre / S, sr0[0])
    assert abs(hoop / S - st1[0]) < STRESS_TOL, (hoop / S, st1[0])


@pytest.mark.parametrize("run", RUNS)
def test_li_mass_balance_every_step(runs, run):
    result, _ = runs[run]
    errors = [r["Li balance error [-]"] for r in result.history[1:]]
    assert len(errors) > 50
    assert max(errors) < MASS_TOL


@pytest.mark.parametrize("run", RUNS)
def test_mean_theta_follows_the_current(runs, run):
    """Mean θ grows exactly as the charge passed: θ̄ = 3 τ K / c_max on the exact sphere."""
    result, S = runs[run]
    last = result.history[-1]
    assert last["mean lithiation fraction [-]"] == pytest.approx(0.2, rel=1e-9)


@pytest.mark.parametrize("storage", ["", "-lumped"])
def test_axisymmetric_and_octant_agree_on_peak_von_mises(runs, storage):
    peaks = {m: max(r["core: max Von Mises stress [Pa]"] for r in runs[m + storage][0].history)
             for m in ("octant", "axisymmetric")}
    assert abs(peaks["octant"] - peaks["axisymmetric"]) < 0.01 * peaks["axisymmetric"], peaks


@pytest.mark.parametrize("mode", ["axisymmetric", "octant"])
def test_charge_enters_from_the_first_step(mode, tmp_path):
    """Faraday at every step of a short run with a fixed dt: mean θ = I t / (F c_max V / m)
    = τ for this current (the flux integral carries the weight 2πr in axisymmetric mode).
    dt_min = dt, so a wrong inflow shows at once rather than as a run crawling at dt_min."""
    case = sphere_case(
        mode=mode, radius=R, size=R / 4,
        loading={"kind": "galvanostatic", "specific_current": CURRENT,
                 "surfaces": ["outer_surface"], "initial_theta": 0.0},
        stop={"time": 10.0},
        time={"dt_initial": 2.0, "dt_min": 2.0, "dt_max": 2.0, "max_dtheta": 0.5,
              "output_every": 1},
    )
    case["materials"]["core"]["diffusivity"] = {"kind": "constant", "value": D}
    _, result = run_case(case, tmp_path)
    rows = result.history[1:]
    assert len(rows) == 5
    for row in rows:
        tau = row["time [s]"] / T_SCALE
        assert row["mean lithiation fraction [-]"] == pytest.approx(tau, rel=1e-9)
        assert row["Li balance error [-]"] < 1e-10
