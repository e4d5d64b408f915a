"""Reading case files: YAML problems, duplicate keys, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.case import CaseError, load_case


def _write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _load_error(path: Path, overrides: tuple[str, ...] = ()) -> CaseError:
    with pytest.raises(CaseError) as info:
        load_case(path, list(overrides))
    return info.value


def test_file_not_found(tmp_path: Path) -> None:
    err = _load_error(tmp_path / "missing.yaml")
    assert err.paths == [""]
    assert str(err) == f"{tmp_path / 'missing.yaml'}: file not found"


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    err = _load_error(_write(tmp_path, text))
    assert "the file is empty" in str(err)


def test_directory(tmp_path: Path) -> None:
    err = _load_error(tmp_path)
    assert "directory" in str(err)


def test_a_device_or_a_huge_file_is_not_read(tmp_path: Path) -> None:
    """A case file linked to /dev/zero made validate read forever."""
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert "a device" in str(_load_error(link))
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(17 * 2**20)  # sparse: nothing is written
    assert "too large" in str(_load_error(big))


def test_a_case_from_a_pipe_is_read(tmp_path: Path, reference_path: Path) -> None:
    """`chemomech validate <(cat case.yaml)` reads a pipe: it must stay possible."""
    import os
    import threading

    fifo = tmp_path / "case.fifo"
    os.mkfifo(fifo)
    text = reference_path.read_text()
    writer = threading.Thread(target=lambda: fifo.write_text(text))
    writer.start()
    try:
        load_case(fifo, [])
    finally:
        writer.join(timeout=10)


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path, reference_path: Path) -> None:
    text = reference_path.read_text(encoding="utf-8").replace(
        "stop: {mean_theta: 0.9}", "stop: {mean_theta: 0.9"
    )
    err = _load_error(_write(tmp_path, text))
    message = err.problems[0].message
    assert "YAML syntax error at line" in message
    assert "column" in message


def test_yaml_bad_indentation(tmp_path: Path) -> None:
    err = _load_error(_write(tmp_path, "geometry:\n  kind: sphere\n radius: 1\n"))
    assert "YAML syntax error at line 3" in str(err)


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    err = _load_error(_write(tmp_path, "- a\n- b\n"))
    assert "expected a mapping" in str(err)
    assert "a list" in str(err)


@pytest.mark.parametrize("name, said", [("liu2025/reference.yaml", "a reference file of"),
                                        ("materials.yaml", "a material library")])
def test_the_other_yaml_files_are_named_for_what_they_are(name, said) -> None:
    """A reference file or the material library given as a case: one line that says what it
    is and how it is used, not a list of missing and unknown case sections."""
    root = Path(__file__).resolve().parents[3]
    err = _load_error(root / "cases" / name)
    assert len(err.problems) == 1 and said in str(err), str(err)


def test_duplicate_top_level_key(tmp_path: Path, reference_path: Path) -> None:
    text = reference_path.read_text(encoding="utf-8") + "stop: {time: 10}\n"
    err = _load_error(_write(tmp_path, text))
    assert err.paths == ["stop"]
    assert "duplicate key 'stop' (lines 14 and 15)" in str(err)


def test_duplicate_nested_key(tmp_path: Path) -> None:
    text = "materials:\n  core:\n    density: 1\n    poissons_ratio: 0.2\n    density: 2\n"
    err = _load_error(_write(tmp_path, text))
    assert err.paths == ["materials.core.density"]
    assert "lines 3 and 5" in str(err)


def test_duplicate_key_in_flow_mapping(tmp_path: Path) -> None:
    err = _load_error(_write(tmp_path, "geometry: {kind: sphere, radius: 1, radius: 2}\n"))
    assert err.paths == ["geometry.radius"]


def test_duplicate_in_list_item(tmp_path: Path) -> None:
    text = "output:\n  probes:\n    - {name: a, name: b}\n"
    err = _load_error(_write(tmp_path, text))
    assert err.paths == ["output.probes.0.name"]


def test_merge_keys_are_not_duplicates(tmp_path: Path, reference_path: Path) -> None:
    text = reference_path.read_text(encoding="utf-8").replace(
        "stop: {mean_theta: 0.9}",
        "defaults: &d {mean_theta: 0.5}\nstop:\n  <<: *d\n  mean_theta: 0.9",
    )
    err = _load_error(_write(tmp_path, text))
    # the merge works; only the extra top-level key is reported
    assert err.paths == ["defaults"]


@pytest.mark.parametrize("bad", ["geometry.radius", "=3", "geometry..radius=1", ""])
def test_malformed_override(reference_path: Path, bad: str) -> None:
    err = _load_error(reference_path, (bad,))
    assert err.paths == ["--set"]
    assert "dotted.key=value" in str(err)


def test_override_with_an_empty_value_is_null(reference_path: Path) -> None:
    """``--set mesh.size=`` is YAML's empty value, null (here: the default size), as
    ``--set mesh.size=null`` is; not the empty string."""
    case = load_case(reference_path, ["mesh.size="])
    assert case.mesh.size is None
    assert case == load_case(reference_path, ["mesh.size=null"])


def test_override_with_bad_yaml(reference_path: Path) -> None:
    err = _load_error(reference_path, ("time.output_times=[1, 2",))
    assert err.paths == ["--set"]
    assert "YAML" in str(err)


def test_override_through_a_scalar(reference_path: Path) -> None:
    """A coating given by its bare thickness has no `.thickness` to set: say what it holds
    and how to set it (it said only "is not a mapping")."""
    err = _load_error(reference_path, ("geometry.radius.value=1",))
    assert err.paths == ["--set"]
    assert ("'geometry.radius' holds '4 um', not a mapping, so 'geometry.radius.value' cannot "
            "be set: set it whole, e.g. --set 'geometry.radius=…'") in str(err)


def test_override_value_is_validated(reference_path: Path) -> None:
    err = _load_error(reference_path, ("geometry.radius=2 s",))
    assert err.paths == ["geometry.radius"]
    assert "expected a length [m], got '2 s' (a time)" in str(err)
    # the value is in no file: the message says where it came from
    assert str(err).endswith("(from --set geometry.radius=2 s)")
    err = _load_error(reference_path, ("geometry={kind: sphere}",))
    assert err.paths == ["geometry.radius"] and "(from --set geometry={kind: sphere})" in str(err)


@pytest.mark.parametrize("given, meant", [("185 Gpa", "'185 GPa'"), ("2 UM", "'2 um'"),
                                          ("1 mpa", "'1 mPa' or '1 MPa'")])
def test_a_unit_in_the_wrong_case_gets_a_suggestion(reference_path: Path, given, meant) -> None:
    key = "materials.core.youngs_modulus" if "pa" in given.lower() else "geometry.radius"
    err = _load_error(reference_path, (f"{key}={given}",))
    assert err.paths == [key]
    assert f"did you mean {meant}? (unit symbols are case-sensitive)" in str(err)


def test_override_list_index(reference_path: Path) -> None:
    case = load_case(reference_path, ["output.formats=[xdmf, vtx]", "output.formats.1=vtk"])
    assert case.output.formats == ["xdmf", "vtk"]


def test_name_defaults_to_stem(tmp_path: Path, reference_path: Path) -> None:
    path = _write(tmp_path, reference_path.read_text(encoding="utf-8"), "si_particle.yaml")
    case = load_case(path)
    assert case.name == "si_particle"
    assert case.source_path == path


def test_unicode_and_units_in_file(tmp_path: Path, reference_path: Path) -> None:
    text = reference_path.read_text(encoding="utf-8").replace("4 um", "4 µm")
    assert load_case(_write(tmp_path, text)).geometry.radius == pytest.approx(4e-6)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"title: \xff\xfe\n")
    err = _load_error(path)
    assert "UTF-8" in str(err)


def test_huge_integers_are_case_errors(reference_path) -> None:
    """A 401-digit integer (beyond a float) and a 5001-digit one (beyond what Python's int()
    reads from text) are one problem line each, not an OverflowError / ValueError."""
    from solver.case import CaseError, load_case

    with pytest.raises(CaseError) as info:
        load_case(reference_path, overrides=["materials.core.density=1" + "0" * 400,
                                             "stop.max_steps=-1" + "0" * 400])
    assert info.value.paths == ["materials.core.density", "stop.max_steps"]
    assert "integer of about 401 digits" in str(info.value)
    with pytest.raises(CaseError) as info:
        load_case(reference_path, overrides=["time.growth=1" + "0" * 5000])
    assert "too long to be a number" in str(info.value)
    assert "invalid YAML value" in str(info.value)  # no syntax error
    assert len(str(info.value)) < 400  # the --set text shortened, not echoed in full


def test_override_inside_the_last_list_item(reference_path: Path) -> None:
    """--set reaches a field of a list item, also the last (only) one, as a sweep over
    output.measures.0.statistic or geometry.coatings.0.thickness needs."""
    case = load_case(reference_path, [
        "output.measures=[{name: m, field: theta, statistic: max}]",
        "output.measures.0.statistic=min"])
    assert case.output.measures[0].statistic == "min"
