"""Adaptive time step control (DESIGN §3): grow on easy Newton solves, cut back on failure.

Convergence is never asserted: a failed or too-large step is rejected and retried with a
smaller dt; below ``dt_min`` a :class:`TimeStepError` names the time and the reason.
"""

from __future__ import annotations


#: the share of time.max_dtheta a step aims at (after a rejection, and when growing dt)
SAFETY = 0.9
#: the largest step-to-step growth of the rate of change of θ the dt prediction assumes
RATE_GROWTH_MAX = 2.0


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
        #: rate of change of θ (max nodal change / dt, 1/s) of the last accepted step
        self.last_rate: float | None = None

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

    def accepted(self, dt_taken: float, newton_iterations: int,
                 max_change: float | None = None, hard: bool = False) -> None:
        """Next nominal dt after an accepted step of ``dt_taken`` (s).

        Grows by ``growth`` after an easy Newton solve, unless the step was ``hard`` (an
        outer iteration, e.g. the staggered coupling, needed most of its budget). With
        ``max_change`` (the largest nodal change of θ in the step) the next dt is also kept
        to SAFETY · max_dtheta over the predicted rate of change: the rate of this step
        (max_change / dt_taken), times its growth since the last accepted step when it grew
        (at most RATE_GROWTH_MAX). A lithiation front speeds up as it closes in on the
        centre, so a constant-rate guess overshoots the limit step after step, and every
        rejection costs a second Newton solve of the same step.
        """
        base = max(self.dt, dt_taken)  # a step shortened to land on a target keeps nominal dt
        if newton_iterations <= self.s.easy_newton_iterations and not hard:
            base *= self.s.growth
        if max_change is not None and max_change > 0.0:
            rate = max_change / dt_taken
            trend = 1.0
            if self.last_rate:
                trend = min(max(rate / self.last_rate, 1.0), RATE_GROWTH_MAX)
            self.last_rate = rate
            base = min(base, SAFETY * self.s.max_dtheta / (rate * trend))
        # never below dt_min (only a step shortened to land on a target time can be)
        self.dt = min(max(base, self.s.dt_min), self.s.dt_max)

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
