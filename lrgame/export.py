"""A strategy as PyTorch code: the optimizer, the scheduler with the same arguments, the loop.

The lesson has to carry over to real training code, so the export is the
exact torch equivalent of what lrgame simulated: ``scheduler.step()`` after
each ``optimizer.step()`` (``scheduler.step(loss)`` for ReduceLROnPlateau).
"""

from __future__ import annotations

from .engine.optim import REGISTRY as OPTIMIZERS
from .engine.sched.export import ATOM, PythonOps, kwargs_text, scheduler_code
from .engine.schedules import is_pure
from .engine.strategy import Strategy
from .levels.model import Level

OPTIMIZER_CLASSES = {name: d.torch_class for name, d in OPTIMIZERS.items()}


class _TorchOps(PythonOps):
    """A parsed loss as torch source: the same operators, ``torch.`` functions."""

    module = "torch"


def loss_source(level: Level) -> str:
    """The level's loss as a torch function of the parameter tensor ``p``."""
    names = ("x",) if level.dim == 1 else ("x", "y")
    values = {name: (name, ATOM) for name in names}
    text, _ = level.expression.evaluate_with(_TorchOps(), values)  # type: ignore[arg-type]
    unpack = "x = p[0]" if level.dim == 1 else "x, y = p[0], p[1]"
    return f"def loss_fn(p):\n    {unpack}\n    return {text}\n"


def torch_code(strategy: Strategy, level: Level | None = None) -> str:
    """Runnable PyTorch code for the strategy (and the level's landscape, when given)."""
    opt = strategy.optimizer
    optimizer_args = kwargs_text({"lr": opt.lr, **opt.params})
    scheduler, classes = scheduler_code(strategy.schedule, strategy.steps)
    plateau = not is_pure(strategy.schedule)  # ReduceLROnPlateau reads the loss
    imports = sorted(classes)
    optimizer_line = (
        f"optimizer = torch.optim.{OPTIMIZER_CLASSES[opt.name]}(params, {optimizer_args})"
    )
    if level is None:
        return _skeleton(strategy, optimizer_args, scheduler, imports)
    from .levels.lab import ModelLevel  # lab imports the level model too

    if isinstance(level, ModelLevel):
        from .labexport import model_torch_code

        return model_torch_code(strategy, level, optimizer_line, scheduler, imports)
    lines = ["import math", "import torch"] if _needs_math(scheduler) else ["import torch"]
    if imports:
        lines.append(f"from torch.optim.lr_scheduler import {', '.join(imports)}")
    lines.append("")
    lines.append(f"# The landscape of {level.id!r}; replace it with your model's loss.")
    lines.append(loss_source(level))
    start = ", ".join(repr(float(v)) for v in level.start)
    lines.append(f"p = torch.tensor([{start}], dtype=torch.float64, requires_grad=True)")
    lines.append("params = [p]")
    lines.append(optimizer_line)
    if scheduler:
        lines.append(f"scheduler = {scheduler}")
    lines.append("")
    lines.append(f"for step in range({strategy.steps}):")
    lines.append("    loss = loss_fn(p)")
    lines.append("    loss.backward()")
    lines.append("    optimizer.step()")
    if scheduler:
        lines.append("    scheduler.step(loss.item())" if plateau else "    scheduler.step()")
    lines.append("    optimizer.zero_grad()")
    lines.append("")
    lines.append("print(p.detach().tolist(), loss.item())")
    return "\n".join(lines) + "\n"


def _needs_math(scheduler: str | None) -> bool:
    """An lr_lambda with a function needs Python's math module."""
    return scheduler is not None and "math." in scheduler


def _skeleton(
    strategy: Strategy, optimizer_args: str, scheduler: str | None, imports: list[str]
) -> str:
    """Without a level: the strategy for the reader's own ``model.parameters()``.

    A made-up loss to minimise would start wherever it starts and teach nothing;
    a small model and random data make the loop runnable as it is, and say which
    lines to replace.
    """
    plateau = not is_pure(strategy.schedule)  # ReduceLROnPlateau reads the loss
    lines = ["import torch", "from torch import nn"]
    if _needs_math(scheduler):
        lines.insert(0, "import math")
    if imports:
        lines.append(f"from torch.optim.lr_scheduler import {', '.join(imports)}")
    lines += [
        "",
        "# No level given: this strategy's optimizer and scheduler for your own model.",
        "# The model, the data and the loss below are placeholders that make the loop run;",
        "# replace them with yours. One optimizer step (and one scheduler step) per batch,",
        "# as in lrgame.",
        "model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))",
        "inputs, targets = torch.randn(256, 8), torch.randn(256, 1)",
        "batches = list(zip(inputs.split(32), targets.split(32)))",
        "loss_fn = nn.MSELoss()",
        "",
        f"optimizer = torch.optim.{OPTIMIZER_CLASSES[strategy.optimizer.name]}"
        f"(model.parameters(), {optimizer_args})",
    ]
    if scheduler:
        lines.append(f"scheduler = {scheduler}")
    lines += [
        "",
        f"steps = {strategy.steps}",
        "step = 0",
        "while step < steps:",
        "    for x, y in batches:",
        "        loss = loss_fn(model(x), y)",
        "        loss.backward()",
        "        optimizer.step()",
    ]
    if scheduler:
        lines.append(
            "        scheduler.step(loss.item())" if plateau else "        scheduler.step()"
        )
    lines += [
        "        optimizer.zero_grad()",
        "        step += 1",
        "        if step == steps:",
        "            break",
        '    print(f"step {step}: loss {loss.item():.4g}")',
    ]
    return "\n".join(lines) + "\n"
