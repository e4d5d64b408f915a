"""Fields that change no result (solver/outputs/provenance.py RESULT_NEUTRAL: where meshes
are cached, how often a checkpoint is written) stay out of the case hash: a run stopped by
its batch system may be restarted with more frequent checkpoints, or on a node whose
$XDG_CACHE_HOME differs, and it still repeats the uninterrupted run; case.resolved.yaml does
not pin this machine's cache directory."""

from __future__ import annotations

import signal

import pytest
import yaml

from chemomech_testing import assert_same_history, front_case, signal_after_step


def _case(**changes) -> dict:
    case = front_case({"dt_initial": 5.0, "max_dtheta": 0.1}, radius=2e-6)
    case["geometry"]["mode"] = "axisymmetric"
    case["stop"] = {"mean_theta": 0.05}
    case["output"] = {"pictures": False, "formats": ["vtk"], "checkpoint_every": 2,
                      "checkpoint_minutes": None}
    for key, value in changes.items():
        section, field = key.split("__")
        case.setdefault(section, {})[field] = value
    return case


def _simulation(case, out):
    from solver import build_simulation, load_case_dict

    return build_simulation(load_case_dict(case, source="<neutral>"), out_dir=out, quiet=True)


def test_the_hash_leaves_out_only_the_neutral_fields():
    from solver import load_case_dict
    from solver.outputs.provenance import case_hash

    def digest(case):
        return case_hash(load_case_dict(case, source="<neutral>").resolved())

    base = digest(_case())
    assert digest(_case(mesh__cache_dir="/elsewhere", mesh__cache=False,
                        output__checkpoint_every=7, output__checkpoint_minutes=1.0,
                        output__directory="/elsewhere")) == base
    assert digest(_case(output__history_every=2)) != base
    assert digest(_case(mesh__size=0.4e-6)) != base


def test_a_restart_may_change_the_checkpoints_and_the_mesh_cache(tmp_path):
    from solver.interrupts import RunInterrupted

    full = _simulation(_case(mesh__cache_dir=str(tmp_path / "cache_a")), tmp_path / "full")
    expected = full.run().history
    sim = _simulation(_case(mesh__cache_dir=str(tmp_path / "cache_a")), tmp_path / "run")
    signal_after_step(sim, 3, signal.SIGINT)
    with pytest.raises(RunInterrupted):
        sim.run()
    resolved = yaml.safe_load((tmp_path / "run" / "case.resolved.yaml").read_text())
    assert resolved["mesh"]["cache_dir"] == str(tmp_path / "cache_a")  # as the case gave it

    restarted = _simulation(_case(mesh__cache_dir=str(tmp_path / "cache_b"),
                                  output__checkpoint_every=5, output__checkpoint_minutes=1.0),
                            tmp_path / "run").run(restart=True)
    assert restarted.status == "completed"
    assert len(expected) > 5
    assert_same_history(expected, restarted.history, 1e-12, ("wall time [s]",))


def test_the_resolved_case_does_not_pin_the_default_cache_directory():
    from solver import load_case_dict

    case = _case()
    case["mesh"].pop("cache_dir", None)
    assert load_case_dict(case, source="<neutral>").resolved()["mesh"]["cache_dir"] is None
