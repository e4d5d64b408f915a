"""summary.json against the run's history and the case (no numbers from earlier runs): the
final row, the step and rejection totals, the peaks; and the history's Li content, which is
that of the whole particle whatever part of it the mesh holds."""

from __future__ import annotations

import json
import math

import pytest

from chemomech_testing import SI, run_case, signal_after_step, sphere_case, two_way_case

R = 4e-6
TWO_PHASE = {"kind": "two_phase", "pristine": 2e-17, "lithiated": 2e-15, "theta_star": 0.5,
             "width": 0.05}


@pytest.mark.parametrize("mode", ["octant", "axisymmetric"])
def test_li_content_is_that_of_the_whole_particle(tmp_path, mode):
    # uniform θ = 0.5 prescribed: c_max θ over the ball (the octant mesh holds 1/8 of it)
    _, res = run_case(sphere_case(mode=mode, radius=R, size=R / 6), tmp_path)
    expected = 0.5 * SI["c_max"] * 4.0 / 3.0 * math.pi * R**3
    # the inscribed (faceted) mesh is about 1 % short of the ball
    assert res.history[-1]["Li content [mol]"] == pytest.approx(expected, rel=0.02, abs=0)


def test_plane_strain_li_content_is_per_metre_of_depth(tmp_path):
    """A plane-strain section stands for an infinitely long body: its Li content is per metre
    of depth, c_max θ π R², and its column says so (it said mol)."""
    _, res = run_case(sphere_case(mode="plane_strain", radius=R, size=R / 6), tmp_path)
    last = res.history[-1]
    assert "Li content [mol]" not in last
    expected = 0.5 * SI["c_max"] * math.pi * R**2
    assert last["Li content [mol/m]"] == pytest.approx(expected, rel=0.02, abs=0)
    summary = json.loads((res.out_dir / "summary.json").read_text())
    assert summary["units"]["Li content"] == "mol/m"  # (it said mol)


def _front_case(mode: str, mean_theta: float) -> dict:
    """A sharp front at 1 A/g from dt 200 s: a few steps are cut back on the way."""
    case = sphere_case(mode=mode, radius=R, size=R / 6, surface_size=R / 12,
                       loading={"kind": "galvanostatic", "specific_current": 1000.0,
                                "surfaces": ["outer_surface"]},
                       stop={"mean_theta": mean_theta},
                       time={"dt_initial": 200.0, "dt_max": 2000.0, "max_dtheta": 0.05})
    case["materials"]["core"]["diffusivity"] = TWO_PHASE
    return case


def test_summary_final_totals_and_peaks_agree_with_the_history(tmp_path):
    _, res = run_case(_front_case("axisymmetric", 0.3), tmp_path)
    rows = res.history
    summary = json.loads((res.out_dir / "summary.json").read_text())
    assert summary["status"] == "completed"
    assert summary["stop_reason"] == "mean θ target reached"
    # the final state is the last row, at the stop target
    assert summary["final"]["mean lithiation fraction [-]"] == pytest.approx(0.3, rel=1e-9)
    assert summary["final"]["step"] == rows[-1]["step"]
    assert summary["final"]["time [s]"] == rows[-1]["time [s]"]
    # totals over the whole run
    assert summary["run"]["steps"] == rows[-1]["step"] == len(rows) - 1
    rejected = sum(r["rejected steps"] for r in rows)
    assert rejected > 0, "the case was meant to cut some steps back"
    assert summary["run"]["rejected_steps"] == rejected
    # the peak of a stress column is its value of largest magnitude, sign kept
    col = "outer_surface: mean hoop stress [Pa]"
    values = [r[col] for r in rows]
    assert summary["peak"][col] == max(values, key=abs)
    assert summary["range"][col] == [min(values), max(values)]


def test_region_stress_columns_are_the_named_statistics(tmp_path):
    """The core's history columns against identities that hold whatever the stress: the
    mean of σ_rr is -2 × that of σ_θθ (a traction-free ball has a volume-averaged stress
    tensor of 0, and σ_rr + 2 σ_θθ is its trace; exact for the octant's equilibrium, which
    includes the test function x), and each max is above its min and mean."""
    _, res = run_case(_front_case("octant", 0.2), tmp_path)
    for r in res.history[1:]:
        c = {k.removeprefix("core: "): v for k, v in r.items() if k.startswith("core: ")}
        assert c["mean radial stress [Pa]"] == pytest.approx(
            -2.0 * c["mean hoop stress [Pa]"], rel=1e-6)
        assert c["max hydrostatic stress [Pa]"] > c["min hydrostatic stress [Pa]"]
        for k in ("radial", "hoop"):
            mx, mean, mn = (c[f"{s} {k} stress [Pa]"] for s in ("max", "mean", "min"))
            assert mx > mean > mn
        assert c["max Von Mises stress [Pa]"] > c["mean Von Mises stress [Pa]"] > 0.0
        assert c["max first principal stress [Pa]"] >= c["max hoop stress [Pa]"] * (1 - 1e-9)


def test_summary_lists_the_warnings_of_the_whole_run(tmp_path):
    """summary.json lists the run's warnings, as run.log has them: one about the case (ν near
    0.5) and those the time loop says once (a step over max_dtheta at dt_min; θ below 0 at the
    unresolved front), kept across a --restart and given once (the restarted part warns about
    the case again, and said the "said once" ones again)."""
    from solver import build_simulation, load_case_dict

    case = _front_case("axisymmetric", 0.2)
    case["materials"]["core"]["poissons_ratio"] = 0.46
    case["time"].update(dt_min=200.0, max_dtheta=0.01)  # every step is over the limit
    case["solver"] = {"mass_lumping": False}  # the consistent term undershoots at the front

    def simulation():
        return build_simulation(load_case_dict(case, source="<test>"), out_dir=tmp_path,
                                quiet=True)

    from solver.interrupts import RunInterrupted

    sim = simulation()
    signal_after_step(sim, 3)
    with pytest.raises(RunInterrupted):
        sim.run()
    assert simulation().run(restart=True).status == "completed"
    warned = json.loads((tmp_path / "summary.json").read_text())["warnings"]
    assert len(warned) == 3, warned
    assert "poissons_ratio" in warned[0] and "0.46" in warned[0]
    assert "t = 0 s" in warned[1] and "max_dtheta" in warned[1] and "said once" in warned[1]
    assert "< 0 in a Li-storing region" in warned[2] and "said once" in warned[2]
    log = (tmp_path / "run.log").read_text()
    assert all(w.splitlines()[0] in log for w in warned)


def test_summary_of_a_run_without_warnings_lists_none(tmp_path):
    case = _front_case("axisymmetric", 0.05)
    case["materials"]["core"]["diffusivity"] = {"kind": "constant", "value": 1e-14}
    _, res = run_case(case, tmp_path)
    assert json.loads((res.out_dir / "summary.json").read_text())["warnings"] == []


@pytest.mark.parametrize("scheme", ["staggered", "monolithic"])
def test_staggered_runs_count_their_fixed_point_iterations(tmp_path, scheme):
    """The staggered scheme's cost is its fixed-point iterations: a history column (since the
    previous row) and a summary total. Each accepted step that moves θ takes at least 2 (the
    first σ_h is that of θ_n) and at most solver.coupling_max_iterations. The monolithic
    scheme has none."""
    case = two_way_case(scheme)
    case["stop"] = {"mean_theta": 0.03}
    case["output"]["history_every"] = 2
    _, res = run_case(case, tmp_path)
    summary = json.loads((res.out_dir / "summary.json").read_text())
    if scheme == "monolithic":
        assert "coupling iterations" not in res.history[0]
        assert summary["run"]["coupling_iterations"] is None
        return
    rows = res.history
    steps = [b["step"] - a["step"] for a, b in zip(rows, rows[1:])]
    counts = [r["coupling iterations"] for r in rows[1:]]
    assert rows[0]["coupling iterations"] == 0 and max(steps) == 2
    limit = 30  # solver.coupling_max_iterations (default)
    assert all(2 * n <= k <= limit * n for n, k in zip(steps, counts)), (steps, counts)
    assert summary["run"]["coupling_iterations"] == sum(counts)
