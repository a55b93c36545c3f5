"""Issue 15: every command recovers what a killed coach left half done, and ``coach analyze ID``
analyses an existing attempt again from its own recording.

A ``coach analyze FILE`` killed mid-way left its attempt "analysing" for good, with a full copy
of the recording, and ``coach analyze <id>`` answered "audio file not found"; a ``coach record``
killed mid-take showed as "recording" until the app or ``record`` started again. Each test here
kills or fakes the dead process for real (SIGKILL, a pid that has exited) and then does what the
user would: ``coach history``, then ``coach analyze <id>``. An attempt whose process is alive
(the app and a ``coach analyze`` at once) is never touched.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coach.audio.wavfile import WavWriter
from coach.core.attempts import find_attempt, iter_attempts, new_attempt, update_attempt
from coach.core.history import open_history
from coach.paths import database_path
from tests.support import audio
from tests.support.audio import dead_pid, read_wave
from tests.test_bad_input import CLIP_TEXT, error_lines, run_coach

REPO = Path(__file__).resolve().parent.parent
answer_fixture = audio.answer_fixture
long_answer_fixture = audio.long_answer_fixture

# Loaded at start-up via PYTHONPATH: the analysis dies (SIGKILL) the moment transcription
# starts, after the attempt folder and its copy of the recording are written.
DIE_WHEN_TRANSCRIBING = textwrap.dedent("""
    import os, signal
    import coach.pipeline as pipeline

    class _DiesWhenTranscribing:
        def transcribe_array(self, *args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

    pipeline.load_transcriber = lambda ctx, model=None: _DiesWhenTranscribing()
""")


def history_rows(home: Path) -> tuple[dict[str, dict], str]:
    """``coach history --json`` as the user runs it: its rows by id, and what it warned."""
    listed = run_coach("history", "--json", home=home, timeout=120)
    assert listed.returncode == 0, listed.stderr
    return {row["id"]: row for row in json.loads(listed.stdout)}, listed.stderr


def killed_analyze(clip: Path, home: Path, tmp_path: Path) -> str:
    """``coach analyze CLIP`` SIGKILLed mid-way; returns the id of the attempt it left."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(DIE_WHEN_TRANSCRIBING)
    dying = run_coach("analyze", str(clip), home=home, timeout=300,
                      env={"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])})
    assert dying.returncode == -signal.SIGKILL, dying.stderr
    [attempt] = iter_attempts(home)
    assert attempt.state == "analysing"  # what the kill leaves: nothing has seen it yet
    return attempt.id


@pytest.mark.slow
def test_a_killed_coach_analyze_is_interrupted_then_analysed_from_its_own_recording(
    speak, coach_home: Path, tmp_path: Path
) -> None:
    clip = speak("faults-clip", [CLIP_TEXT])
    attempt_id = killed_analyze(clip, coach_home, tmp_path)

    rows, warned = history_rows(coach_home)  # the next command, whichever, recovers it
    assert rows[attempt_id]["state"] == "interrupted"
    hint = f"run 'coach analyze {attempt_id}'"
    assert hint in rows[attempt_id]["error"] and hint in warned
    attempt = find_attempt(coach_home, attempt_id)
    assert attempt.state == "interrupted"
    assert attempt.recording_path.read_bytes() == clip.read_bytes()  # the copy is kept whole

    again = run_coach("analyze", attempt_id, "--json", home=coach_home)
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert data["attempt"] == attempt_id and data["audio"] == str(attempt.recording_path)
    assert "index" in data["transcript"].lower()
    assert [a.id for a in iter_attempts(coach_home)] == [attempt_id]  # no new folder
    after = find_attempt(coach_home, attempt_id)
    assert after.state == "analysed" and after.error is None
    assert after.analysis_path.is_file() and after.report_path.is_file()
    rows, warned = history_rows(coach_home)
    assert rows[attempt_id]["state"] == "analysed" and rows[attempt_id]["score"] is not None
    assert rows[attempt_id]["error"] is None and warned == ""


@pytest.mark.slow
def test_a_killed_coach_record_is_recovered_then_analysed_from_its_own_recording(
    long_answer: Path, coach_home: Path
) -> None:
    from tests.test_recorder_faults import kill_mid_take

    wav, on_disk_s, _pid = kill_mid_take(long_answer, coach_home)
    [attempt] = iter_attempts(coach_home)
    assert attempt.state == "recording"

    rows, warned = history_rows(coach_home)  # not "recording" any more: repaired at the start
    assert f"recovered an interrupted recording: attempt {attempt.id}" in warned
    assert rows[attempt.id]["state"] == "recovered"
    assert rows[attempt.id]["recording_s"] >= on_disk_s

    again = run_coach("analyze", attempt.id, "--json", home=coach_home)
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert data["attempt"] == attempt.id and data["duration_s"] >= on_disk_s - 0.1
    assert data["words"], "the recovered seconds were transcribed"
    after = find_attempt(coach_home, attempt.id)
    # analysed, and still marked as a take that was cut short (as the app does)
    assert after.state == "recovered" and after.analysis_path.is_file()
    assert after.extra.get("interrupted") is True
    rows, _ = history_rows(coach_home)
    assert rows[attempt.id]["score"] is not None and rows[attempt.id]["duration_s"] > 2.0
    assert wav.is_file()


def test_attempts_of_a_live_process_are_left_alone_by_every_command(
    coach_home: Path, answer: Path
) -> None:
    """The app recording and a ``coach analyze`` analysing in the same home: other commands
    list them as they are, refuse to analyse them, and recover them once that process dies."""
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        take = new_attempt(coach_home, None, state="recording", extra={"pid": alive.pid})
        with WavWriter(take.recording_path, 16000) as writer:
            writer.write(read_wave(answer))
        imported = new_attempt(coach_home, None, state="analysing", source="import",
                               recording="recording.wav", extra={"pid": alive.pid})
        imported.recording_path.write_bytes(answer.read_bytes())
        for command in (["history"], ["prompts", "list"], ["due"], ["history", "--rebuild"]):
            result = run_coach(*command, home=coach_home, timeout=120)
            assert result.returncode == 0, (command, result.stderr)
            assert "interrupted" not in result.stderr, command
        assert find_attempt(coach_home, take.id).state == "recording"
        assert find_attempt(coach_home, imported.id).state == "analysing"
        refused = run_coach("analyze", imported.id, take.id, home=coach_home, timeout=120)
        assert refused.returncode == 1
        lines = error_lines(refused.stderr)
        assert len(lines) == 2 and "Traceback" not in refused.stderr
        assert lines[0] == (f"coach: error: {imported.id}: the attempt is still analysing in "
                            f"another coach (process {alive.pid}); analyse it once that has "
                            "finished")
        assert lines[1].startswith(f"coach: error: {take.id}: the attempt is still recording")
        assert find_attempt(coach_home, imported.id).state == "analysing"
    finally:
        alive.kill()
        alive.wait()
    rows, warned = history_rows(coach_home)
    assert rows[take.id]["state"] == "recovered" and rows[imported.id]["state"] == "interrupted"
    assert len(warned.splitlines()) == 2


def test_coach_analyze_of_an_attempt_it_cannot_analyse_is_one_clear_line(
    coach_home: Path,
) -> None:
    gone = new_attempt(coach_home, "btree-vs-hash", state="failed", error="disk full")
    cases = {
        "20990101-000000-nothing": "no such attempt or audio file (attempt ids: see "
                                   "'coach history')",
        gone.id: "the attempt's recording is gone",
    }
    for name, message in cases.items():
        result = run_coach("analyze", name, home=coach_home, timeout=120)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"coach: error: {name}: {message}"), lines
    write = WavWriter(gone.recording_path, 16000)
    write.close()
    other = run_coach("analyze", gone.id, "--prompt", "caching-strategies", home=coach_home,
                      timeout=120)
    assert other.returncode == 1
    assert error_lines(other.stderr) == [
        f"coach: error: {gone.id}: an attempt keeps its own prompt (btree-vs-hash); --prompt "
        "applies to files"
    ]
    assert find_attempt(coach_home, gone.id).state == "failed"  # refused: left as it was


def test_a_start_reads_only_what_the_index_does_not_list_as_finished(coach_home: Path) -> None:
    """The cost of recovery at every start stays small on a home of thousands of attempts:
    it reads the folders the index does not list as finished. ``--rebuild`` reads them all."""
    finished = new_attempt(coach_home, None, state="analysed")
    with open_history(coach_home) as history:
        history.record_attempt(finished, None)
    # the folder now says a dead process was analysing it, the index still says "analysed"
    # (analyze_attempt tells the index first; this is that write lost)
    update_attempt(finished, state="analysing", source="import", extra={"pid": dead_pid()})
    unknown = new_attempt(coach_home, None, state="analysing", source="import",
                          extra={"pid": dead_pid()})  # a folder the index never heard of
    run_coach("prompts", "list", home=coach_home, timeout=120)
    assert find_attempt(coach_home, unknown.id).state == "interrupted"
    assert find_attempt(coach_home, finished.id).state == "analysing"
    rebuilt = run_coach("history", "--rebuild", home=coach_home, timeout=120)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"attempt {finished.id}: the analysis was interrupted" in rebuilt.stderr
    assert find_attempt(coach_home, finished.id).state == "interrupted"
    rows, _ = history_rows(coach_home)
    assert {row["state"] for row in rows.values()} == {"interrupted"}


def test_a_start_in_a_fresh_home_creates_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = run_coach("prompts", "list", home=home, timeout=120)
    assert result.returncode == 0 and result.stderr == ""
    assert not (home / "attempts").exists() and not database_path(home).exists()


def test_the_app_tells_the_truth_about_an_interrupted_import(coach_home: Path) -> None:
    """The history screen's line: the hint it shows works, and Enter analyses it."""
    import argparse

    from coach.cli.common import open_context
    from coach.recovery import recover_interrupted
    from coach.tui.logic import history

    attempt = new_attempt(coach_home, None, state="analysing", source="import",
                          recording="recording.wav", extra={"pid": dead_pid()})
    attempt.recording_path.write_bytes(b"RIFF")
    recover_interrupted(coach_home)
    ctx = open_context(argparse.Namespace(home=str(coach_home), prompts_dir=None))
    [past] = history.load(ctx).attempts
    line = history.describe(past)
    assert f"run 'coach analyze {attempt.id}' to analyse it again" in line
    assert past.can_analyse and line.endswith("Enter analyses its recording")


def test_a_killed_re_analysis_is_recovered_with_its_earlier_analysis_kept(
    coach_home: Path, tmp_path: Path
) -> None:
    """``coach analyze <id>`` of an analysed attempt, killed mid-way: the index was told it was
    "analysing" before the work began, so the next start finds it (the index said "analysed"
    until then) and the earlier analysis is still there to review."""
    from tests.test_faults import analysed_attempt

    _ctx, attempt = analysed_attempt(coach_home)
    update_attempt(attempt, source="import")  # an imported file: its copy is whole
    before = attempt.analysis_path.read_bytes()
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(DIE_WHEN_TRANSCRIBING)
    dying = run_coach("analyze", attempt.id, home=coach_home, timeout=300,
                      env={"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])})
    assert dying.returncode == -signal.SIGKILL, dying.stderr
    with open_history(coach_home) as history:
        assert history.get(attempt.id)["state"] == "analysing"
    rows, warned = history_rows(coach_home)
    assert rows[attempt.id]["state"] == "interrupted" and attempt.id in warned
    assert rows[attempt.id]["score"] is not None  # the earlier analysis still counts
    assert attempt.analysis_path.read_bytes() == before


def test_a_pid_reused_by_another_process_does_not_keep_an_attempt_in_progress(
    coach_home: Path,
) -> None:
    """pid_max is 32768 on many machines: a dead coach's pid soon belongs to another process.
    An attempt remembers when its process started, so another one with the pid is not it."""
    from coach.recovery import recover_interrupted, this_process

    mine = this_process()
    if "pid_started" not in mine:
        pytest.skip("no /proc: process start times are not known here")
    alive = new_attempt(coach_home, None, state="analysing", source="import", extra=mine)
    reused = new_attempt(coach_home, None, state="analysing", source="import",
                         extra={**mine, "pid_started": mine["pid_started"] - 1})
    changed = recover_interrupted(coach_home)
    assert [a.id for a in changed] == [reused.id]
    assert find_attempt(coach_home, reused.id).state == "interrupted"
    assert find_attempt(coach_home, alive.id).state == "analysing"
