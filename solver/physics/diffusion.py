"""Transient Li diffusion with a θ-dependent diffusivity (DESIGN §3).

Weak form (backward Euler, test function v, weight w = 1 or 2πr), scaled by ``1/(c_ref V)``
so that the SNES tolerances are dimensionless:

    ∫ c_max (θ − θ_n) v w dx + Δt ∫ c_max D(θ) ∇θ·∇v w dx − Δt ∫ j v w ds = 0

``j`` is the inward molar flux (mol m⁻² s⁻¹) on the loaded surfaces. With v = 1 the diffusion
term vanishes identically, so every Newton iterate solved exactly conserves Li to round-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
import dolfinx.fem.petsc
import ufl
from mpi4py import MPI
from petsc4py import PETSc


def storage_integral(coords, dx, lumped: bool):
    """``(weight, measure)`` of the Li storage term ``∫ c_max θ v weight dx`` and of the Li
    content it conserves: ``(coords.weight, dx)``, or with ``lumped`` the vertex quadrature
    rule with ``coords.lumped_weight``, which puts the row sums of the P1 storage ("mass")
    matrix on its diagonal and so keeps θ in [0, 1] at a front the mesh does not resolve."""
    if not lumped:
        return coords.weight, dx
    vertex = {"quadrature_rule": "vertex", "quadrature_degree": 1}
    return coords.lumped_weight, dx.reconstruct(metadata=vertex)


def diffusion_residual(theta, theta_n, v, dt, c_max, mobility, coords, dx, influx, source=None,
                       storage=None):
    """Backward-Euler residual of ``c_max ∂θ/∂t + ∇·J = s`` with ``J = −M(θ) ∇θ``.

    Args:
        theta, theta_n: unknown and previous θ.
        v: test function.
        dt: time step (s), a Constant.
        c_max: mol/m³ (UFL or float); 0 where no Li is stored.
        mobility: θ ↦ M(θ) = c_max D(θ) in mol m⁻¹ s⁻¹ (UFL).
        coords: coordinate system (weight and gradient).
        dx: volume measure.
        influx: list of ``(j, ds)``: inward molar flux (mol m⁻² s⁻¹) on a surface measure.
        source: optional volumetric source s (mol m⁻³ s⁻¹), e.g. for manufactured solutions.
        storage: ``(weight, measure)`` of the storage term (default ``(coords.weight, dx)``;
            see :func:`storage_integral`).

    Returns:
        The residual form (units mol, i.e. per time step).
    """
    w = coords.weight
    grad = coords.grad
    w_s, dx_s = (w, dx) if storage is None else storage
    F = (
        c_max * (theta - theta_n) * v * w_s * dx_s
        + dt * mobility(theta) * ufl.inner(grad(theta), grad(v)) * w * dx
    )
    for j, ds in influx:
        F -= dt * j * v * w * ds
    if source is not None:
        F -= dt * source * v * w * dx
    return F


#: Newton also stops when its update is below this fraction of ‖θ‖: at large dt the residual
#: can stall at its round-off floor above rtol·‖F₀‖ and atol, with θ converged to ~1e-14
NEWTON_STOL = 1e-12

#: start Newton from θ extrapolated linearly in time instead of from θ_n
PREDICTOR = True

#: quadrature degree of the diffusion forms (see DiffusionProblem)
QUADRATURE_DEGREE = 4


def linear_solver_options(kind: str, settings) -> dict:
    """PETSc options of the linear solver inside Newton.

    ``direct``: MUMPS LU of every Jacobian. ``lagged_lu``: GMRES preconditioned by a MUMPS LU
    that is refactored only every few Jacobians (the Jacobian itself is assembled at every
    Newton iteration, so Newton and its iteration counts are unchanged). ``gamg`` / ``ilu``:
    GMRES with algebraic multigrid (PETSc's defaults) or block-Jacobi ILU(0). ``amg``: GMRES
    with GAMG set up for this scalar problem: unsmoothed aggregation without aggressive
    coarsening, SOR smoothing, and the aggregates and interpolation of the first Jacobian
    reused for every later one (only the Galerkin coarse operators and the smoothers are
    rebuilt, so a new Jacobian costs little setup). Krylov solves run to
    ``solver.linear_rtol``.
    """
    krylov = {"ksp_type": "gmres", "ksp_rtol": settings.linear_rtol, "ksp_atol": 0.0,
              "ksp_gmres_restart": 100, "ksp_max_it": 500}
    if kind == "direct":
        return {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
    if kind.startswith("lagged_lu"):
        lag = int(kind.split(":")[1]) if ":" in kind else LU_LAG
        return {**krylov, "pc_type": "lu", "pc_factor_mat_solver_type": "mumps",
                "snes_lag_preconditioner": lag, "snes_lag_preconditioner_persists": True}
    if kind == "gamg":
        return {**krylov, "pc_type": "gamg"}
    if kind == "amg":
        return {**krylov, "pc_type": "gamg", "pc_gamg_agg_nsmooths": 0,
                "pc_gamg_aggressive_coarsening": 0, "pc_gamg_reuse_interpolation": True,
                "mg_levels_ksp_type": "richardson", "mg_levels_pc_type": "sor"}
    if kind == "ilu":
        return {**krylov, "pc_type": "bjacobi", "sub_pc_type": "ilu"}
    raise ValueError(f"unknown linear solver kind {kind!r}")


#: ``auto`` (by size, choose_linear_solver) or a kind of linear_solver_options (benchmarks);
#: anything but ``auto`` overrides the case's ``solver.diffusion_linear_solver``
LINEAR_SOLVER = "auto"
#: 3D problems with at least this many θ DOFs use ITERATIVE_KIND (None: never). Measured on
#: workload B, 2 ranks, one run each, same Newton counts and peak von Mises (bench/README.md,
#: 2026-12-03): the Newton linear solves (total, minus assembly) took direct 6.8 / ilu 3.0 /
#: gamg 4.6 s at 5.3k θ DOFs and direct 43.2 / ilu 16.7 / gamg 23.1 s at 18.6k (the 3D LU
#: grows faster than linearly: ×6.3 for ×3.5 DOFs). Below 5000 and in 2D MUMPS stays (its
#: share at 1k θ DOFs, B at 19k u DOFs: 1.4 of 11.1 s serial, iterative not measured there).
ITERATIVE_MIN_DOFS: int | None = 5000
ITERATIVE_KIND = "ilu"
#: 3D problems with at least this many θ DOFs use AMG_KIND instead (None: never). ILU(0)'s
#: iterations grow with the mesh (B: 37.8 / 52.4 / 66.0 per Newton step at 5.3k / 18.6k /
#: 44.3k θ DOFs) and with the ranks (block Jacobi); amg's hardly do (10.6 / 13.3 / 15.2).
#: The θ linear solves, 2 ranks, same steps, Newton counts and peak von Mises (bench/README.md,
#: 2026-12-06): B 5.3k ilu 2.9 s / amg 3.8 s; B 18.6k 17.1 / 16.7 s; B 44.3k 55.2 / 44.2 s;
#: workload C (porous, coated: D and c_max jump between regions), 18.2k θ DOFs, ILU(0) 91.6
#: its per Newton step, amg 25.0, 3.5 / 2.2 s.
AMG_MIN_DOFS: int | None = 15000
AMG_KIND = "amg"

#: the kinds a case may ask for in solver.diffusion_linear_solver (besides ``auto``)
CASE_KINDS = ("direct", "ilu", "amg")


def describe_linear_solver(kind: str) -> str:
    """A short description of a linear_solver_options kind, for the run log."""
    base = kind.split(":")[0]
    return {"direct": "MUMPS LU", "lagged_lu": "GMRES + lagged MUMPS LU",
            "gamg": "GMRES + GAMG", "ilu": "GMRES + block-Jacobi ILU(0)",
            "amg": "GMRES + GAMG (unsmoothed aggregation, SOR, interpolation reused)",
            }.get(base, kind)


def choose_linear_solver(n_dofs: int, tdim: int, requested: str = "auto") -> str:
    """The linear solver kind for a θ problem of ``n_dofs`` global DOFs in ``tdim`` dimensions.

    ``requested``: the case's ``solver.diffusion_linear_solver``; ``auto`` picks by size: MUMPS
    LU in 2D and in small 3D problems, ITERATIVE_KIND from ITERATIVE_MIN_DOFS θ DOFs in 3D,
    AMG_KIND from AMG_MIN_DOFS.
    """
    if LINEAR_SOLVER != "auto":
        return LINEAR_SOLVER
    if requested != "auto":
        return requested
    if tdim != 3:
        return "direct"
    if AMG_MIN_DOFS is not None and n_dofs >= AMG_MIN_DOFS:
        return AMG_KIND
    if ITERATIVE_MIN_DOFS is not None and n_dofs >= ITERATIVE_MIN_DOFS:
        return ITERATIVE_KIND
    return "direct"


#: lagged_lu: refactor the Jacobian every this many Newton iterations (across time steps)
LU_LAG = 5


class NewtonDivergence(RuntimeError):
    """Newton did not converge for this time step (the stepper cuts dt back)."""


#: SNESConvergedReason names of a failed Newton solve, in words (looked up by name: the
#: numbers are PETSc's, e.g. -8 is a local minimum and -9 the divergence tolerance)
_SNES_REASON_WORDS = {
    "DIVERGED_FUNCTION_DOMAIN": "function domain error",
    "DIVERGED_FUNCTION_COUNT": "function count limit",
    "DIVERGED_LINEAR_SOLVE": "linear solve failed",
    "DIVERGED_FNORM_NAN": "residual NaN or inf",
    "DIVERGED_FUNCTION_NANORINF": "residual NaN or inf",
    "DIVERGED_MAX_IT": "iteration limit reached",
    "DIVERGED_LINE_SEARCH": "line search failed",
    "DIVERGED_INNER": "inner solve failed",
    "DIVERGED_LOCAL_MIN": "stuck in a local minimum of the residual norm",
    "DIVERGED_DTOL": "residual grew beyond the divergence tolerance",
    "DIVERGED_JACOBIAN_DOMAIN": "Jacobian domain error",
    "DIVERGED_TR_DELTA": "trust region too small",
}
SNES_REASONS = {getattr(PETSc.SNES.ConvergedReason, name): words
                for name, words in _SNES_REASON_WORDS.items()
                if isinstance(getattr(PETSc.SNES.ConvergedReason, name, None), int)}


def snes_reason(reason: int) -> str:
    """``"SNES reason -4 (residual NaN or inf)"``: the code and what it means."""
    words = SNES_REASONS.get(reason)
    return f"SNES reason {reason} ({words})" if words else f"SNES reason {reason}"


def recover_after_failed_solve(snes, reason: int) -> None:
    """Make a Newton solver whose solve failed fit for the next (smaller) step.

    A failed factorisation (SNES reason -3 with MUMPS: a singular or NaN Jacobian) stays in
    the KSP: PETSc does not factorise the next Jacobian afresh, MUMPS refuses to solve with
    the failed factor (INFOG(1) = -3, a PETSc error) and every later step fails as well.
    ``KSP.reset`` drops it and keeps the KSP's and PC's types and options (MUMPS stays)."""
    if reason == PETSc.SNES.ConvergedReason.DIVERGED_LINEAR_SOLVE:
        snes.getKSP().reset()


@dataclass
class StepReport:
    newton_iterations: int
    krylov_iterations: int
    max_change: float
    hardest_newton: int | None = None
    #: staggered two-way coupling: the fixed-point iterations the step took
    coupling_iterations: int | None = None


class DiffusionProblem:
    """θ-equation on a domain with flux and/or Dirichlet (surface θ) loading.

    Args:
        domain: :class:`solver.domain.Domain`.
        theta_space: scalar P1 function space.
        c_max: UFL expression or float, mol/m³ (0 in inactive regions).
        mobility: callable θ ↦ c_max D(θ) (mol m⁻¹ s⁻¹) as UFL.
        loaded_surfaces: names of the boundaries where Li enters.
        settings: the case's ``solver`` section (tolerances).
        prefix: PETSc options prefix (unique per problem).
        stress_coupling: optional ``(coef, hydrostatic)`` for two-way coupling: θ ↦ coef(θ)
            and a :class:`solver.physics.hydrostatic.HydrostaticStress` (Pa); adds the flux
            ``+coef(θ) ∇σ_h`` (Li moves toward tension).
    """

    def __init__(self, domain, theta_space, c_max, mobility, loaded_surfaces, settings, prefix,
                 stress_coupling=None):
        self.domain = domain
        self.V = theta_space
        w = domain.coords.weight
        comm = domain.comm
        self.theta = dolfinx.fem.Function(theta_space, name="Lithiation fraction [-]")
        self.theta_n = dolfinx.fem.Function(theta_space)
        #: θ and dt of the accepted step before theta_n (the Newton predictor's history)
        self._previous: tuple[np.ndarray, float] | None = None
        self._f_work = None  # residual vector for _residual_norm
        self._dirichlet = False  # whether the current step imposes the surface θ
        self.dt = dolfinx.fem.Constant(domain.mesh, PETSc.ScalarType(1.0))
        # inward molar flux (mol m⁻² s⁻¹), one value per loaded surface
        self.fluxes = {n: dolfinx.fem.Constant(domain.mesh, PETSc.ScalarType(0.0))
                       for n in loaded_surfaces}
        self.surface_theta = dolfinx.fem.Function(theta_space)
        self.ds_load = domain.ds_named(loaded_surfaces)

        volume = comm.allreduce(
            dolfinx.fem.assemble_scalar(dolfinx.fem.form(w * domain.dx)), op=MPI.SUM
        )
        self.volume = volume
        self.load_area = comm.allreduce(
            dolfinx.fem.assemble_scalar(dolfinx.fem.form(w * self.ds_load)), op=MPI.SUM
        )
        self.areas = {n: comm.allreduce(dolfinx.fem.assemble_scalar(
            dolfinx.fem.form(w * domain.ds_named([n]))), op=MPI.SUM) for n in loaded_surfaces}
        #: mean c_max over the body (mol/m³): with the volume, the residual's scale
        self.c_ref = c_ref = comm.allreduce(
            dolfinx.fem.assemble_scalar(dolfinx.fem.form(c_max * w * domain.dx)), op=MPI.SUM
        ) / volume
        # a Constant, not a number in the form: the volume differs with every mesh, and a
        # number would make each mesh JIT-compile its own residual and Jacobian
        self.scale = scale = dolfinx.fem.Constant(domain.mesh, PETSc.ScalarType(
            1.0 / (c_ref * volume)))
        v = ufl.TestFunction(theta_space)
        # P1 θ: degree 4 integrates the storage and flux terms exactly (so the Li balance
        # stays exact) and D(θ) well; UFL would estimate degree ~13 for a tanh law
        q = {"quadrature_degree": QUADRATURE_DEGREE}
        dx = domain.dx(metadata=q)
        #: (weight, measure) of the storage term and of the Li content that it conserves
        self.storage = storage_integral(domain.coords, dx, settings.mass_lumping)
        influx = [(j, domain.ds_named([n]).reconstruct(metadata=q)) for n, j in self.fluxes.items()]
        residual = diffusion_residual(
            self.theta, self.theta_n, v, self.dt, c_max, mobility,
            domain.coords, dx, influx,
            storage=self.storage,
        )
        if stress_coupling is not None:
            coef, hydrostatic = stress_coupling
            # −∇·J_σ with J_σ = +coef ∇σ_h (toward tension) enters as −∫ coef ∇σ_h·∇v, per
            # region of σ_h (vanishes for v = 1)
            residual -= self.dt * hydrostatic.flux_term(coef(self.theta), v, q)
        self.residual = scale * residual
        self._settings = settings
        self._prefix = prefix
        #: KSP/PC options of the Newton systems (see linear_solver_options)
        n_dofs = theta_space.dofmap.index_map.size_global
        self.linear_solver = choose_linear_solver(n_dofs, domain.mesh.topology.dim,
                                                  settings.diffusion_linear_solver)
        self.linear_options = linear_solver_options(self.linear_solver, settings)
        self._problems: dict[bool, dolfinx.fem.petsc.NonlinearProblem] = {}
        fdim = domain.mesh.topology.dim - 1
        facets = np.concatenate([domain.facets(n) for n in loaded_surfaces]).astype(np.int32)
        #: θ dofs on the loaded surfaces (where a surface θ is imposed)
        self.load_dofs = dolfinx.fem.locate_dofs_topological(theta_space, fdim, facets)
        self.inflow_form = dolfinx.fem.form(
            sum(j * w * domain.ds_named([n]) for n, j in self.fluxes.items()))

    def _problem(self, dirichlet: bool):
        if dirichlet not in self._problems:
            s = self._settings
            bcs = []
            if dirichlet:
                bcs = [dolfinx.fem.dirichletbc(self.surface_theta, self.load_dofs)]
            opts = {
                "snes_type": "newtonls",
                "snes_linesearch_type": "basic",
                "snes_rtol": s.newton_rtol,
                "snes_atol": s.newton_atol,
                "snes_stol": NEWTON_STOL,
                "snes_max_it": s.newton_max_iterations,
                # at least one Newton step: a tiny dt makes the first residual (~ dt · current)
                # fall below snes_atol, and a step of 0 iterations took up no Li at all
                "snes_force_iteration": True,
                "snes_error_if_not_converged": False,
                "ksp_error_if_not_converged": False,
                **self.linear_options,
            }
            self._problems[dirichlet] = dolfinx.fem.petsc.NonlinearProblem(
                self.residual,
                self.theta,
                bcs=bcs,
                petsc_options_prefix=f"{self._prefix}{'d' if dirichlet else 'f'}_",
                petsc_options=opts,
            )
        return self._problems[dirichlet]

    @property
    def flux(self):
        """The flux Constant of the first loaded surface (all equal without flux shares)."""
        return next(iter(self.fluxes.values()))

    def set_fluxes(self, total_rate: float, shares: dict[str, float] | None) -> None:
        """Distribute a total inward Li rate (mol/s) over the loaded surfaces: by the given
        shares, or (None) with the same flux density everywhere."""
        for name, j in self.fluxes.items():
            part = shares[name] if shares else self.areas[name] / self.load_area
            j.value = total_rate * part / self.areas[name] if self.areas[name] > 0 else 0.0

    def set_surface_theta(self, value: float) -> None:
        """Impose θ = value on the loaded surfaces (potentiostatic / CV hold)."""
        self.surface_theta.x.array[:] = value

    def step(self, dt: float, dirichlet: bool, initial=None) -> StepReport:
        """Advance θ from ``theta_n`` by dt (s), Newton starting from ``initial`` (an array),
        or else (PREDICTOR, from the second step on) from θ extrapolated linearly in time, or
        from θ_n. Raises :class:`NewtonDivergence`."""
        predicted = initial is None and PREDICTOR and self._previous is not None
        self.dt.value = dt
        self._dirichlet = dirichlet
        self._set_start(self.theta_n.x.array)
        problem = self._problem(dirichlet)
        snes = problem.solver
        s = self._settings
        atol = s.newton_atol
        if predicted:
            # SNES's rtol is relative to the residual at the start: from a better start it
            # would ask for a smaller residual than the same step without the predictor (and
            # hit the round-off floor at large dt). Keep the criterion of the θ_n start.
            atol = max(atol, s.newton_rtol * self._residual_norm(problem))
            prev, dt_prev = self._previous
            now = self.theta_n.x.array
            # linear extrapolation in time from the last two accepted states
            self._set_start(now + (dt / dt_prev) * (now - prev))
        elif initial is not None:
            self._set_start(initial)
        snes.setTolerances(atol=atol)
        try:
            problem.solve()
        except PETSc.Error as exc:  # factorisation failure etc.
            # a PETSc error inside SNESSolve leaves its vectors locked: every later solve
            # with this SNES would fail too, so the next step builds a new one
            del self._problems[dirichlet]
            raise NewtonDivergence(f"PETSc error {exc}") from exc
        reason = snes.getConvergedReason()
        its = snes.getIterationNumber()
        recover_after_failed_solve(snes, reason)
        # every rank decides alike (a raise on one rank alone would leave the others in the
        # next collective): the finiteness check is reduced, the SNES reason is global
        finite = self.domain.comm.allreduce(bool(np.all(np.isfinite(self.theta.x.array))),
                                            op=MPI.LAND)
        if not finite:
            raise NewtonDivergence(f"θ not finite (NaN or inf), SNES reason {reason} after "
                                   f"{its} iterations")
        if reason <= 0:
            raise NewtonDivergence(f"{snes_reason(reason)} after {its} iterations")
        return StepReport(its, snes.getLinearSolveIterations(), self.max_change())

    def max_change(self) -> float:
        """The largest change of θ at a node in the step (θ − θ_n), over every rank."""
        n_owned = self.V.dofmap.index_map.size_local
        change = np.abs(self.theta.x.array[:n_owned] - self.theta_n.x.array[:n_owned])
        return self.domain.comm.allreduce(float(change.max()) if change.size else 0.0,
                                          op=MPI.MAX)

    def _set_start(self, values) -> None:
        """Newton's starting θ: ``values``, with the surface θ on the loaded surfaces when
        they carry a Dirichlet condition in this step."""
        self.theta.x.array[:] = values
        if self._dirichlet:
            self.theta.x.array[self.load_dofs] = self.surface_theta.x.array[self.load_dofs]

    def _residual_norm(self, problem) -> float:
        """‖F(θ)‖ at the current ``theta`` (the Newton residual, boundary rows included)."""
        if self._f_work is None:
            self._f_work = problem.b.duplicate()
        dolfinx.fem.petsc.assign(self.theta, problem.x)
        problem.solver.computeFunction(problem.x, self._f_work)
        return self._f_work.norm()

    def accept(self) -> None:
        self._previous = (self.theta_n.x.array.copy(), float(self.dt.value))
        self.theta_n.x.array[:] = self.theta.x.array

    def predictor_history(self) -> tuple[np.ndarray, float] | None:
        """θ (local array, ghosts included) and dt of the accepted step before θ_n, or None
        before the second step: what the Newton predictor extrapolates from (checkpoints
        keep it, so a restarted run takes the same steps)."""
        return self._previous

    def set_predictor_history(self, theta_previous: np.ndarray | None,
                              dt_previous: float | None = None) -> None:
        """Set what :meth:`predictor_history` returns (None: no history, no extrapolation)."""
        self._previous = None if theta_previous is None else (
            np.array(theta_previous, copy=True), float(dt_previous))

    def reject(self) -> None:
        self.theta.x.array[:] = self.theta_n.x.array

    def inflow_rate(self) -> float:
        """Li entering through the loaded surfaces (mol/s) at the current flux."""
        return self.domain.comm.allreduce(
            dolfinx.fem.assemble_scalar(self.inflow_form), op=MPI.SUM
        )
