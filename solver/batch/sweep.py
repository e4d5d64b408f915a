"""Parameter sweeps: ``--vary key=v1,v2`` → one resolved case file per point + a manifest.

Layout of a sweep directory::

    DIR/sweep.csv                 manifest: point, one column per varied key, case, status,
                                  error, results (rewritten atomically after every change)
    DIR/sweep.json                the base case, the --set overrides, the varied keys, zip
    DIR/points/<id>/case.yaml     the point's case, resolved (SI units, defaults filled in)
    DIR/points/<id>/results/      the run's results (summary.json, history.csv, fields…)
    DIR/points/<id>/run.err       the run's stderr; DIR/points/<id>/exit_code its exit code

Every point is validated with :func:`solver.case.load_case` (the ``--set`` machinery) before
anything is written or run. A point counts as finished when its ``results/summary.json``
says ``completed`` for the same resolved case (same case hash), so re-running a sweep skips
it.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "BASE_COLUMNS",
    "Point",
    "SweepError",
    "Sweep",
    "check_output_dir",
    "expand",
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

    lines: list[str] = []
    resolved: dict[str, dict] = {}
    try:  # a missing/unreadable file or a malformed --set: one report, not one per point
        load_case(case, overrides=sets)
    except CaseError as exc:
        if any(not p.path or p.path == "--set" for p in exc.problems):
            raise SweepError([f"invalid case: {p}" for p in exc.problems]) from None
    for point in points:
        try:
            c = load_case(case, overrides=[*sets, *point.overrides])
        except CaseError as exc:
            lines.extend(f"point {point.id} ({point.label()}): {p}" for p in exc.problems)
            continue
        resolved[point.id] = c.resolved()
    if lines:
        raise SweepError(lines)
    return resolved


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
    points = expand(parsed, zip_)
    resolved = validate(case, list(sets), points)
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
    """Read ``out/sweep.csv``: (varied keys, rows)."""
    path = Path(out) / "sweep.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols = list(reader.fieldnames or [])
        rows = list(reader)
    keys = [c for c in cols if c not in BASE_COLUMNS]
    return keys, rows


def _case_hash(resolved: dict) -> str:
    from solver.outputs.provenance import case_hash

    return case_hash(resolved)


def _first_error_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("Traceback", "File ", "warning:"))]
    if not lines:
        return ""
    if lines[0].endswith(":") and len(lines) > 1:  # "invalid case:" + the problem
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def point_status(point_dir: Path, expected_hash: str | None = None) -> tuple[str, str] | None:
    """Status of a point from its files: ``(status, error)``, or None if it has not run.

    ``completed`` needs ``results/summary.json`` with status completed (and, if given, the
    same case hash). A run that wrote a failed summary, a non-zero ``exit_code`` or exit 0
    without a summary counts as ``failed``.
    """
    point_dir = Path(point_dir)
    summary_file = point_dir / "results" / "summary.json"
    summary = None
    if summary_file.exists():
        try:
            summary = json.loads(summary_file.read_text())
        except (OSError, ValueError):
            summary = None
    if summary is not None:
        same = expected_hash is None or (summary.get("case") or {}).get("hash") == expected_hash
        if same and summary.get("status") == "completed":
            return "completed", ""
        if same and summary.get("status") == "failed":
            return "failed", str(summary.get("error") or "failed")
    code_file = point_dir / "exit_code"
    if code_file.exists():
        try:
            code = int(code_file.read_text().strip() or "0")
        except ValueError:
            code = 1
        err = ""
        if (point_dir / "run.err").exists():
            err = _first_error_line((point_dir / "run.err").read_text(errors="replace"))
        if code != 0:
            return "failed", err or f"exit code {code}"
        if summary is None:
            return "failed", err or "exited without writing results/summary.json"
    return None


def clear_attempt(point_dir: Path) -> None:
    """Remove the traces of an earlier attempt (before a point is run again)."""
    for name in ("exit_code", "run.err"):
        (Path(point_dir) / name).unlink(missing_ok=True)
    (Path(point_dir) / "results" / "summary.json").unlink(missing_ok=True)


def expected_hashes(out: Path, rows: list[dict[str, str]]) -> dict[str, str | None]:
    """point id → hash of its resolved case.yaml (None if unreadable)."""
    hashes: dict[str, str | None] = {}
    for row in rows:
        path = Path(out) / row["case"] if not Path(row["case"]).is_absolute() else Path(row["case"])
        try:
            hashes[row["point"]] = _case_hash(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError):
            hashes[row["point"]] = None
    return hashes


def refresh(out: Path, keys: list[str], rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Update every row's status/error from its point's files; rewrite the manifest."""
    hashes = expected_hashes(out, rows)
    for row in rows:
        st = point_status(Path(out) / "points" / row["point"], hashes.get(row["point"]))
        if st is not None:
            row["status"], row["error"] = st
    write_manifest(out, keys, rows)
    return rows


def prepare(sweep: Sweep) -> list[dict[str, str]]:
    """Write point case files, ``sweep.json`` and ``sweep.csv``; return the manifest rows.

    Points already completed with the same resolved case keep their files and status;
    everything else is (re)written as ``pending``.

    Raises:
        SweepError: ``out`` holds a different sweep (other keys or values).
    """
    out = sweep.out
    meta_file = out / "sweep.json"
    if (out / "sweep.csv").exists():
        old_keys, old_rows = read_manifest(out)
        new = [[p.id, *p.values.values()] for p in sweep.points]
        old = [[r["point"], *(r.get(k, "") for k in old_keys)] for r in old_rows]
        if old_keys != sweep.keys or old != new:
            raise SweepError(
                f"{out} already holds a different sweep (varied {', '.join(old_keys)}; "
                f"{len(old_rows)} points): use another --out directory")
    rows = []
    for p in sweep.points:
        pdir = sweep.point_dir(p)
        pdir.mkdir(parents=True, exist_ok=True)
        resolved = sweep.resolved[p.id]
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
