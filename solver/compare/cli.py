"""Sub-command ``chemomech compare`` (registered by ``solver/cli.py``).

Exit codes: 0 the comparison was written (whether or not the orderings hold); 2 invalid
input (reference file, case files, CASES, a column no run writes); 1 a configuration's run
failed (the comparison is still written, with that configuration marked).
"""

from __future__ import annotations

import argparse
import sys

from solver.cli_common import EXIT_INPUT, EXIT_OK, EXIT_RUNTIME, progress_printer

COMMANDS = ("compare",)


def add_subcommand(sub: argparse._SubParsersAction) -> None:
    cp = sub.add_parser(
        "compare", help="compare our results with a paper's (a reference file)",
        description="Run the configurations of a reference file whose results are missing, "
                    "failed or stale (or reuse them), then write comparison.md/.csv/.json "
                    "and the figures into --out: every reported quantity beside ours, ratios "
                    "to the baseline, each ordering with whether ours holds. See "
                    "docs/reference-format.md.")
    cp.add_argument("cases", nargs="*", metavar="CASE",
                    help="compare only these configurations (their case files; default all)")
    cp.add_argument("--reference", required=True, metavar="REF", help="reference YAML file")
    cp.add_argument("--out", help="output folder (default results/compare/<reference folder>)")
    cp.add_argument("--results", metavar="DIR",
                    help="configurations' results in DIR/<label> instead of "
                         "OUT/runs/<label> (DIR/<case name> is read when it holds up-to-date "
                         "results of the configuration, e.g. from `chemomech run`)")
    cp.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                    help="override a case field in every configuration (e.g. a coarse mesh)")
    cp.add_argument("--rerun", action="store_true", help="run every configuration again")
    cp.add_argument("--no-run", action="store_true",
                    help="only read existing results (missing/stale ones are reported)")
    cp.add_argument("--np", type=int, default=1, help="MPI ranks per run (mpiexec -n N)")
    cp.add_argument("--jobs", type=int, default=1, help="configurations run at the same time")
    cp.add_argument("--quiet", action="store_true", help="print only errors")


def run_command(args: argparse.Namespace) -> int | None:
    if getattr(args, "command", None) not in COMMANDS:
        return None
    from solver.case.errors import CaseError
    from solver.compare.core import CompareError, compare

    if args.np < 1 or args.jobs < 1:
        print(f"error: --np and --jobs must be >= 1 (got {args.np}, {args.jobs})",
              file=sys.stderr)
        return EXIT_INPUT
    say = progress_printer(args.quiet)
    command = "chemomech compare " + " ".join(_quote(a) for a in sys.argv[2:]) \
        if len(sys.argv) > 2 and sys.argv[1] == "compare" else ""
    try:
        comparison = compare(args.reference, cases=args.cases, out=args.out,
                             results=args.results, overrides=args.overrides, rerun=args.rerun,
                             run=not args.no_run, np=args.np, jobs=args.jobs, say=say,
                             command=command)
    except CaseError as exc:
        print(f"invalid input:\n{exc}", file=sys.stderr)
        return EXIT_INPUT
    except CompareError as exc:
        print("\n".join(exc.lines), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_RUNTIME
    failed = {lab: c for lab, c in comparison["configurations"].items()
              if c["status"] != "completed"}
    for lab, c in failed.items():
        print(f"error: configuration {lab} {c['status']}: {c['error']}", file=sys.stderr)
    if failed:
        return EXIT_RUNTIME
    bad_columns = [w for w in comparison["warnings"]
                   if w.startswith("quantities.") and "no history.csv column" in w]
    for w in bad_columns:
        print(f"invalid input: {w}", file=sys.stderr)
    return EXIT_INPUT if bad_columns else EXIT_OK


def _quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)
