"""Prompt files: parsing, user overrides, warnings that never stop the coach, and the checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.core.prompts import check_paths, load_library, parse_prompt_file
from coach.errors import CoachError

GOOD = """\
---
id: {id}
title: {title}
pillar: {pillar}
category: concept
level: senior
prep_seconds: 30
answer_seconds: 120
vocabulary: [B-tree, LSM, 429]
key_points:
{points}
follow_ups:
  - What if the write rate grows 100x?
  - What are the downsides?
notes: >
  A strong answer compares access patterns.
---
Would you use a B-tree or a hash index, and why?
"""
WHY = '    why: It shows the candidate reasons from the queries.\n    probe: What breaks then?\n'
POINTS = f"""\
  - id: range
    text: B-trees keep keys in order
    phrases: ["range query", "sorted order"]
    weight: 3
{WHY}  - id: hash
    text: Hash gives O(1) lookups
    phrases: ["constant time"]
{WHY}  - id: writes
    text: Write costs differ
    phrases: ["write amplification", 301]
{WHY}"""
STAR = "".join(
    f'  - id: {p}\n    text: {p}\n    phrases: ["{p} phrase"]\n{WHY}'
    for p in ("situation", "task", "action", "result")
)


def write(folder: Path, name: str, text: str | None = None, **fields: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    values = {
        "id": name,
        "title": "B-tree or hash?",
        "pillar": "system-design",
        "points": POINTS,
        **fields,
    }
    path = folder / f"{name}.md"
    path.write_text(text if text is not None else GOOD.format(**values), encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in check_paths([path])]


def test_parse_a_prompt_file(tmp_path: Path) -> None:
    prompt = parse_prompt_file(write(tmp_path, "btree-vs-hash"))
    assert prompt.id == "btree-vs-hash" and prompt.pillar == "system-design"
    assert prompt.question == "Would you use a B-tree or a hash index, and why?"
    assert prompt.prep_seconds == 30 and prompt.answer_seconds == 120
    assert [kp.id for kp in prompt.key_points] == ["range", "hash", "writes"]
    assert prompt.key_points[2].phrases == ("write amplification", "301")
    assert prompt.vocabulary == ("B-tree", "LSM", "429")
    assert len(prompt.follow_ups) == 2 and prompt.notes.startswith("A strong answer")
    assert prompt.source.endswith("btree-vs-hash.md")
    assert check_paths([tmp_path]) == []


def test_user_prompts_override_builtin_ones_by_id(tmp_path: Path) -> None:
    builtin, user1, user2 = tmp_path / "b", tmp_path / "u1", tmp_path / "u2"
    write(builtin, "btree-vs-hash")
    write(builtin, "caching", title="Caching")
    write(user1, "btree-vs-hash", title="Mine")
    write(user2, "btree-vs-hash", title="Mine, later")
    write(user2, "extra", title="Extra")
    single = write(tmp_path / "single", "one-file", title="A single file")
    lib = load_library(builtin, [user1, user2, tmp_path / "missing", single])
    assert sorted(lib.prompts) == ["btree-vs-hash", "caching", "extra", "one-file"]
    assert lib.prompts["btree-vs-hash"].title == "Mine, later"
    assert lib.sources["btree-vs-hash"] == user2 / "btree-vs-hash.md"
    assert lib.warnings == []


def test_a_malformed_user_prompt_is_skipped_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "b", "good")
    user = tmp_path / "u"
    write(user, "broken", text="---\nid: broken\ntitle: [unclosed\n---\nQ?\n")
    write(user, "nopillar", pillar="poetry")
    (user / "README.md").write_text("# My prompts\n")  # not a prompt: ignored
    lib = load_library(tmp_path / "b", [user])
    assert list(lib.prompts) == ["good"]
    assert len(lib.warnings) == 2
    assert any("broken.md" in w and "yaml" in w for w in lib.warnings)
    assert any("nopillar.md" in w and "pillar" in w and "poetry" in w for w in lib.warnings)


def test_parse_prompt_file_raises_a_one_line_coach_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad", pillar="poetry")
    with pytest.raises(CoachError, match=r"bad\.md: pillar: unknown pillar 'poetry'"):
        parse_prompt_file(path)


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("---\nid: x\ntitle: [oops\n---\nQ?\n", "yaml", "does not parse"),
        ("no front matter here\n", "front matter", "missing"),
        (GOOD.replace("title: {title}\n", ""), "title", "missing field"),
        (
            GOOD.replace("answer_seconds: 120", "answer_seconds: -5"),
            "answer_seconds",
            "positive number",
        ),
        (GOOD.replace("prep_seconds: 30", "prep_seconds: soon"), "prep_seconds", "positive number"),
        (GOOD.replace("level: senior", "level: junior"), "level", "unknown level 'junior'"),
        (GOOD.replace("{pillar}", "poetry"), "pillar", "unknown pillar 'poetry'"),
        (
            GOOD.replace("Would you use", "").replace("a B-tree or a hash index, and why?", ""),
            "question",
            "missing",
        ),
    ],
)
def test_checker_names_file_field_and_problem(tmp_path: Path, text, field, message) -> None:
    values = {"id": "x", "title": "T", "pillar": "system-design", "points": POINTS}
    path = write(tmp_path, "x", text=text.format(**values) if "{" in text else text)
    found = problems(path)
    assert any(f == field and message in m for f, m in found), found
    assert all(p.file == str(path) for p in check_paths([path]))


def test_key_point_without_phrasings(tmp_path: Path) -> None:
    points = POINTS + "  - id: empty\n    text: Nothing to match\n"
    found = problems(write(tmp_path, "x", points=points))
    assert (
        "key_points.empty.phrases",
        "key point without phrasings (list the words that show it)",
    ) in found


def test_too_few_or_too_many_key_points_and_follow_ups(tmp_path: Path) -> None:
    two = POINTS.split("  - id: writes")[0]
    assert ("key_points", "has 2 key points; write 3 to 7") in problems(
        write(tmp_path / "a", "x", points=two)
    )
    eight = "".join(f'  - id: p{i}\n    text: t\n    phrases: ["w{i}"]\n' for i in range(8))
    assert ("key_points", "has 8 key points; write 3 to 7") in problems(
        write(tmp_path / "b", "x", points=eight)
    )
    text = GOOD.replace("  - What are the downsides?\n", "")
    path = write(
        tmp_path / "c", "x", text=text.format(id="x", title="T", pillar="coding", points=POINTS)
    )
    assert ("follow_ups", "has 1 follow-up(s); write at least 2") in problems(path)
    # quality problems are reported by the checker but do not stop the prompt loading
    assert parse_prompt_file(path).id == "x"


def test_behavioral_prompts_need_star_key_points(tmp_path: Path) -> None:
    found = problems(write(tmp_path / "a", "x", pillar="behavioral"))
    assert (
        "key_points",
        "behavioral prompt without STAR key points: missing situation, task, action, result",
    ) in found
    assert ("themes", "behavioral prompt without themes (the stories it asks for)") in problems(
        write(tmp_path / "b", "x", pillar="behavioral", points=STAR)
    )
    themed = GOOD.replace("follow_ups:", "themes: [conflict, leadership]\nfollow_ups:")
    values = {"id": "x", "title": "T", "pillar": "behavioral", "points": STAR}
    path = write(tmp_path / "c", "x", text=themed.format(**values))
    assert problems(path) == []
    assert parse_prompt_file(path).themes == ("conflict", "leadership")


def test_key_points_need_why_and_probe_and_a_known_weight(tmp_path: Path) -> None:
    bare = POINTS.replace(WHY, "", 1).replace("weight: 3", "weight: 5")
    found = problems(write(tmp_path / "a", "x", points=bare))
    why, probe = found[0], found[1]
    assert why == ("key_points.range.why", "missing: one line on why an interviewer listens for it")
    assert probe[0] == "key_points.range.probe" and probe[1].startswith("missing: the follow-up")
    assert ("key_points.range.weight", "must be 1, 2 or 3, got 5") in found
    # quality rules: the prompt still loads, with the default weight
    prompt = parse_prompt_file(write(tmp_path / "b", "x"))
    assert [kp.weight for kp in prompt.key_points] == [3, 1, 1]
    assert prompt.key_points[0].probe == "What breaks then?"


def test_duplicate_ids_in_one_folder(tmp_path: Path) -> None:
    write(tmp_path, "one")
    write(tmp_path, "two", id="one")
    found = check_paths([tmp_path])
    dup = [p for p in found if p.field == "id" and "duplicate id 'one'" in p.message]
    assert len(dup) == 1 and dup[0].file.endswith("two.md") and "one.md" in dup[0].message


def test_unknown_fields_and_bad_ids_are_reported(tmp_path: Path) -> None:
    text = GOOD.replace("notes: >", "keypoints: []\nnotes: >")
    found = problems(
        write(
            tmp_path / "a", "x", text=text.format(id="x", title="T", pillar="coding", points=POINTS)
        )
    )
    assert ("keypoints", "unknown field (typo?)") in found
    found = problems(write(tmp_path / "b", "x", id="Has Spaces"))
    assert any(f == "id" and "lowercase" in m for f, m in found)


def test_checker_reports_a_missing_path(tmp_path: Path) -> None:
    found = check_paths([tmp_path / "nope.md"])
    assert [(p.field, p.message) for p in found] == [("file", "does not exist")]


def test_the_builtin_library_loads_without_warnings() -> None:
    builtin = Path(__file__).resolve().parent.parent / "prompts"
    if not any(builtin.glob("*.md")):
        pytest.skip("no built-in prompts yet")
    lib = load_library(builtin, [])
    assert lib.warnings == []
    assert len(lib.prompts) == len(
        [p for p in builtin.glob("*.md") if p.name.lower() != "readme.md"]
    )
