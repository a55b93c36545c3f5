"""The history commands as a user runs them: ``python -m coach ...`` with COACH_HOME set."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

from coach.core.attempts import load_attempt
from coach.core.history import open_history
from coach.paths import database_path
from tests.test_history import make_attempt
from tests.test_scheduler import unratable_attempts

REPO = Path(__file__).resolve().parent.parent


def coach(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line (COACH_HOME comes from the ``coach_home`` fixture)."""
    return subprocess.run(
        [sys.executable, "-m", "coach", *args], cwd=REPO, capture_output=True, text=True,
        input=stdin, timeout=120,
    )


def test_history_lists_attempts_as_a_table_and_as_json(coach_home):
    with open_history(coach_home) as history:
        a = make_attempt(coach_home, history=history, score=72)
        b = make_attempt(coach_home, prompt_id="other", history=history, score=40)
    table = coach("history")
    assert table.returncode == 0, table.stderr
    assert a.id in table.stdout and b.id in table.stdout
    assert "72" in table.stdout
    only = coach("history", "--prompt", "other", "--json")
    assert only.returncode == 0, only.stderr
    assert [r["id"] for r in json.loads(only.stdout)] == [b.id]


def test_history_shows_the_latest_50_says_how_many_more_and_how_to_see_them(coach_home):
    with open_history(coach_home) as history:
        ids = [make_attempt(coach_home, history=history,
                            started_at=f"2026-01-01T09:{minute:02d}:00+00:00").id
               for minute in range(53)]
    table = coach("history")
    assert table.returncode == 0, table.stderr
    *lines, note = table.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines[1:]] == ids[3:]  # the 50 latest, oldest first
    assert "Latest 50 of 53 attempts shown, 3 older hidden" in note
    assert "--all" in note and "--limit N" in note
    every = coach("history", "--all")
    assert [line.split()[0] for line in every.stdout.strip().splitlines()[1:]] == ids
    three = coach("history", "--limit", "3").stdout.strip().splitlines()
    assert [line.split()[0] for line in three[1:-1]] == ids[-3:]
    assert "50 older hidden" in three[-1]
    assert len(json.loads(coach("history", "--json").stdout)) == 53  # programs get every row
    assert [r["id"] for r in json.loads(coach("history", "--json", "--limit", "2").stdout)] \
        == ids[-2:]


def test_a_bad_limit_is_a_one_line_error(coach_home):
    for args in (["--limit", "0"], ["--limit", "ten"], ["--limit", "-1"], ["--limit"],
                 ["--all", "--limit", "5"]):
        result = coach("history", *args)
        assert result.returncode == 1, args
        assert result.stderr.startswith("coach: error: ") and result.stderr.count("\n") == 1
        assert "--limit" in result.stderr and result.stdout == ""


def test_history_on_a_new_home_creates_the_database(coach_home):
    result = coach("history")
    assert result.returncode == 0, result.stderr
    assert "No attempts yet" in result.stdout
    assert database_path(coach_home).is_file()


def test_corrupt_database_is_reported_and_rebuild_recovers_every_attempt(coach_home):
    with open_history(coach_home) as history:
        attempts = [make_attempt(coach_home, history=history) for _ in range(3)]
    database_path(coach_home).write_bytes(b"garbage" * 1000)
    broken = coach("history")
    assert broken.returncode == 1
    assert broken.stderr.startswith("coach: error: ")
    assert "coach history --rebuild" in broken.stderr and "Traceback" not in broken.stderr
    rebuilt = coach("history", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "3 attempt(s)" in rebuilt.stdout and "moved aside" in rebuilt.stdout
    assert list(coach_home.glob("coach.db.corrupt-*"))
    listed = json.loads(coach("history", "--json").stdout)
    assert {r["id"] for r in listed} == {a.id for a in attempts}


def test_rebuild_after_the_database_is_deleted(coach_home):
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, history=history)
    database_path(coach_home).unlink()
    result = coach("history", "--rebuild")
    assert result.returncode == 0, result.stderr
    assert "1 attempt(s)" in result.stdout
    assert [r["id"] for r in json.loads(coach("history", "--json").stdout)] == [attempt.id]


def test_delete_needs_confirmation_without_a_tty_and_removes_folder_and_row(coach_home):
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, history=history)
    refused = coach("history", "delete", attempt.id)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert attempt.path.is_dir()
    done = coach("history", "delete", attempt.id, "--yes")
    assert done.returncode == 0, done.stderr
    assert not attempt.path.exists()
    assert json.loads(coach("history", "--json").stdout) == []
    missing = coach("history", "delete", "nope", "--yes")
    assert missing.returncode == 1 and "no attempt" in missing.stderr


def test_rate_stores_the_rating_and_schedules_the_prompt(coach_home):
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, prompt_id="btree-vs-hash", history=history)
    result = coach("rate", attempt.id, "good")
    assert result.returncode == 0, result.stderr
    assert "next review" in result.stdout
    assert load_attempt(attempt.path).rating == "good"
    # the app's keys work too, and rating again replaces the rating: one review, not two
    key = coach("rate", attempt.id, "3")
    assert key.returncode == 0, key.stderr
    assert key.stdout == result.stdout  # "Rated ID 'good'; next review <the same date>"
    assert coach("rate", attempt.id, "EASY").returncode == 0
    with open_history(coach_home) as history:
        reviews = history.query("SELECT rating FROM reviews")
    assert reviews == [{"rating": "easy"}]
    # one line, like every error the user can fix (and like 'record --self-rating 7')
    bad = coach("rate", attempt.id, "superb")
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "coach: error: unknown rating 'superb' (use 1-4 or one of: again, hard, good, easy)"]
    assert load_attempt(attempt.path).rating == "easy"


def test_rating_an_old_answer_counts_when_it_was_answered_so_it_may_be_due_now(coach_home):
    with open_history(coach_home) as history:
        old = make_attempt(coach_home, history=history, started_at="2026-01-01T09:00:00+00:00")
    result = coach("rate", old.id, "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Rated {old.id} 'again'; its prompt is due now.\n"


def test_rate_refuses_a_failed_or_silent_attempt_in_one_line(coach_home):
    with open_history(coach_home) as history:
        failed, silent = unratable_attempts(coach_home, history)
    for attempt, why in ((failed, "failed"), (silent, "has no speech")):
        result = coach("rate", attempt.id, "good")
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [
            f"coach: error: attempt {attempt.id} {why}, so there is no answer to rate"]
        assert load_attempt(attempt.path).rating is None
    missing = coach("rate", "nope", "good")
    assert missing.returncode == 1 and "no attempt with id 'nope'" in missing.stderr


def test_due_lists_new_prompts_from_the_library(coach_home):
    result = coach("due", "--json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert 0 < len(items) <= 3  # new_prompts_per_day defaults to 3
    assert all(i["reason"] == "new" and i["due"] is None and i["title"] for i in items)


def test_export_csv_and_json_round_trip(coach_home, tmp_path):
    with open_history(coach_home) as history:
        make_attempt(coach_home, history=history, score=55)
        make_attempt(coach_home, prompt_id=None, history=history, score=90)
        expected = history.list_attempts()
    as_json = coach("export", "--json", "-o", str(tmp_path / "h.json"))
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads((tmp_path / "h.json").read_text(encoding="utf-8")) == expected
    as_csv = coach("export", "--csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["id"] for r in rows] == [r["id"] for r in expected]
    for row, want in zip(rows, expected, strict=True):
        for key, value in want.items():
            assert row[key] == ("" if value is None else str(value)), key
    assert coach("export").returncode == 2  # a format is required


def test_progress_writes_the_dashboard_with_links_to_each_report(coach_home):
    from coach.core.prompts import load_library
    from coach.paths import builtin_prompts_dir

    library = load_library(builtin_prompts_dir(), []).prompts
    prompt_id = sorted(library)[0]
    with open_history(coach_home) as history:
        first = make_attempt(coach_home, prompt_id=prompt_id, history=history, score=50)
        second = make_attempt(coach_home, prompt_id=prompt_id, history=history, score=75)
    result = coach("progress")
    assert result.returncode == 0, result.stderr
    page = (coach_home / "index.html").read_text(encoding="utf-8")
    for attempt in (first, second):
        assert f"attempts/{attempt.id}/report.html" in page
    assert library[prompt_id].title.split()[0] in page


def test_takes_with_no_speech_are_shown_as_such_and_left_out_of_the_progress(coach_home):
    """Silent takes scored 0 dragged the dashboard down (issue 15): the history says "no
    speech" instead of a score, and the dashboard's figures are the spoken answers' alone."""
    from tests.test_progress import Page

    with open_history(coach_home) as history:
        first = make_attempt(coach_home, history=history, score=50)
        silent = [make_attempt(coach_home, history=history, silent=True) for _ in range(3)]
        last = make_attempt(coach_home, history=history, score=70)
    table = coach("history")
    assert table.returncode == 0, table.stderr
    lines = {line.split()[0]: line.split()[1:] for line in table.stdout.splitlines()[1:]}
    for attempt in silent:  # score "no speech", then no pace, fillers or coverage
        assert lines[attempt.id][2:7] == ["no", "speech", "-", "-", "-"]
    assert lines[first.id][2] == "50" and lines[last.id][2] == "70"
    result = coach("progress")
    assert result.returncode == 0, result.stderr
    html = (coach_home / "index.html").read_text(encoding="utf-8")
    text = Page(html).visible_text
    assert "Recent score 60 mean of last 2" in text  # (50 + 70) / 2, not (50 + 0*3 + 70) / 5
    assert "No speech 3 takes left out of the figures" in text
    score_chart = re.search(r'data-metric="score">.*?</svg>', html, re.DOTALL).group(0)
    assert score_chart.count("<circle") == 2
    pace_chart = re.search(r'data-metric="wpm">.*?</svg>', html, re.DOTALL).group(0)
    assert re.findall(r"<title>[^<]*: (\d+)</title>", pace_chart) == ["140", "140"]
    for attempt in silent:
        row = re.search(rf'<tr data-attempt="{attempt.id}">.*?</tr>', html, re.DOTALL).group(0)
        assert "no speech" in row


def test_deleted_database_is_noticed_and_rebuilt_by_the_next_command(coach_home):
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, history=history)
    database_path(coach_home).unlink()
    result = coach("history")
    assert result.returncode == 0, result.stderr
    assert "history database was missing" in result.stderr
    assert attempt.id in result.stdout


def _coach_on_a_tty(answer: str, *args: str) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as stdin/stdout and type ``answer``."""
    import os
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "coach", *args], cwd=REPO, stdin=slave, stdout=slave,
        stderr=subprocess.STDOUT,
    )
    os.close(slave)
    os.write(master, answer.encode())
    output = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return proc.wait(timeout=60), output.decode(errors="replace")


def test_delete_on_a_terminal_asks_and_respects_the_answer(coach_home):
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, history=history)
    code, output = _coach_on_a_tty("n\n", "history", "delete", attempt.id)
    assert code == 1 and "Delete attempt" in output and "Nothing deleted" in output
    assert attempt.path.is_dir()
    code, output = _coach_on_a_tty("y\n", "history", "delete", attempt.id)
    assert code == 0, output
    assert not attempt.path.exists()
