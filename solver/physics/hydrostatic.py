"""The hydrostatic stress σ_h that drives the stress-driven Li flux of two-way coupling.

DESIGN §3 asks for σ_h as a continuous P1 field (never a differentiated DG stress). At a
bonded interface between two materials the true σ_h jumps (a swelling Si core is in
compression, its coating in tension), and one P1 field over both bodies smears that jump
over the elements next to the interface: the false ∇σ_h there drives Li across the interface
however fine the mesh (θ uniform at 0.3 in a Si core under a 50 GPa coating, surface θ held
at 0.3: 23 % of the core's Li left it in 20 s, on meshes of a/8 and a/16).

So σ_h is continuous *within* each stress-coupled region and free to jump between regions:
one P1 field per region ("part"), the consistent weighted L2 projection of ``tr σ / 3`` over
that region's cells alone. Its degrees of freedom outside the region (those of no cell of
the region, on any rank) are held at 0; they are never used, because each part's flux term
is integrated over its own region. A single-region body has one part over the whole mesh,
the plain projection. Regions that carry no stress-driven flux (inactive, or no swelling)
get no part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
import dolfinx.fem.petsc
import ufl
from petsc4py import PETSc

from solver.physics.quantities import ConsistentProjection


@dataclass
class Part:
    """σ_h over one region.

    Attributes:
        region: region name, or None for the whole mesh.
        V: the part's own P1 space (dolfinx sorts Dirichlet conditions by space).
        sigma: the P1 Function (Pa).
        dx: volume measure of the region (no quadrature metadata).
        outside: local dofs that belong to no cell of the region (held at 0).
    """

    region: str | None
    V: object
    sigma: object
    dx: object
    outside: np.ndarray

    def zero_bc(self, space=None):
        """The Dirichlet condition that holds the outside dofs at 0 (on ``space``, default
        the part's own), or None for the whole-mesh part (it has none)."""
        V = space if space is not None else self.V
        if self.region is None:
            return None
        return dolfinx.fem.dirichletbc(PETSc.ScalarType(0.0), self.outside, V)


def _outside_dofs(V, cells: np.ndarray) -> np.ndarray:
    """Local dofs of ``V`` that belong to no cell in ``cells`` on any rank (a marker summed
    over the ranks, so every rank takes the same decision for a shared dof)."""
    marker = dolfinx.fem.Function(V)
    if cells.size:
        marker.x.array[np.unique(V.dofmap.list[cells].ravel())] = 1.0
    marker.x.scatter_reverse(dolfinx.la.InsertMode.add)
    marker.x.scatter_forward()
    return np.flatnonzero(marker.x.array == 0.0).astype(np.int32)


class HydrostaticStress:
    """σ_h as one continuous P1 field per stress-coupled region.

    Args:
        domain: :class:`solver.domain.Domain`.
        regions: names of the regions with a stress-driven flux; all of the domain's regions
            (or none) with a single-region domain give one part over the whole mesh.
    """

    def __init__(self, domain, regions):
        mesh = domain.mesh
        self.domain = domain
        regions = [r for r in domain.regions if r in set(regions)]
        self.parts: list[Part] = []
        if len(domain.regions) == 1 or not regions:
            V = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
            self.parts.append(Part(None, V, dolfinx.fem.Function(V, name="Hydrostatic stress [Pa]"),
                                   domain.dx, np.zeros(0, dtype=np.int32)))
        else:
            for name in regions:
                V = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
                self.parts.append(Part(
                    name, V,
                    dolfinx.fem.Function(V, name=f"Hydrostatic stress in {name} [Pa]"),
                    domain.dx_region(name), _outside_dofs(V, domain.cells(name))))
        self._projections = None

    # ------------------------------------------------------------------ forms
    def flux_term(self, coef, test, metadata):
        """``Σ_parts ∫_part coef ∇σ_h·∇test w dx`` (UFL): ``∫ J_σ·∇test`` of the stress-driven
        flux J_σ = +coef ∇σ_h (Li moves toward tension), each part over its own region."""
        grad, w = self.domain.coords.grad, self.domain.coords.weight
        return sum(coef * ufl.inner(grad(p.sigma), grad(test)) * w
                   * p.dx.reconstruct(metadata=metadata) for p in self.parts)

    # ------------------------------------------------------------------ projection
    def compile_projection(self, sigma_h_expr) -> None:
        """Set up the projection of a UFL expression of σ_h (``tr σ / 3``) onto every part."""
        self._projections = []
        for p in self.parts:
            bc = p.zero_bc()
            proj = ConsistentProjection(p.V, self.domain, dx=p.dx,
                                        bcs=[bc] if bc is not None else [])
            self._projections.append((proj, proj.form(sigma_h_expr), p.sigma))

    def project(self) -> None:
        """Set every part to the consistent projection of the compiled expression over its
        own region."""
        for proj, form, out in self._projections:
            proj.apply(form, out)

    # ------------------------------------------------------------------ state
    def arrays(self) -> list[np.ndarray]:
        return [p.sigma.x.array.copy() for p in self.parts]

    def set_arrays(self, arrays) -> None:
        for p, a in zip(self.parts, arrays):
            p.sigma.x.array[:] = a
