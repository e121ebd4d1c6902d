"""The 2-D campaign, levels 07-14: each level's lesson is proved through the engine.

Levels are named by id (``level_of("glass-canyon")``), not by file number, so the
claims survive a renumbering of the campaign.

A lesson's claims ("no constant rate wins", "the finder's suggestion wins", "the
decay settles for every noise seed", ...) are sweeps over learning rates here, not
sentences in a briefing. "No constant rate wins" sweeps the 1,000 log-spaced rates of
SWEEP_LRS (1e-6..1e2) for every constant setting the level allows other than the tool
the lesson teaches (plain SGD; SGD with momentum 0.9 where momentum is allowed; Adam
where it is allowed).
"""

from __future__ import annotations

import json
import re
from functools import cache
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
    path_of,
    play,
    rates,
    swept,
    verdicts_at_sweep_rates,
    with_noise_seed,
)

from lrgame.engine.finder import FinderResult, find_lr
from lrgame.engine.outcome import settle_window
from lrgame.engine.schedules import SCHEDULE_NAMES
from lrgame.engine.scoring import FINDER_COST, finder_verdict
from lrgame.engine.simulate import run_sweep, simulate
from lrgame.levels.loader import check_file
from lrgame.levels.model import Level

SGD = {"optimizer": {"name": "sgd"}}
MOMENTUM = {"optimizer": {"name": "sgd", "momentum": 0.9}}
ADAM = {"optimizer": {"name": "adam"}}
LOSING = {"stuck_local", "out_of_steps", "diverged"}
NOISE_SEEDS = range(10)

# id -> (lesson, allowed optimizers, momentum, schedules, finder), in campaign order
CAMPAIGN: dict[str, tuple[str, Any, bool, Any, bool]] = {
    "the-ravine": ("adaptive", ("sgd", "adam", "rmsprop", "adagrad"), False, ("constant",), False),
    "loose-finish": (
        "adaptive_finish",
        ("adam",),
        False,
        ("constant", "step", "multistep", "exponential", "cosine"),
        False,
    ),
    "glass-canyon": ("lr_finder", ("sgd",), False, ("constant",), True),
    "knife-edge-gully": (
        "warmup",
        ("sgd",),
        False,
        ("constant", "linear", "step", "cosine", "warmup_cosine", "sequence"),
        True,
    ),
    "gusty-funnel": (
        "noise",
        ("sgd",),
        False,
        ("constant", "step", "multistep", "exponential", "cosine"),
        True,
    ),
    "four-valleys": ("divergence", ("sgd",), False, ("constant",), True),
    "the-egg-crate": ("local_minimum", ("sgd",), True, SCHEDULE_NAMES, True),
    "the-banana-valley": ("mixed", ("sgd",), True, SCHEDULE_NAMES, True),
}
PREFIXES = list(CAMPAIGN)


def hessian_eigenvalues(level: Level, point: Any) -> np.ndarray:
    return np.linalg.eigvalsh(level.landscape.hessian(np.asarray([point], dtype=np.float64))[0])


def winning_demos(level: Level) -> list[dict[str, Any]]:
    return demo_strategies(level, "win")


# -- the campaign as files ----------------------------------------------------


def test_the_2d_levels_are_there_in_order() -> None:
    files = sorted(p.name for p in LEVELS_DIR.glob("*.json") if "07-" <= p.name[:3] <= "14-")
    assert [f[3:-5] for f in files] == PREFIXES, "the ids, in campaign order"
    for number, name in enumerate(files, start=7):
        assert re.fullmatch(r"(0[7-9]|1[0-4])-[a-z0-9]+(-[a-z0-9]+)*\.json", name), name
        assert int(name[:2]) == number
        assert level_of(name[3:-5]).id == name[3:-5], "the id is the file name's slug"


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
    assert [e.message for e in level_schema_validator().iter_errors(data)] == []


@pytest.mark.parametrize("prefix", PREFIXES)
def test_lesson_and_what_the_level_offers(prefix: str) -> None:
    lesson, optimizers, momentum, schedules, finder = CAMPAIGN[prefix]
    level = level_of(prefix)
    assert level.lesson == lesson
    assert level.dim == 2
    assert level.allowed.optimizers == optimizers
    assert level.allowed.schedules == schedules
    assert level.allowed.momentum is momentum
    assert level.allowed.finder is finder


@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_map_is_readable(prefix: str) -> None:
    level = level_of(prefix)
    lo, hi = level.domain[:, 0], level.domain[:, 1]
    assert np.all(lo < level.start) and np.all(level.start < hi), "the start is inside"
    assert 40 <= level.steps <= 500
    margin = 0.05 * (hi - lo)
    for point in level.goal.minima:
        assert np.all(lo + margin < point) and np.all(point < hi - margin), (
            "goals lie clearly inside"
        )
    _, points = level.landscape.grid(201)
    values = level.landscape.loss(points)
    assert np.all(np.isfinite(values))
    span = float(values.max() - values.min())
    assert 1 <= span <= 1e5, "a few orders of magnitude at most"


@pytest.mark.parametrize("prefix", PREFIXES)
def test_player_text_is_there_and_gives_nothing_away(prefix: str) -> None:
    level = level_of(prefix)
    title, briefing, hint = str(level.title), str(level.briefing), str(level.hint)
    assert 0 < len(title) <= 24
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", briefing.strip()) if s]
    assert 2 <= len(sentences) <= 4, sentences
    assert hint
    assert not re.search(r"\d", briefing + hint), "no numbers in the briefing or the hint"
    assert not re.search(r"\b(lr|learning rate of|rate of)\s*[=:]", briefing + hint)
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
def test_each_demo_ends_as_it_says_and_wins_earn_stars(prefix: str) -> None:
    level = level_of(prefix)
    for demo in level.demos:
        verdict = play(level, demo.strategy.to_json())
        assert verdict.outcome == demo.outcome, demo.path
        if demo.outcome == "reached_goal":
            assert verdict.stars >= 1, demo.path


@pytest.mark.parametrize("prefix", PREFIXES)
def test_par_is_the_first_winning_demos_pace(prefix: str) -> None:
    level = level_of(prefix)
    first = play(level, winning_demos(level)[0])
    assert first.steps_to_goal is not None
    assert first.steps_to_goal <= level.par <= 1.25 * first.steps_to_goal + 5
    assert first.stars == 3


# -- 07: adaptive --------------------------------------------------------------


def test_07_the_ravine_is_a_hundred_times_steeper_across_than_along() -> None:
    level = level_of("the-ravine")
    (goal,) = level.goal.minima
    low, high = hessian_eigenvalues(level, goal)
    assert high / low == pytest.approx(100)


def test_07_no_constant_sgd_rate_wins() -> None:
    level = level_of("the-ravine")
    settings = constant_settings(level, exclude=("adam",))
    assert settings == [SGD], "momentum is off here, and Adam is the lesson's tool"
    (goal,) = level.goal.minima
    limit = 2 / hessian_eigenvalues(level, goal)[-1]  # plain SGD is stable below 2/curvature
    for setting in settings:
        result = swept("the-ravine", setting)
        assert "reached_goal" not in result
        # Below the steep direction's limit the walk is too slow along the floor;
        # above it the steep direction blows up.
        assert set(result[SWEEP_LRS < limit]) == {"out_of_steps"}
        assert set(result[SWEEP_LRS > 1.05 * limit]) == {"diverged"}


@pytest.mark.parametrize("setting", [ADAM, {"optimizer": {"name": "rmsprop"}}])
def test_07_a_per_parameter_stride_wins_over_a_wide_range(setting: dict[str, Any]) -> None:
    winners = rates("the-ravine", setting, "reached_goal")
    assert len(winners) >= 200
    assert winners.max() / winners.min() > 50, "more than a decade and a half of rates"


def test_07_the_winning_demos_are_adaptive_optimizers() -> None:
    level = level_of("the-ravine")
    names = {s["optimizer"]["name"] for s in winning_demos(level)}
    assert names <= {"adam", "rmsprop", "adagrad"}
    assert "adam" in names


# -- 08: Adam's loose finish --------------------------------------------------------


@pytest.mark.parametrize("seed", NOISE_SEEDS)
def test_08_no_constant_adam_rate_settles_for_this_seed(seed: int) -> None:
    level = level_of("loose-finish")
    assert constant_settings(level) == [ADAM], "Adam is the only optimizer here"
    result = swept("loose-finish", ADAM, seed)
    assert len(result) == 1000
    assert "reached_goal" not in result


@pytest.mark.parametrize("seed", NOISE_SEEDS)
def test_08_constant_adam_gets_near_fast_then_hovers(seed: int) -> None:
    level = with_noise_seed(level_of("loose-finish"), seed)
    (hovering,) = [
        d.strategy for d in level.demos if d.outcome == "out_of_steps" and d.strategy.lr >= 0.1
    ]
    run = simulate(level.landscape, level.start, hovering, level.noise)
    distance = np.linalg.norm(run.trajectory - level.goal.minima[0], axis=1)
    near = 3 * hovering.lr  # it hovers about a stride or two from the point
    assert np.argmax(distance < near) < 0.6 * level.steps, "near the point early"
    late = distance[level.steps // 2 :]
    assert np.median(late) < near, "it stays around the point..."
    assert np.max(late) > level.tolerance, "...without settling on it"
    # Its strides do not shrink with the slope: they stay a fair fraction of the rate.
    strides = np.linalg.norm(np.diff(run.trajectory, axis=0), axis=1)[level.steps // 2 :]
    assert 0.1 * hovering.lr < np.median(strides) < hovering.lr


@pytest.mark.parametrize("seed", NOISE_SEEDS)
def test_08_a_decaying_rate_lands_it_for_this_seed(seed: int) -> None:
    level = with_noise_seed(level_of("loose-finish"), seed)
    first = winning_demos(level)[0]
    assert first["schedule"]["name"] in ("step", "cosine")
    assert play(level, first).outcome == "reached_goal", seed
    # The same rate held constant does not.
    assert play(level, {"optimizer": first["optimizer"]}).outcome != "reached_goal"


def test_08_step_and_cosine_both_win_over_a_band_of_rates() -> None:
    level = level_of("loose-finish")
    assert {d["schedule"]["name"] for d in winning_demos(level)} == {"step", "cosine"}
    for schedule in ("step", "cosine"):
        winners = rates("loose-finish", {**ADAM, "schedule": schedule}, "reached_goal")
        assert len(winners) >= 50
        assert winners.max() / winners.min() > 5, schedule


# -- 09: the LR finder -----------------------------------------------------------
# The finder pays: the winning band is narrow and sits between the round rates people
# guess, fastai's valley suggestion lands in it, and the finder costs less than two
# failed guesses.

HALF_DECADE = 10**0.5
ROUND_RATES = np.asarray([m * 10.0**k for k in range(-8, 4) for m in (1, 3)])


def _runs_09(won: np.ndarray) -> list[int]:
    """The lengths of the runs of consecutive winning rates in a sweep."""
    edges = np.diff(np.concatenate([[0], won.astype(np.int8), [0]]))
    return list(np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1))


@cache
def _finder_09() -> FinderResult:
    level = level_of("glass-canyon")
    strategy = level.strategy(SGD)
    return find_lr(level.landscape, level.start, strategy, level.goal.loss, noise=level.noise)


def _valley_09() -> float:
    return float(_finder_09().suggestions["valley"])


def test_09_the_usual_guesses_lose() -> None:
    level = level_of("glass-canyon")
    for guess in ROUND_RATES[(ROUND_RATES >= 1e-6) & (ROUND_RATES <= 1e2)]:
        assert play(level, {"optimizer": {"name": "sgd", "lr": guess}}).outcome in LOSING, guess


@pytest.mark.parametrize("setting", constant_settings(level_of("glass-canyon")), ids=json.dumps)
def test_09_the_winners_span_half_a_decade_away_from_round_rates(setting: dict[str, Any]) -> None:
    winners = rates("glass-canyon", setting, "reached_goal")
    assert len(winners) >= 10, "a band a player can hit, not a single rate"
    lo, hi = winners.min(), winners.max()
    assert hi / lo <= HALF_DECADE
    near = ROUND_RATES[(ROUND_RATES >= lo / 1.1) & (ROUND_RATES <= hi * 1.1)]
    assert len(near) == 0, f"round rates inside or within 10% of [{lo:.3g}, {hi:.3g}]: {near}"


@pytest.mark.parametrize("setting", constant_settings(level_of("glass-canyon")), ids=json.dumps)
def test_09_winning_is_a_band_not_luck(setting: dict[str, Any]) -> None:
    runs = _runs_09(swept("glass-canyon", setting) == "reached_goal")
    assert 1 <= len(runs) <= 3
    assert max(runs) >= 0.8 * sum(runs)


def test_09_the_starting_strategy_loses() -> None:
    level = level_of("glass-canyon")
    first = level.allowed.optimizers[0]
    assert play(level, {"optimizer": {"name": first, "lr": 0.01}}).outcome in LOSING


def test_09_the_valley_suggestion_wins_with_three_stars() -> None:
    level = level_of("glass-canyon")
    verdict = play(level, {"optimizer": {"name": "sgd", "lr": _valley_09()}})
    assert verdict.outcome == "reached_goal" and verdict.stars == 3
    winners = rates("glass-canyon", SGD, "reached_goal")
    assert winners.min() < _valley_09() < winners.max()


def test_09_the_other_suggestions_miss_as_the_hint_says() -> None:
    # "The steepest point comes too late, a tenth of the lowest point is too timid."
    winners = rates("glass-canyon", SGD, "reached_goal")
    suggestions = _finder_09().suggestions
    assert suggestions["steep"] > winners.max()
    assert suggestions["minimum"] < winners.min()


def test_09_the_finder_costs_less_than_two_failed_guesses() -> None:
    # A failed guess earns no stars and at most the best losing score of the sweep,
    # where even the weakest win earns the worst winning score: it forfeits at least
    # the difference. The finder costs FINDER_COST off a run that wins with three stars.
    level = level_of("glass-canyon")
    results = verdicts_at_sweep_rates("glass-canyon", SGD)
    lost = [v for v in results if v.outcome != "reached_goal"]
    assert all(v.stars == 0 for v in lost)
    best_lost = max(v.score for v in lost)
    worst_won = min(v.score for v in results if v.outcome == "reached_goal")
    failed_guess = worst_won - best_lost
    assert FINDER_COST < 2 * failed_guess
    paid = finder_verdict(play(level, {"optimizer": {"name": "sgd", "lr": _valley_09()}}))
    assert paid.stars == 3 and paid.score > best_lost


def test_09_the_briefing_says_the_finder_is_the_smart_play() -> None:
    briefing = str(level_of("glass-canyon").briefing)
    assert "finder costs" in briefing and "fewer than two wrong guesses" in briefing


def test_09_the_winning_demo_is_the_valley_suggestion() -> None:
    level = level_of("glass-canyon")
    (demo,) = winning_demos(level)
    assert demo["optimizer"]["lr"] == pytest.approx(_valley_09(), rel=0.01)


# -- 10: warmup --------------------------------------------------------------------


def test_10_the_start_is_far_sharper_than_the_plain() -> None:
    level = level_of("knife-edge-gully")
    (goal,) = level.goal.minima
    assert hessian_eigenvalues(level, level.start)[-1] > 500 * hessian_eigenvalues(level, goal)[-1]


def test_10_no_constant_rate_wins() -> None:
    level = level_of("knife-edge-gully")
    settings = constant_settings(level)
    assert settings == [SGD], "momentum and Adam are not offered here"
    for setting in settings:
        result = swept("knife-edge-gully", setting)
        assert "reached_goal" not in result
        diverged = SWEEP_LRS[result == "diverged"]
        slow = SWEEP_LRS[result == "out_of_steps"]
        # Small rates run out of steps on the plain, larger ones blow up in the gully.
        assert len(diverged) and len(slow)
        assert slow.max() < diverged.min()


@pytest.mark.parametrize("schedule", [{"name": "cosine"}, {"name": "step"}])
def test_10_decay_alone_does_not_help(schedule: dict[str, Any]) -> None:
    assert "reached_goal" not in swept("knife-edge-gully", {**SGD, "schedule": schedule})


def test_10_warmup_wins_over_a_range_of_peak_rates() -> None:
    level = level_of("knife-edge-gully")
    (demo, *_) = winning_demos(level)
    assert demo["schedule"]["name"] in ("warmup_cosine", "sequence")
    winners = rates("knife-edge-gully", {**demo, "optimizer": {"name": "sgd"}}, "reached_goal")
    assert len(winners) >= 50
    assert winners.min() <= demo["optimizer"]["lr"] <= winners.max()


# -- 11: noise ---------------------------------------------------------------------


def test_11_the_gradients_are_noisy() -> None:
    level = level_of("gusty-funnel")
    assert level.noise.std > 0


@pytest.mark.parametrize("seed", NOISE_SEEDS)
def test_11_no_constant_rate_wins_for_this_seed(seed: int) -> None:
    level = level_of("gusty-funnel")
    settings = constant_settings(level)
    assert settings == [SGD], "momentum and Adam are not offered here"
    for setting in settings:
        result = swept("gusty-funnel", setting, seed)
        assert "reached_goal" not in result
        assert "diverged" in result and "out_of_steps" in result


@pytest.mark.parametrize("seed", NOISE_SEEDS)
def test_11_a_constant_rate_jitters_around_the_goal_without_settling(seed: int) -> None:
    level = with_noise_seed(level_of("gusty-funnel"), seed)
    (jittery,) = [
        d.strategy for d in level.demos if d.outcome == "out_of_steps" and d.strategy.lr >= 0.1
    ]
    run = simulate(level.landscape, level.start, jittery, level.noise)
    distance = np.linalg.norm(run.trajectory - level.goal.minima[0], axis=1)
    window = settle_window(level.steps)
    assert distance.min() <= level.tolerance, "it does reach the goal..."
    assert np.any(distance[-window:] > level.tolerance), "...but does not stay"
    assert np.any(distance[len(distance) // 2 :] <= level.tolerance), "...and keeps coming back"


@pytest.mark.parametrize("seed", NOISE_SEEDS)
def test_11_the_decaying_demos_win_for_this_seed(seed: int) -> None:
    level = with_noise_seed(level_of("gusty-funnel"), seed)
    for strategy in winning_demos(level):
        assert strategy["schedule"]["name"] != "constant"
        verdict = play(level, strategy)
        assert verdict.outcome == "reached_goal", (seed, strategy)
        assert verdict.stars >= 1


# -- 14: Rosenbrock, the boss ------------------------------------------------------------------


def test_14_is_rosenbrocks_valley_from_the_classic_start() -> None:
    level = level_of("the-banana-valley")
    assert level.goal.minima.tolist() == [[1.0, 1.0]]
    assert level.start == (-1.2, 1.0)


def test_14_no_constant_rate_of_plain_sgd_gets_round_the_bend() -> None:
    result = swept("the-banana-valley", SGD)
    assert "reached_goal" not in result
    slow = SWEEP_LRS[result == "out_of_steps"]
    diverged = SWEEP_LRS[result == "diverged"]
    assert len(slow) and len(diverged)
    assert slow.max() < diverged.min()


def test_14_momentum_gets_round_at_constant_rates() -> None:
    winners = rates("the-banana-valley", MOMENTUM, "reached_goal")
    assert len(winners) >= 30
    assert rates("the-banana-valley", SGD, "reached_goal").size == 0


def test_14_momentum_with_warmup_and_decay_gets_round_over_a_band_of_rates() -> None:
    strategy = {**MOMENTUM, "schedule": {"name": "warmup_cosine"}}
    winners = rates("the-banana-valley", strategy, "reached_goal")
    assert len(winners) >= 40
    band = SWEEP_LRS[(SWEEP_LRS >= winners.min()) & (SWEEP_LRS <= winners.max())]
    assert len(winners) >= 0.9 * len(band), "a band, not scattered rates"


def test_14_the_winning_demos_use_momentum() -> None:
    level = level_of("the-banana-valley")
    demos = winning_demos(level)
    assert all(d["optimizer"].get("momentum", 0) > 0 for d in demos)
    assert any(d.get("schedule", "constant") != "constant" for d in demos)
    for demo in demo_strategies(level, "lose"):
        assert demo["optimizer"] == {"name": "sgd", "lr": demo["optimizer"]["lr"]}, (
            "losses are plain SGD"
        )


def test_14_adam_is_not_offered_because_its_wins_here_are_luck() -> None:
    # Constant Adam winners on Rosenbrock's valley form many separate runs of rates (it
    # lands wherever its first huge strides drop it, then creeps): a boss must not be luck.
    level = level_of("the-banana-valley")
    assert "adam" not in level.allowed.optimizers
    won = swept("the-banana-valley", ADAM) == "reached_goal"
    assert np.count_nonzero(np.diff(won.astype(int)) == 1) > 3


# -- 12: Himmelblau ------------------------------------------------------------------


def _valley_of(level: Level, point: np.ndarray) -> int:
    return int(np.argmin(np.linalg.norm(level.goal.minima - point, axis=1)))


@cache
def _sgd_valleys_12() -> tuple[np.ndarray, np.ndarray]:
    """The outcome at each rate, and the valley each winning rate settles in (-1 if none)."""
    level = level_of("four-valleys")
    batch = run_sweep(level.landscape, level.start, level.strategy(SGD), SWEEP_LRS)
    ends = batch.trajectory[np.arange(len(SWEEP_LRS)), batch.steps]
    result = swept("four-valleys", SGD)
    valleys = np.array(
        [
            _valley_of(level, end) if o == "reached_goal" else -1
            for end, o in zip(ends, result, strict=True)
        ]
    )
    return result, valleys


def test_12_has_four_equally_deep_valleys() -> None:
    level = level_of("four-valleys")
    assert len(level.goal.minima) == 4
    assert level.local_minima == []
    assert np.allclose(level.landscape.loss(level.goal.minima), 0, atol=1e-9)


def test_12_each_valley_holds_only_strides_below_its_own_limit() -> None:
    level = level_of("four-valleys")
    result, valleys = _sgd_valleys_12()
    curvature = {
        _valley_of(level, np.asarray(m.point)): m.curvature for m in level.landscape.global_minima
    }
    # Plain SGD can settle in a valley only below 2 / its curvature (a few percent of
    # slack: a barely unstable walker still stays inside the tolerance for a while).
    for valley, lam in curvature.items():
        held = SWEEP_LRS[valleys == valley]
        assert np.all(held < 1.05 * 2 / lam), valley
    widest = min(curvature.values())
    assert "reached_goal" not in result[SWEEP_LRS > 1.05 * 2 / widest]
    narrowest = max(curvature, key=lambda valley: curvature[valley])
    assert np.any(valleys == narrowest), "short strides settle in the narrowest valley"
    # Strides too long for the narrowest valley bounce out of it and still win elsewhere.
    bounced = (
        (valleys >= 0) & (valleys != narrowest) & (SWEEP_LRS > 1.05 * 2 / curvature[narrowest])
    )
    assert bounced.sum() >= 20


def test_12_different_strides_win_in_different_valleys() -> None:
    _, valleys = _sgd_valleys_12()
    assert len(set(valleys[valleys >= 0])) >= 3
    level = level_of("four-valleys")
    ends = set()
    for demo in winning_demos(level):
        run = simulate(level.landscape, level.start, level.strategy(demo))
        ends.add(_valley_of(level, run.trajectory[-1]))
    assert len(ends) == len(winning_demos(level)) == 3, "each winning demo ends in its own valley"


def test_12_too_small_runs_out_of_steps_too_large_diverges() -> None:
    result, _ = _sgd_valleys_12()
    wins = SWEEP_LRS[result == "reached_goal"]
    assert set(result[SWEEP_LRS < wins.min()]) == {"out_of_steps"}
    assert set(result[SWEEP_LRS > 0.04]) == {"diverged"}


# -- 13: the egg crate ----------------------------------------------------------------


def test_13_the_pit_is_sharper_than_every_dip() -> None:
    # So every stride short enough to stop in the pit is short enough to stop in a dip.
    level = level_of("the-egg-crate")
    (goal,) = level.landscape.global_minima
    dips = level.landscape.local_minima
    assert len(dips) >= 40
    assert goal.curvature >= max(d.curvature for d in dips)


@pytest.mark.parametrize("setting", [SGD, MOMENTUM])
def test_13_no_constant_sgd_rate_wins(setting: dict[str, Any]) -> None:
    level = level_of("the-egg-crate")
    assert setting in constant_settings(level)
    result = swept("the-egg-crate", setting)
    assert "reached_goal" not in result
    goal_limit = 2 / level.landscape.global_minima[0].curvature
    # Strides short enough to stop in the pit stop in a dip on the way.
    short = result[(SWEEP_LRS > 1e-4) & (SWEEP_LRS < 0.8 * goal_limit)]
    assert np.mean(short == "stuck_local") > 0.95
    assert "diverged" in result


def test_13_offers_only_sgd() -> None:
    # Adam shrinks its own steps as gradients pile up in its averages, so now and then a
    # constant Adam rate lands in the pit: this level is about schedules, so it offers SGD only.
    level = level_of("the-egg-crate")
    assert level.allowed.optimizers == ("sgd",)
    assert ADAM not in constant_settings(level)
    decay = np.sum(
        swept("the-egg-crate", {**SGD, "schedule": {"name": "exponential", "gamma": 0.95}})
        == "reached_goal"
    )
    assert decay >= 80


def test_13_the_winning_demos_start_long_and_shrink() -> None:
    level = level_of("the-egg-crate")
    goal_limit = 2 / level.landscape.global_minima[0].curvature
    for demo in winning_demos(level):
        assert demo["schedule"]["name"] in ("exponential", "step", "multistep", "cosine")
        assert demo["optimizer"]["lr"] > 2 * goal_limit, "it starts far too long to stop in the pit"
