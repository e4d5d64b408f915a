"""Synthetic results folders for the compare tests (no FE run)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml


def write_results(folder: Path, columns: dict[str, list[float]], status: str = "completed",
                  case_hash: str | None = "h", output_times: list[float] | None = None,
                  mode: str = "axisymmetric") -> Path:
    """A results folder as ``chemomech run`` writes it: history.csv, summary.json and
    case.resolved.yaml (time.output_times only)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = list(columns)
    n = len(columns[names[0]])
    with open(folder / "history.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["step", *names])
        for i in range(n):
            w.writerow([i, *(repr(float(columns[c][i])) for c in names)])
    final = {c: columns[c][-1] for c in names}
    (folder / "summary.json").write_text(json.dumps({
        "status": status, "error": None if status == "completed" else "boom",
        "case": {"hash": case_hash}, "mesh": {"mode": mode},
        "run": {"steps": n - 1, "wall_time_s": 1.0}, "final": final}))
    (folder / "case.resolved.yaml").write_text(
        yaml.safe_dump({"time": {"output_times": output_times}}))
    return folder


def linear_history(scale: float = 1.0, n: int = 11, y=None) -> dict[str, list[float]]:
    """t = 0..10 s; capacity 0.1 t A h/g; mean theta 0.05 t; measure y [Pa] = scale (2 t + 1)
    (or ``y(t)``): linear in t, so linear interpolation is exact."""
    ts = [float(i) for i in range(n)]
    f = y or (lambda t: 2.0 * t + 1.0)
    return {"time [s]": ts, "capacity [A h/g]": [0.1 * t for t in ts],
            "mean lithiation fraction [-]": [0.05 * t for t in ts],
            "measure y [Pa]": [scale * f(t) for t in ts]}


def write_reference(folder: Path, data: dict, cases: dict[str, str] | None = None) -> Path:
    """reference.yaml in ``folder``; empty case files for its configurations (or ``cases``
    as file name -> text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for label, name in data.get("configurations", {}).items():
        path = folder / name
        if not path.exists():
            path.write_text((cases or {}).get(name, "# placeholder\n"))
    ref = folder / "reference.yaml"
    ref.write_text(yaml.safe_dump(data, sort_keys=False))
    return ref


BASE = {
    "kind": "reference",
    "paper": "Synthetic paper",
    "baseline": "A",
    "configurations": {"A": "a.yaml", "B": "b.yaml"},
    "quantities": {
        "y": {"column": "measure y [Pa]", "at": "end", "unit": "kPa",
              "reported": {"A": 2.0, "B": 4.0}},
    },
    "orderings": [{"name": "B above A", "quantity": "y", "descending": ["B", "A"]}],
}


@pytest.fixture
def base_reference():
    import copy

    return copy.deepcopy(BASE)


@pytest.fixture
def synth():
    """The helpers above (``synth.write_results`` …): conftest modules are not importable
    by name here (several folders have one)."""
    from types import SimpleNamespace

    return SimpleNamespace(write_results=write_results, linear_history=linear_history,
                           write_reference=write_reference)
