"""``compare``: bring the configurations' results up to date, evaluate, draw, write."""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from solver.case.errors import CaseError, Problem
from solver.compare.reference import Reference, load_reference
from solver.compare.results import ConfigResult, read_results

#: the fields.pvd fields (for checking figure fields before running)
FIELD_NAMES = ("Lithiation fraction [-]", "Li concentration [mol/m^3]", "Von Mises stress [Pa]",
               "Hydrostatic stress [Pa]", "First principal stress [Pa]", "Radial stress [Pa]",
               "Hoop stress [Pa]", "Volumetric strain [-]")


class CompareError(Exception):
    """Bad command-line input (not a reference-file problem): the lines to print."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(lines))


def default_out(reference: Path) -> Path:
    return Path("results") / "compare" / Path(reference).resolve().parent.name


def select(ref: Reference, cases: Iterable[str] | None) -> list[str]:
    """Labels of the configurations whose case files are ``cases`` (all when empty; a case
    file selects every configuration made from it)."""
    cases = list(cases or [])
    if not cases:
        return list(ref.configurations)
    by_path: dict[Path, list[str]] = {}
    for lab in ref.configurations:  # variants (`set`) of one case file share its path
        by_path.setdefault(ref.case_file(lab).resolve(), []).append(lab)
    chosen, bad = [], []
    for c in cases:
        labs = by_path.get(Path(c).resolve())
        if labs is None:
            bad.append(c)
        chosen += [lab for lab in labs or [] if lab not in chosen]
    if bad:
        known = ", ".join(str(ref.case_file(lab)) for lab in ref.configurations)
        raise CompareError(*(f"error: {c}: not a configuration of {ref.path} (its case files: "
                             f"{known})" for c in bad))
    return [lab for lab in ref.configurations if lab in chosen]


def results_dirs(ref: Reference, labels: list[str], out: Path, results: Path | None,
                 cases: dict | None = None, rerun: bool = False,
                 hashes: dict[str, str] | None = None) -> dict[str, Path]:
    """Where each configuration's results are: ``OUT/runs/<label>``, or ``RESULTS/<label>``.

    With ``RESULTS`` (``--results``), a configuration without a ``RESULTS/<label>`` folder
    reads ``RESULTS/<case name>`` (``output.name`` or the file's stem, where plain
    ``chemomech run`` calls write) instead, but only when that holds completed results of
    exactly this configuration (the same case hash: ``hashes``, else computed from ``cases``:
    label -> loaded case), it is not another configuration's own folder, and ``rerun`` is
    off. So such a folder is
    only ever read: a run never goes into a folder another configuration or a plain run
    wrote.
    """
    if results is None:
        return {lab: out / "runs" / lab for lab in labels}
    from solver.outputs.provenance import case_hash

    dirs = {lab: results / lab for lab in labels}
    if rerun or not cases:
        return dirs
    for lab in labels:
        name = cases[lab].name
        if dirs[lab].exists() or (name != lab and name in ref.configurations):
            continue
        by_case = results / name
        digest = hashes[lab] if hashes else case_hash(cases[lab].resolved())
        found = read_results(lab, ref.case_file(lab), by_case, digest)
        if found.status == "completed":
            dirs[lab] = by_case
    return dirs


def case_overrides(ref: Reference, labels: list[str], overrides: list[str]
                   ) -> dict[str, list[str]]:
    """Each configuration's ``--set`` values: its own ``set``, then the command line's (which
    apply to every configuration, so they win)."""
    return {lab: ref.overrides(lab) + list(overrides) for lab in labels}


def precheck(ref: Reference, labels: list[str], overrides: list[str]) -> dict:
    """Problems found before running: cases invalid, columns no case can write, figure
    fields without field output. Raises CaseError (each problem once); returns label ->
    the loaded case (its own ``set``, then ``overrides``)."""
    from solver.case import load_case

    problems: list[Problem] = []
    file = str(ref.path)
    cases = {}
    plain: dict[Path, list[Problem]] = {}  # case file -> its problems without any own `set`

    def load(case_file: Path, sets: list[str]):
        try:
            return load_case(case_file, overrides=sets), []
        except CaseError as exc:
            return None, list(exc.problems)

    for lab, sets in case_overrides(ref, labels, overrides).items():
        case_file = ref.case_file(lab)
        cases[lab], found = load(case_file, sets)
        if found and ref.overrides(lab):  # blame the configuration's `set` for what it adds
            if case_file not in plain:
                plain[case_file] = load(case_file, list(overrides))[1]
            own = f" (with the set of {file}: configurations.{lab}.set)"
            found = [p if p in plain[case_file] else Problem(p.file, p.path, p.message + own)
                     for p in found]
        problems += [p for p in found if p not in problems]
    if problems:
        raise CaseError(problems)

    def measure_ok(where: str, column: str, lab: str, needed: bool = True) -> None:
        if not needed or not column.startswith("measure "):
            return  # standard columns are checked once the history exists
        mine = [m.column for m in cases[lab].output.measures]
        if column not in mine:
            problems.append(Problem(file, where, f"{column!r} is not written by configuration "
                                                 f"{lab} ({ref.case_file(lab)}): its "
                                                 f"output.measures give "
                                                 f"{', '.join(map(repr, mine)) or 'none'}"))

    for key, q in ref.quantities.items():
        need = ref.needed(key)
        for lab in labels:
            measure_ok(f"quantities.{key}.column", q.column, lab, lab in need)
    for i, fig in enumerate(ref.figures):
        figlabs = [lab for lab in (fig.configurations or labels) if lab in labels]
        if fig.kind == "history":
            for key, col in (("x", fig.x), *(("y", y) for y in fig.y_list)):
                for lab in figlabs:
                    measure_ok(f"figures.{i}.{key}", col, lab)
            continue
        if fig.field not in FIELD_NAMES:
            problems.append(Problem(file, f"figures.{i}.field", f"{fig.field!r} is not a field "
                                    f"of fields.pvd ({', '.join(FIELD_NAMES)})"))
        for lab in figlabs:
            if "vtk" not in cases[lab].output.formats:
                problems.append(Problem(file, f"figures.{i}", f"configuration {lab} writes no "
                                        "fields.pvd (its output.formats lacks vtk)"))
    if problems:
        raise CaseError(problems)
    return cases


def _config_info(res: ConfigResult) -> dict:
    s = res.summary or {}
    final = s.get("final") or (res.rows[-1] if res.rows else {})
    cap = next(((k, v) for k, v in final.items() if k.startswith("capacity [")), None)
    return {
        "case": str(res.case_file),
        "results": str(res.results),
        "status": res.status,
        "error": res.error,
        "reused": res.reused,
        "hash": (s.get("case") or {}).get("hash"),
        "steps": (s.get("run") or {}).get("steps"),
        "stop_reason": s.get("stop_reason"),
        "end_time_s": final.get("time [s]"),
        "end_capacity": f"{cap[1]:.4g} {cap[0][len('capacity ['):-1]}" if cap else None,
        "wall_time_s": (s.get("run") or {}).get("wall_time_s"),
        "mpi_size": s.get("mpi_size"),
    }


def compare(reference: str | Path, cases: Iterable[str] | None = None,
            out: str | Path | None = None, results: str | Path | None = None,
            overrides: Iterable[str] = (), rerun: bool = False, run: bool = True, np: int = 1,
            jobs: int = 1, say: Callable[[str], None] = print, command: str = "") -> dict:
    """Run (or read) the configurations of a reference file and write the comparison.

    Returns:
        The comparison dict (also written to ``OUT/comparison.json``); its
        ``configurations`` say which runs failed.

    Raises:
        CaseError: the reference file or a case file is invalid.
        CompareError: CASES that are not configurations of the reference.
    """
    from solver.compare.evaluate import evaluate
    from solver.compare.figures import draw_figures
    from solver.compare.runs import prepare_and_run
    from solver.outputs.provenance import case_hash
    from solver.compare.writers import write_all

    t0 = time.perf_counter()
    ref = load_reference(reference)
    labels = select(ref, cases)
    overrides = list(overrides)
    out = Path(out) if out is not None else default_out(Path(reference))
    cases_ = precheck(ref, labels, overrides)
    hashes = {lab: case_hash(c.resolved()) for lab, c in cases_.items()}  # what a run writes
    dirs = results_dirs(ref, labels, out, Path(results) if results is not None else None,
                        cases_, rerun, hashes)
    configs = {lab: (ref.case_file(lab), dirs[lab]) for lab in labels}
    sets = case_overrides(ref, labels, overrides)
    if run:
        res = prepare_and_run(configs, sets, rerun=rerun, np=np, jobs=jobs, say=say,
                              hashes=hashes)
    else:
        res = {}
        for lab, (case, d) in configs.items():
            res[lab] = read_results(lab, case, d, hashes[lab])
            res[lab].reused = res[lab].ok
            say(f"{lab}: {res[lab].status}" + (f" ({res[lab].error})" if not res[lab].ok
                                                else "") + f" in {d}")
    comparison = evaluate(ref, res)
    warnings = []
    for key, q in comparison["quantities"].items():
        for lab, v in q["values"].items():
            if lab in res and res[lab].ok and v["ours"] is None and v.get("required", True):
                warnings.append(f"quantities.{key}: {lab}: {v['note']}")
    out.mkdir(parents=True, exist_ok=True)
    say(f"drawing {len(ref.figures)} figure(s) …" if ref.figures else "no figures")
    figs, fig_warnings = draw_figures(ref, res, out)
    comparison.update({
        "notes": ref.notes,
        "reference": str(reference),
        "command": command or "chemomech compare",
        "overrides": overrides,
        "chemomech": _version(),
        "generated": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "figures": [p.name for p in figs],
        "configurations": {lab: {**_config_info(r), "set": ref.overrides(lab)}
                           for lab, r in res.items()},
        "warnings": warnings + fig_warnings,
        "wall_time_s": time.perf_counter() - t0,
    })
    written = write_all(out, comparison)
    n = len(comparison["orderings"])
    held = sum(1 for o in comparison["orderings"] if o["holds"] is True)
    # an ordering over configurations that were not selected (or did not run) has no verdict
    open_ = sum(1 for o in comparison["orderings"] if o["holds"] is None)
    say(f"orderings: {held} of {n} hold" + (f", {open_} not evaluated" if open_ else "")
        + ("" if comparison["all_orderings_hold"] or not n else " (see comparison.md)"))
    for w in comparison["warnings"]:
        say(f"warning: {w}")
    say("written: " + ", ".join(str(p) for p in written + figs))
    return comparison


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("chemomech")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"
