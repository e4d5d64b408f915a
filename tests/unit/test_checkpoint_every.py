"""``output.checkpoint_every``: a checkpoint after every N-th accepted step (the last step
ends the run and writes none). One small axisymmetric galvanostatic run, no field output."""

from __future__ import annotations

import pytest

from chemomech_testing import run_case, sphere_case


@pytest.mark.parametrize("every, expected", [(1, [1, 2, 3, 4, 5]), (2, [2, 4])])
def test_checkpoints_are_written_every_n_steps(tmp_path, monkeypatch, every, expected):
    from solver.outputs import checkpoint

    written = []
    write = checkpoint.write

    def record(out, theta, state, *args, **kw):
        written.append(state["step"])
        return write(out, theta, state, *args, **kw)

    monkeypatch.setattr(checkpoint, "write", record)
    case = sphere_case(mode="axisymmetric", radius=1e-6, size=0.5e-6,
                       loading={"kind": "galvanostatic", "specific_current": 1000.0,
                                "surfaces": ["outer_surface"]},
                       stop={"max_steps": 6, "mean_theta": 0.9},
                       time={"dt_initial": 1.0, "output_every": None},
                       output={"pictures": False, "formats": ["xdmf"], "checkpoint_every": every,
                               "checkpoint_minutes": None})
    _, result = run_case(case, tmp_path)
    assert result.history[-1]["step"] == 6
    # steps 1..5 continue the run; step 6 (stop.max_steps) ends it without a checkpoint
    assert written == expected
    assert (tmp_path / checkpoint.FILENAME).exists()
