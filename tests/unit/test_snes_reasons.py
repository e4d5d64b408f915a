"""The words of a failed Newton solve's SNES reason match PETSc's codes: the table had -8 as
'residual grew beyond the divergence tolerance' (PETSc: DIVERGED_LOCAL_MIN) and no words
for -9 (DIVERGED_DTOL), which two-way monolithic runs at high current meet: their warnings
said 'SNES reason -9' alone."""

from __future__ import annotations

from solver import _bootstrap  # noqa: F401
from petsc4py import PETSc  # noqa: E402


def test_snes_reason_words_match_petsc_codes():
    from solver.physics.diffusion import snes_reason

    R = PETSc.SNES.ConvergedReason
    assert "divergence tolerance" in snes_reason(R.DIVERGED_DTOL)
    assert "local minimum" in snes_reason(R.DIVERGED_LOCAL_MIN)
    assert "line search" in snes_reason(R.DIVERGED_LINE_SEARCH)
    assert "linear solve" in snes_reason(R.DIVERGED_LINEAR_SOLVE)
    assert "iteration limit" in snes_reason(R.DIVERGED_MAX_IT)
    assert "Jacobian domain" in snes_reason(R.DIVERGED_JACOBIAN_DOMAIN)
    assert snes_reason(-4) == "SNES reason -4 (residual NaN or inf)"
