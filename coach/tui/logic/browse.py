"""Which prompts the home screen lists, and in what order.

Filtering is by pillar, level and free text (title, id, question, tags). Once a history exists,
prompts the scheduler says are due come first, then the new ones it suggests, then the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from coach.core.model import Prompt
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
    home: Path, prompt_ids: Iterable[str], new_per_day: int = 3
) -> tuple[dict[str, str], str | None]:
    """(prompt id -> "due" or "new", a problem to tell the user or None).

    Never raises: the home screen must open even if the history is damaged, but a damaged
    history is said (with what to do), never silently shown as "nothing due".
    """
    if not database_path(home).is_file():
        return {}, None
    from coach.core.history import open_history
    from coach.core.scheduler import due
    from coach.errors import CoachError

    try:
        with open_history(home) as history:
            items = due(history, list(prompt_ids), new_per_day=new_per_day)
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
    """The prompt the "practise next" action opens: the first due or new one, if any."""
    ordered = order(prompts, marks)
    return next((p for p in ordered if p.id in marks), None)
