"""Mesh files: content-addressed cache of ``.msh`` files and loading them into Gmsh."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
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


def expected_groups(spec: Any) -> set[str]:
    """Names of the physical groups a mesh of ``spec`` carries (regions, boundaries, interfaces)."""
    names = set(spec.region_names()) | set(spec.boundary_names())
    if hasattr(spec, "interface_names"):
        names |= set(spec.interface_names())
    return names


def check_current_model(spec: Any, path: Path | str) -> None:
    """Check that the current Gmsh model (read from ``path``) is a usable mesh of ``spec``.

    Raises:
        MeshingError: If it has no elements or lacks a physical group of ``spec``.
    """
    if not len(gmsh.model.mesh.getElementTypes()):
        raise MeshingError(f"{path} holds no mesh elements")
    names = {gmsh.model.getPhysicalName(dim, tag) for dim, tag in gmsh.model.getPhysicalGroups()}
    missing = sorted(expected_groups(spec) - names)
    if missing:
        raise MeshingError(f"{path} lacks the physical group(s) {', '.join(missing)}")


def check_mesh_file(path: Path | str, spec: Any, verbose: bool = False) -> None:
    """Read ``path`` into a throwaway Gmsh model and check it (:func:`check_current_model`).

    An open session and its current model are left as they were. Call it outside any open
    session when the file may be damaged: after Gmsh fails to read a file, it reads and
    meshes nothing more until it is finalised (seen with Gmsh 4.15), so only a session of its
    own is safe to spoil. This is why the solver reads a mesh file twice (here, then for
    ``model_to_mesh``); a 17 MB file takes 0.09 s to read.

    Raises:
        MeshingError: If Gmsh cannot read the file or the mesh is not one of ``spec``.
    """
    with gmsh_session(verbose=verbose):
        previous = gmsh.model.getCurrent() if gmsh.model.list() else None
        new_model("chemomech-check")
        try:
            load_into_gmsh(path)
            check_current_model(spec, path)
        finally:
            if gmsh.isInitialized():
                gmsh.model.remove()  # the current model: the one the file was read into
                if previous is not None and previous in gmsh.model.list():
                    gmsh.model.setCurrent(previous)


def _discard(*paths: Path) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def _write_problem(directory: Path, reason: str) -> MeshingError:
    """The one-line error of a mesh file that could not be written to ``directory``."""
    try:
        free = f"; {shutil.disk_usage(directory).free // 1024} kB free there"
    except OSError:
        free = ""
    return MeshingError(f"cannot write the mesh file to {directory}: {reason}{free}")


def mesh_file(spec: Any, sizing: Sizing, cache_dir: Path | None, verbose: bool = False,
              warn: Callable[[str], None] | None = None) -> Path:
    """Return a Gmsh ``.msh`` (format 4.1, binary) file of ``spec`` meshed with ``sizing``.

    With a ``cache_dir``, ``<cache_dir>/<cache_key>.msh`` is reused when it exists and Gmsh
    reads it as a mesh with every physical group of ``spec`` (:func:`check_mesh_file`); an
    entry that fails this check (cut off by a full disk, empty, ...) is reported through
    ``warn``, removed and rebuilt. Otherwise the mesh is built in its own Gmsh model (inside
    :func:`gmsh_session`, so an open session is left as it was) and written to a temporary
    name in the same directory, read back and checked, and only then renamed into place
    (``os.replace``), together with ``<cache_key>.json`` (spec, sizing, versions and
    :func:`meshes.mesh_statistics`): a failed write leaves no entry behind. Without a
    ``cache_dir`` the files go to a fresh temporary directory that the caller owns.

    Args:
        spec: Geometry spec.
        sizing: Element sizes in m.
        cache_dir: Cache directory (created if missing), or ``None``.
        verbose: Let Gmsh print its log.
        warn: Called with a one-line message when a cached entry is discarded (default:
            :func:`warnings.warn`).

    Returns:
        Path of the ``.msh`` file.

    Raises:
        GeometryError: If the spec or sizing is invalid.
        MeshingError: If Gmsh fails, or the file cannot be written (one line naming the
            directory).
    """
    spec.validate()
    sizing.validate(spec)
    key = cache_key(spec, sizing)
    if cache_dir is None:
        directory = Path(tempfile.mkdtemp(prefix="chemomech-mesh-"))
    else:
        directory = Path(cache_dir)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MeshingError(f"cannot create the mesh cache directory {directory}: "
                               f"{exc.strerror or exc}") from exc
    path = directory / f"{key}.msh"
    description = directory / f"{key}.json"
    if cache_dir is not None and path.is_file():
        try:
            check_mesh_file(path, spec, verbose=verbose)
            return path
        except MeshingError as exc:
            message = f"mesh cache: {exc}; the entry is discarded and the mesh rebuilt"
            if warn is None:
                warnings.warn(message, RuntimeWarning, stacklevel=2)
            else:
                warn(message)
            try:
                _discard(path, description)
            except OSError as err:
                raise MeshingError(f"cannot remove the unusable mesh cache entry {path}: "
                                   f"{err.strerror or err}") from err

    with gmsh_session(verbose=verbose):
        previous = gmsh.model.getCurrent() if gmsh.model.list() else None
        name = new_model(f"chemomech-{key}")
        try:
            build(spec, sizing)
            info = _description(spec, sizing) | {"statistics": mesh_statistics()}
            tmp = None
            try:
                # The .json goes first: an existing .msh then always has its description.
                _atomic_write_text(description, json.dumps(info, indent=2) + "\n")
                fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{key}.", suffix=".msh")
                os.close(fd)
                gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
                gmsh.option.setNumber("Mesh.Binary", 1)
                gmsh.option.setNumber("Mesh.SaveAll", 0)
                gmsh.write(tmp)
                # Gmsh does not report a failed write (a full disk leaves a cut-off file):
                # read the file back before it becomes the entry.
                try:
                    check_mesh_file(tmp, spec, verbose=verbose)
                except MeshingError as exc:
                    raise _write_problem(directory, "Gmsh wrote an incomplete file "
                                         "(is the disk full?)") from exc
                os.replace(tmp, path)
            except MeshingError:
                _discard(*([Path(tmp)] if tmp else []), description)
                raise
            except Exception as exc:
                _discard(*([Path(tmp)] if tmp else []), description)
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                raise _write_problem(directory, str(reason)) from exc
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


__all__ = ["MESH_FORMAT_VERSION", "cache_key", "check_current_model", "check_mesh_file",
           "expected_groups", "load_into_gmsh", "mesh_file"]
