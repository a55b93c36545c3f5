"""Damaged attempt files (issue 15): nothing disappears and nothing lies.

Each test damages a real attempt folder the way a disk, an editor or a crash does (missing,
empty, garbage bytes, valid JSON of the wrong shape) and checks what the user is promised:
the attempt is still listed, as "damaged", with the file named once; its recording can be
replayed and analysed again; no command, nor the app's history screen, shows a traceback or
hangs.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from coach.audio.wavfile import WavWriter
from coach.core.attempts import (
    find_attempt,
    iter_attempts,
    load_attempt,
    read_analysis,
    update_attempt,
)
from coach.core.history import History, open_history, rebuild_index
from coach.core.model import Transcript, Word
from coach.errors import CoachError
from coach.paths import database_path
from coach.pipeline import finish_analysis, load_transcript, save_transcript
from tests.support.audio import played_offset
from tests.support.audio import run_coach as coach
from tests.test_history import make_attempt
from tests.test_tui_review import make_ctx

GARBAGE = bytes(range(128, 256)) * 3  # not UTF-8, as a torn or overwritten block is

# (file, what is written, a word the reason says). Each is a damage a reader has tripped on.
DAMAGES = [
    ("attempt.json", None, "missing"),
    ("attempt.json", b"", "empty"),
    ("attempt.json", GARBAGE, "garbage"),
    ("attempt.json", b"{ not json", "not valid JSON"),
    ("attempt.json", b"[]", "list"),
    ("attempt.json", b'"analysed"', "string"),
    ("attempt.json", b'{"id": 5, "started_at": [], "state": null}', "wrong values"),
    ("attempt.json", b'{"prompt_id": "btree-vs-hash"}', "no id, started_at, state"),
    ("analysis.json", b"", "empty"),
    ("analysis.json", GARBAGE, "garbage"),
    ("analysis.json", b"[1, 2]", "list"),
    ("analysis.json", b'{"fillers": [1, 2], "score": "high"}', "does not hold an analysis"),
    ("analysis.json", b'{"words": [3], "duration_s": "long"}', "does not hold an analysis"),
    ("analysis.json", None, "missing"),
    ("transcript.json", b"", "empty"),
    ("transcript.json", GARBAGE, "garbage"),
    ("transcript.json", b"[]", "list"),
    ("transcript.json", b'{"words": 5}', "does not hold a transcript"),
]
IDS = [f"{name}-{why.replace(' ', '-')}" for name, _, why in DAMAGES]


def close_in_time(a: str, b: str) -> bool:
    """Within the second a folder's name and ``started_at`` can straddle."""
    return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds()) <= 1


def damage(folder: Path, name: str, content: bytes | None) -> None:
    path = folder / name
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content)


def wav(path: Path, seconds: float = 1.5) -> Path:
    """A short 16 kHz recording with a recognisable signal (a rising tone)."""
    t = np.arange(int(16000 * seconds)) / 16000
    with WavWriter(path, 16000) as writer:
        writer.write((np.sin(2 * np.pi * (200 + 200 * t) * t) * 8000).astype(np.int16))
    return path


def home_with_a_damaged_attempt(home: Path, name: str, content: bytes | None):
    """Three analysed attempts with a recording and a transcript; the middle one damaged."""
    attempts = [make_attempt(home, score=50 + 10 * i) for i in range(3)]
    for attempt in attempts:
        wav(attempt.recording_path)
        (attempt.path / "transcript.json").write_text(
            json.dumps({"words": [{"text": "hello", "start": 0.1, "end": 0.5}],
                        "duration_s": 1.5}), encoding="utf-8")
    damage(attempts[1].path, name, content)
    return attempts


@pytest.mark.parametrize(("name", "content", "why"), DAMAGES, ids=IDS)
def test_rebuild_lists_every_folder_and_the_damaged_one_says_its_file_once(
    coach_home: Path, name: str, content: bytes | None, why: str
) -> None:
    good, broken, last = home_with_a_damaged_attempt(coach_home, name, content)
    count, _moved = rebuild_index(coach_home)
    assert count == 3
    with open_history(coach_home) as history:
        rows = {row["id"]: row for row in history.list_attempts()}
    assert set(rows) == {good.id, broken.id, last.id}
    assert rows[broken.id]["state"] == "damaged"
    error = rows[broken.id]["error"]
    assert error.startswith(name) and why in error
    assert error.count(".json") == 1  # the file, named once, and no other
    assert rows[good.id]["state"] == rows[last.id]["state"] == "analysed"
    assert (rows[good.id]["score"], rows[last.id]["score"]) == (50.0, 70.0)
    if name != "analysis.json":  # its analysis is whole: its numbers are still there
        assert rows[broken.id]["score"] == 60.0
    # the recording is still found, so it can be replayed and analysed again
    assert find_attempt(coach_home, broken.id).recording_path.read_bytes() == \
        good.recording_path.read_bytes()


@pytest.mark.parametrize(("name", "content", "why"), DAMAGES, ids=IDS)
def test_every_reader_tolerates_the_damage(
    coach_home: Path, name: str, content: bytes | None, why: str
) -> None:
    _good, broken, _last = home_with_a_damaged_attempt(coach_home, name, content)
    attempt = load_attempt(broken.path)
    assert attempt.id == broken.id and attempt.shown_state == "damaged"
    assert list(attempt.damage) == [name]
    assert close_in_time(attempt.started_at, broken.started_at)  # from the folder's name
    assert [a.id for a in iter_attempts(coach_home)].count(broken.id) == 1
    analysis = read_analysis(attempt)
    assert (analysis is None) == (name == "analysis.json")
    assert (load_transcript(attempt) is None) == (name == "transcript.json")


def test_a_missing_database_beside_a_damaged_attempt_brings_every_attempt_back(
    coach_home: Path,
) -> None:
    attempts = home_with_a_damaged_attempt(coach_home, "analysis.json", b"[1, 2]")
    damage(attempts[2].path, "attempt.json", b"[]")
    database_path(coach_home).unlink(missing_ok=True)
    listed = coach("history")
    assert listed.returncode == 0 and "Traceback" not in listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()[1:]] == \
        [a.id for a in attempts]
    warnings = [line for line in listed.stderr.splitlines() if "is damaged" in line]
    assert warnings == [
        f"coach: warning: attempt {attempts[1].id} is damaged: "
        "analysis.json holds a list, not an object",
        f"coach: warning: attempt {attempts[2].id} is damaged: "
        "attempt.json holds a list, not an object",
    ]
    assert "rebuilt it from 3 attempt folder(s)" in listed.stderr
    due = coach("due")
    assert due.returncode == 0 and "Traceback" not in due.stderr
    progress = coach("progress")
    assert progress.returncode == 0 and "Traceback" not in progress.stderr
    assert "(2 attempt(s))" in progress.stdout  # the two with a readable analysis
    rebuilt = coach("history", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "3 attempt(s), 2 of them damaged" in rebuilt.stdout
    assert rebuilt.stderr.count("is damaged") == 2


def test_a_first_rebuild_that_fails_leaves_no_empty_database_to_hide_the_folders(
    coach_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = [make_attempt(coach_home) for _ in range(3)]

    def refuse(self: History, home: Path) -> int:
        raise CoachError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(History, "rebuild", refuse)
        with pytest.raises(CoachError, match="disk full"):
            open_history(coach_home)
    assert not database_path(coach_home).exists()
    with open_history(coach_home) as history:  # the next start tries again
        assert history.recovered == 3
        assert [row["id"] for row in history.list_attempts()] == [a.id for a in attempts]


def test_a_damaged_attempt_analysed_again_is_whole_and_the_damaged_files_are_kept(
    coach_home: Path,
) -> None:
    ctx = make_ctx(coach_home)
    attempt = make_attempt(coach_home)
    damage(attempt.path, "attempt.json", GARBAGE)
    damage(attempt.path, "analysis.json", b"[1, 2]")
    damaged = load_attempt(attempt.path)
    assert set(damaged.damage) == {"attempt.json", "analysis.json"}
    transcript = Transcript((Word("hello", 0.1, 0.5), Word("there", 0.6, 1.0)), 1.5)
    save_transcript(damaged, transcript)
    done, _analysis = finish_analysis(ctx, damaged, None, transcript)
    assert done.damage == {} and done.state == "analysed"
    again = load_attempt(attempt.path)
    assert again.damage == {} and again.id == attempt.id
    assert close_in_time(again.started_at, attempt.started_at)
    assert read_analysis(again)["transcript"] == "hello there"
    assert (attempt.path / "attempt.json.damaged").read_bytes() == GARBAGE
    assert (attempt.path / "analysis.json.damaged").read_bytes() == b"[1, 2]"
    with open_history(coach_home) as history:
        assert history.get(attempt.id)["state"] == "analysed"


def test_rating_a_damaged_attempt_writes_a_whole_attempt_json(coach_home: Path) -> None:
    attempt = make_attempt(coach_home, prompt_id="btree-vs-hash")
    damage(attempt.path, "attempt.json", b"[]")
    rated = update_attempt(load_attempt(attempt.path), rating="good")
    assert rated.damage == {}
    data = json.loads((attempt.path / "attempt.json").read_text(encoding="utf-8"))
    assert data["id"] == attempt.id and data["rating"] == "good"
    assert data["prompt_id"] == "btree-vs-hash"  # taken from analysis.json
    assert data["state"] == "analysed"


def test_replay_of_an_attempt_with_a_garbage_attempt_json_plays_its_recording(
    coach_home: Path, tmp_path: Path
) -> None:
    attempt = make_attempt(coach_home)
    wav(attempt.recording_path)
    damage(attempt.path, "attempt.json", GARBAGE)
    played = tmp_path / "played.raw"
    result = coach("replay", attempt.id, mic=attempt.recording_path,
                   env={"FAKE_MIC_PLAYED": str(played)})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("attempt.json") == 1
    assert f"attempt {attempt.id} is damaged: attempt.json is garbage (not text)" in result.stderr
    from coach.audio.wavfile import wav_data_info

    *_, offset, size = wav_data_info(attempt.recording_path)
    expected = np.fromfile(attempt.recording_path, np.int16, offset=offset)[: size // 2]
    samples = np.fromfile(played, np.int16)
    start = played_offset(samples, expected)
    np.testing.assert_array_equal(samples[start : start + len(expected)], expected)


def test_replay_of_a_damaged_attempt_without_its_recording_says_so(coach_home: Path) -> None:
    attempt = make_attempt(coach_home)
    damage(attempt.path, "attempt.json", None)
    result = coach("replay", attempt.id)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"coach: warning: attempt {attempt.id} is damaged: attempt.json is missing",
        f"coach: error: attempt {attempt.id} has no recording to replay "
        "(recording.wav is missing)",
    ]


def test_an_attempt_id_is_never_a_way_out_of_the_attempts_folder(coach_home: Path) -> None:
    make_attempt(coach_home)
    for bad in ("..", "../..", ".", ""):
        with pytest.raises(FileNotFoundError):
            find_attempt(coach_home, bad)


def test_history_json_keeps_stdout_clean_and_carries_the_reason(coach_home: Path) -> None:
    attempts = home_with_a_damaged_attempt(coach_home, "transcript.json", b"")
    rebuild_index(coach_home)
    result = coach("history", "--json")
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    assert [r["state"] for r in rows] == ["analysed", "damaged", "analysed"]
    assert rows[1]["error"] == "transcript.json is empty"
    assert os.path.basename(rows[1]["folder"]) == attempts[1].id


def test_doctor_counts_the_damaged_attempts_and_changes_nothing(coach_home: Path) -> None:
    broken = home_with_a_damaged_attempt(coach_home, "attempt.json", GARBAGE)[1]
    rebuild_index(coach_home)
    files = [broken.path / "attempt.json", database_path(coach_home)]
    before = [f.read_bytes() for f in files]
    result = coach("doctor", "--skip", "audio", "--skip", "voice", "--skip", "model")
    assert result.returncode == 0, result.stdout
    [line] = [ln for ln in result.stdout.splitlines() if "  history  " in ln]
    assert line.startswith("WARN") and "3 attempt(s), 1 damaged" in line
    assert "'coach history' says what is damaged" in line
    assert [f.read_bytes() for f in files] == before
    assert not (broken.path / "attempt.json.damaged").exists()


# ---------------------------------------------------------------------------- the app


async def test_the_app_lists_damaged_attempts_and_says_what_is_damaged(coach_home: Path) -> None:
    from tests import test_tui_history as ui

    ctx = make_ctx(coach_home)
    first, _free, follow = ui.three_attempts(ctx)
    damage(first.path, "attempt.json", b"[]")
    damage(follow.path, "analysis.json", GARBAGE)
    for suffix in ("", "-wal", "-shm"):  # and no database either
        Path(f"{database_path(coach_home)}{suffix}").unlink(missing_ok=True)
    async with ui.app_for(ctx).run_test(size=ui.SIZE) as pilot:
        screen = await ui.open_history(pilot.app, pilot)
        shown = ui.rows(screen)
        assert [row[2] for row in shown] == ["damaged", "analysed", "damaged"]  # newest first
        assert shown[2][4].isdigit()  # its analysis.json is whole: its score is shown
        assert shown[0][4] == "-"  # its analysis is garbage: no number pretends otherwise
        assert "3 attempts, newest first; 2 damaged" in ui.text_of(screen, "#history-status")
        detail = ui.text_of(screen, "#history-detail")
        assert "damaged: analysis.json is garbage (not text)" in detail
        assert detail.count("analysis.json") == 1
        await pilot.press("enter")  # no analysis to review and no recording to analyse
        assert pilot.app.screen is screen
        await pilot.press("down", "down")
        detail = ui.text_of(screen, "#history-detail")
        assert "damaged: attempt.json holds a list, not an object" in detail
        assert "Enter reviews it" in detail
        await pilot.press("enter")
        await ui.wait_for(pilot, lambda: ui.reviewing(pilot.app), 10)
        assert pilot.app.screen.attempt.id == first.id


async def test_the_app_history_says_a_reading_failure_instead_of_hanging(
    coach_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.tui.logic import history as logic
    from tests import test_tui_history as ui

    ctx = make_ctx(coach_home)
    ui.three_attempts(ctx)

    def broken(ctx: object) -> logic.Listing:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(logic, "load", broken)
    async with ui.app_for(ctx).run_test(size=ui.SIZE) as pilot:
        screen = await ui.open_history(pilot.app, pilot)
        status = ui.text_of(screen, "#history-status")
        assert "could not read the past attempts (the disk went away)" in status
        assert "Reading" not in status


@pytest.mark.slow
async def test_the_app_analyses_a_damaged_attempt_again_from_its_recording(
    coach_home: Path, shared_audio: Path, transcriber
) -> None:
    from coach.tui.app import CoachApp
    from tests import test_tui_history as ui

    ctx = make_ctx(coach_home)
    attempt = ui.failed_attempt(ctx, "2025-03-02T08:00:00+00:00", shared_audio / "jfk.flac")
    damage(attempt.path, "attempt.json", GARBAGE)
    app = CoachApp(ctx, transcriber_factory=lambda c: transcriber, preflight=lambda c: None)
    async with app.run_test(size=ui.SIZE) as pilot:
        screen = await ui.open_history(app, pilot)
        assert ui.rows(screen)[0][2] == "damaged"
        detail = ui.text_of(screen, "#history-detail")
        assert "attempt.json is garbage (not text)" in detail
        assert "Enter analyses its recording" in detail
        await pilot.press("enter")
        await ui.wait_for(pilot, lambda: ui.reviewing(app), 60)
        assert app.screen.attempt.id == attempt.id
        assert "country" in app.screen.analysis.transcript
        await pilot.press("escape")
        await ui.wait_for(pilot, lambda: ui.rows(screen)[0][2] == "analysed", 10)
    assert (attempt.path / "attempt.json.damaged").read_bytes() == GARBAGE
    assert load_attempt(attempt.path).damage == {}


def test_a_damaged_answer_still_counts_as_practice_in_the_plan(coach_home: Path) -> None:
    from coach.core.plan import Plan, balance

    attempts = home_with_a_damaged_attempt(coach_home, "transcript.json", GARBAGE)
    rebuild_index(coach_home)
    prompts = make_ctx(coach_home).library().prompts
    with open_history(coach_home) as history:
        assert history.get(attempts[1].id)["state"] == "damaged"
        assert balance(history, prompts, Plan()).counts == {"system-design": 3}


def test_correcting_an_attempt_whose_transcript_is_damaged_says_which_file(
    coach_home: Path,
) -> None:
    from coach.pipeline import reanalyze

    attempt = home_with_a_damaged_attempt(coach_home, "transcript.json", b"")[1]
    with pytest.raises(CoachError) as caught:
        reanalyze(make_ctx(coach_home), attempt, None, [])
    assert str(caught.value) == \
        f"attempt {attempt.id} cannot be corrected: transcript.json is empty"
    assert read_analysis(attempt)["score"]["total"] == 60.0  # the analysis is left as it was


def test_rating_an_attempt_with_a_damaged_attempt_json_repairs_its_row_too(
    coach_home: Path,
) -> None:
    attempt = home_with_a_damaged_attempt(coach_home, "attempt.json", GARBAGE)[1]
    rebuild_index(coach_home)
    result = coach("rate", attempt.id, "good")
    assert result.returncode == 0, result.stderr
    with open_history(coach_home) as history:
        row = history.get(attempt.id)
    assert (row["state"], row["error"], row["rating"]) == ("analysed", None, "good")
    assert (attempt.path / "attempt.json.damaged").read_bytes() == GARBAGE
