"""``Li concentration [mol/m^3]`` = c_max·θ at the nodes: at a node between two regions, c_max
is the larger of the two (documented in solver/outputs/fields.py), on any partition."""

from __future__ import annotations

import numpy as np

from solver import _bootstrap  # noqa: F401
from mpi4py import MPI  # noqa: E402

import dolfinx  # noqa: E402


def test_an_interface_node_takes_the_larger_c_max():
    from solver.outputs.fields import _nodal_c_max

    mesh = dolfinx.mesh.create_unit_square(MPI.COMM_SELF, 4, 4)
    P1 = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
    Q0 = dolfinx.fem.functionspace(mesh, ("DG", 0))
    c_max = dolfinx.fem.Function(Q0)  # 1 left of x = 0.5, 3 right of it
    c_max.interpolate(lambda x: np.where(x[0] < 0.5, 1.0, 3.0))
    for large_left in (False, True):
        if large_left:  # the same with the larger value on the other side
            c_max.interpolate(lambda x: np.where(x[0] < 0.5, 3.0, 1.0))
        nodal = _nodal_c_max(P1, Q0, c_max)
        x = P1.tabulate_dof_coordinates()[:, 0]
        left, right = (3.0, 1.0) if large_left else (1.0, 3.0)
        assert np.all(nodal[x < 0.5 - 1e-9] == left)
        assert np.all(nodal[x > 0.5 + 1e-9] == right)
        assert np.all(nodal[np.abs(x - 0.5) < 1e-9] == 3.0)  # the interface: the larger
    assert np.all(_nodal_c_max(P1, Q0, 2.5) == 2.5)  # one material
