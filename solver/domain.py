"""The computational domain: a dolfinx mesh with named region and boundary tags.

Gmsh runs on rank 0 only (``meshes`` builds or reuses a cached ``.msh``); the model is then
distributed with ``dolfinx.io.gmsh.model_to_mesh``. Names, not integers, cross from ``meshes``
into the solver: physics code asks ``domain.dx_region("core")`` or ``domain.ds_named(...)``.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from solver import _bootstrap  # noqa: F401  (must precede dolfinx)

import dolfinx
import gmsh
import ufl
from mpi4py import MPI

from meshes import io as mesh_io
from meshes.session import gmsh_session
from solver.physics.coordinates import coordinates_for


class DomainError(RuntimeError):
    """The mesh could not be built or does not carry the expected tags."""


@dataclass
class Domain:
    """Mesh, tags and measures of one particle geometry.

    Attributes:
        mesh: dolfinx mesh (coordinates in m).
        cell_tags / facet_tags: dolfinx MeshTags.
        regions: region name → cell tag value.
        boundaries: boundary name → facet tag value.
        mode: ``3d``, ``octant`` or ``axisymmetric``.
        symmetry_fraction: fraction of the full particle the mesh represents (integrals
            already include the 2πr weight in axisymmetric mode, so this is 1/8 only for octants).
        coords: the coordinate system (weights, strain operator).
        mesh_file: the ``.msh`` the mesh was read from (rank 0; None elsewhere).
        mesh_info: element count and quality reported by ``meshes`` (rank 0 values, broadcast).
    """

    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    regions: dict[str, int]
    boundaries: dict[str, int]
    mode: str
    symmetry_fraction: float
    length_scale: float
    coords: object
    mesh_file: str | None = None
    mesh_info: dict = field(default_factory=dict)
    interfaces: dict[str, int] = field(default_factory=dict)
    bodies: tuple[tuple[str, ...], ...] = ()

    @property
    def comm(self) -> MPI.Comm:
        return self.mesh.comm

    @property
    def dx(self):
        return ufl.Measure("dx", domain=self.mesh, subdomain_data=self.cell_tags)

    @property
    def ds(self):
        return ufl.Measure("ds", domain=self.mesh, subdomain_data=self.facet_tags)

    def dx_region(self, name: str):
        return self.dx(self.regions[name])

    def ds_named(self, names):
        """Surface measure over one or several named boundaries."""
        ids = tuple(self.boundaries[n] for n in names)
        return self.ds(ids)

    def facets(self, name: str) -> np.ndarray:
        """Local indices of the facets of a named boundary."""
        return self.facet_tags.find(self.boundaries[name])

    def cells(self, name: str) -> np.ndarray:
        """Local indices of the cells of a named region."""
        return self.cell_tags.find(self.regions[name])

    def body_cells(self, regions) -> np.ndarray:
        """Local cells of a body (a group of regions that form one connected solid)."""
        return np.unique(np.concatenate([self.cells(r) for r in regions]))

    def dS_named(self, name: str):
        """Interior-facet measure of a named interface."""
        return ufl.Measure("dS", domain=self.mesh, subdomain_data=self.facet_tags)(
            self.interfaces[name])


def _partitioner(has_interfaces: bool, comm: MPI.Comm):
    """The cell partitioner: facet-sharing ghosts when the geometry has material interfaces.

    Interface statistics and ``on: interface_…`` measures integrate over interior facets
    (``dS``), which dolfinx can do across a process boundary only when the cells on both sides
    are present there (ghost mode ``shared_facet``). With the default (no ghosts), a 3D coated
    particle on 2 ranks failed as soon as the partition boundary ran along the interface.
    Without interfaces the default stays (no ghost cells to carry).
    """
    if comm.size == 1 or not has_interfaces:
        return None
    return dolfinx.mesh.create_cell_partitioner(dolfinx.mesh.GhostMode.shared_facet, 2)


def _print_warning(comm: MPI.Comm):
    def warn(message: str) -> None:
        if comm.rank == 0:
            print(f"warning: {message}", file=sys.stderr, flush=True)
    return warn


def build_domain(spec, sizing, comm: MPI.Comm, cache_dir: Path | None, verbose: bool = False,
                 warn: Callable[[str], None] | None = None):
    """Mesh a geometry spec (rank 0) and distribute it.

    Args:
        spec: a ``meshes.specs`` geometry spec (SI).
        sizing: ``meshes.specs.Sizing``.
        comm: MPI communicator.
        cache_dir: directory for cached ``.msh`` files, or None to mesh afresh into a scratch
            folder that is removed once the mesh is loaded.
        verbose: let Gmsh print.
        warn: called on every rank with each warning of the meshing on rank 0 (e.g. a
            damaged cache entry that was rebuilt); default: printed to stderr by rank 0.

    Raises:
        DomainError: on every rank when meshing (or reading the mesh) fails on rank 0.
    """
    warn = warn or _print_warning(comm)
    error, path, info, notes = None, None, {}, []
    scratch = None
    interface_names = set(spec.interface_names()) if hasattr(spec, "interface_names") else set()
    try:
        with ExitStack() as session:
            if comm.rank == 0:
                try:
                    if cache_dir is None:  # no cache: mesh into a scratch folder removed later
                        scratch = tempfile.mkdtemp(prefix="chemomech-mesh-")
                    path = mesh_io.mesh_file(spec, sizing,
                                             Path(scratch) if scratch else cache_dir,
                                             verbose=verbose, warn=notes.append)
                    info_file = Path(path).with_suffix(".json")
                    if info_file.exists():
                        info = json.loads(info_file.read_text()).get("statistics", {})
                    # read here, so that a file Gmsh cannot read is reported like a meshing
                    # error on every rank (model_to_mesh below is collective)
                    session.enter_context(gmsh_session(verbose=verbose))
                    mesh_io.load_into_gmsh(path)
                    mesh_io.check_current_model(spec, path)
                except Exception as exc:  # report on every rank, never hang the others
                    error = f"{type(exc).__name__}: {exc}"
            error, notes, info = comm.bcast((error, notes, info), root=0)
            for note in notes:
                warn(note)
            if error is not None:
                raise DomainError(f"meshing failed: {error}")
            model = gmsh.model if comm.rank == 0 else None
            data = dolfinx.io.gmsh.model_to_mesh(model, comm, 0, gdim=spec.gdim,
                                                 partitioner=_partitioner(bool(interface_names),
                                                                          comm))
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
            path = None

    mesh = data.mesh
    tdim = mesh.topology.dim
    groups = data.physical_groups
    regions = {n: g.tag for n, g in groups.items() if g.dim == tdim}
    facet_groups = {n: g.tag for n, g in groups.items() if g.dim == tdim - 1}
    boundaries = {n: t for n, t in facet_groups.items() if n not in interface_names}
    interfaces = {n: t for n, t in facet_groups.items() if n in interface_names}
    for name in spec.region_names():
        if name not in regions:
            raise DomainError(f"mesh has no region named {name!r} (found {sorted(regions)})")
    for name in spec.boundary_names():
        if name not in boundaries:
            raise DomainError(f"mesh has no boundary named {name!r} (found {sorted(boundaries)})")
    mesh.topology.create_connectivity(tdim - 1, tdim)
    length_scale = float(getattr(spec, "radius", 1.0))
    bodies = tuple(spec.bodies()) if hasattr(spec, "bodies") else (tuple(regions),)
    return Domain(
        mesh=mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        regions=regions,
        boundaries=boundaries,
        mode=spec.mode,
        symmetry_fraction=float(spec.symmetry_fraction),
        length_scale=length_scale,
        coords=coordinates_for(mesh, spec.mode, length_scale),
        mesh_file=str(path) if path else None,
        mesh_info=info,
        interfaces=interfaces,
        bodies=bodies,
    )
