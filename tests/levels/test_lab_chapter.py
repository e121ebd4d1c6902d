"""The Lab chapter (levels/lab): each model level's lesson proved by sweeps through the engine.

As for the campaign, every claim a briefing makes ("SGD diverges above 2/λmax",
"no constant rate wins", "warmup lets the fastest rates win") is measured here.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from claims import level_schema_validator

from lrgame.engine.outcome import Verdict, settle_window
from lrgame.engine.simulate import run_batch, run_sweep
from lrgame.levels.lab import ModelLevel
from lrgame.levels.loader import check_file, load_campaign

LAB_DIR = Path(__file__).resolve().parents[2] / "levels" / "lab"
SGD = {"optimizer": {"name": "sgd"}}
ADAM = {"optimizer": {"name": "adam"}}


@cache
def lab(prefix: str) -> ModelLevel:
    (path,) = LAB_DIR.glob(f"{prefix}*.json")
    checked = check_file(path, run_demos=False)
    assert isinstance(checked.level, ModelLevel), checked.lines
    return checked.level


def sweep(level: ModelLevel, strategy: dict[str, Any], lrs: np.ndarray) -> list[Verdict]:
    batch = run_sweep(level.landscape, level.start, level.strategy(strategy), lrs)
    return level.judge(batch)


def won(verdicts: list[Verdict]) -> np.ndarray:
    return np.array([v.outcome == "reached_goal" for v in verdicts])


def least_squares(level: ModelLevel) -> tuple[np.ndarray, float]:
    data = level.landscape.data
    a = np.hstack([data.x, np.ones((data.n, 1))])
    w, *_ = np.linalg.lstsq(a, data.y, rcond=None)
    return w, float(np.mean((a @ w - data.y) ** 2))


# -- the chapter as a whole ----------------------------------------------------------


def test_the_chapter_is_four_valid_model_levels_with_passing_demos() -> None:
    files = sorted(LAB_DIR.glob("*.json"))
    assert len(files) >= 4
    validator = level_schema_validator()
    for path in files:
        assert list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8")))) == []
        checked = check_file(path)  # runs the demos
        assert checked.lines == [] and isinstance(checked.level, ModelLevel)
    entries = load_campaign(LAB_DIR)
    assert [e.checked.level.lesson for e in entries if e.checked.level] == [
        "divergence",
        "noise",
        "adaptive",
        "warmup",
    ]


# -- 1: unscaled features ------------------------------------------------------------

UNSCALED_LRS = np.geomspace(1e-6, 1e2, 200)


def test_unscaled_sgd_diverges_exactly_above_two_over_lambda_max() -> None:
    level = lab("01-")
    data = level.landscape.data
    assert level.dim == 2 and data.features == 1  # one weight and a bias: the exact map shows
    assert np.ptp(data.x[:, 0]) > 100  # the input spans 100x the bias's constant 1
    a = np.hstack([data.x, np.ones((data.n, 1))])
    eig = np.linalg.eigvalsh(2 * a.T @ a / data.n)
    assert eig[-1] / eig[0] > 1000  # "thousands of times more steeply": a long thin valley
    limit = 2 / eig[-1]
    assert level.landscape.curvature_limit() == pytest.approx(limit, rel=1e-12)
    outcomes = [v.outcome for v in sweep(level, SGD, UNSCALED_LRS)]
    above = UNSCALED_LRS > limit
    assert all(o == "diverged" for o, a in zip(outcomes, above, strict=True) if a)
    assert not any(o == "diverged" for o, a in zip(outcomes, above, strict=True) if not a)
    assert "reached_goal" not in outcomes


def test_unscaled_stable_sgd_hardly_moves_the_bias() -> None:
    level = lab("01-")
    best, _ = least_squares(level)
    limit = level.landscape.curvature_limit()
    assert limit is not None
    stable = UNSCALED_LRS[UNSCALED_LRS <= limit]
    batch = run_sweep(level.landscape, level.start, level.strategy(SGD), stable)
    start = level.start[1]  # the bias, which multiplies the constant 1
    covered = (batch.trajectory[:, -1, 1] - start) / (best[1] - start)
    assert np.all(covered < 0.1)


def test_unscaled_adam_wins_over_decades() -> None:
    wins = UNSCALED_LRS[won(sweep(lab("01-"), ADAM, UNSCALED_LRS))]
    assert len(wins) and wins.max() / wins.min() > 100


def test_unscaled_coach_quotes_the_limit_from_the_data() -> None:
    from lrgame.labcoach import diagnose_model

    level = lab("01-")
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 3e-4}})
    batch = run_batch(level.landscape, level.start, [strategy])
    d = diagnose_model(level, strategy, batch.row(0), level.judge(batch)[0], sweep=False)
    assert d.cause == "diverged"
    assert d.stability_limit == pytest.approx(level.landscape.curvature_limit(), rel=1e-12)
    assert d.blowup_lr == 3e-4 > d.stability_limit


def test_unscaled_coach_quotes_the_sweeps_divergence_edge() -> None:
    """The coach's "rates above X are unstable" and the editor's "stable for lr < Y" hold for
    every rate a fine sweep tries around the edge: above X the loss rises, below Y it falls."""
    import re

    from lrgame.labcoach import diagnose_model, explain_model, model_facts

    level = lab("01-")
    limit = level.landscape.curvature_limit()
    assert limit is not None
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 3e-4}})
    batch = run_batch(level.landscape, level.start, [strategy])
    text = explain_model(diagnose_model(level, strategy, batch.row(0), level.judge(batch)[0]))
    found = re.search(r"rates above (\S+) are unstable", text)
    assert found is not None, text
    above = float(found.group(1))
    facts = " ".join(model_facts(level))
    found = re.search(r"stable for lr < 2/λmax = (\S+)", facts)
    assert found is not None, facts
    below = float(found.group(1))

    lrs = np.geomspace(limit / 1.02, limit * 1.02, 81)
    sweep_batch = run_sweep(level.landscape, level.start, level.strategy(SGD), lrs)
    n = level.steps
    rising = sweep_batch.diverged | (sweep_batch.loss[:, n] > sweep_batch.loss[:, n // 2])
    edge_low, edge_high = lrs[~rising].max(), lrs[rising].min()
    assert edge_low <= limit < edge_high  # the sweep's edge brackets 2/λmax (at it: neutral)
    assert rising[lrs > above].all() and not rising[lrs < below].any()
    assert below <= limit <= above and above / below < 1.01  # the same limit, rounded


def test_unscaled_demo_note_quotes_the_limit() -> None:
    from lrgame.numfmt import num

    level = lab("01-")
    limit = level.landscape.curvature_limit()
    assert limit is not None
    note = level.raw["demos"]["lose"][0]["note"]
    quoted = f"2/λmax ≈ {num(limit * 1e4, 3)}e-4"  # the note writes 2.65e-4
    assert quoted in note["en"] and quoted in note["ja"]


# -- 2: mini-batch noise and decay ------------------------------------------------------


def test_noise_goal_is_within_one_percent_of_the_best_fit() -> None:
    level = lab("02-")
    _, floor = least_squares(level)
    assert 1.005 < level.goal_loss / floor < 1.015
    assert level.landscape.batch_size == 2


def test_noise_no_constant_rate_wins() -> None:
    lrs = np.geomspace(1e-6, 1e2, 400)
    assert not won(sweep(lab("02-"), SGD, lrs)).any()


def test_noise_a_long_constant_stride_gets_down_then_hovers() -> None:
    level = lab("02-")
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.2}})
    run = run_batch(level.landscape, level.start, [strategy]).row(0)
    tail = run.loss[-settle_window(run.steps) :]
    assert np.min(run.loss) <= level.goal_loss  # it got there
    assert np.max(tail) > level.goal_loss  # and was knocked out again
    assert np.all(np.diff(tail) != 0) and np.mean(np.diff(tail) > 0) > 0.2  # by the batches


@pytest.mark.parametrize(
    "schedule",
    [{"name": "cosine", "T_max": 300}, {"name": "step", "step_size": 60, "gamma": 0.3}],
    ids=["cosine", "step"],
)
def test_noise_decay_lands(schedule: dict[str, Any]) -> None:
    lrs = np.geomspace(1e-3, 10, 100)
    wins = lrs[won(sweep(lab("02-"), {**SGD, "schedule": schedule}, lrs))]
    assert len(wins) >= 20 and wins.max() / wins.min() > 5


# -- 3: Adam vs SGD on moons -----------------------------------------------------------


def test_moons_sgd_stalls_at_every_rate() -> None:
    level = lab("03-")
    lrs = np.geomspace(1e-4, 1e2, 100)
    batch = run_sweep(level.landscape, level.start, level.strategy(SGD), lrs)
    verdicts = level.judge(batch)
    assert not won(verdicts).any()
    finals = [v.final_loss for v in verdicts if v.final_loss is not None]
    assert min(finals) > 0.2  # a straight boundary, about where logistic regression ends


def test_moons_adam_wins_over_a_range() -> None:
    lrs = np.geomspace(1e-4, 1, 60)
    wins = lrs[won(sweep(lab("03-"), ADAM, lrs))]
    assert len(wins) >= 10 and wins.max() / wins.min() > 5


# -- 4: warmup ----------------------------------------------------------------------------

WARMUP = {"name": "linear", "start_factor": 0.01, "total_iters": 60}


@cache
def warmup_sweeps() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    level = lab("04-")
    lrs = np.geomspace(3e-3, 0.5, 40)
    plain = won(sweep(level, ADAM, lrs))
    warm = won(sweep(level, {**ADAM, "schedule": WARMUP}, lrs))
    return lrs, plain, warm


def test_warmup_the_fastest_rates_fail_without_it_and_win_with_it() -> None:
    lrs, plain, warm = warmup_sweeps()
    top_plain = lrs[plain].max()
    top_warm = lrs[warm].max()
    assert top_warm > 2 * top_plain
    band = (lrs > top_plain) & (lrs <= top_warm)
    assert not plain[lrs > top_plain].any()
    assert warm[band].mean() >= 0.7


def test_warmup_level_is_a_large_network_that_starts_sharp() -> None:
    level = lab("04-")
    assert level.dim > 5000
    strategy = level.strategy({"optimizer": {"name": "adam", "lr": 0.12}, "schedule": WARMUP})
    run = run_batch(level.landscape, level.start, [strategy]).row(0)

    def sharpness(point: np.ndarray) -> float:
        v = np.random.default_rng(0).standard_normal(level.dim)
        value = 0.0
        for _ in range(30):
            v /= np.linalg.norm(v)
            h = 1e-5
            g_up = level.landscape.value_and_grad((point + h * v)[None])[1][0]
            g_down = level.landscape.value_and_grad((point - h * v)[None])[1][0]
            hv = (g_up - g_down) / (2 * h)
            value = float(v @ hv)
            v = hv
        return value

    assert sharpness(np.asarray(level.start)) > 2.5 * sharpness(run.trajectory[-1])
