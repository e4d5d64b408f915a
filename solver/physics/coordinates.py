"""Coordinate systems: 3D Cartesian and 2D axisymmetric (r, z).

Every weak form in chemomech is written once against this small interface (3D Cartesian,
axisymmetric (r, z), and 2D plane strain):

* ``weight`` multiplies every volume and surface integrand so that integrals are over the
  physical body (``1`` in 3D; ``2πr`` in axisymmetric mode, where ``x[0] = r``, ``x[1] = z``);
* ``strain(u)`` returns the full 3x3 small-strain tensor (the hoop strain ``u_r/r`` is the
  third diagonal entry in axisymmetric mode);
* ``grad(f)`` is the in-plane gradient of a scalar (the θ-derivative vanishes by symmetry);
* ``spherical_radial(x)`` is the unit vector from the particle centre, as a 3-vector in the
  same basis as the stress tensor (for radial and hoop stress).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ufl


class _Coordinates:
    """What every coordinate system shares: position, 3x3 identity, in-plane gradient."""

    mesh: object

    @property
    def x(self):
        return ufl.SpatialCoordinate(self.mesh)

    @property
    def weight(self):
        """Integration weight (dimensionless 1; the axisymmetric system overrides it)."""
        return 1.0

    @property
    def lumped_weight(self):
        """The weight to integrate a P1 mass (storage) term with the vertex rule so that it
        gives the row-sum lumped mass ``∫ φ_i weight dx`` at each node (1 here)."""
        return 1.0

    def identity(self):
        return ufl.Identity(3)

    def grad(self, f):
        return ufl.grad(f)


@dataclass(frozen=True)
class Cartesian3D(_Coordinates):
    """Full 3D Cartesian coordinates (modes ``3d`` and ``octant``)."""

    mesh: object
    name: str = "cartesian"

    @property
    def gdim(self) -> int:
        return 3

    def strain(self, u, guarded: bool = False):
        """Small strain ``sym(∇u)`` (3x3)."""
        return ufl.sym(ufl.grad(u))

    def displacement_3d(self, u):
        return u

    def radial_position(self):
        """Position relative to the particle centre as a 3-vector (m)."""
        return ufl.as_vector([self.x[0], self.x[1], self.x[2]])


@dataclass(frozen=True)
class Axisymmetric(_Coordinates):
    """Axisymmetric (r, z) coordinates: ``x[0] = r >= 0``, ``x[1] = z``; tensors in (r, z, θ).

    Attributes:
        mesh: the 2D mesh of the meridian half-plane.
        r_floor: a length (m) below which ``u_r/r`` is replaced by its limit ``∂u_r/∂r``
            (only reached at points on the axis, e.g. when stresses are evaluated at nodes).
    """

    mesh: object
    r_floor: object  # a Constant (m)
    name: str = "axisymmetric"

    @property
    def gdim(self) -> int:
        return 2

    @property
    def weight(self):
        """Integration weight 2πr (m): integrals are over the full body of revolution."""
        return 2.0 * math.pi * self.x[0]

    @property
    def lumped_weight(self):
        """``2π (r + 3 r̄)/4`` with ``r̄`` the centroid radius of the cell: at vertex i of a
        triangle K the vertex rule then gives ``|K|/3 · 2π (2 r_i + r_j + r_k)/4 = ∫_K φ_i 2πr``,
        the row sum of the consistent mass. (The plain weight 2πr would give the nodes on the
        axis no mass at all.)"""
        import dolfinx

        centroid_r = dolfinx.fem.Function(dolfinx.fem.functionspace(self.mesh, ("DG", 0)))
        centroid_r.interpolate(lambda x: x[0])  # DG0 interpolates at the cell midpoint
        return 2.0 * math.pi * (self.x[0] + 3.0 * centroid_r) / 4.0

    def hoop_ratio(self, u):
        r = self.x[0]
        return ufl.conditional(
            ufl.gt(r, self.r_floor), u[0] / ufl.max_value(r, self.r_floor), u[0].dx(0)
        )

    def strain(self, u, guarded: bool = False):
        """Small strain in (r, z, θ): ``[[u_r,r, ½(u_r,z + u_z,r), 0], [·, u_z,z, 0], [0, 0, u_r/r]]``.

        Args:
            u: displacement (trial, test or Function).
            guarded: replace ``u_r/r`` by its limit on the axis. Needed where the strain is
                evaluated at nodes (exported stresses); weak forms use quadrature points,
                which never lie on the axis, and must not branch on a trial function.
        """
        hoop = self.hoop_ratio(u) if guarded else u[0] / self.x[0]
        e_rz = 0.5 * (u[0].dx(1) + u[1].dx(0))
        return ufl.as_tensor(
            [
                [u[0].dx(0), e_rz, 0.0],
                [e_rz, u[1].dx(1), 0.0],
                [0.0, 0.0, hoop],
            ]
        )

    def displacement_3d(self, u):
        return ufl.as_vector([u[0], u[1], 0.0])

    def radial_position(self):
        """Position relative to the particle centre as a 3-vector in the (r, z, θ) basis (m)."""
        return ufl.as_vector([self.x[0], self.x[1], 0.0])


@dataclass(frozen=True)
class PlaneStrain(_Coordinates):
    """2D plane strain in the x-y section: ``ε_zz = 0``, σ_zz follows from the swelling.

    Tensors are 3x3 in (x, y, z); integrals are per metre of depth (weight 1).
    """

    mesh: object
    name: str = "plane_strain"

    @property
    def gdim(self) -> int:
        return 2

    def strain(self, u, guarded: bool = False):
        """In-plane small strain padded to 3x3 with ``ε_zz = ε_xz = ε_yz = 0``."""
        e = ufl.sym(ufl.grad(u))
        return ufl.as_tensor([[e[0, 0], e[0, 1], 0.0], [e[1, 0], e[1, 1], 0.0], [0.0, 0.0, 0.0]])

    def displacement_3d(self, u):
        return ufl.as_vector([u[0], u[1], 0.0])

    def radial_position(self):
        """Position relative to the particle centre as a 3-vector (m)."""
        return ufl.as_vector([self.x[0], self.x[1], 0.0])


def coordinates_for(mesh, mode: str, length_scale: float):
    """Return the coordinate system of a geometry mode.

    Args:
        mesh: dolfinx mesh.
        mode: ``3d``, ``octant`` or ``axisymmetric``.
        length_scale: a characteristic length of the body (m), used to set the axis guard.
    """
    if mode == "axisymmetric":
        import dolfinx

        # a Constant: a number would make the forms of every particle size compile anew
        return Axisymmetric(mesh, r_floor=dolfinx.fem.Constant(mesh, 1e-10 * length_scale))
    if mode == "plane_strain":
        return PlaneStrain(mesh)
    return Cartesian3D(mesh)
