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
    """Read a ``history.csv`` back as a list of float dicts."""
    with open(path, newline="") as fh:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(fh)]
