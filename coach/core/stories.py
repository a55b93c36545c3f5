"""The story bank: the user's behavioral stories, one Markdown file each, matched to prompts.

"Prepare 10+ behavioral stories (STAR)": a story is told many times, to many questions, so it
is kept once as ``<home>/stories/<name>.md`` (YAML front matter: title, situation, task,
action, result, themes; notes below) and matched to the behavioral prompts whose ``themes``
it shares (both use the closed list ``prompts.THEMES``, so "conflict" and "conflicts" cannot
silently miss each other). Files are read the way prompt files are (``read_front_matter``); a
malformed one is reported by file and field and left out, never a reason to stop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.core.attempts import _slug
from coach.core.model import Prompt
from coach.core.prompts import (
    THEMES,
    Problem,
    _optional_text,
    _term_list,
    prompt_files,
    read_front_matter,
)

STAR_FIELDS = ("situation", "task", "action", "result")
REQUIRED = ("title", *STAR_FIELDS, "themes")
KNOWN_FIELDS = frozenset([*REQUIRED, "tags"])
RECOMMENDED_COUNT = 10  # the seeds' "prepare 10+ behavioral stories"


@dataclass(frozen=True)
class Story:
    """One of the user's stories, ready to be matched to behavioral prompts."""

    id: str  # the file name without .md
    title: str
    situation: str
    task: str
    action: str
    result: str
    themes: tuple[str, ...]
    notes: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "situation": self.situation,
                "task": self.task, "action": self.action, "result": self.result,
                "themes": list(self.themes), "notes": self.notes, "source": self.source}


@dataclass
class StoryBank:
    stories: list[Story] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    folder: Path | None = None


def validate_story(path: Path) -> tuple[Story | None, list[Problem]]:
    """Parse one story file; the story (None if unusable) and every problem found."""
    problems: list[Problem] = []

    def problem(fld: str, message: str, blocking: bool = True) -> None:
        problems.append(Problem(str(path), fld, message, blocking))

    read = read_front_matter(path, problem)
    if read is None:
        return None, problems
    data, body = read
    texts: dict[str, str] = {}
    for key in ("title", *STAR_FIELDS):
        texts[key] = _optional_text(data.get(key), key, problem)
        if not texts[key] and not any(p.field == key for p in problems):
            problem(key, "missing" + (": one or two sentences" if key in STAR_FIELDS else ""))
    themes: tuple[str, ...] = ()
    raw = data.get("themes")
    if raw in (None, "", []):
        problem("themes", f"missing: the themes the story shows (from: {', '.join(THEMES)})")
    elif (listed := _term_list(raw if isinstance(raw, list) else [raw])) is None:
        problem("themes", "must be a list of themes")
    else:
        unknown = [t for t in listed if t not in THEMES]
        themes = tuple(dict.fromkeys(t for t in listed if t in THEMES))
        if unknown:
            problem("themes", f"unknown theme(s) {', '.join(unknown)} "
                    f"(one of: {', '.join(THEMES)})", blocking=not themes)
    for key in sorted(set(map(str, data)) - KNOWN_FIELDS):
        problem(key, "unknown field (typo?)", blocking=False)
    if any(p.blocking for p in problems):
        return None, problems
    story = Story(path.stem, texts["title"], texts["situation"], texts["task"],
                  texts["action"], texts["result"], themes, body.strip(), str(path))
    return story, problems


def load_stories(folder: Path) -> StoryBank:
    """Every story file in ``folder`` (none if it does not exist), with their problems."""
    bank = StoryBank(folder=folder)
    for path in prompt_files(folder):
        story, problems = validate_story(path)
        bank.problems.extend(problems)
        if story is not None:
            bank.stories.append(story)
    return bank


def behavioral(prompts: Iterable[Prompt]) -> list[Prompt]:
    """The prompts a story can answer: behavioral ones with themes, by id."""
    return sorted((p for p in prompts if p.pillar == "behavioral" and p.themes),
                  key=lambda p: p.id)


def fits(story: Story, prompt: Prompt) -> tuple[str, ...]:
    """The themes ``story`` and ``prompt`` share (empty: the story does not fit)."""
    return tuple(t for t in prompt.themes if t in story.themes)


def prompts_for(story: Story, prompts: Iterable[Prompt]) -> list[Prompt]:
    """Behavioral prompts this story fits, the closest fit (most shared themes) first."""
    found = [p for p in behavioral(prompts) if fits(story, p)]
    return sorted(found, key=lambda p: -len(fits(story, p)))


def stories_for(prompt: Prompt, stories: Iterable[Story]) -> list[Story]:
    """The stories that fit ``prompt``, the closest fit first (then by title)."""
    found = [s for s in stories if fits(s, prompt)]
    return sorted(found, key=lambda s: (-len(fits(s, prompt)), s.title.lower()))


def theme_gaps(prompts: Iterable[Prompt], stories: Iterable[Story]) -> list[tuple[str, int]]:
    """Themes the behavioral prompts ask for that no story shows, with how many prompts ask
    for each, most asked first: where a new story helps most."""
    told = {t for s in stories for t in s.themes}
    asked = Counter(t for p in behavioral(prompts) for t in p.themes)
    return sorted(((t, n) for t, n in asked.items() if t not in told),
                  key=lambda item: (-item[1], THEMES.index(item[0])))


def story_template(title: str, themes: Iterable[str] = ()) -> str:
    """A new story file to fill in (valid once the four STAR lines are written)."""
    listed = ", ".join(themes) or "ownership"
    return (
        "---\n"
        f"title: {title}\n"
        "situation: >\n  Where and when; what was at stake (one or two sentences).\n"
        "task: >\n  What you had to do, and why it fell to you.\n"
        "action: >\n  What you did (I, not we), and the choice you made.\n"
        "result: >\n  What happened, in numbers if you can; what you learned.\n"
        f"themes: [{listed}]   # from: {', '.join(THEMES)}\n"
        "---\n"
        "Notes for yourself: details to mention, the question it answers best.\n"
    )


def new_story_path(folder: Path, title: str) -> Path:
    """A file name for a new story that does not exist yet."""
    base = _slug(title)
    for n in range(1, 1000):
        path = folder / (f"{base}.md" if n == 1 else f"{base}-{n}.md")
        if not path.exists():
            return path
    raise FileExistsError(folder / f"{base}.md")
