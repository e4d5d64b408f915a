"""Rank-0 console output: progress lines with ETA, warnings, and nothing with ``--quiet``."""

from __future__ import annotations

import sys
import time


def _hms(seconds: float) -> str:
    if seconds != seconds or seconds == float("inf"):
        return "--:--:--"
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Reporter:
    """Prints on rank 0 only.

    Args:
        comm: MPI communicator.
        quiet: print nothing but errors.
        interval: seconds between progress lines (the first and last are always printed).
    """

    def __init__(self, comm, quiet: bool = False, interval: float = 2.0):
        self.rank0 = comm.rank == 0
        self.quiet = quiet
        self.interval = interval
        self._start = time.perf_counter()
        self._last = -1e9

    def info(self, msg: str) -> None:
        if self.rank0 and not self.quiet:
            print(msg, flush=True)

    def warn(self, msg: str) -> None:
        if self.rank0 and not self.quiet:
            print(f"warning: {msg}", file=sys.stderr, flush=True)

    def elapsed(self) -> float:
        return time.perf_counter() - self._start

    def progress(self, step: int, t: float, mean_theta: float, dt: float, fraction: float,
                 force: bool = False) -> None:
        """One progress line: step, simulated time, mean θ, dt, done fraction and ETA."""
        now = time.perf_counter()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        el = now - self._start
        eta = el * (1.0 - fraction) / fraction if fraction > 1e-9 else float("inf")
        self.info(
            f"step {step:5d}  t = {t:10.4g} s  mean θ = {mean_theta:6.4f}  dt = {dt:9.3g} s  "
            f"{100 * min(fraction, 1.0):5.1f} %  elapsed {_hms(el)}  ETA {_hms(eta)}"
        )
