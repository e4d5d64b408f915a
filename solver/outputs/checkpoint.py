"""Restart checkpoints: the θ field and the time-loop state, independent of the partition.

θ is P1 on the Gmsh mesh, so each value belongs to a mesh node; nodes are stored by their
index in the ``.msh`` file (``mesh.geometry.input_global_indices``), which does not depend on
how many ranks read the mesh. A run checkpointed on 2 ranks can restart on 1 or 4.

Why not adios4dolfinx: it needs the ADIOS2 Python bindings built with MPI; the ``adios2``
wheel on PyPI is serial (adios4dolfinx 0.11 refuses it: "ADIOS2 must be built with MPI
support") and the ``dolfinx-solver-real`` wheel ships ADIOS2 without Python bindings. On sites
with an MPI-enabled ADIOS2 (conda, spack) adios4dolfinx could replace this module.

Arrays of other Lagrange spaces of degree 1 or 2 on the same mesh (the P2 displacement the
elasticity CG starts from, each σ_h field's P1 space) are stored by a key of the same kind
for each node of the space: the input index of the mesh node it sits on, or, at an edge
midpoint, a number made of the input indices of the edge's two end nodes (:func:`_dof_keys`).

The file is ``checkpoint.npz`` (node indices, θ values, any extra P1 arrays of the time loop,
the arrays of other spaces with their keys, and the loop state as JSON), written
by rank 0 to a temporary name and renamed, so a crash while writing leaves the previous one.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from solver import _bootstrap  # noqa: F401

import basix
from mpi4py import MPI

from solver.outputs.result_files import CHECKPOINT_FILE as FILENAME  # noqa: E402
from solver.outputs.result_files import CheckpointError  # noqa: E402,F401
from solver.outputs.result_files import read_checkpoint_state as read_state  # noqa: E402,F401


def _dof_keys(V) -> np.ndarray:
    """A key of every local node (dof block) of ``V``, ghosts included, that does not depend
    on the partition: the input (``.msh``) index ``i`` of the mesh node a dof sits on, or
    ``N (1 + i) + j`` for one at the midpoint of the edge between the nodes ``i < j`` (``N``:
    the number of input nodes). ``V``: Lagrange of degree 1 or 2 (scalar or vector) on the
    linear geometry; raises RuntimeError for any other space."""
    mesh = V.mesh
    geo = mesh.geometry
    geo_dofmap = geo.dofmaps[0] if hasattr(type(geo), "dofmaps") else geo.dofmap
    element = V.ufl_element().basix_element
    entity_dofs = element.entity_dofs
    topology = basix.topology(element.cell_type)
    n_vertices = len(topology[0])
    if (geo_dofmap.shape[1] != n_vertices or any(d for dim in entity_dofs[2:] for d in dim)
            or any(len(d) > 1 for dim in entity_dofs[:2] for d in dim)):
        raise RuntimeError("not Lagrange of degree 1 or 2 on a linear mesh: cannot checkpoint")
    n = V.dofmap.index_map.size_local + V.dofmap.index_map.num_ghosts
    inputs = geo.input_global_indices.astype(np.int64)
    count = mesh.comm.allreduce(int(inputs.max()) + 1 if inputs.size else 0, op=MPI.MAX)
    if count > 3_000_000_000:
        raise RuntimeError("too many mesh nodes for the checkpoint's keys")
    nodes = inputs[geo_dofmap]  # (cells, vertices)
    cell_dofs = V.dofmap.list
    keys = np.full(n, -1, dtype=np.int64)
    x_dof = V.tabulate_dof_coordinates()
    x_expected = np.zeros_like(x_dof)
    for v, (dof,) in enumerate(entity_dofs[0]):
        keys[cell_dofs[:, dof]] = nodes[:, v]
        x_expected[cell_dofs[:, dof]] = geo.x[geo_dofmap[:, v]]
    for e, dofs in enumerate(entity_dofs[1]):
        if not dofs:
            continue
        a, b = topology[1][e]
        lo = np.minimum(nodes[:, a], nodes[:, b])
        hi = np.maximum(nodes[:, a], nodes[:, b])
        keys[cell_dofs[:, dofs[0]]] = count * (1 + lo) + hi
        x_expected[cell_dofs[:, dofs[0]]] = 0.5 * (geo.x[geo_dofmap[:, a]]
                                                   + geo.x[geo_dofmap[:, b]])
    extent = float(np.ptp(geo.x, axis=0).max()) if geo.x.size else 0.0
    extent = mesh.comm.allreduce(extent, op=MPI.MAX)
    if np.any(keys < 0) or not np.allclose(x_dof, x_expected, rtol=0.0, atol=1e-9 * extent):
        raise RuntimeError("dofs do not sit on the mesh nodes and edge midpoints: cannot "
                           "checkpoint")
    return keys


def _gather_sorted(comm, keys: np.ndarray, arrays: dict[str, np.ndarray]):
    """(keys, arrays) of the owned nodes of every rank, sorted by key, on rank 0 (None
    elsewhere); ``keys`` and ``arrays`` (rows: nodes) cover the owned nodes of this rank."""
    parts = comm.gather((keys, arrays), root=0)
    if comm.rank != 0:
        return None
    all_keys = np.concatenate([p[0] for p in parts])
    order = np.argsort(all_keys)
    return all_keys[order], {k: np.concatenate([p[1][k] for p in parts])[order]
                             for k in arrays}


def write(out_dir: Path, theta, state: dict, extra: dict[str, np.ndarray] | None = None,
          spaces: dict[str, tuple] | None = None) -> None:
    """Write θ, the loop state and ``extra`` arrays laid out like ``theta.x.array`` (more
    P1 fields the time loop needs, e.g. the Newton predictor's θ of the step before), and
    for each ``spaces`` entry ``name: (V, {array name: array})`` arrays laid out like a
    Function of ``V`` (see :func:`_dof_keys`; e.g. the P2 displacement) (collective)."""
    V = theta.function_space
    comm = V.mesh.comm
    n_owned = V.dofmap.index_map.size_local
    idx = _dof_keys(V)[:n_owned]
    fields = {"theta": theta.x.array, **{f"extra_{k}": a for k, a in (extra or {}).items()}}
    gathered = _gather_sorted(comm, idx, {k: a[:n_owned].copy() for k, a in fields.items()})
    others = {}
    for name, (W, arrays) in (spaces or {}).items():
        owned = W.dofmap.index_map.size_local
        bs = W.dofmap.index_map_bs
        keys = _dof_keys(W)[:owned]
        blocks = {f"values_{name}_{k}": np.asarray(a)[:owned * bs].reshape(owned, bs).copy()
                  for k, a in arrays.items()}
        others[name] = _gather_sorted(comm, keys, blocks)
    if comm.rank == 0:
        all_idx, arrays = gathered
        for name, (keys, blocks) in others.items():
            arrays[f"keys_{name}"] = keys
            arrays.update(blocks)
        path = Path(out_dir) / FILENAME
        tmp = path.with_name(path.name + ".tmp.npz")
        try:
            np.savez(tmp, node=all_idx, state=np.array(json.dumps(state)), **arrays)
        except BaseException as exc:  # a full disk: no half-written file left behind
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.filename is None:  # zipfile names none
                raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
            raise
        os.replace(tmp, path)
    comm.Barrier()


def read(out_dir: Path, theta, extra: dict[str, np.ndarray] | None = None,
         spaces: dict[str, tuple] | None = None) -> dict:
    """Load θ into ``theta`` (and the ``extra`` arrays the file has into the given arrays,
    and for each ``spaces`` entry ``name: (V, {array name: array})`` the arrays of that
    space the file has, as :func:`write` stored them) and return the saved loop state, with
    ``"extra"``: the names of the ``extra`` arrays loaded, and ``"spaces"``: for each space,
    the names of its arrays loaded (a checkpoint of an older version may have none)
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
                    others = {}
                    for name, (_, targets) in (spaces or {}).items():
                        found = {k: data[f"values_{name}_{k}"] for k in targets
                                 if f"values_{name}_{k}" in data}
                        if found:
                            others[name] = (data[f"keys_{name}"], found)
                    payload = (data["node"], data["theta"], arrays, others,
                               json.loads(str(data["state"])))
                _check_contents(*payload)
            except Exception as exc:  # truncated or not ours: zipfile, KeyError, JSON …
                error = (f"{path} cannot be read ({type(exc).__name__}: {exc}); run without "
                         "--restart to start afresh")
    error = comm.bcast(error, root=0)
    if error:
        raise CheckpointError(error)
    node, values, arrays, others, state = comm.bcast(payload, root=0)
    mine = _dof_keys(V)
    pos = _positions(comm, node, mine, path)
    theta.x.array[:] = values[pos]
    for k, a in arrays.items():
        extra[k][:] = a[pos]
    state["extra"] = sorted(arrays)
    state["spaces"] = {}
    for name, (W, targets) in (spaces or {}).items():
        if name not in others:  # (the same decision on every rank: rank 0 read for all)
            state["spaces"][name] = []
            continue
        keys, found = others[name]
        pos = _positions(comm, keys, _dof_keys(W), path)
        for k, a in found.items():
            targets[k][:] = a[pos].ravel()
        state["spaces"][name] = sorted(found)
    return state


#: the loop state every checkpoint has (the time loop reads them without a default)
STATE_KEYS = ("t", "step", "inflow", "li0", "holding", "t_end", "dt", "rejected", "counters",
              "restarts", "wall")


def _check_contents(node, theta, arrays, others, state) -> None:
    """Raise ValueError for a checkpoint whose arrays or state a restart cannot use (edited
    or damaged files that still unzip): it used to end in an IndexError traceback, or in
    non-finite θ that failed as a time-step error."""
    if not isinstance(state, dict):
        raise ValueError("its state is not a mapping")
    missing = [k for k in STATE_KEYS if k not in state]
    if missing:
        raise ValueError(f"its state lacks {', '.join(missing)}")
    n = len(node)
    if np.ndim(node) != 1 or np.shape(theta) != (n,):
        raise ValueError(f"{n} node keys but θ of shape {np.shape(theta)}")
    for name, a in arrays.items():
        if len(a) != n:
            raise ValueError(f"{n} node keys but {len(a)} values of {name}")
    for name, (keys, blocks) in others.items():
        for key, a in blocks.items():
            if len(a) != len(keys):
                raise ValueError(f"{len(keys)} {name} keys but {len(a)} values of {key}")
    if not np.all(np.isfinite(theta)):
        raise ValueError("θ has non-finite values")


def _positions(comm, stored: np.ndarray, mine: np.ndarray, path: Path) -> np.ndarray:
    """Where each of ``mine`` (keys of this rank's nodes) is in the sorted ``stored`` keys;
    CheckpointError on every rank when any rank's key is missing."""
    pos = np.minimum(np.searchsorted(stored, mine), max(len(stored) - 1, 0))
    ok = comm.allreduce(bool(len(stored) and np.all(stored[pos] == mine)) or not len(mine),
                        op=MPI.LAND)
    if not ok:
        raise CheckpointError(f"{path} was written for another mesh")
    return pos


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
