"""``summary.json`` and ``case.resolved.yaml``: what ran, on what, with what result."""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import platform
import resource
import sys
from importlib import metadata
from pathlib import Path

import yaml


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("chemomech", "fenics-dolfinx", "dolfinx-solver-real", "petsc4py", "gmsh",
                 "numpy", "pydantic", "pint"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    for module in ("dolfinx", "petsc4py", "mpi4py", "ufl", "basix"):
        try:
            out[module] = __import__(module).__version__
        except Exception:  # pragma: no cover
            pass
    return out


#: resolved-case fields that change no result: where meshes are cached, how often a restart
#: checkpoint is written, and the folder that holds the results folder (``--out`` overrides
#: it, and a restart is of the folder it runs in). They stay out of the case hash, so a
#: restart may change them (e.g. checkpoint more often after a job ran into its wall time, or
#: run where $XDG_CACHE_HOME differs), and a sweep or ``chemomech compare`` does not run a
#: case again for them.
RESULT_NEUTRAL = (("mesh", "cache"), ("mesh", "cache_dir"), ("output", "directory"),
                  ("output", "checkpoint_every"), ("output", "checkpoint_minutes"))


#: resolved-case fields that a restart may change, besides the RESULT_NEUTRAL ones: they
#: change no result computed before the restart, only the text that describes the run, how
#: the rest is solved (the linear solvers' answers agree to their tolerance; time.dt_min binds
#: only where a run fails for it) and whether pictures are drawn. So a run that stopped at
#: dt_min, or ran out of time with a slow solver, continues from its checkpoint. They stay in
#: the case hash: a run that changed them at a restart is of the new case.
CONTINUABLE = (("title",), ("description",), ("references",), ("time", "dt_min"),
               ("solver", "diffusion_linear_solver"), ("solver", "coupled_linear_solver"),
               ("output", "pictures"))


def _without(resolved: dict, fields) -> dict:
    """``resolved`` without ``fields`` (``(key,)`` or ``(section, key)``; a shallow copy per
    section)."""
    out = dict(resolved)
    for field in fields:
        if len(field) == 1:
            out.pop(field[0], None)
            continue
        section, key = field
        if isinstance(out.get(section), dict) and key in out[section]:
            out[section] = {k: v for k, v in out[section].items() if k != key}
    return out


def result_inputs(resolved: dict) -> dict:
    """``resolved`` without the :data:`RESULT_NEUTRAL` fields (a shallow copy per section)."""
    return _without(resolved, RESULT_NEUTRAL)


def _hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def case_hash(resolved: dict) -> str:
    """sha256 of the resolved case (canonical JSON) without the fields that change no result
    (:data:`RESULT_NEUTRAL`): equal hashes mean equal inputs of every result."""
    return _hash(result_inputs(resolved))


def continuation_hash(resolved: dict) -> str:
    """The case hash without the :data:`CONTINUABLE` fields: a checkpoint whose continuation
    hash equals this case's may be continued by it (``--restart``)."""
    return _hash(_without(result_inputs(resolved), CONTINUABLE))


def peak_memory_mb() -> float:
    """Peak resident memory of this process (MB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024.0 if sys.platform != "darwin" else rss / 2**20


def write_resolved_case(path: Path, resolved: dict, material_sources: dict | None = None) -> None:
    """Write the case as run; materials taken from a library get their sources as comments
    (comments, so the file still validates and its hash does not depend on the wording)."""
    with open(path, "w") as fh:
        fh.write("# The case as run: SI units, defaults filled in (written by chemomech).\n")
        for region, info in (material_sources or {}).items():
            fh.write(f"# materials.{region}: library material {info.get('material')!r} "
                     f"({info.get('library')})\n")
            for field, source in (info.get("sources") or {}).items():
                fh.write(f"#   {field}: {source}\n")
        yaml.safe_dump(resolved, fh, sort_keys=False, allow_unicode=True)


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` as standard JSON: a NaN or infinite value (e.g. the Li balance error of
    a row whose surface θ is held, where the inflow is not measured) becomes null, as in
    comparison.json; a bare NaN token is not JSON (RFC 8259) and strict readers refuse the
    whole file."""
    tmp = Path(path).with_suffix(".json.tmp")
    try:
        tmp.write_text(json.dumps(finite_or_null(data), indent=2, default=_json_default,
                                  allow_nan=False) + "\n")
        tmp.replace(path)
    except OSError:  # e.g. a full disk: leave no cut-off temporary file behind
        tmp.unlink(missing_ok=True)
        raise


def finite_or_null(obj):
    """``obj`` (nested dicts, lists, tuples) with every NaN or infinite number as None: what
    JSON can hold (summary.json, comparison.json)."""
    if isinstance(obj, dict):
        return {k: finite_or_null(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_or_null(v) for v in obj]
    if not isinstance(obj, numbers.Real) or isinstance(obj, numbers.Integral):
        return obj  # (bool, int and numpy integers as they were)
    return obj if math.isfinite(obj) else None


def _json_default(obj):
    try:
        return float(obj)
    except Exception:
        return str(obj)
