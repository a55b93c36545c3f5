"""When to practise each prompt again: FSRS (the ``fsrs`` package) over the user's ratings.

One FSRS card per prompt, stored as ``Card.to_dict()`` JSON in the history database's ``cards``
table; every rating is logged in ``reviews``. Choices made for spoken interview answers rather
than flash cards:

- no (re)learning steps: re-answering a two-minute question 1 or 10 minutes later teaches little,
  so every rating schedules in days (Again -> about a day or two, Good grows the interval);
- no fuzzing: due dates are reproducible and easy to explain ("Good on the 1st -> due the 3rd");
- a rating is proposed from the attempt's content score (``propose_rating``) so one key
  accepts it: an answer that sounded fine but missed the content comes back soon.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fsrs import Card, Rating, Scheduler

from coach.core.history import RATINGS, History
from coach.errors import CoachError

_RATING = {
    "again": Rating.Again,
    "hard": Rating.Hard,
    "good": Rating.Good,
    "easy": Rating.Easy,
}

# Bands for the proposed rating, applied to the *content* score: what the user knew decides
# when the prompt comes back, not how smoothly they said it. Below 40 the answer missed much
# of what was asked (Again); 40-59 got there with visible struggle (Hard); 60-84 is a solid
# answer (Good); 85+ is one the user could give tomorrow without rehearsal (Easy). An answer
# whose total is "Needs work" (under 50: e.g. under a third of the key points, however fluent)
# is always Again, and Easy needs a strong total too (known, but not yet said well: Good).
# The user can always pick another rating.
AGAIN_BELOW = 40.0
HARD_BELOW = 60.0
GOOD_BELOW = 85.0
NEEDS_WORK_BELOW = 50.0


def propose_rating(score: float | dict[str, Any]) -> str:
    """The rating suggested for an attempt: again / hard / good / easy.

    ``score`` is the analysis's score JSON (its content score decides; a "Needs work" total is
    Again), or a bare 0-100 number for a score without a content part (older attempts).
    """
    if isinstance(score, dict):
        total = float(score.get("total") or 0.0)
        if total < NEEDS_WORK_BELOW:
            return "again"
        content = score.get("content")
        value = float(content) if isinstance(content, int | float) else total
        if total < GOOD_BELOW:
            value = min(value, GOOD_BELOW - 1)  # Easy asks for the delivery too
    else:
        value = float(score)
    if value < AGAIN_BELOW:
        return "again"
    if value < HARD_BELOW:
        return "hard"
    if value < GOOD_BELOW:
        return "good"
    return "easy"


@dataclass(frozen=True)
class DueItem:
    """A prompt to practise now: ``reason`` is "due" (a scheduled review) or "new"."""

    prompt_id: str
    due: datetime | None
    reason: str

    def to_dict(self) -> dict[str, str | None]:
        return {
            "prompt_id": self.prompt_id,
            "due": self.due.isoformat() if self.due else None,
            "reason": self.reason,
        }


def make_scheduler() -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def _parse_rating(rating: str) -> Rating:
    try:
        return _RATING[rating.lower()]
    except KeyError:
        raise CoachError(
            f"unknown rating '{rating}' (use one of: {', '.join(RATINGS)})"
        ) from None


def get_card(history: History, prompt_id: str) -> Card | None:
    rows = history.query("SELECT card FROM cards WHERE prompt_id = ?", (prompt_id,))
    return Card.from_dict(json.loads(rows[0]["card"])) if rows else None


def review(
    history: History,
    prompt_id: str,
    rating: str,
    now: datetime | None = None,
    attempt_id: str | None = None,
) -> Card:
    """Apply one rating to the prompt's card (created on first review); returns the new card."""
    when = _utc(now)
    fsrs_rating = _parse_rating(rating)
    with history.write() as conn:
        row = conn.execute("SELECT card FROM cards WHERE prompt_id = ?", (prompt_id,)).fetchone()
        card = Card.from_dict(json.loads(row[0])) if row else Card(due=when)
        card, _log = make_scheduler().review_card(card, fsrs_rating, when)
        stamp = when.isoformat()
        conn.execute(
            "INSERT INTO cards (prompt_id, card, due, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(prompt_id) DO UPDATE SET"
            " card = excluded.card, due = excluded.due, updated_at = excluded.updated_at",
            (prompt_id, json.dumps(card.to_dict()), card.due.isoformat(), stamp, stamp),
        )
        exists = attempt_id and conn.execute(
            "SELECT 1 FROM attempts WHERE id = ?", (attempt_id,)
        ).fetchone()
        conn.execute(
            "INSERT INTO reviews (prompt_id, attempt_id, rating, reviewed_at, due)"
            " VALUES (?, ?, ?, ?, ?)",
            (prompt_id, attempt_id if exists else None, rating.lower(), stamp,
             card.due.isoformat()),
        )
    return card


def rate_attempt(
    history: History, attempt_id: str, rating: str, now: datetime | None = None
) -> Card | None:
    """The user rated an attempt: store the rating and schedule its prompt (None if the
    attempt was a free recording with no prompt)."""
    when = _utc(now)
    _parse_rating(rating)
    history.set_rating(attempt_id, rating, rated_at=when.isoformat(timespec="seconds"))
    row = history.get(attempt_id)
    if not row or not row["prompt_id"]:
        return None
    return review(history, row["prompt_id"], rating, when, attempt_id=attempt_id)


def replay_ratings(history: History) -> int:
    """Recreate cards and reviews from the ratings stored on attempts (after a rebuild)."""
    rows = history.query(
        "SELECT id, prompt_id, rating, COALESCE(rated_at, started_at) AS at FROM attempts"
        " WHERE rating IS NOT NULL AND prompt_id IS NOT NULL ORDER BY at, id"
    )
    for row in rows:
        when = datetime.fromisoformat(row["at"])
        review(history, row["prompt_id"], row["rating"], when, attempt_id=row["id"])
    return len(rows)


def due(
    history: History,
    prompt_ids: Sequence[str],
    now: datetime | None = None,
    new_per_day: int = 3,
    order: Callable[[list[str]], list[str]] | None = None,
) -> list[DueItem]:
    """What to practise now: due reviews first (most overdue first), then up to
    ``new_per_day`` prompts never practised, minus those already started today.
    ``order`` reorders the candidates for the new slots before they are cut to the budget
    (``coach.core.plan`` uses it to keep the practice balanced across rounds)."""
    when = _utc(now)
    wanted = set(prompt_ids)
    cards = history.query("SELECT prompt_id, due, created_at FROM cards ORDER BY due, prompt_id")
    scheduled = {c["prompt_id"] for c in cards}
    items = [
        DueItem(c["prompt_id"], datetime.fromisoformat(c["due"]), "due")
        for c in cards
        if c["prompt_id"] in wanted and datetime.fromisoformat(c["due"]) <= when
    ]
    today = when.astimezone().date()
    started_today = {
        c["prompt_id"] for c in cards
        if datetime.fromisoformat(c["created_at"]).astimezone().date() == today
    }
    practised = {
        r["prompt_id"]: r["first"]
        for r in history.query(
            "SELECT prompt_id, MIN(started_at) AS first FROM attempts"
            " WHERE prompt_id IS NOT NULL GROUP BY prompt_id"
        )
    }
    started_today |= {
        p for p, first in practised.items()
        if datetime.fromisoformat(first).astimezone().date() == today
    }
    budget = max(0, new_per_day - len(started_today & wanted))
    # Practised but never rated prompts have no schedule yet: offer them first among the new.
    unscheduled = [p for p in dict.fromkeys(prompt_ids) if p not in scheduled]
    unscheduled.sort(key=lambda p: p not in practised)
    if order is not None:
        unscheduled = order(unscheduled)
    items.extend(DueItem(p, None, "new") for p in unscheduled[:budget])
    return items
