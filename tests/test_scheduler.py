"""Spaced repetition: proposed ratings, FSRS due dates from real rating sequences, the due queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.core.attempts import load_attempt
from coach.core.history import open_history
from coach.core.scheduler import due, get_card, propose_rating, rate_attempt, review
from coach.errors import CoachError
from tests.test_history import make_attempt

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "rating"),
    [(0, "again"), (39.9, "again"), (40, "hard"), (59.9, "hard"), (60, "good"),
     (84.9, "good"), (85, "easy"), (100, "easy")],
)
def test_propose_rating_bands(score, rating):
    assert propose_rating(score) == rating


def test_good_good_again_easy_grows_then_resets_the_interval(coach_home):
    """Each review happens on the day the card fell due."""
    with open_history(coach_home) as history:
        when = T0
        dues = []
        for rating in ("good", "good", "again", "easy"):
            card = review(history, "btree-vs-hash", rating, now=when)
            dues.append(card.due)
            when = card.due
    assert [d.date().isoformat() for d in dues] == [
        "2026-01-03", "2026-01-14", "2026-01-16", "2026-01-24"]
    intervals = [(b - a).days for a, b in zip([T0, *dues], dues, strict=False)]
    assert intervals == [2, 11, 2, 8]
    assert intervals[1] > intervals[0]  # Good again: the interval grows
    assert intervals[2] < intervals[1]  # Again: back to a short interval
    assert intervals[3] > intervals[2]  # Easy: grows again


def test_card_is_stored_and_reviews_are_logged(coach_home):
    with open_history(coach_home) as history:
        assert get_card(history, "btree-vs-hash") is None
        review(history, "btree-vs-hash", "good", now=T0)
        card = review(history, "btree-vs-hash", "hard", now=T0 + timedelta(days=2))
        stored = get_card(history, "btree-vs-hash")
        log = history.query("SELECT rating, reviewed_at FROM reviews ORDER BY id")
    assert stored is not None and stored.due == card.due
    assert [r["rating"] for r in log] == ["good", "hard"]
    with pytest.raises(CoachError, match="unknown rating"), open_history(coach_home) as history:
        review(history, "btree-vs-hash", "perfect")


def test_due_lists_due_reviews_first_then_new_prompts_up_to_the_daily_rate(coach_home):
    prompts = ["a", "b", "c", "d", "e", "f"]
    with open_history(coach_home) as history:
        review(history, "a", "good", now=T0)  # due 2026-01-03
        review(history, "b", "again", now=T0)  # due 2026-01-02 (sooner)
        on_jan_5 = due(history, prompts, now=T0 + timedelta(days=4), new_per_day=3)
        on_jan_2 = due(history, prompts, now=T0 + timedelta(days=1, hours=1), new_per_day=0)
        before = due(history, prompts, now=T0 + timedelta(hours=12), new_per_day=0)
        filtered = due(history, ["a"], now=T0 + timedelta(days=4), new_per_day=3)
    assert [(i.prompt_id, i.reason) for i in on_jan_5] == [
        ("b", "due"), ("a", "due"), ("c", "new"), ("d", "new"), ("e", "new")]
    assert on_jan_5[0].due == datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    assert on_jan_5[2].due is None
    assert [i.prompt_id for i in on_jan_2] == ["b"]
    assert before == []
    assert [i.prompt_id for i in filtered] == ["a"]  # prompts no longer in the library: hidden


def test_prompts_started_today_use_up_the_daily_new_budget(coach_home):
    now = datetime.now(UTC)
    with open_history(coach_home) as history:
        review(history, "a", "good", now=now)
        review(history, "b", "good", now=now)
        items = due(history, ["a", "b", "c", "d", "e"], now=now, new_per_day=3)
    assert [(i.prompt_id, i.reason) for i in items] == [("c", "new")]


def test_practised_but_unrated_prompt_is_offered_before_untouched_ones(coach_home):
    with open_history(coach_home) as history:
        make_attempt(coach_home, prompt_id="d", history=history)
        items = due(history, ["a", "b", "c", "d"], new_per_day=3)
    # "d" was started today, so it uses one of the three new slots, and comes first.
    assert [i.prompt_id for i in items] == ["d", "a"]


def test_rating_an_attempt_schedules_its_prompt_and_survives_a_rebuild(coach_home):
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, history=history)
        card = rate_attempt(history, attempt.id, "good", now=T0)
        assert card is not None and card.due.date().isoformat() == "2026-01-03"
        assert load_attempt(attempt.path).rating == "good"
        free = make_attempt(coach_home, prompt_id=None, history=history)
        assert rate_attempt(history, free.id, "easy", now=T0) is None
        history.conn.execute("DELETE FROM reviews")
        history.conn.execute("DELETE FROM cards")
        history.rebuild(coach_home)
        rebuilt = get_card(history, "btree-vs-hash")
    assert rebuilt is not None and rebuilt.due == card.due


def test_the_proposed_rating_follows_content() -> None:
    """Fluent but off the question: Again. Known but said badly: Good, not Easy."""
    assert propose_rating({"total": 49, "content": 80, "delivery": 100}) == "again"
    assert propose_rating({"total": 62, "content": 92, "delivery": 40}) == "good"
    assert propose_rating({"total": 90, "content": 92, "delivery": 85}) == "easy"
    assert propose_rating({"total": 58, "content": 45, "delivery": 95}) == "hard"
    assert propose_rating({"total": 70}) == "good"  # an older score without content
