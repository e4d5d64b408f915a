"""The interface shear columns agree with each other: the mean shear traction is taken, as
the max, of the traction of the two sides' mean stress. Before, the mean averaged each
side's |shear|, which keeps each side's discretisation error (they have opposite signs), and
on the core-shell example (a spherically symmetric layout: no shear in the continuum) it came
out 5x above the max shear of the same row."""

from __future__ import annotations

import yaml

from chemomech_testing import ROOT, run_case


def test_mean_shear_traction_is_below_the_max(tmp_path):
    case = yaml.safe_load((ROOT / "cases" / "examples" / "core_shell.yaml").read_text())
    case["stop"] = {"mean_theta": 0.3}
    case["output"] = {"pictures": False, "formats": ["vtk"], "checkpoint_every": None,
                      "checkpoint_minutes": None}
    _, result = run_case(case, tmp_path)
    name = "interface_core_coating_1"
    rows = result.history[1:]
    assert len(rows) > 10
    normal = max(abs(r[f"{name}: mean normal traction [Pa]"]) for r in rows)
    for r in rows:
        mean, top = (r[f"{name}: {s} shear traction [Pa]"] for s in ("mean", "max"))
        assert 0 <= mean <= top, (r["step"], mean, top)
        assert mean < 0.05 * normal  # a discretisation error, against GPa of normal traction
    assert result.history[0][f"{name}: mean shear traction [Pa]"] == 0.0


def test_a_soft_coating_on_lithiating_si_is_in_compression(tmp_path):
    """Seed 003's configuration II: an inert, non-swelling carbon shell (0.757 GPa) on Si
    (185 -> 35 GPa) lithiating from its surface. The swelling Si pushes the shell outwards:
    the interface is in compression (Lamé: p = σ_hoop,shell 2(b³ - a³)/(2a³ + b³), about
    5 MPa at mean θ 0.04) and, spherically symmetric, free of shear. With equal weights of
    the two sides the Si side's error (its stress is 1000x the shell's) set the sign: +47 MPa
    normal and 139 MPa shear. The sides are weighted by compliance now."""
    from solver import build_simulation, load_case

    case = load_case(ROOT / "cases" / "liu2025" / "ii_carbon_coated.yaml", overrides=[
        "stop={mean_theta: 0.04}", "time.output_mean_theta=[]", "output.pictures=false",
        "output.formats=[vtk]", "output.checkpoint_every=null"])
    result = build_simulation(case, out_dir=tmp_path, quiet=True).run()
    name = "interface_core_coating_1"
    last = result.history[-1]
    a, b = 2.5, 2.7  # um: the Si radius and the coated radius
    hoop = last["coating_1: mean hoop stress [Pa]"]
    lame = hoop * 2 * (b**3 - a**3) / (2 * a**3 + b**3)  # from the shell's mean hoop stress
    normal = last[f"{name}: mean normal traction [Pa]"]
    assert hoop > 0 and -1.5 * lame < normal < -0.5 * lame, (normal, lame)
    assert last[f"{name}: max normal traction [Pa]"] < 0
    assert last[f"{name}: mean shear traction [Pa]"] < abs(normal)
