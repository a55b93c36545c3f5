"""When to practise each prompt again: FSRS (the ``fsrs`` package) over the user's ratings.

Plain functions, no storage: the history (``coach.core.history``) keeps one FSRS card per prompt
as a cache and recomputes it with ``replay`` from the ratings stored on the attempts whenever
one of them changes, and ``coach history --rebuild`` calls the same ``replay`` over the same
ratings, so the live index and a rebuilt one always give the same due dates. Dependencies run
one way: the history imports this module, never the reverse (``due`` reads the history through
the small ``ScheduleSource`` protocol).

Choices made for spoken interview answers rather than flash cards:

- one rating per attempt: rating an attempt again replaces its rating, it does not review the
  prompt a second time;
- a rating counts as a review at the moment the attempt was answered (its ``started_at``), not
  when the rating was given: the recall happened then, so rating yesterday's answer today, or
  changing one's mind later, never moves the schedule as if the prompt had been practised again;
- only answers can be rated: a failed attempt, one still recording, or one with no speech has
  nothing to judge;
- no (re)learning steps: re-answering a two-minute question 1 or 10 minutes later teaches little,
  so every rating schedules in days (Again -> about a day or two, Good grows the interval);
- no fuzzing: due dates are reproducible and easy to explain ("Good on the 1st -> due the 3rd");
- a rating is proposed from the attempt's content score (``propose_rating``) so one key
  accepts it: an answer that sounded fine but missed the content comes back soon.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from fsrs import Card, Rating, Scheduler

from coach.errors import CoachError

# The one scale of every rating, in the order of the app's keys 1-4. The user's self-rating
# (their grade before seeing the score) uses the same scale but is a different thing: it
# never schedules anything.
RATINGS = ("again", "hard", "good", "easy")
_RATING = dict(zip(RATINGS, (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy), strict=True))
# States of an attempt that hold no answer to rate (the history's replay skips them too).
UNRATABLE_STATES = ("failed", "recording")

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


def parse_rating(value: str | int, what: str = "rating") -> str:
    """A rating given as the app's key (1-4) or by name (again/hard/good/easy), as its name;
    the CLI and the app accept exactly the same. ``what`` names it in the error."""
    text = str(value).strip().lower()
    if text.isdigit() and 1 <= int(text) <= len(RATINGS):
        return RATINGS[int(text) - 1]
    if text in RATINGS:
        return text
    raise CoachError(f"unknown {what} '{value}' (use 1-4 or one of: {', '.join(RATINGS)})")


def why_not_ratable(attempt_id: str, state: str, no_speech: bool) -> str | None:
    """Why this attempt cannot be rated (one line for the user), or None if it can."""
    if state == "failed":
        return f"attempt {attempt_id} failed, so there is no answer to rate"
    if state == "recording":
        return f"attempt {attempt_id} has no finished recording yet; rate it once it is analysed"
    if no_speech:
        return f"attempt {attempt_id} has no speech, so there is no answer to rate"
    return None


@dataclass(frozen=True)
class Review:
    """One rated attempt applied to its prompt's card, and the due date it gave."""

    attempt_id: str | None
    rating: str
    at: datetime
    due: datetime


def make_scheduler() -> Scheduler:
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def replay(ratings: Iterable[tuple[str | None, str, datetime]]) -> tuple[Card | None, list[Review]]:
    """The prompt's card after its ratings ``(attempt id, rating, answered at)``, applied in
    time order (ties by attempt id), and each review; ``(None, [])`` for no ratings. The one
    way a schedule is made, for a live rating and for a rebuild alike."""
    ordered = sorted(
        ((_utc(at), attempt_id or "", attempt_id, parse_rating(rating))
         for attempt_id, rating, at in ratings),
        key=lambda r: (r[0], r[1]),
    )
    scheduler = make_scheduler()
    card: Card | None = None
    reviews = []
    for at, _key, attempt_id, rating in ordered:
        card, _log = scheduler.review_card(card or Card(due=at), _RATING[rating], at)
        reviews.append(Review(attempt_id, rating, at, card.due))
    return card, reviews


def card_to_json(card: Card) -> str:
    return json.dumps(card.to_dict())


def card_from_json(text: str) -> Card:
    return Card.from_dict(json.loads(text))


class ScheduleSource(Protocol):
    """What ``due`` needs from the history (``coach.core.history.History`` provides it)."""

    def card_dues(self) -> list[tuple[str, datetime, datetime]]:
        """(prompt id, due, first review) of every scheduled prompt, soonest due first."""
        ...

    def first_practised(self) -> dict[str, datetime]:
        """When each prompt was first answered."""
        ...


def due(
    history: ScheduleSource,
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
    cards = history.card_dues()
    scheduled = {prompt_id for prompt_id, _due, _first in cards}
    items = [
        DueItem(prompt_id, due_at, "due")
        for prompt_id, due_at, _first in cards
        if prompt_id in wanted and due_at <= when
    ]
    today = when.astimezone().date()
    practised = history.first_practised()
    started_today = {
        prompt_id for prompt_id, _due, first in cards if first.astimezone().date() == today
    } | {p for p, first in practised.items() if first.astimezone().date() == today}
    budget = max(0, new_per_day - len(started_today & wanted))
    # Practised but never rated prompts have no schedule yet: offer them first among the new.
    unscheduled = [p for p in dict.fromkeys(prompt_ids) if p not in scheduled]
    unscheduled.sort(key=lambda p: p not in practised)
    if order is not None:
        unscheduled = order(unscheduled)
    items.extend(DueItem(p, None, "new") for p in unscheduled[:budget])
    return items
