"""Names of the lessons as the player reads them (the level files carry the stories)."""

from __future__ import annotations

from .i18n import _


def lesson_name(lesson: str) -> str:
    names = {
        "step_size": _("Step size"),
        "divergence": _("Divergence"),
        "too_slow": _("Too slow"),
        "local_minimum": _("Local minimum"),
        "momentum": _("Momentum"),
        "step_decay": _("Step decay"),
        "adaptive": _("Adaptive rates"),
        "lr_finder": _("LR finder"),
        "warmup": _("Warmup"),
        "noise": _("Noise"),
        "mixed": _("Boss"),
    }
    return names.get(lesson, lesson)


def outcome_name(outcome: str) -> str:
    names = {
        "reached_goal": _("Reached the goal"),
        "stuck_local": _("Stuck in a local minimum"),
        "out_of_steps": _("Out of steps"),
        "diverged": _("Diverged"),
    }
    return names.get(outcome, outcome)


def stars_text(stars: int) -> str:
    """Stars as glyphs, readable without colour: ★★☆."""
    return "★" * stars + "☆" * (3 - stars)
