"""``chemomech plot`` and ``chemomech paraview`` on small synthetic results directories.

No solver run: a ball of radius 2 µm (coordinates in m, like the solver's output) carries
θ = (r/R)² and von Mises = 1 GPa (r/R)², written as the solver writes them (``fields.pvd``
→ ``fieldsNNNNNN.pvtu`` → ``fields_p0_NNNNNN.vtu``), with a ``history.csv`` and a
``summary.json`` giving the geometry mode.

Checked: full-3D pictures and the ParaView script look at the flat cut face through the
centre (where θ = 0), not at the outside of the kept half; missing field files, an empty or
header-only ``history.csv`` give one error line naming the file (no traceback), the parts
that can be drawn are drawn, and the exit code is 2.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chemomech_testing import ROOT, chemomech_cmd

R = 2e-6
FIELD_NAMES = ["Lithiation fraction [-]", "Von Mises stress [Pa]"]
HISTORY = ("step,time [s],capacity [A h/g],core: max Von Mises stress [Pa]\n"
           "0,0.0,0.0,0.0\n1,100.0,0.01,1.0e8\n2,200.0,0.02,3.0e8\n")
PVTU = """<?xml version="1.0"?>
<VTKFile type="PUnstructuredGrid" version="1.0">
  <PUnstructuredGrid GhostLevel="0">
    <PPointData>
{arrays}
    </PPointData>
    <PPoints>
      <PDataArray type="Float64" NumberOfComponents="3" />
    </PPoints>
    <Piece Source="{piece}" />
  </PUnstructuredGrid>
</VTKFile>
"""


def cli(*args, timeout=300):
    return subprocess.run([*chemomech_cmd(), *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def _ball():
    """An unstructured ball of radius R (m) centred at 0 with a vertex at the centre."""
    import pyvista

    n = 17
    h = 2 * R / (n - 1)
    box = pyvista.ImageData(dimensions=(n, n, n), spacing=(h, h, h), origin=(-R, -R, -R))
    box.point_data["r"] = np.linalg.norm(box.points, axis=1)
    ball = box.clip_scalar(scalars="r", value=R * 0.999, invert=True)
    rr = (np.asarray(ball.point_data["r"]) / R) ** 2
    ball.clear_data()
    ball.point_data["Lithiation fraction [-]"] = rr
    ball.point_data["Von Mises stress [Pa]"] = 1e9 * rr
    return ball


def make_results(root: Path, mode: str = "3d") -> Path:
    """A results directory with two field datasets (t = 0 and t = 200 s)."""
    root.mkdir(parents=True)
    ball = _ball()
    arrays = "\n".join(f'      <PDataArray type="Float64" Name="{n}" NumberOfComponents="1" />'
                       for n in FIELD_NAMES)
    sets = []
    for i, t in enumerate((0.0, 200.0)):
        grid = ball.copy()
        for name in FIELD_NAMES:
            grid.point_data[name] = np.asarray(grid.point_data[name]) * (t / 200.0)
        piece = f"fields_p0_{i:06d}.vtu"
        grid.save(str(root / piece))
        (root / f"fields{i:06d}.pvtu").write_text(PVTU.format(arrays=arrays, piece=piece))
        sets.append(f'    <DataSet timestep="{t}" part="0" file="fields{i:06d}.pvtu" />')
    (root / "fields.pvd").write_text(
        '<?xml version="1.0"?>\n<VTKFile type="Collection" version="1.0">\n  <Collection>\n'
        + "\n".join(sets) + "\n  </Collection>\n</VTKFile>\n")
    (root / "history.csv").write_text(HISTORY)
    (root / "summary.json").write_text(json.dumps({"mesh": {"mode": mode}}))
    return root


def _pngs(results: Path) -> set[str]:
    return {p.name for p in (results / "png").glob("*.png")} if (results / "png").is_dir() \
        else set()


HISTORY_PNGS = {"stress_vs_time.png", "stress_vs_capacity.png"}
FIELD_PNGS = {"von_mises_stress.png", "lithiation_fraction.png"}


# ---------------------------------------------------------------------------------------
# defect 1: full 3D shows the cut through the centre


def test_3d_picture_shows_the_cut_face(tmp_path):
    """θ = 0 at the centre: the middle of the picture has viridis' lowest colour (on the
    outside of a half ball θ = 1 everywhere, which is yellow)."""
    import matplotlib
    import matplotlib.pyplot as plt

    res = make_results(tmp_path / "r")
    p = cli("plot", res)
    assert p.returncode == 0, p.stdout + p.stderr
    assert _pngs(res) == HISTORY_PNGS | FIELD_PNGS
    img = plt.imread(str(res / "png" / "lithiation_fraction.png"))[..., :3]
    h, w = img.shape[:2]
    centre = img[h // 2 - 15: h // 2 + 15, w // 2 - 15: w // 2 + 15].reshape(-1, 3)
    low = np.asarray(matplotlib.colormaps["viridis"](0.0)[:3])
    high = np.asarray(matplotlib.colormaps["viridis"](1.0)[:3])
    dist = np.linalg.norm(centre.mean(axis=0) - low)
    assert dist < 0.1, (f"centre of the 3D picture is {centre.mean(axis=0)}, not the colour "
                        f"of the centre value θ = 0 {low} (the outside is {high})")


def test_plot_draws_the_peak_frame_as_the_run_does(tmp_path):
    """The run draws ``*_at_peak`` pictures of the written frame of largest max von Mises
    (before the end, over 1 % above it); `chemomech plot` did not, so pictures lost to an
    interrupted run could not all be redrawn."""
    res = make_results(tmp_path / "r")
    p = cli("plot", res)
    assert p.returncode == 0 and _pngs(res) == HISTORY_PNGS | FIELD_PNGS  # rising: no peak
    (res / "history.csv").write_text(HISTORY.replace("0,0.0,0.0,0.0", "0,0.0,0.0,5.0e8"))
    p = cli("plot", res)
    assert p.returncode == 0, p.stdout + p.stderr
    assert _pngs(res) == HISTORY_PNGS | FIELD_PNGS | {
        "von_mises_stress_at_peak.png", "lithiation_fraction_at_peak.png"}


def _pvpython() -> str:
    exe = shutil.which("pvpython")
    if exe is None:
        pytest.skip("pvpython not found: apt-get install paraview (Debian) to run this test")
    return exe


PROBE = r'''
import json, sys
script = sys.argv[1]
ns = {"__file__": script, "__name__": "__main__"}
exec(compile(open(script).read(), script, "exec"), ns)
from paraview.simple import GetColorTransferFunction
shown, view = ns["shown"], ns["view"]
pts = GetColorTransferFunction(ns["FIELD"]).RGBPoints
print(json.dumps({"bounds": list(shown.GetDataInformation().GetBounds()),
                  "camera": list(view.CameraPosition), "focal": list(view.CameraFocalPoint),
                  "lut": [pts[0], pts[-4]]}))
'''


@pytest.mark.paraview
def test_paraview_script_looks_at_the_cut_face(tmp_path):
    """The kept half lies on one side of the plane y = 0; the camera must be on the other
    side (where the cut face's outward normal points), and the colour range is the cut
    face's: it starts at the centre value 0."""
    pvpython = _pvpython()
    res = make_results(tmp_path / "r")
    p = cli("paraview", res)
    assert p.returncode == 0, p.stdout + p.stderr
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    env = _pv_env()
    run = subprocess.run([pvpython, str(probe), str(res / "open_in_paraview.py")],
                         capture_output=True, text=True, timeout=300, env=env,
                         stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    doc = json.loads([ln for ln in run.stdout.splitlines() if ln.startswith("{")][-1])
    ymin, ymax = doc["bounds"][2:4]
    tol = 1e-6 * R
    assert ymin >= -tol or ymax <= tol, f"not a half cut at y = 0: y in [{ymin}, {ymax}]"
    kept_side = 1.0 if ymin >= -tol else -1.0  # the kept half is y >= 0 (+1) or y <= 0 (-1)
    outward = -kept_side  # the cut face's outward normal (y component)
    eye = doc["camera"][1] - doc["focal"][1]
    half = "y >= 0" if kept_side > 0 else "y <= 0"
    assert eye * outward > 0, (
        f"camera at {doc['camera']} looks at the outside of the half {half}, not its cut face")
    lo, hi = doc["lut"]
    assert lo == pytest.approx(0.0, abs=1e-3 * 1e9), doc["lut"]  # the centre value
    assert hi > 0.9e9, doc["lut"]


# ---------------------------------------------------------------------------------------
# defects 2 and 3: broken results directories


def _one_error_line(p) -> str:
    assert "Traceback" not in p.stderr, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


@pytest.mark.parametrize("name, damage, words", [
    ("fields000001.pvtu", None, "no such file"),  # the dataset fields.pvd lists
    ("fields_p0_000001.vtu", None, "no such file"),  # a piece of it
    ("fields_p0_000001.vtu", "not a VTK file\n", "cannot read"),
], ids=["missing_dataset", "missing_piece", "unreadable_piece"])
def test_plot_broken_field_file(tmp_path, name, damage, words):
    res = make_results(tmp_path / "r")
    if damage is None:
        (res / name).unlink()
    else:
        (res / name).write_text(damage)
    p = cli("plot", res)
    assert p.returncode == 2, p.stdout + p.stderr
    line = _one_error_line(p)
    assert name in line and words in line, line
    assert "field pictures not drawn" in line and "stress_vs_time.png" in line, line
    assert _pngs(res) == HISTORY_PNGS  # the history plots are still drawn


@pytest.mark.parametrize("content, words", [("", "empty file"),
                                             (HISTORY.splitlines()[0] + "\n", "only a header")],
                         ids=["empty", "header_only"])
def test_plot_history_without_rows(tmp_path, content, words):
    res = make_results(tmp_path / "r")
    (res / "history.csv").write_text(content)
    p = cli("plot", res)
    assert p.returncode == 2, p.stdout + p.stderr
    line = _one_error_line(p)
    assert "history.csv" in line and words in line and "history plots not drawn" in line, line
    assert _pngs(res) == FIELD_PNGS  # the field pictures are still drawn


def test_plot_header_only_history_still_checks_metric(tmp_path):
    res = make_results(tmp_path / "r")
    (res / "history.csv").write_text(HISTORY.splitlines()[0] + "\n")
    p = cli("plot", res, "--metric", "no such column")
    assert p.returncode == 2
    assert "no such history.csv column" in _one_error_line(p)


def test_plot_without_fields_pvd_says_why_no_field_pictures(tmp_path):
    """A run with output.formats without vtk has no fields.pvd: the history plots are drawn
    (exit 0) and a note says why there are no field pictures."""
    res = make_results(tmp_path / "r")
    (res / "fields.pvd").unlink()
    p = cli("plot", res)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "no fields.pvd" in p.stdout and "history plots only" in p.stdout, p.stdout
    assert _pngs(res) == HISTORY_PNGS


@pytest.mark.parametrize("damage, words", [("not_utf8", "not UTF-8 text"),
                                           ("directory", "cannot read it")],
                         ids=["not_utf8", "directory"])
def test_plot_unreadable_history_is_one_error_line(tmp_path, damage, words):
    """A history.csv that is not UTF-8 text (a damaged disk) or is a directory: one line
    naming it (no UnicodeDecodeError/IsADirectoryError traceback), the field pictures are
    still drawn, exit 2."""
    res = make_results(tmp_path / "r")
    history = res / "history.csv"
    if damage == "not_utf8":
        history.write_bytes(b"step,time [s]\n\xff\xfe0,1\n")
    else:
        history.unlink()
        history.mkdir()
    p = cli("plot", res)
    assert p.returncode == 2, p.stdout + p.stderr
    line = _one_error_line(p)
    assert str(history) in line and words in line and "history plots not drawn" in line, line
    assert _pngs(res) == FIELD_PNGS


# ---------------------------------------------------------------------------------------
# `chemomech paraview`: paths with spaces, a fields.xdmf left empty by a killed run


def _pv_env() -> dict:
    """The environment without the venv (Debian's pvpython has its own Python)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
           and not k.startswith(("PMI_", "HYDRA_", "OMPI_"))}
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(q for q in env.get("PATH", "").split(os.pathsep)
                                  if q != venv_bin)
    return env


def test_paraview_hints_quote_a_path_with_spaces(tmp_path):
    """The printed paraview/pvpython commands (and those in the script's header) keep a
    path with spaces one argument."""
    import shlex

    res = make_results(tmp_path / "dir with spaces" / "r")
    p = cli("paraview", res)
    assert p.returncode == 0, p.stdout + p.stderr
    script = str(res.resolve() / "open_in_paraview.py")
    printed = {ln.split(":  ", 1)[0]: ln.split(":  ", 1)[1] for ln in p.stdout.splitlines()
               if ":  " in ln}
    header = Path(script).read_text().splitlines()[1:4]
    for command in (printed["open it with"], printed["or headless"],
                    header[0].split(":", 1)[1], header[2].split(":", 1)[1]):
        args = shlex.split(command)
        assert args[-1] in (script, f"--script={script}"), (command, args)


def test_xdmf_problem_names_what_paraview_would_abort_on(tmp_path):
    from solver.outputs.paraview_state import xdmf_problem

    xdmf = tmp_path / "fields.xdmf"
    xdmf.write_bytes(b"")
    assert "empty file" in xdmf_problem(xdmf)
    xdmf.write_text('<?xml version="1.0"?>\n<Xdmf><Domain><Grid Name="mesh">')  # cut off
    assert "cannot read it" in xdmf_problem(xdmf)
    xdmf.write_text('<Xdmf><Domain><Grid Name="mesh"><Geometry><DataItem Format="HDF">'
                    "fields.h5:/Mesh/mesh/geometry</DataItem></Geometry></Grid></Domain></Xdmf>")
    assert "fields.h5 is missing" in xdmf_problem(xdmf)
    (tmp_path / "fields.h5").write_bytes(b"")
    assert "fields.h5 is missing, empty or not HDF5" in xdmf_problem(xdmf)
    (tmp_path / "fields.h5").write_bytes(b"<html>not the data</html>\n")  # not HDF5
    assert "fields.h5 is missing, empty or not HDF5" in xdmf_problem(xdmf)
    (tmp_path / "fields.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    assert xdmf_problem(xdmf) is None


def test_paraview_script_skips_an_empty_xdmf(tmp_path):
    """A 0-byte fields.xdmf (a SIGKILLed run): `chemomech paraview` says so, and the script
    checks it before handing it to ParaView (which aborts with SIGABRT on it)."""
    res = make_results(tmp_path / "r")
    (res / "fields.xdmf").write_bytes(b"")
    p = cli("paraview", res)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "note: " in p.stdout and "fields.xdmf: empty file" in p.stdout, p.stdout
    text = (res / "open_in_paraview.py").read_text()
    assert "def xdmf_problem(" in text and "_xdmf_problem = xdmf_problem(xdmf)" in text


@pytest.mark.paraview
def test_paraview_script_with_an_empty_xdmf_runs_in_pvpython(tmp_path):
    pvpython = _pvpython()
    res = make_results(tmp_path / "r")
    (res / "fields.xdmf").write_bytes(b"")
    assert cli("paraview", res).returncode == 0
    run = subprocess.run([pvpython, "--force-offscreen-rendering",
                          str(res / "open_in_paraview.py")], capture_output=True, text=True,
                         timeout=300, env=_pv_env(), stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "region tags not loaded" in run.stdout and "empty file" in run.stdout, run.stdout
    assert "chemomech: opened" in run.stdout


@pytest.mark.parametrize("formats, restart, words, not_words", [
    (["vtk", "xdmf"], True, ["although the run's output.formats include vtk: deleted?",
                             "fields_r1.pvd lists the frames of the restarted part"],
     ["had no vtk"]),
    (["xdmf"], False, ["the run's output.formats had no vtk"], ["deleted"]),
    (None, False, ["written when output.formats includes vtk"], ["had no vtk", "deleted"]),
], ids=["vtk_deleted_after_restart", "no_vtk", "unknown"])
def test_plot_without_fields_pvd_blames_the_settings_only_when_they_had_no_vtk(
        tmp_path, formats, restart, words, not_words):
    """fields.pvd deleted and the run restarted (only fields_r1.pvd left): the note must
    not say that output.formats had no vtk when case.resolved.yaml says they had."""
    import yaml

    res = make_results(tmp_path / "r")
    (res / "fields.pvd").unlink()
    if formats is not None:
        (res / "case.resolved.yaml").write_text(yaml.safe_dump({"output": {"formats": formats}}))
    if restart:
        (res / "fields_r1.pvd").write_text("<VTKFile><Collection/></VTKFile>\n")
    p = cli("plot", res)
    assert p.returncode == 0, p.stdout + p.stderr
    note = [ln for ln in p.stdout.splitlines() if ln.startswith("note: ")]
    assert len(note) == 1 and "no fields.pvd" in note[0], p.stdout
    assert all(w in note[0] for w in words) and not any(w in note[0] for w in not_words), note
    p = cli("paraview", res)
    assert p.returncode == 2 and all(w in p.stderr for w in words), p.stderr


def test_output_formats_from_the_summary_when_there_is_no_resolved_case(tmp_path):
    from solver.outputs.replot import output_formats

    (tmp_path / "summary.json").write_text(json.dumps(
        {"outputs": {"fields": ["fields_r1.xdmf", "fields_r1.pvd"]}}))
    assert output_formats(tmp_path) == ["vtk", "xdmf"]
    (tmp_path / "summary.json").write_text("[]")
    assert output_formats(tmp_path) is None


def test_an_ambiguous_metric_is_refused_naming_the_candidates():
    """``--metric "max von mises"`` in a core-shell history matches the core's and the
    coating's column: plotting whichever came first would show a curve the user did not ask
    for; the command names both instead. A metric that matches one column picks it."""
    from solver.batch.sweep import SweepError
    from solver.outputs.replot import _match

    cols = ["time [s]", "core: max Von Mises stress [Pa]",
            "coating_1: max Von Mises stress [Pa]", "mean lithiation fraction [-]"]
    with pytest.raises(SweepError) as info:
        _match("max von mises", cols)
    assert "core: max Von Mises" in str(info.value) and "coating_1: max Von Mises" in str(
        info.value)
    assert _match("coating_1: max von", cols) == "coating_1: max Von Mises stress [Pa]"
    assert _match("lithiation", cols) == "mean lithiation fraction [-]"


def test_plot_titles_a_frame_as_the_run_does(tmp_path):
    """`plot` titles its field pictures with the case title and the frame's mean θ, as the
    run's own pictures (it gave only 't = … s (mode, µm)'); without those files, just that."""
    from solver.outputs.replot import _frame_title

    (tmp_path / "history.csv").write_text(
        "step,time [s],mean lithiation fraction [-]\n0,0.0,0.0\n1,12.5,0.125\n")
    assert _frame_title(tmp_path, 12.5, "axisymmetric") == (
        "last written frame: t = 12.5 s, mean theta 0.125 (axisymmetric, µm)")
    (tmp_path / "case.resolved.yaml").write_text("title: Si sphere\n")
    assert _frame_title(tmp_path, 12.5, "octant").startswith("Si sphere\nlast written frame")
    (tmp_path / "history.csv").unlink()
    assert _frame_title(tmp_path, 3.0, "3d") == "Si sphere\nlast written frame: t = 3 s (3d, µm)"
