"""Errors raised for invalid case files.

Every problem with user input (a missing file, bad YAML, a value of the wrong dimension, an
inconsistent combination of settings) ends up in one :class:`CaseError` that lists all the
problems found, one per line, as ``file: dotted.path: message``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CaseError", "FieldProblems", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One problem found in a case.

    Attributes:
        file: The case file (or ``"<dict>"``, or the override source).
        path: Dotted path of the offending field, e.g. ``"materials.core.density"``; empty
            for problems with the whole file.
        message: What was expected and what was given.
    """

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        """Format as ``file: path: message`` (``file: message`` without a path)."""
        if self.path:
            return f"{self.file}: {self.path}: {self.message}"
        return f"{self.file}: {self.message}"


class CaseError(Exception):
    """A case file (or dict) is invalid.

    Attributes:
        problems: Every problem found, in the order found.
    """

    def __init__(self, problems: list[Problem]) -> None:
        """Create the error from a non-empty list of problems."""
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        """One line per problem."""
        return "\n".join(str(p) for p in self.problems)

    @property
    def paths(self) -> list[str]:
        """Dotted paths of all problems (handy in tests)."""
        return [p.path for p in self.problems]


class FieldProblems(ValueError):
    """Cross-field problems raised from inside a pydantic validator.

    Pydantic reports a ``ValueError`` raised in a model validator at the location of the
    model; the loader unpacks this subclass so that each problem points at its own field,
    relative to that model.

    Attributes:
        problems: ``(relative dotted path, message)`` pairs.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        """Create from ``(relative dotted path, message)`` pairs."""
        self.problems = list(problems)
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in self.problems))
