"""The story bank: story files loaded, matched to behavioral prompts by theme, gaps listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.cli import main
from coach.core.model import Prompt
from coach.core.progress import write_home_dashboard
from coach.core.stories import (
    load_stories,
    prompts_for,
    stories_for,
    story_template,
    theme_gaps,
    validate_story,
)


def story_text(title: str, themes: str, **override: str) -> str:
    fields = {"title": title, "situation": "Our checkout service fell over on Black Friday.",
              "task": "I owned the recovery.", "action": "I rolled back and added a canary.",
              "result": "Errors fell to zero in 20 minutes.", "themes": themes, **override}
    lines = [f"{k}: {v}" for k, v in fields.items() if v is not None]
    return "---\n" + "\n".join(lines) + "\n---\nNotes.\n"


def write_story(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(text)
    return path


def behavioral(pid: str, *themes: str) -> Prompt:
    return Prompt(pid, pid, "behavioral", "senior", "Tell me about a time.", 30, 120,
                  category="behavioral", themes=themes)


PROMPTS = [
    behavioral("time-you-failed", "failure", "ownership"),
    behavioral("disagree-with-manager", "disagreement", "influence"),
    behavioral("led-a-migration", "leadership", "migration", "ownership"),
    Prompt("btree", "B-tree", "system-design", "senior", "Why?", 30, 120, themes=()),
]


def test_stories_are_matched_to_prompts_by_shared_themes_and_gaps_listed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "stories"
    write_story(folder, "outage", story_text("The outage", "[failure, incident, ownership]"))
    write_story(folder, "mentor", story_text("Mentoring a new hire", "[mentoring]"))
    bank = load_stories(folder)
    assert bank.problems == []
    by_id = {s.id: s for s in bank.stories}
    outage, mentor = by_id["outage"], by_id["mentor"]
    assert outage.id == "outage" and outage.themes == ("failure", "incident", "ownership")
    # two shared themes beat one; a system-design prompt is never a story's
    assert [p.id for p in prompts_for(outage, PROMPTS)] == ["time-you-failed", "led-a-migration"]
    assert prompts_for(mentor, PROMPTS) == []
    assert [s.id for s in stories_for(PROMPTS[0], bank.stories)] == ["outage"]
    assert stories_for(PROMPTS[1], bank.stories) == []
    # themes asked for that no story shows, the most asked first
    assert theme_gaps(PROMPTS, bank.stories) == [
        ("disagreement", 1), ("leadership", 1), ("influence", 1), ("migration", 1)]


def test_malformed_stories_are_reported_by_file_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    no_result = write_story(folder, "no-result", story_text("Half told", "[failure]",
                                                             result=None))
    bad_theme = write_story(folder, "bad-theme", story_text("Typo", "[conflicts]"))
    broken = write_story(folder, "broken", "---\ntitle: [unclosed\n---\n")
    plain = write_story(folder, "plain", "Just some notes, no front matter.\n")
    extra = write_story(folder, "extra", story_text("Fine", "[conflict, conflicts]",
                                                    colour="blue"))
    bank = load_stories(folder)
    found = {(Path(p.file).name, p.field, p.blocking) for p in bank.problems}
    assert (no_result.name, "result", True) in found
    assert (bad_theme.name, "themes", True) in found
    assert (broken.name, "yaml", True) in found
    assert (plain.name, "front matter", True) in found
    # a story with one good theme and one typo still loads; the typo and the unknown field
    # are reported without stopping it
    assert (extra.name, "themes", False) in found and (extra.name, "colour", False) in found
    assert [s.id for s in bank.stories] == ["extra"]
    assert bank.stories[0].themes == ("conflict",)
    message = next(str(p) for p in bank.problems if p.file == str(no_result))
    assert message == f"{no_result}: result: missing: one or two sentences"


def test_the_template_is_a_story_once_written(tmp_path: Path) -> None:
    path = write_story(tmp_path, "new", story_template("Shipping late", ["deadline"]))
    story, problems = validate_story(path)
    assert problems == [] and story is not None and story.themes == ("deadline",)


PROMPT_FILE = """\
---
id: {id}
title: {title}
pillar: behavioral
category: behavioral
level: senior
prep_seconds: 20
answer_seconds: 120
themes: [{themes}]
key_points:
  - id: situation
    text: Sets the scene
    phrases: ["at the time"]
  - id: task
    text: Says what they owned
    phrases: ["my job"]
  - id: action
    text: Says what they did
    phrases: ["I decided"]
  - id: result
    text: Says what happened
    phrases: ["as a result"]
follow_ups: [What would you do differently?, Who else was involved?]
---
{question}
"""


@pytest.fixture
def my_prompts(coach_home: Path) -> Path:
    folder = coach_home / "prompts"
    folder.mkdir()
    for pid, title, themes in [
        ("story-failure", "A time you failed", "failure, ownership"),
        ("story-disagree", "Disagreeing with your lead", "disagreement"),
    ]:
        (folder / f"{pid}.md").write_text(PROMPT_FILE.format(
            id=pid, title=title, themes=themes, question=f"Tell me about {title.lower()}."))
    return folder


def test_coach_stories_lists_fits_gaps_and_problems(
    coach_home: Path, my_prompts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stories = coach_home / "stories"
    write_story(stories, "outage", story_text("The outage", "[failure, incident]"))
    write_story(stories, "broken", story_text("Broken", "[failure]", action=None))
    assert main(["stories"]) == 0
    out, err = capsys.readouterr()
    assert f"{stories / 'broken.md'}: action: missing" in err
    assert "1 story in" in out and "(10+ recommended)" in out
    assert "The outage  [failure, incident]" in out
    fits_line = next(line for line in out.splitlines() if "fits:" in line)
    assert "story-failure" in fits_line and "story-disagree" not in fits_line
    assert "no story for disagreement" in out
    assert main(["stories", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [story] = data["stories"]
    assert {"prompt_id": "story-failure", "themes": ["failure"]} in story["fits"]
    assert "story-disagree" not in [f["prompt_id"] for f in story["fits"]]
    gaps = {g["theme"] for g in data["gaps"]}
    assert "disagreement" in gaps and "failure" not in gaps
    assert data["problems"] == [f"{stories / 'broken.md'}: action: missing: one or two sentences"]


def test_coach_stories_new_writes_a_template_that_lists(
    coach_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stories", "new", "--title", "Missed the launch", "--themes", "deadline"]) == 0
    path = coach_home / "stories" / "missed-the-launch.md"
    assert path.is_file() and f"Wrote {path}" in capsys.readouterr().out
    assert main(["stories", "new", "--title", "Missed the launch"]) == 0  # never overwrites
    assert (coach_home / "stories" / "missed-the-launch-2.md").is_file()
    assert main(["stories", "new", "--themes", "bravery"]) == 1
    assert "unknown theme(s) bravery" in capsys.readouterr().err


def test_dashboard_counts_stories_against_ten(coach_home: Path) -> None:
    stories = coach_home / "stories"
    write_story(stories, "a", story_text("A", "[failure]"))
    write_story(stories, "b", story_text("B", "[ownership]"))
    path, _ = write_home_dashboard(coach_home, {p.id: p for p in PROMPTS}, generated_at="now")
    html = path.read_text()
    assert "Story bank: <strong>2</strong> of 10+ behavioral stories" in html
    assert "no story yet for disagreement, leadership, influence, migration" in html


async def test_practice_screen_of_a_behavioral_prompt_shows_the_stories_that_fit(
    coach_home: Path, my_prompts: Path
) -> None:
    from coach.tui.app import CoachApp
    from tests.test_tui_review import make_ctx

    write_story(coach_home / "stories", "outage", story_text("The outage", "[failure]"))
    write_story(coach_home / "stories", "mentor", story_text("The new hire", "[mentoring]"))
    ctx = make_ctx(coach_home)
    app = CoachApp(ctx, start_prompt="story-failure", transcriber_factory=lambda c: None,
                   preflight=lambda c: None)
    async with app.run_test(size=(120, 36)) as pilot:
        box = app.screen.query_one("#stories")
        for _ in range(100):
            if box.display:
                break
            await pilot.pause(0.05)
        text = str(box.render())
        assert "Your stories that fit:" in text and "The outage" in text
        assert "The new hire" not in text
