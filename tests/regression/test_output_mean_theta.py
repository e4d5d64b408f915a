"""``time.output_mean_theta``: under galvanostatic loading the fields are written exactly when
the mean θ reaches the given values (the stepper lands on the times where the constant Li rate
brings the content there), with a history row at each, in lithiation and delithiation, and
after a restart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from chemomech_testing import run_case, sphere_case

VALUES = [0.05, 0.125]
MEAN = "mean lithiation fraction [-]"


def _case(delithiation=False):
    case = sphere_case(mode="axisymmetric", radius=2e-6, size=0.5e-6)
    load = {"kind": "galvanostatic", "specific_current": "2 A/g",
            "surfaces": ["outer_surface"]}
    if delithiation:
        load |= {"direction": "delithiation", "initial_theta": 0.2}
    case["loading"] = load
    case["stop"] = {"mean_theta": 0.05 if delithiation else 0.2}
    case["time"] = {"dt_initial": 5.0, "dt_max": 400.0, "max_dtheta": 0.05,
                    "output_every": None,
                    "output_mean_theta": [0.125, 0.1] if delithiation else VALUES}
    case["output"] = {"pictures": False, "formats": ["vtk"], "history_every": None}
    return case


def _frames(out):
    pvd = next(out.rglob("fields.pvd"))
    return [float(d.get("timestep")) for d in ET.parse(pvd).getroot().iter("DataSet")]


@pytest.mark.parametrize("delithiation", [False, True], ids=["lithiation", "delithiation"])
def test_fields_are_written_at_the_mean_theta_values(delithiation, tmp_path):
    _, res = run_case(_case(delithiation), tmp_path)
    rows = res.history
    # rows only at t = 0, at the requested values and at the end (history_every: null)
    means = [r[MEAN] for r in rows]
    expected = [0.125, 0.1] if delithiation else VALUES
    start, end = (0.2, 0.05) if delithiation else (0.0, 0.2)
    assert means == pytest.approx([start, *expected, end], abs=1e-9)
    times = [r["time [s]"] for r in rows]
    assert _frames(tmp_path) == pytest.approx(times, rel=1e-9)


def test_restart_keeps_the_mean_theta_outputs(tmp_path, monkeypatch):
    from solver import build_simulation, load_case_dict
    from solver.simulation import Simulation

    case = _case()
    case["output"]["checkpoint_every"] = 1
    step = Simulation._diffusion_step
    calls = []

    def crash_on_the_fourth(self, *args, **kwargs):  # before the first value is reached
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("simulated crash")
        return step(self, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(Simulation, "_diffusion_step", crash_on_the_fourth)
        with pytest.raises(RuntimeError, match="simulated crash"):
            run_case(case, tmp_path)
    # the crash came before the first value: only the t = 0 row was written
    assert len((tmp_path / "history.csv").read_text().strip().splitlines()) == 2
    again = build_simulation(load_case_dict(case, source="<test>"), out_dir=tmp_path,
                             quiet=True)
    means = [r[MEAN] for r in again.run(restart=True).history]
    for v in VALUES:
        assert min(abs(m - v) for m in means) < 1e-9, (v, means)


def test_outputs_after_the_end_are_reported_not_dropped_silently(tmp_path):
    """An output time or mean θ the run ends before is named in a warning (run.log and the
    terminal); the ones it reaches are written."""
    case = _case()
    case["time"]["output_mean_theta"] = [0.05, 0.3]  # the run stops at mean θ 0.2
    case["time"]["output_times"] = [1.0, 1e7]
    sim, result = run_case(case, tmp_path)
    assert result.status == "completed"
    log = (tmp_path / "run.log").read_text()
    assert "time.output_times 1e+07 s: after the end of the run" in log
    assert "time.output_mean_theta 0.3: after the end of the run" in log
    assert "0.05" not in log.split("time.output_mean_theta")[1].splitlines()[0]
    times = [float(d.get("timestep")) for d in
             ET.parse(tmp_path / "fields.pvd").getroot().find("Collection")]
    assert 1.0 in times and len(times) == 4  # t = 0, 1 s, mean θ 0.05, the end
