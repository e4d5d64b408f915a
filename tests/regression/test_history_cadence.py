"""``output.history_every``: the mechanics is solved only for the history rows (and fields).

A run with a row every N steps must give, at its rows, the same values as the every-step run:
θ quantities identical (the θ path does not depend on the cadence), stresses equal to the
mechanics solver tolerance (the warm start differs); the same steps, stop event and end time;
Faraday's law and the Li balance at every row; Newton iterations and rejected steps summed
over the rows equal to the run totals; and exactly one mechanics solve per row (one-way).
Two-way coupling still needs σ_h after every step: its rows and Newton totals must match the
every-step run too.
"""

from __future__ import annotations

import math

import pytest

from chemomech_testing import SI, run_case, sphere_case

R = 4e-6
CURRENT = 100.0  # A/kg (0.1 A/g)
EVERY, OUTPUT_EVERY = 3, 7
STRESS_REL_TOL = 1e-6  # of each column's scale: CG to linear_rtol from different initial u
# counts since the previous row (and the wall time) differ with the cadence by design
SKIP = {"wall time [s]", "Krylov iterations (mechanics)", "Newton iterations",
        "Krylov iterations (diffusion)", "rejected steps", "coupling iterations"}


def _one_way(history_every):
    case = sphere_case(mode="octant", radius=R, size=R / 4, surface_size=R / 8)
    case["materials"]["core"] = {
        **SI, "youngs_modulus": {"kind": "linear", "unlithiated": 185e9, "lithiated": 35e9},
        "diffusivity": {"kind": "two_phase", "pristine": 2e-17, "lithiated": 2e-15,
                        "theta_star": 0.5, "width": 0.05}}
    case["loading"] = {"kind": "galvanostatic", "specific_current": CURRENT,
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.2}
    case["time"] = {"dt_initial": 10.0, "dt_max": 2000.0, "max_dtheta": 0.1,
                    "output_every": OUTPUT_EVERY}
    case["output"]["probes"] = [{"name": "centre", "point": [0.0, 0.0, 0.0]}]
    case["output"]["history_every"] = history_every
    return case


def _two_way(history_every, scheme="staggered"):
    case = sphere_case(mode="axisymmetric", radius=R, size=R / 4, surface_size=R / 8)
    case["loading"] = {"kind": "galvanostatic", "specific_current": "8 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.03}
    case["time"] = {"dt_initial": 0.5, "dt_max": 5.0, "max_dtheta": 0.05,
                    "output_every": 1000}
    case["coupling"] = "two_way"
    case["solver"] = {"coupling_tolerance": 1e-9, "coupling_scheme": scheme}
    case["output"]["history_every"] = history_every
    return case


def _run(case, out):
    from solver import build_simulation, load_case_dict

    sim = build_simulation(load_case_dict(case, source="<cadence>"), out_dir=out, quiet=True)
    solves = []
    solve = sim.mechanics.solve
    sim.mechanics.solve = lambda **kw: solves.append(1) or solve(**kw)
    return sim.run(), len(solves)


def _compare(every, sparse, stress_tol):
    by_step = {r["step"]: r for r in every.history}
    for row in sparse.history:
        ref = by_step[row["step"]]
        for col, value in ref.items():
            if col in SKIP:
                continue
            if col == "Li balance error [-]":  # round-off either way
                assert row[col] < 1e-10 and value < 1e-10
                continue
            scale = max(abs(r[col]) for r in every.history if r[col] == r[col]) or 1.0
            tol = stress_tol if col.endswith("[Pa]") or col.endswith("[m]") else 1e-12
            if math.isnan(value):
                assert math.isnan(row[col]), (row["step"], col)
            else:
                assert abs(row[col] - value) <= tol * scale, (row["step"], col)


def test_one_way_rows_every_n_steps_match_the_every_step_run(tmp_path):
    every, n_every = _run(_one_way(1), tmp_path / "every")
    sparse, n_sparse = _run(_one_way(EVERY), tmp_path / "sparse")
    steps = every.steps
    assert sparse.steps == steps and sparse.stop_reason == every.stop_reason
    assert every.stop_reason == "mean θ target reached"
    expected = sorted({0, steps} | {k for k in range(steps + 1)
                                    if k % EVERY == 0 or k % OUTPUT_EVERY == 0})
    assert [r["step"] for r in sparse.history] == expected
    assert [r["step"] for r in every.history] == list(range(steps + 1))
    # one mechanics solve per row (one-way: none for the steps in between)
    assert n_every == len(every.history) and n_sparse == len(sparse.history) < n_every
    _compare(every, sparse, STRESS_REL_TOL)
    # the per-row counters add up to the run totals of the every-step run
    for col, key in (("Newton iterations", "newton_iterations"),):
        assert sum(r[col] for r in sparse.history) == every.summary["run"][key]
    assert (sum(r["rejected steps"] for r in sparse.history)
            == sum(r["rejected steps"] for r in every.history))
    # Faraday: capacity = I t at every row; Li balance to round-off; the stop event is hit
    for r in sparse.history[1:]:
        assert r["capacity [A h/g]"] == pytest.approx(CURRENT * r["time [s]"] / 3.6e6, rel=1e-9)
        assert r["Li balance error [-]"] < 1e-10
    assert sparse.history[-1]["mean lithiation fraction [-]"] == pytest.approx(0.2, abs=1e-4)
    assert sparse.summary["outputs"]["fields"] == every.summary["outputs"]["fields"]
    # the summary's dt range covers every accepted step, not only the written rows
    dts = [r["dt [s]"] for r in every.history[1:]]
    for run in (every, sparse):
        assert run.summary["run"]["dt_min_s"] == min(dts)
        assert run.summary["run"]["dt_max_s"] == max(dts)


@pytest.mark.parametrize("scheme", ["staggered", "monolithic"])
def test_two_way_keeps_sigma_h_every_step(scheme, tmp_path):
    every, _ = _run(_two_way(1, scheme), tmp_path / "every")
    sparse, _ = _run(_two_way(EVERY, scheme), tmp_path / "sparse")
    assert sparse.steps == every.steps and len(sparse.history) < len(every.history)
    # staggered: the iteration starts from the σ_h of the last accepted θ; one left from an
    # older step converges to θ within coupling_tolerance but not to the bit (checked with a
    # deliberately broken loop: the θ columns then differ by ~1e-12 of their scale), whereas
    # the same σ_h gives identical θ
    assert (sum(r["Newton iterations"] for r in sparse.history)
            == every.summary["run"]["newton_iterations"]
            == sparse.summary["run"]["newton_iterations"])
    if scheme == "staggered":  # the fixed-point iterations of the steps between rows too
        assert (sum(r["coupling iterations"] for r in sparse.history)
                == sum(r["coupling iterations"] for r in every.history)
                == sparse.summary["run"]["coupling_iterations"])
    _compare(every, sparse, STRESS_REL_TOL)
