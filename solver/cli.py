"""The ``chemomech`` command line.

Exit codes: 0 success; 2 invalid case (one line per problem, no traceback); 1 solver or
runtime failure. Under ``mpiexec`` only rank 0 prints and every rank exits with the same code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

EXIT_OK, EXIT_RUNTIME, EXIT_CASE = 0, 1, 2

from solver.batch.cli import add_subcommands as add_batch_subcommands  # noqa: E402
from solver.batch.cli import run_command as run_batch_command  # noqa: E402
from solver.compare.cli import add_subcommand as add_compare_subcommand  # noqa: E402
from solver.compare.cli import run_command as run_compare_command  # noqa: E402


class _VersionAction(argparse.Action):
    """``--version``: chemomech's version and those of the libraries a result depends on (as
    summary.json records them), worked out only when asked (importing dolfinx takes a while)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from solver import _bootstrap  # noqa: F401  (before dolfinx and petsc4py)
        from solver.outputs.provenance import versions

        found = versions()
        if _rank() == 0:  # under mpiexec: once, not once per rank
            print(f"chemomech {found.pop('chemomech', '?')}")
            for name, version in found.items():
                print(f"  {name} {version}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="chemomech",
        description="Chemo-mechanical stress in lithiating battery-anode particles.",
    )
    p.add_argument("--version", action=_VersionAction,
                   help="print the versions of chemomech and its libraries and exit")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a case file")
    run.add_argument("case", help="case YAML file")
    run.add_argument("--out", help="results directory (default: <output.directory>/<case name>)")
    run.add_argument("--set", dest="overrides", action="append", default=[],
                     metavar="KEY=VALUE", help="override a case field, e.g. geometry.radius='2 um'")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    again = run.add_mutually_exclusive_group()
    again.add_argument("--restart", action="store_true",
                       help="continue from the last checkpoint in the results folder")
    again.add_argument("--resume", action="store_true",
                       help="continue from the results folder's checkpoint when it is one of "
                            "this case (as --restart), else start afresh (what a sweep does)")
    val = sub.add_parser("validate", help="check a case file and print it resolved in SI units")
    val.add_argument("case", help="case YAML file")
    val.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a case field, e.g. geometry.radius='2 um'")
    sub.add_parser("schema", help="print a commented template of every case field")
    mesh = sub.add_parser("mesh", help="build and save the mesh of a case only")
    mesh.add_argument("case", help="case YAML file")
    mesh.add_argument("--out", help="output directory (default: <output.directory>/<case name>)")
    mesh.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                      help="override a case field, e.g. mesh.size='0.5 um'")
    mesh.add_argument("--png", action="store_true", help="also draw the mesh coloured by region")
    add_batch_subcommands(sub)  # sweep, collect, plot, paraview
    add_compare_subcommand(sub)  # compare
    return p


#: variables through which MPI launchers (MPICH/Hydra, Open MPI, PMIx, SLURM) give the rank
_RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID")


#: launcher variables that give the number of processes started together (mpiexec of MPICH's
#: Hydra, Open MPI), read without initialising MPI. (Not SLURM_NTASKS: a batch script of an
#: --ntasks=N job has it too, while it runs as one process.)
_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE")

#: commands that run as one process and start their own runs (sweep, compare) or only read
#: results: under mpiexec each rank did the whole job again, side by side
SERIAL_COMMANDS = ("sweep", "collect", "plot", "paraview", "compare")


def _launched_size() -> int:
    """How many processes the MPI launcher started with this one (1 without a launcher)."""
    for var in _SIZE_VARIABLES:
        value = os.environ.get(var)
        if value is not None and value.isdigit():
            return int(value)
    return 1


def _rank() -> int:
    """This process's MPI rank, without initialising MPI for commands that do not need it."""
    mod = sys.modules.get("mpi4py.MPI")
    if mod is not None:
        return mod.COMM_WORLD.rank
    for var in _RANK_VARIABLES:
        value = os.environ.get(var)
        if value is not None and value.isdigit():
            return int(value)
    return 0


def slurm_step_problem(env: Mapping[str, str], comm_size: int) -> str | None:
    """Why a run must not go on as one of several serial copies of an ``srun`` step, or None.

    ``srun -n N`` without an MPI plugin (``MpiDefault=none``) starts N independent processes,
    each with an MPI world of size 1: N copies of the same run, which collide on its results
    folder. Only a process of an srun step (``SLURM_STEP_ID``/``SLURM_STEPID`` set; the batch
    script of ``sbatch`` and the shell of ``salloc`` have no step id) whose step has N > 1
    tasks (``SLURM_STEP_NUM_TASKS``, else ``SLURM_NTASKS``) and whose MPI world has 1 rank
    is refused; a serial run in an allocation of several tasks is not.
    """
    if comm_size != 1:
        return None
    step = env.get("SLURM_STEP_ID", env.get("SLURM_STEPID")) or ""
    # an srun step has a small number; the batch script and the extern/interactive steps are
    # named or numbered from 0xfffffff0 up (SLURM_BATCH_SCRIPT etc.): those are not srun
    if not step.strip().isdigit() or int(step) >= 0xFFFFFFF0:
        return None
    tasks = env.get("SLURM_STEP_NUM_TASKS") or env.get("SLURM_NTASKS") or ""
    try:
        n = int(tasks.strip())
    except ValueError:
        return None
    if n <= 1:
        return None
    return (f"error: this SLURM step runs {n} tasks but MPI sees 1 rank: srun started {n} "
            f"separate serial copies of the run (srun without an MPI plugin); launch it with "
            f"srun --mpi=pmi2 (or the site's MPI plugin, see srun --mpi=list), or with "
            f"mpiexec -n {n} (chemomech sweep: --launcher mpiexec, or --srun-mpi PLUGIN)")


def _err(msg: str) -> None:
    if _rank() == 0:
        print(msg, file=sys.stderr, flush=True)


def _not_utf8(argv: list[str]) -> str | None:
    """The first argument that is not valid UTF-8 (Python keeps its bytes as surrogates,
    which YAML and the logging then refuse with a traceback), or None."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return None


def main(argv: list[str] | None = None) -> int:
    bad = _not_utf8(sys.argv[1:] if argv is None else argv)
    if bad is not None:
        _err(f"error: a command-line argument is not valid UTF-8 text: {bad}")
        return EXIT_CASE
    args = _parser().parse_args(argv)
    if args.command in SERIAL_COMMANDS and (n := _launched_size()) > 1:
        _err(f"error: chemomech {args.command} runs as one process; it was started {n} times "
             f"by an MPI launcher: run it without mpiexec"
             + (" (--mpi-ranks M gives each point M ranks)" if args.command == "sweep" else
                " (--np N gives each run N ranks)" if args.command == "compare" else ""))
        return EXIT_CASE
    if (rc := run_batch_command(args)) is not None:
        return rc
    if (rc := run_compare_command(args)) is not None:
        return rc
    from solver.case import CaseError, load_case, schema_template

    if args.command == "schema":
        if _rank() == 0:
            print(schema_template(), end="")
        return EXIT_OK
    try:
        case = load_case(args.case, overrides=args.overrides)
    except CaseError as exc:
        _err(f"invalid case:\n{exc}")
        return EXIT_CASE
    if args.command == "validate":
        import yaml

        if _rank() != 0:
            return EXIT_OK
        for path, msg in case.plausibility_warnings():
            _err(f"warning: {args.case}: {path}: {msg}")
        print(f"# {args.case}: valid. Resolved case (SI units, defaults filled):")
        print(yaml.safe_dump(case.resolved(), sort_keys=False, allow_unicode=True), end="")
        return EXIT_OK
    return _run_parallel(args, case)


def _run_parallel(args, case) -> int:
    from solver import _bootstrap  # noqa: F401
    from mpi4py import MPI

    from solver.domain import DomainError
    from solver.interrupts import RunInterrupted
    from solver.physics.diffusion import NewtonDivergence
    from solver.physics.mechanics import MechanicsError
    from solver.outputs.checkpoint import CheckpointError
    from solver.simulation import CaseSetupError, NonFiniteResult, OutputDirError
    from solver.time_stepping import TimeStepError

    comm = MPI.COMM_WORLD
    if args.command == "run" and (problem := slurm_step_problem(os.environ, comm.size)):
        # every copy refuses; only the step's task 0 says why (one line, not N)
        if os.environ.get("SLURM_PROCID", "0") == "0":
            print(problem, file=sys.stderr, flush=True)
        return EXIT_RUNTIME
    try:
        if args.command == "mesh":
            return _mesh_only(args, case, comm)
        from solver import build_simulation

        if args.restart or args.resume:  # before meshing, which can take minutes
            from solver.simulation import already_completed, restart_problem, results_dir

            out = results_dir(case, args.out)
            if comm.bcast(already_completed(case, out) if comm.rank == 0 else None, root=0):
                if not args.quiet and comm.rank == 0:
                    print(f"{out}: the run of this case is already completed (summary.json); "
                          "nothing to continue")
                return EXIT_OK
        if args.restart:
            problem = restart_problem(case, out) if comm.rank == 0 else None
            if problem := comm.bcast(problem, root=0):
                raise CheckpointError(problem)
        sim = build_simulation(case, comm, out_dir=args.out, quiet=args.quiet)
        sim.run(restart=args.restart, resume_if_possible=args.resume)
        return EXIT_OK
    except CaseSetupError as exc:
        _err(f"invalid case:\n{case.source_path}: {exc}")
        return EXIT_CASE
    except (TimeStepError, MechanicsError, NewtonDivergence, DomainError, CheckpointError,
            OutputDirError, NonFiniteResult) as exc:
        _err(f"error: {exc}")
        return EXIT_RUNTIME
    except RunInterrupted as exc:
        _err(str(exc))
        return EXIT_RUNTIME
    except OSError as exc:  # a write failed mid-run (a full disk, a removed folder)
        from solver.outputs.checkpoint import FILENAME
        from solver.outputs.fields import HDF5WriteError
        from solver.simulation import describe_write_error, results_dir

        where = f"[rank {comm.rank}] " if comm.rank else ""
        then = ("once it can be written, `chemomech run CASE --restart` continues from the "
                "last checkpoint" if (results_dir(case, args.out) / FILENAME).exists() else
                "no checkpoint was written: the run has to start afresh")
        print(f"{where}error: cannot write the results: {describe_write_error(exc)} ({then})",
              file=sys.stderr, flush=True)
        if comm.size > 1:
            comm.Abort(EXIT_RUNTIME)  # the write may have failed on one rank only
        if isinstance(exc, HDF5WriteError):  # HDF5 aborts if its file is closed again
            sys.stdout.flush()
            os._exit(EXIT_RUNTIME)
        return EXIT_RUNTIME
    except KeyboardInterrupt:  # before the time loop (meshing, setup) or a second Ctrl-C
        _err("interrupted")
        if comm.size > 1:
            comm.Abort(EXIT_RUNTIME)  # the other ranks may sit in a collective: no hang
        return EXIT_RUNTIME
    except Exception as exc:  # unexpected: may have happened on one rank only
        import traceback

        print(f"[rank {comm.rank}] error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        traceback.print_exc()
        if comm.size > 1:
            comm.Abort(EXIT_RUNTIME)  # no rank may be left waiting in a collective
        return EXIT_RUNTIME
    finally:
        _drop_solver_options()


def _drop_solver_options() -> None:
    """Remove our solvers' PETSc options: a run that stops before its first elasticity solve
    leaves the multigrid ones unread, and PETSc would list them as "unused" (a possible
    spelling mistake) after the real error."""
    from petsc4py import PETSc

    opts = PETSc.Options()
    for key in list(opts.getAll()):
        if key.startswith("chemomech_"):
            opts.delValue(key)


def _mesh_only(args, case, comm) -> int:
    import dolfinx.io

    from solver.simulation import OutputDirError

    out = Path(args.out) if args.out else Path(case.output.directory) / case.name
    problem = None
    if comm.rank == 0:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problem = f"cannot write to {out}: {exc.strerror or exc}"
    problem = comm.bcast(problem, root=0)
    if problem:
        raise OutputDirError(problem)
    import meshes
    from solver.domain import build_domain

    spec = case.geometry.to_spec()
    sizing = meshes.Sizing(size=case.mesh.resolved_size(float(spec.radius)),
                           surface_size=case.mesh.surface_size)
    # without a cache the .msh is kept in the output folder
    cache_dir = case.mesh.resolved_cache_dir() if case.mesh.cache else out
    d = build_domain(spec, sizing, comm, cache_dir)
    with dolfinx.io.XDMFFile(comm, str(out / "mesh.xdmf"), "w") as f:
        f.write_mesh(d.mesh)
        d.mesh.topology.create_connectivity(d.mesh.topology.dim - 1, d.mesh.topology.dim)
        f.write_meshtags(d.cell_tags, d.mesh.geometry)
        f.write_meshtags(d.facet_tags, d.mesh.geometry)
    tdim = d.mesh.topology.dim
    if comm.rank == 0:
        import json
        import shutil

        if Path(d.mesh_file).resolve() != (out / "mesh.msh").resolve():
            shutil.copyfile(d.mesh_file, out / "mesh.msh")
        info = {"cells": d.mesh.topology.index_map(tdim).size_global,
                "vertices": d.mesh.topology.index_map(0).size_global,
                "regions": d.regions, "boundaries": d.boundaries, "interfaces": d.interfaces,
                "statistics": d.mesh_info}
        (out / "mesh.json").write_text(json.dumps(info, indent=2) + "\n")
        st = d.mesh_info
        print(f"mesh: {info['cells']} cells, {info['vertices']} vertices; regions "
              f"{', '.join(d.regions)}; boundaries {', '.join(d.boundaries)}"
              + (f"; interfaces {', '.join(d.interfaces)}" if d.interfaces else ""))
        if st:
            print(f"quality (minSICN): min {st.get('min_quality', float('nan')):.3f}, "
                  f"mean {st.get('mean_quality', float('nan')):.3f}")
        if args.png:
            from solver.outputs.pictures import render_mesh_png

            png = render_mesh_png(out / "mesh.msh", out / "mesh.png", d.mode)
            print(f"picture: {png}")
        print(f"written: {out / 'mesh.xdmf'} (region and boundary tags), {out / 'mesh.msh'}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
