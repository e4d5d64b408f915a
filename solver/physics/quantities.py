"""Derived quantities: stress invariants, region/surface statistics and probes (DESIGN §5).

The stress tensor is interpolated (``fem.Expression``) into a DG1 3x3 tensor space; its
invariants are computed per DG node with NumPy (exact eigenvalues, no UFL tricks) and stored
in DG1 scalar Functions, which are integrated for means and searched for extrema. Radial and
hoop (tangential) stresses are taken about the particle centre: ``σ_rr = n·σ·n`` and
``σ_hoop = (tr σ − σ_rr)/2`` (the mean of the two tangential normal stresses; in plane
strain the in-plane tangential stress).
"""

from __future__ import annotations

import numpy as np

from solver import _bootstrap  # noqa: F401

import basix
import dolfinx
import dolfinx.fem.petsc
import dolfinx.geometry
import ufl
from mpi4py import MPI
from petsc4py import PETSc

#: a probe point is in a cell when its distance to the cell is below this fraction of the
#: cell's size (round-off; a point on a shared facet, edge or vertex is in all those cells)
HOLD_TOL = 1e-9

#: key → human-facing field name (units in the name)
STRESS_FIELDS = {
    "von_mises": "Von Mises stress [Pa]",
    "hydrostatic": "Hydrostatic stress [Pa]",
    "first_principal": "First principal stress [Pa]",
    "radial": "Radial stress [Pa]",
    "hoop": "Hoop stress [Pa]",
}


def side_weights(e_plus, e_minus):
    """Weights of the two sides' stresses in the traction of an interface, by compliance:
    ``(1/E+, 1/E-) / (1/E+ + 1/E-)`` (numbers, arrays or UFL expressions). Both sides
    converge to the same traction, but each side's error is about its stiffness times the
    strain error: against Si at 35-185 GPa a 0.76 GPa carbon coating's own stress is the
    accurate one, and with equal weights the Si side's error set the sign (a tensile normal
    traction of +47 MPa on an inert, non-swelling coating that the swelling Si compresses,
    about -5 MPa). Equal moduli give equal weights."""
    return e_minus / (e_plus + e_minus), e_plus / (e_plus + e_minus)


class LumpedProjection:
    """Nodal values in a P1 space by a lumped L2 projection, ``∫ f v w dx / ∫ v w dx``: a
    volume-weighted average of the values around each node (continuous, cheap, no solve)."""

    def __init__(self, V, domain):
        self.V = V
        self._v = ufl.TestFunction(V)
        self._w = domain.coords.weight
        self._dx = domain.dx
        self._mass = self._assemble(dolfinx.fem.form(self._v * self._w * self._dx))

    @staticmethod
    def _assemble(form) -> np.ndarray:
        vec = dolfinx.fem.assemble_vector(form)
        vec.scatter_reverse(dolfinx.la.InsertMode.add)
        vec.scatter_forward()
        return vec.array

    def form(self, expr):
        """Compile the projection of a UFL expression (once, at setup)."""
        return dolfinx.fem.form(expr * self._v * self._w * self._dx)

    def apply(self, form, out) -> None:
        """Write the projection of a compiled ``form`` into the P1 Function ``out``."""
        out.x.array[:] = self._assemble(form) / self._mass


class ConsistentProjection:
    """Nodal values in a P1 space by the consistent (weighted) L2 projection: the P1 field
    ``p`` with ``∫ p v w dx = ∫ f v w dx`` for every P1 test function ``v``. Unlike the lumped
    projection it is second-order accurate up to the boundary (the lumped average is
    one-sided at boundary nodes, first order), which is what a differentiated σ_h needs
    (two-way coupling, DESIGN §3). The weighted mass matrix is assembled and its Jacobi-CG
    solver set up once; each projection is one right-hand side and a few CG iterations
    (the Jacobi-scaled P1 mass matrix has a mesh-independent condition number).

    With ``dx`` a region's measure and ``bcs`` zero conditions on the dofs of no cell of the
    region, it projects over that region alone (unit rows hold those dofs at 0)."""

    def __init__(self, V, domain, rtol: float = 1e-12, dx=None, bcs=()):
        self.V = V
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        self._v = v
        self._w = domain.coords.weight
        self._dx = dx if dx is not None else domain.dx
        self._bcs = list(bcs)
        self._M = dolfinx.fem.petsc.assemble_matrix(
            dolfinx.fem.form(u * v * self._w * self._dx), bcs=self._bcs, diag=1.0)
        self._M.assemble()
        self._ksp = PETSc.KSP().create(V.mesh.comm)
        self._ksp.setOperators(self._M)
        self._ksp.setType("cg")
        self._ksp.getPC().setType("jacobi")
        self._ksp.setTolerances(rtol=rtol, atol=0.0, max_it=1000)
        self._ksp.setErrorIfNotConverged(True)
        # ghosted, like the Function's vector: assembly adds into the ghost entries and the
        # reverse scatter sums them into their owners (a plain createVecRight has no ghosts)
        self._b = dolfinx.fem.petsc.create_vector(V)

    def form(self, expr):
        """Compile the projection's right-hand side for a UFL expression (once, at setup)."""
        return dolfinx.fem.form(expr * self._v * self._w * self._dx)

    def apply(self, form, out) -> None:
        """Write the projection of a compiled ``form`` into the P1 Function ``out``."""
        with self._b.localForm() as b:
            b.set(0.0)
        dolfinx.fem.petsc.assemble_vector(self._b, form)
        self._b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        if self._bcs:
            dolfinx.fem.petsc.set_bc(self._b, self._bcs)
        self._ksp.solve(self._b, out.x.petsc_vec)
        out.x.scatter_forward()

    @property
    def iterations(self) -> int:
        return self._ksp.getIterationNumber()


class StressFields:
    """The stress tensor and its invariants as DG1 Functions (Pa)."""

    def __init__(self, domain, stress_ufl, degree: int = 1):
        mesh = domain.mesh
        self.T = dolfinx.fem.functionspace(mesh, ("DG", degree, (3, 3)))
        self.S = dolfinx.fem.functionspace(mesh, ("DG", degree))
        self.sigma = dolfinx.fem.Function(self.T, name="Stress [Pa]")
        self.ufl = stress_ufl  # the stress as an expression of u and θ (for facet integrals)
        self._expr = dolfinx.fem.Expression(stress_ufl, self.T.element.interpolation_points)
        self.fields = {k: dolfinx.fem.Function(self.S, name=n) for k, n in STRESS_FIELDS.items()}
        xs = self.S.tabulate_dof_coordinates()
        if not np.allclose(xs, self.T.tabulate_dof_coordinates(), rtol=0.0,
                           atol=1e-9 * domain.length_scale):  # coordinates in m
            raise RuntimeError("scalar and tensor DG layouts differ")
        pos = xs.copy()
        if domain.mode == "axisymmetric":
            pos[:, 2] = 0.0  # (r, z, θ) basis: the centre direction has no θ component
        norm = np.linalg.norm(pos, axis=1)
        n = np.zeros_like(pos)
        n[:, 0] = 1.0
        inside = norm > 1e-12 * domain.length_scale
        n[inside] = pos[inside] / norm[inside, None]
        self._n = n
        # plane strain: hoop is the in-plane tangential stress (the section of a cylinder)
        self._t = None
        if domain.mode == "plane_strain":
            self._t = np.stack([-n[:, 1], n[:, 0], np.zeros(len(n))], axis=1)

    def update(self) -> None:
        """Re-evaluate σ from the current displacement and θ."""
        self.sigma.interpolate(self._expr)
        s = self.sigma.x.array.reshape(-1, 3, 3)
        s = 0.5 * (s + np.transpose(s, (0, 2, 1)))
        tr = np.trace(s, axis1=1, axis2=2)
        dev = s - (tr / 3.0)[:, None, None] * np.eye(3)
        vm = np.sqrt(1.5 * np.einsum("nij,nij->n", dev, dev))
        radial = np.einsum("ni,nij,nj->n", self._n, s, self._n)
        values = {
            "von_mises": vm,
            "hydrostatic": tr / 3.0,
            "first_principal": np.linalg.eigvalsh(s)[:, -1],
            "radial": radial,
            "hoop": (0.5 * (tr - radial) if self._t is None
                     else np.einsum("ni,nij,nj->n", self._t, s, self._t)),
        }
        for key, f in self.fields.items():
            f.x.array[:] = values[key]


def _facet_vertex_dofs(space, domain, facets: np.ndarray, cells=None) -> np.ndarray:
    """DG1 dofs that sit on the vertices of the given facets, seen from the adjacent cells
    (only from ``cells``, when given)."""
    return np.unique(np.asarray([d for _, _, d in _facet_vertex_cell_dofs(space, domain, facets,
                                                                          cells)], dtype=np.int32))


def _facet_vertex_cell_dofs(space, domain, facets: np.ndarray, cells=None):
    """(facet, cell, dof) for every DG1 dof on a vertex of the given facets, seen from each
    adjacent cell (restricted to ``cells`` when given)."""
    keep = None if cells is None else set(np.asarray(cells).tolist())
    mesh = domain.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    mesh.topology.create_connectivity(tdim, tdim - 1)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    c2f = mesh.topology.connectivity(tdim, tdim - 1)
    cell_type = basix.CellType.tetrahedron if tdim == 3 else basix.CellType.triangle
    ref_facets = basix.topology(cell_type)[tdim - 1]
    out = []
    for f in facets:
        for c in f2c.links(f):
            if keep is not None and int(c) not in keep:
                continue
            local = int(np.flatnonzero(c2f.links(c) == f)[0])
            cell_dofs = space.dofmap.cell_dofs(c)
            out.extend((int(f), int(c), int(d)) for d in cell_dofs[list(ref_facets[local])])
    return out


def cell_dofs(space, cells: np.ndarray) -> np.ndarray:
    """The (local, sorted, unique) dofs of ``space`` in the given local cells."""
    if cells.size == 0:
        return np.zeros(0, dtype=np.int32)
    return np.unique(space.dofmap.list[cells].ravel())


class Probes:
    """Point values of θ and stress invariants, averaged over the cells that hold the point."""

    def __init__(self, domain, probes):
        self.domain = domain
        self.names = [p.name for p in probes]
        pts = np.zeros((len(probes), 3))
        for i, p in enumerate(probes):
            point = list(p.point)
            if domain.mode == "axisymmetric" and len(point) == 3:  # (x, y, z) → (r, z)
                point = [float(np.hypot(point[0], point[1])), point[2]]
            pts[i, : len(point)] = point
        self.points = pts
        mesh = domain.mesh
        tdim = mesh.topology.dim
        num_owned = mesh.topology.index_map(tdim).size_local
        tree = dolfinx.geometry.bb_tree(mesh, tdim)
        cand = dolfinx.geometry.compute_collisions_points(tree, pts)
        coll = dolfinx.geometry.compute_colliding_cells(mesh, cand, pts)
        self.cells = []
        for i in range(len(probes)):
            cells = np.asarray(coll.links(i), dtype=np.int32)
            self.cells.append(self._holding(cells[cells < num_owned], pts[i]))
        found = domain.comm.allreduce(np.array([c.size for c in self.cells]), op=MPI.SUM)
        self.missing = []
        for i in np.flatnonzero(found == 0):
            if not self._nearest_cell(i, tree, num_owned):
                self.missing.append(self.names[i])

    def _holding(self, cells: np.ndarray, point: np.ndarray) -> np.ndarray:
        """The cells among ``cells`` that hold ``point``, to round-off relative to their size.

        dolfinx's collision test accepts a cell within an absolute distance; with coordinates
        in metres that admits neighbours tens of nanometres from the point, whose values are
        extrapolations, and which of them pass depends on round-off in the mesh. A cell holds
        the point here when its distance is below 1e-9 of its size.
        """
        if cells.size == 0:
            return cells
        mesh = self.domain.mesh
        return cells[self._distances(cells, point) <= HOLD_TOL * mesh.h(mesh.topology.dim, cells)]

    def _distances(self, cells: np.ndarray, point: np.ndarray) -> np.ndarray:
        """Distance (m) from ``point`` (3 coordinates) to each of the local ``cells``."""
        mesh = self.domain.mesh
        return np.sqrt(dolfinx.geometry.squared_distance(
            mesh, mesh.topology.dim, cells, np.repeat(point.reshape(1, 3), cells.size, axis=0)))

    def _nearest_cell(self, i: int, tree, num_owned: int) -> bool:
        """Adopt the nearest cell for a point just outside the faceted mesh.

        A point on the true curved surface can fall in the thin gap between the sphere and its
        polyhedral mesh; it is then evaluated in the closest cells (polynomial extension over
        a gap far smaller than a cell), averaged like the cells that hold a point. All cells
        at the smallest distance count, on every rank: when the nearest point of the mesh is
        on an edge or a vertex, several cells are equally near, and taking one of them made
        the value depend on the partition. Points further than half a cell away stay
        missing.
        """
        mesh = self.domain.mesh
        tdim = mesh.topology.dim
        comm = self.domain.comm
        point = self.points[i : i + 1]
        owned = np.arange(num_owned, dtype=np.int32)
        best, dist = -1, np.inf
        if owned.size:
            mid = dolfinx.geometry.create_midpoint_tree(mesh, tdim, owned)
            cell = dolfinx.geometry.compute_closest_entity(tree, mid, mesh, point)[0]
            if cell >= 0:
                best = int(cell)
                dist = float(self._distances(np.array([best], dtype=np.int32), point)[0])
        d_min, owner = comm.allreduce((dist, comm.rank), op=MPI.MINLOC)
        h = comm.allreduce(float(mesh.h(tdim, np.array([best], dtype=np.int32))[0])
                           if comm.rank == owner and best >= 0 else 0.0, op=MPI.MAX)
        if not np.isfinite(d_min) or d_min > 0.5 * h:
            return False
        # every owned cell as near as the nearest one (to round-off): those around the
        # nearest point of the mesh; candidates by midpoint, then exact distances
        if owned.size:
            mids = dolfinx.mesh.compute_midpoints(mesh, tdim, owned)
            near = owned[np.linalg.norm(mids - point[0], axis=1) <= d_min + 2.0 * h]
            dist = self._distances(near, point)
            self.cells[i] = near[dist <= d_min + HOLD_TOL * h].astype(np.int32)
        return True

    def evaluate(self, func) -> np.ndarray:
        """Mean of ``func`` over all owned cells that contain each probe (every rank gets it)."""
        comm = self.domain.comm
        sums = np.zeros(len(self.names))
        counts = np.zeros(len(self.names))
        for i, cells in enumerate(self.cells):
            if cells.size:
                pts = np.repeat(self.points[i : i + 1], cells.size, axis=0)
                vals = func.eval(pts, cells).reshape(cells.size, -1)[:, 0]
                sums[i], counts[i] = vals.sum(), cells.size
        sums = comm.allreduce(sums, op=MPI.SUM)
        counts = comm.allreduce(counts, op=MPI.SUM)
        with np.errstate(invalid="ignore"):
            return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


class GlobalReductions:
    """Reductions over every rank for a class with a ``domain``: the largest or smallest of
    distributed values (a rank without any counts as ∓inf), and an assembled scalar form."""

    def _ext(self, values: np.ndarray, op) -> float:
        if values.size:
            local = float(values.max() if op is MPI.MAX else values.min())
        else:
            local = -np.inf if op is MPI.MAX else np.inf
        return float(self.domain.comm.allreduce(local, op=op))

    def _sum(self, form) -> float:
        return float(self.domain.comm.allreduce(dolfinx.fem.assemble_scalar(form), op=MPI.SUM))


class Statistics(GlobalReductions):
    """Per-region and per-surface statistics of θ and the stress invariants.

    Args:
        domain: the domain.
        theta: θ Function (P1).
        stress: :class:`StressFields`.
        surfaces: names of the surfaces to report (non-symmetry boundaries).
        regions: names of the regions to report.
    """

    def __init__(self, domain, theta, stress: StressFields, surfaces, regions):
        self.domain = domain
        self.theta = theta
        self.stress = stress
        comm = domain.comm
        w = domain.coords.weight
        fdim = domain.mesh.topology.dim - 1
        tdim = domain.mesh.topology.dim
        num_owned_cells = domain.mesh.topology.index_map(tdim).size_local

        def integral(expr):
            return dolfinx.fem.form(expr)

        self.regions = list(regions)
        self.surfaces = list(surfaces)
        f = stress.fields
        self._region_forms = {}
        self._region_dofs = {}
        for name in self.regions:
            dxr = domain.dx_region(name)
            vol = comm.allreduce(dolfinx.fem.assemble_scalar(integral(w * dxr)), op=MPI.SUM)
            self._region_forms[name] = (
                vol,
                {k: integral(f[k] * w * dxr) for k in ("von_mises", "radial", "hoop")},
            )
            cells = domain.cells(name)
            self._region_dofs[name] = cell_dofs(stress.S, cells[cells < num_owned_cells])
        self._surface_forms = {}
        self._surface_dofs = {}
        self._surface_theta_dofs = {}
        for name in self.surfaces:
            dsn = domain.ds_named([name])
            area = comm.allreduce(dolfinx.fem.assemble_scalar(integral(w * dsn)), op=MPI.SUM)
            forms = {k: integral(f[k] * w * dsn) for k in ("von_mises", "radial", "hoop")}
            forms["theta"] = integral(theta * w * dsn)
            self._surface_forms[name] = (area, forms)
            facets = domain.facets(name)
            self._surface_dofs[name] = _facet_vertex_dofs(stress.S, domain, facets)
            self._surface_theta_dofs[name] = dolfinx.fem.locate_dofs_topological(
                theta.function_space, fdim, facets
            )

    def region_row(self) -> dict[str, float]:
        f = self.stress.fields
        row = {}
        for name in self.regions:
            vol, forms = self._region_forms[name]
            d = self._region_dofs[name]
            row[f"{name}: max Von Mises stress [Pa]"] = self._ext(f["von_mises"].x.array[d], MPI.MAX)
            row[f"{name}: mean Von Mises stress [Pa]"] = self._sum(forms["von_mises"]) / vol
            row[f"{name}: max hydrostatic stress [Pa]"] = self._ext(f["hydrostatic"].x.array[d], MPI.MAX)
            row[f"{name}: min hydrostatic stress [Pa]"] = self._ext(f["hydrostatic"].x.array[d], MPI.MIN)
            row[f"{name}: max first principal stress [Pa]"] = self._ext(
                f["first_principal"].x.array[d], MPI.MAX
            )
            row[f"{name}: mean radial stress [Pa]"] = self._sum(forms["radial"]) / vol
            row[f"{name}: mean hoop stress [Pa]"] = self._sum(forms["hoop"]) / vol
            row.update(self._extremes(name, d, ("radial", "hoop")))
        return row

    def _extremes(self, name: str, dofs, keys) -> dict[str, float]:
        """Max (most tensile) and min (most compressive) nodal values of stress fields."""
        row = {}
        for k in keys:
            f = self.stress.fields[k]
            label = f.name.split(" [")[0].lower().replace("von mises", "Von Mises")
            row[f"{name}: max {label} [Pa]"] = self._ext(f.x.array[dofs], MPI.MAX)
            row[f"{name}: min {label} [Pa]"] = self._ext(f.x.array[dofs], MPI.MIN)
        return row

    def surface_row(self) -> dict[str, float]:
        f = self.stress.fields
        row = {}
        for name in self.surfaces:
            area, forms = self._surface_forms[name]
            d = self._surface_dofs[name]
            td = self._surface_theta_dofs[name]
            row[f"{name}: mean lithiation fraction [-]"] = self._sum(forms["theta"]) / area
            row[f"{name}: max lithiation fraction [-]"] = self._ext(self.theta.x.array[td], MPI.MAX)
            row[f"{name}: min lithiation fraction [-]"] = self._ext(self.theta.x.array[td], MPI.MIN)
            row[f"{name}: max Von Mises stress [Pa]"] = self._ext(f["von_mises"].x.array[d], MPI.MAX)
            row[f"{name}: mean Von Mises stress [Pa]"] = self._sum(forms["von_mises"]) / area
            row[f"{name}: max first principal stress [Pa]"] = self._ext(
                f["first_principal"].x.array[d], MPI.MAX
            )
            row[f"{name}: mean radial stress [Pa]"] = self._sum(forms["radial"]) / area
            row[f"{name}: mean hoop stress [Pa]"] = self._sum(forms["hoop"]) / area
            row.update(self._extremes(name, d, ("hydrostatic", "hoop")))
        return row

    # ---- interfaces ---------------------------------------------------------------------
    def setup_interfaces(self, modulus=None) -> None:
        """Forms for the interface statistics (interior facets, both sides).

        For ``interface_<a>_<b>``: mean normal traction n·σ·n (tension > 0: a debonding
        indicator), mean shear traction |σn − (n·σn) n|, and the mean hoop stress of region b
        along the interface (the outer one for a coating; the inner body for an inclusion or
        an inner coating, interface_core_inclusion_1: the column names the region).
        Traction is continuous across a bonded interface, so it is taken of a weighted mean
        of both sides' stresses (:func:`side_weights`: by compliance, with ``modulus`` the
        Young's modulus as a UFL expression; equal weights without it).
        """
        d = self.domain
        self._interface_forms = {}
        if not d.interfaces:
            return
        mesh = d.mesh
        w = d.coords.weight
        nf = ufl.FacetNormal(mesh)
        n = ufl.as_vector([nf[0], nf[1], 0.0]) if mesh.geometry.dim == 2 else nf
        sig = self.stress.ufl  # at facet quadrature points: more accurate than nodal DG1
        pos = d.coords.radial_position()
        # the guard at the centre as a Constant (a number would compile per particle size)
        guard = dolfinx.fem.Constant(mesh, (1e-12 * d.length_scale) ** 2)
        e_r = pos / ufl.sqrt(ufl.dot(pos, pos) + guard)
        if d.mode == "plane_strain":
            e_t = ufl.as_vector([-e_r[1], e_r[0], 0.0])
            hoop_expr = ufl.dot(e_t, ufl.dot(sig, e_t))
        else:
            hoop_expr = 0.5 * (ufl.tr(sig) - ufl.dot(e_r, ufl.dot(sig, e_r)))
        Q = dolfinx.fem.functionspace(mesh, ("DG", 0))

        for name, tag in d.interfaces.items():
            dS = ufl.Measure("dS", domain=mesh, subdomain_data=d.facet_tags)(tag)
            outer = next((r for r in sorted(d.regions, key=len, reverse=True)  # region b
                          if name.endswith("_" + r)), None)
            chi = dolfinx.fem.Function(Q)
            if outer is not None:
                chi.x.array[d.cells(outer)] = 1.0
                chi.x.scatter_forward()

            # shear: of the traction of the two sides' mean stress (as the interface maxima,
            # solver.physics.measures). The mean of the two sides' |shear| kept each side's
            # discretisation error (of opposite signs) and came out above the max shear:
            # 58 against 11 MPa on the core-shell example, where both are 0 in the continuum.
            # The normal traction, too, is of the weighted mean stress (the mean of the two
            # sides' n·σ·n with equal weights before).
            w_plus, w_minus = side_weights(modulus("+"), modulus("-")) if modulus is not None \
                else (0.5, 0.5)
            sig_avg = w_plus * sig("+") + w_minus * sig("-")
            traction = ufl.dot(sig_avg, n("+"))
            tangential = traction - ufl.dot(traction, n("+")) * n("+")

            wa = w("+") if not isinstance(w, float) else w
            area = self.domain.comm.allreduce(
                dolfinx.fem.assemble_scalar(dolfinx.fem.form(wa * dS)), op=MPI.SUM)
            self._interface_forms[name] = (area, {
                "normal": dolfinx.fem.form(
                    ufl.dot(n("+"), ufl.dot(sig_avg, n("+"))) * wa * dS),
                "shear": dolfinx.fem.form(ufl.sqrt(ufl.dot(tangential, tangential)) * wa * dS),
                "hoop_outer": dolfinx.fem.form(
                    (chi("+") * hoop_expr("+") + chi("-") * hoop_expr("-")) * wa * dS),
            }, outer)

    def interface_row(self) -> dict[str, float]:
        row = {}
        for name, (area, forms, outer) in getattr(self, "_interface_forms", {}).items():
            if area <= 0:
                continue
            row[f"{name}: mean normal traction [Pa]"] = self._sum(forms["normal"]) / area
            row[f"{name}: mean shear traction [Pa]"] = self._sum(forms["shear"]) / area
            if outer is not None:
                row[f"{name}: mean {outer} hoop stress [Pa]"] = self._sum(forms["hoop_outer"]) / area
        return row

    def surface_theta_extreme(self, names, op, theta=None) -> float:
        """Largest (op=MAX) or smallest θ on the named surfaces; ``theta`` defaults to the
        current θ (pass θ_n for the start of the step)."""
        array = (self.theta if theta is None else theta).x.array
        vals = [array[self._surface_theta_dofs[n]] for n in names]
        return self._ext(np.concatenate(vals), op)
