"""Mesh files: content-addressed cache of ``.msh`` files and loading them into Gmsh."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import gmsh

from meshes import build, mesh_statistics
from meshes.errors import MeshingError
from meshes.session import gmsh_session, new_model
from meshes.specs import Sizing

MESH_FORMAT_VERSION = 1
"""Bump when a change of the builders changes the meshes for the same spec (invalidates caches)."""


def _canonical(value: Any) -> Any:
    """Normalise numbers so that e.g. ``radius=1`` and ``radius=1.0`` hash alike."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return str(value)


def _description(spec: Any, sizing: Sizing) -> dict[str, Any]:
    """JSON-able description of what a mesh file contains (everything the key depends on)."""
    return {
        "kind": spec.kind,
        "spec": _canonical(dataclasses.asdict(spec)),
        "sizing": _canonical(dataclasses.asdict(sizing)),
        "mesh_format_version": MESH_FORMAT_VERSION,
        "gmsh_version": gmsh.__version__,
    }


def cache_key(spec: Any, sizing: Sizing) -> str:
    """Stable cache key of a mesh.

    Args:
        spec: Geometry spec (a dataclass with a ``kind``).
        sizing: Element sizes in m.

    Returns:
        The first 16 hex digits of the SHA-256 of a canonical JSON of the kind, the spec and
        sizing fields, :data:`MESH_FORMAT_VERSION` and the Gmsh version.
    """
    text = json.dumps(_description(spec, sizing), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def mesh_file(spec: Any, sizing: Sizing, cache_dir: Path | None, verbose: bool = False) -> Path:
    """Return a Gmsh ``.msh`` (format 4.1, binary) file of ``spec`` meshed with ``sizing``.

    With a ``cache_dir``, ``<cache_dir>/<cache_key>.msh`` is reused when it exists; otherwise the
    mesh is built in its own Gmsh model (inside :func:`gmsh_session`, so an open session is left
    as it was) and written atomically, together with ``<cache_key>.json`` (spec, sizing, versions
    and :func:`meshes.mesh_statistics`). Without a ``cache_dir`` the files go to a fresh
    temporary directory that the caller owns.

    Args:
        spec: Geometry spec.
        sizing: Element sizes in m.
        cache_dir: Cache directory (created if missing), or ``None``.
        verbose: Let Gmsh print its log.

    Returns:
        Path of the ``.msh`` file.

    Raises:
        GeometryError: If the spec or sizing is invalid.
        MeshingError: If Gmsh fails.
    """
    spec.validate()
    sizing.validate(spec)
    key = cache_key(spec, sizing)
    if cache_dir is None:
        directory = Path(tempfile.mkdtemp(prefix="chemomech-mesh-"))
    else:
        directory = Path(cache_dir)
        directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key}.msh"
    if cache_dir is not None and path.is_file():
        return path

    with gmsh_session(verbose=verbose):
        previous = gmsh.model.getCurrent() if gmsh.model.list() else None
        name = new_model(f"chemomech-{key}")
        try:
            build(spec, sizing)
            info = _description(spec, sizing) | {"statistics": mesh_statistics()}
            # The .json goes first: an existing .msh then always has its description.
            _atomic_write_text(directory / f"{key}.json", json.dumps(info, indent=2) + "\n")
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{key}.", suffix=".msh")
            os.close(fd)
            try:
                gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
                gmsh.option.setNumber("Mesh.Binary", 1)
                gmsh.option.setNumber("Mesh.SaveAll", 0)
                gmsh.write(tmp)
                os.replace(tmp, path)
            except Exception as exc:
                Path(tmp).unlink(missing_ok=True)
                raise MeshingError(f"could not write {path}: {exc}") from exc
        finally:
            if gmsh.isInitialized():
                gmsh.model.setCurrent(name)
                gmsh.model.remove()
                if previous is not None and previous in gmsh.model.list():
                    gmsh.model.setCurrent(previous)
    return path


def load_into_gmsh(path: Path | str) -> str:
    """Open a ``.msh`` file as the current model of the active Gmsh session.

    The solver then converts the current model (``dolfinx.io.gmsh.model_to_mesh``, rank 0).

    Args:
        path: The mesh file.

    Returns:
        The name of the new current model.

    Raises:
        FileNotFoundError: If the file does not exist.
        MeshingError: If no Gmsh session is active or Gmsh cannot read the file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    if not gmsh.isInitialized():
        raise MeshingError("load_into_gmsh needs an active gmsh_session()")
    try:
        gmsh.open(str(path))
    except Exception as exc:
        raise MeshingError(f"Gmsh could not read {path}: {exc}") from exc
    return gmsh.model.getCurrent()


__all__ = ["MESH_FORMAT_VERSION", "cache_key", "load_into_gmsh", "mesh_file"]
