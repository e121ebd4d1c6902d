"""What a campaign adds up to, without a terminal: stars, scores, lessons, completeness."""

from __future__ import annotations

from pathlib import Path

from lrgame.analysis.campaign import Campaign, summarize
from lrgame.engine.outcome import Verdict
from lrgame.storage import ProgressStore

CAMPAIGN = Path(__file__).resolve().parent / "fixtures" / "campaign"


def verdict(score: int, stars: int, *, won: bool = True) -> Verdict:
    outcome = "reached_goal" if won else "out_of_steps"
    return Verdict(outcome, 30, 10 if won else None, 0.0, 1.0, score, stars)


def test_the_summary_adds_up_the_best_of_each_playable_level(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    campaign = Campaign.load(CAMPAIGN, store.campaign_key(CAMPAIGN))
    levels = [e.checked.level for e in campaign.entries if e.checked.level is not None]
    assert len(levels) == len(campaign.entries) - 1, "the broken file is no level"
    empty = summarize(campaign, store)
    assert not empty.complete and empty.stars == 0 and empty.total_score == 0
    assert empty.max_score == 1000 * len(levels)

    first, *rest = levels
    store.record_run(campaign.key, first.id, first.digest, verdict(700, 2), {})
    store.record_run(campaign.key, first.id, first.digest, verdict(400, 1), {})
    partial = summarize(campaign, store)
    assert [r.best_score for r in partial.levels] == [700] + [0] * len(rest)
    assert partial.stars == 2 and not partial.complete
    assert partial.last_level == levels[-1]

    for level in rest:
        store.record_run(campaign.key, level.id, level.digest, verdict(900, 3), {})
    done = summarize(campaign, store)
    assert done.complete, "the broken file does not count against the player"
    assert done.total_score == 700 + 900 * len(rest)
    assert done.stars == 2 + 3 * len(rest)
    # One entry per lesson, in the order the campaign first teaches it, stars summed.
    order = list(dict.fromkeys(level.lesson for level in levels))
    assert [lesson.lesson for lesson in done.lessons] == order
    assert sum(lesson.levels for lesson in done.lessons) == len(levels)
    assert sum(lesson.stars for lesson in done.lessons) == done.stars


def test_a_lost_run_does_not_pass_the_level(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path)
    campaign = Campaign.load(CAMPAIGN, "here")
    level = next(e.checked.level for e in campaign.entries if e.checked.level is not None)
    store.record_run("here", level.id, level.digest, verdict(300, 0, won=False), {})
    result = summarize(campaign, store).levels[0]
    assert not result.passed and result.best_score == 300 and result.stars == 0
    assert campaign.index_of(level) == 0 and campaign.next_level(level) is not None
