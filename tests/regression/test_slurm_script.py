"""The SLURM job script's signal handling, run here by bash without SLURM (the job's
environment set by hand), since a real time limit cannot be waited for in a test.

- At the time limit SLURM sends SIGTERM to every process of the job, the batch shell too:
  without a trap the shell died at once and the point's exit_code, its run.err in the job log
  and the last log line were lost (the run itself stopped with a checkpoint).
- SIGKILL follows KillWait (30 s by default) later, too soon for a long step; the script asks
  for ``--signal=B:USR1@margin``, which SLURM sends to the batch shell alone, and passes it on
  to the run as the SIGTERM that stops it after its step with a checkpoint.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from chemomech_testing import ROOT, SLOW_RUN_SETS
from solver.batch import slurm
from solver.batch.sweep import build, prepare

DEFAULT = ROOT / "cases" / "default.yaml"
SLOW_RUN = ["geometry.mode=axisymmetric", "mesh.size=1 um", "mesh.surface_size=null",
            "mesh.cache=false", "output.pictures=false", "output.probes=[]", *SLOW_RUN_SETS]


def _run_task(tmp_path, deliver):
    """Write the script of a one-point sweep, run it as array task 0 and, once the run has
    recorded some steps, ``deliver(shell_process)`` a signal. Returns (point dir, log)."""
    sw = build(DEFAULT, ["loading.specific_current=0.1 A/g"], tmp_path / "sw", sets=SLOW_RUN)
    rows = prepare(sw)
    script = slurm.write_script(sw.out, rows, slurm.make_options(None, time="00:30:00"))
    text = script.read_text()
    assert "#SBATCH --signal=B:USR1@180" in text
    point = sw.out / "points" / rows[0]["point"]
    env = {**os.environ, "SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_JOB_ID": "7"}
    proc = subprocess.Popen(["bash", str(script)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    history = point / "results" / "history.csv"
    deadline = time.time() + 300
    while True:
        assert proc.poll() is None and time.time() < deadline, proc.communicate()[0]
        try:
            if history.read_text().count("\n") > 10:
                break
        except OSError:
            pass
        time.sleep(0.05)
    deliver(proc)
    log, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, log
    return point, log


def _stopped_with_a_checkpoint(point, log):
    assert (point / "exit_code").read_text().strip() == "1"
    summary = json.loads((point / "results" / "summary.json").read_text())
    assert summary["status"] == "interrupted", summary
    assert (point / "results" / "checkpoint.npz").exists()
    assert "chemomech: point p000 exit code 1" in log
    assert "checkpoint written" in (point / "run.err").read_text()


@pytest.mark.parametrize("who", ["group", "shell"])
def test_sigterm_to_the_job_stops_the_run_with_a_checkpoint(tmp_path, who):
    """SIGTERM to the whole job (time limit, scancel): the run checkpoints and the shell
    records its exit code. SIGTERM to the shell alone must not stop the run at all."""
    if who == "group":
        point, log = _run_task(tmp_path, lambda p: os.killpg(p.pid, signal.SIGTERM))
        assert "chemomech: SIGTERM" in log
        _stopped_with_a_checkpoint(point, log)
    else:
        with pytest.raises(AssertionError):  # the run goes on and completes (exit 0)
            _run_task(tmp_path, lambda p: p.send_signal(signal.SIGTERM))
        point = tmp_path / "sw" / "points" / "p000"
        assert (point / "exit_code").read_text().strip() == "0"


def test_the_time_limit_warning_reaches_the_run(tmp_path):
    """USR1 to the batch shell alone (what --signal=B:USR1@margin sends): the shell passes it
    on and the run stops after its step with a checkpoint."""
    point, log = _run_task(tmp_path, lambda p: p.send_signal(signal.SIGUSR1))
    assert "chemomech: the time limit is near" in log
    _stopped_with_a_checkpoint(point, log)


def test_signal_margin_is_checked_against_the_time_limit():
    assert slurm.make_options(None, time="2-00:00:00").signal_margin == 180
    assert slurm.make_options(None, time="4", signal_margin=0).signal_margin == 0
    with pytest.raises(slurm.SweepError, match=r"180 s is not shorter than the time limit "
                                               r"00:03:00 \(180 s\)"):
        slurm.make_options(None, time="00:03:00")
    for bad in (-1, 1.5, "x", True, 70000):
        with pytest.raises(slurm.SweepError, match="signal_margin"):
            slurm.make_options(None, signal_margin=bad)


def test_blanks_in_sbatch_values_are_quoted(tmp_path):
    sw = build(DEFAULT, ["stop.mean_theta=0.2,0.4"], tmp_path / "my sweeps" / "run 1")
    text = slurm.write_script(sw.out, prepare(sw), slurm.make_options(None)).read_text()
    assert '#SBATCH --job-name="chemomech-run 1"' in text
    assert f'#SBATCH --output="{sw.out.resolve() / "logs" / "%A_%a.out"}"' in text
    assert subprocess.run(["bash", "-n", "-c", text]).returncode == 0
