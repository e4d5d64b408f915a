"""Rigid-body modes, null spaces and Krylov settings for the elasticity operator."""

from __future__ import annotations

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
import dolfinx.fem.petsc
import dolfinx.la
import ufl
from mpi4py import MPI
from petsc4py import PETSc


def rigid_body_modes(V, mode: str) -> list[np.ndarray]:
    """Rigid-body motions sampled at the dofs of a vector space (local arrays incl. ghosts).

    3D: three translations and three rotations about the origin. Plane strain: the two
    in-plane translations and the rotation about z. Axisymmetric (r, z): the only rigid motion
    that keeps the symmetry is the translation along z; the r-translation is returned second,
    as a *near*-null vector for the multigrid preconditioner only.
    """
    x = V.tabulate_dof_coordinates()
    # in units of the body's size: the span is the same, but a rotation of a 1e-30 m
    # particle is then not round-off beside a translation (orthonormalisation refused it)
    size = V.mesh.comm.allreduce(float(np.abs(x).max()) if x.size else 0.0, op=MPI.MAX)
    if size > 0.0:
        x = x / size
    bs = V.dofmap.index_map_bs
    n = V.dofmap.index_map.size_local + V.dofmap.index_map.num_ghosts

    def translation(comp):
        b = np.zeros((n, bs))
        b[:, comp] = 1.0
        return b.ravel()

    def rotation(i, j):  # rotation in the (i, j) plane
        b = np.zeros((n, bs))
        b[:, i] = -x[:, j]
        b[:, j] = x[:, i]
        return b.ravel()

    if mode == "axisymmetric":
        return [translation(1), translation(0)]
    if bs == 2:
        return [translation(0), translation(1), rotation(0, 1)]
    return [translation(0), translation(1), translation(2),
            rotation(0, 1), rotation(1, 2), rotation(2, 0)]


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


def body_dofs(V, cell_sets: list[np.ndarray]) -> list[np.ndarray]:
    """Block-expanded local dof indices (incl. ghosts) of the cells of each body."""
    bs = V.dofmap.index_map_bs
    out = []
    for cells in cell_sets:
        if cells.size == 0:
            out.append(np.zeros(0, dtype=np.int32))
            continue
        blocks = np.unique(V.dofmap.list[cells].ravel())
        out.append((blocks[:, None] * bs + np.arange(bs)[None, :]).ravel())
    return out


def _per_body(V, mode, bodies: list[np.ndarray] | None, axis_only: bool) -> list[np.ndarray]:
    """Rigid motions of each body separately (zero on the other bodies)."""
    modes = rigid_body_modes(V, mode)
    if axis_only and mode == "axisymmetric":
        modes = modes[:1]  # the r-translation is not a motion of an axisymmetric body
    if bodies is None or len(bodies) <= 1:
        return modes
    out = []
    for dofs in bodies:
        for m in modes:
            a = np.zeros_like(m)
            a[dofs] = m[dofs]
            out.append(a)
    return out


def near_null_space(V, mode: str, bodies: list[np.ndarray] | None = None) -> PETSc.NullSpace:
    """Near-null space for GAMG: the rigid-body modes of every body, orthonormalised."""
    vecs = _orthonormal_petsc(V, _per_body(V, mode, bodies, axis_only=False))
    return PETSc.NullSpace().create(vectors=vecs, comm=V.mesh.comm)


def exact_null_space(V, mode: str, constrained_dofs: np.ndarray,
                     bodies: list[np.ndarray] | None = None) -> PETSc.NullSpace | None:
    """Rigid motions that no Dirichlet condition removes (the operator's true null space).

    A motion survives when it vanishes at every constrained dof (local, block-expanded
    indices). Each body (a set of dofs, e.g. the yolk and the shell of a yolk-shell particle)
    has its own motions. For an octant all six are removed; for a free sphere all six remain;
    for the axisymmetric half-disc only the z-translation remains. None when nothing remains.
    """
    comm = V.mesh.comm
    kept = []
    for a in _per_body(V, mode, bodies, axis_only=True):
        local = float(np.abs(a[constrained_dofs]).max()) if constrained_dofs.size else 0.0
        if comm.allreduce(local, op=MPI.MAX) == 0.0:
            kept.append(a)
    if not kept:
        return None
    vecs = _orthonormal_petsc(V, kept)
    return PETSc.NullSpace().create(vectors=vecs, comm=comm)


class RigidMotionGauge:
    """Fixes the rigid motion of a free body the physical way: after a solve, the body's
    rigid part is removed in the weighted L2 sense, ``∫ u·z w dx = 0`` for every rigid
    motion ``z`` of the null space (``w`` = 1, or 2πr in axisymmetric mode), so the body's
    centroid stays where it was and it does not turn on average.

    The Euclidean projection of :class:`PETSc.NullSpace` makes the plain mean of the nodal
    values vanish instead, which depends on how the mesh is graded: a loose yolk shifted by
    up to 60 % of its gap to the shell on a coarse mesh. (The right-hand side is still made
    Euclidean-orthogonal to the null space: that is what makes the singular system
    consistent.)

    Args:
        V: the displacement space (vector P2).
        null_space: the operator's :class:`PETSc.NullSpace` (its vectors, each zero outside
            its body).
        weight, dx: the coordinate weight and volume measure of the domain.
    """

    def __init__(self, V, null_space: PETSc.NullSpace, weight, dx):
        self._z = null_space.getVecs()
        v = ufl.TestFunction(V)
        self._mz = []
        for z in self._z:
            f = dolfinx.fem.Function(V)
            z.copy(f.x.petsc_vec)
            f.x.scatter_forward()
            m = dolfinx.fem.petsc.assemble_vector(dolfinx.fem.form(ufl.inner(f, v) * weight * dx))
            m.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
            self._mz.append(m)
        self._gram = np.array([[z.dot(m) for m in self._mz] for z in self._z])

    def apply(self, x: PETSc.Vec) -> None:
        """Remove the weighted rigid part of ``x`` (owned entries; scatter forward after)."""
        c = np.linalg.solve(self._gram, np.array([m.dot(x) for m in self._mz]))
        for ci, z in zip(c, self._z):
            x.axpy(-ci, z)
