#!/usr/bin/env python
"""Hand-written dolfinx 0.11 baseline for benchmark workload B (no chemomech imports).

The physics of ``cases/default.yaml`` written as a plain, straightforward dolfinx script:

* Si octant sphere read from a Gmsh ``.msh`` (the mesh chemomech used; physical groups
  ``outer_surface`` and ``symmetry_x/y/z``);
* θ = c/c_max (P1): ``c_max ∂θ/∂t = ∇·(c_max D(θ) ∇θ)``, two-phase
  ``D(θ) = D_p + (D_r − D_p)·½[1 + tanh((θ − θ*)/w)]``, uniform inward flux
  ``j = I m / (F A)`` on ``outer_surface`` (m, A integrated on the mesh), backward Euler with a
  FIXED dt, Newton (``NonlinearProblem``, SNES newtonls, MUMPS LU);
* u (P2): linear elasticity with linear swelling ``ε_ch = β_V θ / 3``,
  ``E(θ) = 185 → 35 GPa`` (θ clipped to [0, 1]), ν = 0.22, ``u·n = 0`` on the symmetry planes;
  ``LinearProblem`` with CG + GAMG (Chebyshev/Jacobi smoothers, rigid-body near-null space)
  as in dolfinx's ``demo_elasticity.py``; matrix, vector and preconditioner rebuilt every step;
* von Mises stress interpolated (``fem.Expression``) into DG1 every step; its maximum over
  the mesh, maximised over the steps, is the reported peak.

It stops at mean θ = 0.9 (the last step is shortened to land on it), or earlier with
``--max-steps`` / ``--max-wall`` (then the total time for the whole run is extrapolated from
the mean cost per step and reported as such).

Usage::

    .venv/bin/python bench/baseline_dolfinx.py MESH.msh --dt 10 [--json out.json]
    .venv/bin/mpiexec -n 2 .venv/bin/python bench/baseline_dolfinx.py MESH.msh --dt 10
"""

from __future__ import annotations

try:  # the PyPI dolfinx wheel: puts its PETSc/MPI on the loader path (before dolfinx)
    import dolfinx_solver  # noqa: F401
except ImportError:  # conda/spack dolfinx
    pass

import argparse
import json
import math
import resource
import sys
import time

import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

import dolfinx
import dolfinx.fem.petsc
import dolfinx.io.gmsh
import dolfinx.la
import ufl

# ---------------------------------------------------------------- parameters (cases/default.yaml)
FARADAY = 96485.33212  # C/mol
DENSITY = 2330.0  # kg/m³
CAPACITY = 3579.0 * 3.6  # 3579 mAh/g in C/g = A s/g → ×1000 g/kg below
C_MAX = CAPACITY * 1e3 * DENSITY / FARADAY  # mol/m³ (≈ 3.11e5)
BETA_V = 2.8
E_PRISTINE, E_LITHIATED = 185e9, 35e9  # Pa
NU = 0.22
D_PRISTINE, D_LITHIATED, THETA_STAR, WIDTH = 2e-17, 2e-15, 0.5, 0.05  # m²/s, -, -
CURRENT = 0.1 * 1e3  # 0.1 A/g in A/kg
THETA_END = 0.9
RTOL_NEWTON, ATOL_NEWTON, RTOL_KSP = 1e-10, 1e-14, 1e-10  # chemomech's defaults


def peak_memory_mb() -> float:
    """Process high-water mark (Linux ru_maxrss is in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rigid_body_modes(V) -> PETSc.NullSpace:
    """The six rigid-body modes of a 3D vector space (as in demo_elasticity.py)."""
    index_map = V.dofmap.index_map
    bs = V.dofmap.index_map_bs
    n = index_map.size_local + index_map.num_ghosts
    x = V.tabulate_dof_coordinates()
    basis = [dolfinx.la.vector(index_map, bs=bs, dtype=PETSc.ScalarType) for _ in range(6)]
    b = [v.array.reshape(-1, 3) for v in basis]
    for i in range(3):
        b[i][:n, i] = 1.0
    b[3][:n, 0], b[3][:n, 1] = -x[:n, 1], x[:n, 0]
    b[4][:n, 1], b[4][:n, 2] = -x[:n, 2], x[:n, 1]
    b[5][:n, 0], b[5][:n, 2] = x[:n, 2], -x[:n, 0]
    dolfinx.la.orthonormalize(basis)
    vecs = [dolfinx.la.petsc.create_vector_wrap(v) for v in basis]
    return PETSc.NullSpace().create(vectors=vecs, comm=V.mesh.comm), basis


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("msh", help="Gmsh .msh file (octant sphere with chemomech's physical names)")
    p.add_argument("--dt", type=float, required=True, help="fixed time step [s]")
    p.add_argument("--theta-end", type=float, default=THETA_END, help="stop at this mean θ")
    p.add_argument("--max-steps", type=int, default=None,
                   help="stop after this many steps (the total time is then extrapolated)")
    p.add_argument("--max-wall", type=float, default=None,
                   help="stop after this many seconds of time stepping (extrapolated total)")
    p.add_argument("--json", default=None, help="write the results to this JSON file")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    comm = MPI.COMM_WORLD
    rank0 = comm.rank == 0

    def say(*a):
        if rank0 and not args.quiet:
            print(*a, flush=True)

    timers = {"mesh": 0.0, "setup": 0.0, "diffusion": 0.0, "mechanics_assembly": 0.0,
              "mechanics_solve": 0.0, "stress": 0.0}
    t_all = time.perf_counter()

    # ---------------------------------------------------------------- mesh
    t0 = time.perf_counter()
    data = dolfinx.io.gmsh.read_from_msh(args.msh, comm, 0, gdim=3)
    mesh, facet_tags, groups = data.mesh, data.facet_tags, data.physical_groups
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    timers["mesh"] = time.perf_counter() - t0

    # ---------------------------------------------------------------- spaces and forms
    t0 = time.perf_counter()
    dx = ufl.Measure("dx", domain=mesh)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=facet_tags)
    ds_load = ds(groups["outer_surface"].tag)

    def integral(form) -> float:
        return comm.allreduce(dolfinx.fem.assemble_scalar(dolfinx.fem.form(form)), op=MPI.SUM)

    one = dolfinx.fem.Constant(mesh, PETSc.ScalarType(1.0))
    volume = integral(one * dx)
    area = integral(one * ds_load)
    mass = DENSITY * volume
    flux_value = CURRENT * mass / (FARADAY * area)  # mol m⁻² s⁻¹, inward
    t_end = args.theta_end * C_MAX * volume / (flux_value * area)  # exact: Li enters linearly

    # diffusion
    Vt = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
    theta = dolfinx.fem.Function(Vt, name="theta")
    theta_n = dolfinx.fem.Function(Vt)
    q = ufl.TestFunction(Vt)
    dt = dolfinx.fem.Constant(mesh, PETSc.ScalarType(args.dt))
    flux = dolfinx.fem.Constant(mesh, PETSc.ScalarType(flux_value))
    D = D_PRISTINE + (D_LITHIATED - D_PRISTINE) * 0.5 * (1.0 + ufl.tanh((theta - THETA_STAR) / WIDTH))
    scale = 1.0 / (C_MAX * volume)  # dimensionless residual, so atol means the same as in chemomech
    F = scale * (C_MAX * (theta - theta_n) * q * dx
                 + dt * C_MAX * D * ufl.inner(ufl.grad(theta), ufl.grad(q)) * dx
                 - dt * flux * q * ds_load)
    diffusion = dolfinx.fem.petsc.NonlinearProblem(
        F, theta, petsc_options_prefix="baseline_diffusion_",
        petsc_options={
            "snes_type": "newtonls", "snes_linesearch_type": "basic",
            "snes_rtol": RTOL_NEWTON, "snes_atol": ATOL_NEWTON, "snes_stol": 0.0,
            "snes_max_it": 25, "ksp_type": "preonly", "pc_type": "lu",
            "pc_factor_mat_solver_type": "mumps",
        },
    )

    # mechanics
    Vu = dolfinx.fem.functionspace(mesh, ("Lagrange", 2, (3,)))
    u = dolfinx.fem.Function(Vu, name="u")
    du, v = ufl.TrialFunction(Vu), ufl.TestFunction(Vu)
    th01 = ufl.max_value(0.0, ufl.min_value(1.0, theta))
    E = E_PRISTINE + (E_LITHIATED - E_PRISTINE) * th01
    mu = E / (2.0 * (1.0 + NU))
    lmbda = E * NU / ((1.0 + NU) * (1.0 - 2.0 * NU))
    I = ufl.Identity(3)
    eps_ch = BETA_V * theta / 3.0

    def eps(w):
        return ufl.sym(ufl.grad(w))

    def sigma(e):
        return lmbda * ufl.tr(e) * I + 2.0 * mu * e

    a = ufl.inner(sigma(eps(du)), eps(v)) * dx
    L = ufl.inner(sigma(eps_ch * I), eps(v)) * dx
    bcs = []
    for comp, name in enumerate(("symmetry_x", "symmetry_y", "symmetry_z")):
        facets = facet_tags.find(groups[name].tag)
        dofs = dolfinx.fem.locate_dofs_topological(Vu.sub(comp), tdim - 1, facets)
        bcs.append(dolfinx.fem.dirichletbc(PETSc.ScalarType(0.0), dofs, Vu.sub(comp)))
    # dolfinx demo_elasticity.py's solver. The options stay in PETSc's database (not passed as
    # petsc_options, which LinearProblem deletes after KSPSetFromOptions): GAMG reads the
    # mg_levels_* options only when it builds its levels, at the first solve.
    prefix = "baseline_elasticity_"
    opts = PETSc.Options()
    for key, value in {"ksp_type": "cg", "ksp_rtol": RTOL_KSP, "pc_type": "gamg",
                       "pc_gamg_coarse_eq_limit": 1000,
                       "mg_levels_ksp_type": "chebyshev", "mg_levels_pc_type": "jacobi",
                       "mg_levels_ksp_chebyshev_esteig_steps": 10}.items():
        opts[prefix + key] = value
    mechanics = dolfinx.fem.petsc.LinearProblem(a, L, bcs=bcs, u=u, petsc_options_prefix=prefix)
    mechanics.solver.setFromOptions()
    ns, _basis = rigid_body_modes(Vu)
    mechanics.A.setNearNullSpace(ns)

    # stress
    S = dolfinx.fem.functionspace(mesh, ("DG", 1))
    vm = dolfinx.fem.Function(S, name="von_mises")
    s_el = sigma(eps(u) - eps_ch * I)
    s_dev = ufl.dev(s_el)
    vm_expr = dolfinx.fem.Expression(ufl.sqrt(1.5 * ufl.inner(s_dev, s_dev)),
                                     S.element.interpolation_points)
    mean_form = dolfinx.fem.form(theta * dx)
    n_owned_S = S.dofmap.index_map.size_local
    timers["setup"] = time.perf_counter() - t0

    def dofs(V):
        return V.dofmap.index_map.size_global * V.dofmap.index_map_bs

    say(f"baseline: {mesh.topology.index_map(tdim).size_global} cells, DOFs θ {dofs(Vt)}, "
        f"u {dofs(Vu)}; dt {args.dt:g} s, t_end {t_end:.6g} s "
        f"({math.ceil(t_end / args.dt * (1 - 1e-12))} steps); {comm.size} rank(s)")

    def solve_mechanics_and_stress() -> tuple[int, float]:
        ta = time.perf_counter()
        mechanics.solve()  # re-assembles A and b, rebuilds GAMG, solves
        tb = time.perf_counter()
        timers["mechanics_solve"] += tb - ta
        ksp = mechanics.solver
        if ksp.getConvergedReason() <= 0:
            raise RuntimeError(f"elasticity KSP failed: reason {ksp.getConvergedReason()}")
        vm.interpolate(vm_expr)
        local = float(vm.x.array[:n_owned_S].max()) if n_owned_S else 0.0
        timers["stress"] += time.perf_counter() - tb
        return ksp.getIterationNumber(), comm.allreduce(local, op=MPI.MAX)

    # ---------------------------------------------------------------- time loop
    t, step, newton, krylov = 0.0, 0, 0, 0
    kry0, vm_peak = solve_mechanics_and_stress()  # initial state (θ = 0: stress-free)
    krylov += kry0
    history = [(0.0, 0.0, vm_peak)]
    t_loop = time.perf_counter()
    stopped_early = False
    while t < t_end * (1 - 1e-12):
        h = min(args.dt, t_end - t)
        dt.value = h
        ta = time.perf_counter()
        diffusion.solve()
        timers["diffusion"] += time.perf_counter() - ta
        snes = diffusion.solver
        if snes.getConvergedReason() <= 0:
            raise RuntimeError(f"Newton failed at t = {t:.6g} s (reason "
                               f"{snes.getConvergedReason()}); no adaptivity in the baseline")
        newton += snes.getIterationNumber()
        theta_n.x.array[:] = theta.x.array
        t += h
        step += 1
        its, vm_max = solve_mechanics_and_stress()
        krylov += its
        vm_peak = max(vm_peak, vm_max)
        mean = comm.allreduce(dolfinx.fem.assemble_scalar(mean_form), op=MPI.SUM) / volume
        history.append((t, mean, vm_max))
        if step % 200 == 0:
            say(f"  step {step}: t = {t:.6g} s, mean θ = {mean:.4f}, max von Mises "
                f"{vm_max:.4e} Pa, {time.perf_counter() - t_loop:.1f} s")
        elapsed = comm.bcast(time.perf_counter() - t_loop, root=0)
        if ((args.max_steps is not None and step >= args.max_steps)
                or (args.max_wall is not None and elapsed >= args.max_wall)):
            stopped_early = t < t_end * (1 - 1e-12)
            break
    loop_time = time.perf_counter() - t_loop
    total = time.perf_counter() - t_all
    steps_needed = math.ceil(t_end / args.dt * (1 - 1e-12))
    per_step = loop_time / max(step, 1)
    extrapolated = total - loop_time + per_step * steps_needed
    mem = comm.allreduce(peak_memory_mb(), op=MPI.MAX)
    assembly = None  # LinearProblem.solve does assembly + KSP: split from PETSc's log if wanted
    result = {
        "mesh_file": str(args.msh),
        "mpi_size": comm.size,
        "cells": mesh.topology.index_map(tdim).size_global,
        "dofs_theta": dofs(Vt),
        "dofs_displacement": dofs(Vu),
        "dt_s": args.dt,
        "t_end_s": t_end,
        "t_reached_s": t,
        "final_mean_theta": history[-1][1],
        "steps": step,
        "steps_needed": steps_needed,
        "complete": not stopped_early,
        "newton_iterations": newton,
        "newton_per_step": newton / max(step, 1),
        "krylov_mechanics": krylov,
        "krylov_mechanics_per_step": krylov / max(step + 1, 1),
        "mesh_time_s": timers["mesh"],
        "setup_time_s": timers["setup"],
        "diffusion_time_s": timers["diffusion"],
        "mechanics_time_s": timers["mechanics_solve"],
        "mechanics_assembly_time_s": assembly,
        "stress_time_s": timers["stress"],
        "loop_time_s": loop_time,
        "wall_per_step_s": per_step,
        "total_time_s": total,
        "total_time_extrapolated_s": extrapolated if stopped_early else total,
        "peak_memory_mb": mem,
        "peak_von_mises_pa": vm_peak,
        "history": history,
    }
    say(f"baseline: {step} steps{' (stopped early)' if stopped_early else ''}, "
        f"t = {t:.6g} s, mean θ = {history[-1][1]:.4f}; Newton {newton} "
        f"({result['newton_per_step']:.2f}/step), Krylov {krylov} "
        f"({result['krylov_mechanics_per_step']:.1f}/solve)")
    say(f"baseline: mesh {timers['mesh']:.2f} s, setup {timers['setup']:.2f} s, diffusion "
        f"{timers['diffusion']:.2f} s, mechanics (assembly + GAMG + CG) "
        f"{timers['mechanics_solve']:.2f} s, stress {timers['stress']:.2f} s; "
        f"{per_step:.4f} s/step")
    say(f"baseline: total {total:.2f} s" + (
        f" (extrapolated to all {steps_needed} steps: {extrapolated:.1f} s)" if stopped_early else "")
        + f"; peak memory {mem:.0f} MB; peak max von Mises {vm_peak:.6e} Pa")
    if rank0 and args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
