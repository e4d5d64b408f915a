"""The staggered two-way scheme's stress-driven flux in a coated particle, found by mutation
testing: integrating each region's σ_h flux term over the whole mesh (instead of over its
own region) went unnoticed. Only the monolithic scheme was run on the coated particle; the
staggered one was checked for its σ_h projection alone.

In the Lamé state of test_two_way.py (θ = 0.3 everywhere, surface held at 0.3, a Si core
under an active coating) σ_h is constant in each layer and jumps at the interface, so the
stress-driven flux vanishes and no Li crosses the interface: one staggered diffusion step
with that σ_h keeps the core's Li. A σ_h term integrated over the other layer's cells sees
the jump to the 0 its field holds there and pumps Li across the interface (the wrong
integral moved 32 % of the core's Li out in this 1 s step).

On the mesh the projected σ_h varies by 0.35 % within each layer (test_two_way.py), i.e.
Ω Δσ_h / RT ≈ 0.036: θ relaxes towards that locally by up to 0.3 · 0.036 ≈ 0.011 (measured
0.011 at the interface nodes on the axis), and the core's Li changes by 2e-4.
"""

from __future__ import annotations

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
from mpi4py import MPI

from verification.test_two_way import _coated_case

CORE_LI_TOL = 1e-3  # relative change of the core's Li in the step (measured 2.0e-4)
THETA_TOL = 0.02  # largest nodal change of θ (measured 0.011, see above)


def test_a_staggered_step_in_the_lame_state_of_a_coated_particle_keeps_the_core_li(tmp_path):
    from solver import build_simulation, load_case_dict

    case = load_case_dict(_coated_case("active", "staggered"), source="<test>")
    sim = build_simulation(case, out_dir=tmp_path / "run", quiet=True)
    diff, d = sim.diffusion, sim.domain
    for f in (diff.theta, diff.theta_n):
        f.x.array[:] = 0.3
    diff.set_surface_theta(0.3)
    sim.mechanics.solve()
    sim._update_sigma_h()
    assert len(sim.hydrostatic.parts) == 2
    assert min(abs(p.sigma.x.array).max() for p in sim.hydrostatic.parts) > 1e9  # GPa
    core_li = dolfinx.fem.form(sim.c_max * diff.theta * d.coords.weight * d.dx_region("core"))

    def li():
        return d.comm.allreduce(dolfinx.fem.assemble_scalar(core_li), op=MPI.SUM)

    before = li()
    diff.step(1.0, dirichlet=True)  # Newton with this σ_h: one fixed-point iteration
    assert abs(li() / before - 1) < CORE_LI_TOL, li() / before - 1
    change = d.comm.allreduce(float(np.abs(diff.theta.x.array - 0.3).max()), op=MPI.MAX)
    assert change < THETA_TOL, change
