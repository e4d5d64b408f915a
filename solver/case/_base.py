"""Base classes shared by every schema model (kept apart so geometry kinds can live in
their own modules without import cycles)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    """Base of all schema models: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)


def _kind(description: str) -> Any:
    return Field(description=f"selects this variant: {description}")
