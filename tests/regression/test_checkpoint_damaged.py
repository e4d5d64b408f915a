"""A checkpoint that still unzips but whose contents a restart cannot use (edited, or of a
tool that wrote something else) is refused with one line naming it, before anything of the
folder changes. θ of the wrong length ended in an IndexError traceback, non-finite θ in a
time-step failure that advised lowering dt_min, a state without its step in a KeyError
about history.csv."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from chemomech_testing import signal_after_step, sphere_case


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    from solver import build_simulation, load_case_dict
    from solver.interrupts import RunInterrupted

    case = sphere_case(mode="axisymmetric", radius=2e-6, size=0.5e-6)
    case["loading"] = {"kind": "galvanostatic", "specific_current": "1 A/g",
                       "surfaces": ["outer_surface"]}
    case["stop"] = {"mean_theta": 0.2}
    case["output"].update(pictures=False)
    out = tmp_path_factory.mktemp("damaged") / "run"
    sim = build_simulation(load_case_dict(case, source="<damaged>"), out_dir=out, quiet=True)
    signal_after_step(sim, 3)  # stopped as by a time limit: a checkpoint of step 3
    with pytest.raises(RunInterrupted):
        sim.run()
    return case, out


def _edit(path, change):
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    change(arrays)
    np.savez(path, **arrays)


def _nan(a):
    a["theta"] = a["theta"].copy()
    a["theta"][3] = np.nan


def _state_without_step(a):
    state = json.loads(str(a["state"]))
    del state["step"]
    a["state"] = np.array(json.dumps(state))


@pytest.mark.parametrize("change, why", [
    (lambda a: a.update(theta=a["theta"][:-5]), "node keys but θ of shape"),
    (_nan, "θ has non-finite values"),
    (_state_without_step, "its state lacks step"),
])
def test_a_damaged_checkpoint_is_refused_with_its_reason(interrupted, tmp_path, change, why):
    from solver import build_simulation, load_case_dict
    from solver.outputs.checkpoint import CheckpointError

    case, done = interrupted
    out = tmp_path / "run"
    shutil.copytree(done, out)
    _edit(out / "checkpoint.npz", change)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    sim = build_simulation(load_case_dict(case, source="<damaged>"), out_dir=out, quiet=True)
    with pytest.raises(CheckpointError) as info:
        sim.run(restart=True)
    assert f"{out / 'checkpoint.npz'} cannot be read" in str(info.value)
    assert why in str(info.value)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
