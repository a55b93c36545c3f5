"""Which prompts the home screen lists, and in what order.

Filtering is by pillar, level and free text (title, id, question, tags). Once a history exists,
prompts the scheduler says are due come first, then the new ones it suggests, then the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from coach.core.model import Prompt
from coach.core.plan import Plan
from coach.paths import database_path

DUE = "due"
NEW = "new"


def matches(prompt: Prompt, pillar: str | None, level: str | None, text: str) -> bool:
    """True when ``prompt`` passes every filter that is set."""
    if pillar and prompt.pillar != pillar:
        return False
    if level and prompt.level != level:
        return False
    needle = text.strip().lower()
    if not needle:
        return True
    haystack = " ".join(
        (prompt.id, prompt.title, prompt.question, prompt.category, " ".join(prompt.tags))
    ).lower()
    return all(part in haystack for part in needle.split())


def due_marks(
    home: Path, prompts: Mapping[str, Prompt], new_per_day: int = 3, plan: Plan | None = None
) -> tuple[dict[str, str], str | None]:
    """(prompt id -> "due" or "new", in the order to practise them; a problem to tell the
    user or None). New prompts come from the plan's rounds furthest behind first.

    Never raises: the home screen must open even if the history is damaged, but a damaged
    history is said (with what to do), never silently shown as "nothing due".
    """
    if not database_path(home).is_file():
        return {}, None
    from coach.core.history import open_history
    from coach.core.plan import plan_due
    from coach.errors import CoachError

    try:
        with open_history(home) as history:
            items = plan_due(history, prompts, plan or Plan(), new_per_day)
    except CoachError as exc:
        return {}, str(exc)
    except Exception as exc:  # the home screen must still open
        return {}, f"could not read the history ({exc}); try 'coach history --rebuild'"
    return {item.prompt_id: item.reason for item in items}, None


def order(prompts: Iterable[Prompt], marks: dict[str, str]) -> list[Prompt]:
    """Due prompts first, then suggested new ones, then the rest; each group by pillar, title."""
    rank = {DUE: 0, NEW: 1}
    return sorted(prompts, key=lambda p: (rank.get(marks.get(p.id, ""), 2), p.pillar, p.title))


def visible(
    prompts: Iterable[Prompt],
    marks: dict[str, str],
    pillar: str | None = None,
    level: str | None = None,
    text: str = "",
) -> list[Prompt]:
    """The filtered, ordered list the home screen shows."""
    return order((p for p in prompts if matches(p, pillar, level, text)), marks)


def practise_next(prompts: Iterable[Prompt], marks: dict[str, str]) -> Prompt | None:
    """The prompt the "practise next" action opens: the first due or new one, in the order
    the scheduler and the plan gave them (due reviews, then the round furthest behind)."""
    by_id = {p.id: p for p in prompts}
    return next((by_id[pid] for pid in marks if pid in by_id), None)
