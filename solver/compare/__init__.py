"""Comparisons with published results: reference files and ``chemomech compare``.

- :mod:`solver.compare.reference` — the reference-file schema and loader;
- :mod:`solver.compare.results` — reading a results folder, evaluating ``at``;
- :mod:`solver.compare.evaluate` — our values beside the reported ones, ratios, orderings;
- :mod:`solver.compare.runs` — running or reusing each configuration;
- :mod:`solver.compare.figures` — the figures (history, radial_profile, section);
- :mod:`solver.compare.writers` — comparison.md / .csv / .json;
- :mod:`solver.compare.report` — ``docs/reproductions.md`` (``make reproduce``).

Nothing here knows about any paper: the reference file says what is compared.
"""

__all__ = ["compare", "load_reference"]


def __getattr__(name: str):
    # lazy: ``solver/cli.py`` imports solver.compare.cli for every command
    if name == "compare":
        from solver.compare.core import compare

        return compare
    if name == "load_reference":
        from solver.compare.reference import load_reference

        return load_reference
    raise AttributeError(name)
