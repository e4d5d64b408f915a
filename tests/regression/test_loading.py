"""Loading kinds and stop criteria on a coarse axisymmetric sphere (fast).

Oracles: Faraday's law for galvanostatic runs, the requested cut-offs and targets, and the
direction of change — no numbers from earlier runs.
"""

from __future__ import annotations

import json

import pytest

from chemomech_testing import SI, run_case, sphere_case

R = 4e-6
SPEC_CAP = SI["c_max"] * 96485.33212 / SI["density"]  # C/kg
TWO_PHASE = {"kind": "two_phase", "pristine": 2e-17, "lithiated": 2e-15, "theta_star": 0.5,
             "width": 0.05}
EVENT_TOL = 1e-4


def _case(loading, stop, **time):
    case = sphere_case(mode="axisymmetric", radius=R, size=R / 6, surface_size=R / 12,
                       loading=loading, stop=stop,
                       time={"dt_initial": 10.0, "dt_max": 2000.0, "max_dtheta": 0.1, **time})
    case["materials"]["core"]["diffusivity"] = TWO_PHASE
    return case


def _galv(**kw):
    return {"kind": "galvanostatic", "specific_current": 100.0, "surfaces": ["outer_surface"], **kw}


def test_capacity_stop(tmp_path):
    _, res = run_case(_case(_galv(), {"capacity": "1 A*h/g"}), tmp_path)
    last = res.history[-1]
    assert last["capacity [A h/g]"] == pytest.approx(1.0, rel=1e-9)
    assert last["time [s]"] == pytest.approx(3.6e6 / 100.0, rel=1e-9)  # 1 Ah/g at 0.1 A/g = 10 h
    assert res.stop_reason == "capacity target reached"
    # Faraday: the Li that came in over each interval is the applied 100 A/kg
    assert all(r["current [A/g]"] == pytest.approx(0.1, rel=1e-9) for r in res.history[1:])
    assert res.history[0]["current [A/g]"] != res.history[0]["current [A/g]"]  # no interval


def test_c_rate_equals_the_matching_specific_current(tmp_path):
    rate = 0.5  # 1/h
    _, a = run_case(_case({"kind": "galvanostatic", "c_rate": rate}, {"mean_theta": 0.3}),
                    tmp_path / "a")
    _, b = run_case(_case(_galv(specific_current=rate * SPEC_CAP / 3600.0), {"mean_theta": 0.3}),
                    tmp_path / "b")
    assert a.history[-1]["time [s]"] == pytest.approx(0.3 * 3600.0 / rate, rel=1e-9)
    assert a.history[-1]["time [s]"] == pytest.approx(b.history[-1]["time [s]"], rel=1e-9)


def test_surface_cutoff_stops_lithiation(tmp_path):
    _, res = run_case(_case(_galv(specific_current=2000.0),
                            {"surface_theta": 0.8, "mean_theta": 0.79}), tmp_path)
    last = res.history[-1]
    assert res.stop_reason == "surface θ cut-off reached"
    assert last["outer_surface: max lithiation fraction [-]"] == pytest.approx(0.8, abs=EVENT_TOL)
    assert last["mean lithiation fraction [-]"] < 0.79
    assert all(r["outer_surface: max lithiation fraction [-]"] <= 0.8 + EVENT_TOL for r in res.history)


def test_cc_cv_hold_reaches_the_mean_target(tmp_path):
    _, res = run_case(_case(_galv(specific_current=2000.0),
                            {"surface_theta": 0.8, "mean_theta": 0.7, "hold_at_cutoff": True}),
                      tmp_path)
    last = res.history[-1]
    assert res.stop_reason == "mean θ target reached"
    assert last["mean lithiation fraction [-]"] == pytest.approx(0.7, abs=EVENT_TOL)
    assert last["outer_surface: max lithiation fraction [-]"] == pytest.approx(0.8, abs=1e-9)
    # the surface θ is near uniform at the switch: no jump to warn of
    assert not any("CV hold" in w for w in res.summary["warnings"]), res.summary["warnings"]


def test_a_cv_switch_that_jumps_the_surface_theta_is_warned_of(tmp_path):
    """Surface cells thicker than the diffusion layer (D = 1e-16 m^2/s, 5 A/g, 0.25 um at a
    4 um surface) leave the surface θ 0.63 .. 0.80 when its max reaches the 0.8 cut-off;
    the hold sets every surface node to 0.8 in one step: a current 16 000 times the
    constant one and a stress jump (a helper's audit, 2026-12-07), said by no warning."""
    sets = ["materials.core.diffusivity={kind: constant, value: 1e-16}",
            "loading.specific_current=5 A/g", "stop.surface_theta=0.8",
            "stop.hold_at_cutoff=true", "stop.time=300", "stop.mean_theta=",
            "mesh.size=0.5 um", "mesh.surface_size=0.25 um", "output.pictures=false",
            "output.formats=[xdmf]", "mesh.cache=false"]
    p = _run_example("sphere_axisymmetric", tmp_path, sets)
    assert p.returncode == 0, p.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    warned = [w for w in summary["warnings"] if "switch to the CV hold" in w]
    assert len(warned) == 1 and "short of the cut-off 0.8" in warned[0], summary["warnings"]
    assert "mesh.surface_size" in warned[0] and "loading.flux_shares" in warned[0]


def test_potentiostatic_lithiation(tmp_path):
    loading = {"kind": "potentiostatic", "surface_theta": 0.9, "ramp_time": 50.0,
               "surfaces": ["outer_surface"]}
    _, res = run_case(_case(loading, {"mean_theta": 0.5}), tmp_path)
    last = res.history[-1]
    assert last["mean lithiation fraction [-]"] == pytest.approx(0.5, abs=EVENT_TOL)
    assert last["outer_surface: min lithiation fraction [-]"] == pytest.approx(0.9, abs=1e-9)
    means = [r["mean lithiation fraction [-]"] for r in res.history]
    assert all(b >= a - 1e-12 for a, b in zip(means, means[1:]))
    # the current a held surface θ draws carries the whole charge
    rows = res.history[1:]
    charge = sum(r["current [A/g]"] * r["dt [s]"] for r in rows) / 3600.0
    assert charge == pytest.approx(last["capacity [A h/g]"], rel=1e-9)


def test_delithiation_from_full(tmp_path):
    case = _case(_galv(direction="delithiation", initial_theta=1.0), {"mean_theta": 0.6})
    case["materials"]["core"]["reference_theta"] = 1.0
    _, res = run_case(case, tmp_path)
    last = res.history[-1]
    assert last["mean lithiation fraction [-]"] == pytest.approx(0.6, rel=1e-9)
    assert last["capacity [A h/g]"] == pytest.approx(0.4 * SPEC_CAP / 3.6e6, rel=1e-9)
    assert last["time [s]"] == pytest.approx(0.4 * SPEC_CAP / 100.0, rel=1e-9)
    # the surface empties first and its shell is pulled into hoop tension
    assert last["outer_surface: mean lithiation fraction [-]"] < 0.6
    assert last["outer_surface: mean hoop stress [Pa]"] > 0.0
    # how much, at every row: a free sphere of uniform E, ν with a radial eigenstrain
    # ε* = β θ/3 has the surface hoop stress σ_θ(R) = E β (θ̄ − θ(R)) / (3(1 − ν))
    # (the thermal analogue, docs/DESIGN.md §8.2; θ_ref only shifts ε* uniformly). θ is
    # radial here, so θ(R) is the surface mean. 2 % for the coarse mesh's facets.
    e, nu, beta = SI["youngs_modulus"], SI["poissons_ratio"], SI["volume_expansion"]
    for r in res.history[1:]:
        dtheta = (r["mean lithiation fraction [-]"]
                  - r["outer_surface: mean lithiation fraction [-]"])
        assert r["outer_surface: mean hoop stress [Pa]"] == pytest.approx(
            e * beta * dtheta / (3 * (1 - nu)), rel=0.02), r["time [s]"]
    assert max(r["Li balance error [-]"] for r in res.history[1:]) < 1e-10


def test_potentiostatic_run_ends_at_its_capacity(tmp_path):
    """A held surface θ with a capacity stop only: the run ends when that charge has passed
    (it ran on to stop.max_steps before: the capacity was only turned into an end time for
    galvanostatic runs)."""
    loading = {"kind": "potentiostatic", "surface_theta": 0.9, "ramp_time": 50.0,
               "surfaces": ["outer_surface"]}
    _, res = run_case(_case(loading, {"capacity": "0.5 A*h/g", "max_steps": 300}), tmp_path)
    last = res.history[-1]
    assert res.stop_reason == "capacity target reached"
    # the event tolerance is in units of the mean θ; 0.5 A h/g from θ = 0
    assert last["mean lithiation fraction [-]"] == pytest.approx(0.5 * 3.6e6 / SPEC_CAP,
                                                                 abs=EVENT_TOL)
    assert last["capacity [A h/g]"] == pytest.approx(0.5, abs=EVENT_TOL * SPEC_CAP / 3.6e6)


PULSE = {"kind": "potentiostatic", "surface_theta": 0.9, "ramp_time": 50.0,
         "surfaces": ["outer_surface"]}
PULSE_CAPACITY = 0.2  # A h/kg, mean θ ≈ 5.6e-5 of this material


def _pulse(tmp_path, lumped: bool, dt_min: float):
    """The potentiostatic pulse to PULSE_CAPACITY: (simulation, result, target mean θ)."""
    case = _case(PULSE, {"capacity": f"{PULSE_CAPACITY} A*h/kg", "max_steps": 300},
                 dt_min=dt_min)
    case["solver"] = {"mass_lumping": lumped}
    sim, res = run_case(case, tmp_path)
    assert res.stop_reason == "capacity target reached"
    return sim, res, PULSE_CAPACITY * 3600.0 / SPEC_CAP


@pytest.mark.parametrize("lumped", [False, True], ids=["consistent", "lumped"])
def test_a_small_capacity_step_ends_at_its_own_capacity(tmp_path, lumped):
    """A capacity stop far smaller than the event tolerance's 1e-4 of θ (a pulse, as in a
    titration): the run ends at that charge to 1e-3 of it, not at once (the first step's mean θ
    was within 1e-4 of the target and the run stopped there). With the lumped storage term
    the surface nodes take up their share of Li as their θ ramps, 2e-6 of θ in a step of
    1 ms here: dt_min 1 µs lets the event be reached to its tolerance (see the next test)."""
    sim, res, target = _pulse(tmp_path, lumped, dt_min=1e-6)
    assert target < EVENT_TOL
    assert res.history[-1]["mean lithiation fraction [-]"] == pytest.approx(target, rel=1e-3)
    assert res.history[-1]["capacity [A h/g]"] == pytest.approx(PULSE_CAPACITY / 1000.0,
                                                                rel=1e-3)
    assert not [w for w in sim.log.warnings if "dt_min" in w]


def test_an_event_passed_in_a_step_of_dt_min_is_reported(tmp_path):
    """The pulse above with dt_min 1 ms and the lumped term: a step of dt_min is not cut,
    so the run ends past the capacity (by more than its tolerance) and says so once."""
    sim, res, target = _pulse(tmp_path, lumped=True, dt_min=1e-3)
    assert res.history[-1]["mean lithiation fraction [-]"] > target * (1 + 1e-3)
    warned = [w for w in sim.log.warnings if "capacity target overshoot" in w]
    assert len(warned) == 1 and "time.dt_min = 0.001 s" in warned[0]


def test_cc_cv_hold_ends_at_the_capacity(tmp_path):
    """The constant-current end time (here the capacity's) no longer applies once the hold
    starts; the capacity stop was then dropped and the hold ran on to stop.max_steps."""
    _, res = run_case(_case(_galv(specific_current=2000.0),
                            {"surface_theta": 0.5, "hold_at_cutoff": True,
                             "capacity": "1.2 A*h/g", "max_steps": 300}), tmp_path)
    last = res.history[-1]
    assert res.stop_reason == "capacity target reached"
    assert last["outer_surface: max lithiation fraction [-]"] == pytest.approx(0.5, abs=1e-9)
    # the hold draws less than the constant current: the charge takes longer to pass
    assert last["time [s]"] > 1.2 * 3.6e6 / 2000.0 * 1.001
    assert last["capacity [A h/g]"] == pytest.approx(1.2, abs=EVENT_TOL * SPEC_CAP / 3.6e6)


@pytest.mark.parametrize("capacity, reason", [("0.5 A*h/g", "capacity target reached"),
                                              ("3 A*h/g", "mean θ target reached")])
def test_the_stop_reached_first_is_the_reason(tmp_path, capacity, reason):
    """With both a mean-θ and a capacity stop the reason was "mean θ target reached" even
    when the capacity ended the run."""
    _, res = run_case(_case(_galv(specific_current=2000.0),
                            {"mean_theta": 0.3, "capacity": capacity}), tmp_path)
    assert res.stop_reason == reason
    last = res.history[-1]
    if reason.startswith("capacity"):
        assert last["capacity [A h/g]"] == pytest.approx(0.5, rel=1e-9)
    else:
        assert last["mean lithiation fraction [-]"] == pytest.approx(0.3, rel=1e-9)


def test_potentiostatic_delithiation_counts_capacity_positive(tmp_path):
    """The capacity column is the charge passed in the run's direction: positive for a
    delithiation whether the current or the surface θ is prescribed (it was negative for a
    potentiostatic one)."""
    loading = {"kind": "potentiostatic", "surface_theta": 0.1, "initial_theta": 0.9,
               "ramp_time": 5.0, "surfaces": ["outer_surface"]}
    case = _case(loading, {"mean_theta": 0.6})
    case["materials"]["core"]["reference_theta"] = 0.9
    _, res = run_case(case, tmp_path)
    last = res.history[-1]
    assert last["mean lithiation fraction [-]"] == pytest.approx(0.6, abs=EVENT_TOL)
    assert last["capacity [A h/g]"] == pytest.approx(
        (0.9 - last["mean lithiation fraction [-]"]) * SPEC_CAP / 3.6e6, rel=1e-9)


def test_max_steps_ends_the_run_saying_so(tmp_path):
    _, res = run_case(_case(_galv(specific_current=2000.0), {"mean_theta": 0.9, "max_steps": 4}),
                      tmp_path)
    assert res.stop_reason == "stop.max_steps reached"
    assert res.steps == 4 and res.history[-1]["step"] == 4
    assert res.history[-1]["mean lithiation fraction [-]"] < 0.9
    assert "stopped after stop.max_steps = 4 steps" in (tmp_path / "run.log").read_text()


def test_checkpoint_minutes_writes_checkpoints_by_wall_time(tmp_path):
    """output.checkpoint_minutes alone (no step count): a checkpoint whenever that much wall
    time has passed since the last; 1e-9 min is every step."""
    case = _case(_galv(specific_current=2000.0), {"mean_theta": 0.2})
    case["output"].update(checkpoint_every=None, checkpoint_minutes=1e-9)
    _, res = run_case(case, tmp_path / "often")
    log = (tmp_path / "often" / "run.log").read_text()
    steps = [int(line.split("checkpoint at step ")[1].split(",")[0])
             for line in log.splitlines() if "checkpoint at step " in line]
    assert steps == list(range(1, res.steps)), steps  # each step but the last (the end)
    case["output"].update(checkpoint_minutes=None)
    run_case(case, tmp_path / "never")
    assert "checkpoint at step" not in (tmp_path / "never" / "run.log").read_text()


def test_cutoff_only_run_reports_progress_without_a_target(tmp_path):
    """A galvanostatic run that only a surface cut-off ends has no end time and no mean-θ
    target: its progress fraction is 0 (the progress line raised TypeError on it)."""
    _, res = run_case(_case(_galv(specific_current=2000.0), {"surface_theta": 0.8}), tmp_path)
    assert res.stop_reason == "surface θ cut-off reached"


def test_an_overfilled_shell_points_at_flux_shares(tmp_path):
    """Three loaded surfaces with the same flux density fill the thin carbon shell of the
    yolk-shell example ~15x faster than the yolk. The warning's fixes (a surface θ stop, a
    lower current) stopped the run at mean θ 0.05; it now names loading.flux_shares too."""
    p = _run_example("yolk_shell", tmp_path, [
        "loading.flux_shares=null", "mesh.size=0.5 um", "stop.mean_theta=0.08",
        "output.pictures=false", "time.output_every=null", "mesh.cache=false",
        "output.history_every=null"])
    assert p.returncode == 0, p.stderr
    log = (tmp_path / "run.log").read_text().splitlines()
    warning = next(line for line in log if "more Li than the host" in line)
    assert "loading.flux_shares" in warning


def _run_example(name, out, sets):
    """``chemomech run cases/examples/<name>.yaml --out OUT --quiet --set …`` (a process of
    its own, as a user runs it)."""
    import subprocess

    from chemomech_testing import ROOT, chemomech_cmd, set_args

    args = [*chemomech_cmd(), "run", ROOT / "cases" / "examples" / f"{name}.yaml", "--out",
            out, "--quiet", *set_args(sets)]
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
