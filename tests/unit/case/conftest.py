"""Shared fixtures for the case-schema tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).parent
REFERENCE = HERE / "reference.yaml"


@pytest.fixture
def reference_path() -> Path:
    """Path of the valid reference case (Si particle, 0.1 A/g)."""
    return REFERENCE


@pytest.fixture
def reference_data() -> dict[str, Any]:
    """A fresh raw dict of the reference case."""
    return copy.deepcopy(yaml.safe_load(REFERENCE.read_text(encoding="utf-8")))
