"""Reading a results or sweep file that may be damaged (a killed run, a full disk, a hand
edit): every problem becomes one :class:`~solver.batch.sweep.SweepError` line naming the
file and what is wrong (exit 2), never a traceback.

Used by ``plot`` (``history.csv``), ``compare`` (``history.csv``, ``summary.json``) and
``collect`` (``sweep.csv``, each point's ``summary.json``). Also the parts of a results
folder that a sweep reads without MPI: the run lock and the checkpoint's loop state.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from solver.batch.sweep import SweepError


def read_text(path: str | Path, name: str | None = None) -> str:
    """The UTF-8 text of ``path`` (newlines as they are in the file); ``name``: how the
    messages call the file (default its path).

    Raises:
        SweepError: the file cannot be read (missing, a directory, no permission) or is
            not UTF-8 text.
    """
    name = name or str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SweepError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SweepError(f"{name}: unreadable, not UTF-8 text (byte 0x{data[exc.start]:02x} "
                         f"at offset {exc.start}); damaged?") from None


def read_json_object(path: str | Path, name: str | None = None) -> dict:
    """The JSON object (dict) in ``path`` (``name``: as for :func:`read_text`).

    Raises:
        SweepError: unreadable (see :func:`read_text`), not JSON, or not a JSON object.
    """
    name = name or str(path)
    text = read_text(path, name)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SweepError(f"{name}: unreadable, not valid JSON ({exc}); damaged?") from None
    if not isinstance(data, dict):
        raise SweepError(f"{name}: unreadable, a JSON {type(data).__name__} instead of an "
                         "object; damaged?")
    return data


def read_csv(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows as dicts) of the CSV file ``path``.

    Raises:
        SweepError: unreadable (see :func:`read_text`) or not parseable as CSV.
    """
    text = read_text(path)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        cols = list(reader.fieldnames or [])
        rows = list(reader)
    except csv.Error as exc:
        raise SweepError(f"{path}: unreadable, not a valid CSV file ({exc}); damaged?") from None
    return cols, rows


#: in a results folder while a run writes to it: {pid, host, started} of its rank 0
LOCK_FILE = "run.lock"


def read_run_lock(out: str | Path) -> dict | None:
    """The run lock of the results folder ``out`` (``pid`` an int, ``host`` a str, and
    ``started`` when written), or None when there is none or it cannot be read."""
    try:
        lock = json.loads((Path(out) / LOCK_FILE).read_text())
        return {**lock, "pid": int(lock["pid"]), "host": str(lock["host"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: the restart checkpoint of a results folder (:mod:`solver.outputs.checkpoint` writes it)
CHECKPOINT_FILE = "checkpoint.npz"


class CheckpointError(RuntimeError):
    """No usable checkpoint (missing, or written for another case or mesh)."""


def read_checkpoint_state(out_dir: str | Path) -> dict:
    """The loop state saved in ``out_dir``'s checkpoint (step, t, case_hash, …), without
    loading θ (any rank; no MPI).

    Raises:
        CheckpointError: no checkpoint, or one that cannot be read.
    """
    path = Path(out_dir) / CHECKPOINT_FILE
    if not path.exists():
        raise CheckpointError(f"no checkpoint in {out_dir}")
    try:
        with np.load(path) as data:
            if "node" not in data or "theta" not in data:
                raise KeyError("node/theta")
            state = json.loads(str(data["state"]))
    except Exception as exc:  # truncated or not ours: zipfile, KeyError, JSON …
        raise CheckpointError(f"{path} cannot be read ({type(exc).__name__}: {exc})") from None
    if not isinstance(state, dict):
        raise CheckpointError(f"{path} cannot be read (its state is not a mapping)")
    return state
