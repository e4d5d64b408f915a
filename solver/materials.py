"""Material laws in SI: from the validated case to functions of θ (DESIGN §3).

A :class:`MaterialLaw` holds SI floats and small functions ``θ ↦ UFL expression`` for the
diffusivity D(θ) (m²/s), Young's modulus E(θ) (Pa) and Poisson's ratio ν(θ). Properties that
are linear in θ are evaluated at θ clipped to [0, 1] so a Newton iterate that overshoots
slightly cannot produce a negative modulus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ufl

from solver.case.units import GAS_CONSTANT

#: m²/s: transport of Li through an inactive layer when its case gives no law (assumption)
INERT_TRANSPORT_D = 1e-12

#: |y| beyond which tanh(y) is ±1 in double precision (tanh(19) == 1.0)
TANH_CLIP = 20.0


def _clip01(theta):
    return ufl.max_value(0.0, ufl.min_value(1.0, theta))


def property_law(spec, const: Callable = float) -> tuple[Callable, bool]:
    """Return ``(f(θ), depends_on_theta)`` for a constant-or-linear property model (its
    values at θ = 0 and 1, ``spec.ends()``, joined linearly; θ clipped to [0, 1]).
    ``const``: turns each value into what the UFL holds (a number, or a Constant: see
    :func:`constants_on`)."""
    a, b = spec.ends()
    if a == b:
        c = const(a)
        return (lambda theta: c), False
    ca, cb = const(a), const(b)
    return (lambda theta: ca + (cb - ca) * _clip01(theta)), True


def diffusivity_law(spec, const: Callable = float) -> Callable:
    """Return D(θ) in m²/s for a diffusivity model of the case schema.

    Kinds: ``constant`` D; ``exponential`` d0·exp(m θ); ``two_phase`` smooth step
    D_p + (D_r − D_p)·½[1 + tanh((θ − θ*)/w)]; ``regular_solution`` d0[1/(1−θ) − 2αθ] with θ
    capped at ``theta_max`` (< 1). ``const`` as in :func:`property_law`.
    """
    kind = spec.kind
    if kind == "constant":
        value = const(float(spec.value))
        return lambda theta: value
    if kind == "exponential":
        d0, m = const(float(spec.d0)), const(float(spec.exponent))
        return lambda theta: d0 * ufl.exp(m * theta)
    if kind == "two_phase":
        dp, dr = const(float(spec.pristine)), const(float(spec.lithiated))
        ts, w = const(float(spec.theta_star)), const(float(spec.width))
        # tanh's argument clipped to ±TANH_CLIP, where tanh is ±1 in double precision: D is
        # unchanged, but UFL's derivative of tanh(y), (2 cosh y / (cosh 2y + 1))², is
        # inf/inf = NaN once |y| > 710 (a sharp step far from θ*: width 1e-3, θ = 0, θ* = 0.8)
        def d_two_phase(theta):
            y = ufl.max_value(-TANH_CLIP, ufl.min_value(TANH_CLIP, (theta - ts) / w))
            return dp + (dr - dp) * 0.5 * (1.0 + ufl.tanh(y))

        return d_two_phase
    if kind == "regular_solution":
        d0, alpha = const(float(spec.d0)), const(float(spec.alpha))
        tmax = const(float(spec.theta_max))

        def d_regular(theta):
            t = ufl.min_value(theta, tmax)
            return d0 * (1.0 / (1.0 - t) - 2.0 * alpha * t)

        return d_regular
    raise ValueError(f"unknown diffusivity kind {kind!r}")


@dataclass(frozen=True)
class MaterialLaw:
    """One material in SI units.

    Attributes:
        name: region name the material is assigned to.
        density: kg/m³ (unlithiated).
        c_max: mol/m³ at θ = 1, referred to the unlithiated volume.
        beta_v: volume expansion ΔV/V at θ = 1 (dimensionless).
        swelling_law: ``linear`` or ``cube_root``.
        theta_ref: stress-free lithiation fraction.
        D: θ ↦ diffusivity (m²/s).
        E: θ ↦ Young's modulus (Pa).
        nu: θ ↦ Poisson's ratio.
        elastic_depends_on_theta: True when E or ν vary with θ (the stiffness matrix must be
            re-assembled every step).
        active: False for a material that stores no Li (c_max = 0, no swelling); its ``D``
            is then the transport of Li through it, without storage.
    """

    name: str
    density: float
    c_max: float
    beta_v: float
    swelling_law: str
    theta_ref: float
    D: Callable
    E: Callable
    nu: Callable
    elastic_depends_on_theta: bool
    active: bool = True


def constants_on(mesh) -> Callable:
    """A ``const`` for :func:`material_law`: each number as a dolfinx Constant on ``mesh``.
    A form holding numbers is JIT-compiled anew for every value; with Constants the forms of
    a case compile once for all its materials' values (a parameter sweep, the test suite)."""
    import dolfinx
    from petsc4py import PETSc

    return lambda value: dolfinx.fem.Constant(mesh, PETSc.ScalarType(value))


def material_law(name: str, spec, const: Callable = float) -> MaterialLaw:
    """Build a :class:`MaterialLaw` from a validated ``Material`` of the case schema.
    ``const`` as in :func:`property_law` (for the laws of θ; the other fields are numbers)."""
    E, e_var = property_law(spec.youngs_modulus, const)
    nu, nu_var = property_law(spec.poissons_ratio, const)
    if spec.diffusivity is not None:
        D = diffusivity_law(spec.diffusivity, const)
    else:  # inactive material without a transport law: fast compared with Si (assumed)
        D = diffusivity_law(type("Default", (), {"kind": "constant", "value": INERT_TRANSPORT_D}),
                            const)
    return MaterialLaw(
        name=name,
        density=float(spec.density),
        c_max=float(spec.c_max_si),
        beta_v=float(spec.beta_v),
        swelling_law=spec.swelling_law,
        theta_ref=float(spec.reference_theta),
        D=D,
        E=E,
        nu=nu,
        elastic_depends_on_theta=e_var or nu_var,
        active=bool(getattr(spec, "active", True)),
    )


class MaterialFields:
    """Piecewise material properties over the regions of a domain, as UFL of θ.

    With one region the laws are used directly; with several, each law is multiplied by the
    region's DG0 indicator and summed, so one expression serves forms and exported stresses.

    Args:
        domain: :class:`solver.domain.Domain`.
        laws: region name → :class:`MaterialLaw` (every region must have one).
    """

    def __init__(self, domain, laws: dict[str, MaterialLaw]):
        import dolfinx

        missing = sorted(set(domain.regions) - set(laws))
        if missing:
            raise ValueError(f"regions without a material: {', '.join(missing)}")
        self.laws = laws
        self._const = constants_on(domain.mesh)
        #: each law's numbers as Constants (see constants_on)
        self._k = {name: {key: self._const(getattr(law, key))
                          for key in ("c_max", "density", "beta_v", "theta_ref")}
                   for name, law in laws.items()}
        self._temperature = {}  # K → its Constant
        self._indicators = {}
        if len(laws) > 1:
            Q = dolfinx.fem.functionspace(domain.mesh, ("DG", 0))
            for name in laws:
                chi = dolfinx.fem.Function(Q)
                chi.x.array[domain.cells(name)] = 1.0
                chi.x.scatter_forward()
                self._indicators[name] = chi
        self.transport_c_max = self._transport_c_max(domain)
        self._transport_c = self._const(self.transport_c_max)

    def _transport_c_max(self, domain) -> float:
        """The concentration scale of Li crossing an inactive region (mol/m³): the c_max of
        the active material, or with several the volume mean of their c_max over the active
        regions. Inactive regions do not count, so the permeability of an inert coating does
        not change with its own thickness (nor with that of other inert parts)."""
        import dolfinx
        from mpi4py import MPI

        active = {n: law for n, law in self.laws.items() if law.active}
        values = {law.c_max for law in active.values()}
        if len(values) <= 1:
            return values.pop() if values else 1.0  # 1.0: nothing stores Li, no transport
        w = domain.coords.weight
        vol = {n: domain.comm.allreduce(dolfinx.fem.assemble_scalar(dolfinx.fem.form(
            w * domain.dx_region(n))), op=MPI.SUM) for n in active}
        return sum(law.c_max * vol[n] for n, law in active.items()) / sum(vol.values())

    def _combine(self, pick):
        if not self._indicators:
            return pick(next(iter(self.laws.values())))
        return sum(self._indicators[n] * pick(law) for n, law in self.laws.items())

    def _combine_k(self, pick):
        """As :meth:`_combine`, ``pick(law, constants)`` given the law's Constants too."""
        return self._combine(lambda law: pick(law, self._k[law.name]))

    @property
    def elastic_depends_on_theta(self) -> bool:
        return any(law.elastic_depends_on_theta for law in self.laws.values())

    def D(self, theta):
        return self._combine(lambda law: law.D(theta))

    def E(self, theta):
        return self._combine(lambda law: law.E(theta))

    def nu(self, theta):
        return self._combine(lambda law: law.nu(theta))

    def c_max(self):
        """Li concentration at θ = 1 (mol/m³); 0 in inactive regions."""
        return self._combine_k(lambda law, k: k["c_max"] if law.active else 0.0)

    def density(self):
        return self._combine_k(lambda law, k: k["density"])

    def active_density(self):
        """Density of the Li-storing (active) material, 0 elsewhere (kg/m³): the mass that a
        specific current (A/g) refers to."""
        return self._combine_k(lambda law, k: k["density"] if law.active else 0.0)

    def mobility(self, theta):
        """``c_max D(θ)`` (mol m⁻¹ s⁻¹) in active regions; in inactive ones
        ``transport_c_max · D``: Li crosses them like a diffusing species that is not stored,
        at the concentration θ · transport_c_max (that of the active material at the same θ)."""
        return self._combine_k(
            lambda law, k: (k["c_max"] if law.active else self._transport_c) * law.D(theta))

    def stress_mobility(self, theta, temperature: float):
        """Coefficient of the stress-driven flux ``c_max D Ω θ / (R T)`` with ``Ω = β_V / c_max``
        (mol m⁻¹ s⁻¹ Pa⁻¹; J_σ = +coef ∇σ_h, toward tension), 0 in inactive regions.

        With the cube-root swelling law Ω is taken as the same β_V / c_max (the partial molar
        volume at small θ)."""
        if temperature not in self._temperature:
            self._temperature[temperature] = self._const(temperature)
        T = self._temperature[temperature]
        return self._combine_k(
            lambda law, k: (law.D(theta) * k["beta_v"] * theta / (GAS_CONSTANT * T))
            if law.active else 0.0)

    def stress_coupled_regions(self) -> list[str]:
        """Regions with a stress-driven flux (active and swelling)."""
        return [n for n, law in self.laws.items() if law.active and law.beta_v != 0.0]

    def eps_ch(self, theta):
        from solver.physics.constitutive import chemical_strain

        return self._combine_k(
            lambda law, k: chemical_strain(theta, k["beta_v"], k["theta_ref"], law.swelling_law)
        )
