"""Rigid-body modes, null spaces and Krylov settings for the elasticity operator."""

from __future__ import annotations

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
import dolfinx.la
from mpi4py import MPI
from petsc4py import PETSc


def rigid_body_modes(V, mode: str) -> list[np.ndarray]:
    """Rigid-body motions sampled at the dofs of a vector space (local arrays incl. ghosts).

    3D: three translations and three rotations about the origin. Axisymmetric (r, z): the
    only rigid motion that keeps the symmetry is the translation along z; the r-translation is
    returned as a second, *near*-null vector for the multigrid preconditioner only.
    """
    x = V.tabulate_dof_coordinates()
    bs = V.dofmap.index_map_bs
    n = V.dofmap.index_map.size_local + V.dofmap.index_map.num_ghosts
    modes = []
    if mode == "axisymmetric":
        for comp in (1, 0):
            b = np.zeros((n, bs))
            b[:, comp] = 1.0
            modes.append(b.ravel())
        return modes
    for comp in range(3):
        b = np.zeros((n, bs))
        b[:, comp] = 1.0
        modes.append(b.ravel())
    for (i, j) in ((0, 1), (1, 2), (2, 0)):  # rotation in the (i, j) plane
        b = np.zeros((n, bs))
        b[:, i] = -x[:, j]
        b[:, j] = x[:, i]
        modes.append(b.ravel())
    return modes


def _orthonormal_petsc(V, arrays) -> list:
    """Orthonormalise local arrays (owned + ghost layout of V) and return PETSc copies."""
    funcs = []
    for a in arrays:
        f = dolfinx.fem.Function(V)
        f.x.array[:] = a
        funcs.append(f)
    dolfinx.la.orthonormalize([f.x for f in funcs])
    for f in funcs:
        f.x.scatter_forward()
    return [f.x.petsc_vec.copy() for f in funcs]


def near_null_space(V, mode: str) -> PETSc.NullSpace:
    """Near-null space for GAMG: all rigid-body modes, orthonormalised."""
    vecs = _orthonormal_petsc(V, rigid_body_modes(V, mode))
    return PETSc.NullSpace().create(vectors=vecs, comm=V.mesh.comm)


def exact_null_space(V, mode: str, constrained_dofs: np.ndarray) -> PETSc.NullSpace | None:
    """Rigid motions that no Dirichlet condition removes (the operator's true null space).

    A motion survives when it vanishes at every constrained dof (local, block-expanded
    indices). For an octant all six are removed; for a free sphere all six remain; for the
    axisymmetric half-disc only the z-translation remains. Returns None when nothing remains.
    """
    comm = V.mesh.comm
    arrays = rigid_body_modes(V, mode)
    if mode == "axisymmetric":
        arrays = arrays[:1]  # the r-translation is not a motion of an axisymmetric body
    kept = []
    for a in arrays:
        local = float(np.abs(a[constrained_dofs]).max()) if constrained_dofs.size else 0.0
        if comm.allreduce(local, op=MPI.MAX) == 0.0:
            kept.append(a)
    if not kept:
        return None
    vecs = _orthonormal_petsc(V, kept)
    return PETSc.NullSpace().create(vectors=vecs, comm=comm)
