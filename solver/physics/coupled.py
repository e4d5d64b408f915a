"""Monolithic two-way coupling: one Newton (SNES) on (u, θ, σ_h) per time step (DESIGN §3).

Unknowns, scaled so that the Jacobian is balanced (``L``: a body length, ``E_ref``: a mean
Young's modulus):

* ``û = u / L`` (P2 vector, the mechanics space),
* ``θ`` (P1, the diffusion unknown itself),
* ``ŝ = σ_h / E_ref`` (P1): the hydrostatic stress as an auxiliary unknown, defined by the
  consistent (weighted) L2 projection ``∫ ŝ q w dx = ∫ (tr σ(u, θ) / 3 E_ref) q w dx`` —
  one such field per stress-coupled region, each projected over its own region and free to
  jump between regions (:mod:`solver.physics.hydrostatic`), the same σ_h the staggered
  scheme uses, so both schemes solve the same discrete equations and differ only by the
  staggered tolerance. (A lumped projection is
  one-sided at boundary nodes and cut the MMS orders of θ and u to 1.) A DG stress is never
  differentiated: ∇σ_h is the gradient of this P1 field.

Residuals (backward Euler; test functions v, q_θ, q_s; weight w = 1 or 2πr):

    F_u = (L / (E_ref V)) [∫ σ(u, θ) : ε(v) w dx − ∫ f·v w dx]
    F_θ = 1/(c_ref V) [∫ c_max (θ − θ_n) q_θ w + Δt ∫ M(θ) ∇θ·∇q_θ w − Δt ∫ coef(θ) ∇σ_h·∇q_θ w
                       − Δt ∫ j q_θ w ds − Δt ∫ s q_θ w]
    F_s = 1/V [∫ ŝ q_s w dx − ∫ (tr σ(u, θ) / (3 E_ref)) q_s w dx]   (per region of σ_h)

with ``σ = C(E(θ), ν(θ)) : (ε(u) − ε_ch(θ) I)``: E(θ) and ν(θ) are inside the Jacobian
(UFL derivative of the whole system). The diffusion part is the production
:func:`solver.physics.diffusion.diffusion_residual` at the same quadrature degree.

Rigid-body modes of a free body (the operator's exact null space, zero on θ and σ_h): the
residual is orthogonal to them identically (ε(rigid) = 0), so the system is consistent;
MUMPS is run with null-pivot detection (ICNTL(24)) and the rigid part of û is removed after
every solve by the mechanics problem's gauge (centroid fixed, as the staggered mechanics
does; :class:`solver.linear_algebra.RigidMotionGauge`). No node is pinned.

``solver.coupled_linear_solver: iterative`` (``auto``: in 3D from ITERATIVE_MIN_DOFS u DOFs,
:func:`choose_linear_solver`) solves each Newton system with FGMRES and a block
preconditioner instead (:func:`iterative_options`, :func:`block_options`,
:func:`schur_diffusion`): the same Newton iterates to the Krylov tolerance, in less memory.
For a free body the rigid motions are the null space of the block Jacobian and of its u
block (:meth:`CoupledProblem._set_null_spaces`). The Jacobian is then a PETSc nest of its
blocks, which the preconditioner and its field split share rather than copy
(:meth:`CoupledProblem._set_preconditioner_matrix`).
"""

from __future__ import annotations

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
import dolfinx.fem.petsc
import ufl
from mpi4py import MPI
from petsc4py import PETSc

from dolfinx.fem.forms import derivative_block

from solver.materials import constants_on
from solver.physics import constitutive
from solver.physics.diffusion import QUADRATURE_DEGREE, NewtonDivergence, StepReport, \
    diffusion_residual, recover_after_failed_solve, snes_reason


def _degree(expr) -> int:
    """The quadrature degree UFL would estimate for an integrand on its own (after the same
    algebra lowering and differentiation as form compilation)."""
    from ufl.algorithms.apply_algebra_lowering import apply_algebra_lowering
    from ufl.algorithms.apply_derivatives import apply_derivatives

    lowered = apply_derivatives(apply_algebra_lowering(expr))
    return int(ufl.algorithms.estimate_total_polynomial_degree(lowered, 1))


def coupled_residuals(u_hat, theta, theta_n, s_hat, dt, *, coords, E, nu, eps_ch, c_max,
                      mobility, stress_mobility, influx, length, e_ref, volume, c_ref,
                      body_force=None, source=None, source_dx=None, storage=None):
    """The residual forms ``[F_u, F_θ, F_s, ...]`` of the monolithic two-way problem (one
    F_s per σ_h field).

    Args:
        u_hat: scaled displacement û = u / length (Function, vector P2).
        theta, theta_n: θ and its previous value (P1 Functions).
        s_hat: scaled hydrostatic stress ŝ = σ_h / e_ref: a P1 Function over the whole
            mesh, or a list of ``(Function, dx)`` with each field's region measure.
        dt: time step (s), a Constant.
        coords: coordinate system (weight, strain, grad).
        E, nu, eps_ch: θ ↦ Young's modulus (Pa), Poisson's ratio, swelling strain (UFL).
        c_max: mol/m³ (UFL or float).
        mobility: θ ↦ c_max D(θ) (mol m⁻¹ s⁻¹).
        stress_mobility: θ ↦ coef(θ) of the stress-driven flux ``J_σ = +coef ∇σ_h``.
        influx: list of ``(j, ds)``: inward molar flux (mol m⁻² s⁻¹) on surface measures.
        length, e_ref, volume, c_ref: scales (m, Pa, m³ of the body, mol/m³).
        body_force: optional body force (N/m³, gdim vector), e.g. for manufactured solutions.
        source: optional Li source (mol m⁻³ s⁻¹).
        source_dx: measure for the source integrals (default: the diffusion measure).
        storage: ``(weight, measure)`` of the Li storage term (default: the diffusion's; see
            :func:`solver.physics.diffusion.storage_integral`).
    """
    mesh = theta.function_space.mesh
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=None)
    parts = [(s_hat, dx)] if isinstance(s_hat, dolfinx.fem.Function) else list(s_hat)
    v, q_th = ufl.TestFunction(u_hat.function_space), ufl.TestFunction(theta.function_space)
    w = coords.weight
    I = coords.identity()
    u = length * u_hat
    th_E, th_nu, th_ch = E(theta), nu(theta), eps_ch(theta)
    # mechanics: stiffness and eigenstrain parts at the degrees UFL gives each on its own
    # (as the separate bilinear and linear forms of the staggered mechanics problem)
    stiff = ufl.inner(constitutive.stress(coords.strain(u), 0.0, th_E, th_nu, I),
                      coords.strain(v)) * w
    swell = ufl.inner(constitutive.stress(0.0 * I, -th_ch, th_E, th_nu, I), coords.strain(v)) * w
    F_u = stiff * dx(metadata={"quadrature_degree": _degree(stiff)}) \
        - swell * dx(metadata={"quadrature_degree": _degree(swell)})
    q = {"quadrature_degree": QUADRATURE_DEGREE}
    dxq = dx(metadata=q)
    sdx = source_dx if source_dx is not None else dxq
    if body_force is not None:
        F_u -= ufl.inner(body_force, v) * w * sdx
    F_u = (length / (e_ref * volume)) * F_u
    # diffusion: the production residual plus the stress-driven flux
    F_th = diffusion_residual(theta, theta_n, q_th, dt, c_max, mobility, coords, dxq, influx,
                              storage=storage)
    coef = stress_mobility(theta)
    for s_k, dx_k in parts:  # each σ_h field over its own region
        F_th -= dt * e_ref * coef * ufl.inner(coords.grad(s_k), coords.grad(q_th)) * w \
            * dx_k.reconstruct(metadata=q)
    if source is not None:
        F_th -= dt * source * q_th * w * sdx
    F_th = (1.0 / (c_ref * volume)) * F_th
    # σ_h: consistent projection of tr σ / 3 (σ as in the exported stress, unguarded at the
    # axis: quadrature points never lie on it)
    sigma = constitutive.stress(coords.strain(u), th_ch, th_E, th_nu, I)
    F_s = []
    for s_k, dx_k in parts:
        q_s = ufl.TestFunction(s_k.function_space)
        proj = ufl.tr(sigma) / 3.0 / e_ref * q_s * w
        mass = s_k * q_s * w
        F_s.append((1.0 / volume)
                   * (mass * dx_k.reconstruct(metadata={"quadrature_degree": _degree(mass)})
                      - proj * dx_k.reconstruct(metadata={"quadrature_degree": _degree(proj)})))
    return [F_u, F_th, *F_s]


def snes_options(settings) -> dict:
    """SNES/KSP options of the monolithic Newton: full Newton steps, MUMPS LU."""
    opts = {
        "snes_type": "newtonls",
        "snes_linesearch_type": "basic",
        "snes_rtol": settings.newton_rtol,
        "snes_atol": settings.newton_atol,
        "snes_stol": 0.0,
        "snes_max_it": settings.newton_max_iterations,
        "snes_force_iteration": True,  # (as the diffusion Newton: a tiny dt takes up Li too)
        "snes_error_if_not_converged": False,
        "ksp_type": "preonly",
        "pc_type": "lu",
        "pc_factor_mat_solver_type": "mumps",
        "ksp_error_if_not_converged": False,
    }
    return opts


#: iterative linear solver of the monolithic Newton: each block of its preconditioner is
#: solved to this relative tolerance (looser blocks took twice the outer iterations)
BLOCK_RTOL = 1e-3

#: ``solver.coupled_linear_solver: auto`` takes the iterative solver in 3D from this many
#: (global) u DOFs, MUMPS LU below and in 2D. Measured serially, two_way, the same Newton
#: iterations and final max von Mises in each pair (bench/README.md, 2026-12-07): default
#: case (octant) 17.8k u DOFs to mean θ 0.1: LU 54 s / 415 MB, iterative 52 s / 231 MB, but
#: to mean θ 0.9 LU 145 s, iterative 195 s; 3d sphere 48k, 10 steps: LU 119 s / 1.13 GB,
#: iterative 67 s / 0.35 GB; workload C, 405k on 2 ranks: no LU step in 10 min at 5.5 GB per
#: rank, iterative 33 s per step at 1.16 GB. In 2D (axisymmetric, 1.7k u DOFs) the LU took
#: 2.4 s against 2.8 s.
ITERATIVE_MIN_DOFS = 25000


def choose_linear_solver(n_u_dofs: int, tdim: int, requested: str = "auto") -> str:
    """``direct`` or ``iterative`` for a monolithic two-way problem with ``n_u_dofs`` global
    displacement DOFs in ``tdim`` dimensions; ``requested``: the case's
    ``solver.coupled_linear_solver`` (``auto``: by size, see ITERATIVE_MIN_DOFS)."""
    if requested != "auto":
        return requested
    return "iterative" if tdim == 3 and n_u_dofs >= ITERATIVE_MIN_DOFS else "direct"


def iterative_options(settings) -> dict:
    """KSP/PC options of ``solver.coupled_linear_solver: iterative``: FGMRES to linear_rtol,
    preconditioned by one block Gauss–Seidel sweep θ → u → σ_h (PCFieldSplit,
    multiplicative; the splits are named and ordered in :meth:`CoupledProblem._set_splits`,
    their solvers set by :func:`block_options`). θ comes first, so the only block left out
    is σ_h → θ (the stress-driven flux), and the θ block's matrix makes up for it (see
    :func:`schur_diffusion`)."""
    return {
        "ksp_type": "fgmres",  # the inner Krylov solves make the preconditioner vary
        "ksp_rtol": settings.linear_rtol,
        # a linear residual far below Newton's own absolute tolerance is not needed, and
        # below the round-off floor FGMRES would only stagnate to ksp_max_it
        "ksp_atol": 1e-3 * settings.newton_atol,
        "ksp_max_it": 1000,
        "ksp_gmres_restart": 100,
        "pc_type": "fieldsplit",
        "pc_fieldsplit_type": "multiplicative",
    }


def block_options(prefix: str, n_stress: int, p_multigrid: bool) -> None:
    """The solvers of the iterative preconditioner's blocks, each to BLOCK_RTOL: θ GMRES +
    block-Jacobi ILU(0), u CG preconditioned like the staggered mechanics (``p_multigrid``:
    Chebyshev/Jacobi on P2, GAMG on the P1 level set by :meth:`CoupledProblem._set_splits`;
    else GAMG on the block; the rigid-body near-null space composed on its index set),
    σ_h CG + Jacobi. Like :func:`mumps_options` they stay in the options database: each
    block's KSP reads them when it is made, also after a ``KSP.reset`` (see
    :meth:`CoupledProblem.step`), long after NonlinearProblem removed its own options."""
    opts = PETSc.Options()
    block = f"{prefix}fieldsplit_"
    opts[f"{block}theta_ksp_type"] = "gmres"
    opts[f"{block}theta_pc_type"] = "bjacobi"
    opts[f"{block}u_ksp_type"] = "cg"
    gamg = f"{block}u_mg_coarse_" if p_multigrid else f"{block}u_"
    if p_multigrid:
        opts[f"{block}u_pc_type"] = "mg"
        opts[f"{block}u_mg_coarse_ksp_type"] = "preonly"
        # Lanczos (CG) for the Chebyshev bound of the SPD P2 level, as the mechanics does
        opts[f"{block}u_mg_levels_esteig_ksp_type"] = "cg"
    opts[f"{gamg}pc_type"] = "gamg"
    opts[f"{gamg}pc_gamg_coarse_eq_limit"] = 1000
    # aggressive coarsening by MIS-2 rather than by the squared graph: with GAMG on the P2
    # 3D block the square of the graph was huge (bench workload C, 405k u DOFs, 2 ranks:
    # 5.0 against 2.5 GB per rank, the same time; no aggressive coarsening: 4.8 GB and twice
    # the time). The p-multigrid keeps it on its P1 level (0.6x the time; 1.99 GB, and
    # 1.16 GB once the Jacobian became a nest: bench/README.md)
    opts[f"{gamg}pc_gamg_aggressive_square_graph"] = "false"
    for smoothed in {f"{block}u_", gamg}:
        opts[f"{smoothed}mg_levels_ksp_type"] = "chebyshev"
        opts[f"{smoothed}mg_levels_pc_type"] = "jacobi"
    for name in ("theta", "u", *(f"sigma_h{k}" for k in range(n_stress))):
        opts[f"{block}{name}_ksp_rtol"] = BLOCK_RTOL
        if name.startswith("sigma_h"):
            # a weighted mass matrix, with empty rows at the dofs off its region (no
            # equation there, 0 in the right-hand side): Jacobi takes 1 for their diagonal
            opts[f"{block}{name}_ksp_type"] = "cg"
            opts[f"{block}{name}_pc_type"] = "jacobi"


def schur_diffusion(theta, dt, fields, stress_mobility, coords, parts, scale):
    """The term the θ block of the iterative preconditioner adds to ∂F_θ/∂θ, so that it
    approximates the Schur complement of θ (u and σ_h eliminated).

    In a free body σ_h follows θ locally: ``σ_h = 2E (ε̄_ch − ε_ch(θ)) / (3(1 − ν))`` exactly in
    a sphere (the mean ε̄_ch is a global, low-rank term, left out), so a change δθ changes
    σ_h by −k δθ with ``k = 2E ε_ch'(θ) / (3(1 − ν))``. The stress-driven flux
    ``−Δt coef ∇σ_h·∇q`` then adds the stress-enhanced diffusion ``Δt coef k ∇δθ·∇q``.
    ``scale``: the factor of F_θ (1 / (c_ref V)). None without σ_h fields."""
    t = ufl.variable(theta)
    k = 2.0 * fields.E(theta) * ufl.diff(fields.eps_ch(t), t) / (3.0 * (1.0 - fields.nu(theta)))
    V = theta.function_space
    d_th, q_th = ufl.TrialFunction(V), ufl.TestFunction(V)
    coef = stress_mobility(theta)
    q = {"quadrature_degree": QUADRATURE_DEGREE}
    terms = [scale * dt * coef * k * ufl.inner(coords.grad(d_th), coords.grad(q_th))
             * coords.weight * dx_k.reconstruct(metadata=q) for _, dx_k in parts]
    return sum(terms[1:], terms[0]) if terms else None


def mumps_options(prefix: str, null_pivots: bool) -> None:
    """MUMPS settings that must stay in the options database until the first factorisation
    (NonlinearProblem removes its SNES options after reading them). ``null_pivots``: the
    Jacobian is singular (see :meth:`CoupledProblem._problem`)."""
    opts = PETSc.Options()
    if null_pivots:
        opts[f"{prefix}mat_mumps_icntl_24"] = 1  # detect null pivots
        opts[f"{prefix}mat_mumps_icntl_25"] = 0  # return one solution; its rigid part is removed


class CoupledProblem:
    """Monolithic Newton for two-way coupling on the Functions of the staggered problems.

    It shares θ, θ_n, Δt, the flux Constants and the surface-θ Function with
    ``diffusion`` (:class:`solver.physics.diffusion.DiffusionProblem`), the displacement,
    symmetry conditions and null space with ``mechanics``
    (:class:`solver.physics.mechanics.MechanicsProblem`), and writes σ_h into the fields of
    ``hydrostatic``; the time loop and its rejections work as with the staggered scheme.

    Args:
        domain: :class:`solver.domain.Domain`.
        diffusion, mechanics: the problems whose Functions are shared.
        fields: :class:`solver.materials.MaterialFields`.
        hydrostatic: :class:`solver.physics.hydrostatic.HydrostaticStress` (Pa).
        stress_mobility: θ ↦ coef(θ) of the stress-driven flux (the staggered scheme's).
        settings: the case's ``solver`` section.
        prefix: PETSc options prefix.
    """

    def __init__(self, domain, diffusion, mechanics, fields, hydrostatic, stress_mobility,
                 settings, prefix: str):
        comm = domain.comm
        self.domain, self.diffusion, self.mechanics = domain, diffusion, mechanics
        self.hydrostatic = hydrostatic
        self._settings, self._prefix = settings, prefix
        coords = domain.coords
        w = coords.weight
        self.theta = diffusion.theta
        self.u_hat = dolfinx.fem.Function(mechanics.V, name="u / L")
        # each σ_h field in a P1 space of its own (the part's, copied 1:1): a space shared
        # with θ would make dolfinx apply the surface-θ Dirichlet condition to the σ_h block
        # too (bcs are sorted by space)
        self.s_hats = [dolfinx.fem.Function(p.V, name="sigma_h / E_ref")
                       for p in hydrostatic.parts]
        volume = diffusion.volume
        c_max = fields.c_max()
        e_ref = comm.allreduce(dolfinx.fem.assemble_scalar(
            dolfinx.fem.form(fields.E(self.theta) * w * domain.dx)), op=MPI.SUM) / volume
        self.length, self.e_ref = float(domain.length_scale), float(e_ref)
        q = {"quadrature_degree": QUADRATURE_DEGREE}
        influx = [(j, domain.ds_named([n]).reconstruct(metadata=q))
                  for n, j in diffusion.fluxes.items()]
        const = constants_on(domain.mesh)
        self.residuals = coupled_residuals(
            self.u_hat, self.theta, diffusion.theta_n,
            [(s, p.dx) for s, p in zip(self.s_hats, hydrostatic.parts)], diffusion.dt,
            coords=coords, E=fields.E, nu=fields.nu, eps_ch=fields.eps_ch, c_max=c_max,
            mobility=fields.mobility,
            stress_mobility=stress_mobility, influx=influx,
            # the scales as Constants: numbers of this mesh and these materials would make
            # every run JIT-compile forms of its own
            length=const(self.length), e_ref=const(self.e_ref), volume=const(volume),
            c_ref=const(diffusion.c_ref),
            storage=diffusion.storage,
        )
        V = mechanics.V
        #: ``direct`` or ``iterative``, as :func:`choose_linear_solver` took it
        self.linear_solver = choose_linear_solver(
            V.dofmap.index_map.size_global * V.dofmap.index_map_bs, domain.mesh.topology.dim,
            settings.coupled_linear_solver)
        self.iterative = self.linear_solver == "iterative"
        self._schur = None
        if self.iterative:
            self._schur = schur_diffusion(
                self.theta, diffusion.dt, fields, stress_mobility, coords,
                [(s, p.dx) for s, p in zip(self.s_hats, hydrostatic.parts)],
                diffusion.scale)
        self.null_space = mechanics.null_space
        #: the u block's p-multigrid (iterative, as the mechanics has one): the mechanics' P1
        #: level (its form, interpolation and null spaces), with a matrix of its own in the
        #: units of the Jacobian's u block, J_uu = ∂F_u/∂û = (L / (E_ref V)) · L · K
        self._coarse = mechanics.coarse if self.iterative else None
        self._coarse_A = self._coarse.new_matrix() if self._coarse is not None else None
        self._coarse_scale = self.length ** 2 / (self.e_ref * volume)
        self._problems: dict[bool, dolfinx.fem.petsc.NonlinearProblem] = {}
        self._saved = None

    def _problem(self, dirichlet: bool):
        if dirichlet not in self._problems:
            bcs = list(self.mechanics.bcs)
            bcs += [bc for p in self.hydrostatic.parts if (bc := p.zero_bc()) is not None]
            if dirichlet:
                bcs.append(dolfinx.fem.dirichletbc(self.diffusion.surface_theta,
                                                   self.diffusion.load_dofs))
            prefix = f"{self._prefix}{'d' if dirichlet else 'f'}_"
            unknowns = [self.u_hat, self.theta, *self.s_hats]
            options = snes_options(self._settings)
            if self.iterative:
                options.pop("pc_factor_mat_solver_type")
                options.update(iterative_options(self._settings))
                block_options(prefix, len(self.s_hats), self._coarse is not None)
            else:
                # singular: the rigid motions of a free body, and the rows of a σ_h field
                # off its region, which are empty (the block assembly puts no diagonal
                # there; without null-pivot detection an octant with an active coating
                # failed at its first step with a zero pivot)
                regional = any(p.region is not None for p in self.hydrostatic.parts)
                mumps_options(prefix, self.null_space is not None or regional)
            problem = dolfinx.fem.petsc.NonlinearProblem(
                self.residuals, unknowns, bcs=bcs, kind="nest" if self.iterative else "mpi",
                petsc_options_prefix=prefix, petsc_options=options,
            )
            if self.iterative:
                self._set_preconditioner_matrix(problem, unknowns, bcs)
                self._set_null_spaces(problem)
                self._set_splits(problem)
            self._problems[dirichlet] = problem
        return self._problems[dirichlet]

    def _set_preconditioner_matrix(self, problem, unknowns, bcs) -> None:
        """The iterative solver's preconditioner matrix: the Jacobian's blocks, the θ block
        with the stress-enhanced diffusion added (:func:`schur_diffusion`).

        The Jacobian is a nest of its blocks (``kind="nest"``), and this matrix is a nest of
        the same block matrices but for its own θ block (P1, small), so that neither it nor
        the field split (which takes its blocks from a nest without copying them) holds a
        copy of the large u block. Assembled with the Jacobian at every Newton iteration."""
        A = problem.A
        n = len(unknowns)
        blocks = [[A.getNestSubMatrix(i, j) for j in range(n)] for i in range(n)]
        p_theta = None
        if self._schur is not None:
            form = derivative_block(self.residuals[1], self.theta) + self._schur
            p_theta = dolfinx.fem.form(form)
            blocks[1][1] = dolfinx.fem.petsc.create_matrix(p_theta)
        rows, cols = A.getNestISs()
        P = PETSc.Mat().createNest(blocks, isrows=rows, iscols=cols, comm=self.domain.comm)
        jacobian = {"u": unknowns, "jacobian": problem.J, "preconditioner": None, "bcs": bcs}

        def assemble(snes, x, J, P_mat):
            dolfinx.fem.petsc.assemble_jacobian(snes, x, J, P_mat, **jacobian)
            if p_theta is not None:
                P_theta = P_mat.getNestSubMatrix(1, 1)
                P_theta.zeroEntries()
                dolfinx.fem.petsc.assemble_matrix(P_theta, p_theta, bcs, diag=1.0)
                P_theta.assemble()
            P_mat.assemble()  # a new state: the preconditioner is set up again

        problem.solver.setJacobian(assemble, A, P)
        # kept with its problem (a failed problem is dropped and made again, see step)
        problem.chemomech_preconditioner_matrix = P

    def _set_null_spaces(self, problem) -> None:
        """A free body's rigid motions (zero in θ and σ_h) as the null space of the block
        Jacobian, for the iterative solver.

        The Newton residual is orthogonal to them only up to round-off. Once its u part has
        converged to round-off while θ's has not (about 1e-17 against 1e-13), that
        round-off was 1 % of the u part, and every FGMRES vector carried it into the u
        block's right-hand side: the u block's CG cannot reduce a rigid component, stalled
        at that level and stopped with "indefinite preconditioner", so steps were cut back
        for nothing. As the transpose null space, KSPSolve removes it from the right-hand side
        first (as :meth:`MechanicsProblem.solve` does for the staggered scheme)."""
        if self.null_space is None:
            return
        vectors = []
        for z in self.null_space.getVecs():
            v = problem.x.duplicate()  # a nest: û, θ, σ_h...
            u, *rest = v.getNestSubVecs()
            u.setArray(z.getArray(readonly=True))
            for w in rest:
                w.set(0.0)
            vectors.append(v)
        # orthonormal as the mechanics vectors are: zeros were only appended
        self._block_null_space = PETSc.NullSpace().create(vectors=vectors,
                                                          comm=self.domain.comm)
        problem.A.setNullSpace(self._block_null_space)
        problem.A.setTransposeNullSpace(self._block_null_space)

    def _set_splits(self, problem) -> None:
        """Name and order the blocks of the iterative preconditioner (θ, u, σ_h...; see
        :func:`iterative_options`) and give the u block its rigid-body (near-)null space."""
        index_sets = problem.A.getNestISs()[0]  # û, θ, σ_h...
        is_u, is_theta, *is_s = index_sets
        m = self.mechanics
        is_u.compose("nearnullspace", m.A.getNearNullSpace())
        if self.null_space is not None:
            is_u.compose("nullspace", self.null_space)
        pc = problem.solver.getKSP().getPC()
        pc.setFieldSplitIS(
            ("theta", is_theta), ("u", is_u), *((f"sigma_h{k}", s) for k, s in enumerate(is_s)))
        # the blocks' KSPs read their options (block_options) only when the PC is first set
        # up: after a KSP.reset (see step) they came back as preonly + ILU, and FGMRES took
        # 7x the iterations for the rest of the run
        subs = pc.getFieldSplitSubKSP()
        if self._coarse is not None:
            pc_u = subs[1].getPC()
            pc_u.setType("mg")
            pc_u.setMGLevels(2)
            pc_u.setMGInterpolation(1, self._coarse.P)
        for sub in subs:
            sub.setFromOptions()
        if self._coarse is not None:
            pc_u.getMGCoarseSolve().setOperators(self._coarse_A)
        self._index_sets = index_sets  # PETSc keeps references; so do we

    def step(self, dt: float, dirichlet: bool) -> StepReport:
        """Advance (u, θ, σ_h) by dt (s) from θ_n, starting from the current u and σ_h.
        Raises :class:`NewtonDivergence`; the state before the step is kept for
        :meth:`reject`."""
        diff = self.diffusion
        u, parts = self.mechanics.u, self.hydrostatic.parts
        self._saved = (u.x.array.copy(), self.hydrostatic.arrays())
        diff.dt.value = dt
        self.theta.x.array[:] = diff.theta_n.x.array
        if dirichlet:
            dofs = diff.load_dofs
            self.theta.x.array[dofs] = diff.surface_theta.x.array[dofs]
        self.u_hat.x.array[:] = u.x.array / self.length
        for s_hat, p in zip(self.s_hats, parts):
            s_hat.x.array[:] = p.sigma.x.array / self.e_ref
        problem = self._problem(dirichlet)
        if self._coarse is not None:  # at θ_n: a preconditioner, E(θ) of the step's start
            self._coarse.assemble(self._coarse_A, self._coarse_scale)
        try:
            problem.solve()
        except PETSc.Error as exc:  # factorisation failure etc.
            self.reject()
            # a PETSc error inside SNESSolve leaves its vectors locked: every later solve
            # with this SNES would fail too, so the next step builds a new one
            del self._problems[dirichlet]
            raise NewtonDivergence(f"monolithic coupling: PETSc error {exc}") from exc
        snes = problem.solver
        reason, its = snes.getConvergedReason(), snes.getIterationNumber()
        finite = all(np.all(np.isfinite(f.x.array))
                     for f in (self.u_hat, self.theta, *self.s_hats))
        finite = self.domain.comm.allreduce(finite, op=MPI.LAND)
        if reason <= 0 or not finite:
            self.reject()
            recover_after_failed_solve(snes, reason)
            if self.iterative and reason == PETSc.SNES.ConvergedReason.DIVERGED_LINEAR_SOLVE:
                self._set_splits(problem)  # KSP.reset dropped the preconditioner's blocks
            what = snes_reason(reason) if finite else "u, θ or σ_h not finite (NaN or inf)"
            raise NewtonDivergence(f"monolithic coupling: {what} after {its} iterations")
        if self.mechanics.gauge is not None:
            self.mechanics.gauge.apply(self.u_hat.x.petsc_vec)
            self.u_hat.x.scatter_forward()
        u.x.array[:] = self.length * self.u_hat.x.array
        for s_hat, p in zip(self.s_hats, parts):
            p.sigma.x.array[:] = self.e_ref * s_hat.x.array
        return StepReport(its, snes.getLinearSolveIterations(), diff.max_change(),
                          hardest_newton=its)

    def reject(self) -> None:
        """Restore θ, u and σ_h of the start of the last step."""
        self.diffusion.reject()
        if self._saved is not None:
            self.mechanics.u.x.array[:] = self._saved[0]
            self.hydrostatic.set_arrays(self._saved[1])
