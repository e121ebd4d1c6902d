"""What the sweep screen shows, without a terminal: the plotted values and the regions in words."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from lrgame.analysis.sweep import RateRange, compute_sweep
from lrgame.analysis.sweep_view import region_lines, region_span, sweep_plot
from lrgame.engine.outcome import Outcome
from lrgame.levels.loader import load_level
from lrgame.levels.model import Level

CAMPAIGN = Path(__file__).resolve().parent / "fixtures" / "campaign"


def bowl() -> Level:
    """x**2 from 2.5, 40 steps: curvature 2, so plain SGD flies apart above lr 1."""
    return load_level(CAMPAIGN / "01-bowl.json")


def test_the_loss_view_plots_each_rates_gap_and_marks_you_and_the_cliff() -> None:
    level = bowl()
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.3}})
    result = compute_sweep(level, strategy)
    plot = sweep_plot(result, level, strategy.steps, "loss")
    assert plot.log_y and plot.reference is None
    np.testing.assert_allclose(plot.log_lr, np.log10(result.lrs))
    assert plot.outcomes == [v.outcome for v in result.verdicts]
    # Each value is that rate's final loss above the minimum (inf where it diverged).
    for value, verdict in zip(plot.values, result.verdicts, strict=True):
        if verdict.outcome == Outcome.DIVERGED:
            assert value == math.inf
        else:
            assert verdict.final_loss is not None
            assert value == np.float64(verdict.final_loss - level.goal.loss)
    assert plot.you_log_lr == math.log10(0.3)
    assert result.yours.final_loss is not None
    assert plot.you_value == max(result.yours.final_loss - level.goal.loss, 0.0)
    # SGD on curvature 2 diverges from lr 1 up: the cliff is the first sampled rate past 1.
    assert plot.cliff_log_lr is not None
    cliff = 10**plot.cliff_log_lr
    assert cliff >= 1.0 and result.lrs[result.lrs < cliff].max() <= 1.0


def test_the_steps_view_plots_steps_to_goal_against_par_and_the_budget() -> None:
    level = bowl()
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.3}})
    result = compute_sweep(level, strategy)
    plot = sweep_plot(result, level, strategy.steps, "steps")
    assert not plot.log_y
    assert plot.reference == level.par and plot.y_max == strategy.steps
    for value, verdict in zip(plot.values, result.verdicts, strict=True):
        if verdict.outcome == Outcome.REACHED_GOAL:
            assert value == verdict.steps_to_goal
        else:
            assert math.isnan(value)
    assert result.yours.outcome == Outcome.REACHED_GOAL
    assert plot.you_value == result.yours.steps_to_goal


def test_regions_read_low_to_high_with_the_sweet_spot_and_the_cliff_named() -> None:
    level = bowl()
    strategy = level.strategy({"optimizer": {"name": "sgd", "lr": 0.3}})
    result = compute_sweep(level, strategy)
    lines, more = region_lines(result)
    assert more == max(0, len(result.segments) - len(lines))
    assert [line.outcome for line in lines] == [s.outcome for s in result.segments[: len(lines)]]
    assert lines[0].words == "runs out of steps: too small to get there in time"
    assert any(line.words == "sweet spot: reaches the goal" for line in lines)
    assert lines[-1].outcome == Outcome.DIVERGED
    assert lines[-1].words == "divergence cliff: everything from here up flies apart"
    few, left_out = region_lines(result, most=1)
    assert len(few) == 1 and left_out == len(result.segments) - 1


def test_a_region_of_one_rate_reads_as_that_rate() -> None:
    one = RateRange(Outcome.REACHED_GOAL, 3, 4, 0.25, 0.25)
    assert region_span(one) == "0.25"
    wide = RateRange(Outcome.REACHED_GOAL, 3, 40, 0.0123, 0.789)
    low, high = region_span(wide).split(" – ")
    assert 0.0123 <= float(low) <= float(high) <= 0.789, "rounded inwards"


SHIPPED = sorted((Path(__file__).resolve().parents[1] / "levels").glob("*.json"))


def test_the_summary_quotes_the_cliff_as_the_region_list_does_and_never_below_it() -> None:
    # "from X up the walk flies apart" is a claim about every rate from X up: X rounds up
    # (the rates between the last survivor and the first diverging one were not run),
    # and it is the same number as the cliff region's lower end.
    import re

    checked = 0
    for path in SHIPPED:
        level = load_level(path)
        strategy = level.starting_strategy()
        result = compute_sweep(level, strategy)
        if result.cliff is None:
            continue
        found = re.search(r"from (\S+) up the walk flies apart", result.summary())
        assert found is not None, result.summary()
        quoted = found.group(1)
        assert float(quoted) >= result.cliff, (path.name, quoted, result.cliff)
        lines, _more = region_lines(result, most=len(result.segments))
        assert lines[-1].outcome == Outcome.DIVERGED
        assert lines[-1].span.split(" – ")[0] == quoted, (path.name, lines[-1].span, quoted)
        checked += 1
    assert checked >= 3
