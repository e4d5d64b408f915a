"""The p-multigrid preconditioner of the elasticity CG (P2 smoothing, GAMG on P1) against GAMG
applied to the P2 matrix directly: the same displacement, and no more CG iterations.

A non-uniform θ(r) = 0.6 (r/R)² loads the free 3D sphere (six rigid motions in the null
space), the octant (symmetry planes) and the axisymmetric half-disc (axis + z-translation).
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from chemomech_testing import remove_rigid_motion, run_case, sphere_case

R = 4e-6
PROFILE = {"kind": "radial", "table": [[R * q, 0.6 * q**2] for q in np.linspace(0, 1, 41)]}


def _solve(mode, tmp_path, p_multigrid, monkeypatch):
    from solver.physics import mechanics

    monkeypatch.setattr(mechanics, "P_MULTIGRID", p_multigrid)
    case = sphere_case(mode=mode, radius=R, size=R / 4,
                       loading={"kind": "prescribed", "profile": PROFILE})
    case["solver"] = {"linear_rtol": 1e-12}
    sim, _ = run_case(case, tmp_path / str(p_multigrid))
    m = sim.mechanics
    assert (m.ksp.getPC().getType() == "mg") == p_multigrid
    assert (m.coarse is not None) == p_multigrid
    return sim, m.last_iterations


@pytest.mark.parametrize("mode", ["3d", "octant", "axisymmetric"])
def test_p_multigrid_gives_the_gamg_displacement(mode, tmp_path, monkeypatch):
    ref, its_gamg = _solve(mode, tmp_path, False, monkeypatch)
    sim, its_pmg = _solve(mode, tmp_path, True, monkeypatch)
    comm = sim.domain.comm
    u_ref = remove_rigid_motion(ref, ref.mechanics.u.x.array.copy())
    diff = remove_rigid_motion(sim, sim.mechanics.u.x.array - ref.mechanics.u.x.array)
    err = comm.allreduce(float(np.abs(diff).max()), op=MPI.MAX)
    scale = comm.allreduce(float(np.abs(u_ref).max()), op=MPI.MAX)
    assert err < 1e-8 * scale, (err, scale)
    assert 0 < its_pmg <= its_gamg, (its_pmg, its_gamg)
