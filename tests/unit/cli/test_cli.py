"""The ``chemomech`` command: sub-commands, exit codes (0 ok, 2 invalid case, 1 runtime)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from chemomech_testing import ROOT, chemomech_cmd

DEFAULT = ROOT / "cases" / "default.yaml"


def cli(*args, cwd=None, timeout=600):
    return subprocess.run([*chemomech_cmd(), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=timeout)


def test_validate_prints_resolved_case_in_si():
    p = cli("validate", DEFAULT)
    assert p.returncode == 0, p.stderr
    data = yaml.safe_load(p.stdout)
    assert data["geometry"]["radius"] == 4e-6
    assert data["loading"]["specific_current"] == 100.0  # 0.1 A/g in A/kg


def test_validate_applies_overrides():
    p = cli("validate", DEFAULT, "--set", "geometry.radius=5 um", "--set", "geometry.mode=axisymmetric")
    assert p.returncode == 0, p.stderr
    data = yaml.safe_load(p.stdout)
    assert data["geometry"]["radius"] == pytest.approx(5e-6, rel=1e-12)
    assert data["geometry"]["mode"] == "axisymmetric"


def test_schema_template_is_a_valid_case(tmp_path):
    p = cli("schema")
    assert p.returncode == 0
    assert "[m]" in p.stdout and "radius" in p.stdout
    f = tmp_path / "template.yaml"
    f.write_text(p.stdout)
    assert cli("validate", f).returncode == 0


def test_invalid_case_exits_2_with_one_line_per_problem(tmp_path):
    bad = yaml.safe_load(DEFAULT.read_text())
    bad["geometry"]["radius"] = "5 GPa"
    bad["materials"]["core"]["poissons_ratio"] = 0.5
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(bad))
    p = cli("run", f, "--out", tmp_path / "out")
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert "geometry.radius" in p.stderr and "poissons_ratio" in p.stderr
    assert not (tmp_path / "out").exists()


def test_missing_file_exits_2(tmp_path):
    p = cli("run", tmp_path / "nope.yaml")
    assert p.returncode == 2
    assert "not found" in p.stderr and "Traceback" not in p.stderr


def _failing_case(tmp_path: Path) -> Path:
    """A case whose Newton solve cannot converge within one iteration at dt_min."""
    data = yaml.safe_load(DEFAULT.read_text())
    data["geometry"]["mode"] = "axisymmetric"
    data["mesh"] = {"size": "1 um", "cache": False}
    data["output"]["probes"] = []
    data["output"]["pictures"] = False
    data["time"].update({"dt_initial": "100 s", "dt_min": "100 s"})
    data["solver"] = {"newton_max_iterations": 1}
    f = tmp_path / "fails.yaml"
    f.write_text(yaml.safe_dump(data))
    return f


def test_solver_failure_exits_1_and_keeps_outputs(tmp_path):
    p = cli("run", _failing_case(tmp_path), "--out", tmp_path / "out")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "dt_min" in p.stderr and "Traceback" not in p.stderr
    # meshing and set-up are announced before they start (minutes on a large 3D mesh)
    assert p.stdout.index("meshing the sphere particle") < p.stdout.index("setting up the solvers")
    summary = yaml.safe_load((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "failed"
    assert (tmp_path / "out" / "history.csv").read_text().count("\n") == 2  # header + t = 0


def test_mesh_command_writes_mesh_and_picture(tmp_path):
    p = cli("mesh", DEFAULT, "--out", tmp_path, "--png", "--set", "mesh.size=1 um",
            "--set", "mesh.surface_size=null", "--set", "mesh.cache=false")
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "mesh.xdmf").exists() and (tmp_path / "mesh.msh").exists()
    assert (tmp_path / "mesh.png").stat().st_size > 10_000
    assert "outer_surface" in p.stdout


def test_mesh_command_into_a_file_exits_1_in_one_line(tmp_path):
    (tmp_path / "afile").write_text("")
    p = cli("mesh", DEFAULT, "--out", tmp_path / "afile", "--set", "mesh.size=1 um")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "cannot write to" in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert "unused" not in p.stderr  # no list of PETSc options after the error


def test_python_dash_m_solver_help():
    p = cli("--help")
    assert p.returncode == 0 and "run" in p.stdout


def test_version_names_chemomech_and_the_libraries_a_result_depends_on():
    """What a bug report needs: the installed chemomech's version and dolfinx's, PETSc's and
    Gmsh's, as summary.json records them."""
    from importlib import metadata

    p = cli("--version")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0] == f"chemomech {metadata.version('chemomech')}"
    names = {line.split()[0] for line in lines[1:]}
    assert {"python", "dolfinx", "petsc4py", "gmsh", "mpi4py"} <= names, names


@pytest.mark.mpi
def test_version_under_mpiexec_prints_once():
    """Under ``mpiexec -n 2`` each rank printed the whole list, interleaved."""
    from chemomech_testing import mpiexec

    exe = mpiexec()
    if exe is None:
        pytest.skip("no mpiexec")
    p = subprocess.run([exe, "-n", "2", *chemomech_cmd(), "--version"], capture_output=True,
                       text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("chemomech ") == 1 and p.stdout.count("dolfinx ") == 1, p.stdout


def test_mesh_png_is_a_cross_section_of_every_region(tmp_path):
    """A multi-region case: the mesh keeps its region tags and quality statistics."""
    import json

    case = ROOT / "cases" / "examples" / "core_shell.yaml"
    p = cli("mesh", case, "--out", tmp_path, "--png", "--set", "mesh.cache=false")
    assert p.returncode == 0, p.stderr
    info = json.loads((tmp_path / "mesh.json").read_text())
    assert set(info["regions"]) == {"core", "coating_1"}
    assert "interface_core_coating_1" not in info["boundaries"]
    assert 0.0 < info["statistics"]["min_quality"] <= info["statistics"]["mean_quality"] <= 1.0
    assert (tmp_path / "mesh.png").stat().st_size > 10_000


# ------------------------------------------------------------------ srun without an MPI plugin

_SRUN_STEP = {"SLURM_JOB_ID": "7", "SLURM_STEP_ID": "0", "SLURM_STEPID": "0",
              "SLURM_STEP_NUM_TASKS": "2", "SLURM_NTASKS": "2"}


@pytest.mark.parametrize("env, size, refused", [
    (_SRUN_STEP, 1, True),  # srun -n 2 without --mpi: two serial copies
    ({k: v for k, v in _SRUN_STEP.items() if k != "SLURM_STEP_NUM_TASKS"}, 1, True),
    ({"SLURM_STEPID": "3", "SLURM_NTASKS": "4"}, 1, True),  # older SLURM: SLURM_STEPID only
    (_SRUN_STEP, 2, False),  # srun --mpi=pmi2 -n 2: one run of 2 ranks
    ({**_SRUN_STEP, "SLURM_STEP_NUM_TASKS": "1", "SLURM_NTASKS": "1"}, 1, False),  # srun -n 1
    # the batch script of sbatch --ntasks=2 (and salloc's shell): no step id, a serial run
    ({"SLURM_JOB_ID": "7", "SLURM_NTASKS": "2", "SLURM_PROCID": "0"}, 1, False),
    ({}, 1, False),  # no SLURM at all
    # a batch step that names or numbers itself (SLURM_BATCH_SCRIPT = 0xfffffffb, ...)
    ({"SLURM_STEP_ID": "batch", "SLURM_NTASKS": "2"}, 1, False),
    ({"SLURM_STEP_ID": "4294967291", "SLURM_NTASKS": "2"}, 1, False),
])
def test_slurm_step_problem(env, size, refused):
    from solver.cli import slurm_step_problem

    problem = slurm_step_problem(env, size)
    assert (problem is not None) == refused, problem
    if refused:
        assert problem.startswith("error: ") and "\n" not in problem
        assert "MPI sees 1 rank" in problem and "srun --mpi=pmi2" in problem
        assert "mpiexec" in problem


def _env_without_slurm(**extra):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "PMI_"))}
    return {**env, **extra}


@pytest.mark.parametrize("procid", ["0", "1"])
def test_run_as_a_serial_copy_of_an_srun_step_is_refused_before_meshing(tmp_path, procid):
    """The environment of one task of ``srun -n 2`` without an MPI plugin: exit 1 before
    meshing (no results folder); only task 0 prints the line, so the job log has it once."""
    env = _env_without_slurm(**_SRUN_STEP, SLURM_PROCID=procid)
    p = subprocess.run([*chemomech_cmd(), "run", str(DEFAULT), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert p.returncode == 1, p.stdout + p.stderr
    assert not (tmp_path / "out").exists()
    assert "meshing" not in p.stdout
    lines = p.stderr.strip().splitlines()
    if procid == "0":
        assert len(lines) == 1, p.stderr
        assert "2 tasks but MPI sees 1 rank" in lines[0] and "srun --mpi=pmi2" in lines[0]
        assert "--launcher mpiexec" in lines[0]
    else:
        assert lines == [], p.stderr


def test_serial_run_in_an_allocation_is_not_refused(tmp_path):
    """``chemomech run`` in the batch script of ``sbatch --ntasks=2`` (not under srun: no
    step id) is a normal serial run."""
    env = _env_without_slurm(SLURM_JOB_ID="7", SLURM_NTASKS="2", SLURM_PROCID="0")
    p = subprocess.run([*chemomech_cmd(), "run", str(DEFAULT), "--out", str(tmp_path / "out"),
                        "--quiet", "--set", "geometry.mode=axisymmetric",
                        "--set", "mesh.size=1 um", "--set", "mesh.surface_size=null",
                        "--set", "mesh.cache=false", "--set", "output.probes=[]",
                        "--set", "output.pictures=false", "--set", "stop.max_steps=2"],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (tmp_path / "out" / "summary.json").exists()


def test_a_run_stops_when_the_sweep_that_started_it_is_gone(monkeypatch):
    """A local sweep killed with SIGKILL cannot stop its point runs; they went on
    unattended, and the next run of the sweep found their folders locked. A run started by a
    sweep (CHEMOMECH_SWEEP_PID) stops as on SIGTERM once that process is gone."""
    import subprocess
    import time

    from solver import interrupts

    gone = subprocess.Popen(["true"])
    gone.wait()
    monkeypatch.setattr(interrupts, "PARENT_POLL_S", 0.05)
    monkeypatch.setenv(interrupts.PARENT_PID_VARIABLE, str(gone.pid))
    with interrupts.stop_on_signals(announce=False) as request:
        deadline = time.monotonic() + 5.0
        while request.signum is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert request.signum == interrupts.signal.SIGTERM
    monkeypatch.setenv(interrupts.PARENT_PID_VARIABLE, str(os.getpid()))  # alive
    with interrupts.stop_on_signals(announce=False) as request:
        time.sleep(0.3)
        assert request.signum is None


def test_a_second_signal_does_not_cut_the_closing_of_the_results_short():
    """A double Ctrl-C left no summary.json when the second came while the run was writing
    it; while the run closes its files a further signal is only noted."""
    import signal

    from solver.interrupts import StopRequest

    request = StopRequest(announce=False)
    request._handler(signal.SIGINT, None)
    with pytest.raises(KeyboardInterrupt):
        request._handler(signal.SIGINT, None)  # stepping: the second stops at once
    request.shielded = True
    request._handler(signal.SIGINT, None)  # closing: noted, no exception
    assert request.signum == signal.SIGINT


def test_an_argument_that_is_not_utf8_is_one_error_line():
    """--set with bytes that are not UTF-8 ended in a yaml ReaderError traceback, and such
    a case path in a TypeError from the logging."""
    for argv in ([*chemomech_cmd(), "validate", str(ROOT / "cases" / "default.yaml"),
                  "--set", b"title=\xff\xfe"], [*chemomech_cmd(), "run", b"n\xffu.yaml"]):
        p = subprocess.run(argv, capture_output=True, timeout=120)
        assert p.returncode == 2
        err = p.stderr.decode("utf-8", "replace")
        assert "not valid UTF-8" in err and "Traceback" not in err, err


def test_an_interrupted_run_exits_1(tmp_path):
    """A run stopped by a signal (here: as on SIGTERM, because the sweep named by
    CHEMOMECH_SWEEP_PID is gone) has not finished: exit 1, so that a batch script or a
    sweep does not take it for a completed run, with no traceback and how to continue."""
    import json

    from solver import interrupts

    gone = subprocess.Popen(["true"])
    gone.wait()
    out = tmp_path / "out"
    p = subprocess.run(
        [*chemomech_cmd(), "run", str(DEFAULT), "--out", str(out), "--quiet",
         "--set", "output.pictures=false", "--set", "mesh.cache=false", "--set", "mesh.size=1 um"],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, interrupts.PARENT_PID_VARIABLE: str(gone.pid)})
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Traceback" not in p.stderr and "--restart" in p.stderr, p.stderr
    assert json.loads((out / "summary.json").read_text())["status"] == "interrupted"


@pytest.mark.parametrize(("error", "code", "words"), [
    ("setup", 2, "invalid case"),  # found only once the mesh is built (a probe in a pore)
    ("disk", 1, "cannot write the results"),  # a write failing mid-run
    ("ctrl_c", 1, "interrupted"),  # a second Ctrl-C, or one during the set-up
], ids=["case_setup_error", "os_error", "keyboard_interrupt"])
def test_exit_code_of_each_kind_of_failure(tmp_path, monkeypatch, capsys, error, code, words):
    """The documented exit codes (0 ok, 1 runtime, 2 invalid input) of the failures that
    are hard to bring about for real in a unit test: the run itself is replaced."""
    import errno

    import solver
    from solver import cli
    from solver.simulation import CaseSetupError

    raised = {"setup": CaseSetupError("output.probes.0.point (p: [0, 0, 0] m): not inside "
                                      "the meshed particle"),
              "disk": OSError(errno.ENOSPC, "No space left on device", "out/history.csv"),
              "ctrl_c": KeyboardInterrupt()}[error]

    def build_simulation(*args, **kwargs):
        raise raised

    monkeypatch.setattr(solver, "build_simulation", build_simulation)
    rc = cli.main(["run", str(DEFAULT), "--quiet", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == code, err
    assert words in err and "Traceback" not in err, err


@pytest.mark.parametrize("command", [["sweep", "case.yaml", "--vary", "a=1,2", "--out", "o"],
                                     ["collect", "d"], ["plot", "d"], ["paraview", "d"],
                                     ["compare", "--reference", "r.yaml"]])
def test_serial_commands_refuse_an_mpi_launcher(monkeypatch, capsys, tmp_path, command):
    """`mpiexec -n 2 chemomech sweep …` ran the whole sweep once per rank (every point then
    failed, inheriting the rank's MPI environment); collect, plot and paraview wrote the same
    files from every rank. They refuse in one line (rank 0's) before doing anything."""
    from solver.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMI_SIZE", "2")
    monkeypatch.setenv("PMI_RANK", "0")
    assert main(command) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "run it without mpiexec" in err[0], err
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_the_libraries_load_prints_no_traceback(monkeypatch, capsys):
    """Ctrl-C in the first seconds (dolfinx and PETSc loading) printed a 40-line
    KeyboardInterrupt traceback; `python -m solver` now says 'interrupted', exit 130."""
    import runpy

    import solver.cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(solver.cli, "main", interrupted)
    with pytest.raises(SystemExit) as info:
        runpy.run_module("solver", run_name="__main__")
    assert info.value.code == 130
    assert capsys.readouterr().err == "interrupted\n"
