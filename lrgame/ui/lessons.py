"""Names of the lessons as the player reads them (the level files carry the stories)."""

from __future__ import annotations

from lrgame.engine.outcome import Outcome

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
        "adaptive_finish": _("Adam's finish"),
        "mixed": _("Boss"),
    }
    return names.get(lesson, lesson)


def lesson_takeaway(lesson: str) -> str:
    """What a lesson leaves the player with, in one sentence (the ending screen lists them)."""
    takeaways = {
        "step_size": _(
            "The learning rate is the length of every stride: too long and you fly off, "
            "too short and you never arrive."
        ),
        "divergence": _(
            "Past 2 / curvature each stride overshoots by more than the last, and the walk "
            "blows up."
        ),
        "too_slow": _("On gentle ground, a rate that looks reckless can be just right."),
        "local_minimum": _("Short, careful strides settle in the first dip they find."),
        "momentum": _(
            "Momentum carries speed from step to step, over small bumps; too much of it overshoots."
        ),
        "step_decay": _("Long strides to cover ground, short ones to land: lower the rate."),
        "adaptive": _("Adam and RMSprop size each direction's stride by its own slopes."),
        "adaptive_finish": _(
            "Adam's strides stay about as long as the rate however gentle the slope: decay "
            "the rate to land."
        ),
        "lr_finder": _("A short test walk with a growing rate beats guessing."),
        "warmup": _(
            "Where the ground is sharpest at the start, begin with short strides and lengthen them."
        ),
        "noise": _("Noisy gradients shove every stride; a shrinking rate shrinks the shove."),
        "mixed": _("Real landscapes call for several tools at once."),
    }
    return takeaways.get(lesson, "")


def outcome_name(outcome: Outcome) -> str:
    """The outcome's headline (``Outcome.headline``) in the player's language.

    Spelled out again only so the message extractor finds each ``_()``; a test
    keeps the English equal to the engine's table."""
    names = {
        Outcome.REACHED_GOAL: _("Reached the goal"),
        Outcome.STUCK_LOCAL: _("Stuck in a local minimum"),
        Outcome.OUT_OF_STEPS: _("Out of steps"),
        Outcome.DIVERGED: _("Diverged"),
    }
    return names[outcome]


def stars_text(stars: int) -> str:
    """Stars as glyphs, readable without colour: ★★☆."""
    return "★" * stars + "☆" * (3 - stars)
