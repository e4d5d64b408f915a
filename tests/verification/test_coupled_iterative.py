"""The iterative linear solver of the monolithic two-way Newton gives the LU's answer.

``solver.coupled_linear_solver: iterative`` (FGMRES + block preconditioner θ → u → σ_h)
must change only how each Newton system is solved: the same steps, Newton iterations and
history as MUMPS LU, to the Krylov tolerance. A one-material sphere (one σ_h field), a
coated sphere (two σ_h fields: the core's and the active coating's, four blocks), and free
bodies, whose rigid motions are the null space of the Jacobian: a sphere in the
axisymmetric and 3d modes, and a yolk-shell particle (two bodies, each with its own); and
a sphere under potentiostatic loading (the surface θ held: Dirichlet rows in θ's block).
"""

from __future__ import annotations

import pytest
import yaml

from chemomech_testing import ROOT, SI, assert_same_history, run_case, sphere_case

R = 4e-6


def _sphere() -> dict:
    case = sphere_case(mode="octant", radius=R, size=R / 3, surface_size=R / 6)
    case["loading"] = {"kind": "galvanostatic", "specific_current": "8 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.08}
    return case


def _coated() -> dict:
    case = _sphere()
    case["geometry"] = {"kind": "core_shell", "mode": "octant", "core_radius": 2e-6,
                        "coatings": [2e-6]}
    case["mesh"] = {"size": 1.5e-6, "cache": False}
    # a coating that stores Li and swells a little, below its two-way θ_crit (stable)
    case["materials"]["coating_1"] = {
        "density": 2000.0, "specific_capacity": "300 mA*h/g", "volume_expansion": 0.01,
        "youngs_modulus": 5e10, "poissons_ratio": 0.25,
        "diffusivity": {"kind": "constant", "value": 1e-14}}
    case["loading"]["specific_current"] = "1 A/g"  # the coating's surface θ stays low
    case["stop"] = {"mean_theta": 0.02, "surface_theta": 0.12, "max_steps": 10}
    return case


def _axisymmetric() -> dict:
    case = _sphere()
    case["geometry"]["mode"] = "axisymmetric"
    return case


def _full_3d() -> dict:
    case = _sphere()
    case["geometry"]["mode"] = "3d"
    case["mesh"].update(size=R / 2, surface_size=R / 4)
    case["stop"] = {"mean_theta": 0.04}
    return case


def _yolk_shell() -> dict:
    case = yaml.safe_load((ROOT / "cases" / "examples" / "yolk_shell.yaml").read_text())
    case["mesh"] = {"size": 0.4e-6, "cache": False}
    case["loading"]["specific_current"] = "4 A/g"
    case["stop"] = {"mean_theta": 0.04}
    case["time"]["max_dtheta"] = 0.1  # the steps of this comparison before the example's 0.0125
    case["output"] = {"pictures": False, "formats": ["xdmf"]}
    return case


def _potentiostatic() -> dict:
    case = _sphere()
    case["loading"] = {"kind": "potentiostatic", "surface_theta": 0.5, "ramp_time": "20 s",
                       "surfaces": ["outer_surface"]}
    # at least 8 steps with the lumped storage term (to 0.06, enough with the consistent
    # term, it took 5)
    case["stop"] = {"mean_theta": 0.15}
    return case


FREE = {_axisymmetric: 1, _full_3d: 6, _yolk_shell: 2}  # rigid motions: z; 3 + 3; z per body


@pytest.mark.parametrize("make", [_sphere, _coated, _axisymmetric, _full_3d, _yolk_shell,
                                  _potentiostatic],
                         ids=["sphere", "coated", "axisymmetric", "3d", "yolk_shell",
                              "potentiostatic"])
def test_iterative_gives_the_lu_answer(make, tmp_path):
    """Potentiostatic: the surface θ is a Dirichlet row of θ's block (in the Jacobian and in
    the preconditioner's own θ block). Free bodies: without the rigid motions as the block
    Jacobian's transpose null space, the round-off in the converged u residual stalled the u
    block's CG ("indefinite preconditioner") in most steps, and the steps were cut back
    (axisymmetric: 33 steps against the LU's 31)."""
    runs = {}
    for solver in ("direct", "iterative"):
        case = make()
        case["time"] = {"dt_initial": 0.5, "dt_max": 5.0, "max_dtheta": 0.05}
        case["coupling"] = "two_way"
        case["solver"] = {"coupled_linear_solver": solver}
        runs[solver] = run_case(case, tmp_path / solver)
    (_, lu), (sim, it) = runs["direct"], runs["iterative"]
    assert len(lu.history) >= 8
    assert len(sim.hydrostatic.parts) == (2 if make in (_coated, _yolk_shell) else 1)
    null = sim.mechanics.null_space
    assert (0 if null is None else len(null.getVecs())) == FREE.get(make, 0)
    assert len(it.history) == len(lu.history)
    newton = sum(r["Newton iterations"] for r in it.history)
    krylov = sum(r["Krylov iterations (diffusion)"] for r in it.history)
    assert krylov > 2 * newton  # FGMRES ran (LU: one "iteration" per Newton step)
    assert_same_history(lu.history, it.history, rel=1e-8,
                        skip=("Krylov iterations (diffusion)", "wall time [s]"),
                        balance_below=1e-9)
    assert "FGMRES" in sim._coupling_description()


def _limit_fgmres(monkeypatch, max_it: int):
    from solver.physics import coupled

    options = coupled.iterative_options
    monkeypatch.setattr(coupled, "iterative_options",
                        lambda *a: {**options(*a), "ksp_max_it": max_it})


def _iterative_sphere() -> dict:
    case = _sphere()
    case["time"] = {"dt_initial": 0.5, "dt_min": 0.1}
    case["coupling"] = "two_way"
    case["solver"] = {"coupled_linear_solver": "iterative"}
    return case


def test_a_failed_krylov_solve_is_cut_back_like_a_failed_newton(tmp_path, monkeypatch):
    """A Krylov solve that fails (here: FGMRES limited to 1 iteration) makes the step be
    cut back, and the retry solves again. The recovery resets the KSP, which drops the
    preconditioner's blocks; without setting them again every retry stopped in PETSc
    ("must have at least two fields") instead of solving."""
    from solver.time_stepping import TimeStepError

    _limit_fgmres(monkeypatch, 1)
    with pytest.raises(TimeStepError) as info:
        run_case(_iterative_sphere(), tmp_path)
    assert "linear solve failed" in str(info.value)
    assert "PETSc error" not in str(info.value)


def test_the_blocks_made_again_after_a_failed_solve_keep_their_solvers(tmp_path, monkeypatch):
    """The first solve fails (FGMRES limited to 1 iteration, lifted by the recovery); the
    run then goes on with the blocks that the KSP reset made again. They came back as
    preonly + ILU (their options are read at the PC's first set-up only): 7x the outer
    iterations for the rest of the run. They must have their solvers, the u block its P1
    level."""
    from solver.physics import coupled

    _limit_fgmres(monkeypatch, 1)
    recover = coupled.recover_after_failed_solve

    def recover_and_lift_the_limit(snes, reason):
        recover(snes, reason)
        snes.getKSP().setTolerances(max_it=1000)

    monkeypatch.setattr(coupled, "recover_after_failed_solve", recover_and_lift_the_limit)
    sim, result = run_case(_iterative_sphere(), tmp_path)
    assert sum(r["rejected steps"] for r in result.history) == 1
    (problem,) = sim.coupled._problems.values()
    blocks = problem.solver.getKSP().getPC().getFieldSplitSubKSP()
    assert [(k.getType(), k.getPC().getType()) for k in blocks] == [
        ("gmres", "bjacobi"), ("cg", "mg"), ("cg", "jacobi")]
    coarse = blocks[1].getPC().getMGCoarseSolve()  # the u block's P1 level, GAMG
    assert coarse.getPC().getType() == "gamg"
    assert coarse.getOperators()[0] == sim.coupled._coarse_A


def test_the_u_blocks_p1_level_is_its_galerkin_operator(tmp_path):
    """The u block's p-multigrid takes as its P1 level the elasticity matrix rediscretised on
    P1, scaled to the units of the Jacobian's u block (L² / (E_ref V)). With E and ν
    constant and a free body (no symmetry planes), that equals the Galerkin product
    Pᵀ J_uu P (P: the P1 → P2 interpolation) to round-off. A wrong scale would not change
    the answer, only make every coarse correction too large or too small."""
    case = _full_3d()
    case["coupling"] = "two_way"
    case["solver"] = {"coupled_linear_solver": "iterative"}
    case["stop"] = {"mean_theta": 0.04, "max_steps": 1}
    sim, _ = run_case(case, tmp_path)
    cp = sim.coupled
    (problem,) = cp._problems.values()
    j_uu = problem.A.createSubMatrix(cp._index_sets[0], cp._index_sets[0])
    galerkin = j_uu.PtAP(cp._coarse.P)
    coarse = cp._coarse_A
    assert coarse.getSize() == galerkin.getSize()
    galerkin.axpy(-1.0, coarse)
    assert galerkin.norm() < 1e-10 * coarse.norm()


def test_the_preconditioner_holds_no_copy_of_the_u_block(tmp_path):
    """The Jacobian is a nest of its blocks; the preconditioner matrix is a nest of the same
    block matrices but for its θ block (with the stress-enhanced diffusion), and the field
    split hands the u block's CG the Jacobian's own u block. With a monolithic (AIJ) Jacobian
    the preconditioner matrix and the split's extracted blocks each held another copy of
    the large P2 u block: on workload C 1.92 against 1.16 GB per rank (bench/README.md)."""
    case = _iterative_sphere()
    case["stop"] = {"mean_theta": 0.08, "max_steps": 2}
    sim, _ = run_case(case, tmp_path)
    (problem,) = sim.coupled._problems.values()
    A = problem.A
    P = problem.solver.getKSP().getOperators()[1]
    assert A.getType() == P.getType() == "nest"
    n = A.getNestSize()[0]
    assert n == 3  # û, θ, σ_h
    for i in range(n):
        for j in range(n):
            a, p = A.getNestSubMatrix(i, j), P.getNestSubMatrix(i, j)
            assert (a is None) == (p is None)
            if a is not None:
                assert (a.handle == p.handle) == ((i, j) != (1, 1)), (i, j)
    # the θ block: J_θθ plus the stress-enhanced diffusion, assembled at the last iterate
    diff = P.getNestSubMatrix(1, 1).copy()
    diff.axpy(-1.0, A.getNestSubMatrix(1, 1))
    assert diff.norm() > 1e-3 * A.getNestSubMatrix(1, 1).norm()
    theta, u, _ = problem.solver.getKSP().getPC().getFieldSplitSubKSP()
    assert u.getOperators()[1].handle == A.getNestSubMatrix(0, 0).handle
    assert theta.getOperators()[1].handle == P.getNestSubMatrix(1, 1).handle


def test_auto_takes_the_lu_in_2d_and_below_the_threshold():
    from solver.physics.coupled import ITERATIVE_MIN_DOFS, choose_linear_solver

    n = ITERATIVE_MIN_DOFS
    assert choose_linear_solver(n - 1, 3) == "direct"
    assert choose_linear_solver(n, 3) == "iterative"
    assert choose_linear_solver(100 * n, 2) == "direct"  # axisymmetric, plane strain
    assert choose_linear_solver(100 * n, 3, "direct") == "direct"  # as the case asks
    assert choose_linear_solver(1, 2, "iterative") == "iterative"


def test_auto_is_the_default_and_reports_its_choice(tmp_path, monkeypatch):
    from solver.physics import coupled

    monkeypatch.setattr(coupled, "ITERATIVE_MIN_DOFS", 1)  # the sphere's few u DOFs: iterative
    case = _sphere()
    case["coupling"] = "two_way"
    case["stop"] = {"mean_theta": 0.08, "max_steps": 2}
    sim, result = run_case(case, tmp_path)
    assert sim.case.solver.coupled_linear_solver == "auto"
    assert sim.coupled.linear_solver == "iterative"
    assert result.summary["run"]["coupled_linear_solver"] == "iterative"
    assert "'iterative' for" in sim._coupling_description()
