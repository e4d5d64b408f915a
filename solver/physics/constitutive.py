"""Constitutive laws as small functions of UFL objects (DESIGN §3).

They serve both the weak forms and the exported stresses, so what is solved is what is shown.
All inputs and outputs are in SI units (Pa, dimensionless strain and θ).
"""

from __future__ import annotations

import ufl


def lame_parameters(E, nu):
    """Lamé parameters ``(λ, μ)`` in Pa from Young's modulus E (Pa) and Poisson's ratio ν."""
    mu = E / (2.0 * (1.0 + nu))
    lmbda = E * nu / ((1.0 + nu) * (1.0 - 2.0 * nu))
    return lmbda, mu


def chemical_strain(theta, beta_v: float, theta_ref: float, law: str):
    """Isotropic swelling strain magnitude (dimensionless; the tensor is this times I).

    Args:
        theta: lithiation fraction θ = c / c_max.
        beta_v: volume expansion at θ = 1, β_V = Ω c_max (e.g. 2.8 for Si → Li15Si4).
        theta_ref: stress-free lithiation fraction.
        law: ``linear`` (Vegard, β_V (θ − θ_ref)/3) or ``cube_root``
            ((1 + β_V θ)^⅓ − (1 + β_V θ_ref)^⅓, the exact isotropic stretch minus one).
    """
    if law == "linear":
        return beta_v * (theta - theta_ref) / 3.0
    if law == "cube_root":
        return (1.0 + beta_v * theta) ** (1.0 / 3.0) - (1.0 + beta_v * theta_ref) ** (1.0 / 3.0)
    raise ValueError(f"unknown swelling law {law!r}")


def stress(eps, eps_ch, E, nu, identity):
    """Linear-elastic stress (Pa): ``σ = λ tr(ε_e) I + 2 μ ε_e`` with ``ε_e = ε − ε_ch I``."""
    lmbda, mu = lame_parameters(E, nu)
    eps_e = eps - eps_ch * identity
    return lmbda * ufl.tr(eps_e) * identity + 2.0 * mu * eps_e

