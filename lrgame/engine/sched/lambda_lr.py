"""LambdaLR: the rate times a function of the step, written in the level expression language."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from ..expr import Expression
from ..params import ParamSpec
from .base import ScheduleDef, ScheduleSpec, base_text

VARIABLES = ("epoch",)


@lru_cache(maxsize=64)
def expression(text: str) -> Expression:
    """The parsed ``lr_lambda`` (the parser checked it when the strategy was read)."""
    return Expression.parse(text, VARIABLES)


def factors(text: str, k: np.ndarray) -> np.ndarray:
    """``lr_lambda(epoch)`` at each step of ``k`` ([N]), in float64; inf/nan stay as they are."""
    with np.errstate(all="ignore"):
        return expression(text).value(k.astype(np.float64)[:, None])


def lambda_param(doc: str) -> ParamSpec:
    return ParamSpec(
        "lr_lambda",
        kind="expr",
        choices=VARIABLES,
        doc=doc + " Written in the level expression language over the variable epoch "
        "(e.g. 0.97^epoch, 1/(1 + 0.1*epoch)); exported as a Python lambda.",
        examples=("0.97^epoch", "1/(1 + 0.05*epoch)"),
    )


def lambda_source(text: str) -> str:
    """``lr_lambda`` as the Python lambda torch is given."""
    from .export import python_expression

    return f"lambda epoch: {python_expression(expression(text))}"


def _lr(p: Mapping[str, Any], lr0: np.ndarray, k: np.ndarray) -> np.ndarray:
    return lr0 * factors(p["lr_lambda"], k)


def _describe(spec: ScheduleSpec, lr: float | None, k: str) -> str:
    return f"lr = {base_text(lr)} · f({k}), f(epoch) = {spec.params['lr_lambda']}"


def _export(spec: ScheduleSpec, steps: int) -> tuple[str, set[str]]:
    return (
        f"LambdaLR(optimizer, lr_lambda={lambda_source(spec.params['lr_lambda'])})",
        {"LambdaLR"},
    )


SCHEDULE = ScheduleDef(
    name="lambda",
    torch_class="LambdaLR",
    title="LambdaLR",
    description="Sets the learning rate to lr times a function of the step "
    "(torch.optim.lr_scheduler.LambdaLR).",
    summary="lr × f(k), f written over epoch (e.g. 0.97^epoch)",
    order=76,
    params=(lambda_param("The factor the optimizer's lr is multiplied by at each step."),),
    lr=_lr,
    describe=_describe,
    export=_export,
)
