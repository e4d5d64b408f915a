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
import math
import os
from pathlib import Path

import numpy as np

from solver import _bootstrap  # noqa: F401

from mpi4py import MPI

from solver.outputs.result_files import CHECKPOINT_FILE as FILENAME  # noqa: E402
from solver.outputs.result_files import CheckpointError  # noqa: E402,F401
from solver.outputs.result_files import read_checkpoint_state as read_state  # noqa: E402,F401


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


def _read_pvd(pvd: Path):
    """(the parsed ``pvd``, None), or (None, why the restart cannot continue it)."""
    import xml.etree.ElementTree as ET

    try:
        tree = ET.parse(pvd)
        coll = tree.getroot().find("Collection")
        if coll is None:
            raise ValueError("no <Collection> element")
        for ds in coll:
            float(ds.get("timestep"))
    except (ET.ParseError, ValueError, TypeError, OSError) as exc:
        return None, (f"{pvd}: cannot read it ({exc}); damaged? Repair or remove it (the field "
                      "frames it lists stay on disk), or run without --restart")
    return tree, None


def pvd_problem(pvd: Path) -> str | None:
    """Why the restart cannot continue the series ``pvd`` (a ``fields.pvd``), or None: it is
    absent (the restart's frames go to ``fields_r<k>.pvd``) or a readable collection."""
    pvd = Path(pvd)
    return _read_pvd(pvd)[1] if pvd.exists() else None


def merge_pvd(out_dir: Path, restart_times: list[float]) -> None:
    """Make ``fields.pvd`` one continuous series (rank 0 only): its own entries up to the
    first restart time, then those of each restart ``k`` (``fields_r<k>.pvd``) after its
    restart time and up to the next one. Every restart's frames are taken, also those of a
    restart that was killed before it could merge them itself; the entries a killed run
    wrote after the checkpoint it was restarted from are dropped (the restart writes them
    again)."""
    import xml.etree.ElementTree as ET

    main = Path(out_dir) / "fields.pvd"
    if not main.exists() or not restart_times:
        return
    tree, problem = _read_pvd(main)
    if problem:
        raise CheckpointError(problem)
    coll = tree.getroot().find("Collection")
    # restart k began at restart_times[k - 1]; None: not known (an older checkpoint), skipped
    known = [(k, t) for k, t in enumerate(restart_times, start=1) if t is not None]
    if not known:
        return
    kept = [ds for ds in coll if float(ds.get("timestep")) <= known[0][1] * (1 + 1e-12)]
    ends = [t for _, t in known[1:]] + [math.inf]
    for (k, start), end in zip(known, ends):
        series = Path(out_dir) / f"fields_r{k}.pvd"
        if not series.exists():
            continue
        try:
            entries = list(ET.parse(series).getroot().find("Collection"))
        except (ET.ParseError, AttributeError):  # a restart killed while writing it
            continue
        kept += [ds for ds in entries
                 if start * (1 + 1e-12) < float(ds.get("timestep")) <= end * (1 + 1e-12)]
    for ds in list(coll):
        coll.remove(ds)
    coll.extend(kept)
    tmp = main.with_suffix(".pvd.tmp")
    tree.write(tmp, xml_declaration=True)
    os.replace(tmp, main)
