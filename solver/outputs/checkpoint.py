"""Restart checkpoints: the θ field and the time-loop state, independent of the partition.

θ is P1 on the Gmsh mesh, so each value belongs to a mesh node; nodes are stored by their
index in the ``.msh`` file (``mesh.geometry.input_global_indices``), which does not depend on
how many ranks read the mesh. A run checkpointed on 2 ranks can restart on 1 or 4.

Why not adios4dolfinx: it needs the ADIOS2 Python bindings built with MPI; the ``adios2``
wheel on PyPI is serial (adios4dolfinx 0.11 refuses it: "ADIOS2 must be built with MPI
support") and the ``dolfinx-solver-real`` wheel ships ADIOS2 without Python bindings. On sites
with an MPI-enabled ADIOS2 (conda, spack) adios4dolfinx could replace this module.

The file is ``checkpoint.npz`` (node indices, θ values, any extra P1 arrays of the time loop,
and the loop state as JSON), written
by rank 0 to a temporary name and renamed, so a crash while writing leaves the previous one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from solver import _bootstrap  # noqa: F401

from mpi4py import MPI

FILENAME = "checkpoint.npz"


class CheckpointError(RuntimeError):
    """No usable checkpoint (missing, or written for another case or mesh)."""


def _node_indices(V) -> np.ndarray:
    """Input (``.msh``) node index of every local P1 dof, ghosts included."""
    mesh = V.mesh
    geo = mesh.geometry
    # dolfinx 0.11: dofmaps[0]; 0.10: dofmap
    geo_dofmap = geo.dofmaps[0] if hasattr(type(geo), "dofmaps") else geo.dofmap
    n = V.dofmap.index_map.size_local + V.dofmap.index_map.num_ghosts
    idx = np.full(n, -1, dtype=np.int64)
    idx[V.dofmap.list.ravel()] = geo.input_global_indices[geo_dofmap.ravel()]
    # P1 on the linear geometry: dofs sit on the geometry nodes; check rather than assume
    x_dof = V.tabulate_dof_coordinates()
    nodes = np.full(n, -1, dtype=np.int64)
    nodes[V.dofmap.list.ravel()] = geo_dofmap.ravel()
    if np.any(idx < 0) or not np.allclose(x_dof, mesh.geometry.x[nodes]):
        raise RuntimeError("θ dofs do not coincide with mesh nodes: cannot checkpoint")
    return idx


def write(out_dir: Path, theta, state: dict, extra: dict[str, np.ndarray] | None = None) -> None:
    """Write θ, the loop state and ``extra`` arrays laid out like ``theta.x.array`` (more
    P1 fields the time loop needs, e.g. the Newton predictor's θ of the step before)
    (collective)."""
    V = theta.function_space
    comm = V.mesh.comm
    n_owned = V.dofmap.index_map.size_local
    idx = _node_indices(V)[:n_owned]
    fields = {"theta": theta.x.array, **{f"extra_{k}": a for k, a in (extra or {}).items()}}
    parts = comm.gather((idx, {k: a[:n_owned].copy() for k, a in fields.items()}), root=0)
    if comm.rank == 0:
        all_idx = np.concatenate([p[0] for p in parts])
        order = np.argsort(all_idx)
        arrays = {k: np.concatenate([p[1][k] for p in parts])[order] for k in fields}
        path = Path(out_dir) / FILENAME
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, node=all_idx[order], state=np.array(json.dumps(state)), **arrays)
        os.replace(tmp, path)
    comm.Barrier()


def read(out_dir: Path, theta, extra: dict[str, np.ndarray] | None = None) -> dict:
    """Load θ into ``theta`` (and the ``extra`` arrays the file has into the given arrays)
    and return the saved loop state, with ``"extra"``: the names of the arrays loaded
    (collective)."""
    V = theta.function_space
    comm = V.mesh.comm
    path = Path(out_dir) / FILENAME
    payload, error = None, None
    if comm.rank == 0:
        if not path.exists():
            error = f"no checkpoint in {out_dir} (run without --restart to start afresh)"
        else:
            try:
                with np.load(path) as data:
                    arrays = {k: data[f"extra_{k}"] for k in (extra or {})
                              if f"extra_{k}" in data}
                    payload = (data["node"], data["theta"], arrays,
                               json.loads(str(data["state"])))
            except Exception as exc:  # truncated or not ours: zipfile, KeyError, JSON …
                error = (f"{path} cannot be read ({type(exc).__name__}: {exc}); run without "
                         "--restart to start afresh")
    error = comm.bcast(error, root=0)
    if error:
        raise CheckpointError(error)
    node, values, arrays, state = comm.bcast(payload, root=0)
    mine = _node_indices(V)
    pos = np.searchsorted(node, mine)
    pos = np.minimum(pos, len(node) - 1)
    ok = comm.allreduce(bool(np.all(node[pos] == mine)), op=MPI.LAND)
    if not ok:
        raise CheckpointError(f"{path} was written for another mesh")
    theta.x.array[:] = values[pos]
    for k, a in arrays.items():
        extra[k][:] = a[pos]
    state["extra"] = sorted(arrays)
    return state


def merge_pvd(out_dir: Path, restart_stem: str, t_restart: float) -> None:
    """Make ``fields.pvd`` one continuous series: the entries up to the restart time, then
    those of the restarted run's ``<restart_stem>.pvd`` (rank 0 only)."""
    import xml.etree.ElementTree as ET

    main = Path(out_dir) / "fields.pvd"
    new = Path(out_dir) / f"{restart_stem}.pvd"
    if not main.exists() or not new.exists():
        return
    tree = ET.parse(main)
    coll = tree.getroot().find("Collection")
    for ds in list(coll):
        if float(ds.get("timestep")) > t_restart * (1 + 1e-12):
            coll.remove(ds)
    for ds in ET.parse(new).getroot().find("Collection"):
        if float(ds.get("timestep")) > t_restart * (1 + 1e-12):
            coll.append(ds)
    tmp = main.with_suffix(".pvd.tmp")
    tree.write(tmp, xml_declaration=True)
    os.replace(tmp, main)
