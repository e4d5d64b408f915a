"""Case files: schema (pydantic + pint), loading, errors, template and reference.

Example:
    >>> from solver.case import load_case
    >>> case = load_case("cases/si_particle.yaml", overrides=["geometry.radius=2 um"])
    >>> case.geometry.radius
    2e-06
"""

from solver.case.errors import CaseError, Problem
from solver.case.loader import load_case, load_case_dict
from solver.case.schema import Case
from solver.case.template import schema_markdown, schema_template, update_readme

__all__ = [
    "Case",
    "CaseError",
    "Problem",
    "load_case",
    "load_case_dict",
    "schema_markdown",
    "schema_template",
    "update_readme",
]
