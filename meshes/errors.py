"""Exceptions raised by :mod:`meshes`."""

from __future__ import annotations


class GeometryError(ValueError):
    """An invalid geometry or sizing parameter.

    Attributes:
        field: Dotted, case-file-style name of the offending parameter, e.g. ``"geometry.radius"``
            or ``"mesh.size"``, so the solver can point the user at the right line of the case.
        message: Human-readable explanation (values in SI units).
    """

    def __init__(self, field: str, message: str) -> None:
        """Create the error.

        Args:
            field: Dotted name of the offending parameter.
            message: Explanation of what is wrong.
        """
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self):  # keep the two-argument constructor picklable (multiprocessing)
        return (type(self), (self.field, self.message))


class MeshingError(RuntimeError):
    """Gmsh failed to build, mesh or write a geometry (or produced an unusable mesh)."""


__all__ = ["GeometryError", "MeshingError"]
