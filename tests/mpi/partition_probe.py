"""Run under ``mpiexec -n 2`` by test_serial_vs_parallel.py: for each case file (with
``|``-separated --set overrides) print, on rank 0, one JSON line with the ghost cells and the
owned interface facets that lack a local cell on one side."""

from __future__ import annotations

import json
import sys

from solver import _bootstrap  # noqa: F401  (must precede dolfinx)

from mpi4py import MPI

import meshes
from solver import load_case
from solver.domain import build_domain


def main() -> None:
    comm = MPI.COMM_WORLD
    for arg in sys.argv[1:]:
        path, *overrides = arg.split("|")
        case = load_case(path, overrides=overrides)
        spec = case.geometry.to_spec()
        sizing = meshes.Sizing(size=case.mesh.resolved_size(float(spec.radius)),
                               surface_size=case.mesh.surface_size)
        domain = build_domain(spec, sizing, comm, None)
        mesh = domain.mesh
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)
        f2c = mesh.topology.connectivity(tdim - 1, tdim)
        owned = mesh.topology.index_map(tdim - 1).size_local
        one_sided = total = 0
        for tag in domain.interfaces.values():
            facets = domain.facet_tags.find(tag)
            facets = facets[facets < owned]
            total += len(facets)
            one_sided += sum(1 for f in facets if len(f2c.links(f)) < 2)
        out = {"interface_facets": comm.allreduce(total),
               "one_sided": comm.allreduce(one_sided),
               "ghost_cells": comm.allreduce(mesh.topology.index_map(tdim).num_ghosts)}
        if comm.rank == 0:
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
