"""PNG pictures of the final state (pyvista, off-screen).

Octant: the three symmetry planes seen from outside (they are the cut faces through the
centre). Full 3D: a cut through the centre (the half y >= 0, seen from -y, so the camera
faces the flat cut face y = 0). Axisymmetric: the (r, z) half-plane mirrored into a full
cross-section. Every rank sends its local P1 mesh piece to rank 0, which draws.
:func:`draw_fields` also serves ``chemomech plot`` (reading saved results, no dolfinx).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

_BAR = {"vertical": False, "position_x": 0.15, "position_y": 0.03, "width": 0.7,
        "height": 0.09, "n_labels": 4, "fmt": "%.3g", "title_font_size": 16,
        "label_font_size": 14}
#: fields that change sign: drawn with a diverging map centred on zero when they do
SIGNED = ("Hydrostatic stress", "First principal stress", "Radial stress", "Hoop stress")

#: the fields a run draws into png/ (final state and ``*_at_peak``) and ``chemomech plot``
#: redraws (:func:`picture_name` names their files)
PICTURED_FIELDS = ["Von Mises stress [Pa]", "Lithiation fraction [-]", "Hydrostatic stress [Pa]"]
#: the suffix of the pictures of the peak frame (``von_mises_stress_at_peak.png``)
AT_PEAK = "_at_peak"
#: the history plots of ``chemomech plot``
HISTORY_PICTURES = ("stress_vs_time.png", "stress_vs_capacity.png")


#: a written frame whose max von Mises is over this factor times the end state's is drawn as
#: well (``*_at_peak``): a real peak, not the t = 0 frame of a run whose von Mises never left
#: 0, nor a stress that only grew
PEAK_OVER_END = 1.01


def max_von_mises(row: dict) -> float | None:
    """The largest of a history row's "max Von Mises stress" columns (Pa; None: none is a
    number)."""
    return max((v for k, v in row.items() if k.endswith(": max Von Mises stress [Pa]")
                and v == v), default=None)


def draws_peak(peak_t: float, peak_vm: float, end_t: float, end_vm: float | None) -> bool:
    """Whether the frame of largest max von Mises (at ``peak_t``) gets ``*_at_peak``
    pictures beside the end state's: it lies before the end and is over
    :data:`PEAK_OVER_END` times the end state's max von Mises."""
    return peak_t < end_t and peak_vm > PEAK_OVER_END * (end_vm or 0.0)


def picture_name(field: str, suffix: str = "") -> str:
    """The PNG file of a field's picture: ``Von Mises stress [Pa]`` → ``von_mises_stress.png``
    (``suffix`` before the ``.png``)."""
    return field.split(" [")[0].lower().replace(" ", "_") + suffix + ".png"


def chemomech_pictures() -> set[str]:
    """Every file name chemomech writes into a results folder's png/ (a closed set: the run's
    pictures, their ``*_at_peak`` versions and ``chemomech plot``'s history plots)."""
    return {*(picture_name(f, s) for f in PICTURED_FIELDS for s in ("", AT_PEAK)),
            *HISTORY_PICTURES}


# Full 3D: the half y >= 0 is kept; its flat cut face through the centre (the plane y = 0,
# outward normal -y) is looked at from the camera on the -y side.
CUT_ORIGIN = (0.0, 0.0, 0.0)
CUT_NORMAL = (0.0, 1.0, 0.0)  # points into the kept half


def _pyvista():
    """pyvista set up for off-screen rendering, with VTK's display warnings silenced."""
    os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
    import pyvista
    from vtkmodules.vtkCommonCore import vtkLogger

    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_ERROR)
    pyvista.OFF_SCREEN = True
    return pyvista


def gather_pieces(space, arrays: dict[str, np.ndarray]) -> list | None:
    """Every rank's part of the mesh and its nodal ``arrays``, on rank 0 (None elsewhere).
    Collective: every rank calls it, before rank 0 draws anything (a drawing that fails on
    rank 0 must not leave the others waiting in a later gather)."""
    from solver import _bootstrap  # noqa: F401  (only this function needs dolfinx)

    import dolfinx.plot

    topology, cell_types, x = dolfinx.plot.vtk_mesh(space)
    return space.mesh.comm.gather((topology, cell_types, x, arrays), root=0)


def grid_of(pieces: list):
    """One pyvista grid from :func:`gather_pieces` (rank 0)."""
    import pyvista

    grids = []
    for topo, ctypes, xx, arr in pieces:
        g = pyvista.UnstructuredGrid(topo, ctypes, xx)
        for name, values in arr.items():
            g.point_data[name] = values[: xx.shape[0]]
        grids.append(g)
    grid = grids[0] if len(grids) == 1 else grids[0].merge(grids[1:])
    return grid


def view_grid(grid, mode: str):
    """The part of a grid (coordinates in m) that is drawn for the mode, in µm (a new grid).

    Axisymmetric: the (r, z) half-plane and its mirror image; full 3D: the half y >= 0 (cut
    at the plane ``CUT_ORIGIN``/``CUT_NORMAL`` through the centre); otherwise the grid.
    """
    if mode == "axisymmetric":
        mirror = grid.copy()
        mpts = mirror.points.copy()
        mpts[:, 0] *= -1.0
        mirror.points = mpts
        grid = grid.merge(mirror)
    elif mode == "3d":  # keep the side the normal points to: the cut face faces -y
        grid = grid.clip(normal=CUT_NORMAL, origin=CUT_ORIGIN, invert=False)
    else:
        grid = grid.copy()
    grid.points = grid.points * 1e6  # draw in µm
    return grid


def set_camera(plotter, mode: str) -> None:
    """Point the camera as the mode asks (after the mesh is added)."""
    if mode in ("axisymmetric", "plane_strain"):
        plotter.view_xy()
    elif mode == "3d":  # from -y onto the cut face y = 0 of the kept half y >= 0
        plotter.view_xz()
    else:
        plotter.camera_position = [(-3.0, -2.4, -1.8), (0.3, 0.3, 0.3), (0.0, 0.0, 1.0)]
        plotter.reset_camera()


def draw_fields(grid, mode: str, names: list[str], out_dir: Path, title: str = "",
                clim: tuple[float, float] | None = None, suffix: str = "") -> list[Path]:
    """One PNG per point field of a pyvista grid (coordinates in m), seen as the mode asks.

    Octant: the three symmetry planes from outside; full 3D: the half y >= 0 seen from -y,
    i.e. the flat cut face through the centre (coloured over the range of the cut face, the
    part that is seen); axisymmetric: the (r, z) half-plane mirrored into a full section;
    plane strain: the section. Fields without values on the grid are skipped. Drawn in µm.
    ``clim`` fixes the colour range (e.g. one scale for several pictures; default: each
    field's range).
    """
    pyvista = _pyvista()
    out_dir.mkdir(parents=True, exist_ok=True)
    # full 3D: the cut face is what the camera sees, so its range is the colour range
    cut_face = grid.slice(normal=CUT_NORMAL, origin=CUT_ORIGIN) if mode == "3d" else None
    grid = view_grid(grid, mode)
    written = []
    for name in names:
        if name not in grid.point_data:
            continue
        crange = clim
        if crange is None and cut_face is not None and cut_face.n_points:
            crange = tuple(float(v) for v in cut_face.get_data_range(name))
        shown, scale = name, 1.0
        if name.endswith("[Pa]"):  # stresses of GPa read better in GPa than as 3.2e+10 Pa
            shown, scale = name[: -len("[Pa]")] + "[GPa]", 1e-9
            grid.point_data[shown] = grid.point_data[name] * scale
            crange = None if crange is None else tuple(v * scale for v in crange)
        cmap = "viridis"
        if name.startswith(SIGNED):
            lo, hi = crange if crange is not None else grid.get_data_range(shown)
            if lo < 0.0 < hi:  # tension red, compression blue, zero white
                cmap = "coolwarm"
                if clim is None:
                    crange = (-max(-lo, hi), max(-lo, hi))
        plotter = pyvista.Plotter(off_screen=True, window_size=(900, 760))
        # some ambient light: a face turned away from the light (the octant's z = 0 plane)
        # was drawn nearly black and its colours could not be read
        plotter.add_mesh(grid, scalars=shown, cmap=cmap, show_edges=False, clim=crange,
                         ambient=0.5, diffuse=0.55, scalar_bar_args=_BAR | {"title": shown})
        plotter.add_text(title, font_size=10)
        set_camera(plotter, mode)
        plotter.camera.zoom(0.85)  # room for the title above and the colour bar below
        plotter.add_axes(viewport=(0.86, 0.0, 1.0, 0.16))  # clear of the colour bar's labels
        fname = out_dir / picture_name(name, suffix)
        plotter.screenshot(str(fname))
        plotter.close()
        written.append(fname)
    return written


def render_mesh_png(msh: Path, png: Path, mode: str) -> Path:
    """Draw a cross-section of a Gmsh mesh coloured by region, with the region names.

    2D meshes are drawn whole. 3D meshes are sliced by a plane z = z0 through the features
    (pores, inclusions, yolk: the median height of their cells), or near the centre when the
    particle has none, so the inside of the particle is what is shown.
    """
    import meshio

    pyvista = _pyvista()
    m = meshio.read(str(msh))
    cell_type = "tetra" if any(c.type == "tetra" for c in m.cells) else "triangle"
    dim = 3 if cell_type == "tetra" else 2
    names = {int(v[0]): k for k, v in m.field_data.items() if int(v[1]) == dim}
    blocks = [(i, c) for i, c in enumerate(m.cells) if c.type == cell_type]
    tags = np.concatenate([m.cell_data["gmsh:physical"][i] for i, _ in blocks]).astype(int)
    cells = np.concatenate([c.data for _, c in blocks])
    points = m.points * 1e6  # µm
    grid = pyvista.from_meshio(meshio.Mesh(points, [(cell_type, cells)],
                                           cell_data={"Region": [tags]}))
    title = f"mesh: {len(cells)} cells"
    if dim == 3:
        centroids = points[cells].mean(axis=1)
        feature = np.array([not (names.get(t, "").startswith("coating") or names.get(t) == "core")
                            for t in tags])
        radius = float(np.abs(points).max())
        if feature.any():
            z0 = float(np.median(centroids[feature, 2]))
        else:
            z0 = 1e-3 * radius if mode == "octant" else 0.0
        grid = grid.slice(normal="z", origin=(0.0, 0.0, z0))
        title += f"; section z = {z0:.3g} um"
    region = np.asarray(grid.cell_data["Region"]).astype(int)
    present = sorted(set(region))
    index = {t: i for i, t in enumerate(present)}  # consecutive colours, one per region
    grid.cell_data["Region index"] = np.array([index[t] for t in region])
    from matplotlib.colors import ListedColormap
    import matplotlib

    palette = matplotlib.colormaps["tab10"].colors
    cmap = ListedColormap([palette[i % len(palette)] for i in range(len(present))])
    plotter = pyvista.Plotter(off_screen=True, window_size=(900, 800))
    plotter.add_mesh(grid, scalars="Region index", show_edges=True, cmap=cmap,
                     clim=(-0.5, len(present) - 0.5), n_colors=len(present),
                     annotations={float(i): names.get(t, str(t)) for t, i in index.items()},
                     scalar_bar_args=_BAR | {"title": "Region", "n_labels": 0})
    plotter.add_text(title, font_size=10)
    plotter.view_xy()
    plotter.camera.zoom(0.85)  # the section clear of the title and of the region bar
    plotter.add_axes(viewport=(0.86, 0.0, 1.0, 0.16))
    plotter.screenshot(str(png))
    plotter.close()
    return png
