"""Helpers shared by the benchmark scripts (tables, JSON, environment, child processes)."""

from __future__ import annotations

import datetime as _dt
import math
import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def repo_relative(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it, else as given."""
    path = Path(path)
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def fmt_cell(row: dict, key: str, spec: str) -> str:
    """One table cell: ``—`` for missing/NaN values, ``spec.format(value)`` otherwise."""
    v = row.get(key)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    try:
        return spec.format(v)
    except (ValueError, TypeError):
        return str(v)


def md_table(rows: list[dict], columns: list[tuple[str, str, str]],
             left: tuple[str, ...] = ()) -> str:
    """Markdown table of ``rows`` with ``columns`` = [(key, header, format)]."""
    heads = [h for _, h, _ in columns]
    aligns = ["---" if k in left else "---:" for k, _, _ in columns]
    lines = ["| " + " | ".join(heads) + " |", "|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(fmt_cell(r, k, s) for k, _, s in columns) + " |" for r in rows]
    return "\n".join(lines)


def json_safe(obj):
    """Replace non-finite floats by None (strict JSON), recursively."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    return obj


def environment(nprocs: int) -> dict:
    """Date, host, platform and package versions of this benchmark run."""
    env = {"date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
           "host": platform.node(), "platform": platform.platform(),
           "python": platform.python_version(), "cpu_count": os.cpu_count(),
           "mpi_size": nprocs}
    try:
        from solver.outputs.provenance import versions

        env["versions"] = versions()
    except Exception:  # provenance is nice to have, never fatal
        pass
    return env


def child_env(extra: dict | None = None) -> dict:
    """Environment for a child process that must start as its own MPI job (or singleton)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PMI_", "PMIX_", "HYDRA_", "OMPI_", "MPIR_"))}
    env.update(extra or {})
    return env


def mpi_prefix(nprocs: int) -> list[str]:
    """``[mpiexec, -n, N]`` with the venv's MPICH mpiexec (empty for one rank)."""
    if nprocs <= 1:
        return []
    mpiexec = VENV_BIN / "mpiexec"
    return [str(mpiexec if mpiexec.exists() else "mpiexec"), "-n", str(nprocs)]


# PETSc -log_view: "Event  Count(max ratio) Time(max ratio) Flop ..." rows of the main stage
_LOG_ROW = re.compile(r"^(\S.{0,24}?)\s+(\d+)\s+([\d.]+)\s+([\d.eE+-]+)\s+([\d.]+)\s")


def parse_log_view(path: Path) -> dict[str, dict]:
    """Event name → {count, time_s (max over ranks)} from a PETSc ``-log_view`` text file."""
    events: dict[str, dict] = {}
    try:
        text = Path(path).read_text()
    except OSError:
        return events
    in_events = False
    for line in text.splitlines():
        if line.startswith("--- Event Stage"):
            in_events = True
            continue
        if not in_events:
            continue
        if line.startswith("----") and events:
            break
        m = _LOG_ROW.match(line)
        if m:
            name = m.group(1).strip()
            ev = events.setdefault(name, {"count": 0, "time_s": 0.0})
            ev["count"] += int(m.group(2))
            ev["time_s"] += float(m.group(4))
    return events
