"""Seed 003 (Liu et al., Nano-Micro Lett. 2025): the orderings our model reproduces, on coarse
versions of cases/liu2025/ I-IV (issue 5). Asserts orderings, never numbers, and only those
that hold for our model at full resolution (``make reproduce``):

- average stress (peak of the volume-mean von Mises): I > II, I > III, I > IV - every coating
  or pore variant lowers it below pure Si;
- surface A > matrix B in III and IV.

Either can fail: a coating that stopped lowering the average stress (a stiffer or swelling-
matched shell, a lost interface), or porous configurations whose Si/SiOx interface stress fell
below the matrix stress at r = R/2, would break them.

Known failures, NOT asserted (our model gives the opposite at full resolution; reported in
docs/reproductions.md and issue 5, nothing is tuned per configuration to force them). Full
resolution, GPa, I / II / III / IV: surface A 53.2-54.0 in all four; matrix B 56.6 / 59.5 /
50.9 / 47.2; pore edge C - / - / 61.8 / 82.5; average 28.2 / 22.4 / 23.2 / 23.2.

- the chain "average I > II > III > IV": II < III (22.4 < 23.2), III ~ IV;
- "surface A > matrix B" in I and II (53.7 < 56.6, 53.2 < 59.5): the two-phase front puts the
  matrix point at its peak stress when the front passes it, above the surface's peak;
- "pore edge C(IV) < C(III)" (82.5 > 61.8): a 1.1 GPa pore coating is too compliant to shield
  the wall; the what-if study (cases/liu2025_assumptions) finds the rise with the layer, not
  with IV's larger (0.4 um) Si holes: bare holes of that size give 55.7.

(At this coarse resolution surface > matrix happens to hold in I and II as well, by < 5 %;
it is not asserted since it fails at full resolution.)

Coarse: bulk mesh 0.2 um (coatings keep their automatic sizing), max_dtheta 0.2, dt_max 800 s,
no pictures: about 75 s on 2 loaded cores. Margins seen coarse: average I - II/III/IV >= 4.8
GPa, surface - matrix >= 8.9 GPa (III) and 12.6 GPa (IV).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "cases" / "liu2025" / "reference.yaml"

COARSE = [
    "mesh.size=0.2 um",
    "time.max_dtheta=0.2",
    "time.dt_max=800 s",
    "output.pictures=false",
]


def _ours(result: dict, key: str, lab: str) -> float:
    v = result["quantities"][key]["values"][lab]
    assert v["ours"] is not None, f"{key} {lab}: {v['note']}"
    return v["ours"]


def test_liu2025_orderings_coarse(tmp_path):
    from solver.compare import compare

    result = compare(REFERENCE, out=tmp_path / "cmp", overrides=COARSE, jobs=2,
                     say=lambda *_: None)
    runs = result["configurations"]
    assert set(runs) == {"I", "II", "III", "IV"}
    failed = {k: v for k, v in runs.items() if v.get("status") != "completed"}
    assert not failed, failed
    # the reference's orderings are evaluated (their verdicts are not asserted, see docstring)
    assert {o["name"] for o in result["orderings"]} >= {
        "average I > II > III > IV", "surface A > matrix B in each configuration",
        "pore edge C(IV) < C(III)"}

    avg = {lab: _ours(result, "average", lab) for lab in runs}
    broken = [f"average I {avg['I']:.4g} > {lab} {avg[lab]:.4g} GPa fails"
              for lab in ("II", "III", "IV") if not avg["I"] > avg[lab]]
    for lab in ("III", "IV"):
        a, b = _ours(result, "surface", lab), _ours(result, "matrix", lab)
        if not a > b:
            broken.append(f"{lab}: surface A {a:.4g} > matrix B {b:.4g} GPa fails")
    assert not broken, broken
