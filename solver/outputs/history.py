"""``history.csv``: one row per time step, flushed at once so a crash loses nothing."""

from __future__ import annotations

import csv
import math
from pathlib import Path


class HistoryWriter:
    """Append-only CSV writer used on rank 0 (other ranks pass ``enabled=False``).

    The columns are fixed by the first row; their names carry units (``time [s]``).
    """

    def __init__(self, path: Path, enabled: bool):
        self.path = Path(path)
        self.enabled = enabled
        self.columns: list[str] | None = None
        self._file = None
        self._writer = None
        self.rows: list[dict] = []

    def resume(self, rows: list[dict]) -> None:
        """Continue an existing file after a restart: keep exactly ``rows`` (those up to the
        checkpoint; later ones, written before a crash, are dropped) and append after them."""
        self.rows = [dict(r) for r in rows]
        if not rows:
            return
        self.columns = list(rows[0])
        if self.enabled:
            tmp = self.path.with_suffix(".csv.tmp")
            with open(tmp, "w", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(self.columns)
                for r in rows:
                    w.writerow([_fmt(r[c]) for c in self.columns])
            tmp.replace(self.path)
            self._file = open(self.path, "a", newline="")
            self._writer = csv.writer(self._file)

    def append(self, row: dict) -> None:
        self.rows.append(dict(row))
        if not self.enabled:
            return
        if self.columns is None:
            self.columns = list(row)
            self._file = open(self.path, "w", newline="")
            self._writer = csv.writer(self._file)
            self._writer.writerow(self.columns)
        self._writer.writerow([_fmt(row.get(c, math.nan)) for c in self.columns])
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _fmt(value) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def read_history(path: Path) -> list[dict[str, float]]:
    """Read a ``history.csv`` back as a list of dicts (floats; integer columns as int). A last
    row cut short (a run killed while writing it) is left out."""
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for i, row in enumerate(rows):
        try:
            out.append({k: (int(v) if v.lstrip("-").isdigit() else float(v))
                        for k, v in row.items()})
        except (AttributeError, TypeError, ValueError):
            if i < len(rows) - 1:
                raise ValueError(f"{path}: row {i + 1} is not a row of numbers") from None
    return out
