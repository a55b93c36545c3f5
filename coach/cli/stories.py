"""``coach stories``: the story bank, which behavioral prompts each story fits, and the gaps.

``coach stories`` lists ``<home>/stories/*.md`` (malformed files are reported by file and
field on stderr and left out), each story with the prompts it fits, then the themes the
behavioral prompts (built-in and yours) ask for that no story shows yet. ``coach stories new``
writes a template to fill in.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from coach.errors import CoachError


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    stories = subparsers.add_parser(
        "stories", parents=[common], help="your behavioral stories and the prompts they fit",
        description="List your stories (<home>/stories/*.md), the behavioral prompts each "
        "fits (shared themes) and the themes no story covers yet.",
    )
    stories.add_argument("--json", action="store_true", help="print JSON")
    stories.set_defaults(func=run_list, stories_action=None)
    actions = stories.add_subparsers(dest="stories_action", metavar="ACTION")
    new = actions.add_parser("new", parents=[common], help="write a new story file to fill in")
    new.add_argument("--title", default="A new story", help="the story's title")
    new.add_argument("--themes", metavar="T,...", default="",
                     help="the themes it shows (see 'coach stories')")
    new.set_defaults(func=run_new)


def run_list(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context, warn
    from coach.core.stories import (
        RECOMMENDED_COUNT,
        fits,
        load_stories,
        prompts_for,
        theme_gaps,
    )
    from coach.paths import user_stories_dir

    ctx = open_context(args)
    bank = load_stories(user_stories_dir(ctx.home))
    for problem in bank.problems:
        warn(("story skipped: " if problem.blocking else "story: ") + str(problem))
    prompts = ctx.library().prompts
    gaps = theme_gaps(prompts.values(), bank.stories)
    fitting = {s.id: prompts_for(s, prompts.values()) for s in bank.stories}
    if args.json:
        print(json.dumps({
            "folder": str(bank.folder),
            "count": len(bank.stories),
            "recommended": RECOMMENDED_COUNT,
            "stories": [{**s.to_dict(), "fits": [
                {"prompt_id": p.id, "themes": list(fits(s, p))} for p in fitting[s.id]]}
                for s in bank.stories],
            "gaps": [{"theme": t, "prompts": n} for t, n in gaps],
            "problems": [str(p) for p in bank.problems],
        }, indent=2, ensure_ascii=False))
        return 0
    print(f"{len(bank.stories)} stor{'y' if len(bank.stories) == 1 else 'ies'} in "
          f"{bank.folder} ({RECOMMENDED_COUNT}+ recommended)")
    for story in bank.stories:
        print(f"  {story.title}  [{', '.join(story.themes)}]  ({story.id})")
        names = ", ".join(p.id for p in fitting[story.id]) or "no behavioral prompt yet"
        print(f"      fits: {names}")
    for theme, count in gaps:
        asks = "1 prompt asks" if count == 1 else f"{count} prompts ask"
        print(f"  no story for {theme} ({asks} for it)")
    if not bank.stories:
        print("Write one with 'coach stories new --title \"...\"'.")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context
    from coach.core.attempts import write_atomic
    from coach.core.prompts import THEMES
    from coach.core.stories import new_story_path, story_template
    from coach.paths import user_stories_dir

    ctx = open_context(args)
    themes = [t.strip() for t in args.themes.split(",") if t.strip()]
    unknown = [t for t in themes if t not in THEMES]
    if unknown:
        raise CoachError(f"unknown theme(s) {', '.join(unknown)} (one of: {', '.join(THEMES)})")
    folder = user_stories_dir(ctx.home)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = new_story_path(folder, args.title)
    try:
        write_atomic(path, story_template(args.title, themes))
    except OSError as exc:
        raise CoachError(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"Wrote {path}: fill in situation, task, action and result.")
    return 0
