"""ν(θ) in a transient run, found by mutation testing: a stiffness matrix that was assembled
once when only ν (not E) depends on θ went unnoticed. The θ-dependent elasticity test solves
one prescribed θ, where a matrix is assembled once anyway; no time-dependent run had ν(θ).

A free sphere with a diffusivity so fast that θ stays uniform to ~1e-5 while it is lithiated
to θ̄ = 0.3 at a constant E and ν rising 0.22 → 0.40: a uniform θ is stress-free for any
ν(θ), with u = β_V θ̄ x / 3 (DESIGN §8.1). A matrix of the initial ν solves K(ν₀) u = f(ν(θ̄))
instead: a wrong uniform dilatation (the ratio of the bulk moduli, (1 − 2ν₀)/(1 − 2ν(θ̄))),
no von Mises stress but 27 GPa of hydrostatic stress.
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from chemomech_testing import SI, remove_rigid_motion, run_case, sphere_case

R = 4e-6
THETA = 0.3
E, BETA = SI["youngs_modulus"], SI["volume_expansion"]
SCALE = E * BETA * THETA / 3.0  # Pa
#: relative to SCALE and to the surface displacement (measured: von Mises 3.9e-5 SCALE)
TOL = 1e-3


def test_poissons_ratio_rising_with_theta_keeps_a_uniform_swelling_stress_free(tmp_path):
    case = sphere_case(mode="axisymmetric", radius=R, size=R / 4)
    case["materials"]["core"].update(
        poissons_ratio={"kind": "linear", "unlithiated": 0.22, "lithiated": 0.40},
        diffusivity={"kind": "constant", "value": 1e-10})
    case["loading"] = {"kind": "galvanostatic", "specific_current": "10 A/g",
                       "surfaces": ["outer_surface"], "initial_theta": 0.0}
    case["stop"] = {"mean_theta": THETA}
    case["time"] = {"dt_initial": 1.0, "dt_max": 50.0, "max_dtheta": 0.05}
    case["solver"] = {"linear_rtol": 1e-12}
    sim, result = run_case(case, tmp_path)
    last = result.history[-1]
    assert last["mean lithiation fraction [-]"] == pytest.approx(THETA, rel=1e-6)
    assert len(result.history) > 3  # several steps: θ (and ν) changed between solves
    assert last["core: max Von Mises stress [Pa]"] < TOL * SCALE
    assert abs(last["core: max hydrostatic stress [Pa]"]) < TOL * SCALE
    x = sim.mechanics.V.tabulate_dof_coordinates()[:, :2]
    diff = remove_rigid_motion(sim, sim.mechanics.u.x.array - (BETA * THETA / 3.0 * x).ravel())
    err = sim.domain.comm.allreduce(float(np.abs(diff).max()), op=MPI.MAX)
    assert err < TOL * BETA * THETA * R / 3.0, err
