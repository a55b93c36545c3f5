"""The prompt library: Markdown files with YAML front matter, built-in and the user's own.

Two audiences read these files. The coach loads them at start-up and must never fail to start
because one user file is broken: a prompt it cannot use is skipped with a warning naming the file
and field. ``coach prompts check`` is stricter and reports every problem, including quality
rules (3-7 key points, 2+ follow-ups, STAR points for behavioral prompts) that do not stop a
prompt from loading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coach.core.model import LEVELS, PILLARS, KeyPoint, Prompt
from coach.errors import CoachError

# libyaml's C parser when available: ~5x faster on the 50+ built-in prompts at every start.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CATEGORIES = ("concept", "case", "coding", "behavioral", "deep-dive")
STAR_IDS = ("situation", "task", "action", "result")
REQUIRED = ("id", "title", "pillar", "level", "prep_seconds", "answer_seconds", "key_points")
KNOWN_FIELDS = frozenset(
    [*REQUIRED, "category", "vocabulary", "follow_ups", "notes", "tags", "source", "themes"]
)
# The story themes a behavioral prompt can ask for; a user's stories (core/stories.py) name the
# same ones, so a closed list keeps "conflict" and "conflicts" from silently never matching.
THEMES = (
    "conflict", "disagreement", "failure", "leadership", "influence", "ownership", "mentoring",
    "feedback", "ambiguity", "prioritization", "deadline", "incident", "technical-direction",
    "tech-debt", "scope", "migration",
)
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
SKIPPED_NAMES = frozenset(["readme.md", "index.md"])


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a prompt file. ``blocking`` problems stop the prompt loading."""

    file: str
    field: str
    message: str
    blocking: bool = True

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


@dataclass
class Library:
    prompts: dict[str, Prompt] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sources: dict[str, Path] = field(default_factory=dict)

    def filter(self, pillar: str | None = None, level: str | None = None) -> list[Prompt]:
        """Prompts sorted by pillar then id, optionally only one pillar and/or level."""
        return sorted(
            (
                p
                for p in self.prompts.values()
                if (not pillar or p.pillar == pillar) and (not level or p.level == level)
            ),
            key=lambda p: (PILLARS.index(p.pillar) if p.pillar in PILLARS else 9, p.id),
        )


def prompt_files(folder: Path) -> list[Path]:
    """The prompt files in ``folder`` (``*.md``, not README/index, not hidden), sorted."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.glob("*.md")
        if p.is_file() and not p.name.startswith((".", "_")) and p.name.lower() not in SKIPPED_NAMES
    )


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(YAML, body) of a file that starts with a ``---`` fenced block, else None."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None
    for n, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "".join(lines[1:n]), "".join(lines[n + 1 :])
    return None


def read_front_matter(
    path: Path, problem: Callable[..., None]
) -> tuple[dict[Any, Any], str] | None:
    """(fields, body) of a Markdown file with YAML front matter, or None after telling
    ``problem(field, message)`` why not (unreadable, no front matter, bad YAML, not a mapping).
    Shared by every file the user writes in this shape (prompts, stories)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem("file", f"cannot be read ({exc.__class__.__name__}: {exc})")
        return None
    parts = split_front_matter(text)
    if parts is None:
        problem("front matter", "missing: the file must start with a '---' YAML block")
        return None
    try:
        data = yaml.load(parts[0], Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem("yaml", f"does not parse{where}: {getattr(exc, 'problem', None) or exc}")
        return None
    if not isinstance(data, dict):
        problem("yaml", "front matter must be a mapping of fields")
        return None
    return data, parts[1]


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _term_list(value: Any) -> tuple[str, ...] | None:
    """A list of words or numbers (YAML reads ``429`` as a number) as strings, else None."""
    if not isinstance(value, list):
        return None
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, str | int | float) or not str(v).strip():
            return None
        out.append(str(v).strip())
    return tuple(out)


def _optional_text(value: Any, where: str, problem) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problem(where, "must be a string")
        return ""
    return " ".join(value.split())


_MISSING_TEXT = {
    "why": "missing: one line on why an interviewer listens for it",
    "probe": "missing: the follow-up question an interviewer asks when this point is left out",
}


def _key_points(raw: Any, problem) -> tuple[KeyPoint, ...]:
    if not isinstance(raw, list) or not raw:
        problem("key_points", "must be a non-empty list of key points")
        return ()
    points: list[KeyPoint] = []
    seen: set[str] = set()
    for n, item in enumerate(raw):
        where = f"key_points[{n}]"
        if not isinstance(item, dict):
            problem(where, "must be a mapping with id, text and phrases")
            continue
        kp_id, text, phrases = item.get("id"), item.get("text"), item.get("phrases")
        if not isinstance(kp_id, str) or not kp_id.strip():
            problem(f"{where}.id", "missing")
            continue
        where = f"key_points.{kp_id}"
        if kp_id in seen:
            problem(f"{where}.id", f"duplicate key point id '{kp_id}'")
        seen.add(kp_id)
        if not isinstance(text, str) or not text.strip():
            problem(f"{where}.text", "missing")
        if not phrases:
            problem(f"{where}.phrases", "key point without phrasings (list the words that show it)")
            continue
        terms = _term_list(phrases)
        if terms is None:
            problem(f"{where}.phrases", "must be a list of non-empty strings")
            continue
        why = _optional_text(item.get("why"), f"{where}.why", problem)
        probe = _optional_text(item.get("probe"), f"{where}.probe", problem)
        for name, value in (("why", why), ("probe", probe)):
            if not value:
                problem(f"{where}.{name}", _MISSING_TEXT[name], blocking=False)
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or weight not in (1, 2, 3):
            problem(f"{where}.weight", f"must be 1, 2 or 3, got {weight!r}", blocking=False)
            weight = 1
        points.append(KeyPoint(
            kp_id, str(text or "").strip(), terms, why=why, probe=probe, weight=int(weight)
        ))
    return tuple(points)


def validate(path: Path) -> tuple[Prompt | None, list[Problem]]:
    """Parse one prompt file; return the prompt (None if unusable) and every problem found."""
    problems: list[Problem] = []
    name = str(path)

    def problem(fld: str, message: str, blocking: bool = True) -> None:
        problems.append(Problem(name, fld, message, blocking))

    read = read_front_matter(path, problem)
    if read is None:
        return None, problems
    data, body = read

    for key in REQUIRED:
        if data.get(key) in (None, ""):
            problem(key, "missing field")
    for key in sorted(set(map(str, data)) - KNOWN_FIELDS):
        problem(key, "unknown field (typo?)", blocking=False)
    pid = data.get("id")
    if pid not in (None, "") and (not isinstance(pid, str) or not ID_PATTERN.fullmatch(pid)):
        problem("id", "must be lowercase letters, digits and dashes (e.g. btree-vs-hash)")
    elif isinstance(pid, str) and pid != path.stem:
        problem("id", f"'{pid}' does not match the file name '{path.name}'", blocking=False)
    if data.get("title") not in (None, "") and not isinstance(data["title"], str):
        problem("title", "must be text")
    if data.get("pillar") not in (None, "") and data["pillar"] not in PILLARS:
        problem("pillar", f"unknown pillar '{data['pillar']}' (one of: {', '.join(PILLARS)})")
    if data.get("level") not in (None, "") and data["level"] not in LEVELS:
        problem("level", f"unknown level '{data['level']}' (one of: {', '.join(LEVELS)})")
    category = data.get("category")
    if category not in (None, "") and category not in CATEGORIES:
        problem(
            "category",
            f"unknown category '{category}' (one of: {', '.join(CATEGORIES)})",
            blocking=False,
        )
    for key in ("prep_seconds", "answer_seconds"):
        if data.get(key) not in (None, "") and not _positive(data[key]):
            problem(key, f"time box must be a positive number of seconds, got {data[key]!r}")
    points = _key_points(data.get("key_points"), problem) if "key_points" in data else ()
    raw_points = data.get("key_points")
    if isinstance(raw_points, list) and raw_points and not 3 <= len(raw_points) <= 7:
        problem(
            "key_points", f"has {len(data['key_points'])} key points; write 3 to 7", blocking=False
        )
    follow_ups = data.get("follow_ups") or []
    if not _str_list(follow_ups):
        problem("follow_ups", "must be a list of questions", blocking=False)
        follow_ups = []
    elif len(follow_ups) < 2:
        problem(
            "follow_ups", f"has {len(follow_ups)} follow-up(s); write at least 2", blocking=False
        )
    for key in ("vocabulary", "tags"):
        if data.get(key) is not None and _term_list(data[key]) is None:
            problem(key, "must be a list of words", blocking=False)
    if data.get("pillar") == "behavioral":
        missing = [s for s in STAR_IDS if s not in {kp.id for kp in points}]
        if missing:
            problem(
                "key_points",
                "behavioral prompt without STAR key points: missing " + ", ".join(missing),
                blocking=False,
            )
    themes = _term_list(data.get("themes") or []) or ()
    unknown = [t for t in themes if t not in THEMES]
    if unknown:
        problem(
            "themes",
            f"unknown theme(s) {', '.join(unknown)} (one of: {', '.join(THEMES)})",
            blocking=False,
        )
        themes = tuple(t for t in themes if t in THEMES)
    if data.get("pillar") == "behavioral" and not themes:
        problem("themes", "behavioral prompt without themes (the stories it asks for)",
                blocking=False)
    question = body.strip()
    if not question:
        problem("question", "missing: write the question below the front matter")
    if any(p.blocking for p in problems):
        return None, problems
    prompt = Prompt(
        id=pid,
        title=data["title"].strip(),
        pillar=data["pillar"],
        level=data["level"],
        question=question,
        prep_seconds=int(data["prep_seconds"]),
        answer_seconds=int(data["answer_seconds"]),
        key_points=points,
        follow_ups=tuple(q.strip() for q in follow_ups),
        notes=str(data.get("notes") or "").strip(),
        category=str(category or ""),
        tags=_term_list(data.get("tags") or []) or (),
        vocabulary=_term_list(data.get("vocabulary") or []) or (),
        source=str(path),
        themes=themes,
    )
    return prompt, problems


def parse_prompt_file(path: Path) -> Prompt:
    """The prompt in ``path``; raises CoachError naming the first blocking problem."""
    prompt, problems = validate(Path(path))
    if prompt is None:
        first = next(p for p in problems if p.blocking)
        raise CoachError(str(first))
    return prompt


def load_library(builtin_dir: Path, user_dirs: Sequence[Path] = ()) -> Library:
    """Built-in prompts, then each user folder in order; a later file with the same id wins.

    Never raises for a bad file: it is skipped and ``warnings`` says which file and field.
    """
    library = Library()
    for folder in [Path(builtin_dir), *map(Path, user_dirs)]:
        for path in _expand([folder]) if folder.exists() else []:
            prompt, problems = validate(path)
            if prompt is None:
                first = next(p for p in problems if p.blocking)
                library.warnings.append(f"prompt skipped: {first}")
                continue
            library.prompts[prompt.id] = prompt
            library.sources[prompt.id] = path
    return library


def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        files.extend(prompt_files(path) if path.is_dir() else [path])
    return files


def check_paths(paths: Sequence[Path]) -> list[Problem]:
    """Every problem in the prompt files under ``paths`` (files or folders).

    Two files with the same id in the same folder are a duplicate; a user folder overriding a
    built-in id is how overrides work, so ids are compared per folder.
    """
    problems: list[Problem] = []
    seen: dict[tuple[Path, str], Path] = {}
    for path in _expand(paths):
        if not path.exists():
            problems.append(Problem(str(path), "file", "does not exist"))
            continue
        prompt, found = validate(path)
        problems.extend(found)
        if prompt is None:
            continue
        key = (path.resolve().parent, prompt.id)
        if key in seen and seen[key].resolve() != path.resolve():
            problems.append(
                Problem(str(path), "id", f"duplicate id '{prompt.id}' (also in {seen[key]})")
            )
        else:
            seen[key] = path
    return problems


def count_files(paths: Sequence[Path]) -> int:
    return len(_expand(paths))
