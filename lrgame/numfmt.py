"""Numbers as a player reads them: one formatter for every player-facing text.

``num`` is the general form (three significant digits, compact exponents:
``1e-6``, not ``1e-06``); ``loss`` shows a loss whose size is below
``LOSS_ZERO`` as "≈ 0", since a learner cannot tell ``3.91e-08`` from zero and
should not have to; ``rate`` shows a learning rate in two or three digits.
``rate_bound`` rounds an interval's end *inwards* (a lower end up, an upper end
down), so a range quoted to a player never includes a rate the measurement did
not cover. Nothing here imports the UI.
"""

from __future__ import annotations

import math
from typing import Literal

LOSS_ZERO = 1e-6
"""Losses smaller than this in size read as "≈ 0"."""


def _compact(text: str) -> str:
    """``1e-06`` -> ``1e-6``, ``2e+03`` -> ``2e3``."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    sign = "-" if exponent.startswith("-") else ""
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def non_finite(value: float) -> str | None:
    """ "∞", "-∞" or "NaN" for a non-finite value; None for a finite one."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return None


def num(value: float | None, digits: int = 3) -> str:
    """A number in ``digits`` significant digits: ``0.0423``, ``1.5e-7``, ``1.2e4``; ``?`` for None."""
    if value is None:
        return "?"
    value = float(value)
    special = non_finite(value)
    if special is not None:
        return special
    if value == 0:
        return "0"
    if 1 <= abs(value) < 1e5:
        # Plain digits for everyday sizes: 100, not 1e2; rounded to the significant digits.
        places = digits - 1 - math.floor(math.log10(abs(value)))
        rounded = round(value, places)
        if places <= 0:
            return f"{rounded:.0f}"
        return f"{rounded:.{places}f}".rstrip("0").rstrip(".")
    return _compact(f"{value:.{digits}g}")


def loss(value: float | None, digits: int = 3) -> str:
    """A loss: ``num``, but "≈ 0" when it is smaller than ``LOSS_ZERO`` in size (and not exactly 0)."""
    if value is not None and math.isfinite(value) and 0 < abs(value) < LOSS_ZERO:
        return "≈ 0"
    return num(value, digits)


def rate(value: float | None, digits: int = 3) -> str:
    """A learning rate: ``num`` with ``digits`` significant digits (``0.0794``, ``1e-6``)."""
    return num(value, digits)


def rate_bound(value: float, side: Literal["low", "high"], digits: int = 2) -> str:
    """An interval's end rounded inwards to ``digits`` significant digits.

    A lower end rounds up and an upper end rounds down, so ``[0.0794, 1.096]``
    reads ``0.08 to 1`` with two digits: every rate in the quoted range lies
    in the measured one.
    """
    if not math.isfinite(value) or value <= 0:
        return num(value, digits)
    exponent = math.floor(math.log10(value)) - (digits - 1)
    scale = 10.0**exponent
    scaled = value / scale
    # A hair of slack so a value already on the grid does not move a whole unit.
    rounded = math.ceil(scaled - 1e-9) if side == "low" else math.floor(scaled + 1e-9)
    return num(rounded * scale, digits)


def percent(fraction: float, digits: int = 2) -> str:
    """A fraction as a percentage: ``0.0123`` -> ``1.2%``."""
    return f"{num(100.0 * fraction, digits)}%"


def approx(value: float | None) -> str:
    """``≈ 0`` or ``= 1.3``: a measured value after a symbol, read as an equation."""
    text = loss(value)
    return text if text.startswith("≈") else f"= {text}"
