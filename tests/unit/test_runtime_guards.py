"""A run that computes NaN/inf, or a solver that fails inside PETSc, ends with one line and
exit 1; a case without swelling runs. Small axisymmetric meshes: a few seconds in all."""

from __future__ import annotations

import json
import math

import pytest

from chemomech_testing import ROOT, run_case, sphere_case

PRESCRIBED = {"kind": "prescribed", "profile": {"kind": "uniform", "theta": 0.5}}


def _small(**sections):
    return sphere_case(mode="axisymmetric", radius=4e-6, size=1e-6, loading=PRESCRIBED,
                       **sections)


def test_no_swelling_anywhere_runs_stress_free(tmp_path):
    """volume_expansion: 0 made UFL drop the whole swelling load, and assembling the empty
    form raised IndexError (vector::_M_range_check) in the first mechanics solve."""
    case = _small()
    case["materials"]["core"]["volume_expansion"] = 0.0
    _, result = run_case(case, tmp_path)
    row = result.history[-1]
    assert result.status == "completed"
    assert row["core: max Von Mises stress [Pa]"] == pytest.approx(0.0, abs=1e-6)
