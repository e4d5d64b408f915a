"""End to end: the field files open in Debian's ParaView 5.11 with every field at every time.

A small axisymmetric case is run through the CLI; Debian's ``pvpython`` then reads
``fields.xdmf`` and ``fields.pvd`` with ``tests/regression/pvpython_read.py`` (which updates
the pipeline at each time value and prints the arrays as JSON). Skipped without ``pvpython``.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
READER = Path(__file__).with_name("pvpython_read.py")
OUTPUT_EVERY = 3

POINT_FIELDS = [
    "Lithiation fraction [-]",
    "Li concentration [mol/m^3]",
    "Displacement [m]",
    "Von Mises stress [Pa]",
    "Hydrostatic stress [Pa]",
    "First principal stress [Pa]",
    "Radial stress [Pa]",
    "Hoop stress [Pa]",
    "Volumetric strain [-]",
]
THETA = "Lithiation fraction [-]"
REGION = "Region [-]"

pytestmark = pytest.mark.paraview


def _pvpython() -> str:
    exe = shutil.which("pvpython")
    if exe is None:
        pytest.skip("pvpython not found: apt-get install paraview (Debian) to run this test")
    return exe


def _chemomech() -> list[str]:
    exe = Path(sys.executable).with_name("chemomech")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "solver"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Run the small case once; returns (out_dir, summary, expected output times)."""
    _pvpython()  # skip before spending time on the run
    tmp = tmp_path_factory.mktemp("paraview")
    case = yaml.safe_load((ROOT / "cases" / "default.yaml").read_text())
    case["geometry"]["mode"] = "axisymmetric"
    case["mesh"] = {"size": "1 um"}
    case["stop"] = {"mean_theta": 0.2}
    case["time"]["output_every"] = OUTPUT_EVERY
    case["output"]["formats"] = ["xdmf", "vtk"]
    case["output"]["pictures"] = False
    for probe in case["output"].get("probes", []):  # (r, z) in the axisymmetric mode
        probe["point"] = probe["point"][:2]
    case_file = tmp / "case.yaml"
    case_file.write_text(yaml.safe_dump(case, sort_keys=False))
    out = tmp / "out"
    proc = subprocess.run(
        [*_chemomech(), "run", str(case_file), "--out", str(out), "--quiet"],
        capture_output=True, text=True, timeout=120, cwd=tmp,
    )
    assert proc.returncode == 0, f"chemomech failed:\n{proc.stdout}\n{proc.stderr}"
    summary = json.loads((out / "summary.json").read_text())
    with open(out / "history.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, "history.csv is empty"
    # fields are written at t = 0, every OUTPUT_EVERY-th step and at the final step
    expected = [
        float(r["time [s]"])
        for i, r in enumerate(rows)
        if int(r["step"]) % OUTPUT_EVERY == 0 or i == len(rows) - 1
    ]
    assert int(rows[0]["step"]) == 0 and float(rows[0]["time [s]"]) == 0.0
    return out, summary, expected


@functools.lru_cache(maxsize=None)  # each file is read once per session
def _read_with_paraview(path: Path) -> dict:
    env = {
        k: v for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
        and not k.startswith(("PMI_", "HYDRA_", "OMPI_"))  # in case pytest runs under mpiexec
    }
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin
    )
    proc = subprocess.run(
        [_pvpython(), str(READER), str(path)],
        capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, (
        f"pvpython could not read {path.name} (rc {proc.returncode}):\n"
        f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert lines, f"pvpython printed nothing for {path.name}:\n{proc.stderr[-3000:]}"
    return json.loads(lines[-1])


def _check_common(doc: dict, summary: dict, expected: list[float]) -> None:
    name = Path(doc["file"]).name
    times = doc["times"]
    assert len(times) == len(expected), f"{name}: ParaView times {times}, expected {expected}"
    for got, want in zip(times, expected):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (name, times, expected)
    assert len(doc["steps"]) == len(expected)
    n_vertices = summary["mesh"]["vertices"]
    for step in doc["steps"]:
        t = step["time"]
        if step["data_time"] is not None:
            assert step["data_time"] == pytest.approx(t, rel=1e-9, abs=1e-12), (name, step)
        pdata = step["point_data"]
        missing = [f for f in POINT_FIELDS if f not in pdata]
        assert not missing, f"{name} at t = {t}: point arrays {sorted(pdata)} lack {missing}"
        for f in POINT_FIELDS:
            assert pdata[f]["tuples"] == n_vertices, (name, t, f, pdata[f])
            assert pdata[f]["min"] is not None and math.isfinite(pdata[f]["min"]), (name, t, f)
            assert math.isfinite(pdata[f]["max"]), (name, t, f)
        assert pdata["Displacement [m]"]["components"] == 3  # ParaView pads 2D vectors to 3
    first, last = doc["steps"][0]["point_data"][THETA], doc["steps"][-1]["point_data"][THETA]
    assert first["min"] == 0.0 and first["max"] == 0.0, f"{name}: θ at t = 0 is {first}"
    assert last["max"] <= 1.0, f"{name}: θ > 1 at the last time: {last}"
    assert last["max"] > first["max"], f"{name}: θ did not grow: {first} → {last}"
    assert last["mean"] > first["mean"], f"{name}: mean θ did not grow: {first} → {last}"


def test_xdmf_opens_in_paraview(results):
    out, summary, expected = results
    doc = _read_with_paraview(out / "fields.xdmf")
    _check_common(doc, summary, expected)
    core = summary["mesh"]["regions"]["core"]
    n_cells = summary["mesh"]["cells"]
    for step in doc["steps"]:
        cdata = step["cell_data"]
        assert REGION in cdata, f"t = {step['time']}: cell arrays {sorted(cdata)} lack {REGION}"
        assert cdata[REGION]["tuples"] == n_cells, step
        assert cdata[REGION]["min"] == core and cdata[REGION]["max"] == core, cdata[REGION]


def test_pvd_opens_in_paraview(results):
    out, summary, expected = results
    doc = _read_with_paraview(out / "fields.pvd")
    _check_common(doc, summary, expected)


def test_xdmf_and_pvd_agree(results):
    """Both files hold the same P1 values (the XDMF is read in single precision, see below)."""
    out, _, _ = results
    xdmf = _read_with_paraview(out / "fields.xdmf")
    pvd = _read_with_paraview(out / "fields.pvd")
    for sx, sp in zip(xdmf["steps"], pvd["steps"]):
        for f in POINT_FIELDS:
            a, b = sx["point_data"][f], sp["point_data"][f]
            scale = max(abs(b["min"]), abs(b["max"]), 1e-300)
            for key in ("min", "max"):
                # dolfinx writes the XDMF DataItems without NumberType/Precision, which XDMF
                # reads as Float32: ParaView gets ~7 significant digits from fields.xdmf
                assert a[key] == pytest.approx(b[key], rel=1e-6, abs=1e-6 * scale), (
                    sx["time"], f, key, a, b)
