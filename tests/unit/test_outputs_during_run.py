"""What a run has on disk while it is still running (what a crash or SIGKILL leaves):
every history row recorded so far, a ``fields.pvd`` that lists exactly the VTK frames
written so far under their times, and an XDMF file that lists them too and declares its data
64-bit. dolfinx rewrites ``fields.pvd`` only when the file is closed, so the series of a run
that is killed is the one chemomech keeps up to date itself; dolfinx rewrites its XDMF index
at every frame, so a kill during that write would leave it unreadable were it not a copy
replaced in one rename. One small axisymmetric run."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest

from chemomech_testing import front_case


def _xdmf_times(path):
    """The times of the θ frames an XDMF file lists, and whether all its float data items
    are declared 64-bit."""
    root = ET.parse(path).getroot()
    times = [float(g.find("Time").get("Value")) for g in root.iter("Grid")
             if g.get("Name") == "Lithiation fraction [-]" and g.find("Time") is not None]
    items = [d for d in root.iter("DataItem")
             if d.get("Format") == "HDF" and d.get("NumberType", "Float") == "Float"]
    return times, bool(items) and all(d.get("Precision") == "8" for d in items)


def _pvd(path):
    return [(float(d.get("timestep")), d.get("file"))
            for d in ET.parse(path).getroot().find("Collection")]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from solver import build_simulation, load_case_dict

    case = front_case({"dt_initial": 5.0, "max_dtheta": 0.1, "output_every": 2}, radius=2e-6)
    case["geometry"]["mode"] = "axisymmetric"
    case["output"] = {"pictures": False, "formats": ["vtk", "xdmf"]}
    out = tmp_path_factory.mktemp("during") / "run"
    sim = build_simulation(load_case_dict(case, source="<during>"), out_dir=out, quiet=True)
    # after every recorded step: (history rows on disk, rows recorded, pvd, frames, xdmf)
    seen = []
    record = sim._record

    def record_and_look(*args, **kw):
        record(*args, **kw)
        with open(out / "history.csv", newline="") as fh:
            on_disk = list(csv.DictReader(fh))
        frames = sorted(p.name for p in out.glob("fields[0-9]*.pvtu"))
        pvd = _pvd(out / "fields.pvd") if (out / "fields.pvd").exists() else []
        xdmf = _xdmf_times(out / "fields.xdmf")
        seen.append((on_disk, len(sim.history.rows), pvd, frames, xdmf))

    sim._record = record_and_look
    result = sim.run()
    assert result.status == "completed"
    return out, seen, result


def test_every_recorded_row_is_on_disk_at_once(run):
    _, seen, result = run
    assert len(seen) == len(result.history) > 3
    for on_disk, recorded, *_ in seen:
        assert len(on_disk) == recorded  # flushed, not waiting in a buffer


def test_the_pvd_lists_exactly_the_frames_written_so_far(run):
    out, seen, _ = run
    final = _pvd(out / "fields.pvd")  # rewritten by dolfinx on close
    assert len(final) >= 3
    for _, _, pvd, frames, _ in seen:
        assert sorted(f for _, f in pvd) == frames  # no frame missing, none that is not there
        assert pvd == final[:len(pvd)]  # the times and files dolfinx lists at the end
    assert seen[-1][2] == final


def test_the_xdmf_declares_its_data_as_64_bit_floats(run):
    """XDMF readers take a DataItem without NumberType/Precision as 32-bit floats (ParaView
    would show values with half their digits)."""
    out, _, _ = run
    items = [d for d in ET.parse(out / "fields.xdmf").getroot().iter("DataItem")
             if d.get("Format") == "HDF" and d.get("NumberType", "Float") == "Float"]
    assert items
    assert all(d.get("Precision") == "8" for d in items), [d.attrib for d in items][:3]


def test_the_xdmf_lists_the_frames_written_so_far_as_64_bit_floats(run):
    """At every step (what a kill would leave) fields.xdmf is complete XML, lists the frames
    the .pvd lists, and declares them 64-bit; dolfinx's working copy is gone at the end."""
    out, seen, _ = run
    for _, _, pvd, _, (times, float64) in seen:
        assert times == [t for t, _ in pvd]
        assert float64
    assert len(seen[-1][4][0]) >= 3
    assert not list(out.glob("*.xdmf-writing")) and not list(out.glob("*.tmp"))
