"""The small-strain tensor of each coordinate system (solver/physics/coordinates.py) on
displacements whose strain is known in closed form: a rigid rotation has none, a simple
shear γ has ε_xy = ε_yx = γ/2 (the symmetric part of the gradient), a uniform dilatation in
(r, z) has the hoop strain u_r/r. The verification problems are all radially symmetric, where
∇u is symmetric anyway, so ∇u in place of sym ∇u passed them."""

from __future__ import annotations

import numpy as np
import pytest

from solver import _bootstrap  # noqa: F401

import dolfinx
import ufl
from mpi4py import MPI

from solver.physics.coordinates import coordinates_for


def _mean(mesh, expr):
    """Volume mean of a scalar UFL expression (plain dx: the strain itself is checked)."""
    comm = mesh.comm
    one = comm.allreduce(dolfinx.fem.assemble_scalar(dolfinx.fem.form(
        1.0 * ufl.dx(domain=mesh))), op=MPI.SUM)
    return comm.allreduce(dolfinx.fem.assemble_scalar(dolfinx.fem.form(
        expr * ufl.dx(domain=mesh))), op=MPI.SUM) / one


def _mesh(mode):
    comm = MPI.COMM_WORLD
    if mode == "3d":
        return dolfinx.mesh.create_unit_cube(comm, 2, 2, 2)
    # away from the axis in axisymmetric mode (u_r / r is evaluated at quadrature points)
    return dolfinx.mesh.create_rectangle(comm, [[0.5, 0.0], [1.5, 1.0]], [3, 3],
                                         dolfinx.mesh.CellType.triangle)


@pytest.mark.parametrize("mode", ["3d", "plane_strain"])
def test_rigid_rotation_has_no_strain(mode):
    mesh = _mesh(mode)
    coords = coordinates_for(mesh, mode, 1.0)
    x = ufl.SpatialCoordinate(mesh)
    if mode == "3d":
        omega = ufl.as_vector([0.3, -0.2, 0.5])
        u = ufl.cross(omega, x)
    else:
        u = ufl.as_vector([-0.4 * x[1], 0.4 * x[0]])
    eps = coords.strain(u)
    assert ufl.shape(eps) == (3, 3)
    assert _mean(mesh, ufl.inner(eps, eps)) == pytest.approx(0.0, abs=1e-24)


@pytest.mark.parametrize("mode", ["3d", "plane_strain"])
def test_simple_shear_strain_is_half_the_shear_angle(mode):
    gamma = 0.02
    mesh = _mesh(mode)
    coords = coordinates_for(mesh, mode, 1.0)
    x = ufl.SpatialCoordinate(mesh)
    u = ufl.as_vector([gamma * x[1]] + [0.0] * (mesh.geometry.dim - 1))
    eps = coords.strain(u)
    want = np.zeros((3, 3))
    want[0, 1] = want[1, 0] = gamma / 2
    got = np.array([[_mean(mesh, eps[i, j]) for j in range(3)] for i in range(3)])
    assert np.allclose(got, want, rtol=0, atol=1e-14), got


def test_axisymmetric_strain_components():
    """u = (a r, b z + c r): ε_rr = a, ε_zz = b, ε_θθ = u_r / r = a, ε_rz = ε_zr = c/2."""
    a, b, c = 0.01, -0.02, 0.03
    mesh = _mesh("axisymmetric")
    coords = coordinates_for(mesh, "axisymmetric", 1.0)
    x = ufl.SpatialCoordinate(mesh)
    u = ufl.as_vector([a * x[0], b * x[1] + c * x[0]])
    eps = coords.strain(u)
    want = np.array([[a, c / 2, 0.0], [c / 2, b, 0.0], [0.0, 0.0, a]])
    got = np.array([[_mean(mesh, eps[i, j]) for j in range(3)] for i in range(3)])
    assert np.allclose(got, want, rtol=0, atol=1e-14), got
