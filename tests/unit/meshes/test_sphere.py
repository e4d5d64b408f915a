"""Tests of the sphere meshes against analytic volumes and areas, tags, sizing, cache, errors."""

from __future__ import annotations

import json
import math
import tempfile
import threading
from dataclasses import dataclass, field

import gmsh
import numpy as np
import pytest

import meshes
import meshes.io
from meshes import GeometryError, MeshingError, Sizing, SphereSpec, build, mesh_statistics, tags
from meshes.io import cache_key, load_into_gmsh, mesh_file
from meshes.session import gmsh_session, new_model


def approx(expected, rel):
    """``pytest.approx`` without its default absolute tolerance of 1e-12, which is larger than
    any volume (~1e-17 m^3) or area (~1e-11 m^2) of a micrometre particle: with it a
    comparison of volumes passes whatever the mesh holds."""
    return pytest.approx(expected, rel=rel, abs=0)


R = 2.5e-6  # m, a typical Si microparticle radius
MODES = ("3d", "octant", "axisymmetric")


@dataclass
class MeshData:
    """A mesh copied out of Gmsh: node coordinates and the cells of each physical group."""

    x: np.ndarray  # (max node tag + 1, 3) node coordinates, m
    groups: dict[tuple[int, str], np.ndarray] = field(default_factory=dict)  # node tags per cell
    cell_types: dict[int, set[int]] = field(default_factory=dict)  # dim -> Gmsh element types
    num_cells: dict[int, int] = field(default_factory=dict)  # dim -> all elements of that dim


def extract() -> MeshData:
    """Copy the mesh of the current Gmsh model into numpy arrays."""
    node_tags, coords, _ = gmsh.model.mesh.getNodes()
    x = np.full((int(node_tags.max()) + 1, 3), np.nan)
    x[node_tags.astype(int)] = np.asarray(coords).reshape(-1, 3)
    data = MeshData(x=x)
    for dim in range(1, 4):
        types, element_tags, _ = gmsh.model.mesh.getElements(dim)
        data.cell_types[dim] = {int(t) for t in types}
        data.num_cells[dim] = sum(len(t) for t in element_tags)
    for dim, group in gmsh.model.getPhysicalGroups():
        name = gmsh.model.getPhysicalName(dim, group)
        cells = []
        for entity in gmsh.model.getEntitiesForPhysicalGroup(dim, group):
            types, _, nodes = gmsh.model.mesh.getElements(dim, int(entity))
            for element_type, element_nodes in zip(types, nodes, strict=True):
                num = gmsh.model.mesh.getElementProperties(element_type)[3]
                cells.append(np.asarray(element_nodes, dtype=int).reshape(-1, num))
        data.groups[(dim, name)] = np.concatenate(cells) if cells else np.empty((0, dim + 1))
    return data


def build_data(spec: SphereSpec, sizing: Sizing) -> tuple[MeshData, dict]:
    """Build a mesh in a fresh session and return its data and statistics."""
    with gmsh_session():
        new_model("test")
        build(spec, sizing)
        return extract(), mesh_statistics()


@pytest.fixture(scope="module")
def meshes_by_mode() -> dict[str, tuple[MeshData, dict]]:
    return {mode: build_data(SphereSpec(R, mode), Sizing(R / 8)) for mode in MODES}


# --- measures computed from the elements -----------------------------------------------------


def tet_volume(x: np.ndarray, cells: np.ndarray) -> float:
    a, b, c, d = (x[cells[:, i]] for i in range(4))
    return float(np.abs(np.einsum("ij,ij->i", np.cross(b - a, c - a), d - a)).sum() / 6.0)


def triangle_areas(x: np.ndarray, cells: np.ndarray) -> np.ndarray:
    a, b, c = (x[cells[:, i]] for i in range(3))
    return 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)


def segment_lengths(x: np.ndarray, cells: np.ndarray) -> np.ndarray:
    return np.linalg.norm(x[cells[:, 1]] - x[cells[:, 0]], axis=1)


def revolved_volume(x: np.ndarray, cells: np.ndarray) -> float:
    """∫ 2 pi r dA over linear triangles in the (r = x, z = y) plane (exact for P1 r)."""
    r_mean = x[cells, 0].mean(axis=1)
    return float(2.0 * math.pi * (triangle_areas(x, cells) * r_mean).sum())


def revolved_area(x: np.ndarray, cells: np.ndarray) -> float:
    """∫ 2 pi r ds over line segments in the (r, z) plane."""
    r_mean = x[cells, 0].mean(axis=1)
    return float(2.0 * math.pi * (segment_lengths(x, cells) * r_mean).sum())


def edges_mean_length(x: np.ndarray, cells: np.ndarray) -> float:
    k = cells.shape[1]
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    lengths = [np.linalg.norm(x[cells[:, i]] - x[cells[:, j]], axis=1) for i, j in pairs]
    return float(np.mean(lengths))


# --- geometry ---------------------------------------------------------------------------------

BALL_VOLUME = 4.0 / 3.0 * math.pi * R**3
SPHERE_AREA = 4.0 * math.pi * R**2


@pytest.mark.parametrize("mode", MODES)
def test_volume_and_outer_area_match_analytic(meshes_by_mode, mode):
    data, _ = meshes_by_mode[mode]
    spec = SphereSpec(R, mode)
    core = data.groups[(spec.gdim, tags.CORE)]
    outer = data.groups[(spec.gdim - 1, tags.OUTER_SURFACE)]
    if mode == "axisymmetric":
        volume, area = revolved_volume(data.x, core), revolved_area(data.x, outer)
    else:
        volume, area = tet_volume(data.x, core), float(triangle_areas(data.x, outer).sum())
    fraction = spec.symmetry_fraction
    assert volume == approx(fraction * BALL_VOLUME, rel=0.01)
    assert area == approx(fraction * SPHERE_AREA, rel=0.01)
    # The mesh of a convex body with its boundary nodes on the sphere is inscribed.
    assert volume < fraction * BALL_VOLUME


@pytest.mark.parametrize("mode", MODES)
def test_outer_surface_nodes_lie_on_the_sphere(meshes_by_mode, mode):
    data, _ = meshes_by_mode[mode]
    outer = data.groups[(SphereSpec(R, mode).gdim - 1, tags.OUTER_SURFACE)]
    radii = np.linalg.norm(data.x[np.unique(outer)], axis=1)
    np.testing.assert_allclose(radii, R, rtol=1e-9)
    core = data.groups[(SphereSpec(R, mode).gdim, tags.CORE)]
    inner_nodes = np.setdiff1d(np.unique(core), np.unique(outer))
    assert np.all(np.linalg.norm(data.x[inner_nodes], axis=1) <= R * (1 + 1e-12))


def test_octant_symmetry_faces(meshes_by_mode):
    data, _ = meshes_by_mode["octant"]
    core_nodes = np.unique(data.groups[(3, tags.CORE)])
    assert np.all(data.x[core_nodes] >= -1e-12 * R)
    for axis, name in enumerate((tags.SYMMETRY_X, tags.SYMMETRY_Y, tags.SYMMETRY_Z)):
        cells = data.groups[(2, name)]
        assert float(triangle_areas(data.x, cells).sum()) == approx(
            math.pi * R**2 / 4, rel=0.01
        )
        # Each face lies on its own plane and covers the quarter disc of the other two axes.
        face_x = data.x[np.unique(cells)]
        np.testing.assert_allclose(face_x[:, axis], 0.0, atol=1e-12 * R)
        others = [i for i in range(3) if i != axis]
        assert face_x[:, others].max() == approx(R, rel=1e-9)


def test_axisymmetric_half_disc(meshes_by_mode):
    data, _ = meshes_by_mode["axisymmetric"]
    core = data.groups[(2, tags.CORE)]
    axis = data.groups[(1, tags.AXIS)]
    assert float(segment_lengths(data.x, axis).sum()) == approx(2 * R, rel=1e-9)
    np.testing.assert_allclose(data.x[np.unique(axis), 0], 0.0, atol=1e-12 * R)
    nodes = data.x[np.unique(core)]
    assert np.all(nodes[:, 0] >= -1e-12 * R)
    np.testing.assert_allclose(nodes[:, 2], 0.0, atol=0.0)  # a 2D mesh in the x-y plane
    # Plane area of the half disc: pi R^2 / 2.
    assert float(triangle_areas(data.x, core).sum()) == approx(math.pi * R**2 / 2, rel=0.01)


# --- physical groups and cells -----------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_physical_groups_are_exactly_the_named_ones(meshes_by_mode, mode):
    data, stats = meshes_by_mode[mode]
    spec = SphereSpec(R, mode)
    expected = {(spec.gdim, name) for name in spec.region_names()} | {
        (spec.gdim - 1, name) for name in spec.boundary_names()
    }
    assert set(data.groups) == expected
    for key, cells in data.groups.items():
        assert len(cells) > 0, key
    # Only linear simplices, and every cell is in a region (nothing untagged).
    simplex = {2: 2, 3: 4}[spec.gdim]
    assert data.cell_types[spec.gdim] == {simplex}
    if spec.gdim == 2:
        assert data.num_cells[3] == 0
    region_cells = sum(len(data.groups[(spec.gdim, n)]) for n in spec.region_names())
    assert region_cells == data.num_cells[spec.gdim] == stats["num_elements"]
    assert stats["dim"] == spec.gdim
    assert 0.2 < stats["min_quality"] <= stats["mean_quality"] <= 1.0


def test_spec_properties():
    assert SphereSpec(R).mode == "octant"
    assert SphereSpec(R, "3d").symmetry_fraction == 1.0
    assert SphereSpec(R, "octant").symmetry_fraction == 0.125
    assert SphereSpec(R, "axisymmetric").symmetry_fraction == 1.0
    assert SphereSpec(R, "axisymmetric").gdim == 2 and SphereSpec(R, "3d").gdim == 3
    assert SphereSpec(R, "3d").boundary_names() == (tags.OUTER_SURFACE,)
    assert set(SphereSpec(R, "octant").boundary_names()) - {tags.OUTER_SURFACE} <= set(
        tags.SYMMETRY_NAMES
    )
    assert tags.OUTER_SURFACE not in tags.SYMMETRY_NAMES


def test_mesh_is_scale_invariant():
    """The mesh of a 50 nm particle is the 2.5 um mesh scaled (no OCC tolerance trouble)."""
    small_r = 5e-8
    big, big_stats = build_data(SphereSpec(R, "octant"), Sizing(R / 8, R / 16))
    small, small_stats = build_data(
        SphereSpec(small_r, "octant"), Sizing(small_r / 8, small_r / 16)
    )
    assert small_stats["num_elements"] == big_stats["num_elements"]
    assert tet_volume(small.x, small.groups[(3, tags.CORE)]) == approx(
        math.pi * small_r**3 / 6, rel=0.01
    )


# --- graded sizing -----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["octant", "axisymmetric"])
def test_graded_sizing_refines_the_surface(meshes_by_mode, mode):
    spec = SphereSpec(R, mode)
    uniform, uniform_stats = meshes_by_mode[mode]
    graded, graded_stats = build_data(spec, Sizing(R / 8, R / 32))
    assert graded_stats["num_elements"] > uniform_stats["num_elements"]
    outer_key = (spec.gdim - 1, tags.OUTER_SURFACE)
    h_uniform = edges_mean_length(uniform.x, uniform.groups[outer_key])
    h_graded = edges_mean_length(graded.x, graded.groups[outer_key])
    assert h_uniform == approx(R / 8, rel=0.3)
    assert h_graded == approx(R / 32, rel=0.3)
    # Still the right body, and the interior stays coarse: cells near the centre are large.
    core = graded.groups[(spec.gdim, tags.CORE)]
    centroid_r = np.linalg.norm(graded.x[core].mean(axis=1), axis=1)
    assert edges_mean_length(graded.x, core[centroid_r < R / 2]) > 2 * h_graded


# --- cache and files ---------------------------------------------------------------------------


def test_mesh_file_cache(tmp_path, monkeypatch):
    spec, sizing = SphereSpec(R, "axisymmetric"), Sizing(R / 8)
    path = mesh_file(spec, sizing, tmp_path)
    assert path == tmp_path / f"{cache_key(spec, sizing)}.msh"
    info = json.loads(path.with_suffix(".json").read_text())
    assert info["spec"]["radius"] == R and info["statistics"]["num_elements"] > 0
    mtime = path.stat().st_mtime_ns

    def no_rebuild(*args, **kwargs):
        raise AssertionError("cache hit expected")

    monkeypatch.setattr(meshes.io, "build", no_rebuild)
    assert mesh_file(spec, sizing, tmp_path) == path
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, path.stem + ".json"])

    other = SphereSpec(2 * R, "axisymmetric")
    assert cache_key(other, sizing) != cache_key(spec, sizing)
    assert cache_key(spec, Sizing(R / 8, R / 16)) != cache_key(spec, sizing)
    assert cache_key(SphereSpec(R, "octant"), sizing) != cache_key(spec, sizing)
    # Canonical numbers: an int radius hashes like the equal float.
    assert cache_key(SphereSpec(1, "3d"), Sizing(0.5)) == cache_key(
        SphereSpec(1.0, "3d"), Sizing(0.5)
    )
    assert len(cache_key(spec, sizing)) == 16


def test_load_into_gmsh_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # keep the fresh temp dir in tmp_path
    spec = SphereSpec(R, "octant")
    path = mesh_file(spec, Sizing(R / 6), None)
    assert path.is_file() and path.suffix == ".msh" and path.parent.parent == tmp_path
    with gmsh_session():
        load_into_gmsh(path)
        data = extract()
        stats = mesh_statistics()
    assert {name for _, name in data.groups} == set(spec.region_names() + spec.boundary_names())
    # R/6 cells: the inscribed mesh is 1.0 % short of the ball
    assert tet_volume(data.x, data.groups[(3, tags.CORE)]) == approx(
        BALL_VOLUME / 8, rel=0.02
    )
    assert stats["num_elements"] == len(data.groups[(3, tags.CORE)])


def test_sessions_nest_and_run_off_the_main_thread():
    with gmsh_session():
        with gmsh_session():
            pass
        assert gmsh.isInitialized()
    assert not gmsh.isInitialized()

    errors: list[BaseException] = []

    def work():
        try:
            build_data(SphereSpec(R, "axisymmetric"), Sizing(R / 4))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert not errors


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("radius", [0.0, -1e-6, float("nan"), float("inf")])
def test_bad_radius(radius):
    with pytest.raises(GeometryError) as info:
        SphereSpec(radius).validate()
    assert info.value.field == "geometry.radius"


def test_bad_mode():
    with pytest.raises(GeometryError) as info:
        SphereSpec(R, "2d").validate()  # type: ignore[arg-type]
    assert info.value.field == "geometry.mode"


@pytest.mark.parametrize(
    ("sizing", "field_name"),
    [
        (Sizing(2 * R), "mesh.size"),
        (Sizing(0.0), "mesh.size"),
        (Sizing(R / 8, 0.0), "mesh.surface_size"),
        (Sizing(R / 8, 2 * R), "mesh.surface_size"),
    ],
)
def test_bad_sizing(sizing, field_name):
    with pytest.raises(GeometryError) as info:
        sizing.validate(SphereSpec(R))
    assert info.value.field == field_name
    assert isinstance(info.value, ValueError) and info.value.message


def test_build_and_mesh_file_validate_before_meshing(tmp_path):
    with pytest.raises(GeometryError) as info:
        mesh_file(SphereSpec(R), Sizing(2 * R), tmp_path)
    assert info.value.field == "mesh.size"
    assert list(tmp_path.iterdir()) == []
    with gmsh_session():
        new_model("bad")
        with pytest.raises(GeometryError) as info:
            build(SphereSpec(-R), Sizing(R / 8))
        assert info.value.field == "geometry.radius"

        @dataclass(frozen=True)
        class Unknown:
            kind = "unknown"

        with pytest.raises(GeometryError) as info:
            build(Unknown(), Sizing(R / 8))
        assert info.value.field == "geometry.kind"

        build(SphereSpec(R, "axisymmetric"), Sizing(R / 4))
        with pytest.raises(MeshingError):  # tags would clash with the existing entities
            build(SphereSpec(R, "axisymmetric"), Sizing(R / 4))


def test_meshes_does_not_import_the_solver_stack():
    import subprocess
    import sys

    code = (
        "import sys, meshes, meshes.io, meshes.sphere;"
        "bad = [m for m in ('dolfinx', 'mpi4py', 'solver', 'petsc4py') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_piece_without_a_region_is_refused_not_dropped():
    """A builder that leaves a volume without a physical group would give the solver a
    particle with a hole (dolfinx reads only tagged cells): meshing stops instead."""
    from meshes._common import add_physical_groups, build_in_reference_units

    def two_balls_one_tagged():
        occ = gmsh.model.occ
        a = occ.addSphere(0.0, 0.0, 0.0, 0.5)
        occ.addSphere(2.0, 0.0, 0.0, 0.5)
        occ.synchronize()
        add_physical_groups(3, [(tags.CORE, [a])])

    with gmsh_session():
        new_model("untagged")
        with pytest.raises(MeshingError, match="without a physical group"):
            build_in_reference_units(two_balls_one_tagged, Sizing(R / 2), R, 3)
