"""Spaced repetition: proposed ratings, FSRS due dates from real rating sequences, the due queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coach.core.attempts import Attempt, load_attempt, new_attempt, update_attempt, write_analysis
from coach.core.history import open_history, rebuild_index
from coach.core.scheduler import due, parse_rating, propose_rating, replay
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


def rated(home, prompt_id: str | None, rating: str, at: datetime, history, **fields):
    """An analysed attempt of ``prompt_id`` answered at ``at``, rated ``rating``."""
    attempt = make_attempt(home, prompt_id=prompt_id, history=history,
                           started_at=at.isoformat(), **fields)
    history.set_rating(attempt.id, rating)
    return attempt


def test_good_good_again_easy_grows_then_resets_the_interval():
    """Each review happens on the day the card fell due."""
    when, ratings, dues = T0, [], []
    for n, rating in enumerate(("good", "good", "again", "easy")):
        ratings.append((f"a{n}", rating, when))
        card, _reviews = replay(ratings)
        assert card is not None
        dues.append(card.due)
        when = card.due
    assert [d.date().isoformat() for d in dues] == [
        "2026-01-03", "2026-01-14", "2026-01-16", "2026-01-24"]
    intervals = [(b - a).days for a, b in zip([T0, *dues], dues, strict=False)]
    assert intervals == [2, 11, 2, 8]
    assert intervals[1] > intervals[0]  # Good again: the interval grows
    assert intervals[2] < intervals[1]  # Again: back to a short interval
    assert intervals[3] > intervals[2]  # Easy: grows again
    # the order they were given in does not matter, only when each attempt was answered
    assert replay(reversed(ratings))[0].due == dues[-1]


def test_card_is_stored_and_reviews_are_logged(coach_home):
    with open_history(coach_home) as history:
        assert history.card("btree-vs-hash") is None
        rated(coach_home, "btree-vs-hash", "good", T0, history)
        rated(coach_home, "btree-vs-hash", "hard", T0 + timedelta(days=2), history)
        stored = history.card("btree-vs-hash")
        log = history.query("SELECT rating, reviewed_at, due FROM reviews ORDER BY id")
    card, _ = replay([("a", "good", T0), ("b", "hard", T0 + timedelta(days=2))])
    assert stored is not None and card is not None and stored.due == card.due
    assert [r["rating"] for r in log] == ["good", "hard"]
    assert log[-1]["due"] == card.due.isoformat()
    with pytest.raises(CoachError, match="unknown rating"):
        replay([("a", "perfect", T0)])


def test_due_lists_due_reviews_first_then_new_prompts_up_to_the_daily_rate(coach_home):
    prompts = ["a", "b", "c", "d", "e", "f"]
    with open_history(coach_home) as history:
        rated(coach_home, "a", "good", T0, history)  # due 2026-01-03
        rated(coach_home, "b", "again", T0, history)  # due 2026-01-02 (sooner)
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
        rated(coach_home, "a", "good", now, history)
        rated(coach_home, "b", "good", now, history)
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
        attempt = rated(coach_home, "btree-vs-hash", "good", T0, history)
        card = history.card("btree-vs-hash")
        assert card is not None and card.due.date().isoformat() == "2026-01-03"
        assert load_attempt(attempt.path).rating == "good"
        free = make_attempt(coach_home, prompt_id=None, history=history)
        assert history.set_rating(free.id, "easy") is None
        history.conn.execute("DELETE FROM reviews")
        history.conn.execute("DELETE FROM cards")
        history.rebuild(coach_home)
        rebuilt = history.card("btree-vs-hash")
    assert rebuilt is not None and rebuilt.due == card.due


def schedule_of(history) -> list[tuple]:
    """Every card's due date and every logged review, as the index holds them."""
    cards = history.query("SELECT prompt_id, due, created_at FROM cards ORDER BY prompt_id")
    reviews = history.query(
        "SELECT prompt_id, attempt_id, rating, reviewed_at, due FROM reviews"
        " ORDER BY prompt_id, reviewed_at, attempt_id")
    return [tuple(r.values()) for r in cards + reviews]


def test_rating_again_replaces_the_rating_and_rebuild_gives_the_same_dates(coach_home):
    """The reported bug: rating the same attempt twice reviewed its prompt twice (due moved
    from 12-09 to 12-14) and a rebuild brought back 12-09. Now one rating per attempt."""
    with open_history(coach_home) as history:
        first = rated(coach_home, "btree-vs-hash", "good", T0, history)
        once = history.card("btree-vs-hash")
        again = history.set_rating(first.id, "good")  # the same rating twice: no change
        assert again is not None and once is not None and again.due == once.due
        easy = history.set_rating(first.id, 4)  # the app's key 4: replaces Good
        assert easy is not None and easy.due == replay([("x", "easy", T0)])[0].due
        assert easy.due > once.due
        # a second prompt with several attempts, one re-rated out of order
        later = rated(coach_home, "lsm-tree", "hard", T0 + timedelta(days=1), history)
        rated(coach_home, "lsm-tree", "good", T0 + timedelta(days=4), history)
        history.set_rating(later.id, "again")
        # a failed and a no-speech attempt rated in an older coach are not reviews
        for n, (state, analysis) in enumerate((("failed", None),
                                               ("analysed", {"no_speech": True}))):
            old = make_attempt(coach_home, prompt_id="lsm-tree", history=history,
                               started_at=(T0 + timedelta(days=2, hours=n)).isoformat())
            if analysis:
                write_analysis(old, analysis)
            history.record_attempt(update_attempt(old, state=state, rating="easy"), analysis)
        live = schedule_of(history)
        log = history.query("SELECT attempt_id, rating FROM reviews WHERE prompt_id = ?",
                            ("btree-vs-hash",))
    assert log == [{"attempt_id": first.id, "rating": "easy"}]  # one review, the new rating
    assert load_attempt(first.path).rating == "easy"
    for rebuild in range(2):  # a rebuild, and a fresh database rebuilt from the folders
        if rebuild:
            for path in coach_home.glob("coach.db*"):
                path.unlink()
        else:
            rebuild_index(coach_home)
        with open_history(coach_home) as history:
            assert schedule_of(history) == live


def unratable_attempts(home, history) -> tuple[Attempt, Attempt]:
    """A failed attempt and one whose recording held no speech, both indexed."""
    failed = make_attempt(home, history=history)
    failed = update_attempt(failed, state="failed", error="decoder crashed")
    history.record_attempt(failed, None)
    silent = make_attempt(home, history=history)
    write_analysis(silent, {"duration_s": 5.0, "no_speech": True})
    history.record_attempt(silent, {"duration_s": 5.0, "no_speech": True})
    return failed, silent


def test_failed_recording_and_no_speech_attempts_cannot_be_rated(coach_home):
    with open_history(coach_home) as history:
        failed, silent = unratable_attempts(coach_home, history)
        busy = new_attempt(coach_home, "btree-vs-hash", state="recording")
        history.record_attempt(busy, None)
        for attempt, why in ((failed, "failed, so there is no answer to rate"),
                             (silent, "has no speech, so there is no answer to rate"),
                             (busy, "has no finished recording yet")):
            with pytest.raises(CoachError, match=why):
                history.set_rating(attempt.id, "good")
            assert load_attempt(attempt.path).rating is None
        assert history.card("btree-vs-hash") is None


def test_a_rating_given_while_analysing_counts_only_if_speech_was_found(coach_home):
    with open_history(coach_home) as history:
        attempt = new_attempt(coach_home, "btree-vs-hash", state="analysing")
        history.record_attempt(attempt, None)
        assert history.set_rating(attempt.id, "good") is not None
        done = update_attempt(load_attempt(attempt.path), state="analysed")
        history.record_attempt(done, {"duration_s": 5.0, "no_speech": True})
        assert history.card("btree-vs-hash") is None  # as a rebuild would see it


def test_deleting_a_rated_attempt_reschedules_its_prompt(coach_home):
    with open_history(coach_home) as history:
        rated(coach_home, "btree-vs-hash", "good", T0, history)
        second = rated(coach_home, "btree-vs-hash", "again", T0 + timedelta(days=2), history)
        history.delete_attempt(second.id, coach_home)
        card = history.card("btree-vs-hash")
    assert card is not None and card.due == replay([("a", "good", T0)])[0].due


def test_ratings_are_keys_1_to_4_or_names_like_the_app():
    assert [parse_rating(v) for v in ("1", "2", "3", "4", 3, " Good ", "EASY")] == [
        "again", "hard", "good", "easy", "good", "good", "easy"]
    for bad in ("0", "5", "superb", ""):
        with pytest.raises(CoachError, match="use 1-4 or one of: again, hard, good, easy"):
            parse_rating(bad)


def test_the_proposed_rating_follows_content() -> None:
    """Fluent but off the question: Again. Known but said badly: Good, not Easy."""
    assert propose_rating({"total": 49, "content": 80, "delivery": 100}) == "again"
    assert propose_rating({"total": 62, "content": 92, "delivery": 40}) == "good"
    assert propose_rating({"total": 90, "content": 92, "delivery": 85}) == "easy"
    assert propose_rating({"total": 58, "content": 45, "delivery": 95}) == "hard"
    assert propose_rating({"total": 70}) == "good"  # an older score without content


def test_the_scheduler_does_not_import_the_history():
    """Dependencies run one way inside the core: the history uses the scheduler's replay."""
    import subprocess
    import sys

    code = ("import sys, coach.core.scheduler; "
            "print('coach.core.history' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
