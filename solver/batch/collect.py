"""``chemomech collect DIR``: every point's summary.json in one table, and a metric plotted
against each varied parameter.

Writes ``DIR/collect.csv`` (and ``DIR/collect.parquet`` when pyarrow is installed) and
``DIR/collect_<parameter>.png``. Columns: point, the varied values as given, their SI values
(``<key> [<SI unit>]``, from the point's resolved case), status, error, wall time, peak memory, the
number of warnings (summary.json lists them), and every ``summary["peak"][…]`` (``peak: …``)
and ``summary["final"][…]`` (``final: …``) value.
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import os
import re
from pathlib import Path

import yaml

from solver.batch.sweep import (
    SweepError,
    load_resolved_value,
    read_manifest,
    refresh,
    resolve_rel,
    sweep_lock_if_free,
)
from solver.outputs.result_files import read_json_object

DEFAULT_METRIC = "core: max Von Mises stress [Pa]"


def si_column(key: str, unit: str | None) -> str:
    """The column of a varied key's resolved value: its SI unit written down ('-' for a
    dimensionless number or a text)."""
    return f"{key} [{unit or '-'}]"


def _si_column_of(key: str, table: list[dict]) -> str:
    """The resolved-value column of ``key`` in a gathered table (``key [unit]``, or
    ``key.field [unit]`` for an entry reduced to its one number, see :func:`_value_key`)."""
    for name in (table[0] if table else {}):
        if name.endswith("]") and (name.startswith(f"{key} [") or (
                name.startswith(f"{key}.") and " [" in name[len(key):])):
            return name
    return si_column(key, None)


def _value_key(key: str, resolved: dict) -> str:
    """The dotted key whose value stands for a varied ``key``: the key itself, or, when its
    resolved value is an entry with exactly one number (``geometry.coatings.0`` is
    ``{thickness: 1e-07, name: null}``), that number's key
    (``geometry.coatings.0.thickness``), so the column is a length in m, not JSON."""
    value = load_resolved_value(resolved, key)
    if isinstance(value, dict):
        numbers = [k for k, v in value.items()
                   if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(numbers) == 1:
            return f"{key}.{numbers[0]}"
    return key


def gather(out: Path) -> tuple[list[str], list[dict]]:
    """(varied keys, one row per point) from the manifest and each point's summary.json."""
    out = Path(out)
    if not (out / "sweep.csv").exists():
        raise SweepError(f"{out}: no sweep.csv here (not a sweep directory)")
    keys, rows = read_manifest(out)
    if not rows:
        raise SweepError(f"{out / 'sweep.csv'}: lists no points (only a header); damaged? "
                         "run the sweep again to rewrite it")
    # sweep.csv gets the refreshed statuses too, unless a sweep is running there (it writes
    # that file itself; two writers would lose one's rows): collect.csv has them either way
    with sweep_lock_if_free(out) as free:
        rows = refresh(out, keys, rows, write=free)
    table = []
    units: dict[str, str | None] = {}
    value_keys: dict[str, str] = {}
    for row in rows:
        rec: dict = {"point": row["point"]}
        for k in keys:
            rec[k] = row.get(k, "")
        try:
            resolved = yaml.safe_load(resolve_rel(out, row["case"]).read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError):  # (ValueError: not UTF-8)
            resolved = {}
        if resolved and not units:  # the same fields in every point: units of the first
            value_keys = {k: _value_key(k, resolved) for k in keys}
            units = {k: _unit_of_key(value_keys[k], resolved) for k in keys}
        for k in keys:
            vk = value_keys.get(k, k) if units else k
            v = load_resolved_value(resolved or {}, vk)
            # numbers as they are; a string as it is (no JSON quotes); lists etc. as JSON
            plain = isinstance(v, (int, float, str)) and not isinstance(v, bool)
            rec[si_column(vk, units.get(k))] = v if plain else (
                math.nan if v is None else json.dumps(v))
        rec["status"] = row.get("status", "")
        rec["error"] = row.get("error", "")
        summary = {}
        sfile = resolve_rel(out, row["results"]) / "summary.json"
        if sfile.exists():
            try:
                summary = read_json_object(sfile)
            except SweepError:  # refresh() has marked the point failed, saying why
                summary = {}
        run = summary.get("run") or {}
        rec["stop reason"] = summary.get("stop_reason", "")
        rec["steps"] = run.get("steps", math.nan)
        rec["wall time [s]"] = run.get("wall_time_s", math.nan)
        rec["peak memory [MB]"] = run.get("peak_memory_mb", math.nan)
        rec["MPI ranks"] = summary.get("mpi_size", math.nan)
        warned = summary.get("warnings")
        rec["warnings"] = len(warned) if isinstance(warned, list) else math.nan
        for name, value in (summary.get("peak") or {}).items():
            rec[f"peak: {name}"] = value
        for name, value in (summary.get("final") or {}).items():
            rec[f"final: {name}"] = value
        table.append(rec)
    return keys, table


def _columns(table: list[dict]) -> list[str]:
    cols: list[str] = []
    for rec in table:
        for c in rec:
            if c not in cols:
                cols.append(c)
    return cols


def write_csv(path: Path, table: list[dict]) -> Path:
    cols = _columns(table)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for rec in table:
            w.writerow({c: _fmt(rec.get(c, "")) for c in cols})
    os.replace(tmp, path)
    return path


def _fmt(v):
    return repr(v) if isinstance(v, float) else v


def write_parquet(path: Path, table: list[dict]) -> Path | None:
    """Write a Parquet file if pyarrow imports; None otherwise."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return None
    cols = _columns(table)
    data = {}
    for c in cols:
        vals = [rec.get(c) for rec in table]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) or v is None
               for v in vals):
            data[c] = pa.array([math.nan if v is None else float(v) for v in vals])
        else:
            data[c] = pa.array(["" if v is None else str(v) for v in vals])
    pq.write_table(pa.table(data), path)
    return path


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def numeric_columns(table: list[dict]) -> list[str]:
    """The columns with a number in at least one row (what --metric can plot)."""
    return [c for c in _columns(table) if any(_is_number(rec.get(c)) for rec in table)]


def resolve_metric(metric: str, table: list[dict]) -> str:
    """The table column for ``metric``: exact, else ``peak: metric``, else ``final: metric``.

    Raises:
        SweepError: no such column (with the closest names), or a column that is not
            numeric (``status``, ``error``…; with the numeric ones).
    """
    cols = _columns(table)
    for cand in (metric, f"peak: {metric}", f"final: {metric}"):
        if cand in cols:
            numeric = numeric_columns(table)
            if cand not in numeric:
                # the summary values first (what one plots), then steps, wall time…
                numeric.sort(key=lambda c: not c.startswith(("peak: ", "final: ")))
                shown = ", ".join(numeric[:8]) + (
                    f", … ({len(numeric) - 8} more: the numeric columns of collect.csv)"
                    if len(numeric) > 8 else "")
                raise SweepError(f"--metric {metric!r}: not a numeric column (numeric ones: "
                                 f"{shown or 'none yet'})")
            return cand
    numeric = [c for c in cols if c.startswith(("peak: ", "final: "))]
    close = difflib.get_close_matches(metric, numeric, n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    if not numeric:
        hint = " (no point has a summary.json yet)"
    raise SweepError(f"--metric {metric!r}: no such value in the summaries{hint}")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


def _unit_of_key(key: str, resolved: dict) -> str | None:
    """SI unit of a dotted case key (None if dimensionless or unknown)."""
    try:
        from solver.case.loader import _locate
        from solver.case.units import unit_of
    except ImportError:  # pragma: no cover
        return None
    loc, node = [], resolved
    for part in key.split("."):
        loc.append(int(part) if part.isdigit() else part)
        node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get("kind"), str):
            loc.append(node["kind"])
    try:
        located = _locate(tuple(loc))
        return unit_of(located.annotation, located.metadata)
    except Exception:
        return None


def plot(out: Path, keys: list[str], table: list[dict], metric: str) -> list[Path]:
    """One PNG per varied key: the metric against that key (lines group the other keys)."""
    column = resolve_metric(metric, table)
    written = []
    for key in keys:
        ok = [r for r in table if r.get("status") == "completed"
              and isinstance(r.get(column), (int, float))]
        col = _si_column_of(key, table)
        numeric = all(isinstance(r.get(col), (int, float))
                      and not math.isnan(r.get(col)) for r in ok)
        others = [k for k in keys if k != key]
        groups: dict[tuple, list[dict]] = {}
        for r in ok:
            groups.setdefault(tuple(r[k] for k in others), []).append(r)
        xlabel = col if numeric else key  # "key [unit]" (the number's key for an entry)
        png = Path(out) / f"collect_{_slug(key)}.png"
        series = []
        for gkey, recs in groups.items():
            if numeric:
                recs = sorted(recs, key=lambda r: r[col])
                xs = [r[col] for r in recs]
            else:
                xs = [r[key] for r in recs]
            label = ", ".join(f"{k}={v}" for k, v in zip(others, gkey)) or None
            series.append((xs, [r[column] for r in recs], label))
        _draw(png, series, xlabel, column, f"{column} vs {key} ({len(ok)} of {len(table)} "
                                           f"points completed)")
        written.append(png)
    return written


def _draw(png: Path, series, xlabel: str, ylabel: str, title: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        _draw_pyvista(png, series, xlabel, ylabel, title)
        return
    fig, ax = plt.subplots(figsize=(7, 4.8))
    for xs, ys, label in series:
        ax.plot(xs, ys, "o-", label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.grid(True, alpha=0.3)
    if any(label for _, _, label in series):
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def _draw_pyvista(png: Path, series, xlabel: str, ylabel: str, title: str) -> None:
    """Fallback without matplotlib: a pyvista 2D chart (numeric x only)."""
    os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
    import pyvista

    chart = pyvista.Chart2D(x_label=xlabel, y_label=ylabel)
    chart.title = title
    for xs, ys, label in series:
        try:
            xv = [float(x) for x in xs]
        except (TypeError, ValueError):
            xv = list(range(len(xs)))
        chart.line(xv, ys, label=label or "")
        chart.scatter(xv, ys)
    pl = pyvista.Plotter(off_screen=True, window_size=(800, 560))
    pl.add_chart(chart)
    pl.screenshot(str(png))
    pl.close()


def collect(out: str | Path, metric: str = DEFAULT_METRIC, quiet: bool = False) -> dict:
    """Gather, write the table(s) and draw; returns what was written."""
    out = Path(out)
    keys, table = gather(out)
    written = {"csv": write_csv(out / "collect.csv", table)}
    parquet = write_parquet(out / "collect.parquet", table)
    if parquet is not None:
        written["parquet"] = parquet
    counts: dict[str, int] = {}
    for rec in table:
        counts[rec["status"]] = counts.get(rec["status"], 0) + 1
    written["pngs"] = plot(out, keys, table, metric) if counts.get("completed") else []
    written["counts"] = counts
    if not quiet:
        print("collect: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
              + f" of {len(table)} points")
        for p in [written["csv"], written.get("parquet"), *written["pngs"]]:
            if p is not None:
                print(f"written: {p}")
        if parquet is None:
            print("(no collect.parquet: pyarrow is not installed)")
    return written
