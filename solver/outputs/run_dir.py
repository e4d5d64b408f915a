"""The results folder of a run: checked writable and locked before any computing, the
traces of an earlier run in it removed, the lock released at the end (rank 0 acts, every
rank learns the outcome)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

from solver.interrupts import process_alive
from solver.outputs.result_files import CHECKPOINT_FILE, LOCK_FILE, read_run_lock

#: MB that must be free on the results' disk at the start and before each field write
MIN_FREE_MB = 50


class OutputDirError(RuntimeError):
    """The results folder cannot be written (checked before any computing), or a result
    could not be written at the end."""


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

    def check_lock(self) -> None:
        """Refuse to run into a folder that a live run on this machine is writing to (two
        runs in one folder mix their field files, e.g. a sweep re-run while the point runs
        of a killed sweep go on). A lock of a run that is gone is ignored; one from another
        machine cannot be checked: a warning, and the run goes on."""
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
        if note:
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

    def warn_replaced(self, case_hash: str) -> None:
        """Say so when the folder holds the results of another case (another case file, or
        the same one with other --set overrides): this run replaces them."""
        out = self.out
        old = None
        if self.comm.rank == 0:
            try:
                old = json.loads((out / "summary.json").read_text()).get("case", {})
            except (OSError, ValueError, AttributeError):
                old = None
        old = self.comm.bcast(old, root=0)
        if old and old.get("hash") and old["hash"] != case_hash:
            source = old.get("source") or "?"
            self.log.warn(f"{out} holds the results of another case ({source}, other inputs); "
                          "they are replaced. Give --out (or output.name) to keep both")

    def prepare(self, fresh: bool = True) -> None:
        """Create the results folder and prove it is writable, before any computing. A
        ``fresh`` run first removes what an earlier run in the folder left that this one
        would not overwrite: its checkpoint (a later --restart would continue that run),
        the field files of its restarts and its numbered VTK frames."""
        out = self.out
        problem = None
        if self.comm.rank == 0:
            try:
                out.mkdir(parents=True, exist_ok=True)
                if fresh:
                    self._remove_previous_run(out)
                (out / "png").mkdir(exist_ok=True)
                probe = out / ".write-test"
                probe.write_text("ok")
                probe.unlink()
                free_mb = shutil.disk_usage(out).free / 2**20
                if free_mb < MIN_FREE_MB:
                    problem = f"only {free_mb:.0f} MB free in {out}"
            except OSError as exc:
                problem = f"cannot write to {out}: {exc.strerror or exc}"
        problem = self.comm.bcast(problem, root=0)
        if problem:
            raise OutputDirError(problem)

    @staticmethod
    def _remove_previous_run(out: Path) -> None:
        """Remove an earlier run's checkpoint, restart field files and numbered VTK frames."""
        stale = [out / CHECKPOINT_FILE, out / (CHECKPOINT_FILE + ".tmp.npz")]
        for pattern in ("fields_r[0-9]*", "fields[0-9]*.pvtu", "fields_p[0-9]*_[0-9]*.vtu"):
            stale += out.glob(pattern)
        for path in stale:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()

