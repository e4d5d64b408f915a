"""Field output for ParaView: XDMF (P1 + cell data), VTK (.pvd) and ADIOS2 VTX (.bp).

XDMF and VTK hold continuous P1 fields: θ is P1 already, c = c_max·θ with c_max at a node
between regions the largest of the cells around it; the P2 displacement is
interpolated; the DG1 stress invariants and the volumetric strain tr ε(u) (in the axisymmetric
mode including the hoop strain u_r/r) are turned into nodal values by a lumped L2 projection
(a volume-weighted average of the cells around each node). Region ids are written
as cell data ("Region [-]"; the id → name map is in ``summary.json``). VTX keeps the
native spaces (P2 displacement, DG1 stresses) for ParaView >= 5.12.
"""

from __future__ import annotations

import errno
import numbers
import os
from pathlib import Path

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
import dolfinx.io
import ufl

from solver.physics.quantities import LumpedProjection

#: the name ending of the XML index dolfinx writes while a run goes on (see FieldOutput)
XDMF_WORK_SUFFIX = ".xdmf-writing"

#: total volumetric strain tr ε(u) (swelling and elastic), the field of seed 004 Fig. 5e,f
VOLUMETRIC_STRAIN = "Volumetric strain [-]"


def _nodal_c_max(P1, Q0, c_max) -> np.ndarray:
    """c_max at every P1 node (ghosts included): at a node between regions, the largest c_max
    of the cells around it, on every partition alike. (Interpolating c_max·θ into P1 let
    whichever cell came last set an interface node: the core's c_max in serial, a coating's
    on 2 ranks.) One add-scatter of an indicator per distinct c_max value, done once."""
    comm = P1.mesh.comm
    imap = P1.dofmap.index_map
    if isinstance(c_max, dolfinx.fem.Constant):  # one material: one value everywhere
        c_max = float(c_max.value)
    if isinstance(c_max, numbers.Real):
        return np.full(imap.size_local + len(imap.ghosts), float(c_max))
    cell_c = dolfinx.fem.Function(Q0)
    cell_c.interpolate(dolfinx.fem.Expression(c_max, Q0.element.interpolation_points))
    cell_c.x.scatter_forward()
    values = np.asarray(cell_c.x.array)
    distinct = sorted(set().union(*comm.allgather(set(np.unique(values).tolist()))))
    cells = P1.dofmap.list  # local cells (ghosts included) x their P1 dofs
    q0_dof = Q0.dofmap.list[:, 0]
    nodal = np.zeros(imap.size_local + len(imap.ghosts))
    touch = dolfinx.fem.Function(P1)
    for value in distinct:  # ascending: the largest value touching a node is set last
        touch.x.array[:] = 0.0
        touch.x.array[cells[values[q0_dof] == value].ravel()] = 1.0
        touch.x.scatter_reverse(dolfinx.la.InsertMode.add)
        touch.x.scatter_forward()
        nodal[touch.x.array > 0.0] = value
    return nodal


class HDF5WriteError(OSError):
    """HDF5 (dolfinx's XDMF writer) could not write or close a field file. The library may
    then abort the process when it closes the file again at teardown, so ``chemomech run``
    ends without that teardown (:func:`os._exit`) once the summary is written."""


class FieldOutput:
    """Writes the solution fields at output times.

    Args:
        out_dir: results directory.
        domain: the domain.
        theta: θ Function (P1).
        c_max: UFL expression of c_max (mol/m³).
        u: displacement Function (P2).
        stress: :class:`solver.physics.quantities.StressFields`.
        formats: subset of ``xdmf``, ``vtk``, ``vtx``.
        stem: base name of the field files (a restarted run writes ``fields_r<k>``).
    """

    def __init__(self, out_dir: Path, domain, theta, c_max, u, stress, formats,
                 stem: str = "fields"):
        mesh = domain.mesh
        comm = domain.comm
        gdim = mesh.geometry.dim
        self.domain = domain
        self.theta = theta
        self.u = u
        self.stress = stress
        P1 = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
        P1v = dolfinx.fem.functionspace(mesh, ("Lagrange", 1, (gdim,)))
        Q0 = dolfinx.fem.functionspace(mesh, ("DG", 0))
        self.theta_out = dolfinx.fem.Function(P1, name="Lithiation fraction [-]")
        self.c_out = dolfinx.fem.Function(P1, name="Li concentration [mol/m^3]")
        self._c_max_nodes = _nodal_c_max(P1, Q0, c_max)
        self.u_out = dolfinx.fem.Function(P1v, name="Displacement [m]")
        self.region = dolfinx.fem.Function(Q0, name="Region [-]")
        self.region.x.array[domain.cell_tags.indices] = domain.cell_tags.values
        self.region.x.scatter_forward()
        self.stress_out = {
            k: dolfinx.fem.Function(P1, name=f.name) for k, f in stress.fields.items()
        }
        self.strain_out = dolfinx.fem.Function(P1, name=VOLUMETRIC_STRAIN)
        self._projection = LumpedProjection(P1, domain)
        # (compiled projection, nodal output) of every quantity written as a P1 projection
        self._projected = [(self._projection.form(f), self.stress_out[k])
                           for k, f in stress.fields.items()]
        self._projected.append((self._projection.form(
            ufl.tr(domain.coords.strain(u, guarded=True))), self.strain_out))
        self.p1_fields = [self.theta_out, self.c_out, *self.stress_out.values(), self.strain_out]
        self.formats = list(formats)
        self._writers = []
        self.files = []
        out_dir = Path(out_dir)
        #: the XDMF file, opened (append) only while an output is written: an HDF5 file left
        #: open is unreadable after a kill (SIGKILL, a node failure), losing earlier frames.
        #: dolfinx writes its XML index to ``<stem>.xdmf-writing`` (same stem: the same
        #: ``<stem>.h5``), rewriting the whole file at every frame; a kill during that write
        #: left an index ParaView cannot parse. ``<stem>.xdmf`` is replaced by a complete
        #: copy after each output (:meth:`_publish_xdmf`), so it is always readable.
        self._xdmf_path = self._xdmf_work = None
        if "xdmf" in self.formats:
            self._xdmf_path = out_dir / f"{stem}.xdmf"
            self._xdmf_work = out_dir / f"{stem}{XDMF_WORK_SUFFIX}"
            with dolfinx.io.XDMFFile(comm, str(self._xdmf_work), "w") as xdmf:
                xdmf.write_mesh(mesh)
            self._publish_xdmf()
            self.files.append(self._xdmf_path)
        self._vtk = None
        self._pvd_entries: list[tuple[float, str]] = []
        self._stem = stem
        if "vtk" in self.formats:
            path = out_dir / f"{stem}.pvd"
            self._vtk = dolfinx.io.VTKFile(comm, str(path), "w")
            self._pvd_path = path
            self.files.append(path)
        self._vtx = []
        if "vtx" in self.formats:
            if not dolfinx.has_adios2:
                raise RuntimeError("output.formats has 'vtx' but this dolfinx has no ADIOS2")
            for name, funcs in (
                (f"{stem}_displacement.bp", [u]),
                (f"{stem}_lithiation.bp", [theta]),
                (f"{stem}_stress.bp", list(stress.fields.values())),
            ):
                path = out_dir / name
                self._vtx.append(dolfinx.io.VTXWriter(comm, str(path), funcs, engine="BP4"))
                self.files.append(path)

    def _update(self):
        self.theta_out.interpolate(self.theta)
        self.c_out.x.array[:] = self._c_max_nodes * self.theta_out.x.array
        self.u_out.interpolate(self.u)
        for form, out in self._projected:
            self._projection.apply(form, out)

    def write(self, t: float) -> None:
        """Write every field at time t (s)."""
        self._update()
        if self._xdmf_path is not None:
            try:
                with dolfinx.io.XDMFFile(self.domain.comm, str(self._xdmf_work), "a") as xdmf:
                    for f in (*self.p1_fields, self.u_out, self.region):
                        xdmf.write_function(f, t)
            except RuntimeError as exc:  # HDF5 says only "Failed to close HDF5 file."
                raise HDF5WriteError(
                    errno.EIO, f"HDF5 could not write it ({exc}): the disk may be full or a "
                    "file-size limit (ulimit -f) reached", str(self._xdmf_path.with_suffix(".h5"))
                ) from None
            self._publish_xdmf()
        if self._vtk is not None:
            self._vtk.write_function([*self.p1_fields, self.u_out], t)
            # dolfinx writes the .pvd index only on close: keep our own up to date so that
            # a run killed midway still has a readable series
            self._pvd_entries.append((t, f"{self._stem}{len(self._pvd_entries):06d}.pvtu"))
            if self.domain.comm.rank == 0:
                _write_pvd(self._pvd_path, self._pvd_entries)
        for w in self._vtx:
            w.write(t)

    def close(self) -> None:
        if self._xdmf_path is not None:
            if self.domain.comm.rank == 0:
                self._xdmf_work.unlink(missing_ok=True)  # published after the last output
            self._xdmf_path = self._xdmf_work = None
        if self._vtk is not None:
            self._vtk.close()
            self._vtk = None
        for w in self._vtx:
            w.close()
        self._vtx = []

    def _publish_xdmf(self) -> None:
        """Replace ``<stem>.xdmf`` by the XML index dolfinx has written so far, its data
        declared 64-bit, in one rename (rank 0: dolfinx writes the XML there only)."""
        if self.domain.comm.rank != 0:
            return
        text = _declare_float64(self._xdmf_work.read_text())
        tmp = self._xdmf_path.with_name(self._xdmf_path.name + ".tmp")
        try:
            tmp.write_text(text)
        except OSError:  # a full disk: no partial copy left behind
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, self._xdmf_path)

    def nodal_fields(self) -> dict[str, np.ndarray]:
        """Local P1 arrays (with ghosts) of the last written state, by field name."""
        return {f.name: f.x.array.copy() for f in self.p1_fields}


def _declare_float64(text: str) -> str:
    """The XML of an XDMF file with its HDF5 data items marked as 64-bit floats.

    dolfinx writes float64 arrays but leaves the XML without a number type, which XDMF
    readers (ParaView 5.11) take as float32: values would lose half their digits.
    """
    import re

    return re.sub(r'<DataItem (Dimensions="[^"]*") Format="HDF">',
                  r'<DataItem \1 NumberType="Float" Precision="8" Format="HDF">', text)


def _write_pvd(path: Path, entries: list[tuple[float, str]]) -> None:
    """Write a ParaView collection file listing ``(time, file)`` entries (atomically)."""
    lines = ['<?xml version="1.0"?>', '<VTKFile type="Collection" version="1.0">', "  <Collection>"]
    lines += [f'    <DataSet timestep="{t!r}" part="0" file="{f}" />' for t, f in entries]
    lines += ["  </Collection>", "</VTKFile>", ""]
    tmp = Path(path).with_suffix(".pvd.tmp")
    tmp.write_text("\n".join(lines))
    tmp.replace(path)
