"""Batch work: parameter sweeps (local or SLURM job arrays) and collecting their results.

``chemomech sweep``, ``chemomech collect``, ``chemomech plot`` and ``chemomech paraview`` are
registered by :func:`solver.batch.cli.add_subcommands`.
"""
