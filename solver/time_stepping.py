"""Adaptive time step control (DESIGN §3): grow on easy Newton solves, cut back on failure.

Convergence is never asserted: a failed or too-large step is rejected and retried with a
smaller dt; below ``dt_min`` a :class:`TimeStepError` names the time and the reason.
"""

from __future__ import annotations


class TimeStepError(RuntimeError):
    """dt fell below dt_min: the time step cannot be reduced further."""


class AdaptiveStep:
    """Time-step size control.

    Args:
        settings: the case's ``time`` section (dt_initial, dt_min, dt_max in s; growth,
            cutback factors; easy_newton_iterations).
    """

    def __init__(self, settings):
        self.s = settings
        self.dt = float(settings.dt_initial)
        self.rejected = 0

    def propose(self, t: float, targets: list[float]) -> float:
        """Next dt (s): the nominal dt, shortened to land exactly on the next target time.

        When the next target is less than two nominal steps away, the remaining interval is
        split evenly instead of leaving a sliver step.
        """
        dt = min(self.dt, self.s.dt_max)
        future = [x - t for x in targets if x - t > 1e-12 * max(1.0, abs(x))]
        if future:
            gap = min(future)
            if gap <= dt:
                return gap
            if gap < 2.0 * dt:
                return 0.5 * gap
        return dt

    def accepted(self, dt_taken: float, newton_iterations: int) -> None:
        base = max(self.dt, dt_taken) if dt_taken < self.dt else dt_taken
        if newton_iterations <= self.s.easy_newton_iterations:
            base *= self.s.growth
        self.dt = min(base, self.s.dt_max)

    def rejected_step(self, dt_tried: float, t: float, reason: str, factor: float | None = None):
        """Cut dt after a rejected step; raises TimeStepError below dt_min."""
        self.rejected += 1
        f = self.s.cutback if factor is None else min(max(factor, 0.05), 0.95)
        new = dt_tried * f
        if new < self.s.dt_min:
            if dt_tried > self.s.dt_min * (1 + 1e-12):
                new = self.s.dt_min
            else:
                raise TimeStepError(
                    f"at t = {t:.6g} s the time step cannot be reduced below dt_min = "
                    f"{self.s.dt_min:.3g} s ({reason}); lower time.dt_min or refine the mesh"
                )
        self.dt = new
