"""Spherical particle: full ball, octant, axisymmetric half disc or plane-strain disc (Gmsh OCC)."""

from __future__ import annotations

import gmsh

from meshes import tags
from meshes._common import add_physical_groups, build_in_reference_units, center_of_mass
from meshes.errors import MeshingError
from meshes.specs import Sizing, SphereSpec

# Distance (in radii) below which a centre of mass lies on a coordinate plane or axis.
_ON_PLANE = 1e-6


def build_sphere(spec: SphereSpec, sizing: Sizing) -> None:
    """Build, tag and mesh a sphere of radius ``spec.radius`` (m) in the current Gmsh model.

    Needs an active session and a current model (:func:`meshes.session.gmsh_session` and
    :func:`meshes.session.new_model`). Physical groups (names from :mod:`meshes.tags`):

    * ``"3d"``: volume ``core``; surface ``outer_surface``.
    * ``"octant"``: volume ``core`` (x, y, z >= 0); surfaces ``outer_surface`` (the curved one),
      ``symmetry_x`` (x = 0), ``symmetry_y`` (y = 0), ``symmetry_z`` (z = 0).
    * ``"axisymmetric"``: surface ``core``, the half disc {x >= 0, x² + y² <= R²} with x = r and
      y = z; curves ``outer_surface`` (the arc) and ``axis`` (the segment x = 0).
    * ``"plane_strain"``: surface ``core``, the disc x² + y² <= R² (the section z = 0); curve
      ``outer_surface`` (the circle).

    Args:
        spec: The sphere.
        sizing: Element sizes (m); graded towards ``outer_surface`` if ``surface_size < size``.

    Raises:
        GeometryError: If ``spec`` or ``sizing`` is invalid.
        MeshingError: If Gmsh fails or a face cannot be identified.
    """
    spec.validate()
    sizing.validate(spec)
    if spec.mode == "axisymmetric":
        unit_builder = _build_half_disc
    elif spec.mode == "plane_strain":
        unit_builder = _build_disc
    else:
        octant = spec.mode == "octant"

        def unit_builder() -> None:
            _build_ball(octant)

    build_in_reference_units(unit_builder, sizing, float(spec.radius), spec.gdim)


def _build_ball(octant: bool) -> None:
    """Create the unit ball (or its octant) with its physical groups.

    Args:
        octant: Keep only x, y, z >= 0.
    """
    occ = gmsh.model.occ
    ball = [(3, occ.addSphere(0.0, 0.0, 0.0, 1.0))]
    if octant:
        box = [(3, occ.addBox(0.0, 0.0, 0.0, 2.0, 2.0, 2.0))]
        ball, _ = occ.intersect(ball, box)
    occ.synchronize()
    volumes = [t for d, t in gmsh.model.getEntities(3)]
    if len(volumes) != 1:
        raise MeshingError(f"expected one volume for the sphere, got {len(volumes)}")
    add_physical_groups(3, [(tags.CORE, volumes)])

    surfaces = [t for _, t in gmsh.model.getBoundary([(3, volumes[0])], oriented=False)]
    groups: dict[str, list[int]] = {tags.OUTER_SURFACE: []}
    if octant:
        groups.update({tags.SYMMETRY_X: [], tags.SYMMETRY_Y: [], tags.SYMMETRY_Z: []})
    planes = (tags.SYMMETRY_X, tags.SYMMETRY_Y, tags.SYMMETRY_Z)
    for surface in surfaces:
        com = center_of_mass(2, surface)
        on = [planes[i] for i in range(3) if abs(com[i]) < _ON_PLANE]
        if not octant or not on:
            groups[tags.OUTER_SURFACE].append(surface)
        elif len(on) == 1:
            groups[on[0]].append(surface)
        else:
            raise MeshingError(f"surface {surface} (centre {com}) lies on several planes {on}")
    add_physical_groups(2, groups.items())


def _build_half_disc() -> None:
    """Create the unit meridian half disc x >= 0 in the x-y plane with its physical groups."""
    occ = gmsh.model.occ
    disc = [(2, occ.addDisk(0.0, 0.0, 0.0, 1.0, 1.0))]
    half_plane = [(2, occ.addRectangle(0.0, -2.0, 0.0, 2.0, 4.0))]
    half, _ = occ.intersect(disc, half_plane)
    occ.synchronize()
    faces = [t for _, t in gmsh.model.getEntities(2)]
    if len(faces) != 1:
        raise MeshingError(f"expected one surface for the half disc, got {len(faces)}")
    add_physical_groups(2, [(tags.CORE, faces)])

    groups: dict[str, list[int]] = {tags.OUTER_SURFACE: [], tags.AXIS: []}
    for _, curve in gmsh.model.getBoundary([(2, faces[0])], oriented=False):
        x = center_of_mass(1, curve)[0]
        groups[tags.AXIS if abs(x) < _ON_PLANE else tags.OUTER_SURFACE].append(curve)
    add_physical_groups(1, groups.items())


def _build_disc() -> None:
    """Create the unit disc in the x-y plane (plane-strain section) with its physical groups."""
    occ = gmsh.model.occ
    occ.addDisk(0.0, 0.0, 0.0, 1.0, 1.0)
    occ.synchronize()
    faces = [t for _, t in gmsh.model.getEntities(2)]
    if len(faces) != 1:
        raise MeshingError(f"expected one surface for the disc, got {len(faces)}")
    add_physical_groups(2, [(tags.CORE, faces)])
    curves = [t for _, t in gmsh.model.getBoundary([(2, faces[0])], oriented=False)]
    add_physical_groups(1, [(tags.OUTER_SURFACE, curves)])


__all__ = ["build_sphere"]
