"""``chemomech plot RESULTS``: redraw the standard PNGs from saved results (no re-run).

From ``history.csv``: the chosen stress metrics against time and against capacity
(``stress_vs_time.png``, ``stress_vs_capacity.png``; matplotlib). From the last dataset of
``fields.pvd``: θ and von Mises stress on the cut/symmetry planes (octant: the three symmetry
planes; 3D: a clip through the centre; axisymmetric: the mirrored (r, z) section), drawn
with pyvista off-screen. No dolfinx needed. Everything goes to ``RESULTS/png/``.
"""

from __future__ import annotations

import csv
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

from solver.batch.sweep import SweepError

FIELDS = ["Von Mises stress [Pa]", "Lithiation fraction [-]"]


def _read_history(path: Path) -> tuple[list[str], list[dict[str, float]]]:
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        cols = list(reader.fieldnames or [])
        rows = []
        for row in reader:
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
    """Stress metrics vs time and vs capacity (two PNGs)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols, rows = _read_history(results / "history.csv")
    chosen = [_match(m, cols) for m in metrics] if metrics else default_metrics(cols)
    out = results / "png"
    out.mkdir(exist_ok=True)
    written = []
    for xcol, xlabel, scale, name in (
        ("time [s]", "time [h]", 1 / 3600.0, "stress_vs_time.png"),
        ("capacity [A h/g]", "capacity [mA h/g]", 1000.0, "stress_vs_capacity.png"),
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


def last_dataset(results: Path) -> tuple[Path, float]:
    """The file of the last time step listed in ``fields.pvd`` and its time."""
    pvd = results / "fields.pvd"
    if not pvd.exists():
        raise SweepError(f"{results}: no fields.pvd (run with output.formats including vtk)")
    root = ET.parse(pvd).getroot()
    sets = [(float(d.get("timestep", "0")), d.get("file")) for d in root.iter("DataSet")]
    if not sets:
        raise SweepError(f"{pvd}: lists no datasets")
    t, name = max(sets, key=lambda s: s[0])
    return pvd.parent / name, t


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


def plot_fields(results: Path, names: list[str] = FIELDS) -> list[Path]:
    """θ and von Mises at the last written time on the cut/symmetry planes."""
    from solver.outputs.pictures import _pyvista, draw_fields

    pyvista = _pyvista()
    path, t = last_dataset(results)
    data = pyvista.read(str(path))
    if isinstance(data, pyvista.MultiBlock):
        data = data.combine()
    grid = data.cell_data_to_point_data() if not data.point_data else data
    mode = _mode(results, grid)
    return draw_fields(grid, mode, names, results / "png", f"t = {t:.4g} s ({mode}, µm)")


def replot(results: str | Path, metrics: list[str] | None = None) -> list[Path]:
    """Redraw every standard PNG of a results directory; returns the written files."""
    results = Path(results)
    if not (results / "history.csv").exists():
        raise SweepError(f"{results}: no history.csv (not a chemomech results directory)")
    written = plot_history(results, metrics)
    if (results / "fields.pvd").exists():
        written += plot_fields(results)
    return written
