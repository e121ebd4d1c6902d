"""The 1-D campaign, levels 01-06: each level's lesson is proved through the engine.

Every claim a lesson makes ("too large diverges", "no constant rate wins", ...) is a
sweep over learning rates here, not a sentence in a briefing.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest
from claims import (
    LEVELS_DIR,
    SWEEP_LRS,
    constant_settings,
    demo_strategies,
    level_of,
    level_schema_validator,
    outcomes,
    path_of,
    play,
    rates,
    sweep,
    swept,
)

from lrgame.engine.outcome import settle_window
from lrgame.engine.simulate import simulate
from lrgame.levels.loader import check_file
from lrgame.levels.model import Level

SGD = {"optimizer": {"name": "sgd"}}
MOMENTUM = {"optimizer": {"name": "sgd", "momentum": 0.9}}
LOSING = {"stuck_local", "out_of_steps", "diverged"}

# prefix -> (lesson, allowed optimizers, momentum, schedules, finder)
CAMPAIGN: dict[str, tuple[str, tuple[str, ...], bool, tuple[str, ...], bool]] = {
    "01-": ("step_size", ("sgd",), False, ("constant",), False),
    "02-": ("divergence", ("sgd",), False, ("constant",), False),
    "03-": ("too_slow", ("sgd",), False, ("constant",), False),
    "04-": ("local_minimum", ("sgd",), False, ("constant",), False),
    "05-": ("momentum", ("sgd",), True, ("constant",), False),
    "06-": (
        "step_decay",
        ("sgd",),
        True,
        ("constant", "step", "multistep", "exponential", "cosine"),
        False,
    ),
}
PREFIXES = sorted(CAMPAIGN)


def between(lo: float, hi: float) -> np.ndarray:
    return (SWEEP_LRS >= lo) & (SWEEP_LRS <= hi)


def global_curvature(level: Level) -> float:
    (minimum,) = [m for m in level.landscape.minima if m.is_global]
    return minimum.curvature


def sgd(lr: float, **extra: Any) -> dict[str, Any]:
    return {"optimizer": {"name": "sgd", "lr": lr, **extra}}


# -- the campaign as files ----------------------------------------------------


def test_the_six_levels_are_there_in_order() -> None:
    files = sorted(p.name for p in LEVELS_DIR.glob("0[1-6]-*.json"))
    assert len(files) == 6
    assert [f[:3] for f in files] == PREFIXES
    ids = set()
    for name in files:
        assert re.fullmatch(r"0[1-6]-[a-z0-9]+(-[a-z0-9]+)*\.json", name), name
        level = level_of(name[:3])
        assert level.id == name[3:-5], "the id is the file name's slug"
        ids.add(level.id)
    assert len(ids) == 6


@pytest.mark.parametrize("prefix", PREFIXES)
def test_validate_passes_with_the_demos(prefix: str) -> None:
    checked = check_file(path_of(prefix))
    assert checked.lines == []
    assert checked.level is not None


@pytest.mark.parametrize("prefix", PREFIXES)
def test_file_follows_the_json_schema(prefix: str) -> None:
    path = path_of(prefix)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["$schema"] == "../lrgame/levels/level.schema.json"
    assert (path.parent / data["$schema"]).resolve().is_file()
    errors = [e.message for e in level_schema_validator().iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("prefix", PREFIXES)
def test_lesson_and_what_the_level_offers(prefix: str) -> None:
    lesson, optimizers, momentum, schedules, finder = CAMPAIGN[prefix]
    level = level_of(prefix)
    assert level.lesson == lesson
    assert level.dim == 1
    assert level.allowed.optimizers == optimizers
    assert level.allowed.momentum is momentum
    assert level.allowed.schedules == schedules
    assert level.allowed.finder is finder


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_landscape_is_readable(prefix: str) -> None:
    level = level_of(prefix)
    ((lo, hi),) = level.domain
    assert lo < level.start[0] < hi
    assert 20 <= level.steps <= 300
    width = hi - lo
    for minimum in level.landscape.global_minima:
        x = minimum.point[0]
        assert lo + 0.05 * width < x < hi - 0.05 * width, "the goal lies clearly inside the domain"
    _, points = level.landscape.grid(401)
    values = level.landscape.loss(points)
    assert np.all(np.isfinite(values))
    span = float(values.max() - values.min())
    assert 1 <= span <= 300, "loss values a terminal chart can show"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_player_text_is_there_and_gives_nothing_away(prefix: str) -> None:
    level = level_of(prefix)
    title, briefing, hint = str(level.title), str(level.briefing), str(level.hint)
    assert 0 < len(title) <= 24
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", briefing.strip()) if s]
    assert 2 <= len(sentences) <= 4, sentences
    assert hint
    assert not re.search(r"\d", briefing + hint), "no numbers in the briefing or the hint"
    for demo in level.demos:
        assert demo.note is not None and str(demo.note)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_demos_are_strategies_the_level_offers(prefix: str) -> None:
    level = level_of(prefix)
    kinds = {demo.outcome for demo in level.demos}
    assert "reached_goal" in kinds
    assert kinds - {"reached_goal"}, "at least one losing demo"
    for demo in level.demos:
        assert level.allowed.refusal(demo.strategy) is None, demo.path
        assert demo.strategy.steps == level.steps, "demos play the level's own budget"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_winning_demos_win_and_the_first_makes_par(prefix: str) -> None:
    level = level_of(prefix)
    wins = [play(level, s) for s in demo_strategies(level, "win")]
    assert wins
    for verdict in wins:
        assert verdict.outcome == "reached_goal"
        assert verdict.stars >= 1
    first = wins[0]
    assert first.steps_to_goal is not None
    assert first.stars == 3
    # par is the first demo's pace, rounded up a little, not a giveaway
    assert first.steps_to_goal <= level.par <= 1.5 * first.steps_to_goal + 5


@pytest.mark.parametrize("prefix", PREFIXES)
def test_losing_demos_lose_as_their_lesson_says(prefix: str) -> None:
    level = level_of(prefix)
    demos = level.raw["demos"]["lose"]
    for demo in demos:
        assert play(level, demo["strategy"]).outcome == demo["outcome"]


# -- 01 step size: too large diverges, too small runs out of steps -------------


def test_01_too_small_runs_out_of_steps_too_large_diverges() -> None:
    level = level_of("01-")
    out = swept("01-", SGD)
    won = rates("01-", SGD, "reached_goal")
    lo, hi = won.min(), won.max()
    assert np.all(out[between(lo, hi)] == "reached_goal"), "one unbroken band of good rates"
    assert hi / lo > 10, "a forgiving first level"
    assert np.all(out[SWEEP_LRS < lo] == "out_of_steps"), "every smaller rate runs out of steps"
    edge = 2 / global_curvature(level)
    assert hi < edge
    assert np.all(out[SWEEP_LRS > 1.1 * edge] == "diverged"), (
        "every rate well past 2/curvature diverges"
    )
    assert not np.any(out[SWEEP_LRS > hi] == "reached_goal")


# -- 02 divergence: the edge is 2/curvature at the minimum --------------------


def test_02_the_edge_of_stability_is_two_over_the_curvature() -> None:
    level = level_of("02-")
    lam = global_curvature(level)
    assert lam == pytest.approx(16.0, rel=1e-6)
    edge = 2 / lam
    above = play(level, sgd(1.03 * edge))
    assert above.outcome == "diverged"
    assert above.steps < level.steps, "it blows up within the step budget"
    below = play(level, sgd(0.97 * edge))
    assert below.outcome == "reached_goal", "just below the edge the walker still settles"


def test_02_sweep_every_rate_past_the_edge_diverges_every_rate_below_wins() -> None:
    level = level_of("02-")
    edge = 2 / global_curvature(level)
    out = swept("02-", SGD)
    assert np.all(out[SWEEP_LRS >= 1.03 * edge] == "diverged")
    assert np.all(out[between(edge / 40, 0.97 * edge)] == "reached_goal")
    assert not np.any(out[SWEEP_LRS > edge] == "reached_goal")
    # the first level's comfortable rates are all past this edge
    first_wins = rates("01-", SGD, "reached_goal")
    assert np.median(first_wins) > 1.03 * edge


def test_02_demos_straddle_the_edge() -> None:
    level = level_of("02-")
    edge = 2 / global_curvature(level)
    lose = [s["optimizer"]["lr"] for s in demo_strategies(level, "lose")]
    win = [s["optimizer"]["lr"] for s in demo_strategies(level, "win")]
    assert any(1 < lr / edge <= 1.05 for lr in lose), "a losing demo just past the edge"
    assert any(0.95 <= lr / edge < 1 for lr in win), "a winning demo just below it"


# -- 03 too slow: beginners' rates run out of steps, a much larger one wins ----


def test_03_the_rates_a_beginner_tries_run_out_of_steps() -> None:
    out = swept("03-", SGD)
    beginner = between(1e-3, 1)
    assert beginner.sum() >= 300
    assert np.all(out[beginner] == "out_of_steps")
    assert np.all(out[SWEEP_LRS <= 1] == "out_of_steps")


def test_03_a_much_larger_but_stable_rate_wins() -> None:
    level = level_of("03-")
    edge = 2 / global_curvature(level)
    out = swept("03-", SGD)
    won = rates("03-", SGD, "reached_goal")
    lo, hi = won.min(), won.max()
    assert lo > 10, "every winning rate is more than ten times the largest beginner's rate"
    assert np.all(out[between(lo, hi)] == "reached_goal")
    assert hi / lo > 3
    assert np.all(out[SWEEP_LRS > 1.1 * edge] != "reached_goal"), (
        "past the edge the walker only bounces"
    )
    (demo,) = demo_strategies(level, "win")
    assert lo <= demo["optimizer"]["lr"] < edge, "the winning demo is large and below 2/curvature"


# -- 04 local minimum: small steps get stuck, long ones or momentum get over ---


def test_04_small_rates_settle_in_the_shallow_dip() -> None:
    level = level_of("04-")
    (dip,) = level.local_minima
    (goal,) = level.goal.minima
    assert abs(dip[0] - level.start[0]) < abs(goal[0] - level.start[0]), "the dip is on the way"
    out = swept("04-", SGD)
    stuck = rates("04-", SGD, "stuck_local")
    won = rates("04-", SGD, "reached_goal")
    assert np.all(out[between(1e-2, 1e-1)] == "stuck_local")
    assert stuck.max() < won.min(), (
        "every rate that gets stuck is smaller than every rate that wins"
    )
    assert np.all(out[between(0.2, 3.5)] == "reached_goal")
    assert np.all(out[SWEEP_LRS > 4.5] == "diverged")


def test_04_is_about_stride_length_alone() -> None:
    # Momentum 0.9 also rolls through the hollow, but at the larger rates it keeps swinging
    # back through it and wins or loses from one rate to the next (luck), so this level
    # offers plain SGD only and leaves momentum to the washboard.
    level = level_of("04-")
    assert not level.allowed.momentum
    assert constant_settings(level) == [SGD]


# -- 05 momentum: no plain SGD rate wins on the washboard, momentum does -------


def test_05_no_constant_rate_without_momentum_wins() -> None:
    level = level_of("05-")
    settings = constant_settings(level, exclude=("momentum",))
    assert settings == [SGD]
    for setting in settings:
        out = swept("05-", setting)
        assert len(out) == len(SWEEP_LRS) == 1000
        assert set(out) <= LOSING
        assert "reached_goal" not in set(out)
    plain = swept("05-", SGD)
    assert np.all(plain[between(5e-4, 0.09)] == "stuck_local"), "small strides stop in a trough"
    assert {"stuck_local", "out_of_steps", "diverged"} <= set(plain)


def test_05_the_goal_is_the_sharpest_trough() -> None:
    level = level_of("05-")
    lam = global_curvature(level)
    assert len(level.local_minima) >= 5, "a washboard of troughs"
    # So no plain rate both escapes every trough (lr > 2/their curvature) and settles in the goal.
    assert all(m.curvature < lam for m in level.landscape.local_minima)


def test_05_momentum_wins() -> None:
    level = level_of("05-")
    for strategy in demo_strategies(level, "win"):
        assert strategy["optimizer"].get("momentum", 0) > 0
        assert play(level, strategy).outcome == "reached_goal"
    out = swept("05-", MOMENTUM)
    assert np.all(out[between(1.5e-3, 1.25e-2)] == "reached_goal"), "one band of rates rolls in"
    assert np.all(out[SWEEP_LRS < 1.3e-3] != "reached_goal"), "too slow to roll over the ribs"


def test_05_too_much_speed_sails_off_the_cliff() -> None:
    level = level_of("05-")
    (goal,) = level.goal.minima
    out = swept("05-", MOMENTUM)
    assert set(out[SWEEP_LRS > 1.4e-2]) == {"diverged"}
    (demo,) = [d for d in demo_strategies(level, "lose") if "momentum" in d["optimizer"]]
    run = simulate(level.landscape, level.start, level.strategy(demo))
    x = run.trajectory[:, 0]
    assert run.diverged
    # It passes the goal once, going right, and never comes back.
    passed = int(np.argmax(x > goal[0] + level.tolerance))
    assert passed > 0 and np.all(x[passed:] > goal[0] + level.tolerance)


# -- 06 step decay: no constant rate wins, a decaying one does ----------------


def test_06_no_constant_rate_wins_with_or_without_momentum() -> None:
    level = level_of("06-")
    settings = constant_settings(level)
    assert settings == [SGD, MOMENTUM]
    for setting in settings:
        out = swept("06-", setting)
        assert len(out) == 1000
        assert "reached_goal" not in set(out)
        assert np.all(out[SWEEP_LRS <= 1] == "stuck_local"), "short strides drop into a pothole"
    # Long strides clear the potholes but never settle in the crack.
    assert np.all(swept("06-", SGD)[SWEEP_LRS >= 2] == "out_of_steps")


@pytest.mark.parametrize(
    "optimizer",
    [
        {"name": "sgd", "momentum": 0.5},
        {"name": "sgd", "momentum": 0.99},
        {"name": "sgd", "momentum": 0.9, "nesterov": True},
    ],
)
def test_06_other_momenta_do_not_win_at_a_constant_rate_either(optimizer: dict[str, Any]) -> None:
    out = swept("06-", {"optimizer": optimizer})
    assert "reached_goal" not in set(out)


@pytest.mark.parametrize(("prefix", "strategy"), [("05-", SGD), ("06-", SGD), ("06-", MOMENTUM)])
def test_no_lucky_constant_rate_on_a_finer_grid(prefix: str, strategy: dict[str, Any]) -> None:
    """The 'no constant rate wins' claims are not an accident of the 1,000-point grid."""
    level = level_of(prefix)
    fine = np.geomspace(1e-6, 1e2, 6007)
    assert "reached_goal" not in set(outcomes(sweep(level, strategy, fine)))


def test_06_the_goal_is_sharper_than_the_potholes() -> None:
    level = level_of("06-")
    lam = global_curvature(level)
    potholes = level.landscape.local_minima
    assert len(potholes) >= 5
    assert all(m.curvature < lam for m in potholes)
    assert level.tolerance < 0.01 * (level.domain[0, 1] - level.domain[0, 0]), "a narrow goal"


def test_06_a_decaying_rate_wins() -> None:
    level = level_of("06-")
    demos = demo_strategies(level, "win")
    assert {d["schedule"]["name"] for d in demos} == {"step", "cosine"}
    for strategy in demos:
        verdict = play(level, strategy)
        assert verdict.outcome == "reached_goal"
        # the same rate held constant loses
        constant = {"optimizer": strategy["optimizer"]}
        assert play(level, constant).outcome != "reached_goal"
    step = swept("06-", {"optimizer": {"name": "sgd"}, "schedule": "step"})
    cosine = swept("06-", {"optimizer": {"name": "sgd"}, "schedule": "cosine"})
    assert np.all(step[between(4.3, 8.9)] == "reached_goal")
    assert np.all(step[between(9.7, 100)] == "reached_goal")
    assert np.all(cosine[between(3.1, 100)] == "reached_goal")


def test_settle_window_is_short_next_to_the_budgets() -> None:
    # The winning runs must stand still at the goal for the last few points, not pass through.
    for prefix in PREFIXES:
        level = level_of(prefix)
        assert settle_window(level.steps) <= level.steps // 4
