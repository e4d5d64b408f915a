"""Multi-material particles: inactive (inert) coatings and mass accounting.

An inert coating (active: false) stores no Li and does not swell; Li passes through it to
the core. Oracles: Faraday's law with the mass of the active core only, Li conservation at
every step, zero Li concentration in the coating.
"""

from __future__ import annotations

import numpy as np
import pytest

from chemomech_testing import SI, run_case, signal_after_step, sphere_case
from verification.analytic import lame_core_shell

UM = 1e-6
A, T = 2.5 * UM, 0.2 * UM
COAT_E, COAT_NU = 20e9, 0.3  # the inert coating of _case


def _case(mode="axisymmetric"):
    case = sphere_case(radius=A + T, size=0.25 * UM)
    case["geometry"] = {"kind": "core_shell", "mode": mode, "core_radius": A, "coatings": [T]}
    si = dict(case["materials"]["core"])
    case["materials"] = {
        "core": si,
        "coating_1": {"active": False, "density": 2000.0, "youngs_modulus": COAT_E,
                      "poissons_ratio": COAT_NU},
    }
    case["loading"] = {"kind": "galvanostatic", "specific_current": "1 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.3}
    case["time"] = {"dt_initial": 1.0, "dt_max": 200.0, "max_dtheta": 0.1}
    return case


def test_inert_coating_stores_no_li_and_conserves_it(tmp_path):
    sim, result = run_case(_case(), tmp_path)
    last = result.history[-1]
    spec_cap = SI["c_max"] * 96485.33212 / SI["density"]  # C/kg of the Si core
    assert last["mean lithiation fraction [-]"] == pytest.approx(0.3, rel=1e-9)
    # the current is per mass of active material: the coating's mass does not count
    assert last["time [s]"] == pytest.approx(0.3 * spec_cap / 1000.0, rel=1e-9)
    assert max(r["Li balance error [-]"] for r in result.history[1:]) < 1e-10
    # Li content is c_max θ over the core only: it equals the charge passed
    li_expected = 0.3 * SI["c_max"] * 4.0 / 3.0 * np.pi * A**3
    assert last["Li content [mol]"] == pytest.approx(li_expected, rel=0.01, abs=0)  # faceted
    # the coating carries stress: it is stretched in hoop tension by the swelling core. How
    # much is Lamé's: a free sphere with a radial eigenstrain ε*(r) has u(a)/a = its volume
    # mean (thermal analogue, docs/DESIGN.md §8.2), so the shell sees the pressure p of a
    # core of uniform ε* = β θ̄/3, θ̄ = 0.3 (all the Li is in the core), against an inert
    # shell (ε* = 0), whatever the profile. A thick shell under internal pressure p has its
    # largest tension σ_θ(a) = p (2a³ + b³) / (2(b³ − a³)) and σ_θ(b) = 3 p a³ / (2(b³ − a³))
    # at the outer surface (~7 GPa here: a wrong modulus or swelling shows at once).
    p, hoop_a = lame_core_shell(A, A + T, SI["youngs_modulus"], SI["poissons_ratio"],
                                COAT_E, COAT_NU, SI["volume_expansion"] * 0.3 / 3, 0.0)
    hoop_b = 3 * p * A**3 / (2 * ((A + T) ** 3 - A**3))
    # the mean over the faceted surface (P2 u, a few cells through the coating): 1 %
    assert last["outer_surface: mean hoop stress [Pa]"] == pytest.approx(hoop_b, rel=0.01)
    # a nodal maximum beside the stress jump at the interface: looser, as in
    # tests/verification/test_geometry_modes.py
    assert last["coating_1: max first principal stress [Pa]"] == pytest.approx(hoop_a, rel=0.03)
    # concentration output is zero in the coating
    c = sim.field_output.c_out
    x = c.function_space.tabulate_dof_coordinates()
    r = np.hypot(x[:, 0], x[:, 1])
    outer = r > A + 0.5 * T
    assert np.abs(c.x.array[outer]).max() == 0.0


def test_flux_shares_split_the_current_between_surfaces(tmp_path):
    """Hollow particle loaded on both walls: all current through the outer wall versus the
    same flux density on both. Faraday and the Li balance hold either way; the cavity wall
    stays emptier when it receives no current."""
    def case(shares):
        c = sphere_case(radius=2.5 * UM, size=0.25 * UM)
        c["geometry"] = {"kind": "hollow", "mode": "axisymmetric", "inner_radius": 1.0 * UM,
                         "outer_radius": 2.5 * UM}
        c["loading"] = {"kind": "galvanostatic", "specific_current": "1 A/g",
                        "surfaces": ["outer_surface", "inner_surface"], "flux_shares": shares}
        c["stop"] = {"mean_theta": 0.2}
        c["time"] = {"dt_initial": 1.0, "dt_max": 100.0, "max_dtheta": 0.05}
        return c

    _, uniform = run_case(case(None), tmp_path / "u")
    _, outer = run_case(case({"outer_surface": 1.0, "inner_surface": 0.0}), tmp_path / "o")
    for res in (uniform, outer):
        last = res.history[-1]
        assert last["mean lithiation fraction [-]"] == pytest.approx(0.2, rel=1e-9)
        assert max(r["Li balance error [-]"] for r in res.history[1:]) < 1e-10
    assert uniform.history[-1]["time [s]"] == pytest.approx(outer.history[-1]["time [s]"],
                                                            rel=1e-9)
    inner = "inner_surface: mean lithiation fraction [-]"
    assert outer.history[-1][inner] < uniform.history[-1][inner]


def test_flux_shares_must_cover_the_surfaces():
    from solver import CaseError, load_case_dict

    c = sphere_case(mode="axisymmetric")
    c["loading"] = {"kind": "galvanostatic", "specific_current": 100.0,
                    "surfaces": ["outer_surface"], "flux_shares": {"outer_surface": 0.5}}
    c["stop"] = {"mean_theta": 0.2}
    with pytest.raises(CaseError) as info:
        load_case_dict(c)
    assert "loading.flux_shares" in str(info.value) and "sum to 1" in str(info.value)


def test_yolk_shell_gap_shrinks_and_closure_is_reported(tmp_path):
    """A 2 µm Si yolk in a 0.1 µm void: a free sphere swelling by β θ/3 gains
    2 µm · ((1 + ...)) ≈ 2 µm · 2.8 θ / 3 of radius, so the gap closes near θ ≈ 0.054."""
    c = sphere_case(radius=2.4 * UM, size=0.1 * UM)
    c["geometry"] = {"kind": "yolk_shell", "mode": "axisymmetric", "yolk_radius": 2.0 * UM,
                     "void_thickness": 0.1 * UM, "shell_thickness": 0.3 * UM}
    si = dict(c["materials"]["core"])
    c["materials"] = {"yolk": si, "shell": {"active": False, "density": 2000.0,
                                            "youngs_modulus": 50e9, "poissons_ratio": 0.25}}
    c["loading"] = {"kind": "prescribed", "profile": {"kind": "uniform", "theta": 0.0}}
    gaps = []
    for theta in (0.0, 0.03, 0.08):
        c["loading"]["profile"]["theta"] = theta
        sim, res = run_case(c, tmp_path / f"t{theta}")
        gaps.append(res.history[-1]["yolk-shell gap [m]"])
    void = 0.1 * UM
    growth = 2.0 * UM * SI["volume_expansion"] * 0.03 / 3.0  # free yolk, linear law
    assert gaps[0] == pytest.approx(void, rel=0.02)
    assert gaps[1] == pytest.approx(void - growth, abs=0.02 * void)
    assert gaps[2] < 0.0
    assert res.summary["yolk_shell_gap_closed_at"] is not None


def _closing_yolk_shell() -> dict:
    """A Si yolk in an inert shell with a 0.1 um void, lithiated from the electrolyte in the
    void: the yolk's swelling closes the gap near mean θ 0.06."""
    c = sphere_case(radius=2.4 * UM, size=0.2 * UM)
    c["geometry"] = {"kind": "yolk_shell", "mode": "axisymmetric", "yolk_radius": 2.0 * UM,
                     "void_thickness": 0.1 * UM, "shell_thickness": 0.3 * UM}
    si = {**c["materials"]["core"], "diffusivity": {"kind": "constant", "value": 1e-13}}
    c["materials"] = {"yolk": si, "shell": {"active": False, "density": 2000.0,
                                            "youngs_modulus": 50e9, "poissons_ratio": 0.25}}
    c["loading"] = {"kind": "galvanostatic", "specific_current": 1000.0,
                    "surfaces": ["yolk_surface"]}  # the electrolyte in the void
    return c


def test_gap_closure_survives_a_restart(tmp_path):
    """The closing time in summary.json (and its single warning) stays that of the
    uninterrupted run when the run is stopped after the closing and restarted: it was reset,
    and the first row after the restart was reported instead."""
    from solver import build_simulation, load_case_dict

    c = _closing_yolk_shell()
    c["stop"] = {"mean_theta": 0.12}  # closes near mean θ 0.06
    c["time"] = {"dt_initial": 5.0, "max_dtheta": 0.02}

    def simulation(out):
        return build_simulation(load_case_dict(c, source="<gap>"), out_dir=out, quiet=True)

    full = simulation(tmp_path / "full").run()
    closed = full.summary["yolk_shell_gap_closed_at"]
    assert closed is not None and closed["time [s]"] < full.history[-1]["time [s]"]
    stop_at = next(r["step"] for r in full.history if r["time [s]"] > closed["time [s]"])
    assert stop_at < full.steps - 1  # stopped after the closing, before the end

    sim = simulation(tmp_path / "run")
    signal_after_step(sim, stop_at)
    with pytest.raises(RuntimeError, match="interrupted"):
        sim.run()
    again = simulation(tmp_path / "run").run(restart=True)
    assert again.summary["yolk_shell_gap_closed_at"] == pytest.approx(closed)
    log = (tmp_path / "run" / "run.log").read_text()
    assert log.count("the yolk touches the shell") == 1


@pytest.mark.parametrize("thickness", [0.2 * UM, 0.5 * UM])
def test_inert_coating_passes_li_at_the_active_materials_concentration(tmp_path, thickness):
    """The coating stores nothing, so the radial Li flux through it is exactly J = j R_o²/r²
    at every instant; with its Li at concentration θ · c_max of the Si, the θ drop across it
    is Δθ = j R_o² (1/a − 1/R_o) / (c_max D_c) whatever its thickness. (The scale used to be
    the mean c_max over the whole particle, inert volume included, so the permeability of a
    coating changed with its own thickness: 26 % at 0.2 um, 66 % at 0.5 um.)"""
    d_c = 1e-16
    r_o = A + thickness
    case = _case()
    case["geometry"]["coatings"] = [thickness]
    case["geometry"].pop("radius", None)
    case["materials"]["coating_1"]["diffusivity"] = {"kind": "constant", "value": d_c}
    case["mesh"] = {"size": 0.25 * UM, "cache": False}
    case["stop"] = {"mean_theta": 0.05}
    case["output"] = {"pictures": False, "formats": ["xdmf"], "measures": [
        {"name": "interface", "field": "theta", "statistic": "mean",
         "on": "interface_core_coating_1"}]}
    sim, result = run_case(case, tmp_path)
    assert result.status == "completed"
    j = float(sim.diffusion.flux.value)  # mol m⁻² s⁻¹ into the outer surface
    expected = j * r_o**2 * (1.0 / A - 1.0 / r_o) / (SI["c_max"] * d_c)
    for row in result.history[2:]:
        drop = row["outer_surface: mean lithiation fraction [-]"] - row["measure interface [-]"]
        assert drop == pytest.approx(expected, rel=0.01), (row["time [s]"], drop, expected)


def test_a_thin_layer_in_3d_is_named_as_the_cause_of_a_large_mesh(tmp_path, monkeypatch, capsys):
    """A layer gets ~3 elements through its thickness whatever mesh.size says, so a thin
    coating in octant mode makes a large mesh: the warning names the layer and the 2D mode.
    (The threshold is lowered here to keep the mesh small.)"""
    import solver.simulation as simulation
    from solver import build_simulation, load_case_dict

    monkeypatch.setattr(simulation, "LARGE_3D_CELLS", 1000)
    case = _case(mode="octant")
    case["geometry"] = {"kind": "core_shell", "mode": "octant", "core_radius": 0.5 * UM,
                        "coatings": [{"thickness": 0.1 * UM}]}
    case["mesh"] = {"size": 0.5 * UM, "cache": False}
    sim = build_simulation(load_case_dict(case, source="<thin>"), out_dir=tmp_path)
    err = capsys.readouterr().err
    assert sim._global_cells() > 1000
    assert "the thinnest layer (100 nm)" in err and "geometry.mode: axisymmetric" in err, err
    monkeypatch.setattr(simulation, "LARGE_3D_CELLS", 10**9)
    build_simulation(load_case_dict(case, source="<thin>"), out_dir=tmp_path)
    assert "thinnest layer" not in capsys.readouterr().err


def test_gap_closure_warning_names_a_cure(tmp_path):
    """The warning that the yolk touches the shell said the later results are not physical,
    but not what to do: it now names the stop that ends the run before and the void."""
    c = _closing_yolk_shell()
    c["stop"] = {"mean_theta": 0.1}  # closes near mean θ 0.06
    c["time"] = {"dt_initial": 5.0, "max_dtheta": 0.05}
    c["output"] = {"pictures": False, "formats": ["vtk"]}
    _, res = run_case(c, tmp_path / "run")
    closed = res.summary["yolk_shell_gap_closed_at"]
    assert closed is not None
    line = next(l for l in (tmp_path / "run" / "run.log").read_text().splitlines()
                if "the yolk touches the shell" in l)
    assert "stop.mean_theta below" in line and "geometry.void_thickness" in line, line
    below = float(line.split("stop.mean_theta below ")[1].split(",")[0])
    assert below == pytest.approx(closed["mean lithiation fraction [-]"], rel=1e-3)
