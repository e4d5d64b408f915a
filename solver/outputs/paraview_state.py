"""``chemomech paraview RESULTS``: write ``RESULTS/open_in_paraview.py``.

The script (``paraview.simple``; ParaView GUI or ``pvpython``) opens ``fields.pvd``, goes to
the last time, colours by von Mises stress with its scalar bar, cuts full-3D results through
the centre (keeps the half y >= 0 and looks from -y at its flat cut face y = 0, coloured over
the range of that face, as ``chemomech plot`` does), and loads ``fields.xdmf`` with the
``Xdmf3ReaderS`` reader for the region tags (``Region [-]`` cell data; hidden, toggle its
eye in the Pipeline Browser; an empty or unreadable ``fields.xdmf``, as a killed run can
leave, is skipped with a printed note: ParaView would abort on it). Load it with
``paraview --script=RESULTS/open_in_paraview.py`` or, in the GUI's Python shell,
``exec(open("RESULTS/open_in_paraview.py").read())``.
"""

from __future__ import annotations

import inspect
import json
import shlex
from pathlib import Path

from solver.batch.sweep import SweepError

SCRIPT_NAME = "open_in_paraview.py"

_TEMPLATE = '''\
# ParaView state script written by `chemomech paraview` for a chemomech results directory.
#   GUI:       paraview --script={script_sh}
#              (or View > Python Shell:  exec(open({script!r}).read()))
#   headless:  pvpython --force-offscreen-rendering {script_sh}
import os

from paraview.simple import (
    Clip, ColorBy, GetActiveViewOrCreate, GetAnimationScene, GetColorTransferFunction,
    GetDisplayProperties, Hide, OpenDataFile, Render, RenameSource, ResetCamera,
    SaveScreenshot, SetActiveSource, Show, Slice, Xdmf3ReaderS,
)

RESULTS = {results!r}
try:  # the directory this script sits in, if it was moved with the results
    _here = os.path.dirname(os.path.abspath(__file__))
    if os.path.exists(os.path.join(_here, "fields.pvd")):
        RESULTS = _here
except NameError:  # exec(open(...).read()) in the GUI shell: no __file__
    pass
MODE = {mode!r}
FIELD = "Von Mises stress [Pa]"
SCREENSHOT = {screenshot!r}

try:  # a pvpython without a display (and without EGL/OSMesa) cannot render: then the
    # pipeline is still built (and checked), only nothing is drawn
    from paraview.modules.vtkRemotingViews import vtkPVRenderingCapabilitiesInformation as _C

    CAN_RENDER = bool(_C.GetLocalCapabilities() & _C.RENDERING)
except Exception:
    CAN_RENDER = True

view = GetActiveViewOrCreate("RenderView")
fields = OpenDataFile(os.path.join(RESULTS, "fields.pvd"))
RenameSource("chemomech fields", fields)
scene = GetAnimationScene()
if CAN_RENDER:
    scene.UpdateAnimationUsingDataTimeSteps()
times = list(fields.TimestepValues or [])
last = times[-1] if times else 0.0
view.ViewTime = last
fields.UpdatePipeline(last)

shown = fields
cut_face = None
if MODE == "3d":  # cut through the centre to see the inside: keep the half y >= 0 ...
    clip = Clip(Input=fields)
    clip.ClipType = "Plane"
    clip.ClipType.Origin = [0.0, 0.0, 0.0]
    clip.ClipType.Normal = [0.0, 1.0, 0.0]
    clip.Invert = 0  # keep the side the normal points to (ParaView's default keeps the other)
    RenameSource("half y >= 0 (cut through the centre)", clip)
    Hide(fields, view)
    shown = clip
    # ... whose flat face y = 0 the camera looks at from -y (below): the colours span the
    # range on that face, which is what is seen (hidden; toggle its eye to see the slice)
    cut_face = Slice(Input=fields)
    cut_face.SliceType = "Plane"
    cut_face.SliceType.Origin = [0.0, 0.0, 0.0]
    cut_face.SliceType.Normal = [0.0, 1.0, 0.0]
    RenameSource("cut face y = 0", cut_face)
    cut_face.UpdatePipeline(last)
    Hide(cut_face, view)

# region tags: fields.xdmf carries "Region [-]" as cell data (Xdmf3ReaderS; the older
# "XDMF Reader" crashes on dolfinx files). Hidden: toggle its eye in the Pipeline Browser.
# ParaView aborts (SIGABRT) on an empty or cut XDMF file, which a killed run can leave:
# such a file is skipped with a note (the fields come from fields.pvd in any case)
{xdmf_check}

xdmf = os.path.join(RESULTS, "fields.xdmf")
_xdmf_problem = xdmf_problem(xdmf) if os.path.exists(xdmf) else None
if _xdmf_problem:
    print("chemomech: region tags not loaded, " + xdmf + ": " + _xdmf_problem)
elif os.path.exists(xdmf):
    regions = Xdmf3ReaderS(FileName=[xdmf])
    RenameSource("chemomech regions (fields.xdmf)", regions)
    regions.UpdatePipeline(last)
    rdisplay = Show(regions, view)
    try:
        ColorBy(rdisplay, ("CELLS", "Region [-]"))
    except Exception:
        pass
    Hide(regions, view)

display = Show(shown, view)
ColorBy(display, ("POINTS", FIELD))
display.RescaleTransferFunctionToDataRange(True, False)
display.SetScalarBarVisibility(view, True)
lut = GetColorTransferFunction(FIELD)
lut.ApplyPreset("Viridis (matplotlib)", True)
SetActiveSource(shown)
if CAN_RENDER:
    scene.AnimationTime = last
view.ViewTime = last
if cut_face is not None and FIELD in cut_face.PointData.keys():
    cut_face.UpdatePipeline(last)
    lut.RescaleTransferFunction(*cut_face.PointData[FIELD].GetRange())
if MODE in ("axisymmetric", "plane_strain"):
    view.CameraPosition = [0.0, 0.0, 1.0]
    view.CameraFocalPoint = [0.0, 0.0, 0.0]
    view.CameraViewUp = [0.0, 1.0, 0.0]
elif MODE == "3d":  # from -y onto the cut face y = 0 of the kept half y >= 0
    view.CameraPosition = [0.0, -1.0, 0.0]
    view.CameraFocalPoint = [0.0, 0.0, 0.0]
    view.CameraViewUp = [0.0, 0.0, 1.0]
else:  # octant: look at the three symmetry planes from outside
    view.CameraPosition = [-3.0, -2.4, -1.8]
    view.CameraFocalPoint = [0.3, 0.3, 0.3]
    view.CameraViewUp = [0.0, 0.0, 1.0]
if CAN_RENDER:
    ResetCamera(view)
    Render(view)
    if SCREENSHOT:
        SaveScreenshot(SCREENSHOT, view, ImageResolution=[800, 600])
        print("screenshot:", SCREENSHOT)
else:
    print("chemomech: no display to render on (pipeline built, nothing drawn)")
shown.UpdatePipeline(last)
_range = shown.PointData[FIELD].GetRange() if FIELD in shown.PointData.keys() else None
print("chemomech: range of", FIELD, "at the last time:", _range)
print("chemomech: opened", os.path.join(RESULTS, "fields.pvd"), "at t =", last, "s")
'''


def xdmf_problem(path):
    """Why ParaView must not open the XDMF file ``path`` (it aborts on an empty or cut one,
    as a killed run can leave), or None. (Copied into the script: stdlib only.)"""
    import os
    import xml.etree.ElementTree as ET

    try:
        if os.path.getsize(path) == 0:
            return "empty file (a run killed while writing it?); skipped"
        root = ET.parse(path).getroot()
    except Exception as exc:  # noqa: BLE001  (any reason: skip it with the reason)
        return f"cannot read it ({exc}); skipped"
    if root.find(".//Grid") is None:
        return "holds no grid; skipped"
    for item in root.iter("DataItem"):
        if (item.get("Format") or "").upper() != "HDF":
            continue
        name = (item.text or "").strip().split(":")[0]
        data = os.path.join(os.path.dirname(os.path.abspath(path)), name)
        try:
            with open(data, "rb") as fh:
                ok = fh.read(8) == b"\x89HDF\r\n\x1a\n"
        except OSError:
            ok = False
        if not ok:
            return f"its data file {name} is missing, empty or not HDF5; skipped"
    return None


def write_state(results: str | Path, screenshot: str | Path | None = None) -> Path:
    """Write ``RESULTS/open_in_paraview.py``; returns its path.

    Args:
        results: a chemomech results directory (with ``fields.pvd``).
        screenshot: if given, the script also saves a PNG there (absolute path kept).

    Raises:
        SweepError: no ``fields.pvd`` in ``results``.
    """
    results = Path(results).resolve()
    if not (results / "fields.pvd").exists():
        from solver.outputs.replot import no_pvd_reason

        raise SweepError(f"{results}: no fields.pvd ({no_pvd_reason(results)})")
    mode = "octant"
    try:
        mode = json.loads((results / "summary.json").read_text())["mesh"]["mode"] or mode
    except (OSError, ValueError, KeyError, TypeError):
        pass
    script = results / SCRIPT_NAME
    text = _TEMPLATE.format(script=str(script), script_sh=shlex.quote(str(script)),
                            xdmf_check=inspect.getsource(xdmf_problem).rstrip(),
                            results=str(results), mode=mode,
                            screenshot=str(Path(screenshot).resolve()) if screenshot else None)
    compile(text, str(script), "exec")  # never write a script that does not parse
    script.write_text(text)
    return script
