"""Quasi-static linear elasticity with a swelling eigenstrain (DESIGN §3).

``∇·σ = 0`` with ``σ = C(θ) : (ε(u) − ε_ch(θ) I)``; P2 displacement; symmetry planes carry
``u·n = 0``; the rigid motions of a free body are handled as the operator's null space
(CG + GAMG with the rigid-body near-null space), never by pinning nodes.
"""

from __future__ import annotations

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
import dolfinx.fem.petsc
import ufl
from petsc4py import PETSc

from solver.linear_algebra import body_dofs, exact_null_space, near_null_space
from solver.physics import constitutive

#: start CG from u extrapolated in time through the last two solves (see MechanicsProblem.solve)
PREDICTOR = True

#: boundary name → displacement component fixed on it
SYMMETRY_COMPONENT = {"symmetry_x": 0, "symmetry_y": 1, "symmetry_z": 2, "axis": 0}


class MechanicsError(RuntimeError):
    """The elasticity solve failed."""


class MechanicsProblem:
    """Elasticity driven by the swelling of a given θ field.

    Args:
        domain: :class:`solver.domain.Domain`.
        theta: the θ Function (P1) that drives the swelling.
        fields: :class:`solver.simulation.MaterialFields` (E, ν, ε_ch as UFL of θ).
        settings: the case's ``solver`` section.
        prefix: PETSc options prefix.
    """

    def __init__(self, domain, theta, fields, settings, prefix: str, degree: int = 2):
        mesh = domain.mesh
        coords = domain.coords
        self.domain = domain
        gdim = mesh.geometry.dim
        self.V = dolfinx.fem.functionspace(mesh, ("Lagrange", degree, (gdim,)))
        self.u = dolfinx.fem.Function(self.V, name="Displacement [m]")
        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        I = coords.identity()
        E, nu = fields.E(theta), fields.nu(theta)
        eps_ch = fields.eps_ch(theta)
        w = coords.weight
        dx = domain.dx
        a = ufl.inner(constitutive.stress(coords.strain(u), 0.0, E, nu, I), coords.strain(v)) * w * dx
        # the eigenstrain load: ∫ C:(ε_ch I) : ε(v)
        L = ufl.inner(constitutive.stress(0.0 * I, -eps_ch, E, nu, I), coords.strain(v)) * w * dx
        self.stress = constitutive.stress(coords.strain(self.u, guarded=True), eps_ch, E, nu, I)
        self.a = dolfinx.fem.form(a)
        self.L = dolfinx.fem.form(L)
        self.reassemble_matrix = fields.elastic_depends_on_theta

        fdim = mesh.topology.dim - 1
        self.bcs = []
        constrained = []
        for name in domain.boundaries:
            comp = SYMMETRY_COMPONENT.get(name)
            if comp is None:
                continue
            Vc, _ = self.V.sub(comp).collapse()
            dofs = dolfinx.fem.locate_dofs_topological((self.V.sub(comp), Vc), fdim, domain.facets(name))
            zero = dolfinx.fem.Function(Vc)
            self.bcs.append(dolfinx.fem.dirichletbc(zero, dofs, self.V.sub(comp)))
            constrained.append(dofs[0])
        # dofs of a sub-space are already "unrolled" indices into the parent's array
        constrained_dofs = (np.unique(np.concatenate(constrained)) if constrained
                            else np.zeros(0, np.int32))
        bodies = body_dofs(self.V, [domain.body_cells(b) for b in domain.bodies])
        self.null_space = exact_null_space(self.V, domain.mode, constrained_dofs, bodies)

        self.A = dolfinx.fem.petsc.create_matrix(self.a)
        self.b = dolfinx.fem.petsc.create_vector(self.V)
        self._assembled = False
        self.A.setNearNullSpace(near_null_space(self.V, domain.mode, bodies))
        if self.null_space is not None:
            self.A.setNullSpace(self.null_space)

        self.ksp = PETSc.KSP().create(mesh.comm)
        self.ksp.setOptionsPrefix(prefix)
        self.ksp.setOperators(self.A)
        opts = PETSc.Options()
        opts[f"{prefix}ksp_type"] = "cg"
        opts[f"{prefix}pc_type"] = "gamg"
        opts[f"{prefix}pc_gamg_coarse_eq_limit"] = 1000
        opts[f"{prefix}mg_levels_ksp_type"] = "chebyshev"
        opts[f"{prefix}mg_levels_pc_type"] = "jacobi"
        opts[f"{prefix}ksp_rtol"] = settings.linear_rtol
        opts[f"{prefix}ksp_atol"] = 1e-300
        opts[f"{prefix}ksp_max_it"] = 2000
        self.ksp.setFromOptions()
        self.ksp.setInitialGuessNonzero(True)
        self.last_iterations = 0
        self._pc_iterations = None  # Krylov iterations right after the last GAMG setup
        #: (time in s, u array) of the last two solves given a time (see solve)
        self._history: list[tuple[float, np.ndarray]] = []

    def _assemble_matrix(self):
        self.A.zeroEntries()
        dolfinx.fem.petsc.assemble_matrix(self.A, self.a, bcs=self.bcs)
        self.A.assemble()
        self.ksp.setOperators(self.A)
        self._assembled = True
        # E(θ) changes the matrix a little each step: keep the GAMG hierarchy until the
        # iterations grow by half (CG still converges to the same tolerance; only the
        # preconditioner is older)
        stale = (self._pc_iterations is None
                 or self.last_iterations > 1.5 * max(self._pc_iterations, 1))
        self.ksp.getPC().setReusePreconditioner(not stale)
        if stale:
            self._pc_iterations = None

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
        dolfinx.fem.petsc.apply_lifting(self.b, [self.a], bcs=[self.bcs])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        dolfinx.fem.petsc.set_bc(self.b, self.bcs)
        if self.null_space is not None:
            self.null_space.remove(self.b)
        x = self.u.x.petsc_vec
        self.ksp.solve(self.b, x)
        reason = self.ksp.getConvergedReason()
        if reason <= 0:
            raise MechanicsError(
                f"elasticity solve did not converge (KSP reason {reason}, "
                f"{self.ksp.getIterationNumber()} iterations)"
            )
        if self.null_space is not None:
            self.null_space.remove(x)
        self.u.x.scatter_forward()
        self.last_iterations = self.ksp.getIterationNumber()
        if self._pc_iterations is None:
            self._pc_iterations = self.last_iterations
        if at is not None:
            self._history = [*self._history[-1:], (at, self.u.x.array.copy())]
        return self.last_iterations
