"""Yolk-shell gap: how much room the swelling yolk has left inside the shell (no contact).

Each step the yolk surface and the shell's inner surface are moved by the displacement; the
gap is the smallest signed distance from a yolk-surface node to the nearest shell-inner node,
positive while the yolk is inside (measured along the shell's radial direction from the
particle centre). Accuracy: one surface element (nodes, not facets). In axisymmetric mode the
(r, z) distance is the true 3D distance of the bodies of revolution.
"""

from __future__ import annotations

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx


class GapMonitor:
    """Signed gap (m) between two named surfaces of a deformed body pair.

    Args:
        domain: the domain (must have the two surfaces).
        u: displacement Function.
        inner: the surface that moves outward (``yolk_surface``).
        outer: the surface that contains it (``shell_inner_surface``).
    """

    def __init__(self, domain, u, inner: str = "yolk_surface", outer: str = "shell_inner_surface"):
        mesh = domain.mesh
        gdim = mesh.geometry.dim
        self.comm = domain.comm
        self.V1 = dolfinx.fem.functionspace(mesh, ("Lagrange", 1, (gdim,)))
        self.u1 = dolfinx.fem.Function(self.V1)
        self.u = u
        fdim = mesh.topology.dim - 1
        x = self.V1.tabulate_dof_coordinates()[:, :gdim]
        n_owned = self.V1.dofmap.index_map.size_local
        self._sets = {}
        for name in (inner, outer):
            dofs = dolfinx.fem.locate_dofs_topological(self.V1, fdim, domain.facets(name))
            dofs = dofs[dofs < n_owned]
            self._sets[name] = (dofs, x[dofs])
        self.inner, self.outer = inner, outer
        self.gdim = gdim

    def gap(self) -> float:
        """Smallest signed gap (m), the same on every rank."""
        self.u1.interpolate(self.u)
        disp = self.u1.x.array.reshape(-1, self.gdim)
        pts = {}
        for name, (dofs, x0) in self._sets.items():
            local = x0 + disp[dofs]
            parts = self.comm.allgather(local)
            pts[name] = np.concatenate(parts) if parts else np.zeros((0, self.gdim))
        p, q = pts[self.inner], pts[self.outer]
        if len(p) == 0 or len(q) == 0:
            return float("nan")
        best = np.inf
        for start in range(0, len(p), 2048):  # chunks bound the memory of the distance table
            block = p[start:start + 2048]
            d2 = ((block[:, None, :] - q[None, :, :]) ** 2).sum(axis=2)
            j = d2.argmin(axis=1)
            nearest = q[j]
            radial = nearest / np.maximum(np.linalg.norm(nearest, axis=1, keepdims=True), 1e-300)
            signed = np.einsum("ij,ij->i", nearest - block, radial)
            best = min(best, float(np.min(np.sign(signed) * np.sqrt(d2[np.arange(len(j)), j]))))
        return best
