"""``coach prompts list|show|check`` as a user runs them (in process, through coach.cli.main)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.cli import main

PROMPT = """\
---
id: {id}
title: {title}
pillar: {pillar}
level: senior
prep_seconds: 20
answer_seconds: 90
key_points:
  - id: range
    text: B-trees keep keys in order
    phrases: ["range query", "sorted order"]
    why: It shows the answer starts from the queries.
    probe: What happens to a range query then?
  - id: hash
    text: Hash gives O(1) lookups
    phrases: ["constant time"]
    why: It shows the answer starts from the queries.
    probe: What happens to a range query then?
  - id: writes
    text: Write costs differ
    phrases: ["write amplification"]
    why: It shows the answer starts from the queries.
    probe: What happens to a range query then?
follow_ups:
  - What if it grows 100x?
  - What are the downsides?
---
My own question about {title}?
"""


def write(folder: Path, pid: str, title: str = "Mine", pillar: str = "coding") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pid}.md"
    path.write_text(PROMPT.format(id=pid, title=title, pillar=pillar), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_an_aligned_table_of_user_prompts(coach_home: Path, capsys) -> None:
    write(coach_home / "prompts", "my-question", "My question")
    write(coach_home / "prompts", "my-story", "My story", pillar="behavioral")
    code, out, _ = run(capsys, "prompts", "list", "--pillar", "coding")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "PILLAR", "LEVEL", "CATEGORY", "PREP+ANSWER", "TITLE"]
    row = next(line for line in lines if line.startswith("my-question"))
    assert lines[0].index("PILLAR") == row.index("coding")  # columns line up
    assert "0:20+1:30" in row and "My question" in row
    assert "my-story" not in out  # filtered by pillar


def test_list_json(coach_home: Path, capsys) -> None:
    write(coach_home / "prompts", "my-question")
    code, out, _ = run(capsys, "prompts", "list", "--json", "--level", "senior")
    data = json.loads(out)
    mine = next(p for p in data if p["id"] == "my-question")
    assert code == 0 and mine["answer_seconds"] == 90 and len(mine["key_points"]) == 3
    assert all(p["level"] == "senior" for p in data)


def test_show_prints_the_question_key_points_and_follow_ups(coach_home: Path, capsys) -> None:
    write(coach_home / "prompts", "my-question", "Indexes")
    code, out, _ = run(capsys, "prompts", "show", "my-question")
    assert code == 0
    for text in (
        "Indexes  [my-question]",
        "My own question about Indexes?",
        "- range: B-trees keep keys in order",
        '"range query", "sorted order"',
        "- What if it grows 100x?",
        "my-question.md",
    ):
        assert text in out, text


def test_show_unknown_id_is_a_one_line_error(coach_home: Path, capsys) -> None:
    code, out, err = run(capsys, "prompts", "show", "no-such-prompt")
    assert code == 1 and out == ""
    assert err.strip() == (
        "coach: error: unknown prompt id 'no-such-prompt' (see 'coach prompts list' for the ids)"
    )


def test_a_prompts_dir_flag_overrides_a_builtin_or_user_prompt(
    coach_home: Path, tmp_path: Path, capsys
) -> None:
    write(coach_home / "prompts", "my-question", "From home")
    extra = tmp_path / "extra"
    write(extra, "my-question", "From the flag")
    code, out, _ = run(capsys, "--prompts-dir", str(extra), "prompts", "show", "my-question")
    assert code == 0 and "From the flag" in out


def test_a_malformed_user_prompt_warns_but_the_list_still_works(coach_home: Path, capsys) -> None:
    write(coach_home / "prompts", "fine")
    (coach_home / "prompts" / "broken.md").write_text("---\ntitle: [oops\n---\nQ\n")
    code, out, err = run(capsys, "prompts", "list")
    assert code == 0 and "fine" in out
    assert "coach: warning: prompt skipped:" in err and "broken.md: yaml: does not parse" in err


def test_check_lists_each_problem_and_exits_1(tmp_path: Path, coach_home: Path, capsys) -> None:
    good = write(tmp_path, "good")
    bad = write(tmp_path, "bad", pillar="poetry")
    bad.write_text(bad.read_text().replace("answer_seconds: 90", "answer_seconds: 0"))
    code, out, _ = run(capsys, "prompts", "check", str(good), str(bad))
    assert code == 1
    assert f"{bad}: pillar: unknown pillar 'poetry'" in out
    assert f"{bad}: answer_seconds: time box must be a positive number of seconds, got 0" in out
    assert str(good) not in out


def test_check_ok_prints_one_line_with_the_count(tmp_path: Path, coach_home: Path, capsys) -> None:
    write(tmp_path, "one")
    write(tmp_path, "two")
    code, out, _ = run(capsys, "prompts", "check", str(tmp_path))
    assert code == 0 and out.strip() == "OK: 2 prompt file(s) checked, no problems."


def test_check_without_paths_checks_builtin_and_user_prompts(coach_home: Path, capsys) -> None:
    write(coach_home / "prompts", "mine")
    (coach_home / "prompts" / "broken.md").write_text("no front matter\n")
    code, out, _ = run(capsys, "prompts", "check")
    assert code == 1
    assert out.splitlines()[0] == (
        f"{coach_home / 'prompts' / 'broken.md'}: front matter: "
        "missing: the file must start with a '---' YAML block"
    )
