"""The results folder of a run: checked writable and locked before any computing, the
traces of an earlier run in it removed, the lock released at the end (rank 0 acts, every
rank learns the outcome)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from pathlib import Path

from solver.batch.sweep import SweepError
from solver.interrupts import process_alive
from solver.outputs.paraview_state import SCRIPT_NAME
from solver.outputs.pictures import chemomech_pictures
from solver.outputs.result_files import (
    CHECKPOINT_FILE,
    LOCK_FILE,
    read_json_object,
    read_run_lock,
)

#: MB that must be free on the results' disk at the start and before each field write
MIN_FREE_MB = 50

#: the files of fixed name that a run writes into its results folder (and their temporary
#: versions, left by a run killed while writing them), and the ParaView script
#: (``chemomech paraview``). Not ``run.lock`` (the run takes it), nor what ``chemomech mesh``
#: wrote (mesh.xdmf, .png, ...): a user meshes a case to look at it before running it.
WRITTEN_FILES = (
    "history.csv", "history.csv.tmp", "summary.json", "summary.json.tmp", "run.log",
    "case.resolved.yaml", CHECKPOINT_FILE, CHECKPOINT_FILE + ".tmp.npz", ".write-test",
    SCRIPT_NAME,
)
#: the field files (``fields``, or ``fields_r<k>`` of a restarted part): XDMF + HDF5, the
#: .pvd with its numbered .pvtu/.vtu frames, the VTX .bp folders (:mod:`solver.outputs.fields`)
FIELD_FILE = re.compile(r"fields(_r\d+)?(\.xdmf|\.xdmf\.tmp|\.xdmf-writing|\.h5|\.pvd"
                        r"|\.pvd\.tmp|\d+\.pvtu|_p\d+_\d+\.vtu"
                        r"|_(displacement|lithiation|stress)\.bp)")


def written_by_chemomech(out: Path) -> list[Path]:
    """What chemomech wrote in the results folder ``out``: :data:`WRITTEN_FILES`, the
    :data:`FIELD_FILE` files and folders, and the pictures of png/ that chemomech draws
    (:func:`~solver.outputs.pictures.chemomech_pictures`). Anything else (a user's notes,
    a figure of another name in png/, ``run.lock``) is not listed."""
    found = [out / name for name in WRITTEN_FILES
             if (out / name).exists() or (out / name).is_symlink()]
    found += [p for p in out.iterdir() if FIELD_FILE.fullmatch(p.name)]
    if (out / "png").is_dir():
        found += [out / "png" / name for name in chemomech_pictures()
                  if (out / "png" / name).is_file()]
    return sorted(set(found))


def describe_removed(names: list[str]) -> str:
    """``names`` (relative; a folder's with a trailing ``/``) in one line, numbered frames
    grouped: ``fields_p0_*.vtu (40)``."""
    groups: dict[str, int] = {}
    for name in names:
        key = re.sub(r"\d{6}(?=\.)", "*", name)
        groups[key] = groups.get(key, 0) + 1
    return ", ".join(k if n == 1 else f"{k} ({n})" for k, n in groups.items())


class OutputDirError(RuntimeError):
    """The results folder cannot be written (checked before any computing), or a result
    could not be written at the end."""


def blocked_path_problem(out: Path) -> str | None:
    """Why the results folder ``out`` cannot be made, as far as it shows without creating
    anything (a check before meshing; :meth:`ResultsFolder.prepare` makes the folder and
    writes into it later): a regular file in its place or on its path, or a nearest
    existing folder without write permission. None when nothing shows."""
    path = Path(out).absolute()
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        return f"cannot write to {out}: {existing} is a file, not a folder"
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot write to {out}: {existing} is not writable"
    return None


def describe_write_error(exc: BaseException) -> str:
    """One line for a failed write: the OS reason and the file (``[Errno 28] No space left
    on device`` → ``No space left on device: results/x/history.csv``)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {exc}"


def _is_chemomech_process(pid: int) -> bool:
    """Whether a process with this pid runs (as far as this machine can tell) chemomech."""
    if not process_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return True  # no /proc: alive is all we know
    return b"chemomech" in cmdline or b"solver" in cmdline or b"pytest" in cmdline


class ResultsFolder:
    """The folder ``out`` a run writes to.

    Args:
        out: the folder.
        comm: the run's communicator (rank 0 touches the files).
        log: a :class:`solver.log.Reporter` for the warnings.
    """

    def __init__(self, out: Path, comm, log):
        self.out, self.comm, self.log = Path(out), comm, log

    def check_lock(self, warn: bool = True) -> None:
        """Refuse to run into a folder that a live run on this machine is writing to (two
        runs in one folder mix their field files, e.g. a sweep re-run while the point runs
        of a killed sweep go on). A lock of a run that is gone is ignored; one from another
        machine cannot be checked: a warning (unless not ``warn``), and the run goes on."""
        out = self.out
        problem, note = None, None
        if self.comm.rank == 0:
            lock = read_run_lock(out)
            pid, host = (lock["pid"], lock["host"]) if lock else (None, None)
            if lock and host != socket.gethostname():
                note = (f"{out / LOCK_FILE}: a run on {host} (pid {pid}, started "
                        f"{lock.get('started', '?')}) may still be writing here; going on")
            elif lock and pid != os.getpid() and _is_chemomech_process(pid):
                problem = (f"another chemomech run (pid {pid}, started "
                           f"{lock.get('started', '?')}) is writing to {out}; wait for it, stop "
                           f"it, or give another --out")
        problem, note = self.comm.bcast((problem, note), root=0)
        if note and warn:
            self.log.warn(note)
        if problem:
            raise OutputDirError(problem)

    def take_lock(self) -> None:
        """Write ``run.lock`` (pid, host, start time): :meth:`check_lock` of another run
        reads it."""
        out = self.out
        if self.comm.rank == 0:
            (out / LOCK_FILE).write_text(json.dumps({
                "pid": os.getpid(), "host": socket.gethostname(),
                "started": time.strftime("%Y-%m-%d %H:%M:%S")}))

    def release_lock(self) -> None:
        out = self.out
        if self.comm.rank == 0:
            (out / LOCK_FILE).unlink(missing_ok=True)

    def prepare(self, fresh: bool = True, case_hash: str | None = None) -> list[str]:
        """Create the results folder and prove it is writable, before any computing. A
        ``fresh`` run first removes every file and folder that chemomech wrote there
        (:func:`written_by_chemomech`: an earlier run's results, pictures, checkpoint,
        field files of any format, ``plot``'s and ``paraview``'s files), so the folder never
        mixes two runs and a later --restart cannot continue the earlier run; other files
        stay. run.log says what was removed (a warning when the earlier run was of another
        case than ``case_hash``). Rank 0 acts; returns the removed names on every rank."""
        out = self.out
        problem, removed, old = None, [], None
        if self.comm.rank == 0:
            try:
                out.mkdir(parents=True, exist_ok=True)
                if fresh:
                    old = self._earlier_case(out)
                    self._remove_previous_run(out, removed)
                (out / "png").mkdir(exist_ok=True)
                probe = out / ".write-test"
                probe.write_text("ok")
                probe.unlink()
                free_mb = shutil.disk_usage(out).free / 2**20
                if free_mb < MIN_FREE_MB:
                    problem = f"only {free_mb:.0f} MB free in {out}"
            except OSError as exc:
                problem = f"cannot write to {out}: {describe_write_error(exc)}"
        problem, removed, old = self.comm.bcast((problem, removed, old), root=0)
        if removed:
            self._report_removed(removed, old, case_hash)
        if problem:
            raise OutputDirError(problem)
        return removed

    @staticmethod
    def _earlier_case(out: Path) -> dict | None:
        """The ``case`` entry of the earlier run's summary.json (None without one)."""
        try:
            old = read_json_object(out / "summary.json").get("case")
        except SweepError:  # none, or damaged
            return None
        return old if isinstance(old, dict) else None

    def _report_removed(self, removed: list[str], old: dict | None,
                        case_hash: str | None) -> None:
        """run.log: what a fresh run removed; a warning when it was another case's."""
        out = self.out
        folders = sum(name.endswith("/") for name in removed)
        files = len(removed) - folders
        count = " and ".join(f"{n} {word}{'s' if n > 1 else ''}"
                             for n, word in ((files, "file"), (folders, "folder")) if n)
        if old and old.get("hash") and case_hash and old["hash"] != case_hash:
            source = old.get("source") or "?"
            self.log.warn(f"{out} held the results of another case ({source}, other inputs); "
                          f"they are replaced ({count} of them removed, named in run.log). "
                          "Give --out (or output.name) to keep both")
        self.log.file_only(f"fresh run: removed what chemomech wrote in {out} before, "
                           f"{count}: {describe_removed(removed)}")

    @staticmethod
    def _remove_previous_run(out: Path, removed: list[str]) -> None:
        """Remove :func:`written_by_chemomech` of ``out``, appending each name relative to
        ``out`` (a folder's with a trailing ``/``) to ``removed`` once it is gone (so that
        a failure midway still tells what went before it)."""
        for path in written_by_chemomech(out):
            name = path.relative_to(out).as_posix()
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
                name += "/"
            else:
                path.unlink()
            removed.append(name)
