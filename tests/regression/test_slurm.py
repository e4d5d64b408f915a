"""A real one-node SLURM on localhost: a 3-point sweep as a job array, waited for, collected.

The fixture installs nothing: it skips when Debian's ``slurm-wlm``/``munge`` programs are
missing or when not root. It writes ``slurm.conf``/``cgroup.conf`` for localhost into a tmp
dir (free ports, state and spool in tmp), starts ``munged`` (own key and socket), then
``slurmctld -D`` and ``slurmd -D`` with ``SLURM_CONF`` pointing at the file, waits until
``sinfo`` shows the node idle, and stops the three daemons by PID afterwards.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from chemomech_testing import ROOT, SLOW_RUN_SETS, chemomech_cmd, set_args

pytestmark = pytest.mark.slurm

DEFAULT = ROOT / "cases" / "default.yaml"
FAST = ["geometry.mode=axisymmetric", "mesh.size=1 um", "mesh.surface_size=null",
        "mesh.cache=false", "stop.mean_theta=0.1", "output.pictures=false", "output.probes=[]"]
TOOLS = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel")


def _find(tool):
    return shutil.which(tool) or next(
        (str(p) for p in (f"/usr/sbin/{tool}", f"/sbin/{tool}") if os.path.exists(p)), None)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs):
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in reversed(procs):
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    missing = [t for t in TOOLS if _find(t) is None]
    if missing:
        pytest.skip(f"SLURM/munge not installed (missing {', '.join(missing)}): "
                    "apt-get install slurm-wlm munge (Debian, root)")
    if os.geteuid() != 0:
        pytest.skip("the one-node SLURM test runs its daemons as root")
    d = tmp_path_factory.mktemp("slurm")
    for sub in ("munge", "state", "spool", "log"):
        (d / sub).mkdir()
    (d / "munge").chmod(0o755)  # munged wants the socket directory searchable by all
    key = d / "munge" / "munge.key"
    made = subprocess.run([_find("mungekey"), "--create", f"--keyfile={key}"],
                          capture_output=True, text=True)
    if made.returncode != 0:  # older munge: 1 KiB of random bytes
        key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    mem_kb = next(int(ln.split()[1]) for ln in open("/proc/meminfo") if ln.startswith("MemTotal"))
    sock = d / "munge" / "munge.socket"
    conf = d / "slurm.conf"
    conf.write_text("\n".join([
        "ClusterName=chemomech-test",
        "SlurmctldHost=localhost",
        f"SlurmctldPort={_free_port()}",
        f"SlurmdPort={_free_port()}",
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        f"AuthInfo=socket={sock}",
        f"StateSaveLocation={d / 'state'}",
        f"SlurmdSpoolDir={d / 'spool'}",
        f"SlurmctldPidFile={d / 'slurmctld.pid'}",
        f"SlurmdPidFile={d / 'slurmd.pid'}",
        f"SlurmctldLogFile={d / 'log' / 'slurmctld.log'}",
        f"SlurmdLogFile={d / 'log' / 'slurmd.log'}",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core",
        "SchedulerType=sched/builtin",
        "ReturnToService=2",
        "MpiDefault=none",
        "AccountingStorageType=accounting_storage/none",
        "JobCompType=jobcomp/none",
        "JobAcctGatherType=jobacct_gather/none",
        f"NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory={int(mem_kb / 1024 * 0.8)} "
        "State=UNKNOWN",
        "PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP",
        "",
    ]))
    (d / "cgroup.conf").write_text("CgroupPlugin=cgroup/v1\n")
    env = {**os.environ, "SLURM_CONF": str(conf)}
    procs: list[subprocess.Popen] = []
    t0 = time.monotonic()

    def start(*cmd, log):
        procs.append(subprocess.Popen(list(map(str, cmd)), stdout=open(d / "log" / log, "w"),
                                      stderr=subprocess.STDOUT, env=env,
                                      stdin=subprocess.DEVNULL))

    def logs():
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}"
                         for p in sorted((d / "log").iterdir()))

    try:
        start(_find("munged"), "-F", "--force", f"--key-file={key}", f"--socket={sock}",
              f"--pid-file={d / 'munge' / 'munged.pid'}", f"--seed-file={d / 'munge' / 'seed'}",
              log="munged.out")
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.1)
        start(_find("slurmctld"), "-D", "-f", conf, log="slurmctld.out")
        start(_find("slurmd"), "-D", "-N", "localhost", "-f", conf, log="slurmd.out")
        sinfo = ""
        for _ in range(60):
            if any(p.poll() is not None for p in procs):
                pytest.fail(f"a SLURM daemon exited at start:\n{logs()}")
            r = subprocess.run([_find("sinfo"), "-h", "-N", "-o", "%N %t"], env=env,
                               capture_output=True, text=True)
            sinfo = r.stdout.strip()
            if sinfo.endswith("idle"):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the node never became idle (sinfo: {sinfo!r}):\n{logs()}")
        print(f"SLURM up in {time.monotonic() - t0:.1f} s")
        yield env, d
    finally:
        _stop(procs)  # by PID, only the daemons started here


def test_sweep_as_job_array(slurm_cluster, tmp_path):
    env, d = slurm_cluster
    out = tmp_path / "sw"
    # --max-parallel 1: one point at a time (one solver process on a shared machine)
    args = [*chemomech_cmd(), "sweep", str(DEFAULT), "--out", str(out), "--executor", "slurm",
            "--wait", "--poll", "1", "--wait-timeout", "600", "--time", "00:10:00",
            "--max-parallel", "1", "--vary", "loading.specific_current=0.1 A/g,0.2 A/g,0.4 A/g"]
    for s in FAST:
        args += ["--set", s]
    no_wait = [a for i, a in enumerate(args) if i not in range(args.index("--wait"),
                                                                args.index("--time"))]

    # submitted on hold (it stays pending): re-running the sweep must not clear the points
    # or submit them again behind the job's back; after scancel, --resubmit does
    prof = tmp_path / "hold.yaml"
    prof.write_text("extra: [--hold]\n")
    held = subprocess.run([*no_wait, "--profile", str(prof)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    assert held.returncode == 0, held.stdout + held.stderr
    job = held.stdout.split("submitted job array ")[1].split()[0]
    again = subprocess.run(no_wait, capture_output=True, text=True, env=env, cwd=ROOT,
                           timeout=300)
    assert again.returncode == 2, again.stdout + again.stderr
    assert again.stderr.strip().splitlines() == [
        f"error: points p000-p002 are submitted as job {job} and not finished; wait for it, "
        f"or cancel it (scancel {job}) and pass --resubmit"]
    with open(out / "sweep.csv", newline="") as fh:
        assert [r["error"] for r in csv.DictReader(fh)] == [f"job {job}"] * 3
    assert (out / "slurm" / "jobs.txt").read_text().count("\n") == 1
    subprocess.run([_find("scancel"), job], env=env, check=True, timeout=60)

    t0 = time.monotonic()
    p = subprocess.run([*args, "--resubmit"], capture_output=True, text=True, env=env,
                       cwd=ROOT, timeout=900)
    wall = time.monotonic() - t0
    assert p.returncode == 0, p.stdout + p.stderr
    assert "submitted job array" in p.stdout
    script = (out / "slurm" / "sweep.sbatch").read_text()
    assert "#SBATCH --array=0-2%1" in script and "#SBATCH --time=00:10:00" in script
    with open(out / "sweep.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["status"] for r in rows] == ["completed"] * 3, rows
    logs = sorted((out / "logs").glob("*_*.out"))
    assert len(logs) == 3
    assert "exit code 0" in logs[0].read_text()

    c = subprocess.run([*chemomech_cmd(), "collect", str(out)], capture_output=True,
                       text=True, env=env, cwd=ROOT, timeout=300)
    assert c.returncode == 0, c.stderr
    assert "3 completed" in c.stdout
    with open(out / "collect.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [r["status"] for r in table] == ["completed"] * 3
    peaks = [float(r["peak: core: max Von Mises stress [Pa]"]) for r in table]
    assert peaks[0] < peaks[1] < peaks[2]
    assert (out / "collect_loading.specific_current.png").exists()

    # a script SLURM rejects (unknown partition): one clear line, exit 1, nothing lost
    r = subprocess.run([*args[:args.index("--wait")], "--partition", "nosuch",
                        "--vary", "stop.mean_theta=0.1"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    print(f"3-point array sweep: {wall:.1f} s")
    assert r.returncode != 0
    # (another sweep into the same directory is refused before reaching sbatch)
    assert len(r.stderr.strip().splitlines()) == 1
    with open(out / "sweep.csv", newline="") as fh:
        assert [row["status"] for row in csv.DictReader(fh)] == ["completed"] * 3
    r = subprocess.run([*chemomech_cmd(), "sweep", str(DEFAULT), "--out", str(tmp_path / "sw2"),
                        "--executor", "slurm", "--partition", "nosuch",
                        "--vary", "stop.mean_theta=0.1,0.2"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: sbatch rejected the job script")
    assert "partition" in lines[0]


def test_two_rank_point_runs_as_one_mpi_run_under_srun(slurm_cluster, tmp_path):
    """--mpi-ranks 2 with the default srun launcher: the script runs srun --mpi=pmi2, and the
    point is one run on 2 ranks (summary.json: mpi_size 2). Without an MPI plugin (--srun-mpi
    default; this slurm.conf has MpiDefault=none) srun starts 2 serial copies: chemomech run
    refuses, in one line, and the point is failed with that line."""

    env, d = slurm_cluster

    def sweep(out, *extra):
        args = [*chemomech_cmd(), "sweep", str(DEFAULT), "--out", str(out), "--executor",
                "slurm", "--wait", "--poll", "1", "--wait-timeout", "600", "--time",
                "00:10:00", "--mpi-ranks", "2", "--vary", "loading.specific_current=0.2 A/g",
                *extra]
        for s in FAST:
            args += ["--set", s]
        return subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT,
                              timeout=900)

    p = sweep(tmp_path / "pmi2")
    assert p.returncode == 0, p.stdout + p.stderr
    script = (tmp_path / "pmi2" / "slurm" / "sweep.sbatch").read_text()
    assert "srun --mpi=pmi2 --ntasks=2 " in script and "#SBATCH --ntasks=2" in script
    summary = json.loads((tmp_path / "pmi2" / "points" / "p000" / "results" /
                          "summary.json").read_text())
    assert summary["status"] == "completed" and summary["mpi_size"] == 2, summary

    p = sweep(tmp_path / "none", "--srun-mpi", "default")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "srun --ntasks=2 " in (tmp_path / "none" / "slurm" / "sweep.sbatch").read_text()
    with open(tmp_path / "none" / "sweep.csv", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["status"] == "failed"
    assert "2 tasks but MPI sees 1 rank" in row["error"], row
    err = (tmp_path / "none" / "points" / "p000" / "run.err").read_text()
    assert err.count("MPI sees 1 rank") == 1, err  # said once, not by each copy
    assert not (tmp_path / "none" / "points" / "p000" / "results").exists()  # before meshing


def test_time_limit_warning_and_blanks_in_the_path(slurm_cluster, tmp_path):
    """A sweep folder with a blank in its path (quoted in the #SBATCH lines, else sbatch cuts
    the log path there), and the time-limit warning: ``scancel --batch --signal=USR1`` sends
    the batch shell what ``#SBATCH --signal=B:USR1@margin`` sends before the limit. The run
    stops after its step with a checkpoint, the point is failed (interrupted), and running
    the sweep again resumes it to completion."""
    env, d = slurm_cluster
    out = tmp_path / "my sweeps" / "slow one"
    args = [*chemomech_cmd(), "sweep", str(DEFAULT), "--out", str(out), "--executor", "slurm",
            "--time", "00:10:00", "--vary", "loading.specific_current=0.1 A/g"]
    args += set_args([*(s for s in FAST if not s.startswith("stop.")), *SLOW_RUN_SETS])
    p = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    job = p.stdout.split("submitted job array ")[1].split()[0]
    assert "#SBATCH --signal=B:USR1@180" in (out / "slurm" / "sweep.sbatch").read_text()
    point = out / "points" / "p000"
    deadline = time.time() + 300
    while True:
        try:
            if (point / "results" / "history.csv").read_text().count("\n") > 10:
                break
        except OSError:
            pass
        assert time.time() < deadline, "the point never ran"
        time.sleep(0.1)
    subprocess.run([_find("scancel"), "--batch", "--signal=USR1", f"{job}_0"], env=env,
                   check=True, timeout=60)
    while subprocess.run([_find("squeue"), "-h", "-j", job], env=env, capture_output=True,
                         text=True).stdout.strip():
        assert time.time() < deadline, "the job did not end"
        time.sleep(0.5)
    assert (point / "exit_code").read_text().strip() == "1"
    assert json.loads((point / "results" / "summary.json").read_text())["status"] == \
        "interrupted"
    logs = list((out / "logs").glob("*_0.out"))
    assert len(logs) == 1, list(out.rglob("*.out"))
    assert "the time limit is near" in logs[0].read_text()

    again = subprocess.run([*args, "--wait", "--poll", "1", "--wait-timeout", "600"],
                           capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "p000: resuming from step" in again.stdout
    assert json.loads((point / "results" / "summary.json").read_text())["status"] == \
        "completed"
