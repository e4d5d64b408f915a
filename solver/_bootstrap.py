"""The one place that imports ``dolfinx_solver``.

The PyPI wheel ``dolfinx-solver-real`` ships dolfinx with its own PETSc and MPICH
libraries; ``import dolfinx_solver`` puts them on the loader path and must run before
``dolfinx``, ``petsc4py`` or ``mpi4py`` are imported. On HPC sites dolfinx (>= 0.10)
usually comes from conda or spack instead, and the wheel is absent: then this is a no-op.
"""

try:  # pragma: no cover - depends on how dolfinx was installed
    import dolfinx_solver  # noqa: F401

    HAVE_DOLFINX_SOLVER_WHEEL = True
except ImportError:  # pragma: no cover
    HAVE_DOLFINX_SOLVER_WHEEL = False
