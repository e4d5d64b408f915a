"""comparison.md/.csv/.json, figures, the report, the pre-run checks and the re-run logic
(synthetic results; no FE run)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from chemomech_testing import TINY_CASE
from solver.case.errors import CaseError
from solver.compare.evaluate import evaluate
from solver.compare.reference import load_reference
from solver.compare.results import read_results



def _setup(tmp_path, synth, data, cases=None, **kw):
    ref_file = synth.write_reference(tmp_path, data, cases)
    ref = load_reference(ref_file)
    results = {}
    for lab, scale in (("A", 1.0), ("B", 3.0)):
        folder = synth.write_results(tmp_path / "runs" / lab, synth.linear_history(scale),
                                     **kw.get(lab, {}))
        results[lab] = read_results(lab, ref.case_file(lab), folder)
    return ref, results


def test_md_csv_json_are_written(tmp_path, synth, base_reference):
    from solver.compare.core import _config_info
    from solver.compare.writers import write_all

    base_reference["orderings"].append({"name": "A above B", "quantity": "y",
                                        "descending": ["A", "B"]})
    ref, results = _setup(tmp_path, synth, base_reference)
    c = evaluate(ref, results)
    c.update(figures=["f.png"], warnings=["a warning"],
             configurations={lab: _config_info(r) for lab, r in results.items()})
    md, csv_file, js = write_all(tmp_path / "out", c)
    data = json.loads(js.read_text())
    assert {"paper", "baseline", "quantities", "orderings", "all_orderings_hold",
            "figures"} <= set(data)
    assert data["quantities"]["y"]["values"]["B"]["ours_ratio"] == pytest.approx(3.0)
    assert data["all_orderings_hold"] is False
    rows = list(csv.DictReader(open(csv_file)))
    assert len(rows) == len(ref.quantities) * len(ref.configurations)
    assert {r["configuration"] for r in rows} == {"A", "B"}
    text = md.read_text()
    assert "**DOES NOT HOLD**" in text and "1 of 2 hold" in text
    assert "![f](f.png)" in text and "a warning" in text


def test_own_designs_without_a_paper(tmp_path, synth, base_reference):
    """A comparison of one's own designs: no paper and nothing reported. The orderings are
    the expected ones; comparison.md said "The paper's ordering is not reproduced"."""
    from solver.compare.core import _config_info
    from solver.compare.writers import markdown

    del base_reference["paper"]
    base_reference["quantities"]["y"]["reported"] = {}
    base_reference["orderings"] = [{"name": "A above B", "quantity": "y",
                                    "descending": ["A", "B"]}]
    ref, results = _setup(tmp_path, synth, base_reference)
    c = evaluate(ref, results)
    c["configurations"] = {lab: _config_info(r) for lab, r in results.items()}
    assert c["paper"] is None and c["reported"] is False
    text = markdown(c)
    assert text.startswith("# Comparison of A, B\n")
    assert "The expected ordering does not come out there" in text and "paper's" not in text
    assert "| configuration | ours [kPa] | ours / A |" in text and "reported" not in text


def test_history_figure_is_drawn_and_bad_columns_only_warn(tmp_path, synth, base_reference):
    from solver.compare.figures import draw_figures

    base_reference["figures"] = [
        {"name": "y_vs_t", "kind": "history", "x": "time [s]", "x_unit": "min",
         "y": "measure y [Pa]", "y_unit": "kPa", "title": "y"},
        {"name": "bad", "kind": "history", "x": "time [s]", "y": "measure nothing [Pa]"},
    ]
    ref, results = _setup(tmp_path, synth, base_reference)
    files, warnings = draw_figures(ref, results, tmp_path / "out")
    assert [f.name for f in files] == ["y_vs_t.png"]
    assert files[0].stat().st_size > 1000
    assert any(w.startswith("bad:") for w in warnings)


def test_radial_bins_of_a_field_linear_in_radius():
    from solver.compare.figures import radial_bins

    rng = np.random.default_rng(1)
    directions = rng.normal(size=(4000, 3))
    directions /= np.linalg.norm(directions, axis=1)[:, None]
    pts = directions * rng.uniform(0.0, 1.0, size=(4000, 1))
    r = np.linalg.norm(pts, axis=1)
    mid, mean, lo, hi = radial_bins(pts, 3.0 * r, np.zeros(3), 10)
    width = r.max() / 10
    assert len(mid) == 10
    assert np.all(lo <= mean) and np.all(mean <= hi)
    assert np.all(np.abs(mean - 3.0 * mid) <= 1.5 * width + 1e-12)  # within the bin
    assert np.all(hi - lo <= 3.0 * width * (1 + 1e-9))


def test_radial_profile_and_section_from_vtu_frames(tmp_path, synth, base_reference):
    import pyvista

    from solver.compare.figures import draw_figures

    base_reference["figures"] = [
        {"name": "prof", "kind": "radial_profile", "field": "Lithiation fraction [-]",
         "at": [{"time": "5 s"}, {"time": "7 s"}, "end"]},
        {"name": "sect", "kind": "section", "field": "Von Mises stress [Pa]", "unit": "GPa"},
    ]
    ref, results = _setup(tmp_path, synth, base_reference)
    for lab, res in results.items():
        grid = pyvista.Plane(i_resolution=8, j_resolution=8).cast_to_unstructured_grid()
        grid.points = (grid.points + [0.5, 0.5, 0.0]) * 1e-6  # (r, z) quarter, metres
        rad = np.linalg.norm(grid.points, axis=1) / 1e-6
        lines = []
        for k, t in enumerate((0.0, 5.0, 10.0)):
            g = grid.copy()
            g.point_data["Lithiation fraction [-]"] = rad * t / 10
            g.point_data["Von Mises stress [Pa]"] = rad * 1e9 * (2 if lab == "B" else 1)
            g.save(str(res.results / f"f{k}.vtu"))
            lines.append(f'<DataSet timestep="{t}" part="0" file="f{k}.vtu" />')
        (res.results / "fields.pvd").write_text(
            '<?xml version="1.0"?><VTKFile type="Collection" version="1.0"><Collection>'
            + "".join(lines) + "</Collection></VTKFile>")
    files, warnings = draw_figures(ref, results, tmp_path / "out")
    assert sorted(f.name for f in files) == ["prof.png", "sect.png"]
    # t = 7 s has no frame (frames at 0, 5, 10 s): drawn from the nearest, with a warning
    assert [w for w in warnings if "t = 7 s" in w] and len(warnings) == 2, warnings
    # and the legend says so: it read "time 7 s (t = 5 s)", the state of another time
    from solver.compare.figures import _frame

    fig = ref.figures[0]
    labels = [_frame(fig, results["A"], at)[3] for at in fig.at_list]
    assert labels[0] is None and labels[2] is None
    assert labels[1].startswith(f"nearest frame to {fig.at_list[1]}: t = 5 s, mean θ "), labels


def test_precheck_asks_a_measure_only_of_the_configurations_that_need_it(
        tmp_path, synth, base_reference):
    """A quantity defined for some configurations (its ``configurations``, or a
    greater/than ordering's) needs its measure only in their cases: B writes
    "measure z", A does not, and that is no problem for quantities of B only."""
    from solver.compare.core import precheck

    base_reference["quantities"]["z"] = {"column": "measure z [Pa]", "configurations": ["B"]}
    base_reference["quantities"]["zz"] = {"column": "measure z [Pa]"}
    base_reference["orderings"].append({"name": "zz above y in B", "greater": "zz",
                                        "than": "y", "configurations": ["B"]})
    b_case = TINY_CASE.replace("statistic: max}]", "statistic: max},\n"
                               "             {name: z, field: von_mises, statistic: min}]")
    assert b_case != TINY_CASE
    ref = load_reference(synth.write_reference(tmp_path, base_reference,
                                               {"a.yaml": TINY_CASE, "b.yaml": b_case}))
    assert set(precheck(ref, ["A", "B"], [])) == {"A", "B"}
    # a quantity every configuration needs is still checked in each case
    base_reference["quantities"]["z"].pop("configurations")
    ref = load_reference(synth.write_reference(tmp_path, base_reference))
    with pytest.raises(CaseError) as info:
        precheck(ref, ["A", "B"], [])
    assert info.value.paths == ["quantities.z.column"]
    assert "configuration A" in str(info.value)


def test_precheck_names_a_measure_no_case_writes(tmp_path, synth, base_reference):
    from solver.compare.core import precheck

    base_reference["quantities"]["z"] = {"column": "measure z [Pa]"}
    base_reference["figures"] = [{"name": "s", "kind": "section", "field": "Theta [-]"}]
    cases = {"a.yaml": TINY_CASE, "b.yaml": TINY_CASE}
    ref = load_reference(synth.write_reference(tmp_path, base_reference, cases))
    with pytest.raises(CaseError) as info:
        precheck(ref, ["A", "B"], [])
    assert info.value.paths == ["quantities.z.column", "quantities.z.column", "figures.0.field"]
    assert "'measure y [Pa]'" in str(info.value)  # what the case does write
    with pytest.raises(CaseError) as info:
        precheck(ref, ["A"], ["output.formats=[xdmf]", "mesh.size=-1"])
    assert info.value.paths == ["mesh.size"]  # the case's own problem, from the case loader


def test_runs_are_reused_unless_missing_failed_stale_or_rerun(tmp_path, synth, monkeypatch):
    from solver.compare import runs

    for name in ("a.yaml", "b.yaml", "c.yaml", "d.yaml"):
        (tmp_path / name).write_text(TINY_CASE)
    h = runs.expected_hash(tmp_path / "a.yaml", [])
    assert h != runs.expected_hash(tmp_path / "a.yaml", ["mesh.size=0.2 um"])
    hist = synth.linear_history()
    synth.write_results(tmp_path / "runs" / "ok", hist, case_hash=h)
    synth.write_results(tmp_path / "runs" / "failed", hist, case_hash=h, status="failed")
    synth.write_results(tmp_path / "runs" / "stale", hist, case_hash="old")
    configs = {lab: (tmp_path / f"{c}.yaml", tmp_path / "runs" / lab)
               for lab, c in (("ok", "a"), ("failed", "b"), ("stale", "c"), ("missing", "d"))}
    calls = []

    def fake_run(case_file, results, overrides, np, log):
        calls.append(results.name)
        synth.write_results(results, hist, case_hash=runs.expected_hash(case_file, overrides))
        log.write_text("ok\n")
        return 0, 0.1

    monkeypatch.setattr(runs, "run_one", fake_run)
    said = []
    out = runs.prepare_and_run(configs, [], say=said.append)
    assert calls == ["failed", "stale", "missing"]
    assert out["ok"].reused and not out["missing"].reused
    assert all(r.status == "completed" for r in out.values())
    assert any(s.startswith("running stale (3/4)") for s in said)
    calls.clear()
    runs.prepare_and_run(configs, [], say=said.append)
    assert calls == []
    runs.prepare_and_run(configs, [], rerun=True, say=said.append)
    assert calls == ["ok", "failed", "stale", "missing"]


def test_a_failing_run_is_recorded_not_raised(tmp_path, monkeypatch):
    from solver.compare import runs

    (tmp_path / "a.yaml").write_text(TINY_CASE)

    def fake_run(case_file, results, overrides, np, log):
        log.write_text("$ cmd\nerror: the mesh exploded\n")
        return 1, 0.1

    monkeypatch.setattr(runs, "run_one", fake_run)
    out = runs.prepare_and_run({"A": (tmp_path / "a.yaml", tmp_path / "runs" / "A")}, [],
                               say=lambda m: None)
    assert out["A"].status == "failed" and out["A"].error == "error: the mesh exploded"


def test_a_foreign_folder_is_not_overwritten(tmp_path, monkeypatch):
    from solver.compare import runs

    (tmp_path / "a.yaml").write_text(TINY_CASE)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    monkeypatch.setattr(runs, "run_one", lambda *a: pytest.fail("must not run"))
    out = runs.prepare_and_run({"A": (tmp_path / "a.yaml", tmp_path / "mine")}, [],
                               say=lambda m: None)
    assert out["A"].status == "failed" and "not overwriting" in out["A"].error
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"


def test_report_assembles_and_relinks(tmp_path):
    from solver.compare.report import assemble

    d = tmp_path / "docs" / "reproductions" / "paper1"
    d.mkdir(parents=True)
    (d / "comparison.md").write_text("# Paper 1\n\n![fig](fig.png)\n\n## Orderings\n")
    (d / "comparison.json").write_text(json.dumps({
        "paper": "Paper 1", "orderings": [{"holds": True}, {"holds": False}],
        "configurations": {"I": {"status": "completed", "reused": True}},
        "wall_time_s": 12.0}))
    report = assemble([d / "comparison.md"], tmp_path / "docs" / "reproductions.md")
    text = report.read_text()
    assert "![fig](reproductions/paper1/fig.png)" in text
    assert "## Paper 1" in text and "### Orderings" in text
    assert "| 1 of 2 |" in text and "make reproduce" in text and "chemomech" in text


def test_configuration_variants_with_their_own_set(tmp_path, synth, base_reference,
                                                   monkeypatch):
    """A configuration may be a case file with `set` values of its own: it is run with them
    (then the command line's), hashed with them, never read from the case-named folder, and
    a bad value is reported at the case field with the reference path that set it."""
    import yaml

    from solver.compare import core, runs
    from solver.compare.core import compare, precheck, results_dirs, select

    (tmp_path / "a.yaml").write_text(TINY_CASE)
    data = {**base_reference, "configurations": {
        "A": "a.yaml", "B": {"case": "a.yaml", "set": ["mesh.size=0.5 um"]}}}
    ref_file = tmp_path / "reference.yaml"
    ref_file.write_text(yaml.safe_dump(data, sort_keys=False))
    ref = load_reference(ref_file)
    assert ref.case_file("B") == tmp_path / "a.yaml"
    assert (ref.overrides("A"), ref.overrides("B")) == ([], ["mesh.size=0.5 um"])
    assert select(ref, [str(tmp_path / "a.yaml")]) == ["A", "B"]  # the file selects both
    # a plain `chemomech run` of a.yaml: read for A (same hash), never for the variant B
    synth.write_results(tmp_path / "res" / "a", synth.linear_history(),
                        case_hash=runs.expected_hash(tmp_path / "a.yaml", []))
    dirs = results_dirs(ref, ["A", "B"], tmp_path / "out", tmp_path / "res",
                        precheck(ref, ["A", "B"], []))
    assert dirs == {"A": tmp_path / "res" / "a", "B": tmp_path / "res" / "B"}

    calls = {}

    def fake_run(case_file, results, overrides, np, log):
        calls[results.name] = list(overrides)
        scale = 2.0 if results.name == "B" else 1.0
        synth.write_results(results, synth.linear_history(scale),
                            case_hash=runs.expected_hash(case_file, overrides))
        log.write_text("ok\n")
        return 0, 0.1

    monkeypatch.setattr(runs, "run_one", fake_run)
    c = compare(ref_file, out=tmp_path / "out", overrides=["stop.mean_theta=0.2"],
                say=lambda m: None)
    assert calls == {"A": ["stop.mean_theta=0.2"],
                     "B": ["mesh.size=0.5 um", "stop.mean_theta=0.2"]}
    assert c["configurations"]["B"]["set"] == ["mesh.size=0.5 um"]
    assert c["configurations"]["A"]["hash"] != c["configurations"]["B"]["hash"]
    assert c["quantities"]["y"]["values"]["B"]["ours"] == pytest.approx(2 * 21e-3)  # kPa
    md = (tmp_path / "out" / "comparison.md").read_text()
    assert "| B | `" in md and "`--set mesh.size=0.5 um`" in md
    assert "after each configuration's own `--set` below, so they win" in md
    calls.clear()
    compare(ref_file, out=tmp_path / "out", overrides=["stop.mean_theta=0.2"],
            say=lambda m: None)
    assert calls == {}  # both up to date under their own hashes

    data["configurations"]["B"]["set"] = ["mesh.size=-1 um"]
    ref_file.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CaseError) as info:
        precheck(load_reference(ref_file), ["A", "B"], [])
    assert info.value.paths == ["mesh.size"]
    assert "configurations.B.set" in str(info.value)
    assert core.case_overrides(ref, ["B"], ["x=1"]) == {"B": ["mesh.size=0.5 um", "x=1"]}


def test_precheck_blames_a_configuration_set_only_for_its_own_problems(tmp_path, base_reference):
    """A problem of the case file or of the command line's --set is reported once, without
    naming a configuration's `set`; one the `set` brings in names it."""
    import yaml

    from solver.compare.core import precheck

    (tmp_path / "a.yaml").write_text(TINY_CASE)
    data = {**base_reference, "configurations": {
        "A": "a.yaml", "B": {"case": "a.yaml", "set": ["mesh.size=0.5 um"]},
        "C": {"case": "a.yaml", "set": ["stop.mean_theta=0.2"]}}}
    ref_file = tmp_path / "reference.yaml"
    ref_file.write_text(yaml.safe_dump(data, sort_keys=False))
    ref = load_reference(ref_file)
    with pytest.raises(CaseError) as info:  # a typo on the command line
        precheck(ref, ["A", "B", "C"], ["materials.core.youngs_modulu=5 GPa"])
    assert info.value.paths == ["materials.core.youngs_modulu"]
    assert "configurations." not in str(info.value)
    with pytest.raises(CaseError) as info:  # only the variants: still not their sets' fault
        precheck(ref, ["B", "C"], ["mesh.size=-1 um"])
    assert info.value.paths == ["mesh.size"] and "configurations." not in str(info.value)

    data["configurations"]["C"]["set"] = ["stop.mean_theta=2"]
    (tmp_path / "b.yaml").write_text(TINY_CASE.replace("poissons_ratio: 0.22",
                                                       "poissons_ratio: 0.7"))
    data["configurations"]["B"]["case"] = "b.yaml"
    ref_file.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CaseError) as info:
        precheck(load_reference(ref_file), ["A", "B", "C"], [])
    lines = str(info.value).splitlines()
    assert info.value.paths == ["materials.core.poissons_ratio", "stop.mean_theta"], lines
    assert "configurations.B" not in lines[0]  # b.yaml's own problem
    assert "configurations.C.set" in lines[1]  # C's set brought it in


def test_results_are_read_from_the_case_named_folder_only_when_they_are_this_configurations(
        tmp_path, synth, base_reference, monkeypatch):
    """--results R: R/<case name> (output.name or the stem) is read for a configuration
    without R/<label> only when it holds completed results of that configuration; runs go
    to R/<label>, never into a folder another configuration or a plain run wrote."""
    import yaml

    from solver.compare import runs
    from solver.compare.core import compare, precheck, results_dirs

    for sub, radius in (("d1", "1 um"), ("d2", "2 um")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "sphere.yaml").write_text(TINY_CASE.replace("radius: 1 um",
                                                                      f"radius: {radius}"))
    (tmp_path / "named.yaml").write_text(TINY_CASE + "  name: mysphere\n")
    data = {**base_reference, "configurations": {
        "A": "d1/sphere.yaml", "B": "d2/sphere.yaml", "N": "named.yaml",
        "sphere": {"case": "named.yaml", "set": ["mesh.size=0.5 um"]}}}
    data["quantities"]["y"]["reported"] = {}
    data["orderings"] = []
    ref_file = tmp_path / "reference.yaml"
    ref_file.write_text(yaml.safe_dump(data, sort_keys=False))
    ref = load_reference(ref_file)
    labels = list(ref.configurations)
    cases = precheck(ref, labels, [])
    res = tmp_path / "res"
    h = {lab: runs.expected_hash(ref.case_file(lab), ref.overrides(lab)) for lab in labels}
    synth.write_results(res / "mysphere", synth.linear_history(), case_hash=h["N"])
    # R/sphere: a plain run of d1/sphere.yaml, but also the folder of the label `sphere`
    synth.write_results(res / "sphere", synth.linear_history(), case_hash=h["A"])
    dirs = results_dirs(ref, labels, tmp_path / "out", res, cases)
    assert dirs == {"A": res / "A", "B": res / "B", "N": res / "mysphere",
                    "sphere": res / "sphere"}
    assert results_dirs(ref, labels, tmp_path / "out", res, cases, rerun=True)["N"] == res / "N"

    (res / "sphere").rename(res / "plain")  # now R/sphere is free: A reads it, B (d2) not
    synth.write_results(res / "sphere", synth.linear_history(), case_hash=h["A"])
    data["configurations"].pop("sphere")
    ref_file.write_text(yaml.safe_dump(data, sort_keys=False))
    ref = load_reference(ref_file)
    labels = ["A", "B", "N"]
    dirs = results_dirs(ref, labels, tmp_path / "out", res, precheck(ref, labels, []))
    assert dirs == {"A": res / "sphere", "B": res / "B", "N": res / "mysphere"}

    ran = []

    def fake_run(case_file, results, overrides, np, log):
        ran.append(results)
        synth.write_results(results, synth.linear_history(),
                            case_hash=runs.expected_hash(case_file, overrides))
        log.write_text("ok\n")
        return 0, 0.1

    monkeypatch.setattr(runs, "run_one", fake_run)
    for _ in range(2):  # the second call reuses all three
        c = compare(ref_file, out=tmp_path / "out", results=res, say=lambda m: None)
        assert ran == [res / "B"]
        assert [c["configurations"][lab]["results"] for lab in labels] == [
            str(res / "sphere"), str(res / "B"), str(res / "mysphere")]


def test_an_ordering_of_two_quantities_names_the_at_of_each(tmp_path, synth, base_reference):
    base_reference["quantities"]["z"] = {"column": "measure y [Pa]", "at": "peak"}
    base_reference["orderings"] = [{"name": "y > z", "greater": "y", "than": "z"}]
    ref, results = _setup(tmp_path, synth, base_reference)
    (o,) = evaluate(ref, results)["orderings"]
    assert o["at"] == "y at end; z at peak"


def test_an_ordering_without_a_verdict_is_not_called_failing(tmp_path, synth, base_reference):
    """Comparing a subset of the configurations leaves the orderings over the others without a
    verdict: the report says 'not evaluated' for them, not 'NOT holding'."""
    from solver.compare.core import _config_info
    from solver.compare.writers import write_all

    base_reference["configurations"]["C"] = "c.yaml"
    base_reference["orderings"] += [
        {"name": "C above A", "quantity": "y", "descending": ["C", "A"]},
        {"name": "A above B", "quantity": "y", "descending": ["A", "B"]},
    ]
    ref, results = _setup(tmp_path, synth, base_reference)  # results of A and B only
    c = evaluate(ref, results)
    assert [o["holds"] for o in c["orderings"]] == [True, None, False]
    c.update(figures=[], warnings=[],
             configurations={lab: _config_info(r) for lab, r in results.items()})
    md, _, _ = write_all(tmp_path / "out", c)
    text = md.read_text()
    assert "1 of 3 hold. NOT holding: A above B. Not evaluated" in text
    assert "needs was not selected or has no value): C above A." in text


def test_damaged_results_are_one_line_naming_the_file(tmp_path, synth, base_reference,
                                                       capsys):
    """compare --no-run on a history.csv that is not UTF-8 and a summary.json holding a JSON
    list (not an object): each configuration is reported (missing) in one line naming the
    file, no traceback; exit 1 as for any configuration without usable results."""
    from solver.cli import main
    from solver.compare import runs

    ref_file = synth.write_reference(tmp_path, base_reference,
                                     {"a.yaml": TINY_CASE, "b.yaml": TINY_CASE})
    for lab, name in (("A", "a.yaml"), ("B", "b.yaml")):
        synth.write_results(tmp_path / "res" / lab, synth.linear_history(),
                            case_hash=runs.expected_hash(tmp_path / name, []))
    history = tmp_path / "res" / "A" / "history.csv"
    summary = tmp_path / "res" / "B" / "summary.json"
    history.write_bytes(b"step,time [s]\n\xff\xfe0,1\n")
    summary.write_text("[]")
    rc = main(["compare", "--reference", str(ref_file), "--results", str(tmp_path / "res"),
               "--out", str(tmp_path / "cmp"), "--no-run", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 1, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("error: configuration A missing: ") and str(history) in lines[0]
    assert "not UTF-8" in lines[0], lines[0]
    assert lines[1].startswith("error: configuration B missing: ") and str(summary) in lines[1]
    assert "JSON list instead of an object" in lines[1], lines[1]
    # read directly: the same, and a run (without --no-run) would run them again
    res = read_results("B", tmp_path / "b.yaml", tmp_path / "res" / "B")
    assert res.status == "missing" and str(summary) in res.error


def test_no_run_reports_results_of_a_changed_case_as_stale(tmp_path, synth, base_reference,
                                                             capsys):
    """compare --no-run only reads: results whose case hash is not that of the
    configuration's case now (the case was edited since) are stale, not compared."""
    from solver.cli import main
    from solver.compare import runs

    ref_file = synth.write_reference(tmp_path, base_reference,
                                     {"a.yaml": TINY_CASE, "b.yaml": TINY_CASE})
    synth.write_results(tmp_path / "res" / "A", synth.linear_history(), case_hash="edited")
    synth.write_results(tmp_path / "res" / "B", synth.linear_history(3.0),
                        case_hash=runs.expected_hash(tmp_path / "b.yaml", []))
    rc = main(["compare", "--reference", str(ref_file), "--results", str(tmp_path / "res"),
               "--out", str(tmp_path / "cmp"), "--no-run", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 1, err
    assert "configuration A stale" in err, err
    assert "configuration B" not in err, err
