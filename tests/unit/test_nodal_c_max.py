"""``Li concentration [mol/m^3]`` = c_max·θ at the nodes: at a node between two regions, c_max
is the larger of the two (documented in solver/outputs/fields.py), on any partition."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_the_exported_concentration_holds_the_li_content(tmp_path):
    """The exported ``Li concentration [mol/m^3]`` integrates to the Li content of history.csv
    (one material, consistent storage: ∫ c_max θ w dx exactly), which is the charge passed.
    Found by mutation testing: c exported in mol/L (c_max θ / 1000) went unnoticed, since
    only the nodal c_max and a zero in an inert coating were checked."""
    from chemomech_testing import SI, run_case, sphere_case

    R, current, t_end = 4e-6, 1000.0, 20.0  # m, A/kg (1 A/g), s
    case = sphere_case(mode="axisymmetric", radius=R, size=R / 4,
                       loading={"kind": "galvanostatic", "specific_current": current,
                                "surfaces": ["outer_surface"], "initial_theta": 0.0})
    case["stop"] = {"time": t_end}
    case["time"] = {"dt_initial": 5.0, "dt_min": 5.0, "dt_max": 5.0, "max_dtheta": 0.5}
    case["solver"] = {"mass_lumping": False}
    sim, result = run_case(case, tmp_path)
    d = sim.domain
    c = sim.field_output.c_out
    assert c.name == "Li concentration [mol/m^3]"
    total = d.comm.allreduce(dolfinx.fem.assemble_scalar(
        dolfinx.fem.form(c * d.coords.weight * d.dx)), op=MPI.SUM)
    last = result.history[-1]
    assert last["time [s]"] == t_end
    assert total == pytest.approx(last["Li content [mol]"], rel=1e-9, abs=0)
    volume = d.comm.allreduce(dolfinx.fem.assemble_scalar(
        dolfinx.fem.form(d.coords.weight * d.dx)), op=MPI.SUM)  # m³ of the (faceted) mesh
    charge = current * SI["density"] * volume * t_end / 96485.33212  # mol (Faraday)
    assert total == pytest.approx(charge, rel=1e-9, abs=0)  # (mol: ~1e-13, no abs)
