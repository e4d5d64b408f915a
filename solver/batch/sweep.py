"""Parameter sweeps: ``--vary key=v1,v2`` → one resolved case file per point + a manifest.

Layout of a sweep directory::

    DIR/sweep.csv                 manifest: point, one column per varied key, case, status,
                                  error, results (rewritten atomically after every change)
    DIR/sweep.json                the base case, the --set overrides, the varied keys, zip
    DIR/points/<id>/case.yaml     the point's case, resolved (SI units, defaults filled in)
    DIR/points/<id>/results/      the run's results (summary.json, history.csv, fields…)
    DIR/points/<id>/run.err       the run's stderr; DIR/points/<id>/exit_code its exit code
    DIR/points/<id>/running       while a local sweep runs the point: "<host> <sweep pid>"

Every point is validated with :func:`solver.case.load_case` (the ``--set`` machinery) before
anything is written or run; two points that resolve to the same case are refused. A point
counts as finished when its ``results/summary.json`` says ``completed`` for the same resolved
case (same case hash) and its ``exit_code`` (when written) is 0, so re-running a sweep skips
it; an ``interrupted`` or ``failed`` run, or a non-zero exit code, is ``failed`` (with the
first meaningful line of its error) and runs again, as ``chemomech run --resume``: from its
checkpoint when ``results/checkpoint.npz`` is of the same case (:func:`resume_step`), else
afresh. Re-running into a directory that holds
another grid or another base case (case file or ``--set`` changed) is refused, and so are
points still ``submitted`` to SLURM unless ``resubmit``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import re
import socket
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from solver.interrupts import process_alive

__all__ = [
    "BASE_COLUMNS",
    "Point",
    "SweepError",
    "Sweep",
    "check_output_dir",
    "check_duplicates",
    "expand",
    "in_flight",
    "lost_status",
    "parse_vary",
    "point_status",
    "prepare",
    "read_manifest",
    "split_values",
    "write_manifest",
]

#: manifest columns around the varied keys
BASE_COLUMNS = ("point", "case", "status", "error", "results")
STATUSES = ("pending", "running", "submitted", "completed", "failed")


class SweepError(Exception):
    """A sweep problem reported as one line per problem (``code``: exit status, 2 = bad
    input, 1 = environment/runtime)."""

    def __init__(self, lines: list[str] | str, code: int = 2) -> None:
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        self.code = code
        super().__init__("\n".join(self.lines))


# --------------------------------------------------------------------------------------------
# --vary parsing and expansion


def split_values(text: str) -> list[str]:
    """Split ``v1,v2,…`` on commas outside brackets, braces and quotes; strip each value.

    ``"0.5 um,0.25 um"`` → ``["0.5 um", "0.25 um"]``; ``"[10, 100],[20, 200]"`` → two lists;
    ``'"a,b",c'`` → ``['"a,b"', "c"]`` (quotes are kept: the value is read as YAML later).
    """
    values, buf, depth, quote = [], [], 0, None
    for ch in text:
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            values.append("".join(buf).strip())
            buf = []
            continue
        buf.append(ch)
    values.append("".join(buf).strip())
    return values


def parse_vary(spec: str) -> tuple[str, list[str]]:
    """Parse one ``--vary dotted.key=v1,v2,…``.

    Raises:
        SweepError: no ``=``, an empty key, no values or an empty value.
    """
    key, sep, raw = spec.partition("=")
    key = key.strip()
    if not sep or not key or any(not p for p in key.split(".")):
        raise SweepError(f"--vary {spec!r}: expected dotted.key=v1,v2,…")
    if not raw.strip():
        raise SweepError(f"--vary {key}: empty list of values (expected {key}=v1,v2,…)")
    values = split_values(raw)
    if any(v == "" for v in values):
        raise SweepError(f"--vary {key}: empty value in {raw!r} (expected {key}=v1,v2,…)")
    return key, values


@dataclass
class Point:
    """One sweep point: its id and the value (as given) of every varied key."""

    id: str
    values: dict[str, str]

    @property
    def overrides(self) -> list[str]:
        return [f"{k}={v}" for k, v in self.values.items()]

    def label(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.values.items())


def expand(varies: list[tuple[str, list[str]]], zip_: bool = False) -> list[Point]:
    """Cartesian product (first key slowest) or zipped lists of the varied values.

    Raises:
        SweepError: no ``--vary``, a key varied twice, or zipped lists of unequal length.
    """
    if not varies:
        raise SweepError("nothing to vary: give at least one --vary dotted.key=v1,v2,…")
    keys = [k for k, _ in varies]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise SweepError(f"--vary {dup[0]}: key given more than once")
    lists = [v for _, v in varies]
    if zip_:
        lengths = {k: len(v) for k, v in varies}
        if len(set(lengths.values())) > 1:
            shown = ", ".join(f"{k}: {n}" for k, n in lengths.items())
            raise SweepError(f"--zip needs lists of equal length, got {shown}")
        combos = list(zip(*lists))
    else:
        combos = list(itertools.product(*lists))
    width = max(3, len(str(len(combos) - 1)))
    return [Point(f"p{i:0{width}d}", dict(zip(keys, combo))) for i, combo in enumerate(combos)]


def check_sets(sets: list[str], keys: list[str]) -> None:
    """Refuse a ``--set`` that every point's varied value would override.

    A point applies its ``--vary`` values after the ``--set`` ones, so a ``--set`` of a varied
    key, or of a field inside one (``--set geometry.radius=…`` with ``--vary geometry=…``),
    was silently replaced at every point. A ``--set`` of a mapping around a varied key
    (``--set "geometry={kind: sphere, mode: axisymmetric}"`` with ``--vary geometry.radius=…``)
    is allowed: it stands for the case file's mapping, and the points vary one field of it.

    Raises:
        SweepError: one line per such ``--set`` key, naming it.
    """
    lines: list[str] = []
    for item in sets:
        key, sep, _ = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            continue  # malformed: reported by the validation of the case
        for varied in keys:
            if key == varied:
                line = (f"--set {key} and --vary {key}: the varied values would replace the "
                        "fixed one at every point; give the key to one of them")
            elif key.startswith(varied + "."):
                line = (f"--set {key} lies inside --vary {varied}: each varied value would "
                        "replace it at every point; set it in the varied values instead")
            else:
                continue
            if line not in lines:
                lines.append(line)
    if lines:
        raise SweepError(lines)


# --------------------------------------------------------------------------------------------
# validation and files


@dataclass
class Sweep:
    """A validated sweep, ready to be written to ``out``."""

    case: Path
    out: Path
    sets: list[str]
    keys: list[str]
    zip: bool
    points: list[Point]
    resolved: dict[str, dict] = field(default_factory=dict)  # point id → resolved case

    def point_dir(self, point: Point | str) -> Path:
        pid = point if isinstance(point, str) else point.id
        return self.out / "points" / pid


def validate(case: str | Path, sets: list[str], points: list[Point]) -> dict[str, dict]:
    """Validate every point with ``load_case(case, overrides=sets + point overrides)``.

    Returns:
        point id → the resolved case (SI units, defaults filled in).

    Raises:
        SweepError: one line per problem, naming the point, its varied values and the field.
    """
    from solver.case import CaseError, load_case

    resolved: dict[str, dict] = {}
    base: list[str] = []
    try:  # a missing/unreadable file or a malformed --set: one report, not one per point
        load_case(case, overrides=sets)
    except CaseError as exc:
        if any(not p.path or p.path == "--set" for p in exc.problems):
            raise SweepError([f"invalid case: {p}" for p in exc.problems]) from None
        base = [str(p) for p in exc.problems]
    per_point: list[tuple[Point, list[str]]] = []
    for point in points:
        try:
            c = load_case(case, overrides=[*sets, *point.overrides], named=sets)
        except CaseError as exc:
            per_point.append((point, [str(p) for p in exc.problems]))
            continue
        per_point.append((point, []))
        resolved[point.id] = c.resolved()
    # a problem of the base case or of --set that every point has: reported once
    common = [p for p in base if all(p in probs for _, probs in per_point)]
    lines = [f"invalid case: {p}" for p in common]
    for point, probs in per_point:
        lines.extend(f"point {point.id} ({point.label()}): {p}" for p in probs
                     if p not in common)
    if lines:
        raise SweepError(lines)
    return resolved


def _canonical(value: Any) -> Any:
    """``value`` with every float rounded to 12 significant digits (so that ``500 nm`` and
    ``0.5 um``, 5.000000000000001e-07 and 5e-07, compare equal)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.12g}")
    return value


def _same_key(resolved: dict) -> str:
    return json.dumps(_canonical(resolved), sort_keys=True, default=str)


def _quoted_list(values: list[str]) -> str:
    q = [repr(v) for v in values]
    return q[0] if len(q) == 1 else f"{', '.join(q[:-1])} and {q[-1]}"


def check_duplicates(varies: list[tuple[str, list[str]]], points: list[Point],
                     resolved: dict[str, dict], zip_: bool) -> None:
    """Refuse points that resolve to the same case (equal after unit conversion).

    Cartesian product: each list must hold distinct values (named by key). Zipped lists may
    repeat a value, but no two points may be the same case.

    Raises:
        SweepError: one line per repeated value (or repeated zipped point).
    """
    lines: list[str] = []
    if zip_:
        seen: dict[str, Point] = {}
        for p in points:
            k = _same_key(resolved[p.id])
            if k in seen:
                lines.append(f"--zip: points {seen[k].id} and {p.id} are the same case "
                             f"({p.label()}); give each combination once")
            else:
                seen[k] = p
    else:
        # the point with every other key at its first value and this key at value j
        sizes = [len(v) for _, v in varies]
        for i, (key, values) in enumerate(varies):
            stride = math.prod(sizes[i + 1:])
            groups: dict[str, list[str]] = {}
            for j, value in enumerate(values):
                groups.setdefault(_same_key(resolved[points[j * stride].id]), []).append(value)
            lines.extend(f"--vary {key}: {_quoted_list(g)} are the same value (equal after unit "
                         "conversion); give each value once" for g in groups.values() if len(g) > 1)
    if lines:
        raise SweepError(lines)


def build(case: str | Path, varies: list[str], out: str | Path, sets: list[str] = (),
          zip_: bool = False) -> Sweep:
    """Parse ``--vary`` options, expand and validate every point (nothing is written)."""
    parsed, problems = [], []
    for spec in varies:
        try:
            parsed.append(parse_vary(spec))
        except SweepError as exc:
            problems.extend(exc.lines)
    if problems:
        raise SweepError(problems)
    check_sets(list(sets), [k for k, _ in parsed])
    points = expand(parsed, zip_)
    resolved = validate(case, list(sets), points)
    check_duplicates(parsed, points, resolved, zip_)
    return Sweep(Path(case), Path(out), list(sets), [k for k, _ in parsed], zip_, points,
                 resolved)


def check_output_dir(out: Path, min_free_mb: float = 100.0) -> None:
    """Fail at start when ``out`` cannot be created/written or its disk is (nearly) full.

    Raises:
        SweepError (code 1): one line saying what is wrong.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-") as fh:
            fh.write(b"x" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SweepError(f"cannot write to the output directory {out}: {reason}", 1) from None
    free_mb = shutil.disk_usage(out).free / 2**20
    if free_mb < min_free_mb:
        raise SweepError(
            f"the output directory {out} has only {free_mb:.0f} MB free (need at least "
            f"{min_free_mb:.0f} MB; change with --min-free-mb)", 1)


#: held (flock) by the sweep command that is preparing, running or submitting a sweep
SWEEP_LOCK = ".sweep.lock"


def _flock(fh, wait_s: float) -> bool:
    """Take an exclusive flock on ``fh``, trying for up to ``wait_s`` seconds."""
    import fcntl

    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)


@contextmanager
def sweep_lock(out: Path, wait_s: float = 5.0):
    """Hold the sweep folder for one ``chemomech sweep`` at a time: two at once both ran or
    submitted every point, and the last to write sweep.csv won. An advisory lock (flock) on
    ``out/.sweep.lock``: the kernel drops it when the process ends, however it ends, so a
    killed sweep leaves nothing to clean up. ``collect`` holds it for a moment while it
    rewrites sweep.csv, hence the few seconds' wait before refusing.

    Raises:
        SweepError (code 1): another sweep holds the folder (its pid in the message).
    """
    path = Path(out) / SWEEP_LOCK
    fh = open(path, "a+")
    try:
        if not _flock(fh, wait_s):
            fh.seek(0)
            what, _, pid = fh.read().strip().rpartition(" ")
            raise SweepError(f"another chemomech {what or 'sweep'} (pid {pid or '?'}) is "
                             f"working in {out}; wait for it to finish, or use another --out", 1)
        _write_holder(fh, "sweep")
        yield
    finally:
        fh.close()  # releases the lock


@contextmanager
def sweep_lock_if_free(out: Path):
    """Yield True holding the sweep folder's lock, or False (holding nothing) when a sweep
    holds it. For readers that also rewrite sweep.csv (``collect``): while a sweep runs,
    that file is the sweep's to write."""
    try:
        fh = open(Path(out) / SWEEP_LOCK, "a+")
    except OSError:  # a read-only sweep folder: nobody can be writing sweep.csv either
        yield False
        return
    try:
        held = _flock(fh, 0.0)
        if held:
            _write_holder(fh, "collect")
        yield held
    finally:
        fh.close()


def _write_holder(fh, what: str) -> None:
    """Write ``<what> <pid>`` into the held lock file: a refused sweep names its holder."""
    fh.seek(0)
    fh.truncate()
    fh.write(f"{what} {os.getpid()}\n")
    fh.flush()


def _atomic_write(path: Path, text: str) -> None:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def manifest_columns(keys: list[str]) -> list[str]:
    return ["point", *keys, "case", "status", "error", "results"]


def write_manifest(out: Path, keys: list[str], rows: list[dict[str, str]]) -> Path:
    """Write ``out/sweep.csv`` atomically (a crash leaves the old or the new file)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=manifest_columns(keys), extrasaction="ignore",
                       lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({c: row.get(c, "") for c in manifest_columns(keys)})
    path = Path(out) / "sweep.csv"
    _atomic_write(path, buf.getvalue())
    return path


def read_manifest(out: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Read ``out/sweep.csv``: (varied keys, rows).

    Raises:
        SweepError: the file is unreadable, lacks a column of :data:`BASE_COLUMNS`, or has a
            row with fewer or more fields than the header (one line naming the file).
    """
    from solver.outputs.result_files import read_csv

    path = Path(out) / "sweep.csv"
    cols, rows = read_csv(path)
    missing = [c for c in BASE_COLUMNS if c not in cols]
    if missing:
        raise SweepError(f"{path}: no {', '.join(missing)} column (the header is "
                         f"{','.join(cols) or 'empty'}); not a sweep manifest, or damaged")
    for i, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise SweepError(f"{path}: row {i} has not the {len(cols)} fields of the header; "
                             "damaged?")
    keys = [c for c in cols if c not in BASE_COLUMNS]
    return keys, rows


def _case_hash(resolved: dict) -> str:
    from solver.outputs.provenance import case_hash

    return case_hash(resolved)


def result_inputs(resolved: dict) -> dict:
    from solver.outputs.provenance import result_inputs

    return result_inputs(resolved)


_PETSC = re.compile(r"^\[\d+\]\s*PETSC ERROR:\s*")
_WARNING = re.compile(r"(^warning\b|\b\w*Warning: )", re.IGNORECASE)


def _first_error_line(text: str) -> str:
    """The first meaningful line of an error text or of a run's stderr.

    Skips tracebacks (but keeps their exception line), ``File …`` lines, warnings (and the
    source line Python prints under them) and PETSc banner lines; a line starting with
    ``error:`` wins over the lines before it; a line ending with ``:`` (``invalid case:``)
    gets the next one appended.
    """
    lines: list[str] = []
    in_traceback = after_warning = False
    for raw in str(text).splitlines():
        s = raw.strip()
        if not s:
            continue
        indented = raw[:1].isspace()
        if s.startswith("Traceback (most recent call last)"):
            in_traceback = True
            continue
        if in_traceback:
            if indented:
                continue
            in_traceback = False  # the exception line
        if after_warning and indented:
            continue
        after_warning = bool(_WARNING.search(s))
        if after_warning or s.startswith("File "):
            continue
        body = _PETSC.sub("", s).strip(" -=*")
        if not body or body.lower() == "error message":
            continue
        lines.append(s)
    if not lines:
        return ""
    i = next((k for k, ln in enumerate(lines) if ln.lower().startswith("error:")), 0)
    if lines[i].endswith(":") and i + 1 < len(lines):  # "invalid case:" + the problem
        return f"{lines[i]} {lines[i + 1]}"
    return lines[i]


def _read_summary(point_dir: Path) -> tuple[dict | None, str]:
    """(the point's ``results/summary.json``, ""); (None, "") without one; (None, what is
    wrong with it) when it is unreadable."""
    from solver.outputs.result_files import read_json_object

    summary_file = Path(point_dir) / "results" / "summary.json"
    if not summary_file.exists():
        return None, ""
    try:
        return read_json_object(summary_file, "results/summary.json"), ""
    except SweepError as exc:
        return None, str(exc)


def _stderr_line(point_dir: Path) -> str:
    """The first meaningful line of the point's ``run.err`` ("" without one)."""
    err = point_dir / "run.err"
    return _first_error_line(err.read_text(errors="replace")) if err.exists() else ""


def point_status(point_dir: Path, expected_hash: str | None = None) -> tuple[str, str] | None:
    """Status of a point from its files: ``(status, error)``, or None if it has not run (or
    is still running).

    ``completed`` needs ``results/summary.json`` with status completed (and, if given, the
    same case hash) and, when ``exit_code`` was written, exit code 0. A non-zero exit code, a
    summary saying ``failed`` or ``interrupted`` (a run stopped by SIGINT/SIGTERM), or exit 0
    without a completed summary count as ``failed``; the error is the first meaningful line
    of the summary's error, else of ``run.err``.
    """
    point_dir = Path(point_dir)
    summary, unreadable = _read_summary(point_dir)
    same = summary is not None and (
        expected_hash is None or (summary.get("case") or {}).get("hash") == expected_hash)
    status = summary.get("status") if same else None
    s_error = _first_error_line(summary.get("error") or "") if same else ""
    if status == "interrupted":
        s_error = s_error or "interrupted"
        if "interrupt" not in s_error.lower():
            s_error = f"interrupted: {s_error}"
    code = None
    code_file = point_dir / "exit_code"
    if code_file.exists():
        try:
            code = int(code_file.read_text().strip() or "0")
        except (OSError, ValueError):
            code = 1
    if code is not None and code != 0:
        return "failed", s_error or _stderr_line(point_dir) or f"exit code {code}"
    if status == "completed":
        return "completed", ""
    if status in ("failed", "interrupted"):
        return "failed", s_error or "failed"
    if code is None:
        return None  # not run, or still running
    if summary is None:
        return "failed", (unreadable or _stderr_line(point_dir)
                          or "exited without writing results/summary.json")
    if not same:
        return "failed", "results/summary.json is for another case (its case hash differs)"
    return "failed", f"exited with status {status!r} in results/summary.json"


#: written by a local sweep while it runs a point: "<host> <pid of the sweep process>"
RUNNING_MARKER = "running"


def mark_running(point_dir: Path) -> None:
    (Path(point_dir) / RUNNING_MARKER).write_text(f"{socket.gethostname()} {os.getpid()}\n")


def resume_step(point_dir: Path, expected_hash: str | None) -> int | None:
    """The step from which the point's next run continues: that of its ``results/
    checkpoint.npz`` when the checkpoint is of the same resolved case (same case hash; a point
    run is ``chemomech run --resume``), else None (it starts afresh). Reads only the
    checkpoint's loop state (no MPI); the run itself also checks the mesh and history."""
    from solver.outputs.result_files import CheckpointError, read_checkpoint_state

    if expected_hash is None:
        return None
    try:
        state = read_checkpoint_state(Path(point_dir) / "results")
        if state.get("case_hash") != expected_hash:
            return None
        return int(state["step"])
    except (CheckpointError, KeyError, TypeError, ValueError):  # none, unreadable, not ours
        return None


def resume_note(out: Path, point: str, expected_hash: str | None) -> str | None:
    """The line a sweep prints for a point that will continue from its checkpoint
    (:func:`resume_step`), or None when it starts afresh."""
    step = resume_step(Path(out) / "points" / point, expected_hash)
    if step is None:
        return None
    return (f"{point}: resuming from step {step} if its checkpoint is usable (else afresh: "
            "see its run.log)")


def clear_attempt(point_dir: Path) -> None:
    """Remove the traces of an earlier attempt (before a point is run again); its results
    and checkpoint stay, so that the new run can continue (``chemomech run --resume``)."""
    for name in ("exit_code", "run.err", RUNNING_MARKER):
        (Path(point_dir) / name).unlink(missing_ok=True)
    (Path(point_dir) / "results" / "summary.json").unlink(missing_ok=True)


def expected_hashes(out: Path, rows: list[dict[str, str]]) -> dict[str, str | None]:
    """point id → hash of its resolved case.yaml (None if unreadable)."""
    hashes: dict[str, str | None] = {}
    for row in rows:
        path = Path(out) / row["case"] if not Path(row["case"]).is_absolute() else Path(row["case"])
        try:
            hashes[row["point"]] = _case_hash(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, yaml.YAMLError):  # (ValueError: not UTF-8)
            hashes[row["point"]] = None
    return hashes


def lost_status(out: Path, row: dict[str, str]) -> tuple[str, str] | None:
    """For a point whose files say nothing (:func:`point_status` None): ``failed`` with the
    reason when the manifest's status can no longer be true, else None (keep it).

    A ``completed`` point whose folder or summary is gone, and a ``running`` point whose
    local sweep process is dead (killed), are failed; ``submitted`` points are left alone.
    """
    pdir = Path(out) / "points" / row["point"]
    rel = f"points/{row['point']}"
    status = row.get("status")
    if status not in ("completed", "running"):
        return None
    if not pdir.is_dir():
        return "failed", f"{rel} is missing (deleted?); re-run the sweep to run it again"
    if status == "completed":
        if not (pdir / "results" / "summary.json").exists():
            return "failed", (f"no results/summary.json in {rel} (deleted?); re-run the "
                              "sweep to run it again")
        return "failed", (f"{rel}/results/summary.json is unreadable or for another case; "
                          "re-run the sweep to run it again")
    try:
        host, pid = (pdir / RUNNING_MARKER).read_text().split()
        pid_n = int(pid)
    except (OSError, ValueError):
        host, pid_n = socket.gethostname(), -1
    if host != socket.gethostname():
        return None  # run by a sweep on another machine: cannot tell
    if pid_n > 0 and process_alive(pid_n):
        return None
    return "failed", ("the sweep process running it ended without recording a result "
                      "(killed?); re-run the sweep to run it again")


def refresh(out: Path, keys: list[str], rows: list[dict[str, str]],
            write: bool = True) -> list[dict[str, str]]:
    """Update every row's status/error from its point's files; rewrite the manifest
    unless ``write`` is false."""
    hashes = expected_hashes(out, rows)
    for row in rows:
        st = point_status(Path(out) / "points" / row["point"], hashes.get(row["point"]))
        if st is None:
            st = lost_status(out, row)
        if st is not None:
            row["status"], row["error"] = st
    if write:
        write_manifest(out, keys, rows)
    return rows


_ABSENT = object()


def _show(value: Any) -> str:
    text = "(absent)" if value is _ABSENT else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def case_diff(old: Any, new: Any, prefix: str = "") -> list[str]:
    """``dotted.key: old -> new`` for every field that differs (floats to 12 digits)."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for k in [*old, *(k for k in new if k not in old)]:
            lines += case_diff(old.get(k, _ABSENT), new.get(k, _ABSENT),
                               f"{prefix}.{k}" if prefix else str(k))
        return lines
    if old is not _ABSENT and new is not _ABSENT and _canonical(old) == _canonical(new):
        return []
    return [f"{prefix or '(case)'}: {_show(old)} -> {_show(new)}"]


def _id_ranges(ids: list[str], order: list[str]) -> str:
    """``p000-p002, p005`` (runs of consecutive manifest rows collapsed)."""
    pos = sorted(order.index(i) for i in ids)
    runs: list[list[int]] = []
    for k in pos:
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return ", ".join(order[r[0]] if len(r) == 1 else f"{order[r[0]]}-{order[r[-1]]}"
                     for r in runs)


def in_flight(out: Path, rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """job id → the points marked ``submitted`` by it whose files show no result yet."""
    hashes = expected_hashes(out, rows)
    jobs: dict[str, list[str]] = {}
    for row in rows:
        if row.get("status") != "submitted":
            continue
        if point_status(Path(out) / "points" / row["point"], hashes.get(row["point"])) is None:
            m = re.match(r"job (\S+)", row.get("error") or "")
            jobs.setdefault(m.group(1) if m else "?", []).append(row["point"])
    return jobs


def prepare(sweep: Sweep, resubmit: bool = False) -> list[dict[str, str]]:
    """Write point case files, ``sweep.json`` and ``sweep.csv``; return the manifest rows.

    Points already completed with the same resolved case keep their files and status;
    everything else is (re)written as ``pending``.

    Args:
        resubmit: reset points still ``submitted`` to SLURM without a result too (the user
            cancelled their job); without it such points make the call fail.

    Raises:
        SweepError: ``out`` holds a different sweep (other keys or values), the same grid
            for another base case (case file or ``--set`` changed), or points submitted to
            SLURM and not finished (without ``resubmit``). Nothing is written then.
    """
    out = sweep.out
    meta_file = out / "sweep.json"
    resolved_of = dict(sweep.resolved)
    if (out / "sweep.csv").exists():
        old_keys, old_rows = read_manifest(out)
        new = [[p.id, *p.values.values()] for p in sweep.points]
        old = [[r["point"], *(r.get(k, "") for k in old_keys)] for r in old_rows]
        if old_keys != sweep.keys or old != new:
            raise SweepError(
                f"{out} already holds a different sweep (varied {', '.join(old_keys)}; "
                f"{len(old_rows)} points): use another --out directory")
        for p in sweep.points:
            try:
                before = yaml.safe_load((sweep.point_dir(p) / "case.yaml").read_text(
                    encoding="utf-8"))
            except (OSError, yaml.YAMLError):
                continue
            if not isinstance(before, dict):
                continue
            diff = case_diff(result_inputs(before), result_inputs(sweep.resolved[p.id]))
            if diff:
                shown = "; ".join(diff[:3]) + (f"; … ({len(diff)} fields)" if len(diff) > 3
                                               else "")
                raise SweepError(
                    f"{out} already holds this sweep for another base case (the case file or "
                    f"--set changed; point {p.id}: {shown}): use another --out directory, or "
                    "restore the case file and --set values")
            resolved_of[p.id] = before  # equal up to float rounding: keep the file and hash
        jobs = in_flight(out, old_rows)
        if jobs and not resubmit:
            order = [r["point"] for r in old_rows]
            lines = []
            for job, ids in jobs.items():
                what = (f"point {ids[0]} is" if len(ids) == 1
                        else f"points {_id_ranges(ids, order)} are")
                lines.append(f"{what} submitted as job {job} and not finished; wait for it, "
                             f"or cancel it (scancel {job}) and pass --resubmit")
            raise SweepError(lines)
    rows = []
    for p in sweep.points:
        pdir = sweep.point_dir(p)
        pdir.mkdir(parents=True, exist_ok=True)
        resolved = resolved_of[p.id]
        digest = _case_hash(resolved)
        case_file = pdir / "case.yaml"
        status = point_status(pdir, digest)
        if status is None or status[0] != "completed":
            header = (f"# chemomech sweep point {p.id}: {p.label()}\n"
                      f"# base case: {sweep.case.resolve()}\n")
            _atomic_write(case_file, header + yaml.safe_dump(resolved, sort_keys=False,
                                                              allow_unicode=True))
        st, err = status if status is not None else ("pending", "")
        rows.append({"point": p.id, **p.values, "case": str(case_file.relative_to(out)),
                     "status": st, "error": err,
                     "results": str((pdir / "results").relative_to(out))})
    meta = {"base_case": str(sweep.case.resolve()), "set": sweep.sets, "vary": sweep.keys,
            "values": {k: [p.values[k] for p in sweep.points] for k in sweep.keys},
            "zip": sweep.zip, "points": len(sweep.points)}
    _atomic_write(meta_file, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    write_manifest(out, sweep.keys, rows)
    return rows


def resolve_rel(out: Path, rel: str) -> Path:
    p = Path(rel)
    return p if p.is_absolute() else Path(out) / p


def load_resolved_value(resolved: dict[str, Any], key: str) -> Any:
    """The value at a dotted key of a resolved case dict (None if absent)."""
    node: Any = resolved
    for part in key.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
