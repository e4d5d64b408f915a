"""Build and run a chemo-mechanical simulation from a validated case (DESIGN §2).

Stages, each in its own module: domain (mesh + tags) → materials → diffusion problem →
mechanics problem → derived quantities → outputs; then the time loop. The case (pydantic)
stops here: the physics modules receive SI floats and UFL objects.
"""

from __future__ import annotations

import math
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from solver import _bootstrap  # noqa: F401

import dolfinx
import ufl
from mpi4py import MPI

import meshes
from meshes.tags import SYMMETRY_NAMES
from solver.case.units import FARADAY
from solver.domain import build_domain
from solver.interrupts import RunInterrupted, stop_on_signals
from solver.log import Reporter
from solver.materials import MaterialFields, constants_on, material_law
from solver.outputs.fields import XDMF_WORK_SUFFIX, FieldOutput
from solver.outputs import checkpoint
from solver.outputs.history import HistoryWriter, read_history
# PICTURED_FIELDS: drawn in png/; a checkpoint keeps them for the peak frame, so that a
# restarted run still draws the peak of the frames written before it
from solver.outputs.pictures import AT_PEAK, PICTURED_FIELDS, draws_peak, max_von_mises
from solver.outputs.run_dir import (  # noqa: F401  (the errors: imported from here too)
    MIN_FREE_MB,
    OutputDirError,
    ResultsFolder,
    blocked_path_problem,
    describe_write_error,
)
from solver.outputs.provenance import (
    case_hash,
    continuation_hash,
    peak_memory_mb,
    versions,
    write_json,
    write_resolved_case,
)
from solver.physics.diffusion import (NEWTON_STOL, DiffusionProblem, NewtonDivergence,
                                      describe_linear_solver)
from solver.physics.mechanics import MechanicsProblem
from solver.physics.hydrostatic import HydrostaticStress
from solver.physics.quantities import Probes, Statistics, StressFields, cell_dofs
from solver.physics.measures import InterfaceMaxima, Measures
from solver.time_stepping import SAFETY, AdaptiveStep, TimeStepError

#: a loaded surface's θ this far from the cut-off at the switch to a CV hold is warned of
#: (the hold sets it there in one step: see Simulation._warn_cv_jump)
CV_JUMP_WARN = 0.05
# how closely a cut-off or target θ event is hit: EVENT_TOL (θ units), or EVENT_REL_TOL of the
# way from the start to the event when that is smaller (a small capacity step, e.g. a pulse)
EVENT_TOL = 1e-4
EVENT_REL_TOL = 1e-3
# θ units: how far θ of a Li-storing region may leave [0, 1] before a warning (P1 elements
# over- and undershoot a little at a steep front; a host overfilled by a current it cannot
# take up leaves the range by far more)
THETA_RANGE_TOL = 0.01


#: steps cut back after a failed Newton solve that are warnings (console, summary.json); the
#: later ones are written to run.log only
NEWTON_CUTBACKS_SHOWN = 5

#: a 3D mesh above this many cells with a layer much thinner than mesh.size gets a warning
LARGE_3D_CELLS = 150_000


def _layer_thicknesses(geometry: dict) -> list[float]:
    """The thicknesses (m) of the layers of a geometry (coatings, shells, pore coatings),
    from its resolved fields: keys with 'thickness', and the entries of '...coating(s)'."""
    found: list[float] = []

    def walk(key, value):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(k, v)
        elif isinstance(value, list):
            for v in value:
                walk(key, v)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            if ("thickness" in key or "coating" in key) and "void" not in key:
                found.append(float(value))

    walk("", geometry)
    return found


class CaseSetupError(ValueError):
    """A case that validated but does not fit the mesh (e.g. a probe outside the particle)."""


class NonFiniteResult(RuntimeError):
    """The solution or a recorded quantity became NaN or inf (the run stops at that step:
    results past it would be meaningless, and plots and ParaView choke on them)."""


@dataclass(frozen=True)
class _Events:
    """The stops that events end (not known as a time in advance), in the run's direction."""

    sign: float  # +1 when the run lithiates, -1 when it delithiates
    cutoff: float | None  # stop.surface_theta (a current flows in)
    hold: bool  # stop.hold_at_cutoff: hold the surface θ there (CV) instead of stopping
    mean_targets: dict[str, float]  # stop reason → mean θ that ends a held-surface run
    cutoff_tol: float  # θ: how closely the cut-off is hit
    mean_tols: dict[str, float]  # stop reason → how closely its mean θ is hit (θ)

    @classmethod
    def tolerant(cls, sign: float, cutoff: float | None, hold: bool,
                 mean_targets: dict[str, float], surface0: float, mean0: float) -> _Events:
        """The events, each with its tolerance from the way to it: from the initial surface θ
        ``surface0`` to the cut-off, from the initial mean θ ``mean0`` to a mean target."""
        def tol(way: float) -> float:
            return min(EVENT_TOL, EVENT_REL_TOL * abs(way))
        return cls(sign, cutoff, hold, mean_targets,
                   EVENT_TOL if cutoff is None else tol(cutoff - surface0),
                   {r: tol(v - mean0) for r, v in mean_targets.items()})

    @property
    def op(self):
        """The reduction of the surface θ towards the cut-off."""
        return MPI.MAX if self.sign > 0 else MPI.MIN


@dataclass
class RunResult:
    """What a finished run reports back (also written to ``summary.json``)."""

    status: str
    stop_reason: str
    steps: int
    out_dir: Path
    history: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


def _without_advice(reason: str) -> str:
    """A refused restart's reason without its '; run without --restart ...' advice (which
    does not fit a --resume that starts afresh by itself)."""
    return reason.split("; run without --restart")[0]


def _history_problem(rows: list[dict], state: dict, path: Path) -> str | None:
    """Why the history rows up to a checkpoint cannot be continued (None: they can).

    The rows must start at the run's start (step 0) and, for a checkpoint that records them
    (``history_rows``, ``history_step``), be as many as the run had written when it was
    checkpointed and end at the same step: a history cut short, or one of another run, would
    make the restarted run's history start mid-run and its summary (peaks, totals) wrong.
    """
    step = state["step"]
    fix = "run without --restart to start afresh"
    if not rows:
        return (f"the checkpoint's history, {path}, has no rows up to the checkpoint's "
                f"step {step}; {fix}")
    if rows[0]["step"] != 0:
        return (f"the checkpoint's history, {path}, starts at step {rows[0]['step']}, not at "
                f"the run's start (step 0); {fix}")
    expected, last = state.get("history_rows"), state.get("history_step")
    if expected is not None and (len(rows) != expected or rows[-1]["step"] != last):
        return (f"the checkpoint's history, {path}, has {len(rows)} rows up to step "
                f"{rows[-1]['step']}, but the run had written {expected} up to step {last} "
                f"when it was checkpointed (step {step}); {fix}")
    return None


def changes_since(case, out: Path, shown: int = 3) -> str:
    """``: a.b: old -> new; ...`` of ``case`` against the case.resolved.yaml of the run in
    ``out`` (the fields a restart would change), or '' when that file is unreadable."""
    import yaml

    from solver.batch.sweep import case_diff
    from solver.outputs.provenance import result_inputs

    try:
        old = yaml.safe_load((out / "case.resolved.yaml").read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return ""
    new = result_inputs(case.resolved())
    lines = case_diff(result_inputs(old), new) if isinstance(old, dict) else []
    if not lines:
        return ""
    more = f"; and {len(lines) - shown} more" if len(lines) > shown else ""
    return ": " + "; ".join(lines[:shown]) + more


def restart_problem(case, out: Path, state: dict | None = None) -> str | None:
    """Why ``case`` cannot continue the checkpoint in ``out`` (its loop ``state``, read when
    not given), or None: it can when written for the same case, or for one that differs in
    :data:`~solver.outputs.provenance.CONTINUABLE` fields only. Checks nothing that needs
    the mesh (that follows while loading); any rank, no MPI."""
    if state is None:
        try:
            state = checkpoint.read_state(out)
        except checkpoint.CheckpointError as exc:
            return f"{exc} (run without --restart to start afresh)"
    resolved = case.resolved()
    if state.get("case_hash") == case_hash(resolved):
        return None
    if state.get("continuation_hash") == continuation_hash(resolved):
        return None
    changes = changes_since(case, out)
    why = (f"the case file or its --set overrides changed{changes}" if changes else
           "no field of case.resolved.yaml differs: written by another chemomech version?")
    return (f"the checkpoint in {out} was written for a different case ({why}); run without "
            "--restart")


def already_completed(case, out: Path) -> bool:
    """Whether ``out`` holds a completed run of this very case (summary.json: status
    completed, same case hash): a --restart or --resume then has nothing to continue."""
    from solver.batch.sweep import SweepError
    from solver.outputs.result_files import read_json_object

    try:
        summary = read_json_object(out / "summary.json")
    except SweepError:  # none, or damaged: nothing is known to be complete
        return False
    run_case = summary.get("case")
    return (summary.get("status") == "completed" and isinstance(run_case, dict)
            and run_case.get("hash") == case_hash(case.resolved()))


def results_dir(case, out_dir: str | Path | None = None) -> Path:
    """The results folder of a run: ``out_dir``, else ``<output.directory>/<case name>``."""
    name = getattr(case, "name", None) or case.output.name or "case"
    return Path(out_dir) if out_dir else Path(case.output.directory) / name


class Simulation:
    """One run of one case.

    Args:
        case: a validated :class:`solver.case.Case`.
        comm: MPI communicator.
        out_dir: results directory (default ``<output.directory>/<case name>``).
        quiet: no console output.
    """

    def __init__(self, case, comm: MPI.Comm = MPI.COMM_WORLD, out_dir: Path | None = None,
                 quiet: bool = False):
        self.case = case
        self.comm = comm
        self.out_dir = results_dir(case, out_dir)
        self.log = Reporter(comm, quiet)
        self.rank0 = comm.rank == 0
        self._timers: dict[str, float] = {}
        self._stop_request = None  # set by run(): a signal asks the time loop to stop
        self._warned_dt_min = False  # a step over max_dtheta at dt_min was reported
        self._warned_event_dt_min = False  # a step of dt_min past a stop event, too
        self._newton_cutbacks = 0  # steps cut back after a failed Newton solve
        self._warned_floor = False  # an elasticity solve accepted at the round-off floor
        self._warned_theta_range: set[str] = set()  # causes of θ outside [0, 1] reported
        self._peak_frame = None  # (max von Mises, t, mean θ, nodal fields) of a written frame
        self._earlier_warnings: list[str] = []  # those before a --restart (the checkpoint's)
        self.theta_bounds = (math.inf, -math.inf)  # smallest, largest θ of active regions
        t0 = time.perf_counter()
        g = case.geometry
        for path, msg in case.plausibility_warnings():  # probably a unit left out
            self.log.warn(f"{path}: {msg}")
        self._check_out_dir_early()
        # meshing and solver set-up can take minutes on a large 3D mesh: say what is going on
        self.log.info(f"meshing the {g.kind} particle ({g.mode}) ...")
        self._setup_domain()
        self.log.info(f"mesh: {self._global_cells()} cells in {self._timers['mesh']:.1f} s; "
                      "setting up the solvers ...")
        self._warn_thin_layers_in_3d()
        self._setup_materials()
        self._setup_problems()
        self._setup_quantities()
        self._timers["setup"] = time.perf_counter() - t0

    def _check_out_dir_early(self) -> None:
        """Refuse, before meshing, a results folder that cannot be made
        (:func:`~solver.outputs.run_dir.blocked_path_problem`) or that another run holds;
        the full check follows before the first step
        (:meth:`~solver.outputs.run_dir.ResultsFolder.prepare`)."""
        problem = blocked_path_problem(self.out_dir) if self.rank0 else None
        problem = self.comm.bcast(problem, root=0)
        if problem:
            raise OutputDirError(problem)
        # a folder that another live run writes to (checked again when the run takes it)
        ResultsFolder(self.out_dir, self.comm, self.log).check_lock(warn=False)

    def _warn_thin_layers_in_3d(self) -> None:
        """A layer is meshed with a few elements through its thickness whatever mesh.size
        says; in 3D a thin one (a 20 nm coating) then makes hundreds of thousands of cells
        and hours of run time. Say why, and point to the 2D modes."""
        g = self.case.geometry
        cells = self._global_cells()
        if g.mode not in ("octant", "3d") or cells < LARGE_3D_CELLS:
            return
        layers = _layer_thicknesses(g.model_dump())
        size = self.case.mesh.resolved_size(self.domain.length_scale)  # length scale: radius
        if not layers or min(layers) > 0.2 * size:
            return
        self.log.warn(f"{cells} cells: the thinnest layer ({min(layers) * 1e9:.3g} nm) is "
                      "meshed with ~3 elements through its thickness whatever mesh.size says, so "
                      "the 3D mesh is large and each step slow; a rotationally symmetric "
                      "particle runs far faster with geometry.mode: axisymmetric")

    # ---------------------------------------------------------------- setup stages
    def _setup_domain(self):
        c = self.case
        spec = c.geometry.to_spec()
        sizing = meshes.Sizing(size=c.mesh.resolved_size(float(spec.radius)),
                               surface_size=c.mesh.surface_size)
        cache_dir = c.mesh.resolved_cache_dir() if c.mesh.cache else None
        t0 = time.perf_counter()
        self.domain = build_domain(spec, sizing, self.comm, cache_dir, warn=self.log.warn)
        self._timers["mesh"] = time.perf_counter() - t0
        #: {case field: (target, placed)} of porosity / volume-fraction targets
        self.placed_fractions = getattr(spec, "placed_fractions", dict)()

    def _setup_materials(self):
        const = constants_on(self.domain.mesh)
        laws = {name: material_law(name, m, const) for name, m in self.case.materials.items()}
        self.laws = laws
        self.fields = MaterialFields(self.domain, laws)

    def _setup_problems(self):
        c, d = self.case, self.domain
        mesh = d.mesh
        self.V_theta = dolfinx.fem.functionspace(mesh, ("Lagrange", 1))
        load = c.loading
        self.kind = load.kind
        w = d.coords.weight
        self.c_max = self.fields.c_max()
        if load.kind == "prescribed":
            self.diffusion = None
            self.theta = dolfinx.fem.Function(self.V_theta, name="Lithiation fraction [-]")
            self._prescribe(load.profile)
            self.loaded_surfaces = []
        else:
            self.loaded_surfaces = list(load.surfaces)
            coupling = None
            if c.coupling == "two_way":
                # σ_h continuous P1 within each stress-coupled region, free to jump between
                # them (never differentiate a DG stress; solver.physics.hydrostatic)
                self.hydrostatic = HydrostaticStress(d, self.fields.stress_coupled_regions())
                T = float(c.temperature)
                # θ⁺ = max(θ, 0) in the stress-driven flux (∝ c): an undershoot θ < 0 at a steep
                # front would otherwise turn it into backward diffusion (both schemes use this)
                self._stress_mobility = lambda th: self.fields.stress_mobility(
                    ufl.max_value(th, 0.0), T)
                coupling = (self._stress_mobility, self.hydrostatic)
            self.diffusion = DiffusionProblem(
                d, self.V_theta, self.c_max, self.fields.mobility, self.loaded_surfaces,
                c.solver, prefix="chemomech_diffusion_", stress_coupling=coupling,
            )
            self.theta = self.diffusion.theta
            self.diffusion.theta_n.x.array[:] = load.initial_theta
            self.diffusion.theta.x.array[:] = load.initial_theta
        self.mechanics = MechanicsProblem(d, self.theta, self.fields, c.solver,
                                          prefix="chemomech_mechanics_")
        if c.coupling == "two_way":
            self.hydrostatic.compile_projection(ufl.tr(self.mechanics.stress) / 3.0)
        self.coupled = None  # solver.coupling_scheme = monolithic: one Newton on (u, θ, σ_h)
        # True while u and σ_h are the monolithic Newton's solution at the current θ: the
        # mechanics need not be solved again for the history row
        self._mechanics_current = False
        self._dt_range = (math.inf, 0.0)  # smallest and largest accepted dt (s)
        if c.coupling == "two_way" and c.solver.coupling_scheme == "monolithic":
            from solver.physics.coupled import CoupledProblem

            self.coupled = CoupledProblem(d, self.diffusion, self.mechanics, self.fields,
                                          self.hydrostatic, self._stress_mobility, c.solver,
                                          prefix="chemomech_coupled_")
        comm = self.comm
        self.mass = comm.allreduce(
            dolfinx.fem.assemble_scalar(dolfinx.fem.form(self.fields.active_density() * w * d.dx)),
            op=MPI.SUM,
        )  # kg of active (Li-storing) material in the meshed part
        self.li_max = comm.allreduce(
            dolfinx.fem.assemble_scalar(dolfinx.fem.form(self.c_max * w * d.dx)), op=MPI.SUM
        )  # mol
        # the Li content as the storage term counts it (lumped or not), so that the balance
        # of content and inflow holds to round-off
        self._storage = self.diffusion.storage if self.diffusion is not None else (w, d.dx)
        w_s, dx_s = self._storage
        self._li_form = dolfinx.fem.form(self.c_max * self.theta * w_s * dx_s)

    def _prescribe(self, profile):
        if profile.kind == "uniform":
            self.theta.x.array[:] = profile.theta
        elif profile.kind == "radial":
            table = np.asarray(profile.table, dtype=float)
            r_tab, th_tab = table[:, 0], table[:, 1]

            def f(x):
                if self.domain.mode == "axisymmetric":
                    r = np.sqrt(x[0] ** 2 + x[1] ** 2)
                else:
                    r = np.sqrt(x[0] ** 2 + x[1] ** 2 + x[2] ** 2)
                return np.interp(r, r_tab, th_tab)

            self.theta.interpolate(f)
        else:  # pragma: no cover - the schema admits nothing else
            raise ValueError(f"unknown prescribed profile {profile.kind!r}")
        self.theta.x.scatter_forward()

    def _setup_quantities(self):
        d = self.domain
        self.stress = StressFields(d, self.mechanics.stress)
        surfaces = [n for n in d.boundaries if n not in SYMMETRY_NAMES]
        self.statistics = Statistics(d, self.theta, self.stress, surfaces, list(d.regions))
        modulus = self.fields.E(self.theta)  # the interfaces weigh their sides by compliance
        self.statistics.setup_interfaces(modulus)
        active = [n for n, law in self.laws.items() if law.active]
        cells = np.concatenate([d.cells(n) for n in active]) if active else np.zeros(0, np.int32)
        # θ nodes of the Li-storing regions (in inactive ones θ is the concentration of Li in
        # transit over the active material's c_max, not a fraction of a capacity)
        self._active_theta_dofs = cell_dofs(self.V_theta, cells.astype(np.int32))
        self.interface_maxima = InterfaceMaxima(d, self.stress, modulus)
        self.measures = Measures(d, self.theta, self.stress, self.case.output.measures)
        self.probes = Probes(d, self.case.output.probes)
        self.gap_monitor = None
        if {"yolk_surface", "shell_inner_surface"} <= set(d.boundaries):
            from solver.physics.contact_gap import GapMonitor

            self.gap_monitor = GapMonitor(d, self.mechanics.u)
            self.gap_closed_at = None
        if self.probes.missing:
            probes = self.case.output.probes
            where = [f"output.probes.{i}.point ({p.name}: {list(p.point)} m)"
                     for i, p in enumerate(probes) if p.name in self.probes.missing]
            raise CaseSetupError(
                "; ".join(where) + ": not inside the meshed particle (a cavity, void or pore "
                "is not part of it)")

    # ---------------------------------------------------------------- derived values
    def li_content(self) -> float:
        return self.comm.allreduce(dolfinx.fem.assemble_scalar(self._li_form), op=MPI.SUM)

    def mean_theta(self) -> float:
        """Mean lithiation fraction: Li content / Li capacity of the body."""
        return self.li_content() / self.li_max

    def _li_rate_for_current(self) -> float:
        """Inward Li rate (mol/s) that carries the case's specific current."""
        load = self.case.loading
        if load.specific_current is not None:
            current = float(load.specific_current)  # A/kg
        else:  # C-rate relative to the capacity of the whole particle (C/kg)
            current = float(load.c_rate) * (self.li_max * FARADAY / self.mass) / 3600.0
        return self._direction_sign() * current * self.mass / FARADAY

    # ---------------------------------------------------------------- run
    def run(self, restart: bool = False, resume_if_possible: bool = False) -> RunResult:
        """Run the case; every output is flushed as it is produced.

        Args:
            restart: continue from the last checkpoint in the results directory (the case
                must be unchanged); history.csv and fields.pvd continue without duplicates.
            resume_if_possible: restart when the results directory holds a usable checkpoint
                of this case (same case hash, readable, same mesh), else start afresh (as
                without ``restart``: the folder's earlier run is replaced).
        """
        out = self.out_dir
        resolved = self.case.resolved()
        self._hash = case_hash(resolved)
        self._continuation = continuation_hash(resolved)
        note = None
        if resume_if_possible and not restart:
            resume, note = self._resume_checkpoint(out)
            restart = resume is not None
        else:
            # the checkpoint is checked first: a refused restart leaves the folder as it was
            resume = self._load_checkpoint(out) if restart else None
        # the handlers first: a SIGTERM while the run takes its folder's lock and opens its
        # files (a sweep stopping its points) ends the run as "interrupted" with a summary,
        # not by the default action, which left the lock and no summary.json
        with stop_on_signals(announce=self.rank0) as self._stop_request:
            summary, unwritten = self._run_in_folder(out, resolved, restart, resume, note)
        unwritten = [text for rank in self.comm.allgather(unwritten) for text in rank]
        if unwritten:  # the run itself went through, its results did not all reach the disk
            raise OutputDirError(f"results in {out} not all written: {unwritten[0]}")
        # a signal now (the run is complete) lets the pictures finish; a second one stops
        # them, with a warning (chemomech plot draws them)
        with stop_on_signals(announce=False):
            pngs = self._pictures()
        summary["outputs"]["pictures"] = [str(p) for p in pngs]
        if self.rank0:
            write_json(out / "summary.json", summary)
        self.log.info(f"results: {out.resolve()}")
        self.log.close_file()
        return RunResult(summary["status"], summary["stop_reason"], self._step, out,
                         self.history.rows, summary)

    def _run_in_folder(self, out: Path, resolved: dict, restart: bool, resume: dict | None,
                       note: str | None) -> tuple[dict, list]:
        """The run proper, with the signal handlers installed: take the folder, open the
        outputs, step, close them and write summary.json. Returns (the summary, what could
        not be written)."""
        folder = ResultsFolder(out, self.comm, self.log)
        folder.check_lock()
        folder.prepare(fresh=not restart, case_hash=self._hash)
        folder.take_lock()
        try:
            if self.rank0:
                write_resolved_case(out / "case.resolved.yaml", resolved,
                                    getattr(self.case, "_material_sources", None))
            self._restarts = resume["restarts"] + 1 if resume else 0
            # the time at which each restart of this run began (checkpoints carry the list)
            self._restart_times = []
            if resume:
                # (None for the restarts of a checkpoint of an older version, which has no list)
                earlier = resume.get("restart_times") or [None] * resume["restarts"]
                self._restart_times = [*earlier, resume["t"]]
                self._earlier_warnings = list(resume.get("warnings", []))
                self._warned_dt_min = bool(resume.get("warned_dt_min", False))
                self._warned_event_dt_min = bool(resume.get("warned_event_dt_min", False))
                self._newton_cutbacks = int(resume.get("newton_cutbacks", 0))
                self._warned_theta_range = set(resume.get("warned_theta_range", []))
                # the summary's ranges cover the whole run, not only this part of it
                lo, hi = resume.get("dt_range", (math.inf, 0.0))
                self._dt_range = (lo if lo is not None else math.inf, hi or 0.0)
                lo, hi = resume.get("theta_bounds", (math.inf, -math.inf))
                self.theta_bounds = (lo if lo is not None else math.inf,
                                     hi if hi is not None else -math.inf)
            self.log.open_file(out / "run.log", append=restart)
            self._log_header()
            if note:
                self.log.info(note)
            self.history = HistoryWriter(out / "history.csv", enabled=self.rank0)
            if resume:
                self.history.resume(resume["rows"])
                if self.gap_monitor is not None:  # a closing before the checkpoint stays recorded
                    closed = [r for r in resume["rows"] if r.get("yolk-shell gap [m]", 1.0) <= 0.0]
                    if closed:
                        self.gap_closed_at = {k: closed[0][k] for k in
                                              ("time [s]", "mean lithiation fraction [-]")}
            stem = f"fields_r{self._restarts}" if resume else "fields"
            if resume and self.rank0 and "vtk" in self.case.output.formats:
                # frames of earlier restarts that ended without merging them (killed)
                checkpoint.merge_pvd(out, self._restart_times)
            if resume and self.rank0:  # dolfinx's XML of a killed part (its .xdmf is whole)
                for stale in out.glob(f"fields*{XDMF_WORK_SUFFIX}"):
                    stale.unlink(missing_ok=True)
            self.field_output = FieldOutput(out, self.domain, self.theta, self.c_max,
                                            self.mechanics.u, self.stress, self.case.output.formats,
                                            stem=stem)
            if resume and resume.get("peak_arrays"):
                vm, t_peak, mean = resume["peak_frame"]
                self._peak_frame = (vm, t_peak, mean, {
                    name: self._between_p1(a, self.diffusion.theta_n, self.field_output.theta_out)
                    for name, a in zip(PICTURED_FIELDS, resume["peak_arrays"])})
            self._counters = dict(resume["counters"]) if resume else {
                "newton": 0, "krylov_diffusion": 0, "krylov_mechanics": 0}
            self._wall0 = time.perf_counter() - (resume["wall"] if resume else 0.0)
            status, reason, error = "completed", "", None
        except BaseException:  # no run went on in the folder: its lock must not stay
            folder.release_lock()
            raise
        try:
            if self.diffusion is None:
                reason = self._run_prescribed()
            else:
                reason = self._run_transient(resume)
        except RunInterrupted as exc:
            status, reason, error = "interrupted", "interrupted by a signal", str(exc)
            raise
        except KeyboardInterrupt:
            status, reason = "interrupted", "interrupted by a signal"
            error = "interrupted during a step (no checkpoint of it)"
            raise
        except Exception as exc:
            status, reason = "failed", "failed (see error)"
            error = f"{type(exc).__name__}: {exc}"
            self.log.file_only(traceback.format_exc())
            raise
        finally:
            if self._stop_request is not None:  # a second Ctrl-C no longer cuts this short
                self._stop_request.shielded = True
            # each closing step on its own: a full disk that made the run fail must not
            # also cost the summary (nor raise a second traceback over the first error)
            unwritten = []
            self._closing_step(unwritten, "the field files", self.field_output.close)
            self._closing_step(unwritten, "history.csv", self.history.close)
            folder.release_lock()
            if resume and self.rank0 and "vtk" in self.case.output.formats:
                self._closing_step(unwritten, "fields.pvd", checkpoint.merge_pvd, out,
                                   self._restart_times)
            summary = self._summary(status, reason, error)
            if self.rank0:
                self._closing_step(unwritten, "summary.json", write_json,
                                   out / "summary.json", summary)
            self.log.file_only(f"status: {status} {reason or error or ''}")
        return summary, unwritten

    def _closing_step(self, unwritten: list, what: str, step, *args) -> None:
        """Run one step of closing the outputs (``what``: the files it writes); an OSError
        (full disk, lost folder) or an HDF5 close failure is logged and appended to
        ``unwritten`` instead of raised."""
        try:
            step(*args)
        except (OSError, RuntimeError) as exc:
            text = f"{what}: {describe_write_error(exc)}"
            unwritten.append(text)
            self.log.warn(f"could not write the results: {text}")

    def _resume_checkpoint(self, out: Path) -> tuple[dict | None, str | None]:
        """The checkpoint of ``out`` loaded as :meth:`_load_checkpoint` does, when this run can
        continue it (``resume_if_possible``): one of this case (same case hash) that can be
        read and fits the mesh; else None, and the simulation's state is left as it was.
        Returns (the loaded state or None, a note for run.log or None)."""
        path = out / checkpoint.FILENAME
        if self.diffusion is None:
            return None, None
        found, reason = False, None
        if self.rank0 and path.exists():
            found = True
            try:
                state = checkpoint.read_state(out)
            except checkpoint.CheckpointError as exc:
                reason = str(exc)
            else:
                if restart_problem(self.case, out, state):
                    reason = f"the checkpoint in {out} was written for a different case"
        found, reason = self.comm.bcast((found, reason), root=0)
        if not found:
            return None, None
        if reason:
            return None, f"not resuming ({_without_advice(reason)}): starting afresh"
        # the mesh and the history are checked while loading: keep what loading may change
        saved = (self.diffusion.theta_n.x.array.copy(), self.diffusion.theta.x.array.copy(),
                 self.diffusion.predictor_history())
        try:
            return self._load_checkpoint(out), None
        except checkpoint.CheckpointError as exc:
            self.diffusion.theta_n.x.array[:] = saved[0]
            self.diffusion.theta.x.array[:] = saved[1]
            self.diffusion.set_predictor_history(*(saved[2] or (None,)))
            return None, f"not resuming ({_without_advice(str(exc))}): starting afresh"

    def _load_checkpoint(self, out: Path) -> dict:
        if self.diffusion is None:
            raise checkpoint.CheckpointError("a prescribed-θ case has no time loop to restart")
        previous = np.zeros_like(self.diffusion.theta_n.x.array)
        peak = {f"peak_frame_{i}": np.zeros_like(previous) for i in range(len(PICTURED_FIELDS))}
        pc = {f"mechanics_pc_theta_{k}": np.zeros_like(previous) for k in ("first", "last")}
        spaces = self._checkpoint_spaces()
        state = checkpoint.read(out, self.diffusion.theta_n, spaces=spaces,
                                extra={"theta_previous": previous, **peak, **pc})
        state["space_arrays"] = {name: arrays for name, (_, arrays) in spaces.items()}
        state["mechanics_pc_thetas"] = {k.rsplit("_", 1)[1]: a for k, a in pc.items()
                                        if k in state["extra"]}
        if state.get("peak_frame") and all(k in state["extra"] for k in peak):
            state["peak_arrays"] = [peak[f"peak_frame_{i}"] for i in range(len(PICTURED_FIELDS))]
        if "theta_previous" in state["extra"] and state.get("dt_previous"):
            self.diffusion.set_predictor_history(previous, state["dt_previous"])
        problem = restart_problem(self.case, out, state)
        if problem:
            raise checkpoint.CheckpointError(problem)
        if state.get("case_hash") != self._hash:  # continued with CONTINUABLE changes
            self.log.info(f"continuing with changed settings{changes_since(self.case, out)} "
                          "(they change no result computed before this restart)")
        self.diffusion.theta.x.array[:] = self.diffusion.theta_n.x.array
        rows, problem = None, None
        if self.rank0:
            try:
                rows = [r for r in read_history(out / "history.csv")
                        if r["step"] <= state["step"]]
            except (OSError, ValueError, KeyError) as exc:
                problem = (f"the checkpoint's history, {out / 'history.csv'}, cannot be read "
                           f"({type(exc).__name__}: {exc}); run without --restart")
            else:
                problem = _history_problem(rows, state, out / "history.csv")
            if problem is None and "vtk" in self.case.output.formats:
                problem = checkpoint.pvd_problem(out / "fields.pvd")
        rows, problem = self.comm.bcast((rows, problem), root=0)
        if problem:
            raise checkpoint.CheckpointError(problem)
        state["rows"] = rows
        self.log.info(f"restarting from the checkpoint at step {state['step']}, "
                      f"t = {state['t']:.6g} s")
        return state

    def _log_header(self) -> None:
        s = self.case.solver
        v = versions()
        self.log.file_only(
            f"chemomech {v.get('chemomech', '?')} (dolfinx {v.get('dolfinx', '?')}, petsc4py "
            f"{v.get('petsc4py', '?')}, gmsh {v.get('gmsh', '?')}, python {v.get('python')})\n"
            f"case {getattr(self.case, 'source_path', '')} hash {self._hash}\n"
            f"MPI ranks {self.comm.size}; restart {self._restarts}\n"
            f"mesh {self.domain.mode}: {self._global_cells()} cells, DOFs {self._dofs()}, "
            f"quality {self.domain.mesh_info}\n"
            f"diffusion: Newton (SNES newtonls, rtol {s.newton_rtol}, atol {s.newton_atol}, "
            f"stol {NEWTON_STOL}, max {s.newton_max_iterations} its) with {self._diffusion_solver_description()}; "
            f"mechanics: {self.mechanics.description} (rtol {s.linear_rtol})\n"
            f"coupling: {self._coupling_description()}\n"
            f"time: {self.case.time.model_dump()}"
        )
        self.log.info(
            f"chemomech: {getattr(self.case, 'name', '')} — {self.domain.mode} mesh with "
            f"{self._global_cells()} cells, {self._dofs()['displacement']} displacement DOFs, "
            f"{self.comm.size} MPI rank(s)"
        )
        for key, (target, placed) in self.placed_fractions.items():
            self.log.info(f"{key} {target:g}: placed {placed:.4g} (whole objects)")

    def _diffusion_solver_description(self) -> str:
        if self.diffusion is None:
            return "no θ solve (prescribed θ)"
        kind = self.diffusion.linear_solver
        n = self._dofs()["lithiation_fraction"]
        return f"{describe_linear_solver(kind)} ('{kind}' for {n} θ DOFs)"

    def _coupling_description(self) -> str:
        s = self.case.solver
        if self.case.coupling != "two_way":
            return "one_way (mechanics solved only for the written history rows)"
        if self.coupled is not None:
            linear = ("FGMRES + block preconditioner θ → u → σ_h"
                      if self.coupled.iterative else "MUMPS LU")
            if s.coupled_linear_solver == "auto":
                n_u = self._dofs()["displacement"]
                linear += f" ('{self.coupled.linear_solver}' for {n_u} u DOFs)"
            return (f"two_way monolithic: one Newton on (u, θ, σ_h) with {linear} "
                    f"(rtol {s.newton_rtol}, atol {s.newton_atol}, max "
                    f"{s.newton_max_iterations} its); σ_h by consistent L2 projection")
        return (f"two_way staggered: θ Newton ↔ mechanics with Aitken relaxation to "
                f"|Δθ| < {s.coupling_tolerance} (max {s.coupling_max_iterations} iterations); "
                "σ_h by consistent L2 projection")

    def _run_prescribed(self) -> str:
        self._step = 0
        self._record(t=0.0, dt=0.0, newton=0, krylov=0, rejected=0, li0=self.li_content(),
                     inflow=0.0, write_fields=True)
        return "prescribed field"

    def _stop_times(self, rate: float, li0: float) -> dict[str, float]:
        """Stop reason → its time (s) where it is known in advance: stop.time, and the mean-θ
        and capacity stops of a constant Li rate (galvanostatic; ``rate`` is 0 otherwise)."""
        s = self.case.stop
        ends = {}
        if s.time is not None:
            ends["stop.time reached"] = float(s.time)
        if self.kind == "galvanostatic" and rate != 0.0:
            if s.mean_theta is not None:
                ends["mean θ target reached"] = self._time_of_mean_theta(s.mean_theta, rate, li0)
            if s.capacity is not None:
                ends["capacity target reached"] = float(s.capacity) * self.mass / (
                    FARADAY * abs(rate))
        return {reason: t for reason, t in ends.items() if t > 0}

    def _stop_time(self, rate: float, li0: float) -> float:
        """Exact end time of the run as far as known in advance (inf: ended by an event)."""
        return min(self._stop_times(rate, li0).values(), default=math.inf)

    def _end_reason(self, t_end: float, rate: float, li0: float) -> str:
        """Which stop ``t_end`` (from :meth:`_stop_time`) is the time of."""
        for reason, t in self._stop_times(rate, li0).items():
            if abs(t - t_end) <= 1e-12 * t_end:
                return reason
        return "stop.time reached"

    def _mean_theta_targets(self, li0: float) -> dict[str, float]:
        """Stop reason → the mean θ that ends the run, for the stops an event ends while the
        surface θ is held (the Li rate is then not known in advance): stop.mean_theta, and
        stop.capacity as the mean θ at which that charge has passed in the run's direction."""
        s = self.case.stop
        targets = {}
        if s.mean_theta is not None:
            targets["mean θ target reached"] = float(s.mean_theta)
        if s.capacity is not None:
            targets["capacity target reached"] = (li0 + self._direction_sign() * float(
                s.capacity) * self.mass / FARADAY) / self.li_max
        return targets

    def _direction_sign(self) -> float:
        """+1 for a run that lithiates, -1 for one that delithiates (galvanostatic: the
        loading's direction; potentiostatic: the held surface θ against the initial θ;
        a prescribed field: +1)."""
        load = self.case.loading
        if self.kind == "potentiostatic":
            return 1.0 if load.surface_theta >= load.initial_theta else -1.0
        return -1.0 if getattr(load, "direction", "lithiation") == "delithiation" else 1.0

    def _mean_theta_times(self, rate: float, li0: float) -> list[float]:
        """Times (s) at which the mean θ reaches time.output_mean_theta: at a constant Li rate
        (galvanostatic, the schema allows nothing else; rate is 0 otherwise) Li content =
        li0 + rate·t exactly."""
        values = self.case.time.output_mean_theta or []
        if rate == 0.0:
            return []
        return [t for t in (self._time_of_mean_theta(v, rate, li0) for v in values) if t > 0]

    def _time_of_mean_theta(self, value: float, rate: float, li0: float) -> float:
        """Time (s) at which a constant Li rate (mol/s, ≠ 0) brings the mean θ to value."""
        return (value * self.li_max - li0) / rate

    def _run_transient(self, resume: dict | None = None) -> str:
        """The time loop; a run that fails because dt cannot be cut below time.dt_min first
        checkpoints its last accepted step, which a restart with a lower dt_min continues
        (time.dt_min is CONTINUABLE), so the steps before it are not lost."""
        try:
            return self._time_loop(resume)
        except TimeStepError as exc:
            st, stepper = self._loop_state
            if st["step"] == 0:  # no step accepted: nothing to keep
                raise
            self._maybe_checkpoint(st, stepper, 0.0, force=True)
            raise TimeStepError(
                f"{exc}; the last accepted step ({st['step']}, t = {st['t']:.6g} s) is "
                "checkpointed: with a lower time.dt_min, `chemomech run CASE --restart` "
                "continues from it") from None

    def _time_loop(self, resume: dict | None = None) -> str:
        c, diff = self.case, self.diffusion
        s, load = c.stop, c.loading
        rate = self._li_rate_for_current() if self.kind == "galvanostatic" else 0.0
        diff.set_fluxes(rate, getattr(load, "flux_shares", None))
        theta0 = float(load.initial_theta)
        ramp = 0.0
        if self.kind == "potentiostatic":
            ramp = float(load.ramp_time) if load.ramp_time else float(c.time.dt_initial)
        stepper = AdaptiveStep(c.time)
        every = c.time.output_every
        hist_every = c.output.history_every
        cutoff = s.surface_theta
        # the loop state: everything a restart needs besides θ
        if resume:
            st = {k: resume[k] for k in ("t", "step", "inflow", "li0", "holding", "t_end")}
            stepper.dt, stepper.rejected = resume["dt"], resume["rejected"]
            stepper.last_rate = resume.get("last_rate")
            st["pending"] = resume.get("pending", [0, 0, stepper.rejected])
            st["pending_coupling"] = resume.get("pending_coupling", 0)
            if not self._restore_mechanics(resume) and c.coupling == "two_way":
                # a checkpoint without u and σ_h (an older version): σ_h of the checkpointed
                # θ, u solved from zero (so the run goes on to the solvers' tolerance only)
                self.mechanics.solve()
                self._update_sigma_h()
            if st["holding"]:
                diff.set_surface_theta(cutoff)
        else:
            li0 = self.li_content()
            st = {"t": 0.0, "step": 0, "inflow": 0.0, "li0": li0, "holding": False,
                  "t_end": self._stop_time(rate, li0)}
            # since the last history row: Newton and Krylov iterations, stepper.rejected then
            st["pending"] = [0, 0, 0]
            st["pending_coupling"] = 0  # staggered fixed-point iterations since the last row
        self._step = st["step"]
        ev = _Events.tolerant(self._direction_sign(), cutoff, bool(s.hold_at_cutoff),
                              self._mean_theta_targets(st["li0"]), surface0=theta0,
                              mean0=st["li0"] / self.li_max)
        output_times = sorted({*(float(x) for x in (c.time.output_times or [])),
                               *self._mean_theta_times(rate, st["li0"])})
        if not resume:
            self._record(t=0.0, dt=0.0, newton=0, krylov=0, rejected=0, li0=st["li0"],
                         inflow=0.0, write_fields=True)
        last_checkpoint = time.perf_counter()
        self._loop_state = (st, stepper)  # what a checkpoint after a failure writes
        while True:
            if self._stop_request is not None and self._stop_request.agreed(self.comm):
                self._maybe_checkpoint(st, stepper, last_checkpoint, force=True)
                raise RunInterrupted(
                    f"interrupted by a signal at step {st['step']}, t = {st['t']:.6g} s; "
                    "checkpoint written: `chemomech run CASE --restart` continues")
            t, holding = st["t"], st["holding"]
            dirichlet = self.kind == "potentiostatic" or holding
            targets = [st["t_end"]] + [x for x in output_times if x > t]
            dt = stepper.propose(t, targets)
            if self.kind == "potentiostatic":
                value = theta0 + (load.surface_theta - theta0) * min(1.0, (t + dt) / ramp)
                diff.set_surface_theta(value)
            try:
                rep = self._diffusion_step(dt, dirichlet)
            except NewtonDivergence as exc:
                self._reject()
                self._warn_newton_cutback(f"t = {t:.4g} s: Newton failed ({exc}); dt {dt:.3g} s "
                                          "→ cut back")
                stepper.rejected_step(dt, t, str(exc))
                continue
            if rep.max_change > c.time.max_dtheta and dt > c.time.dt_min:
                self._reject()
                self.log.file_only(f"t = {t:.6g} s: θ changed by {rep.max_change:.3g} > "
                                   f"max_dtheta; dt {dt:.3g} s cut back")
                stepper.rejected_step(dt, t, f"θ changed by {rep.max_change:.3g}",
                                      factor=SAFETY * c.time.max_dtheta / rep.max_change)
                continue
            # the step's mean θ and (a current flowing in) the loaded surfaces' θ towards the
            # cut-off: the event checks and, once accepted, the stop decision read them
            mean = self.mean_theta()
            surface = (self.statistics.surface_theta_extreme(self.loaded_surfaces, ev.op)
                       if ev.cutoff is not None and not dirichlet else None)
            over = self._event_overshoot(ev, dirichlet, mean, surface)
            if over is not None and dt > c.time.dt_min:
                # redo the step to end (just short of) the event
                what, frac = over
                self._reject()
                stepper.rejected_step(dt, t, what, factor=0.98 * frac)
                continue
            if over is not None and not self._warned_event_dt_min:
                # a step of dt_min is not cut: the run goes past the event by the rest of it
                # (a tiny capacity step under a potentiostatic surface, whose lumped
                # storage term takes up the surface nodes' share of Li at once)
                self._warned_event_dt_min = True
                what, frac = over
                self.log.warn(f"t = {t:.4g} s: {what} in a step of {dt:.3g} s, not cut "
                              f"below time.dt_min = {c.time.dt_min:g} s (the event lies "
                              f"{max(frac, 0.0):.0%} into it): accepted, so the run goes past "
                              "the event; lower time.dt_min to end closer to it; said once")
            # accept
            if rep.max_change > c.time.max_dtheta and not self._warned_dt_min:
                self._warned_dt_min = True
                self.log.warn(f"t = {t:.4g} s: θ changed by {rep.max_change:.3g} > "
                              f"time.max_dtheta = {c.time.max_dtheta:g} in a step of "
                              f"{dt:.3g} s: accepted (steps are not cut below time.dt_min = "
                              f"{c.time.dt_min:g} s; lower it to keep the limit); said once")
            if not dirichlet:
                st["inflow"] += diff.inflow_rate() * dt
            diff.accept()
            t = st["t"] = t + dt
            self._check_theta_range(t, ev.sign > 0)
            self._step = st["step"] = st["step"] + 1
            # a staggered step that needed over half its iterations does not grow dt: the
            # fixed point contracts worse at a larger dt, and a failed one is redone smaller
            # (any step that changes θ takes 2: a budget of 3 or less must not freeze dt).
            # dt grows again once a step at the kept dt takes half the budget or less. At
            # high current the kept dt lasts thousands of steps: the fixed point converges only
            # below a dt that shrinks as the stress builds. The cause is not this rule: at the
            # kept dt (16–23 iterations) 1/16 of it took 4–5, 1.5 times it 23–35, twice it
            # 30–46 or no convergence. Growing 1.5 × after 5 hard steps changed the total
            # iterations by −6 % to +7 % on three workloads (2026-12-07); monolithic took 20
            # steps where staggered took 1 726 (README, two-way coupling).
            hard = (rep.coupling_iterations or 0) > max(2, c.solver.coupling_max_iterations // 2)
            stepper.accepted(dt, rep.hardest_newton or rep.newton_iterations, rep.max_change,
                             hard=hard)
            lo, hi = self._dt_range
            self._dt_range = (min(lo, dt), max(hi, dt))
            self._counters["newton"] += rep.newton_iterations
            self._counters["krylov_diffusion"] += rep.krylov_iterations
            if rep.coupling_iterations is not None:
                self._counters["coupling"] = (self._counters.get("coupling", 0)
                                              + rep.coupling_iterations)
                st["pending_coupling"] += rep.coupling_iterations
            reason = self._stop_after_step(ev, st, dirichlet, rate, mean, surface)
            done = reason is not None
            write = done or (every is not None and self._step % every == 0) or any(
                abs(t - x) <= 1e-9 * max(1.0, x) for x in output_times
            )
            pend = st["pending"]
            pend[0] += rep.newton_iterations
            pend[1] += rep.krylov_iterations
            if write or (hist_every is not None and self._step % hist_every == 0):
                self._record(t=t, dt=dt, newton=pend[0], krylov=pend[1],
                             rejected=stepper.rejected - pend[2], li0=st["li0"],
                             inflow=None if dirichlet else st["inflow"], write_fields=write,
                             coupling=st["pending_coupling"])
                st["pending"] = [0, 0, stepper.rejected]
                st["pending_coupling"] = 0
            elif c.coupling == "two_way":
                self._solve_mechanics()  # σ_h of the accepted θ (staggered) for the next step
            t_end = st["t_end"]
            frac = t / t_end if math.isfinite(t_end) else self._theta_fraction(
                mean, st["li0"] / self.li_max, ev.mean_targets)
            self.log.progress(self._step, t, mean, dt, frac, force=done)
            if done:
                self._warn_unreached_outputs(t, st["li0"], rate)
                return reason
            last_checkpoint = self._maybe_checkpoint(st, stepper, last_checkpoint)

    def _event_overshoot(self, ev: _Events, dirichlet: bool, m_new: float,
                         s_new: float | None) -> tuple[str, float] | None:
        """``(what, fraction of the step at which it is reached)`` when the step just solved
        went past an event: the surface θ cut-off (a current flows in; ``s_new`` the loaded
        surfaces' θ towards it, None without a cut-off), or a mean-θ or capacity stop (the
        surface θ is held; ``m_new`` the mean θ); None otherwise."""
        if s_new is not None and ev.sign * (s_new - ev.cutoff) > ev.cutoff_tol:
            s_old = self.statistics.surface_theta_extreme(self.loaded_surfaces, ev.op,
                                                          theta=self.diffusion.theta_n)
            frac = (ev.cutoff - s_old) / (s_new - s_old) if s_new != s_old else 0.5
            return "surface θ cut-off overshoot", frac
        if dirichlet and ev.mean_targets:
            over = {r: v for r, v in ev.mean_targets.items()
                    if ev.sign * (m_new - v) > ev.mean_tols[r]}
            if over:
                m_old = self.li_content_old() / self.li_max
                frac = min((v - m_old) / (m_new - m_old) if m_new != m_old else 0.5
                           for v in over.values())
                return " and ".join(r.replace("reached", "overshoot") for r in over), frac
        return None

    def _stop_after_step(self, ev: _Events, st: dict, dirichlet: bool, rate: float,
                         mean: float, surface: float | None) -> str | None:
        """The stop reason when the accepted step ends the run, else None (``mean``,
        ``surface``: as :meth:`_event_overshoot` had them for this step). Reaching the
        cut-off with ``stop.hold_at_cutoff`` starts the CV hold (in ``st``) instead: the
        surface θ stays at the cut-off, and from then on the constant-current end time no
        longer applies (stop.time does; the mean-θ and capacity stops are events)."""
        s, t = self.case.stop, st["t"]
        reason = None
        if t >= st["t_end"] * (1 - 1e-12):
            reason = self._end_reason(st["t_end"], rate, st["li0"])
        if reason is None and surface is not None:
            if ev.sign * (surface - ev.cutoff) >= -ev.cutoff_tol:
                if not ev.hold:
                    return "surface θ cut-off reached"
                st["holding"] = True
                self._warn_cv_jump(ev, t)
                self.diffusion.set_surface_theta(ev.cutoff)
                st["t_end"] = float(s.time) if s.time is not None else math.inf
                self.log.info(f"t = {t:.4g} s: surface θ reached {ev.cutoff}; holding (CV)")
        if reason is None and dirichlet:
            reached = [r for r, v in ev.mean_targets.items()
                       if ev.sign * (mean - v) >= -ev.mean_tols[r]]
            reason = reached[0] if reached else None
        if reason is None and self._step >= s.max_steps:
            self.log.warn(f"stopped after stop.max_steps = {s.max_steps} steps")
            reason = "stop.max_steps reached"
        return reason

    def _warn_cv_jump(self, ev: _Events, t: float) -> None:
        """At the switch to the CV hold every loaded surface node is set to the cut-off in
        one step. The constant current before gave them a uniform flux, not a uniform θ: a
        node that lags (a second loaded surface, or a surface cell thicker than the
        diffusion layer) jumps at once, which draws a current spike and a stress jump that
        can become the run's peak (a 4 um sphere, D = 1e-16 m^2/s, 5 A/g, 0.25 um surface
        cells: the surface θ spans 0.63 .. 0.80 at a 0.8 cut-off). Warn when the lag is over
        CV_JUMP_WARN."""
        other = MPI.MIN if ev.op is MPI.MAX else MPI.MAX
        lag = abs(ev.cutoff - self.statistics.surface_theta_extreme(self.loaded_surfaces,
                                                                    other))
        if lag > CV_JUMP_WARN:
            self.log.warn(
                f"t = {t:.4g} s: at the switch to the CV hold a loaded surface's θ is "
                f"{lag:.3g} short of the cut-off {ev.cutoff:g}; the hold sets it there at once "
                "(a current spike and a stress jump right after the switch, which may be the "
                "run's peak). The constant current gave every loaded surface the same flux, "
                "not the same θ: with several loaded surfaces share it with "
                "loading.flux_shares, and refine mesh.surface_size where a surface cell is "
                "thicker than the diffusion layer")

    def _check_theta_range(self, t: float, lithiating: bool) -> None:
        """Track the smallest and largest θ of the Li-storing regions, and warn (once for each
        cause) when θ leaves [0, 1] by more than THETA_RANGE_TOL:

        * beyond the end the current drives it to (above 1 when lithiating, below 0 when
          delithiating): the host holds more Li than its capacity (or less than none), so the
          surface could not take up (or give) the current; the results from there on are
          unphysical;
        * the other way (below 0 ahead of a lithiation front, above 1 behind a delithiation
          one): the consistent storage term over- and undershoots at a front the mesh does not
          resolve, and the spurious swelling adds stress.
        """
        values = self.theta.x.array[self._active_theta_dofs]
        local = np.array([-values.min(), values.max()]) if values.size else np.full(2, -np.inf)
        ext = np.empty(2)
        self.comm.Allreduce(local, ext, op=MPI.MAX)  # one collective per step for both ends
        lo, hi = -float(ext[0]), float(ext[1])
        old_lo, old_hi = self.theta_bounds
        self.theta_bounds = (min(old_lo, lo), max(old_hi, hi))
        for value, beyond in ((hi, hi >= 1 + THETA_RANGE_TOL), (lo, lo <= -THETA_RANGE_TOL)):
            if not beyond:
                continue
            high = value > 1
            overfilled = high == lithiating and self.kind == "galvanostatic"
            cause = "overfilled" if overfilled else "oscillation"
            if cause in self._warned_theta_range:
                continue
            self._warned_theta_range.add(cause)
            where = f"θ = {value:.4g} {'> 1' if high else '< 0'} in a Li-storing region"
            if overfilled:
                what = ("more Li than the host can store" if high
                        else "more Li taken out than the host holds")
                msg = (f"{where}: {what}; the surface cannot take up the current any more (a "
                       "cell would reach its voltage cut-off here). Results past this point are "
                       f"unphysical: end the run there with stop.surface_theta = {int(high)} "
                       "(stop.hold_at_cutoff: true for CC-CV), or lower the current")
                load = self.case.loading
                if len(load.surfaces) > 1 and load.flux_shares is None:
                    msg += ("; or, if a region behind one of the loaded surfaces fills long "
                            "before the rest (a thin shell), share the current by capacity "
                            "with loading.flux_shares (null gives every surface the same flux "
                            "density; see cases/examples/yolk_shell.yaml)")
            else:
                front = "lithiation" if lithiating else "delithiation"
                fix = ("refine the mesh at the front" if self.case.solver.mass_lumping else
                       "set solver.mass_lumping: true, which keeps θ in [0, 1], or refine the "
                       "mesh at the front")
                msg = (f"{where}: the mesh does not resolve the {front} front, and the storage "
                       "term over- and undershoots there (the spurious swelling adds stress); "
                       + fix)
            self.log.warn(f"t = {t:.4g} s: {msg} (summary.json theta_bounds; said once)")

    def _warn_unreached_outputs(self, t_end: float, li0: float, rate: float) -> None:
        """Say which requested field outputs the run ended before (they are not written)."""
        tm = self.case.time
        late = [x for x in (float(v) for v in tm.output_times or []) if x > t_end * (1 + 1e-9)]
        late_theta = [v for v in tm.output_mean_theta or [] if not rate
                      or self._time_of_mean_theta(v, rate, li0) > t_end * (1 + 1e-9)]
        for what, values, unit in (("time.output_times", late, " s"),
                                   ("time.output_mean_theta", late_theta, "")):
            if values:
                self.log.warn(f"{what} {', '.join(f'{v:g}{unit}' for v in values)}: after the "
                              f"end of the run (t = {t_end:.6g} s), not written")

    def _maybe_checkpoint(self, st: dict, stepper: AdaptiveStep, last: float,
                          force: bool = False) -> float:
        """Write a checkpoint when the step count or the wall time says so (or ``force``)."""
        o = self.case.output
        by_count = o.checkpoint_every is not None and st["step"] % o.checkpoint_every == 0
        elapsed = self.comm.bcast(time.perf_counter() - last, root=0)  # one decision for all
        by_time = o.checkpoint_minutes is not None and elapsed >= 60.0 * o.checkpoint_minutes
        if not (by_count or by_time or force):
            return last
        state = dict(st, dt=stepper.dt, rejected=stepper.rejected, last_rate=stepper.last_rate,
                     counters=self._counters,
                     restarts=self._restarts, restart_times=self._restart_times,
                     dt_range=[v if math.isfinite(v) else None for v in self._dt_range],
                     theta_bounds=[v if math.isfinite(v) else None for v in self.theta_bounds],
                     case_hash=self._hash, warnings=self._warnings(),
                     continuation_hash=self._continuation,
                     # the warnings said once stay said after a restart
                     warned_dt_min=self._warned_dt_min,
                     warned_event_dt_min=self._warned_event_dt_min,
                     newton_cutbacks=self._newton_cutbacks,
                     warned_theta_range=sorted(self._warned_theta_range),
                     wall=time.perf_counter() - self._wall0,
                     # what history.csv holds at this checkpoint (a restart checks it)
                     history_rows=len(self.history.rows),
                     history_step=self.history.rows[-1]["step"] if self.history.rows else None)
        extra = {}
        history = self.diffusion.predictor_history()
        if history is not None:
            extra["theta_previous"], state["dt_previous"] = history
        peak = self._peak_frame
        if peak is not None and all(n in peak[3] for n in PICTURED_FIELDS):
            # the pictures' peak frame may be one written before this checkpoint
            state["peak_frame"] = [float(peak[0]), float(peak[1]), float(peak[2])]
            for i, name in enumerate(PICTURED_FIELDS):
                extra[f"peak_frame_{i}"] = self._between_p1(
                    peak[3][name], self.field_output.theta_out, self.diffusion.theta_n)
        state["mechanics"], u_arrays, pc_thetas = self.mechanics.restart_state()
        extra.update({f"mechanics_pc_theta_{k}": a for k, a in pc_thetas.items()})
        checkpoint.write(self.out_dir, self.diffusion.theta_n, state, extra,
                         self._checkpoint_spaces(u_arrays))
        self.log.file_only(f"checkpoint at step {st['step']}, t = {st['t']:.6g} s")
        return time.perf_counter()

    def _checkpoint_spaces(self, u_arrays: dict | None = None) -> dict[str, tuple]:
        """The ``spaces`` of a checkpoint (:func:`checkpoint.write` and ``read``): the
        displacement space with the mechanics' arrays (u and the u of the predictor's
        solves) and, two-way, each σ_h field's space with its values (Pa): to write, with
        ``u_arrays`` (what ``mechanics.restart_state()`` gave) and the current σ_h; to read
        (no ``u_arrays``), zero arrays to read into."""
        m = self.mechanics
        empty = u_arrays is None
        u = {k: np.zeros_like(m.u.x.array) for k in m.RESTART_ARRAYS} if empty else u_arrays
        spaces = {"displacement": (m.V, u)}
        if self.case.coupling == "two_way":
            for i, p in enumerate(self.hydrostatic.parts):
                a = p.sigma.x.array
                spaces[f"sigma_h_{i}"] = (p.V, {"sigma_h": np.zeros_like(a) if empty else a})
        return spaces

    def _restore_mechanics(self, resume: dict) -> bool:
        """Set u, the mechanics solver's state and (two-way) σ_h as the checkpoint has them,
        so that the restarted run solves as the interrupted one would have; False when the
        checkpoint lacks them (an older version)."""
        arrays = resume.get("space_arrays") or {}
        loaded = resume.get("spaces", {})
        if "u" not in loaded.get("displacement", []):
            return False
        sigma = [k for k in arrays if k.startswith("sigma_h_")]
        if not all("sigma_h" in loaded.get(k, []) for k in sigma):
            return False
        self.mechanics.restore(resume.get("mechanics", {}),
                               {k: arrays["displacement"][k]
                                for k in loaded["displacement"]},
                               resume.get("mechanics_pc_thetas", {}))
        if sigma:
            self.hydrostatic.set_arrays([arrays[k]["sigma_h"] for k in sigma])
        return True

    # ---------------------------------------------------------------- two-way coupling
    def _update_sigma_h(self) -> None:
        """σ_h from the current stress by the consistent L2 projection (per region)."""
        self.hydrostatic.project()

    def _diffusion_step(self, dt: float, dirichlet: bool):
        """One time step of θ: one Newton solve (one-way), or a staggered fixed point
        x ↦ G(x) (two-way): σ_h from the stress at θ = x, then Newton for θ with that σ_h.
        The fixed point is accelerated by Aitken's Δ² relaxation, x ← x + ω (G(x) − x), and
        ends when θ changes by less than ``solver.coupling_tolerance``."""
        diff = self.diffusion
        if self.case.coupling != "two_way":
            return diff.step(dt, dirichlet=dirichlet)
        if self.coupled is not None:  # monolithic: u, θ and σ_h together
            self._mechanics_current = False
            rep = self.coupled.step(dt, dirichlet)
            self._mechanics_current = True
            return rep
        s = self.case.solver
        self._sigma_h_saved = self.hydrostatic.arrays()
        n_owned = self.V_theta.dofmap.index_map.size_local
        comm = self.comm

        def dot(a, b):
            return comm.allreduce(float(np.dot(a[:n_owned], b[:n_owned])), op=MPI.SUM)

        x = diff.theta_n.x.array.copy()  # σ_h currently belongs to θ_n
        r_old, omega = None, 1.0
        newton = krylov = hardest = 0
        change = math.inf
        for k in range(s.coupling_max_iterations):
            rep = diff.step(dt, dirichlet=dirichlet, initial=x)
            newton += rep.newton_iterations
            krylov += rep.krylov_iterations
            hardest = max(hardest, rep.newton_iterations)
            r = diff.theta.x.array - x
            local = np.abs(r[:n_owned])
            change = comm.allreduce(float(local.max()) if local.size else 0.0, op=MPI.MAX)
            if change < s.coupling_tolerance:
                rep.newton_iterations, rep.krylov_iterations = newton, krylov
                rep.hardest_newton = hardest  # dt control looks at one Newton solve
                rep.coupling_iterations = k + 1  # ... and at the fixed point's
                return rep
            if r_old is not None:
                dr = r - r_old
                denom = dot(dr, dr)
                if denom > 0.0:
                    omega = -omega * dot(r_old, dr) / denom
                    omega = min(max(omega, 0.05), 2.0)
            r_old = r
            x = x + omega * r
            diff.theta.x.array[:] = x
            self.mechanics.solve()
            self._update_sigma_h()
        self.hydrostatic.set_arrays(self._sigma_h_saved)
        raise NewtonDivergence(f"staggered coupling: θ still changed by {change:.2e} after "
                               f"{s.coupling_max_iterations} iterations")

    def _reject(self) -> None:
        """Undo a tried step (θ and, with two-way coupling, σ_h)."""
        self.diffusion.reject()
        self._mechanics_current = False
        if self.coupled is not None:
            self.coupled.reject()  # θ, u and σ_h of the start of the step
        elif self.case.coupling == "two_way" and hasattr(self, "_sigma_h_saved"):
            self.hydrostatic.set_arrays(self._sigma_h_saved)

    def li_content_old(self) -> float:
        """Li content (mol) at the start of the current step."""
        if not hasattr(self, "_li_old_form"):
            w_s, dx_s = self._storage
            self._li_old_form = dolfinx.fem.form(self.c_max * self.diffusion.theta_n * w_s * dx_s)
        return self.comm.allreduce(dolfinx.fem.assemble_scalar(self._li_old_form), op=MPI.SUM)

    @staticmethod
    def _theta_fraction(mean: float, start: float, targets: dict[str, float]) -> float:
        """How far the mean θ has come from ``start`` to the nearest of ``targets`` (the
        progress of a run that an event ends; 0 without a target)."""
        fracs = [(mean - start) / (v - start) for v in targets.values() if v != start]
        return max([0.0, *fracs])

    def _solve_mechanics(self, t: float | None = None) -> int:
        """u at the current θ of time ``t`` (one-way: CG starts from u extrapolated in time
        through the last two solves; two-way: from the last u, which the staggered iteration
        left at a θ closer than any extrapolation), then, two-way, σ_h. Nothing to do after a
        monolithic step: its Newton solved for u and σ_h at this θ."""
        if self._mechanics_current:
            return 0
        rebuilt = self.mechanics.rebuilds_after_failure
        kry_m = self.mechanics.solve(at=t if self.case.coupling != "two_way" else None)
        if self.mechanics.rebuilds_after_failure > rebuilt:
            self.log.file_only(f"t = {t:.6g} s: elasticity CG failed with the preconditioner "
                               "of an earlier matrix; rebuilt it and solved again")
        if self.case.coupling == "two_way":
            self._update_sigma_h()
        self._counters["krylov_mechanics"] += kry_m
        return kry_m

    def _warn_floor_solves(self, t: float) -> None:
        """Say once when an elasticity CG (of this row or of a step before it) ended at the
        round-off floor above solver.linear_rtol and was accepted."""
        m = self.mechanics
        if m.floor_solves and not self._warned_floor:
            self._warned_floor = True
            self.log.warn(f"by t = {t:.4g} s: the elasticity CG stalled at a relative residual "
                          f"of {m.floor_residual:.2g}, above solver.linear_rtol = "
                          f"{self.case.solver.linear_rtol:g} (the round-off floor of this "
                          "system, close enough to it: accepted). Raise linear_rtol to "
                          "silence this; said once")

    def _record(self, t, dt, newton, krylov, rejected, li0, inflow, write_fields, coupling=0):
        """One history.csv row (and the fields when asked): the mechanics and every derived
        quantity are computed here, so only for the rows that are written."""
        kry_m = self._solve_mechanics(t)
        self._warn_floor_solves(t)
        self._check_finite(t)  # before the stress: its principal values need finite u
        self.stress.update()
        li = self.li_content()
        frac = self.domain.symmetry_fraction
        sign = self._direction_sign()  # (+1 for a prescribed field: no loading direction)
        content = self._li_content_column()
        prev = self.history.rows[-1] if self.history.rows else None
        row = {
            "step": self._step,
            "time [s]": t,
            "dt [s]": dt,
            "mean lithiation fraction [-]": li / self.li_max,
            "capacity [A h/g]": sign * FARADAY * (li - li0) / self.mass / 3.6e6,
            # the mean current since the previous row (the current a held surface θ draws)
            "current [A/g]": (sign * FARADAY * (li - prev[content] * frac) / self.mass / 1e3
                              / (t - prev["time [s]"])
                              if prev is not None and t > prev["time [s]"] else math.nan),
            content: li / frac,
            "Li balance error [-]": (
                abs(li - li0 - inflow) / abs(inflow) if inflow else (0.0 if inflow == 0.0 else math.nan)
            ),
        }
        row.update(self.statistics.surface_row())
        row.update(self.statistics.region_row())
        row.update(self.statistics.interface_row())
        row.update(self.interface_maxima.row())
        row.update(self.measures.row())
        if self.probes.names:
            th = self.probes.evaluate(self.theta)
            vals = {k: self.probes.evaluate(f) for k, f in self.stress.fields.items()}
            for i, name in enumerate(self.probes.names):
                row[f"probe {name}: lithiation fraction [-]"] = float(th[i])
                for k, f in self.stress.fields.items():
                    row[f"probe {name}: {f.name}"] = float(vals[k][i])
        if self.gap_monitor is not None:
            gap = self.gap_monitor.gap()
            row["yolk-shell gap [m]"] = gap
            if gap <= 0.0 and self.gap_closed_at is None:
                self.gap_closed_at = {"time [s]": t, "mean lithiation fraction [-]": li / self.li_max}
                mean = li / self.li_max
                cure = ("prescribe a lower θ" if self.kind == "prescribed" else
                        f"end the run before it (stop.mean_theta below {mean:.4g}, or "
                        "stop.time)")
                self.log.warn(f"t = {t:.4g} s (mean θ = {mean:.4f}): the yolk touches "
                              "the shell; without contact the results after this are not "
                              f"physical: {cure}, or give the yolk more room "
                              "(geometry.void_thickness)")
        row["Newton iterations"] = newton
        row["Krylov iterations (diffusion)"] = krylov
        row["Krylov iterations (mechanics)"] = kry_m
        if self.case.coupling == "two_way" and self.coupled is None:
            row["coupling iterations"] = coupling  # staggered: fixed-point iterations
        row["rejected steps"] = rejected
        row["wall time [s]"] = time.perf_counter() - self._wall0
        self._check_finite(t, row)
        self.history.append(row)
        if write_fields:
            self._check_space(t)
            self.field_output.write(t)
            self._keep_peak_frame(t, row)

    #: history columns that are finite whenever θ and u are (others, such as the Li balance
    #: error of a potentiostatic run or a statistic over an empty set, may be NaN by design)
    FINITE_COLUMNS = ("mean lithiation fraction [-]", "capacity [A h/g]")

    def _li_content_unit(self) -> str:
        """The Li content's unit: mol, or mol per metre of depth in plane strain (a section of
        an infinitely long body holds Li per unit length)."""
        return "mol/m" if self.domain.mode == "plane_strain" else "mol"

    def _li_content_column(self) -> str:
        """The Li content's history column (:meth:`_li_content_unit`)."""
        return f"Li content [{self._li_content_unit()}]"

    def _check_finite(self, t: float, row: dict | None = None) -> None:
        """Stop with one line when θ or u (and, given the row, the stress and the Li content)
        is NaN or inf, naming the step, the time and what: a Krylov solve that reports
        success does not check its answer, the principal stresses of a NaN u raise
        LinAlgError, and every later row, field file and picture would be NaN."""
        fields = [("lithiation fraction θ", self.theta), ("displacement u", self.mechanics.u)]
        if row is not None:
            fields += [(f.name, f) for f in self.stress.fields.values()]
        what = [name for name, f in fields if not np.all(np.isfinite(f.x.array))]
        what += [c for c in (*self.FINITE_COLUMNS, self._li_content_column())
                 if row is not None and not math.isfinite(row[c])]
        what = [w for rank in self.comm.allgather(what) for w in rank]  # the same on all ranks
        if what:
            names = list(dict.fromkeys(what))
            raise NonFiniteResult(
                f"step {self._step}, t = {t:.6g} s: {', '.join(names)} not finite (NaN or inf); "
                "history.csv and the fields hold the steps before it. A material value, the "
                "current or the time step is probably far outside what the solver can handle")

    def _check_space(self, t: float) -> None:
        """Stop before a field write when the results' disk has less than MIN_FREE_MB left
        (decided on rank 0 for all): HDF5 does not fail cleanly on a full disk (an assertion
        ends the process, or every rank throws), and the run would lose its summary."""
        free_mb = shutil.disk_usage(self.out_dir).free / 2**20 if self.rank0 else 0.0
        free_mb = self.comm.bcast(free_mb, root=0)
        if free_mb < MIN_FREE_MB:
            raise OutputDirError(
                f"only {free_mb:.0f} MB left in {self.out_dir} at t = {t:.6g} s: stopped before "
                f"writing the fields (a full disk would corrupt them); free space, then "
                "`chemomech run CASE --restart` continues from the last checkpoint")

    @staticmethod
    def _between_p1(values: np.ndarray, source, target) -> np.ndarray:
        """``values`` (laid out like ``source.x.array``, a P1 function) laid out like
        ``target.x.array`` (P1 on the same mesh, maybe with another dof numbering)."""
        a = dolfinx.fem.Function(source.function_space)
        a.x.array[:] = values
        b = dolfinx.fem.Function(target.function_space)
        b.interpolate(a)
        return b.x.array.copy()

    def _keep_peak_frame(self, t: float, row: dict) -> None:
        """Keep the nodal fields of the written frame with the largest max von Mises: the
        pictures show it beside the final state (which after a two-phase front has passed
        is nearly relaxed: 0.25 GPa in the default case against a peak of 39 GPa)."""
        vm = max_von_mises(row)
        if vm is not None and (self._peak_frame is None or vm > self._peak_frame[0]):
            self._peak_frame = (vm, t, row["mean lithiation fraction [-]"],
                                self.field_output.nodal_fields())

    # ---------------------------------------------------------------- reporting
    def _global_cells(self) -> int:
        tdim = self.domain.mesh.topology.dim
        return self.domain.mesh.topology.index_map(tdim).size_global

    def _dofs(self) -> dict[str, int]:
        def n(V):
            return V.dofmap.index_map.size_global * V.dofmap.index_map_bs

        return {"lithiation_fraction": n(self.V_theta), "displacement": n(self.mechanics.V)}

    def _summary(self, status, reason, error) -> dict:
        rows = self.history.rows
        # each stress column's value of largest magnitude over the rows, sign kept (the max
        # of a column over time would be the unloaded 0 of the first row for a compressive
        # "max" statistic, e.g. the surface's max hydrostatic stress during lithiation)
        # and its range over the rows, [min, max] (the largest tension of a "max" column)
        peak, extremes = {}, {}
        for key in rows[0] if rows else []:
            vals = [r[key] for r in rows if r[key] == r[key]] if key.endswith("[Pa]") else []
            if vals:
                peak[key] = max(vals, key=abs)
                extremes[key] = [min(vals), max(vals)]
        # after a failure other ranks may not reach this point: no collective calls then
        mem = peak_memory_mb() if status == "failed" else self.comm.allreduce(
            peak_memory_mb(), op=MPI.MAX)
        d = self.domain
        found = versions()
        summary = {
            "chemomech": found.get("chemomech", "unknown"),
            "versions": found,
            "case": {
                "name": getattr(self.case, "name", None),
                "source": str(getattr(self.case, "source_path", "") or ""),
                "title": self.case.title,
                "hash": getattr(self, "_hash", None),
                "material_sources": getattr(self.case, "_material_sources", {}),
            },
            "status": status,
            "stop_reason": reason,
            "error": error,
            "mpi_size": self.comm.size,
            "mesh": {
                "mode": d.mode,
                "cells": self._global_cells(),
                "vertices": d.mesh.topology.index_map(0).size_global,
                "dofs": self._dofs(),
                "file": d.mesh_file,
                "statistics": d.mesh_info,
                "regions": d.regions,
                "boundaries": d.boundaries,
                "interfaces": d.interfaces,
                "symmetry_fraction": d.symmetry_fraction,
                "placed_fractions": {k: {"target": a, "placed": b}
                                     for k, (a, b) in self.placed_fractions.items()},
            },
            "run": {
                "steps": getattr(self, "_step", 0),
                # over every accepted step of the run (also those without a history row,
                # and before a --restart)
                "dt_min_s": self._dt_range[0] if math.isfinite(self._dt_range[0]) else None,
                "dt_max_s": self._dt_range[1] if self._dt_range[1] > 0 else None,
                "rejected_steps": sum(r.get("rejected steps", 0) for r in rows),
                "newton_iterations": self._counters.get("newton", 0),
                "krylov_iterations_diffusion": self._counters.get("krylov_diffusion", 0),
                "krylov_iterations_mechanics": self._counters.get("krylov_mechanics", 0),
                # two_way staggered: the fixed-point iterations of the accepted steps
                "coupling_iterations": self._counters.get("coupling"),
                "mechanics_preconditioner_rebuilds_after_failure":
                    self.mechanics.rebuilds_after_failure,
                # elasticity solves accepted at the round-off floor above linear_rtol
                "mechanics_solves_at_round_off_floor": self.mechanics.floor_solves,
                "setup_time_s": self._timers.get("setup"),
                "mesh_time_s": self._timers.get("mesh"),
                "wall_time_s": time.perf_counter() - self._wall0,
                "peak_memory_mb": mem,
                "diffusion_linear_solver": getattr(self.diffusion, "linear_solver", None),
                "coupled_linear_solver": (self.coupled.linear_solver
                                          if self.coupled is not None else None),
            },
            "units": {"time": "s", "stress": "Pa", "capacity": "A h/g",
                      "Li content": self._li_content_unit()},
            "final": rows[-1] if rows else {},
            # what the run warned about (also before a --restart), as run.log has it
            "warnings": self._warnings(),
            "yolk_shell_gap_closed_at": getattr(self, "gap_closed_at", None),
            # θ of the Li-storing regions over the accepted steps (also before a --restart)
            "theta_bounds": ({"min": self.theta_bounds[0], "max": self.theta_bounds[1]}
                             if math.isfinite(self.theta_bounds[0]) else None),
            "peak": peak,
            "range": extremes,
            "outputs": {"fields": self._field_files(),
                        "history": "history.csv", "case": "case.resolved.yaml"},
        }
        return summary

    def _warn_newton_cutback(self, message: str) -> None:
        """A step cut back after a failed Newton solve: a warning for the first
        :data:`NEWTON_CUTBACKS_SHOWN` of the run, then one saying that run.log alone lists the
        rest (a run at high current can be cut back thousands of times: each on the console
        and in summary.json's warnings buried everything else)."""
        self._newton_cutbacks += 1
        if self._newton_cutbacks <= NEWTON_CUTBACKS_SHOWN:
            self.log.warn(message)
            return
        if self._newton_cutbacks == NEWTON_CUTBACKS_SHOWN + 1:
            self.log.warn(f"more than {NEWTON_CUTBACKS_SHOWN} steps cut back after a failed "
                          "Newton solve: run.log lists the others (history.csv's 'rejected "
                          "steps' and summary.json's run.rejected_steps count every cut-back)")
        self.log.file_only(f"warning: {message}")

    def _warnings(self) -> list[str]:
        """The run's warnings in order, those before a --restart first (a warning about the
        case, given again by the restarted part, once)."""
        return list(dict.fromkeys([*self._earlier_warnings, *self.log.warnings]))

    def _field_files(self) -> list[str]:
        """The field files of the whole run. After a restart: those of every part
        (``fields.xdmf``, ``fields_r1.xdmf``, …) that exists, and ``fields.pvd``, the one series
        of all frames, instead of the restarted part's ``fields_r<k>.pvd``."""
        names = [p.name for p in self.field_output.files]
        if not self._restarts:
            return names
        stem = f"fields_r{self._restarts}"
        stems = ["fields", *(f"fields_r{k}" for k in range(1, self._restarts + 1))]
        files = []
        for name in names:
            if name.endswith(".pvd"):
                files.append("fields.pvd")
                continue
            rest = name[len(stem):]
            files += [f"{s}{rest}" for s in stems
                      if s == stem or (self.out_dir / f"{s}{rest}").exists()]
        return files

    def _pictures(self) -> list[Path]:
        """The final state's PNGs and, when an earlier written frame had a larger max von
        Mises, that frame's (``*_at_peak``). The frames are gathered on every rank first;
        only rank 0 draws, and a failed drawing is a warning (it must not lose a run)."""
        if not self.case.output.pictures:
            return []
        from solver.outputs.pictures import gather_pieces

        fo = self.field_output
        fo._update()
        space = fo.theta_out.function_space
        last = self.history.rows[-1]
        frames = [(gather_pieces(space, fo.nodal_fields()), "", (
            f"{self.case.title}\nend of the run: t = {last['time [s]']:.4g} s, mean theta "
            f"{last['mean lithiation fraction [-]']:.3f}"))]
        peak = self._peak_frame  # the same on every rank (from the reduced history rows)
        if peak is not None and draws_peak(peak[1], peak[0], last["time [s]"],
                                           max_von_mises(last)):
            vm, t, mean, frame = peak
            frames.append((gather_pieces(space, frame), AT_PEAK, (
                f"{self.case.title}\nat t = {t:.4g} s, mean theta {mean:.3f}: the written "
                f"frame of largest max von Mises ({vm / 1e9:.3g} GPa element-wise, as in "
                "history.csv; drawn: nodal averages)")))
        if self.comm.rank != 0:
            return []
        written: list[Path] = []
        try:
            from solver.outputs.pictures import draw_fields, grid_of

            for pieces, suffix, title in frames:
                written += draw_fields(grid_of(pieces), self.domain.mode, PICTURED_FIELDS,
                                       self.out_dir / "png", title, suffix=suffix)
            return written
        except KeyboardInterrupt:  # a second signal while drawing: the run is complete
            self.log.warn(f"pictures interrupted ({len(written)} drawn): `chemomech plot "
                          f"{self.out_dir}` draws them")
            return written
        except Exception as exc:  # a picture must never lose a finished run
            self.log.warn(f"pictures not written: {exc}")
            return []
