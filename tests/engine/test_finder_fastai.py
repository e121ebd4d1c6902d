"""The LR range test against fastai's own rules, transcribed independently below.

``fastai_lr_find`` is a loop-by-loop transcription of fastai 2.7's
``LRFinder`` (``callback/schedule.py``), ``Recorder.after_batch`` and
``AvgSmoothLoss`` (``learner.py``), ``Learner.lr_find``'s trim and NaN cut, and the
``valley``, ``steep`` and ``minimum`` suggestion functions, written as fastai
writes them (lists, ``torch.lerp``'s formula, first-index argmin), without torch.
``torch_lr_finder_suggestion`` is pytorch-lr-finder's ``plot(suggest_lr=True)``.
The only lrgame rule in the reference is the one fastai cannot have: a walk can
end early (the walker left the map), and then the test ends there.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from lrgame.engine.expr import Expression
from lrgame.engine.finder import (
    BETA,
    FinderResult,
    find_lr,
    lr_ramp,
    record,
    suggest,
)
from lrgame.engine.landscape import Landscape
from lrgame.engine.simulate import run_with_rates
from lrgame.engine.strategy import parse_strategy

START_LR, END_LR = 1e-6, 1e2


# -- the reference -------------------------------------------------------------


def _lerp(start: float, end: float, weight: float) -> float:
    """torch.lerp(start, end, weight) for a scalar weight, as torch computes it."""
    diff = end - start
    return start + weight * diff if abs(weight) < 0.5 else end - diff * (1 - weight)


def _argmin(values: list[float]) -> int:
    return min(range(len(values)), key=lambda i: values[i])


def fastai_record(
    raw: list[float], num_it: int, start_lr: float = START_LR, end_lr: float = END_LR
) -> tuple[list[float], list[float]]:
    """fastai's fit with an LRFinder: what ``recorder.lrs`` and ``recorder.losses`` hold."""
    if num_it < 6:
        num_it = 6
    count, val = 0, 0.0  # AvgSmoothLoss.reset
    best_loss = float("inf")  # LRFinder.before_fit
    lrs: list[float] = []
    losses: list[float] = []
    train_iter = 0
    while True:
        # LRFinder.before_batch: SchedExp at pos = train_iter / num_it
        lr = start_lr * (end_lr / start_lr) ** (train_iter / num_it)
        if train_iter >= len(raw):
            break  # lrgame: the walk ended here
        loss = raw[train_iter]
        # TrainEvalCallback.after_batch (order -10)
        train_iter += 1
        # Recorder.after_batch (order 50): AvgSmoothLoss.accumulate, then record
        count += 1
        val = _lerp(loss, val, 0.98)
        smooth_loss = val / (1 - 0.98**count)
        lrs.append(lr)
        losses.append(smooth_loss)
        # LRFinder.after_batch (order 60)
        if smooth_loss < best_loss:
            best_loss = smooth_loss
        if smooth_loss > 4 * best_loss:
            break
        if train_iter >= num_it:
            break
    return lrs, losses


def fastai_valley(lrs: list[float], losses: list[float]) -> float:
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx])


def fastai_steep(lrs: list[float], losses: list[float]) -> float:
    grads = [
        (losses[i + 1] - losses[i]) / (math.log(lrs[i + 1]) - math.log(lrs[i]))
        for i in range(len(lrs) - 1)
    ]
    return lrs[_argmin(grads)]


def fastai_minimum(lrs: list[float], losses: list[float]) -> float:
    return lrs[_argmin(losses)] / 10


def torch_lr_finder_suggestion(lrs: list[float], losses: list[float]) -> float | None:
    """pytorch-lr-finder's steepest ``np.gradient`` on ``[skip_start=10 : -skip_end=5]``."""
    lrs, losses = lrs[10:-5], losses[10:-5]
    if any(math.isnan(v) for v in losses):  # lrgame: cut at the first NaN, as fastai does
        cut = min(i for i, v in enumerate(losses) if math.isnan(v))
        lrs, losses = lrs[:cut], losses[:cut]
    n = len(losses)
    if n < 2:
        return None  # np.gradient raises: "not enough points"
    gradient = [losses[1] - losses[0]]
    gradient += [(losses[i + 1] - losses[i - 1]) / 2 for i in range(1, n - 1)]
    gradient += [losses[n - 1] - losses[n - 2]]
    return lrs[_argmin(gradient)]


def fastai_lr_find(
    raw: list[float], num_it: int
) -> tuple[list[float], list[float], dict[str, float]]:
    """``Learner.lr_find(suggest_funcs=(valley, steep, minimum))`` plus pytorch-lr-finder's."""
    recorded_lrs, recorded = fastai_record(raw, num_it)
    lrs, losses = recorded_lrs[num_it // 10 : -5], recorded[num_it // 10 : -5]
    nan_idxs = [i for i, v in enumerate(losses) if math.isnan(v)]
    if len(nan_idxs) > 0:
        drop_idx = min(nan_idxs)
        lrs, losses = lrs[:drop_idx], losses[:drop_idx]
    out: dict[str, float] = {}
    if len(lrs) >= 2:
        out["steep"] = fastai_steep(lrs, losses)
    if len(lrs) >= 1:
        out["valley"] = fastai_valley(lrs, losses)
        out["minimum"] = fastai_minimum(lrs, losses)
    gradient = torch_lr_finder_suggestion(recorded_lrs, recorded)
    if gradient is not None:
        out["gradient"] = gradient
    return recorded_lrs, recorded, out


def engine_lr_find(
    raw: list[float], num_it: int
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    smoothed, _ = record(np.asarray(raw, dtype=np.float64), num_it)
    lr = lr_ramp(START_LR, END_LR, num_it)[: len(smoothed)]
    return lr, smoothed, suggest(lr, smoothed, num_it)


def assert_same(raw: list[float], num_it: int) -> dict[str, float]:
    want_lr, want, want_suggestions = fastai_lr_find(raw, num_it)
    lr, smoothed, suggestions = engine_lr_find(raw, num_it)
    if any(math.isnan(v) for v in want):
        # fastai records NaN on to num_it; lrgame stops at the first and computes as if it had not.
        first = min(i for i, v in enumerate(want) if math.isnan(v))
        assert len(smoothed) == first + 1
        want_lr, want = want_lr[: first + 1], want[: first + 1]
    np.testing.assert_allclose(lr, want_lr, rtol=1e-13)
    np.testing.assert_allclose(smoothed, want, rtol=1e-12)
    assert suggestions.keys() == want_suggestions.keys()
    for key, value in want_suggestions.items():
        assert suggestions[key] == pytest.approx(value, rel=1e-12), key
    return suggestions


# -- curves ----------------------------------------------------------------------


def u_curve(num_it: int, fall_at: float, rise_at: float, floor: float = 0.05) -> list[float]:
    """A range-test-like loss: flat, a fall, a floor, then an explosion."""
    t = np.arange(num_it) / num_it
    fall = 1 / (1 + np.exp((t - fall_at) * 40))
    rise = np.exp(np.clip((t - rise_at) * 60, -50, 50))
    return list(floor + fall + 0.1 * rise)


def old_valley(raw: list[float], num_it: int) -> float:
    """What lrgame computed before: smoothing 0.9, the first tenth of the *recorded* curve skipped."""
    lr = lr_ramp(START_LR, END_LR, num_it)
    average, best, smoothed = 0.0, math.inf, []
    for i, value in enumerate(raw[:num_it]):
        average = 0.9 * average + 0.1 * value
        smoothed.append(average / (1 - 0.9 ** (i + 1)))
        if i > 0 and smoothed[-1] > 4 * best:
            break
        best = min(best, smoothed[-1])
    n = len(smoothed)
    skip = n // 10
    return fastai_valley(list(lr[skip : n - 5]), smoothed[skip : n - 5])


def test_the_smoothing_factor_is_fastais() -> None:
    assert BETA == 0.98


def test_the_ramp_is_schedexp_at_i_over_num_it_and_never_reaches_the_end() -> None:
    ramp = lr_ramp(1e-7, 10, 100)
    assert len(ramp) == 100
    assert ramp[0] == 1e-7
    for i in (1, 37, 99):
        assert ramp[i] == pytest.approx(1e-7 * (10 / 1e-7) ** (i / 100), rel=1e-14)
    assert ramp[-1] < 10
    assert len(lr_ramp(1e-7, 10, 3)) == 6, "fastai raises num_it below 6 to 6"


def test_a_curve_that_blows_up_stops_keeping_the_point_that_stopped_it() -> None:
    raw = u_curve(100, 0.3, 0.55)
    smoothed, stop = record(np.asarray(raw), 100)
    assert stop == "blowup" and len(smoothed) < 100
    assert smoothed[-1] > 4 * smoothed[:-1].min(), "the last point is the one over 4x the best"
    assert np.all(smoothed[:-1] <= 4 * np.minimum.accumulate(smoothed[:-1]))
    assert_same(raw, 100)


def test_the_old_rules_gave_another_valley_on_these_curves() -> None:
    # Smoothing 0.9 and a skip of the recorded curve's first tenth moved the valley;
    # the exact rules must not (assert_same fails for the old code on each of them).
    for raw, num_it in [(u_curve(100, 0.3, 0.55), 100), (u_curve(100, 0.15, 0.4), 100)]:
        new = assert_same(raw, num_it)["valley"]
        assert old_valley(raw, num_it) != pytest.approx(new, rel=1e-9)


@pytest.mark.parametrize(
    "fall_at, rise_at, num_it",
    [
        (0.3, 0.55, 100),
        (0.15, 0.4, 100),
        (0.5, 0.9, 100),
        (0.2, 2.0, 100),
        (0.3, 0.7, 37),
        (0.1, 0.3, 300),
    ],
)
def test_u_shaped_curves(fall_at: float, rise_at: float, num_it: int) -> None:
    assert_same(u_curve(num_it, fall_at, rise_at), num_it)


def test_a_curve_that_never_blows_up_runs_every_planned_step() -> None:
    raw = u_curve(100, 0.4, 5.0)
    smoothed, stop = record(np.asarray(raw), 100)
    assert stop is None and len(smoothed) == 100
    assert_same(raw, 100)


@pytest.mark.parametrize("nan_at", [12, 40, 97])
def test_a_nan_ends_the_test_with_fastais_suggestions(nan_at: int) -> None:
    # Falling slowly, never 4x the best: fastai goes on recording NaN to num_it and
    # cuts its trimmed curve at the first NaN; lrgame stops at the NaN.
    raw = list(np.linspace(3.0, 1.0, 100))
    raw[nan_at] = math.nan
    smoothed, stop = record(np.asarray(raw), 100)
    assert len(smoothed) == min(nan_at + 1, 100) and math.isnan(smoothed[-1])
    assert stop == ("walk_ended" if nan_at < 99 else None)
    assert_same(raw, 100)


def test_an_infinite_loss_stops_by_the_blowup_rule() -> None:
    raw = list(np.linspace(3.0, 1.0, 60)) + [math.inf] + [1.0] * 39
    smoothed, stop = record(np.asarray(raw), 100)
    assert stop == "blowup" and len(smoothed) == 61
    assert_same(raw, 100)


@pytest.mark.parametrize("length", [3, 8, 14, 15, 16, 30])
def test_a_walk_that_ends_early(length: int) -> None:
    raw = u_curve(100, 0.05, 5.0)[:length]
    smoothed, stop = record(np.asarray(raw), 100)
    assert stop == "walk_ended" and len(smoothed) == length
    assert_same(raw, 100)


@pytest.mark.parametrize("num_it", [1, 5, 6, 7, 12, 20])
def test_short_tests(num_it: int) -> None:
    # Few points: some suggestions need more than the trimmed curve holds and are left out.
    suggestions = assert_same(u_curve(max(num_it, 6), 0.3, 5.0), num_it)
    if num_it <= 6:
        # Six steps run (fastai's floor), five are trimmed from the end: one point is left.
        assert set(suggestions) == {"valley", "minimum"}


def test_a_curve_falling_throughout_takes_fastais_quirky_valley() -> None:
    # The whole trimmed curve decreases: fastai's valley starts one before its first
    # point; with two points it picks index -1, the last.
    raw = list(np.linspace(5.0, 1.0, 7))
    suggestions = assert_same(raw, 7)  # seven steps, the last five trimmed: two points
    assert suggestions["valley"] == lr_ramp(START_LR, END_LR, 7)[1]


@pytest.mark.parametrize("seed", range(40))
def test_random_curves(seed: int) -> None:
    rng = np.random.default_rng(seed)
    num_it = int(rng.integers(6, 200))
    fall, rise = sorted(rng.uniform(0.0, 1.3, 2))
    raw = np.asarray(u_curve(num_it, fall, rise)) * rng.uniform(0.2, 5.0)
    raw = raw * np.exp(rng.normal(0, rng.uniform(0, 0.3), num_it))
    if seed % 5 == 0:
        raw[int(rng.integers(0, num_it))] = math.nan
    if seed % 7 == 0:
        raw = raw[: int(rng.integers(1, num_it + 1))]
    assert_same(list(raw), num_it)


# -- find_lr on a landscape ----------------------------------------------------------


def walk(
    raw_strategy: dict[str, Any], landscape: Landscape, start: list[float], num_it: int
) -> FinderResult:
    strategy = parse_strategy(raw_strategy, "", level_steps=60)
    return find_lr(landscape, start, strategy, 0.0, points=num_it)


@pytest.mark.parametrize(
    "loss, start",
    [("3*(x - 1)**2 + 0.5*(y + 2)**2", [-4.0, 3.0]), ("(x**2 - 1)**2 + y**2", [-1.8, 1.0])],
)
def test_find_lr_is_fastai_fed_with_the_walks_own_losses(loss: str, start: list[float]) -> None:
    landscape = Landscape(
        Expression.parse(loss, ("x", "y")), np.asarray([[-5.0, 5.0], [-5.0, 5.0]])
    )
    for num_it in (100, 40):
        result = walk({"optimizer": {"name": "sgd"}}, landscape, start, num_it)
        ramp = lr_ramp(START_LR, END_LR, num_it)
        strategy = parse_strategy({"optimizer": {"name": "sgd"}}, "", level_steps=60)
        run = run_with_rates(landscape, start, strategy, ramp[None, :]).row(0)
        raw = list(run.loss[:num_it])  # the loss each step sees, including where a walk broke off
        want_lr, want, want_suggestions = fastai_lr_find(raw, num_it)
        np.testing.assert_allclose(result.lr, want_lr[: len(result.lr)], rtol=1e-13)
        np.testing.assert_allclose(result.smoothed_gap, want[: len(result.lr)], rtol=1e-12)
        assert result.suggestions == pytest.approx(want_suggestions, rel=1e-12)
        assert result.stopped_early == (result.stop is not None)
        assert result.stopped_early, "these walks blow up before lr reaches 100"
