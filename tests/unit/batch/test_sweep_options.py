"""``chemomech sweep`` refuses options that its executor would ignore (in-process, no run).

A forgotten ``--executor slurm`` used to run the whole grid on the login node, ``--dry-run``
included, and every other SLURM option was dropped without a word.
"""

from __future__ import annotations

import pytest

from chemomech_testing import ROOT
from solver.batch.cli import executor_mismatch
from solver.cli import _parser, main

DEFAULT = ROOT / "cases" / "default.yaml"
VARY = ["--vary", "stop.mean_theta=0.1,0.2"]

#: every option of the SLURM executor, with a value it accepts
SLURM_ONLY = {"--profile": ["site.yaml"], "--time": ["02:00:00"], "--mem": ["4G"],
              "--partition": ["short"], "--account": ["proj"], "--job-name": ["j"],
              "--max-parallel": ["0"], "--launcher": ["srun"], "--srun-mpi": ["pmi2"],
              "--signal-margin": ["60"],
              "--dry-run": [], "--wait": [], "--poll": ["5"], "--wait-timeout": ["60"]}
LOCAL_ONLY = {"--workers": ["1"]}


def sweep(capsys, out, *argv):
    """Run ``chemomech sweep`` in this process: (exit code, stdout, stderr lines)."""
    rc = main(["sweep", str(DEFAULT), *VARY, "--out", str(out), *map(str, argv)])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err.strip().splitlines()


def test_the_lists_hold_every_executor_only_option():
    args = _parser().parse_args(["sweep", "case.yaml", "--out", "o"])
    only = {owner: [flag for _, flag in opts] for owner, opts in args.executor_only.items()}
    assert only == {"slurm": list(SLURM_ONLY), "local": list(LOCAL_ONLY)}


@pytest.mark.parametrize("flag", SLURM_ONLY)
@pytest.mark.parametrize("executor", [[], ["--executor", "local"]])
def test_a_slurm_option_is_refused_by_the_local_executor(capsys, tmp_path, flag, executor):
    out = tmp_path / "sw"
    rc, stdout, err = sweep(capsys, out, *executor, flag, *SLURM_ONLY[flag])
    assert rc == 2 and stdout == ""
    assert err == [f"error: {flag} needs --executor slurm (SLURM option: the local executor "
                   "would ignore it and run every point on this machine)"]
    assert not out.exists()


def test_the_auditors_command_line_runs_nothing(capsys, tmp_path):
    out = tmp_path / "sw"
    rc = main(["sweep", str(ROOT / "cases" / "examples" / "sphere_axisymmetric.yaml"),
               "--vary", "geometry.radius=2 um,3 um", "--set", "stop.mean_theta=0.05",
               "--out", str(out), "--time", "02:00:00", "--mpi-ranks", "2", "--dry-run"])
    captured = capsys.readouterr()
    assert rc == 2 and captured.out == ""
    assert captured.err.strip().splitlines() == [
        "error: --time, --dry-run need --executor slurm (SLURM options: the local executor "
        "would ignore them and run every point on this machine)"]
    assert not out.exists()


@pytest.mark.parametrize("value", ["1", "4"])  # the default value typed in is refused too
def test_workers_is_refused_by_the_slurm_executor(capsys, tmp_path, value):
    out = tmp_path / "sw"
    rc, stdout, err = sweep(capsys, out, "--executor", "slurm", "--dry-run", "--workers", value)
    assert rc == 2 and stdout == ""
    assert err == ["error: --workers needs --executor local (local-executor option: the SLURM "
                   "executor would ignore it)"]
    assert not out.exists()


@pytest.mark.parametrize("argv, line", [
    (["--poll", "1"], "--poll needs --wait (without it the sweep does not wait for its job, "
     "and would ignore it)"),
    (["--dry-run", "--poll", "1", "--wait-timeout", "60"], "--poll, --wait-timeout need "
     "--wait (without it the sweep does not wait for its job, and would ignore them)"),
    (["--dry-run", "--wait"], "--wait and --dry-run: a dry run submits no job to wait for; "
     "drop one of them"),
])
def test_slurm_options_that_this_sweep_would_not_use_are_refused(capsys, tmp_path, argv,
                                                                  line):
    out = tmp_path / "sw"
    rc, stdout, err = sweep(capsys, out, "--executor", "slurm", *argv)
    assert rc == 2 and stdout == ""
    assert err == [f"error: {line}"]
    assert not out.exists()


def test_options_of_both_executors_are_accepted_by_each():
    shared = ["--mpi-ranks", "2", "--resubmit", "--min-free-mb", "1", "--quiet", "--zip",
              "--set", "stop.mean_theta=0.1"]
    for executor in ("local", "slurm"):
        args = _parser().parse_args(["sweep", "case.yaml", "--out", "o", "--executor",
                                     executor, *shared])
        assert executor_mismatch(args) is None
    args = _parser().parse_args(["sweep", "case.yaml", "--out", "o", "--executor", "slurm",
                                 "--wait", "--poll", "1", "--wait-timeout", "600"])
    assert executor_mismatch(args) is None


def test_a_valid_local_sweep_runs(capsys, tmp_path, monkeypatch):
    """--workers and the shared --mpi-ranks reach the local executor (a fake point runner)."""
    import json

    import yaml

    from solver.batch import local
    from solver.outputs.provenance import case_hash

    seen, calls = {}, []
    real = local.run_local

    def runner(point_dir, case_file, results):  # a completed run, without the solver
        calls.append(point_dir.name)
        results.mkdir(parents=True, exist_ok=True)
        case = yaml.safe_load(case_file.read_text())
        (results / "summary.json").write_text(json.dumps(
            {"status": "completed", "case": {"hash": case_hash(case)}}))
        return 0

    def fake_run_local(out, keys, rows, **kw):
        seen.update(kw)
        return real(out, keys, rows, runner=runner, **kw)

    monkeypatch.setattr(local, "run_local", fake_run_local)
    out = tmp_path / "sw"
    rc, stdout, err = sweep(capsys, out, "--workers", "2", "--mpi-ranks", "2", "--min-free-mb",
                            "1")
    assert rc == 0, err
    assert sorted(calls) == ["p000", "p001"]
    assert seen["workers"] == 2 and seen["mpi_ranks"] == 2
    assert "2 completed" in stdout
    rc, _, err = sweep(capsys, out, "--executor", "local")  # default --workers: 1
    assert rc == 0, err
    assert seen["workers"] == 1 and seen["mpi_ranks"] == 1


def test_a_valid_slurm_dry_run_writes_its_script(capsys, tmp_path):
    prof = tmp_path / "site.yaml"
    prof.write_text("account: proj42\n")
    out = tmp_path / "sw"
    rc, stdout, err = sweep(capsys, out, "--executor", "slurm", "--dry-run", "--profile", prof,
                            "--time", "00:05:00", "--mem", "4G", "--partition", "short",
                            "--job-name", "jn", "--max-parallel", "1", "--launcher", "srun",
                            "--srun-mpi", "pmix", "--mpi-ranks", "2", "--resubmit")
    assert rc == 0, err
    script = (out / "slurm" / "sweep.sbatch").read_text()
    for line in ("#SBATCH --array=0-1%1", "#SBATCH --time=00:05:00", "#SBATCH --mem=4G",
                 "#SBATCH --partition=short", "#SBATCH --account=proj42",
                 "#SBATCH --job-name=jn", "#SBATCH --ntasks=2", "srun --mpi=pmix --ntasks=2"):
        assert line in script, line
    assert f"submit it with: sbatch {out / 'slurm' / 'sweep.sbatch'}" in stdout


# ------------------------------------------------------------------ --set against --vary


@pytest.mark.parametrize("sets, line", [
    (["stop.mean_theta=0.3"], "--set stop.mean_theta and --vary stop.mean_theta: the varied "
     "values would replace the fixed one at every point; give the key to one of them"),
    (["stop={mean_theta: 0.3}", "stop.mean_theta=0.3"], "--set stop.mean_theta and --vary "
     "stop.mean_theta: the varied values would replace the fixed one at every point; give the "
     "key to one of them"),
    (["geometry.radius=2 um", "geometry.radius=3 um"], "--set geometry.radius lies inside "
     "--vary geometry: each varied value would replace it at every point; set it in the "
     "varied values instead"),
])
def test_a_set_that_the_grid_overrides_is_refused(capsys, tmp_path, sets, line):
    """Points apply their --vary values after the --set ones: such a --set was lost."""
    out = tmp_path / "sw"
    argv = [a for s in sets for a in ("--set", s)]
    if sets[0].startswith("geometry"):
        argv += ["--vary", "geometry={kind: sphere, mode: axisymmetric, radius: 1 um}"]
    rc, stdout, err = sweep(capsys, out, *argv)
    assert rc == 2 and stdout == ""
    assert err == [f"error: {line}"]
    assert not out.exists()


def test_a_set_of_the_mapping_around_a_varied_key_is_accepted(tmp_path):
    from solver.batch.sweep import build

    sw = build(DEFAULT, ["geometry.radius=2 um,3 um"], tmp_path / "sw",
               sets=["geometry={kind: sphere, mode: axisymmetric}", "output.probes=[]"])
    assert [(c["geometry"]["mode"], c["geometry"]["radius"]) for c in sw.resolved.values()] == [
        ("axisymmetric", pytest.approx(2e-6)), ("axisymmetric", pytest.approx(3e-6))]
    assert not sw.out.exists()
