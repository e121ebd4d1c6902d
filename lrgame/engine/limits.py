"""Resource limits: what one command, one level or one file may cost, stated up front.

A level file or a command line is untrusted input, and each of these numbers
multiplies into time or memory: a run of the engine keeps every point it
visits (about 56 bytes per run-step in 2-D), each step runs the gradient
program once, and each demo of a level is a separate optimizer stepped in
Python. Beyond a limit the work is refused, in one line that names the limit,
instead of being attempted. ``benchmarks/bench_limits.py`` measures the worst
input these limits allow.
"""

from __future__ import annotations

from .errors import LrgameError

MAX_RUN_STEPS = 10_000_000
"""Simulated run-steps per command: runs × steps (a sweep's ``--points × --steps``)."""

MAX_OPERATION_STEPS = 1_000_000
"""Gradient operations × steps of one run: a long loss gets a shorter budget."""

MAX_WORK = 1_000_000_000
"""Runs × steps × gradient operations per command: element operations, about 5 s of them.

A sweep of many rates over a long loss fits the run-steps limit and each run
fits the operation limit, yet together they would take minutes; this bounds
the product. Extra runs a command adds (the coach's sweeps) should fit in
what is left: see :func:`affordable_runs`.
"""

MAX_DEMO_STEPS = 200_000
"""Steps of all of a level's demos together (``validate`` runs each one)."""

MAX_GOAL_POINTS = 100
"""Points in a level's ``goal.minimum``."""

MAX_FILE_BYTES = 1_000_000
"""The largest level, strategy or save file read; larger ones are refused unread."""


class LimitError(LrgameError):
    """Work refused because it would exceed one of the limits above."""


def run_steps_problem(runs: int, steps: int, what: str) -> str | None:
    """Why ``runs`` runs of ``steps`` steps are too many, or None if they fit."""
    if runs * steps > MAX_RUN_STEPS:
        return (
            f"{what}: {runs:,} runs × {steps:,} steps is {runs * steps:,} run-steps, "
            f"over the limit of {MAX_RUN_STEPS:,} per command"
        )
    return None


def check_run_steps(runs: int, steps: int, what: str) -> None:
    """Refuse ``runs`` runs of ``steps`` steps beyond ``MAX_RUN_STEPS`` (LimitError).

    ``what`` names the request in the message, e.g. ``"--points 100000 --steps 1000"``.
    """
    problem = run_steps_problem(runs, steps, what)
    if problem:
        raise LimitError(problem)


def operation_steps_problem(operations: int, steps: int) -> str | None:
    """Why ``steps`` steps of a gradient of ``operations`` operations cost too much, or None."""
    if operations * steps > MAX_OPERATION_STEPS:
        return (
            f"the loss's gradient takes {operations:,} operations a step; {steps:,} steps "
            f"would take {operations * steps:,}, over the limit of {MAX_OPERATION_STEPS:,} "
            f"(at most {max(1, MAX_OPERATION_STEPS // max(operations, 1)):,} steps "
            "for this loss; shorten the loss or the steps)"
        )
    return None


def check_operation_steps(operations: int, steps: int) -> None:
    """Refuse a run whose gradient work exceeds ``MAX_OPERATION_STEPS`` (LimitError)."""
    problem = operation_steps_problem(operations, steps)
    if problem:
        raise LimitError(problem)


def work_problem(runs: int, steps: int, operations: int, what: str) -> str | None:
    """Why ``runs`` runs of ``steps`` steps over a gradient of ``operations`` cost too much."""
    work = runs * steps * max(operations, 1)
    if work > MAX_WORK:
        return (
            f"{what}: {runs:,} runs × {steps:,} steps × {operations:,} gradient operations "
            f"is {work:,}, over the limit of {MAX_WORK:,} per command "
            f"(at most {affordable_runs(steps, operations):,} runs of this length on this loss)"
        )
    return None


def check_work(runs: int, steps: int, operations: int, what: str) -> None:
    """Refuse work beyond ``MAX_WORK`` (LimitError), naming the request as ``what``."""
    problem = work_problem(runs, steps, operations, what)
    if problem:
        raise LimitError(problem)


def affordable_runs(steps: int, operations: int, *, budget: int = MAX_WORK) -> int:
    """How many runs of ``steps`` steps on a loss of ``operations`` fit in ``budget``.

    Both limits apply: the run-steps (memory) and the work (time). A caller
    that adds optional runs (the coach's sweeps) can size them with this.
    """
    return max(
        0, min(MAX_RUN_STEPS // max(steps, 1), budget // (max(steps, 1) * max(operations, 1)))
    )
