"""summary.json is standard JSON: the Li balance error of a row with a held surface θ
(potentiostatic, CV hold) is NaN in history.csv and was written as a bare ``NaN`` token,
which strict JSON readers (JavaScript's JSON.parse, Python with parse_constant raising)
refuse for the whole file. Non-finite values are now null, as in comparison.json."""

from __future__ import annotations

import json
import math

import numpy as np


def _strict(text: str):
    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")
    return json.loads(text, parse_constant=refuse)


def test_non_finite_values_are_written_as_null(tmp_path):
    from solver.outputs.provenance import write_json

    data = {"status": "completed",
            "final": {"Li balance error [-]": math.nan, "time [s]": 5000.0, "step": 3},
            "peak": {"x": np.float64(-np.inf), "y": np.float64(2.5)},
            "theta_bounds": [np.float64(0.0), math.inf], "flag": True, "path": tmp_path}
    path = tmp_path / "summary.json"
    write_json(path, data)
    back = _strict(path.read_text())
    assert back["final"] == {"Li balance error [-]": None, "time [s]": 5000.0, "step": 3}
    assert back["peak"] == {"x": None, "y": 2.5}
    assert back["theta_bounds"] == [0.0, None]
    assert back["flag"] is True and back["status"] == "completed"
    assert back["path"] == str(tmp_path)
