"""A Newton step that fails inside PETSc leaves its solver fit for the retry with a smaller dt.

Two failures are made on purpose, in the real θ Newton and the monolithic two-way Newton
(both MUMPS LU on these small meshes), by wrapping the Jacobian that dolfinx assembles:
- its Jacobian is zeroed once: the factorisation fails (SNES reason -3). PETSc kept the
  failed factor; MUMPS refused every later solve with it (INFOG(1) = -3) and the run ended at
  dt_min (found by a 2-rank two-way run whose step diverged this way).
- the Jacobian callback raises once: a PETSc error out of SNESSolve, which leaves the SNES's
  vectors locked, so every later solve with it failed.
In both cases the next step must converge, to the same θ as a step that never failed.
"""

from __future__ import annotations

import numpy as np
import pytest

from chemomech_testing import sphere_case


def _simulation(tmp_path, coupling):
    from solver import build_simulation, load_case_dict

    # (octant: no rigid-body mode, so MUMPS does not look for null pivots and a zero
    # Jacobian fails its factorisation)
    case = sphere_case(mode="octant", radius=1e-6, size=0.4e-6,
                       loading={"kind": "galvanostatic", "specific_current": 1000.0,
                                "surfaces": ["outer_surface"]},
                       stop={"mean_theta": 0.5}, coupling=coupling)
    sim = build_simulation(load_case_dict(case, source="<recovery>"), out_dir=tmp_path,
                           quiet=True)
    sim.diffusion.set_fluxes(sim._li_rate_for_current(), None)  # as the time loop does
    return sim


def _newton(sim):
    """(the object whose step() is the Newton step, the NonlinearProblem it solves)."""
    stepper = sim.coupled if sim.coupled is not None else sim.diffusion
    return stepper, stepper._problem(False)


def _break_once(problem, how):
    """Wrap the SNES's Jacobian callback: its first call zeroes J or raises."""
    snes = problem.solver
    jac, pre, (assemble, args, kwargs) = snes.getJacobian()
    calls = []

    def wrapped(snes, x, J, P):
        assemble(snes, x, J, P, *args, **(kwargs or {}))
        calls.append(1)
        if len(calls) == 1:
            if how == "raise":
                raise RuntimeError("a failure inside the Jacobian")
            J.zeroEntries()
            J.assemble()

    snes.setJacobian(wrapped, jac, pre)
    return calls


@pytest.mark.parametrize("coupling", ["one_way", "two_way"])
@pytest.mark.parametrize("how", ["zero", "raise"])
def test_the_step_after_a_failed_solve_converges(tmp_path, coupling, how):
    from solver.physics.diffusion import NewtonDivergence

    dt = 0.05
    reference = _simulation(tmp_path / "ref", coupling)
    stepper, _ = _newton(reference)
    stepper.step(dt, False)
    expected = reference.theta.x.array.copy()
    assert np.ptp(expected) > 0  # the step moved θ

    sim = _simulation(tmp_path / "run", coupling)
    stepper, problem = _newton(sim)
    calls = _break_once(problem, how)
    with pytest.raises(NewtonDivergence, match="reason -3|PETSc error"):
        stepper.step(dt, False)
    assert calls
    stepper.reject()
    rep = stepper.step(dt, False)  # the retry (here at the same dt: it must give the same θ)
    assert rep.newton_iterations > 0
    np.testing.assert_allclose(sim.theta.x.array, expected, rtol=1e-10, atol=1e-14)
