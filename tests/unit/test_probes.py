"""A probe takes its value from the cells that hold its point, whatever the length unit.

dolfinx's point-in-cell test accepts cells within an absolute distance. With coordinates in
metres and cells of 0.1 µm, that let cells tens of nanometres away into a probe's average, so
its value mixed in extrapolations from neighbouring cells (the liu2025 "matrix B" probe
averaged three cells, two of them 10 nm away).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from solver import _bootstrap  # noqa: F401
from mpi4py import MPI  # noqa: E402

import dolfinx  # noqa: E402


def _setup(scale: float):
    from solver.physics.quantities import Probes

    mesh = dolfinx.mesh.create_unit_square(MPI.COMM_SELF, 8, 8)
    mesh.geometry.x[:] *= scale
    domain = SimpleNamespace(mesh=mesh, mode="axisymmetric", comm=MPI.COMM_SELF)
    Q0 = dolfinx.fem.functionspace(mesh, ("DG", 0))
    cell_no = dolfinx.fem.Function(Q0)  # each cell's value: its own index
    cell_no.x.array[:] = np.arange(cell_no.x.array.size, dtype=float)
    return mesh, domain, cell_no, Probes


def _containing_cells(mesh, point) -> list[int]:
    """Cells whose barycentric coordinates of ``point`` are all ≥ 0 (to round-off)."""
    x = mesh.geometry.x[:, :2]
    out = []
    for c, nodes in enumerate(mesh.geometry.dofmaps[0]):
        a, b, d = x[nodes]
        lam = np.linalg.solve(np.column_stack([b - a, d - a]), point - a)
        bary = np.array([1 - lam.sum(), *lam])
        if bary.min() >= -1e-12:
            out.append(c)
    return out


@pytest.mark.parametrize("scale", [1.0, 1e-6])
def test_a_point_near_a_facet_takes_only_its_own_cell(scale):
    mesh, domain, cell_no, Probes = _setup(scale)
    h = scale / 8
    # a point 1e-3 cell sizes inside the cell left of the vertical facet x = 0.5
    point = np.array([0.5 * scale - 1e-3 * h, 0.3 * scale])
    inside = _containing_cells(mesh, point)
    assert len(inside) == 1
    probes = Probes(domain, [SimpleNamespace(name="p", point=list(point))])
    assert probes.evaluate(cell_no)[0] == pytest.approx(float(inside[0]), abs=0)


@pytest.mark.parametrize("scale", [1.0, 1e-6])
def test_a_point_on_a_shared_facet_averages_the_cells_around_it(scale):
    mesh, domain, cell_no, Probes = _setup(scale)
    h = scale / 8
    point = np.array([0.5 * scale, 0.5 * scale + 0.5 * h])  # mid-point of a vertical edge
    around = _containing_cells(mesh, point)
    assert len(around) == 2
    probes = Probes(domain, [SimpleNamespace(name="p", point=list(point))])
    assert probes.evaluate(cell_no)[0] == pytest.approx(np.mean(around), rel=1e-14)


def test_an_axisymmetric_probe_given_in_3d_is_taken_at_its_distance_from_the_axis():
    """Axisymmetric mode, a probe point (x, y, z): the meridian point (r, z) with
    r = √(x² + y²) (found by mutation testing: taking r = x went unnoticed, every test gave
    axisymmetric probes as (r, z) or on the x-z plane). f = r + 2z is exact in P1."""
    mesh, domain, _, Probes = _setup(1.0)
    f = dolfinx.fem.Function(dolfinx.fem.functionspace(mesh, ("Lagrange", 1)))
    f.interpolate(lambda x: x[0] + 2.0 * x[1])
    x, y, z = 0.3, 0.4, 0.2  # r = 0.5
    probes = Probes(domain, [SimpleNamespace(name="p", point=[x, y, z])])
    assert probes.evaluate(f)[0] == pytest.approx(0.5 + 2.0 * z, rel=1e-12)
