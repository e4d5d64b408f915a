"""Named measures of the case file (``output.measures``) and interface maxima.

A measure is one statistic (max, min, mean or range) of one field (θ or a stress invariant)
over the cells of some regions, or along a boundary surface or an interface seen from the
cells of some regions (e.g. the von Mises stress on the Si side of the Si/coating interface).
Extrema use the nodal values (P1 θ; DG1 stress values of the selected cells at the facet
vertices); means are volume or area integrals with the coordinate weight (r in axisymmetric).
"""

from __future__ import annotations

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
from mpi4py import MPI

from solver.physics.quantities import (
    GlobalReductions,
    _facet_vertex_cell_dofs,
    _facet_vertex_dofs,
    cell_dofs,
    side_weights,
)


def _facet_ids(domain, name: str) -> np.ndarray:
    tag = domain.boundaries.get(name, domain.interfaces.get(name))
    return domain.facet_tags.find(tag)


def _indicator(domain, regions):
    """DG0 Function: 1 on the cells of ``regions``, 0 elsewhere (ghosts included)."""
    chi = dolfinx.fem.Function(dolfinx.fem.functionspace(domain.mesh, ("DG", 0)))
    for r in regions:
        chi.x.array[domain.cells(r)] = 1.0
    chi.x.scatter_forward()
    return chi


class Measures(GlobalReductions):
    """Evaluate the ``output.measures`` of a case every step.

    Args:
        domain: the domain.
        theta: θ Function (P1).
        stress: :class:`~solver.physics.quantities.StressFields`.
        measures: the case's ``output.measures`` (validated names).
    """

    def __init__(self, domain, theta, stress, measures):
        self.domain = domain
        self.theta = theta
        self.stress = stress
        self.items = []
        for m in measures:
            regions = list(m.regions or domain.regions)
            field = theta if m.field == "theta" else stress.fields[m.field]
            space = field.function_space
            dofs = self._dofs(space, regions, m.on)
            mean = None
            if m.statistic == "mean":
                mean = self._mean_forms(field, regions, m.on)
            self.items.append((m, field, dofs, mean))

    # ---- setup ---------------------------------------------------------------------------
    def _dofs(self, space, regions, on) -> np.ndarray:
        d = self.domain
        mesh = d.mesh
        tdim = mesh.topology.dim
        num_owned = mesh.topology.index_map(tdim).size_local
        cells = np.unique(np.concatenate([d.cells(r) for r in regions]))
        if on is None:
            if space is self.theta.function_space:  # P1: the nodes of the cells
                return cell_dofs(space, cells)
            return cell_dofs(space, cells[cells < num_owned])
        facets = _facet_ids(d, on)
        if space is self.theta.function_space:
            return dolfinx.fem.locate_dofs_topological(space, tdim - 1, facets)
        return _facet_vertex_dofs(space, d, facets, cells=cells)

    def _mean_forms(self, field, regions, on):
        d = self.domain
        w = d.coords.weight
        chi = _indicator(d, regions)
        if on is None:
            dx = d.dx
            return (dolfinx.fem.form(chi * field * w * dx), dolfinx.fem.form(chi * w * dx))
        if on in d.boundaries:
            ds = d.ds(d.boundaries[on])
            return (dolfinx.fem.form(chi * field * w * ds), dolfinx.fem.form(chi * w * ds))
        dS = d.dS_named(on)
        wp = w("+") if not isinstance(w, float) else w
        num = (chi("+") * field("+") + chi("-") * field("-")) * wp * dS
        den = (chi("+") + chi("-")) * wp * dS
        return dolfinx.fem.form(num), dolfinx.fem.form(den)

    # ---- evaluation ----------------------------------------------------------------------
    def row(self) -> dict[str, float]:
        out = {}
        for m, field, dofs, mean in self.items:
            values = field.x.array[dofs]
            if m.statistic == "mean":
                num, den = mean
                area = self._sum(den)
                out[m.column] = self._sum(num) / area if area > 0 else float("nan")
            elif m.statistic == "max":
                out[m.column] = self._ext(values, MPI.MAX)
            elif m.statistic == "min":
                out[m.column] = self._ext(values, MPI.MIN)
            else:
                out[m.column] = self._ext(values, MPI.MAX) - self._ext(values, MPI.MIN)
        return out


class InterfaceMaxima:
    """Largest normal (tensile) and shear traction along each interface.

    At every vertex of every interface facet, the nodal DG1 stress tensors of the two adjacent
    cells are averaged, weighted by compliance with ``modulus`` (the Young's modulus as a UFL
    expression; :func:`~solver.physics.quantities.side_weights`), and contracted with the
    facet normal (traction is continuous across a bonded interface, so the two sides differ
    by discretisation error only).
    """

    def __init__(self, domain, stress, modulus=None):
        self.domain = domain
        self.stress = stress
        mesh = domain.mesh
        # the sides' weights by compliance (side_weights), from E at the same DG1 nodes
        self._modulus = self._modulus_expr = None
        if modulus is not None and domain.interfaces:
            self._modulus = dolfinx.fem.Function(stress.S)
            self._modulus_expr = dolfinx.fem.Expression(
                modulus, stress.S.element.interpolation_points)
        xs = stress.S.tabulate_dof_coordinates()
        scale = domain.length_scale
        self.items = {}
        owned = mesh.topology.index_map(mesh.topology.dim - 1).size_local
        for name, tag in domain.interfaces.items():
            # this rank's own facets only: each facet is then seen once, and with the mesh's
            # shared-facet ghosts (solver.domain) both of its cells are here; a ghost facet at
            # the edge of the ghost layer would be one-sided
            facets = domain.facet_tags.find(tag)
            facets = facets[facets < owned]
            normals = _facet_normals(mesh, facets)
            index = {int(f): i for i, f in enumerate(facets)}
            groups: dict[tuple, list[int]] = {}
            for f, _, dof in _facet_vertex_cell_dofs(stress.S, domain, facets):
                key = (f, *np.round(xs[dof] / scale, 9))
                groups.setdefault(key, []).append(dof)
            pairs = [(g + g)[:2] for g in groups.values()]  # one-sided (none left): twice
            rows = np.array(pairs, dtype=np.int64).reshape(-1, 2)
            n = np.array([normals[index[k[0]]] for k in groups]).reshape(-1, 3)
            self.items[name] = (rows, n)

    def row(self) -> dict[str, float]:
        comm = self.domain.comm
        out = {}
        s = self.stress.sigma.x.array.reshape(-1, 9)  # DG1 tensor blocks = scalar DG1 dofs
        e = None
        if self._modulus is not None:
            self._modulus.interpolate(self._modulus_expr)
            e = self._modulus.x.array
        for name, (rows, normals) in self.items.items():
            tn = ts = -np.inf
            if rows.size:
                w0, w1 = (0.5, 0.5) if e is None else (
                    w[:, None] for w in side_weights(e[rows[:, 0]], e[rows[:, 1]]))
                sig = (w0 * s[rows[:, 0]] + w1 * s[rows[:, 1]]).reshape(-1, 3, 3)
                sig = 0.5 * (sig + np.transpose(sig, (0, 2, 1)))
                t = np.einsum("nij,nj->ni", sig, normals)
                normal = np.einsum("ni,ni->n", t, normals)
                shear = np.linalg.norm(t - normal[:, None] * normals, axis=1)
                tn, ts = float(normal.max()), float(shear.max())
            out[f"{name}: max normal traction [Pa]"] = comm.allreduce(tn, op=MPI.MAX)
            out[f"{name}: max shear traction [Pa]"] = comm.allreduce(ts, op=MPI.MAX)
        return out


def _facet_normals(mesh, facets: np.ndarray) -> np.ndarray:
    """Unit normals of facets in the stress frame: (x, y, z) in 3D; 2D meshes (r, z) or
    (x, y): in-plane, third component 0. The sign is irrelevant for the tractions used."""
    tdim = mesh.topology.dim
    if facets.size == 0:
        return np.zeros((0, 3))
    geo = dolfinx.mesh.entities_to_geometry(mesh, tdim - 1, facets.astype(np.int32))
    p = mesh.geometry.x[geo]
    if tdim == 3:
        n = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    else:
        t = p[:, 1] - p[:, 0]
        n = np.stack([-t[:, 1], t[:, 0], np.zeros(len(t))], axis=1)
    return n / np.linalg.norm(n, axis=1)[:, None]
