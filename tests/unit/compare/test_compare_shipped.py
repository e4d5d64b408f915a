"""Every shipped reference file (cases/*/reference.yaml) is a valid reference whose columns
the configurations' case files write (fast: no run)."""

from __future__ import annotations

import pytest

from chemomech_testing import ROOT

REFERENCES = sorted((ROOT / "cases").glob("*/reference.yaml"))


@pytest.mark.parametrize("path", REFERENCES, ids=[p.parent.name for p in REFERENCES])
def test_shipped_reference_is_valid(path):
    from solver.compare.core import precheck
    from solver.compare.reference import load_reference

    ref = load_reference(path)
    precheck(ref, list(ref.configurations), [])
