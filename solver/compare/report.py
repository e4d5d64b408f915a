"""``docs/reproductions.md``: every paper comparison in one document (``make reproduce``).

    python -m solver.compare.report [--references 'cases/*/reference.yaml']
        [--out-dir docs/reproductions] [--results-dir results/reproductions]
        [--report docs/reproductions.md] [--jobs J] [--np N] [--rerun] [--no-run]

For every reference file ``cases/<paper>/reference.yaml`` this runs ``chemomech compare
--reference … --out OUT_DIR/<paper> --results RESULTS_DIR/<paper>`` (a subprocess, so its
progress shows; the runs themselves stay out of docs/), then assembles the comparison.md
files into one document with a header: how to regenerate, wall time, machine, chemomech
version. With ``--no-run`` only the assembly is done, from the comparisons already written.
Exit code: the largest exit code of the compare calls (0 when all were written).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import glob
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}"


def _relink(text: str, src_dir: Path, report_dir: Path) -> str:
    """Rewrite relative Markdown links/images of a comparison.md for the report's folder."""

    def fix(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"^[a-z]+:|^#|^/", target):
            return m.group(0)
        new = os.path.relpath(src_dir / target, report_dir)
        return f"{m.group(1)}({Path(new).as_posix()})"

    return re.sub(r"(!?\[[^\]]*\])\(([^)\s]+)\)", fix, text)


def _shift_headings(text: str) -> str:
    return re.sub(r"^(#{1,5}) ", lambda m: "#" + m.group(1) + " ", text, flags=re.M)


def assemble(comparisons: list[Path], report: Path, wall: dict[str, float] | None = None,
             command: str = "make reproduce") -> Path:
    """Write the report from ``OUT_DIR/<paper>/comparison.md`` (+ .json) files."""
    from solver.compare.core import _version

    report = Path(report)
    report.parent.mkdir(parents=True, exist_ok=True)
    wall = wall or {}
    rows, bodies = [], []
    total = 0.0
    for md in comparisons:
        md = Path(md)
        paper = md.parent.name
        try:
            data = json.loads((md.parent / "comparison.json").read_text())
        except (OSError, ValueError):
            data = {}
        w = wall.get(paper, data.get("wall_time_s") or 0.0)
        total += w
        ords = data.get("orderings") or []
        held = sum(1 for o in ords if o.get("holds") is True)
        confs = data.get("configurations") or {}
        failed = [lab for lab, c in confs.items() if c.get("status") != "completed"]
        reused = sum(1 for c in confs.values() if c.get("reused"))
        rows.append(f"| [{paper}](#{paper}) | {data.get('paper', '')} | {len(confs)}"
                    f"{f' ({len(failed)} failed)' if failed else ''} | {held} of {len(ords)} | "
                    f"{w:.0f} s{f' ({reused} reused)' if reused else ''} |")
        body = _relink(md.read_text(), md.parent, report.parent)
        bodies.append(f'<a id="{paper}"></a>\n\n' + _shift_headings(body).strip() + "\n")
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = [
        "# Reproductions of published stress comparisons",
        "",
        "Generated file — do not edit. Regenerate with `make reproduce` (this runs `chemomech "
        "compare --reference cases/<paper>/reference.yaml --out docs/reproductions/<paper>` "
        "for every `cases/*/reference.yaml` and assembles this page with `python -m "
        "solver.compare.report`). Configurations whose results are up to date (same case "
        "hash) are reused, not re-run; `make reproduce RERUN=1` runs everything again.",
        "",
        f"- generated: {now} by `{command}`",
        f"- chemomech {_version()}, Python {platform.python_version()}",
        f"- machine: {machine()}",
        f"- wall time: {total:.0f} s ({total / 60:.1f} min) for the compare calls below",
        "",
        "| paper | reference | configurations | orderings that hold | wall time |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "An ordering that does not hold is a result (the paper's claim is not reproduced by our "
        "model there), not an error; each section says which and why the numbers differ only "
        "as far as the comparison shows it.",
        "",
    ]
    report.write_text("\n".join(head) + "\n" + "\n\n".join(bodies))
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m solver.compare.report",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--references", default="cases/*/reference.yaml", help="glob of references")
    p.add_argument("--out-dir", default="docs/reproductions")
    p.add_argument("--results-dir", default="results/reproductions")
    p.add_argument("--report", default="docs/reproductions.md")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--np", type=int, default=1)
    p.add_argument("--rerun", action="store_true")
    p.add_argument("--no-run", action="store_true", help="only assemble existing comparisons")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = p.parse_args(argv)
    refs = sorted(Path(r) for r in glob.glob(args.references))
    if not refs:
        print(f"error: no reference files match {args.references!r}", file=sys.stderr)
        return 2
    rc, wall, comparisons = 0, {}, []
    for ref in refs:
        paper = ref.parent.name
        out = Path(args.out_dir) / paper
        if not args.no_run:
            cmd = [sys.executable, "-m", "solver", "compare", "--reference", str(ref),
                   "--out", str(out), "--results", str(Path(args.results_dir) / paper),
                   "--jobs", str(args.jobs), "--np", str(args.np)]
            cmd += ["--rerun"] if args.rerun else []
            for o in args.overrides:
                cmd += ["--set", o]
            print(f"== {paper}: {' '.join(cmd[2:])}", flush=True)
            t0 = time.perf_counter()
            code = subprocess.run(cmd).returncode
            wall[paper] = time.perf_counter() - t0
            rc = max(rc, code)
        if (out / "comparison.md").exists():
            comparisons.append(out / "comparison.md")
        else:
            print(f"warning: {out / 'comparison.md'} not written; {paper} left out",
                  file=sys.stderr)
    command = "make reproduce" if os.environ.get("MAKELEVEL") else "python -m solver.compare.report"
    path = assemble(comparisons, Path(args.report), wall, command)
    print(f"written: {path}")
    return rc


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
