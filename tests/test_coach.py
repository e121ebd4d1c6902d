"""The coach tells the truth: every claim it makes is checked against the run and a fresh sweep.

For every shipped level and a few generated landscapes, lost runs at constant
rates 0, 1e-3 … 10 and every losing demo are diagnosed, and each claim is
checked by an independent computation: the direction of rate advice against a
sweep run here, each quoted interval's ends and geometric middle by running
them, the stability limit against the rate that diverged, the curvature named
against the Hessian at the points the walk visited, and every suggested tool
against what the level offers.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache

import numpy as np
import pytest

from lrgame.analysis.tools import candidates
from lrgame.coach import Diagnosis, diagnose, explain
from lrgame.engine.optim import REGISTRY as OPTIMIZERS
from lrgame.engine.simulate import run_batch, run_sweep
from lrgame.engine.stability import stability_factors, worst, zone
from lrgame.engine.strategy import Strategy
from lrgame.levels.loader import campaign_files, check_text, load_level
from lrgame.levels.model import Level
from lrgame.levels.paths import shipped_levels_dir
from lrgame.numfmt import rate_bound

RATES = (0.0, 1e-3, 1e-2, 1e-1, 1.0, 10.0)
CHECK_GRID = np.geomspace(1e-6, 1e2, 241)
"""An independent grid (not the coach's 200 points) for the direction checks."""
DECAY = {"step", "multistep", "exponential", "cosine"}
WARMUP = {"warmup_cosine", "linear"}

# A quadratic valley with curvature 16 at its minimum (x = 0.8).
GORGE = {
    "id": "gorge",
    "title": "Gorge",
    "loss": "8*(x - 0.8)**2",
    "domain": {"x": [-3, 3]},
    "start": [-2],
    "steps": 70,
    "par": 8,
    "demos": {"win": [{"strategy": {"optimizer": {"name": "sgd", "lr": 0.06}}}]},
}
DIP = {
    "id": "dip",
    "title": "Dip",
    "loss": "x**4 - 3*x**2 + x",
    "domain": {"x": [-2.5, 2.5]},
    "start": [2.2],
    "steps": 60,
    "par": 20,
}


def generated() -> list[dict]:
    """Seeded landscapes: bowls, tilted washboards and 2-D ravines of random sizes."""
    rng = np.random.default_rng(7)
    out = []
    for i in range(4):
        a, c, b, k = (
            rng.uniform(0.5, 20),
            rng.uniform(-1, 1),
            rng.uniform(0, 1.5),
            rng.uniform(2, 6),
        )
        out.append(
            {
                "id": f"gen-1d-{i}",
                "title": "Generated",
                "loss": f"{a:.3f}*(x - {c:.3f})**2 + {b:.3f}*sin({k:.3f}*x)",
                "domain": {"x": [-4, 4]},
                "start": [float(rng.uniform(-3.5, -2))],
                "steps": 80,
            }
        )
    for i in range(3):
        a, b = rng.uniform(0.2, 2), rng.uniform(20, 200)
        out.append(
            {
                "id": f"gen-2d-{i}",
                "title": "Generated",
                "loss": f"{a:.3f}*(x - 1)**2 + {b:.3f}*(y + 0.5)**2",
                "domain": {"x": [-4, 4], "y": [-4, 4]},
                "start": [-3.0, 2.0],
                "steps": 100,
            }
        )
    return out


def level_of(data: dict) -> Level:
    checked = check_text(json.dumps(data))
    assert checked.level is not None, checked.lines
    return checked.level


@cache
def shipped(name: str) -> Level:
    return load_level(shipped_levels_dir() / name)


SHIPPED = [p.name for p in campaign_files(shipped_levels_dir())]


def by_id(level_id: str) -> Level:
    """A shipped level by its id (file numbers change when levels are inserted)."""
    return next(shipped(n) for n in SHIPPED if shipped(n).id == level_id)


GENERATED = generated()


def run_of(level: Level, strategy: Strategy):  # type: ignore[no-untyped-def]
    batch = run_batch(level.landscape, level.start, [strategy], level.noise)
    return batch.row(0), level.judge(batch)[0]


def coach(level: Level, strategy: Strategy) -> tuple[Diagnosis, object]:
    run, verdict = run_of(level, strategy)
    return diagnose(level, strategy, run, verdict), (run, verdict)


def cases(level: Level) -> list[Strategy]:
    """Constant rates with the first allowed optimizer, and every losing demo."""
    name = level.allowed.optimizers[0]
    out = [level.strategy({"optimizer": {"name": name, "lr": lr}}) for lr in RATES]
    out += [d.strategy for d in level.demos if d.outcome != "reached_goal"]
    return out


def wins_at(level: Level, strategy: Strategy, rates: list[float]) -> list[bool]:
    batch = run_sweep(level.landscape, level.start, strategy, np.asarray(rates), level.noise)
    return [v.outcome == "reached_goal" for v in level.judge(batch)]


def checked_rates(low: float, high: float) -> list[float]:
    """An interval's ends, its geometric middle, and its ends as the coach writes them."""
    written = [float(rate_bound(low, "low")), float(rate_bound(high, "high"))]
    return [low, high, math.sqrt(low * high), *(w for w in written if low <= w <= high)]


def check_claims(level: Level, strategy: Strategy) -> None:
    d, (run, verdict) = coach(level, strategy)
    text = explain(d)
    assert text and "?" not in text.replace("(?", "")
    assert d.kind == verdict.outcome
    if d.kind == "reached_goal":
        return
    allowed = level.allowed
    lr = strategy.lr

    # Rate advice only towards a side where rates run here win: an independent grid, or
    # the quoted interval ends (each of which is run below).
    if "larger_lr" in d.suggestions or "smaller_lr" in d.suggestions:
        grid_wins = wins_at(level, strategy, list(CHECK_GRID))
        winners = list(CHECK_GRID[np.array(grid_wins)])
        winners += [end for pair in d.winning_lrs or [] for end in pair]
        if "larger_lr" in d.suggestions:
            assert any(w > lr for w in winners), (level.id, lr, d.suggestions)
            assert any(w > lr for w in CHECK_GRID[np.array(grid_wins)]) or d.winning_lrs
        if "smaller_lr" in d.suggestions:
            assert any(w < lr for w in winners), (level.id, lr, d.suggestions)

    # Quoted intervals: the losing rate is in none; ends (as measured and as written,
    # rounded inwards) and geometric middles win.
    for low, high in d.winning_lrs or []:
        assert not (low <= lr <= high), (level.id, lr, low, high)
        assert all(wins_at(level, strategy, checked_rates(low, high))), (
            level.id,
            lr,
            low,
            high,
        )
    # The same for each tool's ranges, run with the tool's own variant of the strategy.
    variants = candidates(level, strategy)
    for tool in d.tools:
        for low, high in tool.get("winning_lrs", []):
            variant = next(
                s
                for code, s in variants
                if code == tool["code"]
                and tool["name"] in ("momentum", s.optimizer.name, s.schedule.name)
            )
            assert all(wins_at(level, variant, checked_rates(low, high))), (
                level.id,
                lr,
                tool["name"],
                low,
                high,
            )
    for tool in d.tools:
        # Never a tool the level does not offer.
        code = tool["code"]
        if code == "momentum":
            assert allowed.momentum and "sgd" in allowed.optimizers
        elif code == "adaptive":
            assert OPTIMIZERS[tool["name"]].adaptive and tool["name"] in allowed.optimizers
        elif code == "decay":
            assert tool["name"] in DECAY and tool["name"] in allowed.schedules
        elif code == "warmup":
            assert tool["name"] in WARMUP and tool["name"] in allowed.schedules
    for code in d.suggestions:
        assert code in {"larger_lr", "smaller_lr"} | {t["code"] for t in d.tools}
    if d.finder_hidden:
        assert d.winning_lrs is None and all("winning_lrs" not in t for t in d.tools)

    if d.kind == "diverged" and d.curvature is not None:
        # The curvature named is the Hessian's largest eigenvalue at a visited point.
        points = run.trajectory[: run.steps]
        with np.errstate(all="ignore"):
            eig = np.linalg.eigvalsh(level.landscape.hessian(points))[:, -1]
        assert np.any(np.abs(eig - d.curvature) <= 0.01 * abs(d.curvature)), (level.id, lr)
        if d.stability_limit is not None:
            assert d.blowup_lr is not None
            assert d.stability_limit < d.blowup_lr <= max(lr, float(np.nanmax(run.lr)))
            # The number the player reads is never above the limit: every rate below it is stable.
            quoted = re.search(r"stable only while lr < (\S+), and", text.replace("\n", " "))
            if quoted is not None:
                assert float(quoted.group(1)) <= d.stability_limit, (level.id, lr, quoted.group(1))
    if d.cause == "never_moved" and lr == 0:
        assert "η = 0" in text
    if "slope is flat" in text:
        # Flat means flat against the walk itself: under 1% of the steepest slope it met.
        norms = np.linalg.norm(run.grad[: run.steps + 1], axis=-1)
        assert np.linalg.norm(run.grad[run.steps]) <= 0.01 * np.nanmax(norms), (level.id, lr)
    if d.cause == "crawling":
        # Still falling, and the last strides short against the way left.
        assert d.fall_per_step is not None and d.fall_per_step > 0
        assert d.stride is not None and d.distance is not None and d.stride < 0.1 * d.distance


@pytest.mark.parametrize("name", SHIPPED)
def test_every_claim_on_shipped_levels(name: str) -> None:
    level = shipped(name)
    for strategy in cases(level):
        check_claims(level, strategy)


@pytest.mark.parametrize("data", GENERATED, ids=[d["id"] for d in GENERATED])
def test_every_claim_on_generated_landscapes(data: dict) -> None:
    level = level_of(data)
    for strategy in cases(level):
        check_claims(level, strategy)


@pytest.mark.parametrize("name", SHIPPED)
def test_winning_runs_never_end_on_a_red_meter(name: str) -> None:
    level = shipped(name)
    winners = [d.strategy for d in level.demos if d.outcome == "reached_goal"]
    for strategy in winners:
        run, verdict = run_of(level, strategy)
        assert verdict.outcome == "reached_goal"
        factors = stability_factors(level.landscape, run, strategy.optimizer, level.noise)
        assert zone(worst(factors[-1])) != "flying", (name, strategy.to_json())


def test_a_crawl_is_told_to_take_longer_strides() -> None:
    level = by_id("long-meadow")
    d, _ = coach(level, level.strategy({"optimizer": {"name": "sgd", "lr": 0.01}}))
    assert d.cause == "crawling" and d.suggestions == ["larger_lr"]
    assert "shorter" not in explain(d)


def test_rate_zero_never_moved() -> None:
    level = by_id("first-steps")
    d, _ = coach(level, level.strategy({"optimizer": {"name": "sgd", "lr": 0}}))
    assert d.cause == "never_moved" and "larger_lr" in d.suggestions
    assert "η = 0" in explain(d)


def test_divergence_names_the_curvature_where_it_blew_up() -> None:
    level = by_id("knife-edge-gully")
    d, (run, _) = coach(level, level.strategy({"optimizer": {"name": "sgd", "lr": 0.1}}))
    assert d.kind == "diverged" and d.step == 0
    start = np.linalg.eigvalsh(level.landscape.hessian(np.asarray(level.start)[None]))[0, -1]
    assert d.curvature == pytest.approx(start)
    assert d.stability_limit is not None and d.stability_limit < 0.1
    assert "At the start" in explain(d)


@pytest.mark.parametrize(
    "optimizer, limit",
    [
        ({"name": "sgd", "lr": 0.13}, 2 / 16),
        ({"name": "sgd", "lr": 0.3, "momentum": 0.9}, 2 * 1.9 / 16),
        ({"name": "sgd", "lr": 0.45, "momentum": 0.5, "dampening": 0.5}, 2 * 1.5 / (0.5 * 16)),
        ({"name": "sgd", "lr": 0.2, "momentum": 0.9, "nesterov": True}, 2 * 1.9 / (2.8 * 16)),
    ],
)
def test_diverged_sgd_names_the_threshold(optimizer: dict, limit: float) -> None:
    level = level_of(GORGE)
    d, (_, verdict) = coach(level, level.strategy({"optimizer": optimizer}))
    assert verdict.outcome == "diverged" and d.kind == "diverged"  # type: ignore[attr-defined]
    assert d.curvature == pytest.approx(16.0, rel=1e-9)
    assert d.stability_limit == pytest.approx(limit, rel=1e-9)
    assert d.blowup_lr == pytest.approx(optimizer["lr"])
    assert d.stability_limit < optimizer["lr"]


def test_stuck_names_where_and_what_would_carry_it_over() -> None:
    level = level_of(DIP)
    d, _ = coach(level, level.strategy({"optimizer": {"name": "sgd", "lr": 0.01}}))
    assert d.kind == "stuck_local" and d.cause == "stuck"
    assert d.where is not None and d.where[0] == pytest.approx(1.13, abs=0.01)
    assert d.winning_lrs is not None and d.winning_lrs[0][0] > 0.01
    assert "larger_lr" in d.suggestions


def test_the_finder_level_keeps_its_secret_until_the_finder_ran() -> None:
    level = next(shipped(n) for n in SHIPPED if shipped(n).lesson == "lr_finder")
    strategy = level.strategy({"optimizer": {"name": level.allowed.optimizers[0], "lr": 0.01}})
    run, verdict = run_of(level, strategy)
    hidden = diagnose(level, strategy, run, verdict)
    shown = diagnose(level, strategy, run, verdict, used_finder=True)
    assert hidden.finder_hidden and hidden.winning_lrs is None
    assert "LR finder" in explain(hidden)
    if shown.winning_lrs:
        low = shown.winning_lrs[0][0]
        assert f"{low:.2g}"[:3] not in explain(hidden).split("LR finder")[0][-40:]


def test_scattered_winners_are_called_luck_not_a_range() -> None:
    # A washboard where plain SGD wins only at isolated rates.
    data = {
        "id": "luck",
        "title": "Luck",
        "loss": "0.05*x**2 + 2*sin(3*x)**2",
        "domain": {"x": [-10, 10]},
        "start": [-9.0],
        "steps": 60,
    }
    level = level_of(data)
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 1e-4}})
    d, _ = coach(level, strategy)
    if d.winning_runs > 3:
        assert d.scattered and d.winning_lrs is None
        assert "luck" in explain(d)


def test_reached_goal_compares_with_par_and_demos() -> None:
    level = level_of(GORGE)
    d, (_, verdict) = coach(level, level.strategy({"optimizer": {"name": "sgd", "lr": 0.06}}))
    assert d.step == verdict.steps_to_goal  # type: ignore[attr-defined]
    assert d.demo_steps == verdict.steps_to_goal  # type: ignore[attr-defined]
    assert "par" in explain(d)


def test_json_is_plain_and_finite() -> None:
    level = level_of(GORGE)
    d, _ = coach(level, level.strategy({"optimizer": {"name": "sgd", "lr": 5}}))
    text = json.dumps(d.to_json(), allow_nan=False)
    assert "sweep" not in json.loads(text) or isinstance(json.loads(text)["sweep_range"], list)


def test_adaptive_tool_probes_every_adaptive_optimizer_the_level_allows() -> None:
    """NAdam, RAdam, Adamax and Adadelta are probed too, not a hand-kept four."""
    from lrgame.analysis.tools import candidates

    level = level_of(GORGE)
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.5}})
    probed = [s.optimizer.name for code, s in candidates(level, strategy) if code == "adaptive"]
    expected = [n for n in level.allowed.optimizers if n != "sgd" and OPTIMIZERS[n].adaptive]
    assert probed == expected and len(expected) > 4
