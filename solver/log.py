"""Rank-0 console output and ``run.log``.

On a terminal, progress is a live ``rich`` line (simulated time, mean θ, dt, step, ETA); in
batch logs (stdout not a TTY) it is a plain line every ``interval`` seconds; ``--quiet``
prints nothing but errors. ``run.log`` in the results folder always gets the header (versions,
case hash, MPI size, solver settings), every warning, every dt cut-back and the checkpoints.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path


def _hms(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):
        return "--:--:--"
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


#: the share of the run that must be done since the first progress line before an ETA is
#: shown: the first steps are short (dt grows from dt_initial), so an earlier ETA is far off
ETA_AFTER = 0.01


def _eta(now: float, fraction: float, first: tuple[float, float]) -> float:
    """Seconds left at the pace since ``first`` = (time stamp, fraction); inf when unknown."""
    t0, f0 = first
    if fraction >= 1.0:
        return 0.0
    if fraction - f0 < ETA_AFTER:
        return float("inf")
    return (now - t0) * (1.0 - fraction) / (fraction - f0)


class Reporter:
    """Prints on rank 0 only.

    Args:
        comm: MPI communicator.
        quiet: print nothing but errors.
        interval: seconds between plain progress lines (first and last always printed).
    """

    def __init__(self, comm, quiet: bool = False, interval: float | None = None):
        self.rank0 = comm.rank == 0
        self.quiet = quiet
        self.tty = self.rank0 and sys.stdout.isatty()
        self.interval = interval if interval is not None else (0.5 if self.tty else 10.0)
        self._start = time.perf_counter()
        self._last = -1e9
        #: (time stamp, done fraction) of the first progress call: the ETA extrapolates the
        #: time loop's pace from there, not the meshing and set-up before it
        self._first: tuple[float, float] | None = None
        self._file = None
        self._live = None
        #: (time stamp, line) written before run.log was opened (meshing, setup): they go
        #: into it when it opens, so a warning printed then (or hidden by --quiet) is kept
        self._early: list[tuple[str, str]] = []
        #: every warning of the run, in order (summary.json lists them)
        self.warnings: list[str] = []

    # ---------------------------------------------------------------- run.log
    def open_file(self, path: Path, append: bool = False) -> None:
        if self.rank0:
            self._file = open(path, "a" if append else "w", buffering=1)
            self._file.write(f"--- {datetime.now().isoformat(timespec='seconds')} "
                             f"{'restart' if append else 'start'}\n")
            self._file.write("".join(f"{stamp} {line}\n" for stamp, line in self._early))
        self._early = []

    def file_only(self, msg: str) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        lines = msg.rstrip().splitlines()
        if self._file is not None:
            self._file.write("".join(f"{stamp} {line}\n" for line in lines))
        elif self.rank0 and len(self._early) < 1000:  # (a Reporter that never opens one)
            self._early.extend((stamp, line) for line in lines)

    def close_file(self) -> None:
        self._stop_live()
        if self._file is not None:
            self._file.close()
            self._file = None

    # ---------------------------------------------------------------- console
    def info(self, msg: str) -> None:
        self.file_only(msg)
        if self.rank0 and not self.quiet:
            self._stop_live()
            print(msg, flush=True)

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)
        self.file_only(f"warning: {msg}")
        if self.rank0 and not self.quiet:
            self._stop_live()
            print(f"warning: {msg}", file=sys.stderr, flush=True)

    def elapsed(self) -> float:
        return time.perf_counter() - self._start

    def progress(self, step: int, t: float, mean_theta: float, dt: float, fraction: float,
                 force: bool = False) -> None:
        """Progress: step, simulated time, mean θ, dt, done fraction and ETA."""
        if not self.rank0 or self.quiet:
            return
        now = time.perf_counter()
        if self._first is None:
            self._first = (now, fraction)
        if not force and now - self._last < self.interval:
            return
        self._last = now
        el = now - self._start
        eta = _eta(now, fraction, self._first)
        line = (f"step {step:5d}  t = {t:10.4g} s  mean θ = {mean_theta:6.4f}  dt = {dt:9.3g} s  "
                f"{100 * min(fraction, 1.0):5.1f} %  elapsed {_hms(el)}  ETA {_hms(eta)}")
        if self.tty:
            self._live_update(line, force)
        else:
            print(line, flush=True)

    def _live_update(self, line: str, final: bool) -> None:
        try:
            from rich.console import Console
            from rich.live import Live
        except ImportError:  # pragma: no cover - rich comes with meshio
            print(line, flush=True)
            return
        if self._live is None:
            self._live = Live(console=Console(), auto_refresh=False, transient=False)
            self._live.start()
        self._live.update(line, refresh=True)
        if final:
            self._stop_live()

    def _stop_live(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
