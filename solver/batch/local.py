"""Run sweep points on this machine: N workers, each a ``chemomech run`` subprocess.

A failed point is recorded (status ``failed``, the first line of its error) and does not
stop the others; the manifest is rewritten atomically whenever a point starts or finishes,
so an interrupted sweep loses nothing and a re-run skips the completed points.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from solver.interrupts import PARENT_PID_VARIABLE
from solver.batch.sweep import (
    RUNNING_MARKER,
    clear_attempt,
    expected_hashes,
    mark_running,
    point_status,
    resolve_rel,
    resume_note,
    write_manifest,
)

#: runner(point_dir, case_file, results_dir) -> exit code (stderr goes to point_dir/run.err)
Runner = Callable[[Path, Path, Path], int]


def find_mpiexec() -> str | None:
    """The venv's ``mpiexec`` (next to ``sys.executable``), else the one on ``PATH``."""
    cand = Path(sys.executable).parent / "mpiexec"
    if cand.exists():
        return str(cand)
    return shutil.which("mpiexec")


def code_root() -> Path:
    """The folder that holds the ``solver`` (and ``meshes``) package this process runs."""
    import solver

    return Path(solver.__file__).resolve().parent.parent


def point_python() -> list[str]:
    """How a point runs the sweep's own code: ``python -P -m solver`` with :func:`code_root`
    first on PYTHONPATH (:func:`point_environment`). Plain ``-m`` put the working folder
    first on the import path, so a point run from a folder holding another ``solver``
    package (another checkout, a user's own) ran that code instead of the sweep's."""
    return [sys.executable, "-P", "-m", "solver"]


def point_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` with :func:`code_root` first on PYTHONPATH."""
    rest = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(code_root()) + (os.pathsep + rest if rest else "")
    return env


def run_command(case_file: Path, results: Path, mpi_ranks: int = 1) -> list[str]:
    """The command line that runs one point (in :func:`point_environment`)."""
    # --resume: a point interrupted earlier (SIGTERM, a time limit) continues from its
    # checkpoint when the checkpoint is of the same case; otherwise the run starts afresh
    cmd = [*point_python(), "run", str(case_file), "--out", str(results), "--quiet",
           "--resume"]
    if mpi_ranks > 1:
        mpiexec = find_mpiexec()
        if mpiexec is None:
            raise FileNotFoundError("mpiexec not found (needed for --mpi-ranks > 1)")
        cmd = [mpiexec, "-n", str(mpi_ranks), *cmd]
    return cmd


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a point run and what it started (its own process group: mpiexec's ranks)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


#: the point runs of this process that are going (stop_children stops them)
_CHILDREN: set[subprocess.Popen] = set()
_CHILDREN_LOCK = threading.Lock()


def stop_children(wait: float = 120.0) -> None:
    """Ask every running point to stop (SIGTERM: a chemomech run ends after its current step
    with a checkpoint and status 'interrupted'; mpiexec passes it on to the ranks), wait up to
    ``wait`` s for them, then kill what is left. A sweep that stops must not leave its point
    runs going: a re-run would start second runs into their folders."""
    with _CHILDREN_LOCK:
        procs = list(_CHILDREN)
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + wait
    try:
        for proc in procs:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.wait()
    except KeyboardInterrupt:  # a second Ctrl-C: stop them at once (each has its own session)
        for proc in procs:
            if proc.poll() is None:
                _kill_group(proc)
        raise


#: how long a sweep waits for a point run of an earlier (killed) sweep to stop (s)
EARLIER_RUN_WAIT_S = 600.0


def _wait_for_earlier_run(results: Path, row: dict[str, str], quiet: bool) -> None:
    """Wait while the point's results folder is locked by a live run on this machine: a run
    of a sweep that was just killed stops by itself (its sweep is gone), but only after its
    step; starting the point meanwhile was refused by the run's lock and failed it."""
    import socket

    from solver.interrupts import process_alive
    from solver.outputs.result_files import read_run_lock

    lock = read_run_lock(results)
    if lock is None or lock["host"] != socket.gethostname() or not process_alive(lock["pid"]):
        return
    pid = lock["pid"]
    if not quiet:
        print(f"{row['point']}: waiting for an earlier run of it (pid {pid}) to stop",
              flush=True)
    deadline = time.monotonic() + EARLIER_RUN_WAIT_S
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.5)


def subprocess_runner(mpi_ranks: int = 1, timeout: float | None = None) -> Runner:
    """The default runner: ``[mpiexec -n M] python -m solver run case --out results --quiet``."""

    def run(point_dir: Path, case_file: Path, results: Path) -> int:
        env = point_environment(dict(os.environ))
        env.setdefault("OMP_NUM_THREADS", "1")  # N workers × BLAS threads oversubscribe
        # a run whose sweep is killed (SIGKILL: no chance to stop it) stops by itself
        env[PARENT_PID_VARIABLE] = str(os.getpid())
        with open(point_dir / "run.err", "wb") as err:
            try:
                # its own session: a Ctrl-C in the terminal reaches the sweep, which stops
                # the points itself (stop_children), once
                proc = subprocess.Popen(run_command(case_file, results, mpi_ranks),
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=err, env=env, start_new_session=True)
            except OSError as exc:
                err.write(f"error: cannot start the run: {exc}\n".encode())
                return 127
            with _CHILDREN_LOCK:
                _CHILDREN.add(proc)
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                proc.wait()
                err.write(f"error: timed out after {timeout:g} s\n".encode())
                code = 124
            finally:
                with _CHILDREN_LOCK:
                    _CHILDREN.discard(proc)
        return code

    return run


def run_local(out: Path, keys: list[str], rows: list[dict[str, str]], workers: int = 1,
              runner: Runner | None = None, mpi_ranks: int = 1, quiet: bool = False,
              ) -> list[dict[str, str]]:
    """Run every point of the manifest that is not completed; return the updated rows.

    Args:
        out: the sweep directory.
        keys: the varied keys (manifest columns).
        rows: the manifest rows (updated in place).
        workers: points run at the same time.
        runner: runs one point (default: a ``chemomech run`` subprocess).
        mpi_ranks: MPI ranks per point (default runner only).
        quiet: print nothing.
    """
    out = Path(out)
    runner = runner or subprocess_runner(mpi_ranks)
    hashes = expected_hashes(out, rows)
    lock = threading.Lock()

    def save() -> None:
        with lock:
            write_manifest(out, keys, rows)

    todo = []
    for row in rows:
        pdir = out / "points" / row["point"]
        st = point_status(pdir, hashes.get(row["point"]))
        if st is not None and st[0] == "completed":
            row["status"], row["error"] = st
        else:
            todo.append(row)
    skipped = len(rows) - len(todo)
    if not quiet:
        print(f"sweep: {len(rows)} points, {skipped} already completed, {len(todo)} to run "
              f"with {workers} worker(s)" + (f" × {mpi_ranks} MPI ranks" if mpi_ranks > 1
                                             else ""), flush=True)
    save()

    def one(row: dict[str, str]) -> tuple[dict[str, str], float]:
        pdir = out / "points" / row["point"]
        t0 = time.perf_counter()
        try:
            _wait_for_earlier_run(resolve_rel(out, row["results"]), row, quiet)
            note = resume_note(out, row["point"], hashes.get(row["point"]))
            if note and not quiet:
                print(note, flush=True)
            clear_attempt(pdir)
            mark_running(pdir)  # lets collect tell a point of a killed sweep from a running one
        except OSError as exc:  # a read-only or full point folder fails this point only
            st = ("failed", f"cannot write in {pdir}: {exc.strerror or exc}")
        else:
            with lock:
                row["status"], row["error"] = "running", ""
            save()
            st = _run_point(pdir, row)
        with lock:
            row["status"], row["error"] = st
        save()
        return row, time.perf_counter() - t0

    def _run_point(pdir: Path, row: dict[str, str]) -> tuple[str, str]:
        try:
            code = runner(pdir, resolve_rel(out, row["case"]), resolve_rel(out, row["results"]))
        except Exception as exc:  # a runner failure must not stop the other points
            code, error = 1, f"error: {type(exc).__name__}: {exc}"
        else:
            error = None
        try:
            if error is not None:
                (pdir / "run.err").write_text(error + "\n")
            (pdir / "exit_code").write_text(f"{code}\n")
            (pdir / RUNNING_MARKER).unlink(missing_ok=True)
        except OSError as exc:  # e.g. the disk filled up during the run
            return "failed", f"exit code {code}; cannot write in {pdir}: {exc.strerror or exc}"
        return point_status(pdir, hashes.get(row["point"])) or ("failed", f"exit code {code}")

    done = 0
    if todo:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = [pool.submit(one, row) for row in todo]
            try:
                for fut in as_completed(futures):
                    row, wall = fut.result()
                    done += 1
                    if not quiet:
                        msg = f"[{done}/{len(todo)}] {row['point']} {row['status']} ({wall:.1f} s)"
                        if row["error"]:
                            msg += f": {row['error']}"
                        print(msg, flush=True)
            except KeyboardInterrupt:
                for fut in futures:
                    fut.cancel()
                stop_children()
                with lock:
                    for row in todo:
                        if row["status"] == "running":
                            row["status"], row["error"] = "failed", "interrupted"
                save()
                raise
    return rows
