"""The figures of a reference file, drawn from the configurations' results.

- ``history``: one curve per configuration of history.csv columns (matplotlib);
- ``radial_profile``: a field against the distance from the particle centre at the requested
  ``at`` points, one panel per configuration: the field's point values binned by radius, the
  bin mean as a line and the bin min..max as a band. The frame of ``fields.pvd`` nearest the
  requested time is used; a frame further than :data:`FRAME_TOL` (relative to the end time)
  from it gives a warning;
- ``section``: the field on the cross-section of each configuration (the view of
  ``chemomech plot``, :func:`solver.outputs.pictures.draw_fields`), one panel per
  configuration, all with the same colour range.

Each function returns ``(written files, warnings)``; a figure that cannot be drawn is a
warning, never an exception, so one bad figure does not lose a comparison.
"""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

import numpy as np

from solver.compare.reference import Figure, Reference, column_unit
from solver.compare.results import (
    MEAN_THETA,
    TIME,
    AtError,
    ConfigResult,
    convert,
    interpolate,
    nearest_frame,
    read_grid,
)

#: a frame this far from the requested time (fraction of the end time) gives a warning
FRAME_TOL = 1e-3


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def axis_label(column: str, unit: str | None) -> str:
    """``"measure average [Pa]"`` shown in ``GPa`` → ``"measure average [GPa]"``."""
    cu = column_unit(column)
    base = re.sub(r"\s*\[[^\[\]]*\]\s*$", "", column) if cu is not None else column
    return f"{base} [{unit or cu or '-'}]"


def _labels(fig: Figure, ref: Reference, results: dict[str, ConfigResult]) -> list[str]:
    return [lab for lab in (fig.configurations or ref.configurations) if lab in results]


def draw_history(fig: Figure, ref: Reference, results: dict[str, ConfigResult], out: Path
                 ) -> tuple[list[Path], list[str]]:
    plt = _plt()
    warnings = []
    xu = fig.x_unit or column_unit(fig.x) or "-"
    ys = fig.y_list
    fig_, ax = plt.subplots(figsize=(7.0, 4.6))
    drawn = 0
    for lab in _labels(fig, ref, results):
        res = results[lab]
        if not res.ok:
            warnings.append(f"{fig.name}: {lab} has no results ({res.status})")
            continue
        for ycol in ys:
            yu = fig.y_unit or column_unit(ycol) or "-"
            try:
                x = [convert(v, column_unit(fig.x) or "-", xu) for v in res.column(fig.x)]
                y = [convert(v, column_unit(ycol) or "-", yu) for v in res.column(ycol)]
            except AtError as exc:
                warnings.append(f"{fig.name}: {lab}: {exc}")
                continue
            name = lab if len(ys) == 1 else f"{lab}: {axis_label(ycol, None).rsplit(' [', 1)[0]}"
            ax.plot(x, y, "-", label=name)
            drawn += 1
    if not drawn:
        plt.close(fig_)
        return [], warnings + [f"{fig.name}: nothing to draw"]
    ax.set_xlabel(axis_label(fig.x, xu))
    ax.set_ylabel(axis_label(ys[0], fig.y_unit or column_unit(ys[0])) if len(ys) == 1
                  else f"[{fig.y_unit or column_unit(ys[0])}]")
    if fig.title:
        ax.set_title(fig.title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig_.tight_layout()
    path = out / f"{fig.name}.png"
    fig_.savefig(path, dpi=120)
    plt.close(fig_)
    return [path], warnings


def _frame(fig: Figure, res: ConfigResult, at
           ) -> tuple[float, Path, str | None, str | None]:
    """(frame time, file, warning, label) for ``at`` of one configuration. The label is None
    for a frame at ``at``, else says which frame is drawn in its place (for the legend)."""
    target = res.time_at(at)
    found = nearest_frame(res.results, target)
    if found is None:
        raise AtError("no fields.pvd (output.formats needs vtk)")
    t, path = found
    warn = label = None
    if abs(t - target) > FRAME_TOL * max(res.end_time, 1e-300):
        fix = ("the value to the case's time.output_mean_theta" if at.kind == "mean_theta"
               else "the time to the case's time.output_times")
        warn = (f"{fig.name}: {res.label} at {at}: no field output at t = {target:.6g} s; "
                f"the nearest frame, t = {t:.6g} s, is drawn (add {fix})")
        try:
            theta = f", mean θ {interpolate(res.column(TIME), res.column(MEAN_THETA), t):.4g}"
        except AtError:
            theta = ""
        label = f"nearest frame to {at}: t = {t:.4g} s{theta}"
    return t, path, warn, label


def _field_values(grid, fig: Figure) -> np.ndarray:
    if fig.field not in grid.point_data:
        raise AtError(f"no field {fig.field!r} in fields.pvd (fields: "
                      f"{', '.join(k for k in grid.point_data if not k.startswith('vtk'))})")
    vals = np.asarray(grid.point_data[fig.field], dtype=float)
    if vals.ndim > 1:
        raise AtError(f"{fig.field!r} is not a scalar field")
    fu = column_unit(fig.field) or "-"
    return vals * convert(1.0, fu, fig.unit) if fig.unit else vals


def _read_field(fig: Figure, res: ConfigResult, at, where: str, warnings: list[str]
                ) -> tuple[float, object, np.ndarray, str | None] | None:
    """(frame time, grid, values of ``fig.field``, label) at ``at`` of one configuration.

    A frame that cannot be read gives None and the warning ``<figure>: <where>: <reason>``;
    a frame taken at the nearest output time adds :func:`_frame`'s warning.
    """
    try:
        t, path, warn, label = _frame(fig, res, at)
        grid = read_grid(path)
        vals = _field_values(grid, fig)
    except (AtError, OSError, ValueError) as exc:
        warnings.append(f"{fig.name}: {where}: {exc}")
        return None
    if warn:
        warnings.append(warn)
    return t, grid, vals, label


def radial_bins(points: np.ndarray, values: np.ndarray, centre: np.ndarray, bins: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Values binned by the distance of their points from ``centre``: equal-width bins from
    0 to the largest distance; (bin centres, mean, min, max) of the non-empty bins."""
    r = np.linalg.norm(np.asarray(points, dtype=float) - np.asarray(centre, dtype=float),
                       axis=1)
    edges = np.linspace(0.0, float(r.max()) * (1 + 1e-12), bins + 1)
    idx = np.clip(np.digitize(r, edges) - 1, 0, bins - 1)
    mid, mean, lo, hi = [], [], [], []
    for b in range(bins):
        sel = values[idx == b]
        if sel.size:
            mid.append(0.5 * (edges[b] + edges[b + 1]))
            mean.append(sel.mean())
            lo.append(sel.min())
            hi.append(sel.max())
    return np.array(mid), np.array(mean), np.array(lo), np.array(hi)


def draw_radial_profile(fig: Figure, ref: Reference, results: dict[str, ConfigResult],
                        out: Path) -> tuple[list[Path], list[str]]:
    plt = _plt()
    warnings = []
    labels = [lab for lab in _labels(fig, ref, results) if results[lab].ok]
    for lab in _labels(fig, ref, results):
        if lab not in labels:
            warnings.append(f"{fig.name}: {lab} has no results ({results[lab].status})")
    if not labels:
        return [], warnings + [f"{fig.name}: nothing to draw"]
    centre = np.zeros(3)
    if fig.centre:
        centre[: len(fig.centre)] = fig.centre
    unit = fig.unit or column_unit(fig.field) or "-"
    fig_, axes = plt.subplots(1, len(labels), figsize=(4.2 * len(labels) + 0.6, 4.2),
                              sharey=True, squeeze=False)
    drawn = 0
    for ax, lab in zip(axes[0], labels):
        res = results[lab]
        for at in fig.at_list:
            frame = _read_field(fig, res, at, f"{lab} at {at}", warnings)
            if frame is None:
                continue
            t, grid, vals, label = frame
            mid, mean, lo, hi = radial_bins(np.asarray(grid.points), vals, centre, fig.bins)
            mid = mid * 1e6  # µm
            line, = ax.plot(mid, mean, "-", label=label or f"{at} (t = {t:.4g} s)")
            ax.fill_between(mid, lo, hi, color=line.get_color(), alpha=0.15, linewidth=0)
            drawn += 1
        ax.set_title(lab, fontsize=10)
        ax.set_xlabel("distance from the centre [µm]")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel(axis_label(fig.field, unit) + "  (bin mean; band: min..max)")
    if fig.title:
        fig_.suptitle(fig.title, fontsize=10)
    fig_.tight_layout()
    if not drawn:
        plt.close(fig_)
        return [], warnings + [f"{fig.name}: nothing to draw"]
    path = out / f"{fig.name}.png"
    fig_.savefig(path, dpi=120)
    plt.close(fig_)
    return [path], warnings


def draw_section(fig: Figure, ref: Reference, results: dict[str, ConfigResult], out: Path
                 ) -> tuple[list[Path], list[str]]:
    from solver.outputs.pictures import draw_fields
    from solver.outputs.replot import _mode

    plt = _plt()
    warnings = []
    unit = fig.unit or column_unit(fig.field) or "-"
    shown = axis_label(fig.field, unit)
    at = fig.at_list[0]
    if len(fig.at_list) > 1:
        warnings.append(f"{fig.name}: a section is drawn at one time; using {at}")
    panels = []  # (configuration, grid, mode, t, what the frame shows)
    for lab in _labels(fig, ref, results):
        res = results[lab]
        if not res.ok:
            warnings.append(f"{fig.name}: {lab} has no results ({res.status})")
            continue
        frame = _read_field(fig, res, at, lab, warnings)
        if frame is None:
            continue
        t, grid, vals, label = frame
        grid = grid.copy()
        grid.point_data[shown] = vals
        panels.append((lab, grid, res.mode or _mode(res.results, grid), t, label))
    if not panels:
        return [], warnings + [f"{fig.name}: nothing to draw"]
    lo = min(float(np.min(p[1].point_data[shown])) for p in panels)
    hi = max(float(np.max(p[1].point_data[shown])) for p in panels)
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0 if math.isfinite(lo) else 1.0
    images = []
    with tempfile.TemporaryDirectory() as tmp:
        for lab, grid, mode, t, label in panels:
            title = f"{lab}: {label}" if label else f"{lab}: t = {t:.4g} s"
            png = draw_fields(grid, mode, [shown], Path(tmp) / lab, title, clim=(lo, hi))
            if png:
                images.append((lab, plt.imread(str(png[0]))))
    if not images:
        return [], warnings + [f"{fig.name}: nothing drawn"]
    ncol = min(len(images), 4)
    nrow = math.ceil(len(images) / ncol)
    fig_, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 3.2 * nrow), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (lab, img) in zip(axes.flat, images):
        ax.imshow(img)
        ax.set_title(lab, fontsize=10)
    fig_.suptitle((fig.title + "\n" if fig.title else "")
                  + f"{shown} at {at}; one colour scale {lo:.4g} .. {hi:.4g} {unit}", fontsize=9)
    fig_.tight_layout()
    path = out / f"{fig.name}.png"
    fig_.savefig(path, dpi=130)
    plt.close(fig_)
    return [path], warnings


DRAWERS = {"history": draw_history, "radial_profile": draw_radial_profile,
           "section": draw_section}


def draw_figures(ref: Reference, results: dict[str, ConfigResult], out: Path
                 ) -> tuple[list[Path], list[str]]:
    """Every figure of the reference; (written files, warnings)."""
    out.mkdir(parents=True, exist_ok=True)
    written, warnings = [], []
    for fig in ref.figures:
        try:
            files, warns = DRAWERS[fig.kind](fig, ref, results, out)
        except Exception as exc:  # a figure must never lose the comparison
            files, warns = [], [f"{fig.name}: not drawn ({type(exc).__name__}: {exc})"]
        written += files
        warnings += warns
    return written, warnings
