"""The .msh cache survives damaged entries and failed writes (e.g. a full disk).

A cut-off or empty entry, or one without the expected physical groups, is reported once,
discarded and rebuilt; a write that fails leaves no entry and is a one-line MeshingError
naming the directory.
"""

from __future__ import annotations

import errno

import gmsh
import pytest

import meshes.io
from meshes import MeshingError, Sizing, SphereSpec
from meshes.io import cache_key, check_mesh_file, load_into_gmsh, mesh_file
from meshes.session import gmsh_session

R = 2.5e-6
SPEC, SIZING = SphereSpec(R, "axisymmetric"), Sizing(R / 4)


def _entry(tmp_path):
    return tmp_path / f"{cache_key(SPEC, SIZING)}.msh"


def _damage(path, how):
    if how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":  # what a full disk leaves
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif how == "other geometry":  # a readable mesh without the expected physical groups
        other = mesh_file(SphereSpec(R, "octant"), Sizing(R / 2), path.parent / "other")
        path.write_bytes(other.read_bytes())


def _count_builds(monkeypatch):
    calls = []
    real = meshes.io.build

    def counting_build(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(meshes.io, "build", counting_build)
    return calls


@pytest.mark.parametrize("how", ["empty", "truncated", "other geometry"])
def test_damaged_entry_is_reported_discarded_and_rebuilt(tmp_path, monkeypatch, how):
    path = mesh_file(SPEC, SIZING, tmp_path)
    good = path.read_bytes()
    _damage(path, how)
    builds = _count_builds(monkeypatch)
    notes = []
    assert mesh_file(SPEC, SIZING, tmp_path, warn=notes.append) == path
    assert len(builds) == 1
    assert len(notes) == 1 and str(path) in notes[0] and "rebuilt" in notes[0]
    assert len(path.read_bytes()) == len(good)
    assert path.with_suffix(".json").is_file()
    check_mesh_file(path, SPEC)  # readable, with every group
    # the rebuilt entry is a plain cache hit: no second warning, no second build
    assert mesh_file(SPEC, SIZING, tmp_path, warn=notes.append) == path
    assert len(builds) == 1 and len(notes) == 1


def test_damaged_entry_warns_by_default(tmp_path):
    path = mesh_file(SPEC, SIZING, tmp_path)
    _damage(path, "empty")
    with pytest.warns(RuntimeWarning, match="rebuilt"):
        mesh_file(SPEC, SIZING, tmp_path)
    check_mesh_file(path, SPEC)


def test_cut_off_write_leaves_no_entry(tmp_path, monkeypatch):
    """Gmsh does not report a full disk: the file it leaves is cut off, and must not stay."""
    real_write = gmsh.write

    def full_disk_write(name):
        real_write(name)
        with open(name, "r+b") as fh:
            fh.truncate(fh.seek(0, 2) // 2)

    monkeypatch.setattr(meshes.io.gmsh, "write", full_disk_write)
    with pytest.raises(MeshingError) as info:
        mesh_file(SPEC, SIZING, tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message and "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_failed_write_is_one_line_naming_the_directory(tmp_path, monkeypatch):
    def no_space(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(meshes.io, "_atomic_write_text", no_space)
    with pytest.raises(MeshingError) as info:
        mesh_file(SPEC, SIZING, tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message and "No space left on device" in message
    assert "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_check_leaves_an_open_session_as_it_was(tmp_path):
    path = mesh_file(SPEC, SIZING, tmp_path)
    with gmsh_session():
        name = load_into_gmsh(path)
        models = gmsh.model.list()
        check_mesh_file(path, SPEC)
        assert gmsh.model.getCurrent() == name and gmsh.model.list() == models
        with pytest.raises(MeshingError, match="physical group"):
            check_mesh_file(path, SphereSpec(R, "octant"))
        assert gmsh.model.getCurrent() == name and gmsh.model.list() == models


@pytest.mark.parametrize("how", ["empty", "truncated"])
def test_cli_rebuilds_a_damaged_entry(tmp_path, how):
    """``chemomech mesh`` (build_domain) with a damaged entry: one warning, then a mesh."""
    import subprocess

    from chemomech_testing import ROOT, chemomech_cmd

    cache = tmp_path / "cache"
    cmd = [*chemomech_cmd(), "mesh", str(ROOT / "cases" / "default.yaml"),
           "--set", "geometry.mode=axisymmetric", "--set", "mesh.size=1 um",
           "--set", f"mesh.cache_dir={cache}"]
    first = subprocess.run([*cmd, "--out", str(tmp_path / "a")], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    (entry,) = cache.glob("*.msh")
    _damage(entry, how)
    again = subprocess.run([*cmd, "--out", str(tmp_path / "b")], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    lines = again.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: mesh cache:"), again.stderr
    assert str(entry) in lines[0]
    assert (tmp_path / "b" / "mesh.xdmf").is_file()
    check_mesh_file(entry, SphereSpec(4e-6, "axisymmetric"))
