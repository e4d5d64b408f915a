"""Stop a run cleanly on Ctrl-C (SIGINT) or SIGTERM (e.g. a batch system's time limit).

The first signal only asks the time loop to stop: it finishes the step it is in, writes a
checkpoint of the last accepted state and ends with status ``interrupted`` (so ``--restart``
loses nothing and nothing reads the partial run as finished). The ranks of an MPI run agree
on the step at which they stop (:meth:`StopRequest.agreed`, one reduction per attempted step),
so none is left waiting in a collective. A second signal raises ``KeyboardInterrupt`` at
once: the way out of a step that never ends. A run outside the main thread (where Python
cannot install handlers) keeps the default behaviour.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: environment variable with the pid of the local sweep that started this run: when that
#: process is gone (killed with SIGKILL, so it could not stop its points), the run stops as on
#: SIGTERM instead of going on unattended into a folder the next sweep wants to use
PARENT_PID_VARIABLE = "CHEMOMECH_SWEEP_PID"
PARENT_POLL_S = 1.0


class RunInterrupted(RuntimeError):
    """The run stopped on a signal, after a checkpoint of its last accepted state."""


class StopRequest:
    """Set by the signal handlers; read by the time loop."""

    def __init__(self, announce: bool = True) -> None:
        self.signum: int | None = None
        self.announce = announce
        #: set while the run closes its files and writes summary.json (a second signal
        #: then must not cut that short: it takes a moment and is all that is left to do)
        self.shielded = False

    def _handler(self, signum, frame) -> None:
        if self.signum is not None and not self.shielded:
            raise KeyboardInterrupt  # the second signal: stop at once
        if self.shielded:
            self.signum = self.signum or signum
            return
        self.signum = signum
        if self.announce:
            print(f"\n{self.name}: stopping after this step with a checkpoint (once more to "
                  "stop at once, without one)", file=sys.stderr, flush=True)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name if self.signum is not None else ""

    def agreed(self, comm) -> bool:
        """Whether any rank got a signal (collective: every rank must call it)."""
        from mpi4py import MPI

        return bool(comm.allreduce(1 if self.signum is not None else 0, op=MPI.MAX))


@contextmanager
def stop_on_signals(announce: bool = True):
    """Install the handlers of a :class:`StopRequest` for the duration of a run (restored
    after); yields the request, or None outside the main thread. ``announce``: say on
    stderr that the signal was received (one rank of an MPI run)."""
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    request = StopRequest(announce)
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    for s in SIGNALS:
        signal.signal(s, request._handler)
    done = threading.Event()
    watcher = _watch_parent(request, done)
    try:
        yield request
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
        for s, h in previous.items():
            signal.signal(s, h)


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this machine (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, another user's (and any other doubt: alive)
        return True
    return True


def _watch_parent(request: StopRequest, done: threading.Event):
    """A thread that sets ``request`` as SIGTERM would when the sweep named by
    :data:`PARENT_PID_VARIABLE` is gone; None without that variable."""
    value = os.environ.get(PARENT_PID_VARIABLE, "")
    if not value.isdigit():
        return None
    pid = int(value)

    def watch() -> None:
        while not done.wait(PARENT_POLL_S):
            if not process_alive(pid):
                if request.signum is None:
                    request.signum = signal.SIGTERM
                    if request.announce:
                        print(f"\nthe sweep that started this run (pid {pid}) is gone: "
                              "stopping after this step with a checkpoint", file=sys.stderr,
                              flush=True)
                return

    thread = threading.Thread(target=watch, name="sweep-watch", daemon=True)
    thread.start()
    return thread
