"""Run (or reuse) the configurations of a comparison: ``chemomech run`` subprocesses.

A configuration is run again only when its results folder has no usable results, holds a
failed run, or was written for another case (the case hash of ``summary.json`` differs from
the hash of the case file with the ``--set`` overrides), or when ``rerun`` is asked for.
The command line is the one sweeps use (:func:`solver.batch.local.run_command`), so
``np > 1`` runs under the venv's ``mpiexec``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from solver.compare.results import ConfigResult, read_results

#: files that mark a folder as a chemomech results folder (safe to clear before a re-run)
_MARKERS = ("summary.json", "history.csv", "run.log", "case.resolved.yaml", "fields.pvd")


def expected_hash(case_file: Path, overrides: Iterable[str]) -> str:
    """The case hash a run of this case file with these overrides will write."""
    from solver.case import load_case
    from solver.outputs.provenance import case_hash

    return case_hash(load_case(case_file, overrides=list(overrides)).resolved())


def _clear(results: Path) -> str | None:
    """Empty a results folder before a re-run; an error message if it is not ours."""
    if not results.exists():
        return None
    if not results.is_dir():
        return f"{results} exists and is not a folder"
    entries = list(results.iterdir())
    if not entries:
        return None
    if not any((results / m).exists() for m in _MARKERS):
        return (f"{results} is not empty and holds no chemomech results; not overwriting it "
                "(choose another --out/--results)")
    shutil.rmtree(results)
    return None


def run_one(case_file: Path, results: Path, overrides: list[str], np: int, log: Path
            ) -> tuple[int, float]:
    """Run one case as a subprocess; stdout/stderr go to ``log``. (exit code, wall s)."""
    from solver.batch.local import run_command

    cmd = run_command(case_file, results, np)
    for o in overrides:
        cmd += ["--set", o]
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with open(log, "wb") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        try:
            code = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=fh, stderr=fh,
                                  env=env).returncode
        except OSError as exc:
            fh.write(f"error: cannot start the run: {exc}\n".encode())
            code = 127
    return code, time.perf_counter() - t0


def _first_error(log: Path) -> str:
    from solver.batch.sweep import _first_error_line

    try:
        lines = log.read_text(errors="replace").splitlines()[1:]  # skip the command line
    except OSError:
        return ""
    return _first_error_line("\n".join(lines))


def prepare_and_run(configs: dict[str, tuple[Path, Path]],
                    overrides: list[str] | dict[str, list[str]],
                    rerun: bool = False, np: int = 1, jobs: int = 1,
                    say: Callable[[str], None] = print,
                    hashes: dict[str, str] | None = None) -> dict[str, ConfigResult]:
    """Bring every configuration's results up to date; return them read back.

    Args:
        configs: label -> (case file, results folder), in table order.
        overrides: ``--set`` values applied to every case, or label -> its values.
        rerun: run every configuration even when its results are up to date.
        np: MPI ranks per run.
        jobs: configurations run at the same time.
        say: progress printer.
        hashes: label -> the case hash its run writes, when the caller has it (else each
            case file is loaded again to compute it).
    """
    sets = (overrides if isinstance(overrides, dict)
            else {lab: list(overrides) for lab in configs})
    if hashes is None:
        hashes = {lab: expected_hash(case, sets[lab]) for lab, (case, _) in configs.items()}
    out: dict[str, ConfigResult] = {}
    todo = []
    for lab, (case, res_dir) in configs.items():
        res = read_results(lab, case, res_dir, hashes[lab])
        if res.status == "completed" and not rerun:
            res.reused = True
            out[lab] = res
        else:
            todo.append((lab, "--rerun" if rerun else res.status))
    n = len(configs)
    for lab in configs:
        if lab in out:
            say(f"reusing {lab}: results up to date in {configs[lab][1]}")
    lock = threading.Lock()
    index = {lab: i + 1 for i, lab in enumerate(configs)}

    def one(lab: str, why: str) -> None:
        case, res_dir = configs[lab]
        log = res_dir.parent / f"{res_dir.name}.log"
        with lock:
            say(f"running {lab} ({index[lab]}/{n}): {case} -> {res_dir} "
                f"[{why}; log {log}] …")
        problem = _clear(res_dir)
        log.parent.mkdir(parents=True, exist_ok=True)
        if problem:
            res = ConfigResult(lab, case, res_dir, status="failed", error=problem)
            wall = 0.0
        else:
            code, wall = run_one(case, res_dir, sets[lab], np, log)
            res = read_results(lab, case, res_dir, hashes[lab])
            if code != 0 and res.status == "completed":  # e.g. pictures crashed after
                res.status = "failed"
            if res.status != "completed":
                res.status = "failed"
                res.error = _first_error(log) or res.error or f"exit code {code}"
        res.run_wall_s = wall
        with lock:
            out[lab] = res
            msg = f"{lab} {res.status} in {wall:.1f} s"
            say(msg + (f": {res.error}" if res.status != "completed" else ""))

    if todo:
        if jobs <= 1:
            for lab, why in todo:
                one(lab, why)
        else:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                for f in [pool.submit(one, lab, why) for lab, why in todo]:
                    f.result()
    return {lab: out[lab] for lab in configs}
