"""chemomech: chemo-mechanical stress in lithiating battery-anode particles.

Python entry points (the CLI uses the same path)::

    from solver import load_case, build_simulation
    case = load_case("cases/default.yaml", overrides=["geometry.mode=axisymmetric"])
    result = build_simulation(case).run()

``load_case`` needs no dolfinx; ``build_simulation`` imports it on first use.
"""

from solver.case import CaseError, load_case, load_case_dict

__all__ = ["CaseError", "load_case", "load_case_dict", "build_simulation", "Simulation"]


def build_simulation(case, comm=None, out_dir=None, quiet=False):
    """Build a :class:`solver.simulation.Simulation` (mesh, spaces, forms, solvers)."""
    from solver import _bootstrap  # noqa: F401
    from mpi4py import MPI

    from solver.simulation import Simulation

    return Simulation(case, comm or MPI.COMM_WORLD, out_dir=out_dir, quiet=quiet)


def __getattr__(name):
    if name == "Simulation":
        from solver.simulation import Simulation

        return Simulation
    raise AttributeError(name)
