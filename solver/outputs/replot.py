"""``chemomech plot RESULTS``: redraw the standard PNGs from saved results (no re-run).

From ``history.csv``: the chosen stress metrics against time and against capacity
(``stress_vs_time.png``, ``stress_vs_capacity.png``; matplotlib). From the last dataset of
``fields.pvd``: θ, von Mises and hydrostatic stress on the cut/symmetry planes (octant: the
three symmetry planes; 3D: the cut through the centre; axisymmetric: the mirrored (r, z)
section), drawn with pyvista off-screen; and, as the run draws them, the same of the frame of
largest max von Mises (``*_at_peak``) when it lies before the end and over 1 % above it.
No dolfinx needed. Everything goes to ``RESULTS/png/``.

What can be drawn is drawn: a broken part (an empty ``history.csv``; a dataset or piece file
that ``fields.pvd`` lists but that is missing or unreadable) is skipped, and :func:`replot`
then raises one :class:`SweepError` (exit 2) with one line per skipped part.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

from solver.batch.sweep import SweepError
from solver.outputs.pictures import (
    HISTORY_PICTURES,
    PICTURED_FIELDS,
    draws_peak,
    max_von_mises,
)

_PARALLEL = (".pvtu", ".pvtp", ".pvts", ".pvti", ".pvtr")


class EmptyHistory(SweepError):
    """``history.csv`` is unreadable or has no data rows: the history plots cannot be
    drawn."""


def _read_history(path: Path) -> tuple[list[str], list[dict[str, float]]]:
    """(columns, rows of floats; NaN where a value is not a number).

    Raises:
        SweepError: the file is unreadable (one line naming it; see ``result_files``).
    """
    from solver.outputs.result_files import read_csv

    cols, raw = read_csv(path)
    rows = []
    for row in raw:
        rec = {}
        for k, v in row.items():
            try:
                rec[k] = float(v)
            except (TypeError, ValueError):
                rec[k] = math.nan
        rows.append(rec)
    return cols, rows


def default_metrics(columns: list[str]) -> list[str]:
    """Every region's (and surface's) max von Mises stress column."""
    found = [c for c in columns if c.endswith(": max Von Mises stress [Pa]")]
    return found or [c for c in columns if c.endswith("[Pa]")][:4]


def _match(metric: str, columns: list[str]) -> str:
    if metric in columns:
        return metric
    hits = [c for c in columns if metric.lower() in c.lower()]
    if len(hits) == 1:
        return hits[0]
    import difflib

    close = difflib.get_close_matches(metric, columns, n=3, cutoff=0.4)
    if hits:
        close = hits[:3]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise SweepError(f"--metric {metric!r}: no such history.csv column{hint}")


def plot_history(results: Path, metrics: list[str] | None = None) -> list[Path]:
    """Stress metrics vs time and vs capacity (two PNGs).

    Raises:
        EmptyHistory: ``history.csv`` is unreadable, empty or has only a header.
        SweepError: a ``metrics`` entry names no column.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = results / "history.csv"
    try:
        cols, rows = _read_history(path)
    except SweepError as exc:  # not UTF-8, a directory, …: one line, the fields still drawn
        raise EmptyHistory(f"{exc}; history plots not drawn") from None
    if not cols:
        raise EmptyHistory(f"{path}: empty file (no header, no rows); history plots not drawn")
    chosen = [_match(m, cols) for m in metrics] if metrics else default_metrics(cols)
    if not rows:
        raise EmptyHistory(f"{path}: only a header, no data rows; history plots not drawn")
    out = results / "png"
    out.mkdir(exist_ok=True)
    written = []
    for xcol, xlabel, scale, name in (
        ("time [s]", "time [h]", 1 / 3600.0, HISTORY_PICTURES[0]),
        ("capacity [A h/g]", "capacity [mA h/g]", 1000.0, HISTORY_PICTURES[1]),
    ):
        if xcol not in cols:
            continue
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        xs = [r[xcol] * scale for r in rows]
        for m in chosen:
            pa = m.endswith("[Pa]")
            ys = [r[m] / 1e9 if pa else r[m] for r in rows]
            ax.plot(xs, ys, "-", label=m.replace("[Pa]", "[GPa]") if pa else m)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("stress [GPa]" if all(m.endswith("[Pa]") for m in chosen) else "value")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        written.append(out / name)
    return written


def output_formats(results: Path) -> list[str] | None:
    """The run's ``output.formats`` from ``case.resolved.yaml``, else from the field files
    ``summary.json`` lists (``*.pvd``: vtk …); None when neither tells."""
    import yaml

    try:
        case = yaml.safe_load((Path(results) / "case.resolved.yaml").read_text("utf-8"))
        formats = case["output"]["formats"]
        if isinstance(formats, list):
            return [str(f) for f in formats]
    except (OSError, ValueError, yaml.YAMLError, KeyError, TypeError):
        pass
    try:
        fields = json.loads((Path(results) / "summary.json").read_text("utf-8"))["outputs"][
            "fields"]
        kinds = {".pvd": "vtk", ".xdmf": "xdmf", ".bp": "vtx"}
        return sorted({kinds[Path(f).suffix] for f in fields if Path(f).suffix in kinds})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def no_pvd_reason(results: Path) -> str:
    """Why a results directory has no ``fields.pvd``, as far as its files tell: its
    output.formats had no vtk, or they had (deleted? the frames of a restart are then in
    ``fields_r<k>.pvd``), or unknown."""
    formats = output_formats(results)
    if formats is None:
        return "it is written when output.formats includes vtk"
    if "vtk" not in formats:
        return "the run's output.formats had no vtk"
    restarts = sorted(p.name for p in Path(results).glob("fields_r[0-9]*.pvd"))
    return ("although the run's output.formats include vtk: deleted?"
            + (f"; {', '.join(restarts)} lists the frames of the restarted part"
               if restarts else ""))


def last_dataset(results: Path) -> tuple[Path, float]:
    """The file of the last time step listed in ``fields.pvd`` and its time."""
    t, name = max(_datasets(results), key=lambda s: s[0])
    return results / name, t


def peak_dataset(results: Path) -> tuple[Path, float, float] | None:
    """(file, time, max von Mises [Pa]) of the written frame whose history row has the
    largest max von Mises, when the run draws its ``*_at_peak`` pictures: a frame before the
    end, over 1 % above the end state; else None (also without a readable history)."""
    try:
        _, rows = _read_history(results / "history.csv")
    except SweepError:
        return None
    if not rows:
        return None
    end_t = rows[-1].get("time [s]", math.nan)
    best = None
    for t, name in _datasets(results):
        row = next((r for r in rows if math.isclose(r.get("time [s]", math.nan), t,
                                                    rel_tol=1e-9, abs_tol=1e-300)), None)
        value = max_von_mises(row) if row is not None else None
        if value is not None and t < end_t and (best is None or value > best[2]):
            best = (results / name, t, value)
    if best is None or not draws_peak(best[1], best[2], end_t, max_von_mises(rows[-1])):
        return None
    return best


def _datasets(results: Path) -> list[tuple[float, str]]:
    """(time, file) of every dataset ``fields.pvd`` lists."""
    pvd = results / "fields.pvd"
    if not pvd.exists():
        raise SweepError(f"{results}: no fields.pvd ({no_pvd_reason(results)})")
    try:
        root = ET.parse(pvd).getroot()
        sets = [(float(d.get("timestep", "0")), d.get("file")) for d in root.iter("DataSet")
                if d.get("file")]
    except (ET.ParseError, ValueError, OSError) as exc:
        raise SweepError(f"{pvd}: cannot read it ({exc})") from None
    if not sets:
        raise SweepError(f"{pvd}: lists no datasets")
    return sets


def _pieces(path: Path) -> list[Path]:
    """The piece files a parallel VTK file (``.pvtu`` …) lists; [] for other files."""
    if path.suffix.lower() not in _PARALLEL:
        return []
    try:
        sources = [p.get("Source") for p in ET.parse(path).getroot().iter("Piece")]
    except ET.ParseError as exc:
        raise SweepError(f"{path}: cannot read it ({exc})") from None
    if not sources:
        raise SweepError(f"{path}: lists no piece files")
    return [path.parent / (s or "?") for s in sources]


def _check_files(path: Path) -> None:
    """Raise SweepError naming ``path`` or the first of its piece files that is missing."""
    if not path.is_file():
        raise SweepError(f"{path}: no such file (the last dataset listed in fields.pvd)")
    for piece in _pieces(path):
        if not piece.is_file():
            raise SweepError(f"{piece}: no such file "
                             f"(a piece of {path.name}, the last dataset in fields.pvd)")


def _read_grid(path: Path):
    """The dataset at ``path`` as one pyvista grid; SweepError (one line) if unreadable.

    A missing file or piece file is named; so is the first unreadable piece of a parallel
    file. VTK's own messages about the broken file are silenced.
    """
    _check_files(path)
    try:
        data = _read_quietly(path)
    except SweepError:
        for piece in _pieces(path):
            try:
                _read_quietly(piece)
            except SweepError as exc:
                raise SweepError(f"{exc} (a piece of {path.name})") from None
        raise
    return data


def _read_quietly(path: Path):
    from solver.outputs.pictures import _pyvista
    from vtkmodules.vtkCommonCore import vtkObject

    pyvista = _pyvista()
    shown = vtkObject.GetGlobalWarningDisplay()
    vtkObject.GlobalWarningDisplayOff()  # a broken file: our one line, not VTK's
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyvista repeats VTK's reader errors as warnings
            data = pyvista.read(str(path))
            if isinstance(data, pyvista.MultiBlock):
                data = data.combine()
    except Exception as exc:  # noqa: BLE001  (any reader failure is reported in one line)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SweepError(f"{path}: cannot read it ({reason})") from None
    finally:
        vtkObject.SetGlobalWarningDisplay(shown)
    if data is None or not data.n_points:
        raise SweepError(f"{path}: cannot read it (no points)")
    return data


def _mode(results: Path, grid) -> str:
    try:
        mode = json.loads((results / "summary.json").read_text())["mesh"]["mode"]
        if mode:
            return mode
    except (OSError, ValueError, KeyError, TypeError):
        pass
    b = grid.bounds
    if abs(b[5] - b[4]) <= 1e-12 * max(abs(b[1] - b[0]), 1e-30):
        return "axisymmetric"
    return "octant" if min(b[0], b[2], b[4]) >= -1e-12 * max(b) else "3d"


def plot_fields(results: Path, names: list[str] = PICTURED_FIELDS) -> list[Path]:
    """θ and von Mises at the last written time on the cut/symmetry planes.

    Raises:
        SweepError: the last dataset of ``fields.pvd`` (or one of its piece files) is
            missing or unreadable, or holds none of ``names``.
    """
    from solver.outputs.pictures import AT_PEAK, draw_fields

    path, t = last_dataset(results)
    grid = _field_grid(path, names)
    mode = _mode(results, grid)
    written = draw_fields(grid, mode, names, results / "png", _frame_title(results, t, mode))
    peak = peak_dataset(results)
    if peak is not None:  # as the run draws them
        path, t, vm = peak
        title = _frame_title(results, t, mode).replace(
            "last written frame: ", "at ") + (f"\nthe written frame of largest max von Mises "
                                           f"({vm / 1e9:.3g} GPa element-wise, as in "
                                           "history.csv; drawn: nodal averages)")
        written += draw_fields(_field_grid(path, names), mode, names, results / "png", title,
                               suffix=AT_PEAK)
    return written


def _field_grid(path: Path, names: list[str]):
    """The dataset at ``path`` with point fields, holding at least one of ``names``."""
    data = _read_grid(path)
    grid = data.cell_data_to_point_data() if not data.point_data else data
    if not any(n in grid.point_data for n in names):
        raise SweepError(f"{path}: holds none of the fields {', '.join(names)}")
    return grid


def _frame_title(results: Path, t: float, mode: str) -> str:
    """The picture title of the frame at ``t``: the case title (case.resolved.yaml) and the
    mean θ of its history row, as the run draws them; what cannot be read is left out."""
    import yaml

    title = ""
    try:
        case = yaml.safe_load((results / "case.resolved.yaml").read_text(encoding="utf-8"))
        title = str(case.get("title") or "") if isinstance(case, dict) else ""
    except (OSError, ValueError, yaml.YAMLError):
        pass
    mean = ""
    try:
        _, rows = _read_history(results / "history.csv")
    except SweepError:
        rows = []
    at = [r for r in rows if math.isclose(r.get("time [s]", math.nan), t, rel_tol=1e-9,
                                          abs_tol=1e-300)]
    if at and math.isfinite(at[-1].get("mean lithiation fraction [-]", math.nan)):
        mean = f", mean theta {at[-1]['mean lithiation fraction [-]']:.3f}"
    line = f"last written frame: t = {t:.4g} s{mean} ({mode}, µm)"
    return f"{title}\n{line}" if title else line


def replot(results: str | Path, metrics: list[str] | None = None) -> list[Path]:
    """Redraw every standard PNG of a results directory; returns the written files.

    The history plots and the field pictures are drawn independently: when one part cannot
    be drawn (empty ``history.csv``; missing or unreadable field files) the other still is,
    and then a SweepError (exit 2) is raised with one line per skipped part, each naming
    the file and what was written instead. A ``--metric`` naming no column stops at once.
    """
    results = Path(results)
    if not (results / "history.csv").exists():
        raise SweepError(f"{results}: no history.csv (not a chemomech results directory)")
    written: list[Path] = []
    problems: list[str] = []
    try:
        written += plot_history(results, metrics)
    except EmptyHistory as exc:  # (a --metric naming no column is not caught: exit 2 at once)
        problems += exc.lines
    if (results / "fields.pvd").exists():
        try:
            written += plot_fields(results)
        except SweepError as exc:
            problems += [f"{line}; field pictures not drawn" for line in exc.lines]
    if problems:
        done = ", ".join(p.name for p in written)
        raise SweepError([f"{line} ({'written: ' + done if done else 'nothing drawn'})"
                          for line in problems])
    return written
