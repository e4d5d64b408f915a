"""Sub-commands ``sweep``, ``collect``, ``plot`` and ``paraview`` of ``chemomech``.

``solver/cli.py`` calls :func:`add_subcommands` on its sub-parsers and, before handling its
own commands, :func:`run_command` (which returns None for commands that are not ours).
Exit codes as elsewhere: 0 ok, 2 bad input (one line per problem), 1 runtime/environment
(a failed point, SLURM missing or rejecting the script, an unwritable output directory).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from solver.batch.slurm import POLL_SECONDS
from solver.cli_common import EXIT_OK, EXIT_RUNTIME, progress_printer

COMMANDS = ("sweep", "collect", "plot", "paraview")


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    """Register ``sweep``, ``collect``, ``plot`` and ``paraview``."""
    sw = sub.add_parser(
        "sweep", help="run a case over a grid of parameter values (local or SLURM)",
        description="Expand --vary lists (Cartesian product, or --zip) into one resolved case "
                    "file per point under DIR/points/, with the manifest DIR/sweep.csv, and "
                    "run them. Re-running the same sweep skips the completed points.")
    sw.add_argument("case", help="base case YAML file")
    sw.add_argument("--vary", action="append", default=[], metavar="KEY=V1,V2,...",
                    help="a case field and its values (commas inside [] {} or quotes do not "
                         "split), e.g. --vary \"mesh.size=0.5 um,0.25 um\"; repeatable")
    sw.add_argument("--zip", action="store_true",
                    help="pair the --vary lists element by element (equal lengths) instead "
                         "of taking their Cartesian product")
    sw.add_argument("--set", dest="overrides", action="append", default=[],
                    metavar="KEY=VALUE", help="override a field for every point")
    sw.add_argument("--out", required=True, help="sweep directory")
    sw.add_argument("--executor", choices=("local", "slurm"), default="local")
    sw.add_argument("--mpi-ranks", type=int, default=None,
                    help="MPI ranks per point (local: mpiexec -n M; slurm: --ntasks)")
    sw.add_argument("--min-free-mb", type=float, default=100.0,
                    help="refuse to start with less free space in --out (default 100 MB)")
    sw.add_argument("--resubmit", action="store_true",
                    help="run again (or resubmit) the points still marked submitted to a SLURM "
                         "job that has not finished (cancel the job first); without it such "
                         "a re-run is refused")
    sw.add_argument("--quiet", action="store_true")
    # The options of one executor only, which the other would ignore: they default to None so
    # that _sweep can tell an option the user gave (refused with the other executor) from one
    # left out, whatever value was typed. Every option of these groups is checked.
    lo = sw.add_argument_group("local executor")
    local_only = [
        lo.add_argument("--workers", type=int, default=None,
                        help="points run at once (default 1)"),
    ]
    g = sw.add_argument_group("slurm executor")
    slurm_only = [
        g.add_argument("--profile",
                       help="site profile YAML (time, ranks, mem, partition, account, "
                            "job_name, max_parallel, launcher, srun_mpi, signal_margin, setup, "
                            "extra)"),
        g.add_argument("--time", help="wall-time limit per point, e.g. 01:00:00"),
        g.add_argument("--mem", help="memory per node, e.g. 4G"),
        g.add_argument("--partition"),
        g.add_argument("--account"),
        g.add_argument("--job-name"),
        g.add_argument("--max-parallel", type=int, help="at most this many array tasks at once"),
        g.add_argument("--launcher", choices=("srun", "mpiexec"),
                       help="MPI launcher inside the job when ranks > 1 (default srun)"),
        g.add_argument("--srun-mpi", metavar="PLUGIN",
                       help="MPI plugin of srun when ranks > 1: srun --mpi=PLUGIN (default "
                            "pmi2, which the pip wheel's MPICH uses; pmix, … see srun "
                            "--mpi=list; 'default': no --mpi, the site's MpiDefault)"),
        g.add_argument("--signal-margin", type=int, metavar="SECONDS",
                       help="seconds before the time limit at which a point's run is told to "
                            "stop after its step with a checkpoint (sbatch --signal; default "
                            "180, 0: none)"),
        g.add_argument("--dry-run", action="store_true", default=None,
                       help="write the job script, do not submit"),
        g.add_argument("--wait", action="store_true", default=None,
                       help="block until the job array has finished, then update sweep.csv"),
        g.add_argument("--poll", type=float, default=None,
                       help="--wait: seconds between squeue polls (default "
                            f"{POLL_SECONDS:g})"),
        g.add_argument("--wait-timeout", type=float, default=None,
                       help="--wait: give up after (s)"),
    ]
    sw.set_defaults(executor_only={
        "local": [(a.dest, a.option_strings[0]) for a in local_only],
        "slurm": [(a.dest, a.option_strings[0]) for a in slurm_only]})

    co = sub.add_parser("collect", help="gather a sweep's summaries into one table and plots")
    co.add_argument("dir", help="sweep directory (holds sweep.csv)")
    co.add_argument("--metric", default=None,
                    help="value plotted against each varied parameter (a summary 'peak' or "
                         "'final' name; default 'core: max Von Mises stress [Pa]' of peak)")
    co.add_argument("--quiet", action="store_true")

    pl = sub.add_parser("plot", help="redraw the PNGs of a results directory (no re-run)")
    pl.add_argument("results", help="results directory (holds history.csv, fields.pvd)")
    pl.add_argument("--metric", action="append", default=None,
                    help="history.csv column(s) drawn against time and capacity (repeatable; "
                         "default: the max von Mises stress of every region and surface)")
    pl.add_argument("--quiet", action="store_true")

    pv = sub.add_parser("paraview", help="write a ParaView script that opens a results directory")
    pv.add_argument("results", help="results directory (holds fields.pvd)")
    pv.add_argument("--screenshot", metavar="PNG", default=None,
                    help="make the script also save a screenshot to PNG (for checks; needs a "
                         "display, or a ParaView built with EGL/OSMesa: without one the script "
                         "builds the pipeline and draws nothing)")


def run_command(args: argparse.Namespace) -> int | None:
    """Run one of our commands; None if ``args.command`` is not ours."""
    if getattr(args, "command", None) not in COMMANDS:
        return None
    from solver.batch.sweep import SweepError

    try:
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "collect":
            return _collect(args)
        if args.command == "plot":
            from solver.outputs.replot import no_pvd_reason, replot

            written = replot(args.results, metrics=args.metric)
            if not args.quiet:
                for p in written:
                    print(f"written: {p}")
                if not (Path(args.results) / "fields.pvd").exists():
                    print(f"note: {args.results}: no fields.pvd ({no_pvd_reason(args.results)}"
                          "), so no field pictures; history plots only")
            return EXIT_OK
        if args.command == "paraview":
            import shlex

            from solver.outputs.paraview_state import xdmf_problem, write_state

            script = write_state(args.results, screenshot=args.screenshot)
            xdmf = script.parent / "fields.xdmf"
            quoted = shlex.quote(str(script))  # a path with spaces stays one argument
            print(f"written: {script}")
            if xdmf.exists() and (problem := xdmf_problem(xdmf)):
                print(f"note: {xdmf}: {problem} by the script (no region tags; ParaView "
                      "aborts on such a file); the fields come from fields.pvd")
            print(f"open it with:  paraview --script={quoted}")
            print(f"or in ParaView's Python shell:  exec(open({str(script)!r}).read())")
            print(f"or headless:  pvpython --force-offscreen-rendering {quoted}")
            return EXIT_OK
    except SweepError as exc:
        for line in exc.lines:
            known = line.startswith(("error:", "invalid case", "point "))
            print(line if known else f"error: {line}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("interrupted (finished points are kept in sweep.csv)", file=sys.stderr)
        return EXIT_RUNTIME
    except OSError as exc:  # e.g. a full disk while writing sweep.csv or collect.csv
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_RUNTIME
    return None  # pragma: no cover


#: what a refusal says of an option of the other executor
_IGNORED_BY_THE_OTHER = {
    "slurm": "SLURM {options}: the local executor would ignore {them} and run every point on "
             "this machine",
    "local": "local-executor {options}: the SLURM executor would ignore {them}",
}


def executor_mismatch(args: argparse.Namespace) -> str | None:
    """The one-line refusal of options the chosen executor would silently ignore, or None.

    An option counts as given when its value is not None (the defaults of the executor-only
    options, see :func:`add_subcommands`), whatever value was typed: ``--workers 1`` with
    ``--executor slurm`` is refused too, as a sign of a command line meant for the other
    executor. Without this, a forgotten ``--executor slurm`` ran the whole grid on the login
    node, ``--dry-run`` included.
    """
    for owner, options in args.executor_only.items():
        if owner == args.executor:
            continue
        given = [flag for dest, flag in options if getattr(args, dest, None) is not None]
        if given:
            many = len(given) > 1
            why = _IGNORED_BY_THE_OTHER[owner].format(options="options" if many else "option",
                                                      them="them" if many else "it")
            return (f"{', '.join(given)} {'need' if many else 'needs'} --executor {owner} "
                    f"({why})")
    return None


def wait_mismatch(args: argparse.Namespace) -> str | None:
    """The one-line refusal of SLURM options that this sweep would not use, or None: the
    ``--wait`` settings without ``--wait``, and ``--wait`` with ``--dry-run`` (nothing is
    submitted, so nothing is waited for)."""
    settings = [flag for flag, value in (("--poll", args.poll),
                                         ("--wait-timeout", args.wait_timeout))
                if value is not None]
    if settings and not args.wait:
        many = len(settings) > 1
        return (f"{', '.join(settings)} {'need' if many else 'needs'} --wait (without it the "
                f"sweep does not wait for its job, and would ignore {'them' if many else 'it'})")
    if args.wait and args.dry_run:
        return "--wait and --dry-run: a dry run submits no job to wait for; drop one of them"
    return None


def _sweep(args) -> int:
    from solver.batch import slurm
    from solver.batch.sweep import SweepError, build, check_output_dir, sweep_lock

    # before anything is read, written or run
    if problem := executor_mismatch(args) or wait_mismatch(args):
        raise SweepError(problem)
    say = progress_printer(args.quiet)
    opts = None
    if args.executor == "slurm":
        profile = slurm.load_profile(args.profile) if args.profile else None
        opts = slurm.make_options(profile, time=args.time, ranks=args.mpi_ranks, mem=args.mem,
                                  partition=args.partition, account=args.account,
                                  job_name=args.job_name, max_parallel=args.max_parallel,
                                  launcher=args.launcher, srun_mpi=args.srun_mpi,
                                  signal_margin=args.signal_margin)
    elif args.workers is not None and args.workers < 1:
        raise SweepError(f"--workers: must be >= 1, got {args.workers}")
    if args.mpi_ranks is not None and args.mpi_ranks < 1:
        raise SweepError(f"--mpi-ranks: must be >= 1, got {args.mpi_ranks}")
    sweep = build(args.case, args.vary, args.out, args.overrides, args.zip)  # validates all
    if args.executor == "slurm" and not args.dry_run:
        slurm.check_installed()
    check_output_dir(sweep.out, args.min_free_mb)
    with sweep_lock(sweep.out):
        return _sweep_held(args, sweep, opts, say)


def _sweep_held(args, sweep, opts, say) -> int:
    """The sweep, with its folder held (:func:`solver.batch.sweep.sweep_lock`)."""
    from solver.batch import slurm
    from solver.batch.local import run_local
    from solver.batch.sweep import expected_hashes, prepare, resume_note

    rows = prepare(sweep, resubmit=args.resubmit)
    keys = sweep.keys
    say(f"sweep: {len(rows)} point(s) of {', '.join(keys)} "
        f"({'zipped' if sweep.zip else 'Cartesian product'}) in {sweep.out}")
    if args.executor == "local":
        import signal

        def _terminate(signum, frame):  # kill / a batch system's time limit: as Ctrl-C,
            raise KeyboardInterrupt       # the running points are stopped, not orphaned

        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            rows = run_local(sweep.out, keys, rows, workers=args.workers or 1,
                             mpi_ranks=args.mpi_ranks or 1, quiet=args.quiet)
        finally:
            signal.signal(signal.SIGTERM, previous)
        return _report(sweep.out, rows, say)
    todo = [r for r in rows if r["status"] != "completed"]
    if not todo:
        say("sweep: every point is already completed; nothing to submit")
        return _report(sweep.out, rows, say)
    script = slurm.write_script(sweep.out, todo, opts)
    hashes = expected_hashes(sweep.out, todo)
    for r in todo:
        if note := resume_note(sweep.out, r["point"], hashes.get(r["point"])):
            say(note)
    if args.dry_run:
        say(f"written: {script} ({len(todo)} array task(s)); submit it with: sbatch {script}")
        return EXIT_OK
    slurm.clear_points(sweep.out, todo)
    job = slurm.submit(script)
    slurm.mark_submitted(sweep.out, keys, rows, todo, job)
    say(f"submitted job array {job} ({len(todo)} task(s)); script {script}; "
        f"logs {sweep.out / 'logs'}")
    if not args.wait:
        say(f"follow it with: squeue -j {job}; then: chemomech collect {sweep.out}")
        return EXIT_OK
    poll = slurm.POLL_SECONDS if args.poll is None else args.poll
    slurm.wait(job, poll=poll, timeout=args.wait_timeout, progress=say)
    rows = slurm.refresh_after(sweep.out, keys, rows)
    return _report(sweep.out, rows, say)


def _report(out: Path, rows, say) -> int:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    say("sweep: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        + f"; manifest {Path(out) / 'sweep.csv'}")
    failed = [r for r in rows if r["status"] == "failed"]
    for r in failed:
        print(f"error: point {r['point']} failed: {r['error']}", file=sys.stderr)
    return EXIT_RUNTIME if failed else EXIT_OK


def _collect(args) -> int:
    from solver.batch.collect import DEFAULT_METRIC, collect

    result = collect(args.dir, metric=args.metric or DEFAULT_METRIC, quiet=args.quiet)
    if result["counts"].get("completed"):
        return EXIT_OK
    # nothing to plot: exit 1, as a failed point is (see the module docstring)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(result["counts"].items()))
    print(f"error: {args.dir}: no point completed ({counts}); their errors are in "
          f"{Path(args.dir) / 'sweep.csv'}", file=sys.stderr)
    return EXIT_RUNTIME
