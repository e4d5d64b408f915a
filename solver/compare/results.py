"""Read one configuration's results folder and evaluate ``at`` on its history.

A results folder is what ``chemomech run`` writes: ``history.csv`` (one row per step, column
names with units), ``summary.json`` (status, case hash, ...), ``case.resolved.yaml`` (the
case as run, SI) and ``fields.pvd`` (+ one .vtu/.pvtu per output time). Nothing here needs
dolfinx.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from solver.compare.reference import At, column_unit, pint_unit

TIME = "time [s]"
MEAN_THETA = "mean lithiation fraction [-]"
CAPACITY_PREFIX = "capacity ["


class AtError(ValueError):
    """An ``at`` that cannot be evaluated on a history (not reached, no such column)."""


@dataclass
class ConfigResult:
    """What is known about one configuration of a comparison."""

    label: str
    case_file: Path
    results: Path
    status: str = "missing"  # completed | failed | missing
    error: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, float]] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    output_times: list[float] = field(default_factory=list)
    reused: bool = False  # results were up to date, not re-run
    run_wall_s: float | None = None  # wall time of the run made by this compare call

    @property
    def ok(self) -> bool:
        return self.status == "completed" and bool(self.rows)

    @property
    def end_time(self) -> float:
        return self.rows[-1][TIME] if self.rows else math.nan

    @property
    def mode(self) -> str | None:
        return (self.summary.get("mesh") or {}).get("mode")

    # ---- columns ---------------------------------------------------------------------------
    def column(self, name: str) -> list[float]:
        if name not in self.columns:
            raise AtError(f"no history.csv column {name!r}{_close(name, self.columns)}")
        return [r[name] for r in self.rows]

    def capacity_column(self) -> str:
        for c in self.columns:
            if c.startswith(CAPACITY_PREFIX):
                return c
        raise AtError("history.csv has no capacity column")

    # ---- at --------------------------------------------------------------------------------
    def value_at(self, name: str, at: At, magnitude: bool = False) -> float:
        """The value of column ``name`` at ``at`` (in the column's unit).

        Raises:
            AtError: the column does not exist, or the target is not reached.
        """
        ys = self.column(name)
        if magnitude:
            ys = [abs(y) for y in ys]
        if not ys:
            raise AtError("history.csv has no rows")
        if at.kind == "end":
            return ys[-1]
        if at.kind in ("peak", "trough"):
            finite = [y for y in ys if y == y]
            if not finite:
                raise AtError(f"{name!r} has no finite value")
            return max(finite) if at.kind == "peak" else min(finite)
        if at.kind == "every_output_time":
            raise AtError("every_output_time gives several values (orderings only)")
        xs, target, what = self._axis(at)
        return interpolate(xs, ys, target, what)

    def time_at(self, at: At) -> float:
        """The time (s) at which ``at`` is reached (for reading field frames)."""
        if at.kind == "end":
            return self.end_time
        if at.kind == "time":
            return float(at.value)
        if not at.interpolated:
            raise AtError(f"{at} is not a point in time")
        xs, target, what = self._axis(at)
        return interpolate(xs, self.column(TIME), target, what)

    def _axis(self, at: At) -> tuple[list[float], float, str]:
        if at.kind == "time":
            return self.column(TIME), float(at.value), f"time {at.value:.6g} s"
        if at.kind == "mean_theta":
            return self.column(MEAN_THETA), float(at.value), f"mean theta {at.value:g}"
        cap = self.capacity_column()
        xs = self.column(cap)
        unit = column_unit(cap) or "A h/g"
        if at.kind == "capacity":
            target = convert(float(at.value), "C/kg", unit)
            return xs, target, f"capacity {target:.6g} {unit}"
        if at.kind == "capacity_fraction":
            end = xs[-1]
            return xs, float(at.value) * end, (f"capacity fraction {at.value:g} of the end "
                                               f"capacity {end:.6g} {unit}")
        raise AtError(f"cannot interpolate at {at}")  # pragma: no cover


def interpolate(xs: list[float], ys: list[float], target: float, what: str = "") -> float:
    """Linear interpolation of ys at the first crossing of ``target`` by xs."""
    tol = 1e-9 * max(1.0, max((abs(x) for x in xs), default=1.0))
    for i in range(len(xs) - 1):
        a, b = xs[i], xs[i + 1]
        if min(a, b) - tol <= target <= max(a, b) + tol:
            if b == a:
                return ys[i + 1]
            w = min(max((target - a) / (b - a), 0.0), 1.0)
            return ys[i] + w * (ys[i + 1] - ys[i])
    if len(xs) == 1 and abs(xs[0] - target) <= tol:
        return ys[0]
    lo, hi = (min(xs), max(xs)) if xs else (math.nan, math.nan)
    raise AtError(f"{what or target} is not reached (the history spans {lo:.6g} .. {hi:.6g})")


def convert(value: float, unit_from: str, unit_to: str) -> float:
    """Convert a magnitude between units (column spellings such as ``-`` allowed)."""
    if unit_from == unit_to:
        return value
    from solver.case.units import ureg

    return float(ureg.Quantity(value, pint_unit(unit_from)).to(pint_unit(unit_to)).magnitude)


def _close(name: str, columns: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, columns, n=3, cutoff=0.5)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


# --------------------------------------------------------------------------------------------
# Reading


def read_results(label: str, case_file: Path, results: Path,
                 expected_hash: str | None = None) -> ConfigResult:
    """Read a results folder; status ``missing`` when there is nothing (usable) there.

    A summary with another case hash than ``expected_hash`` is ``stale`` (its numbers are
    not those of this case).
    """
    from solver.batch.sweep import SweepError
    from solver.outputs.replot import _read_history
    from solver.outputs.result_files import read_json_object

    res = ConfigResult(label, Path(case_file), Path(results))
    summary_file = res.results / "summary.json"
    if not summary_file.exists():
        res.status, res.error = "missing", "no summary.json"
        return res
    try:
        res.summary = read_json_object(summary_file)
    except SweepError as exc:  # not JSON, not an object, not UTF-8: run again / reported
        res.status, res.error = "missing", str(exc)
        return res
    got = (res.summary.get("case") or {}).get("hash")
    if expected_hash is not None and got != expected_hash:
        res.status, res.error = "stale", "the case (or --set) changed since these results"
        return res
    res.status = str(res.summary.get("status") or "missing")
    res.error = str(res.summary.get("error") or "")
    hist = res.results / "history.csv"
    if hist.exists():
        try:
            res.columns, res.rows = _read_history(hist)
        except SweepError as exc:
            res.status, res.error = "missing", str(exc)
            return res
    elif res.status == "completed":
        res.status, res.error = "missing", "no history.csv"
    if res.status == "completed" and not res.rows:
        res.status, res.error = "failed", "history.csv has no rows"
    resolved = res.results / "case.resolved.yaml"
    if resolved.exists():
        try:
            case = yaml.safe_load(resolved.read_text()) or {}
            res.output_times = [float(t) for t in ((case.get("time") or {})
                                                   .get("output_times") or [])]
        except (OSError, yaml.YAMLError, TypeError, ValueError):
            pass
    return res


def frames(results: Path) -> list[tuple[float, Path]]:
    """Every dataset of ``fields.pvd`` as (time, file), in time order ([] without one)."""
    pvd = Path(results) / "fields.pvd"
    if not pvd.exists():
        return []
    try:
        root = ET.parse(pvd).getroot()
        out = [(float(d.get("timestep", "0")), pvd.parent / d.get("file"))
               for d in root.iter("DataSet") if d.get("file")]
    except (ET.ParseError, ValueError, OSError):  # damaged: as without one (no frames)
        return []
    return sorted(out, key=lambda s: s[0])


def nearest_frame(results: Path, t: float) -> tuple[float, Path] | None:
    sets = frames(results)
    if not sets:
        return None
    return min(sets, key=lambda s: abs(s[0] - t))


def read_grid(path: Path):
    """A pyvista grid with point data from a .vtu/.pvtu file (as ``chemomech plot`` does)."""
    from solver.outputs.pictures import _pyvista

    pyvista = _pyvista()
    data = pyvista.read(str(path))
    if isinstance(data, pyvista.MultiBlock):
        data = data.combine()
    return data.cell_data_to_point_data() if not data.point_data else data
