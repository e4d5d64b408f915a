"""Quasi-static linear elasticity with a swelling eigenstrain (DESIGN §3).

``∇·σ = 0`` with ``σ = C(θ) : (ε(u) − ε_ch(θ) I)``; P2 displacement; symmetry planes carry
``u·n = 0``; the rigid motions of a free body are handled as the operator's null space
(CG with the rigid-body near-null space in the multigrid), never by pinning nodes.

The preconditioner of the P2 problem is a two-level p-multigrid: Chebyshev/Jacobi smoothing on
P2, and one GAMG V-cycle (rigid-body near-null space) on the same elasticity discretised with
P1 on the same mesh, reached by interpolation P1 → P2. GAMG applied to the P2 matrix directly
needs about twice the CG iterations and a setup about six times as long (bench/README.md).
"""

from __future__ import annotations

import math

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
import dolfinx.fem.petsc
import ufl
from petsc4py import PETSc

from solver.linear_algebra import (RigidMotionGauge, body_dofs, exact_null_space,
                                   near_null_space)
from solver.physics import constitutive

#: start CG from u extrapolated in time through the last two solves (see MechanicsProblem.solve)
PREDICTOR = True

#: precondition P2 with the two-level p-multigrid (P1 GAMG coarse level); False: GAMG on P2
P_MULTIGRID = True

#: a CG that stops (iteration limit, breakdown, indefinite preconditioner) with its true
#: relative residual within this factor of linear_rtol is taken as converged: it stagnated
#: at the round-off floor of the system (a uniformly swelling axisymmetric sphere: 1.7e-11,
#: where CG went on to "indefinite preconditioner" under a linear_rtol of 1e-12)
FLOOR_FACTOR = 100.0
#: the failures of CG that stagnation at the round-off floor ends in
FLOOR_REASONS = (-3, -5, -8)

#: boundary name → displacement component fixed on it
SYMMETRY_COMPONENT = {"symmetry_x": 0, "symmetry_y": 1, "symmetry_z": 2, "axis": 0}


def _stiffness(V, domain, theta, fields):
    """The bilinear form ∫ C(θ):ε(u) : ε(v) on the vector space V."""
    coords = domain.coords
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    sigma = constitutive.stress(coords.strain(u), 0.0, fields.E(theta), fields.nu(theta),
                                coords.identity())
    return ufl.inner(sigma, coords.strain(v)) * coords.weight * domain.dx


def _assemble_into(A, a, bcs):
    """Re-assemble the bilinear form ``a`` with ``bcs`` into the existing matrix ``A``."""
    A.zeroEntries()
    dolfinx.fem.petsc.assemble_matrix(A, a, bcs=bcs)
    A.assemble()


def _symmetry_bcs(V, domain):
    """u·n = 0 on the symmetry planes (and u_r = 0 on the axis): (bcs, constrained dofs).

    The constrained dofs are local, block-expanded indices into V's arrays (incl. ghosts).
    """
    fdim = domain.mesh.topology.dim - 1
    bcs, constrained = [], []
    for name in domain.boundaries:
        comp = SYMMETRY_COMPONENT.get(name)
        if comp is None:
            continue
        Vc, _ = V.sub(comp).collapse()
        dofs = dolfinx.fem.locate_dofs_topological((V.sub(comp), Vc), fdim, domain.facets(name))
        bcs.append(dolfinx.fem.dirichletbc(dolfinx.fem.Function(Vc), dofs, V.sub(comp)))
        # dofs of a sub-space are already "unrolled" indices into the parent's array
        constrained.append(dofs[0])
    constrained_dofs = (np.unique(np.concatenate(constrained)) if constrained
                        else np.zeros(0, np.int32))
    return bcs, constrained_dofs


class _CoarseLevel:
    """The P1 level of the p-multigrid: its matrix and the interpolation P1 → P2.

    The P1 matrix is the same elasticity form (E(θ), ν(θ), symmetry conditions) rediscretised
    on P1. Interpolation columns of constrained P1 dofs are zeroed, so a coarse correction
    never moves a constrained P2 dof (on the symmetry planes, the P2 dofs' values come from
    P1 dofs of the same plane only).
    """

    def __init__(self, V, domain, theta, fields, bodies_cells):
        mesh = domain.mesh
        self.V = dolfinx.fem.functionspace(mesh, ("Lagrange", 1, (mesh.geometry.dim,)))
        self.a = dolfinx.fem.form(_stiffness(self.V, domain, theta, fields))
        self.bcs, constrained = _symmetry_bcs(self.V, domain)
        bodies = body_dofs(self.V, bodies_cells)
        self._near_null_space = near_null_space(self.V, domain.mode, bodies)
        # a free body's P1 matrix is singular: its coarse solve adds rigid motions of arbitrary
        # amplitude (73 % of the correction's norm on a free sphere). The null space attached
        # here is projected out of every coarse correction (KSP_PCApply); without it, CG
        # stopped with an indefinite preconditioner (reason -8) once the residual was small
        self.null_space = exact_null_space(self.V, domain.mode, constrained, bodies)
        self.A = self.new_matrix()
        self.P = dolfinx.fem.petsc.interpolation_matrix(self.V, V)
        self.P.assemble()
        keep = dolfinx.fem.Function(self.V)
        keep.x.array[:] = 1.0
        keep.x.array[constrained] = 0.0
        self.P.diagonalScale(None, keep.x.petsc_vec)

    def new_matrix(self):
        """A matrix of this level's form with its null and near-null spaces: ``A``, or a
        second operator of the same level in other units (the monolithic two-way Newton's u
        block, :class:`solver.physics.coupled.CoupledProblem`)."""
        A = dolfinx.fem.petsc.create_matrix(self.a)
        A.setNearNullSpace(self._near_null_space)
        if self.null_space is not None:
            A.setNullSpace(self.null_space)
        return A

    def assemble(self, A=None, scale: float = 1.0):
        """Assemble the form at the current θ into ``A`` (default: this level's own), times
        ``scale``."""
        A = self.A if A is None else A
        _assemble_into(A, self.a, self.bcs)
        if scale != 1.0:
            A.scale(scale)


class MechanicsError(RuntimeError):
    """The elasticity solve failed."""


#: KSPConvergedReason codes a failed elasticity solve ends with, in words
KSP_REASONS = {-3: "iteration limit reached", -4: "residual grew beyond the divergence "
               "tolerance", -5: "breakdown", -8: "indefinite preconditioner",
               -9: "NaN or inf in the system", -11: "preconditioner set-up failed"}


def _ksp_reason(reason: int) -> str:
    words = KSP_REASONS.get(reason)
    return f"KSP reason {reason}: {words}" if words else f"KSP reason {reason}"


class MechanicsProblem:
    """Elasticity driven by the swelling of a given θ field.

    Args:
        domain: :class:`solver.domain.Domain`.
        theta: the θ Function (P1) that drives the swelling.
        fields: :class:`solver.simulation.MaterialFields` (E, ν, ε_ch as UFL of θ).
        settings: the case's ``solver`` section.
        prefix: PETSc options prefix.
    """

    #: the arrays of :meth:`restart_state` (laid out like ``u.x.array``)
    RESTART_ARRAYS = ("u", "u_history_0", "u_history_1")

    def __init__(self, domain, theta, fields, settings, prefix: str, degree: int = 2):
        mesh = domain.mesh
        coords = domain.coords
        self.domain = domain
        self._theta = theta
        gdim = mesh.geometry.dim
        self.V = dolfinx.fem.functionspace(mesh, ("Lagrange", degree, (gdim,)))
        self.u = dolfinx.fem.Function(self.V, name="Displacement [m]")
        v = ufl.TestFunction(self.V)
        I = coords.identity()
        E, nu = fields.E(theta), fields.nu(theta)
        eps_ch = fields.eps_ch(theta)
        # the eigenstrain load: ∫ C:(ε_ch I) : ε(v)
        L = (ufl.inner(constitutive.stress(0.0 * I, -eps_ch, E, nu, I), coords.strain(v))
             * coords.weight * domain.dx)
        # with no swelling anywhere (volume_expansion: 0) UFL simplifies the load to an empty
        # form, whose assembly raised IndexError: keep a cell integral of a zero Constant
        zero = dolfinx.fem.Constant(mesh, np.zeros(gdim, dtype=PETSc.ScalarType))
        L = L + ufl.inner(zero, v) * coords.weight * domain.dx
        self.stress = constitutive.stress(coords.strain(self.u, guarded=True), eps_ch, E, nu, I)
        self.a = dolfinx.fem.form(_stiffness(self.V, domain, theta, fields))
        self.L = dolfinx.fem.form(L)
        self.reassemble_matrix = fields.elastic_depends_on_theta

        self.bcs, constrained_dofs = _symmetry_bcs(self.V, domain)
        #: every Dirichlet value is zero (see solve: no lifting needed)
        self._homogeneous_bcs = all(not np.any(bc.g.x.array) for bc in self.bcs)
        bodies_cells = [domain.body_cells(b) for b in domain.bodies]
        bodies = body_dofs(self.V, bodies_cells)
        self.null_space = exact_null_space(self.V, domain.mode, constrained_dofs, bodies)
        #: the rigid motion of a free body, fixed by its centroid (not the nodal mean)
        self.gauge = (RigidMotionGauge(self.V, self.null_space, coords.weight, domain.dx)
                      if self.null_space is not None else None)

        # with the p-multigrid the P2 matrix only meets CG, Chebyshev/Jacobi and the P1 → P2
        # interpolation, which all take a blocked (BAIJ, 3×3 or 2×2 blocks) matrix: it is
        # assembled about 1.7× and multiplied about 1.45× as fast as AIJ (18k P2 DOFs,
        # serial). GAMG on P2 (no p-multigrid) keeps AIJ
        kind = "baij" if P_MULTIGRID and degree > 1 else None
        self.A = dolfinx.fem.petsc.create_matrix(self.a, kind=kind)
        self.b = dolfinx.fem.petsc.create_vector(self.V)
        self._assembled = False
        self.A.setNearNullSpace(near_null_space(self.V, domain.mode, bodies))
        if self.null_space is not None:
            self.A.setNullSpace(self.null_space)
        self.coarse = (_CoarseLevel(self.V, domain, theta, fields, bodies_cells)
                       if P_MULTIGRID and degree > 1 else None)

        self.ksp = PETSc.KSP().create(mesh.comm)
        self.ksp.setOptionsPrefix(prefix)
        self.ksp.setOperators(self.A)
        opts = PETSc.Options()
        opts[f"{prefix}ksp_type"] = "cg"
        opts[f"{prefix}ksp_rtol"] = settings.linear_rtol
        opts[f"{prefix}ksp_atol"] = 1e-300
        opts[f"{prefix}ksp_max_it"] = 2000
        # GAMG: on the P1 coarse level of the p-multigrid, or on the matrix itself
        gamg = f"{prefix}mg_coarse_" if self.coarse is not None else prefix
        opts[f"{gamg}pc_type"] = "gamg"
        opts[f"{gamg}pc_gamg_coarse_eq_limit"] = 1000
        for smoothed in {prefix, gamg}:  # the p-multigrid's P2 level and GAMG's levels
            opts[f"{smoothed}mg_levels_ksp_type"] = "chebyshev"
            opts[f"{smoothed}mg_levels_pc_type"] = "jacobi"
        if self.coarse is not None:
            # the P2 level's Chebyshev takes the largest eigenvalue of D^-1 A from 10 Lanczos
            # (CG) steps, not the default GMRES (GAMG gives its own levels theirs): the matrix
            # is SPD, and GMRES underestimated it on a 3D octant with 272 pores and a 1.1 GPa
            # coating on 185 GPa Si (min tet quality 0.23); the smoother then amplified the top
            # modes and CG stopped at once with an indefinite preconditioner (reason -8)
            opts[f"{prefix}mg_levels_esteig_ksp_type"] = "cg"
            opts[f"{prefix}pc_type"] = "mg"
            opts[f"{prefix}mg_coarse_ksp_type"] = "preonly"
            pc = self.ksp.getPC()
            pc.setType("mg")
            pc.setMGLevels(2)
            pc.setMGInterpolation(1, self.coarse.P)
        self.ksp.setFromOptions()
        if self.coarse is not None:
            self.ksp.getPC().getMGCoarseSolve().setOperators(self.coarse.A)
        self.ksp.setInitialGuessNonzero(True)
        self.last_iterations = 0
        self._pc_iterations = None  # Krylov iterations right after the last GAMG setup
        self.rebuilds_after_failure = 0  # solves retried with a fresh preconditioner
        #: solves that CG ended at the round-off floor, within FLOOR_FACTOR of linear_rtol,
        #: and the largest relative residual they reached
        self.floor_solves = 0
        self.floor_residual = 0.0
        self._reusing = False  # the preconditioner of an older matrix is kept
        #: (time in s, u array) of the last two solves given a time (see solve)
        self._history: list[tuple[float, np.ndarray]] = []
        #: θ (arrays) at which the preconditioner was built first and last (see restore)
        self._pc_thetas: dict[str, np.ndarray] = {}
        self._pc_builds = 0  # how often the preconditioner was built

    def _relative_residual(self, x) -> float:
        """‖b − A x‖ / ‖b‖ of the system just solved (the true residual, not CG's
        preconditioned one); 0 for b = 0 and x = 0."""
        r = self.b.duplicate()
        self.A.mult(x, r)
        r.aypx(-1.0, self.b)
        b_norm, r_norm = self.b.norm(), r.norm()
        r.destroy()
        return r_norm / b_norm if b_norm > 0.0 else (0.0 if r_norm == 0.0 else math.inf)

    @property
    def description(self) -> str:
        """The linear solver, for the run log."""
        if self.coarse is not None:
            return ("CG + two-level p-multigrid (Chebyshev/Jacobi on P2, GAMG on P1), "
                    "rigid-body near-null space")
        return "CG + GAMG, rigid-body near-null space"

    def _assemble_matrix(self):
        _assemble_into(self.A, self.a, self.bcs)
        self.ksp.setOperators(self.A)
        self._assembled = True
        # E(θ) changes the matrix a little each step: keep the GAMG hierarchy until the
        # iterations grow by half (CG still converges to the same tolerance; only the
        # preconditioner is older)
        stale = (self._pc_iterations is None
                 or self.last_iterations > 1.5 * max(self._pc_iterations, 1))
        self._keep_preconditioner(not stale)

    def _keep_preconditioner(self, keep: bool) -> None:
        """Keep the preconditioner of an earlier matrix for the next solve, or build it anew
        (with the P1 coarse matrix of the p-multigrid) from the current one."""
        self._reusing = keep
        self.ksp.getPC().setReusePreconditioner(keep)
        if not keep:
            self._pc_iterations = None
            self._pc_thetas["last"] = self._theta.x.array.copy()
            self._pc_thetas.setdefault("first", self._pc_thetas["last"])
            self._pc_builds += 1
            if self.coarse is not None:
                self.coarse.assemble()

    def restart_state(self) -> tuple[dict, dict[str, np.ndarray], dict[str, np.ndarray]]:
        """What a restarted run needs to solve as this one would go on: the solver state
        (JSON), the arrays laid out like ``u.x.array`` (u, which CG starts from, and the u
        of the solves the predictor extrapolates from), and the θ arrays at which the
        preconditioner was built ``"first"`` and ``"last"`` (none before the first solve).
        See :meth:`restore`."""
        state = {"history_times": [t for t, _ in self._history],
                 "pc_iterations": self._pc_iterations, "last_iterations": self.last_iterations,
                 "reusing": self._reusing, "pc_builds": self._pc_builds}
        arrays = {"u": self.u.x.array,
                  **{f"u_history_{i}": a for i, (_, a) in enumerate(self._history)}}
        return state, arrays, dict(self._pc_thetas)

    def restore(self, state: dict, arrays: dict[str, np.ndarray],
                pc_thetas: dict[str, np.ndarray]) -> None:
        """Set what :meth:`restart_state` gave (``arrays``: at least ``u``), and rebuild the
        preconditioner as the interrupted run had it: its later solves keep it until it
        goes stale, so CG takes the same iterations to the same u. GAMG keeps the
        interpolation of its first set-up in every later one (and sets up its smoothers
        differently the first time), so it is built at the first θ, then at the last
        one. Without ``pc_thetas["last"]`` the preconditioner is built at the next solve.
        Call before any solve."""
        self.u.x.array[:] = arrays["u"]
        times = state.get("history_times", [])
        if all(f"u_history_{i}" in arrays for i in range(len(times))):
            self._history = [(t, np.array(arrays[f"u_history_{i}"], copy=True))
                             for i, t in enumerate(times)]
        if "last" not in pc_thetas:
            return
        builds = int(state.get("pc_builds", 1))
        now = self._theta.x.array.copy()
        for key in (["first"] if builds > 1 and "first" in pc_thetas else []) + ["last"]:
            self._theta.x.array[:] = pc_thetas[key]
            _assemble_into(self.A, self.a, self.bcs)
            self.ksp.setOperators(self.A)
            self._keep_preconditioner(False)
            self.ksp.setUp()
        self._theta.x.array[:] = now
        self._assembled = True
        self._pc_thetas = {k: np.array(a, copy=True) for k, a in pc_thetas.items()}
        self._pc_builds = builds
        self._pc_iterations = state.get("pc_iterations")
        self.last_iterations = state.get("last_iterations", 0)
        self._reusing = bool(state.get("reusing"))
        self.ksp.getPC().setReusePreconditioner(self._reusing)

    def solve(self, at: float | None = None) -> int:
        """Solve for u at the current θ; returns the Krylov iteration count.

        ``at`` (s): the time of this θ. CG starts from the last u, or, when the two solves
        before were given their times too, from u extrapolated linearly in time through
        them (PREDICTOR): the tolerance is relative to the right-hand side, so a closer start
        saves iterations (bench B, 106k u DOFs: 341 → 308) and does not change the answer.
        """
        if PREDICTOR and at is not None and len(self._history) == 2:
            (t0, u0), (t1, u1) = self._history
            if at > t1 > t0:
                self.u.x.array[:] = u1 + (at - t1) / (t1 - t0) * (u1 - u0)
        if not self._assembled or self.reassemble_matrix:
            self._assemble_matrix()
        with self.b.localForm() as loc:
            loc.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self.b, self.L)
        # the symmetry conditions are homogeneous (u·n = 0): lifting would subtract A·0, at
        # the cost of the element matrices of every cell touching a symmetry plane
        # (0.015 s per solve at 18k P2 DOFs, as much as the rest of the right-hand side)
        if not self._homogeneous_bcs:
            dolfinx.fem.petsc.apply_lifting(self.b, [self.a], bcs=[self.bcs])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(self.b, self.bcs)
        if self.null_space is not None:
            self.null_space.remove(self.b)
        x = self.u.x.petsc_vec
        start = x.copy() if self._reusing else None
        try:
            self.ksp.solve(self.b, x)
            reason = self.ksp.getConvergedReason()
            if reason <= 0 and start is not None:
                # the kept preconditioner no longer fits the matrix (E(θ) grew: its Jacobi
                # diagonal and Chebyshev eigenvalue bound are too small, and CG breaks down
                # at once rather than slowing down): rebuild it and solve again from the
                # same start
                start.copy(x)
                self._keep_preconditioner(False)
                self.ksp.solve(self.b, x)
                reason = self.ksp.getConvergedReason()
                self.rebuilds_after_failure += 1
        except PETSc.Error as exc:
            # e.g. "Computed maximum singular value as zero" in the Chebyshev set-up of a
            # matrix that under- or overflowed: one line, not a PETSc traceback
            raise MechanicsError(f"elasticity solve failed in PETSc (error code {exc.ierr}): "
                                 "the stiffness matrix or the swelling load is probably not "
                                 "representable (check the moduli and the swelling)") from None
        finally:
            if start is not None:
                start.destroy()
        if reason <= 0:
            residual = self._relative_residual(x)
            rtol = self.ksp.getTolerances()[0]
            if not (reason in FLOOR_REASONS and residual <= FLOOR_FACTOR * rtol):
                raise MechanicsError(
                    f"elasticity solve did not converge ({_ksp_reason(reason)}, "
                    f"{self.ksp.getIterationNumber()} iterations, relative residual "
                    f"{residual:.2g} against solver.linear_rtol = {rtol:.2g})"
                )
            self.floor_solves += 1
            self.floor_residual = max(self.floor_residual, residual)
        if self.gauge is not None:
            self.gauge.apply(x)
        self.u.x.scatter_forward()
        self.last_iterations = self.ksp.getIterationNumber()
        if self._pc_iterations is None:
            self._pc_iterations = self.last_iterations
        if at is not None:
            self._history = [*self._history[-1:], (at, self.u.x.array.copy())]
        return self.last_iterations
