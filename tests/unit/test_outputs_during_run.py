"""What a run has on disk while it is still running (what a crash or SIGKILL leaves):
every history row recorded so far, a ``fields.pvd`` that lists exactly the VTK frames
written so far under their times, and an XDMF file that declares its data 64-bit.
dolfinx rewrites ``fields.pvd`` only when the file is closed, so the series of a run that
is killed is the one chemomech keeps up to date itself. One small axisymmetric run."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest

from chemomech_testing import front_case


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
    seen = []  # after every recorded step: (history rows on disk, rows recorded, pvd, frames)
    record = sim._record

    def record_and_look(*args, **kw):
        record(*args, **kw)
        with open(out / "history.csv", newline="") as fh:
            on_disk = list(csv.DictReader(fh))
        frames = sorted(p.name for p in out.glob("fields[0-9]*.pvtu"))
        pvd = _pvd(out / "fields.pvd") if (out / "fields.pvd").exists() else []
        seen.append((on_disk, len(sim.history.rows), pvd, frames))

    sim._record = record_and_look
    result = sim.run()
    assert result.status == "completed"
    return out, seen, result


def test_every_recorded_row_is_on_disk_at_once(run):
    _, seen, result = run
    assert len(seen) == len(result.history) > 3
    for on_disk, recorded, _, _ in seen:
        assert len(on_disk) == recorded  # flushed, not waiting in a buffer


def test_the_pvd_lists_exactly_the_frames_written_so_far(run):
    out, seen, _ = run
    final = _pvd(out / "fields.pvd")  # rewritten by dolfinx on close
    assert len(final) >= 3
    for _, _, pvd, frames in seen:
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
