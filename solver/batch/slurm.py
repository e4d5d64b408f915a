"""SLURM executor: one job-array task per sweep point.

The script (``DIR/slurm/sweep.sbatch``) carries ``#SBATCH`` directives for the array, job
name, time, tasks (= MPI ranks), memory, partition, account and the log files
(``DIR/logs/%A_%a.out``); its body maps ``SLURM_ARRAY_TASK_ID`` to a point directory (the
points not yet completed, in manifest order) and runs ``chemomech run --resume`` there —
under ``srun --mpi=pmi2`` (``srun_mpi``) when a point has more than one rank: srun without an
MPI plugin would start that many separate serial copies of the run. Options come from the
command line or a site profile (YAML with the same keys; the command line wins).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from solver.batch.sweep import SweepError, clear_attempt, write_manifest

__all__ = ["SlurmOptions", "load_profile", "refresh_after", "submit", "wait", "write_script"]


@dataclass
class SlurmOptions:
    """``#SBATCH`` settings and how a task runs its point.

    Attributes:
        time: wall-time limit per point (``--time``, e.g. ``"01:00:00"``).
        ranks: MPI ranks per point (``--ntasks``).
        mem: memory per node (``--mem``, e.g. ``"4G"``).
        partition, account: ``--partition``, ``--account``.
        job_name: ``--job-name`` (default ``chemomech-<sweep dir name>``).
        max_parallel: at most this many tasks at once (``--array=0-N%K``).
        launcher: ``srun`` or ``mpiexec`` (for ranks > 1).
        srun_mpi: the MPI plugin of ``srun`` for ranks > 1 (``srun --mpi=…``): ``pmi2``
            (works with the MPICH of the pip wheel), ``pmix``, … (``srun --mpi=list``);
            ``default`` passes no ``--mpi`` (the site's ``MpiDefault`` of slurm.conf).
        setup: shell lines run before the point (``module load …``, ``source venv``).
        extra: further ``#SBATCH`` options, verbatim (``"--qos=short"``).
        signal_margin: seconds before the time limit at which SLURM warns the batch shell
            (``--signal=B:USR1@…``), which then asks the run to stop after its step with a
            checkpoint; 0: no warning (the run then has only SLURM's KillWait, 30 s by
            default, between the SIGTERM of the time limit and the SIGKILL).
    """

    time: str | None = None
    ranks: int = 1
    mem: str | None = None
    partition: str | None = None
    account: str | None = None
    job_name: str | None = None
    max_parallel: int | None = None
    launcher: str = "srun"
    srun_mpi: str = "pmi2"
    setup: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    signal_margin: int = 180


def load_profile(path: str | Path) -> dict:
    """Read a site profile (YAML mapping with the keys of :class:`SlurmOptions`).

    Raises:
        SweepError: unreadable file, not a mapping, an unknown key.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SweepError(f"{path}: cannot read the SLURM profile: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SweepError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    data = data or {}
    if not isinstance(data, dict):
        raise SweepError(f"{path}: a SLURM profile must be a mapping of options")
    allowed = [f.name for f in fields(SlurmOptions)]
    problems = [f"{path}: {k}: unknown profile key (allowed: {', '.join(allowed)})"
                for k in data if k not in allowed]
    for key in ("setup", "extra"):
        if isinstance(data.get(key), str):
            data[key] = [data[key]]
    if problems:
        raise SweepError(problems)
    return data


def make_options(profile: dict | None = None, **cli) -> SlurmOptions:
    """Options from a profile overridden by the command-line values that are not None."""
    merged = dict(profile or {})
    merged.update({k: v for k, v in cli.items() if v is not None})
    opts = SlurmOptions(**merged)
    try:
        opts.ranks = int(opts.ranks)
    except (TypeError, ValueError):
        raise SweepError(f"ranks: expected an integer, got {opts.ranks!r}") from None
    if opts.ranks < 1:
        raise SweepError(f"ranks: must be >= 1, got {opts.ranks}")
    if opts.launcher not in ("srun", "mpiexec"):
        raise SweepError(f"launcher: expected srun or mpiexec, got {opts.launcher!r}")
    if not isinstance(opts.srun_mpi, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", opts.srun_mpi):
        raise SweepError(f"srun_mpi (--srun-mpi): expected an srun MPI plugin name (pmi2, "
                         f"pmix, … see srun --mpi=list; default: no --mpi), got "
                         f"{opts.srun_mpi!r}")
    if opts.time is not None and not isinstance(opts.time, str):
        t = opts.time
        if isinstance(t, int) and not isinstance(t, bool) and t >= 60:
            # YAML 1.1 reads an unquoted 2:00:00 as the base-60 integer 7200; which of
            # 2:00:00 (seconds) or 120:00 it was cannot be told, so refuse and show both
            hms = f"{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}"
            raise SweepError(f"time: got the number {t}, not a string (YAML reads an unquoted "
                             f"{hms} as {t}, in base 60); quote it: time: \"{hms}\" (or "
                             f"time: \"{t}\" for {t} minutes)")
        raise SweepError(f"time: got {t!r}, not a string; quote it, e.g. time: \"02:00:00\"")
    margin = opts.signal_margin
    if (isinstance(margin, bool) or not isinstance(margin, (int, float))
            or not float(margin).is_integer() or not 0 <= margin <= 65535):
        raise SweepError(f"signal_margin (--signal-margin): expected whole seconds from 0 to "
                         f"65535 (sbatch --signal), got {margin!r}")
    opts.signal_margin = int(margin)
    limit = _seconds(opts.time) if opts.time else None
    if limit is not None and opts.signal_margin and opts.signal_margin >= limit:
        raise SweepError(f"signal_margin (--signal-margin): {opts.signal_margin} s is not "
                         f"shorter than the time limit {opts.time} ({limit} s): every point "
                         f"would be told to stop at its start; give a smaller margin (0: none)")
    if opts.max_parallel is not None:
        mp = opts.max_parallel
        try:
            if isinstance(mp, bool) or (isinstance(mp, float) and not mp.is_integer()):
                raise ValueError
            opts.max_parallel = int(mp)
        except (TypeError, ValueError):
            raise SweepError(f"max_parallel (--max-parallel): expected an integer, got "
                             f"{mp!r}") from None
        if opts.max_parallel < 1:
            raise SweepError(f"max_parallel (--max-parallel): must be >= 1, got "
                             f"{opts.max_parallel}")
    return opts


def write_script(out: Path, rows: list[dict[str, str]], opts: SlurmOptions,
                 workdir: Path | None = None) -> Path:
    """Write ``out/slurm/sweep.sbatch`` for the given manifest rows (one array task each)."""
    out = Path(out).resolve()
    if not rows:
        raise SweepError("no points to submit")
    (out / "slurm").mkdir(parents=True, exist_ok=True)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    n = len(rows)
    array = f"0-{n - 1}" + (f"%{opts.max_parallel}" if opts.max_parallel else "")
    directives = [
        f"--job-name={_sbatch_value(opts.job_name or 'chemomech-' + out.name)}",
        f"--array={array}",
        f"--ntasks={opts.ranks}",
        f"--output={_sbatch_value(str(out / 'logs' / '%A_%a.out'))}",
    ]
    if opts.signal_margin:
        directives.append(f"--signal=B:USR1@{opts.signal_margin}")
    if opts.time:
        directives.append(f"--time={opts.time}")
    if opts.mem:
        directives.append(f"--mem={opts.mem}")
    if opts.partition:
        directives.append(f"--partition={opts.partition}")
    if opts.account:
        directives.append(f"--account={opts.account}")
    directives += [str(x) for x in opts.extra]
    from solver.batch.local import code_root, point_python

    py = " ".join(shlex.quote(x) for x in point_python())  # the sweep's own code (PYTHONPATH)
    # --resume: a point stopped by the time limit (SIGTERM: a checkpoint) continues from its
    # checkpoint when the sweep is run again; a checkpoint of another case is not used
    run = f"{py} run \"$P/case.yaml\" --out \"$P/results\" --quiet --resume"
    if opts.ranks > 1:
        if opts.launcher == "srun":
            mpi = "" if opts.srun_mpi == "default" else f"--mpi={opts.srun_mpi} "
            run = f"srun {mpi}--ntasks={opts.ranks} {run}"
        else:
            mpiexec = Path(sys.executable).parent / "mpiexec"
            exe = str(mpiexec) if mpiexec.exists() else "mpiexec"
            run = f"{shlex.quote(exe)} -n {opts.ranks} {run}"
    points = "\n".join(f"  {shlex.quote(str(out / 'points' / r['point']))}" for r in rows)
    lines = ["#!/bin/bash", f"# chemomech sweep {out}: {n} point(s), one array task each"]
    lines += [f"#SBATCH {d}" for d in directives]
    lines += [
        "",
        "set -u",
        *[str(s) for s in opts.setup],
        f"cd {shlex.quote(str(Path(workdir or Path.cwd()).resolve()))}",
        "export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}",
        f"export PYTHONPATH={shlex.quote(str(code_root()))}${{PYTHONPATH:+:$PYTHONPATH}}",
        "POINTS=(",
        points,
        ")",
        'P="${POINTS[$SLURM_ARRAY_TASK_ID]}"',
        'echo "chemomech: point $(basename "$P") (task $SLURM_ARRAY_TASK_ID of job '
        '$SLURM_ARRAY_JOB_ID) on $(hostname) at $(date -Is)"',
        'rm -f "$P/exit_code" "$P/run.err" "$P/results/summary.json"',
        # SIGTERM (a time limit, scancel) reaches the run too, which stops after its step
        # with a checkpoint; without a trap it killed this shell at once, and the point's
        # exit_code, its run.err in the job log and the last line below were lost
        "trap 'echo \"chemomech: SIGTERM: the run stops after its step with a checkpoint\"' "
        "TERM",
        # USR1 (--signal=B:USR1@margin: only this shell gets it) is passed on as the SIGTERM
        # that stops the run after its step; SLURM's own SIGTERM at the limit would come
        # too late for a step longer than KillWait. The run goes in the background so that
        # the shell can take the signal while it waits.
        "pid=",
        "trap 'echo \"chemomech: the time limit is near: the run stops after its step with "
        "a checkpoint\"; kill -TERM \"$pid\" 2>/dev/null' USR1",
        f'{run} 2> "$P/run.err" &',
        "pid=$!",
        # wait returns early when a trap runs: wait again until the run has ended
        'while :; do wait "$pid"; rc=$?; kill -0 "$pid" 2>/dev/null || break; done',
        'wait "$pid"; rc=$?',
        'echo "$rc" > "$P/exit_code"',
        'cat "$P/run.err" >&2',
        'echo "chemomech: point $(basename "$P") exit code $rc at $(date -Is)"',
        "exit $rc",
        "",
    ]
    script = out / "slurm" / "sweep.sbatch"
    script.write_text("\n".join(lines))
    script.chmod(0o755)
    return script


def _seconds(limit: str) -> int | None:
    """A ``--time`` value in seconds (SLURM's forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S);
    None when it is not one of them (sbatch then judges it)."""
    m = re.fullmatch(r"\s*(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?\s*", str(limit))
    if m is None:
        return None
    days, a, b, c = (int(x) if x is not None else None for x in m.groups())
    if days is not None:  # D-H[:M[:S]]
        return ((days * 24 + a) * 60 + (b or 0)) * 60 + (c or 0)
    if c is not None:  # H:M:S
        return (a * 60 + b) * 60 + c
    return a * 60 + (b or 0)  # M or M:S


def _sbatch_value(value: str) -> str:
    """A directive's value as sbatch reads it from a ``#SBATCH`` line: in double quotes when
    it holds white space (else sbatch ends the value at the first blank)."""
    if not re.search(r"\s", value):
        return value
    if '"' in value:
        raise SweepError(f"cannot write {value!r} into an #SBATCH line (a double quote and a "
                         "blank in one value)")
    return f'"{value}"'


def _need(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise SweepError(f"SLURM is not installed here: '{tool}' not found on PATH "
                         "(use --dry-run to only write the job script)", 1)
    return exe


def check_installed() -> None:
    """Raise a one-line :class:`SweepError` when ``sbatch`` is missing."""
    _need("sbatch")


def submit(script: Path) -> str:
    """``sbatch --parsable script`` → the job id.

    Raises:
        SweepError (code 1): sbatch missing or rejecting the script (its stderr, one line).
    """
    sbatch = _need("sbatch")
    try:
        proc = subprocess.run([sbatch, "--parsable", str(script)], capture_output=True,
                              text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise SweepError("sbatch did not answer within 120 s (is slurmctld running?)", 1) from None
    if proc.returncode != 0:
        msg = " ".join(ln.strip() for ln in proc.stderr.splitlines() if ln.strip())
        raise SweepError(f"sbatch rejected the job script {script}: "
                         f"{msg or f'exit code {proc.returncode}'}", 1)
    job = proc.stdout.strip().splitlines()[-1].split(";")[0] if proc.stdout.strip() else ""
    if not job:
        raise SweepError(f"sbatch printed no job id for {script}", 1)
    return job


#: seconds between squeue polls of ``chemomech sweep --wait`` when --poll is not given
POLL_SECONDS = 5.0


def wait(job: str, poll: float = POLL_SECONDS, timeout: float | None = None,
         progress=None) -> None:
    """Block until no task of the job is pending or running (``squeue -h -j JOB``).

    Raises:
        SweepError (code 1): squeue missing, or the timeout passed.
    """
    squeue = _need("squeue")
    t0 = time.monotonic()
    last = None
    while True:
        proc = subprocess.run([squeue, "-h", "-j", job, "-o", "%i %T"], capture_output=True,
                              text=True, timeout=60)
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        if proc.returncode != 0 and "Invalid job id" not in proc.stderr:
            raise SweepError(f"squeue failed: {proc.stderr.strip() or proc.returncode}", 1)
        if not lines:
            return
        if progress is not None:
            states: dict[str, int] = {}
            for ln in lines:
                st = ln.split()[-1]
                states[st] = states.get(st, 0) + 1
            text = ", ".join(f"{n} {s.lower()}" for s, n in sorted(states.items()))
            if text != last:
                progress(f"job {job}: {text}")
                last = text
        if timeout is not None and time.monotonic() - t0 > timeout:
            raise SweepError(f"job {job} still queued or running after {timeout:g} s "
                             f"(it goes on; collect later with chemomech collect)", 1)
        time.sleep(poll)


def mark_submitted(out: Path, keys: list[str], rows: list[dict[str, str]],
                   todo: list[dict[str, str]], job: str) -> None:
    """Record the submission in the manifest and in ``DIR/slurm/jobs.txt`` (the points'
    earlier traces were cleared before submission: see :func:`clear_points`)."""
    for row in todo:
        row["status"], row["error"] = "submitted", f"job {job}"
    write_manifest(out, keys, rows)
    with open(Path(out) / "slurm" / "jobs.txt", "a") as fh:
        fh.write(f"{job} {time.strftime('%Y-%m-%dT%H:%M:%S')} "
                 f"{' '.join(r['point'] for r in todo)}\n")


def clear_points(out: Path, todo: list[dict[str, str]]) -> None:
    """Remove earlier attempts' traces of the points about to be submitted."""
    for row in todo:
        clear_attempt(Path(out) / "points" / row["point"])


def refresh_after(out: Path, keys: list[str], rows: list[dict[str, str]]) -> list[dict]:
    """After the array: statuses from each point's summary.json; no trace → failed."""
    from solver.batch.sweep import refresh

    rows = refresh(out, keys, rows)
    changed = False
    for row in rows:
        if row["status"] in ("submitted", "running"):
            row["status"] = "failed"
            row["error"] = (f"{row['error']}: ended without results (see "
                            f"{Path(out) / 'logs'})").lstrip(": ")
            changed = True
    if changed:
        write_manifest(out, keys, rows)
    return rows
