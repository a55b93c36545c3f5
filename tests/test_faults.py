"""Issue 8, the faults the other fault files do not inject, each against the real code.

5. A crash while writing a report (the rename refused; the process SIGKILLed between writing
   the new report and renaming it) leaves the previous report byte-identical.
7. Two coach processes at once, the TUI (Pilot) and ``coach analyze``: both attempts kept.
8. A corrupt database: the CLI and the TUI start, say so, and ``--rebuild`` recovers it.
Security: every attempt file is user-only (0600) in a user-only folder (0700), for an imported
recording (``coach analyze``) and a recorded one (``coach record --file``).
Faults 1-4 and 6 are in test_recorder_faults.py, test_history_faults.py and test_history.py;
docs/RELIABILITY.md maps every fault to its tests.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from coach.cli.common import Context, open_context
from coach.core.attempts import find_attempt, iter_attempts, new_attempt
from coach.core.history import open_history
from coach.core.model import Transcript, Word
from coach.paths import database_path
from coach.pipeline import finish_analysis, reanalyze, save_transcript
from tests.test_bad_input import CLIP_TEXT, run_coach, write_wav
from tests.test_history import make_attempt

REPO = Path(__file__).resolve().parent.parent
WORDS = ("so", "um", "I", "would", "pick", "a", "B-tree", "because", "range", "scans", "stay",
         "cheap", "and", "like", "sorted", "order")


def context(home: Path) -> Context:
    return open_context(argparse.Namespace(home=str(home), prompts_dir=None))


def analysed_attempt(home: Path) -> tuple[Context, object]:
    """An attempt analysed by the real pipeline from a saved transcript (no model needed)."""
    ctx = context(home)
    attempt = new_attempt(home, "btree-vs-hash", state="analysing")
    write_wav(attempt.recording_path, np.zeros(16000 * 6, np.float32), 16000)
    words = tuple(Word(w, 0.3 * i, 0.3 * i + 0.25) for i, w in enumerate(WORDS))
    transcript = Transcript(words=words, duration_s=6.0, speech_regions=((0.0, 5.0),))
    save_transcript(attempt, transcript)
    attempt, _ = finish_analysis(ctx, attempt, ctx.prompt("btree-vs-hash"), transcript)
    return ctx, attempt


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ----------------------------------------------------------------------------- 3. slow disk

SLOW_DISK = textwrap.dedent("""
    # Loaded at start-up via PYTHONPATH: every recorder gets a disk 4x slower than real time
    # and a 0.25 s queue (the real one holds 20 s), so blocks must be dropped and counted.
    import coach.audio.recorder as recorder
    _init = recorder.Recorder.__init__
    def _slow(self, *args, **kwargs):
        kwargs["queue_seconds"] = 0.25
        _init(self, *args, **kwargs)
        self.writer_delay_s = 0.2
    recorder.Recorder.__init__ = _slow
""")


@pytest.mark.slow
def test_dropped_blocks_are_reported_against_the_attempt(speak, tmp_path: Path) -> None:
    """``coach record`` on a slow disk: the count reaches the user, attempt.json and the
    history; the kept audio is exactly the blocks not dropped."""
    import soundfile

    clip = speak("faults-clip", [CLIP_TEXT])
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_DISK)
    home = tmp_path / "home"
    result = run_coach("record", "--file", str(clip), "--seconds", "2", "--json", home=home,
                       env={"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    dropped = data["recording"]["dropped_blocks"]
    assert dropped > 10
    assert any("not keeping up" in p for p in data["recording"]["problems"])
    attempt = find_attempt(home, data["attempt"])
    assert attempt.dropped_blocks == dropped
    assert soundfile.info(str(attempt.recording_path)).frames == (40 - dropped) * 800
    with open_history(home) as history:
        assert history.get(attempt.id)["dropped_blocks"] == dropped


# ----------------------------------------------------------------------------- 5. report write


def test_a_refused_report_rename_keeps_the_previous_report(
    coach_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, attempt = analysed_attempt(coach_home)
    before = attempt.report_path.read_bytes()
    real_replace = os.replace

    def full_disk(src, dst, *args, **kwargs):
        if Path(dst).name == "report.html":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full_disk)
    um = WORDS.index("um")
    with pytest.raises(OSError, match="No space left"):
        reanalyze(ctx, attempt, ctx.prompt("btree-vs-hash"), [{"word_index": um,
                                                               "filler": False}])
    monkeypatch.setattr(os, "replace", real_replace)
    assert attempt.report_path.read_bytes() == before
    assert leftovers(attempt.path) == []  # the half-done temp file is cleaned up
    # the same correction without the fault does change the report: the test can tell
    reanalyze(ctx, attempt, ctx.prompt("btree-vs-hash"), [{"word_index": um, "filler": False}])
    assert attempt.report_path.read_bytes() != before


KILL_DURING_REPORT = textwrap.dedent("""
    import argparse, os, signal, sys
    from pathlib import Path
    from coach.cli.common import open_context
    from coach.core.attempts import find_attempt
    from coach.pipeline import reanalyze

    home, attempt_id = Path(sys.argv[1]), sys.argv[2]
    real_fsync = os.fsync

    def fsync(fd):
        # the new report is fully written to its temp file: die before it is renamed
        if ".report.html." in os.readlink(f"/proc/self/fd/{fd}"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_fsync(fd)

    os.fsync = fsync
    ctx = open_context(argparse.Namespace(home=str(home), prompts_dir=None))
    attempt = find_attempt(home, attempt_id)
    reanalyze(ctx, attempt, ctx.prompt("btree-vs-hash"), [{"word_index": 1, "filler": False}])
    sys.exit("the report was written without the kill")
""")


def test_sigkill_while_writing_a_report_keeps_the_previous_report(coach_home: Path) -> None:
    _ctx, attempt = analysed_attempt(coach_home)
    before = attempt.report_path.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", KILL_DURING_REPORT, str(coach_home), attempt.id], cwd=REPO,
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == -9, proc.stderr
    assert attempt.report_path.read_bytes() == before
    assert "B-tree" in before.decode() or "b-tree" in before.decode().lower()
    assert find_attempt(coach_home, attempt.id).state == "analysed"
    with open_history(coach_home) as history:
        assert history.get(attempt.id)["state"] == "analysed"


# ----------------------------------------------------------------------------- 7. TUI + CLI


@pytest.mark.slow
async def test_the_app_and_coach_analyze_at_once_both_keep_their_attempts(
    coach_home: Path, speak, transcriber, tmp_path: Path
) -> None:
    """``coach analyze`` (4 files) runs in another process while the app records and
    analyses an answer in the same home; the app starts once the CLI is mid-way."""
    from tests.test_tui_flow import SIZE, file_recorder, make_ctx, reviewing, wait_for

    answer = speak("tui-short", ["A short answer about caching."])
    clip = speak("faults-clip", [CLIP_TEXT])
    copies = []
    for i in range(4):
        copy = tmp_path / f"cli answer {i}.wav"
        copy.write_bytes(clip.read_bytes())
        copies.append(str(copy))
    cli = subprocess.Popen(
        [sys.executable, "-m", "coach", "analyze", *copies, "--json"], cwd=REPO,
        env={**os.environ, "COACH_HOME": str(coach_home)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )
    try:
        from coach.tui.app import CoachApp
        from coach.tui.dialogs.self_rating import SelfRatingDialog

        app = CoachApp(make_ctx(coach_home), start_prompt="caching-strategies",
                       recorder_factory=file_recorder(answer),
                       transcriber_factory=lambda ctx: transcriber)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: len(iter_attempts(coach_home)) >= 1, 120)
            practice = app.screen
            await pilot.press("space")  # skip the preparation: recording
            await wait_for(pilot, lambda: practice.recorder.done.is_set())
            await pilot.press("space")  # stop: processing, then the self-rating question
            await wait_for(pilot, lambda: isinstance(app.screen, SelfRatingDialog))
            await pilot.press("s")  # skip the self-rating: the review
            await wait_for(pilot, lambda: reviewing(app))
            app_attempt = app.screen.attempt
        out, err = cli.communicate(timeout=600)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
    assert cli.returncode == 0, err
    cli_ids = [item["attempt"] for item in json.loads(out)]
    assert len(set(cli_ids)) == 4 and app_attempt.id not in cli_ids
    with open_history(coach_home) as history:
        rows = {row["id"]: row for row in history.list_attempts()}
    assert set(rows) == {app_attempt.id, *cli_ids}
    assert {row["state"] for row in rows.values()} == {"analysed"}
    assert rows[app_attempt.id]["prompt_id"] == "caching-strategies"
    for attempt in iter_attempts(coach_home):
        assert attempt.state == "analysed"
        assert attempt.recording_path.stat().st_size > 44
        assert attempt.report_path.is_file() and attempt.analysis_path.is_file()
    conn = sqlite3.connect(database_path(coach_home))
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        conn.close()


# ----------------------------------------------------------------------------- 8. corrupt DB


def corrupt_home(home: Path, count: int = 3) -> list:
    with open_history(home) as history:
        made = [make_attempt(home, history=history, score=50 + i) for i in range(count)]
    db = database_path(home)
    data = bytearray(db.read_bytes())
    data[:100] = b"\xde\xad" * 50  # the header page is garbage: not even recognisably SQLite
    db.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return made


def test_corrupt_database_every_command_starts_and_says_so_then_rebuild(
    coach_home: Path,
) -> None:
    made = corrupt_home(coach_home)
    listed = run_coach("prompts", "list", home=coach_home, timeout=120)
    assert listed.returncode == 0 and "btree-vs-hash" in listed.stdout  # no DB needed
    for command in (["history"], ["due"], ["progress"], ["export", "--json"],
                    ["rate", made[0].id, "good"]):
        result = run_coach(*command, home=coach_home, timeout=120)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("coach: error:"), (command, lines)
        assert "damaged" in lines[0] and "coach history --rebuild" in lines[0], lines[0]
    for attempt in made:  # the folders, the source of truth, are untouched
        assert find_attempt(coach_home, attempt.id).state == "analysed"
    rebuilt = run_coach("history", "--rebuild", home=coach_home, timeout=120)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "3 attempt(s)" in rebuilt.stdout and "moved aside" in rebuilt.stdout
    [kept] = coach_home.glob("coach.db.corrupt-*")
    assert kept.read_bytes()[:4] == b"\xde\xad\xde\xad"  # the damaged file is kept, not deleted
    after = run_coach("history", "--json", home=coach_home, timeout=120)
    assert {r["id"] for r in json.loads(after.stdout)} == {a.id for a in made}
    assert run_coach("due", home=coach_home, timeout=120).returncode == 0


async def open_app_on(home: Path):
    from coach.tui.app import CoachApp
    from coach.tui.screens.home import HomeScreen

    app = CoachApp(context(home), transcriber_factory=lambda ctx: None,
                   preflight=lambda ctx: None)
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(30):  # let the home screen's background history lookup finish
            await pilot.pause(0.1)
        assert isinstance(app.screen, HomeScreen)
        shown = [p.id for p in app.screen.shown]
        notes = [str(n.message) for n in app._notifications]
    return shown, notes


async def test_app_starts_with_a_corrupt_or_missing_database(coach_home: Path) -> None:
    corrupt_home(coach_home)
    shown, _notes = await open_app_on(coach_home)
    assert "btree-vs-hash" in shown and len(shown) >= 50
    database_path(coach_home).unlink()
    shown, _notes = await open_app_on(coach_home)
    assert "btree-vs-hash" in shown and len(shown) >= 50


async def test_app_says_the_database_is_damaged(coach_home: Path) -> None:
    corrupt_home(coach_home)
    _shown, notes = await open_app_on(coach_home)
    assert any("coach history --rebuild" in note for note in notes), notes


# ----------------------------------------------------------------------------- security


def modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}


@pytest.mark.slow
def test_recordings_and_reports_are_user_only(speak, tmp_path: Path) -> None:
    """Run with a permissive umask (022) so only the coach's own modes count."""
    clip = speak("faults-clip", [CLIP_TEXT])
    home = tmp_path / "home"
    umask = lambda: os.umask(0o022)  # noqa: E731
    imported = run_coach("analyze", str(clip), "--json", home=home, preexec_fn=umask)
    assert imported.returncode == 0, imported.stderr
    recorded = run_coach("record", "--file", str(clip), "--fast", "--seconds", "10", "--json",
                         home=home, preexec_fn=umask)
    assert recorded.returncode == 0, recorded.stderr
    attempts = iter_attempts(home)
    assert sorted(a.source for a in attempts) == ["import", "recording"]
    for attempt in attempts:
        assert stat.S_IMODE(attempt.path.stat().st_mode) == 0o700, attempt.id
        files = modes(attempt.path)
        assert {"attempt.json", "analysis.json", "report.html"} <= set(files)
        assert attempt.recording_path.name in files
        assert files == dict.fromkeys(files, 0o600), (attempt.source, files)
    assert stat.S_IMODE(database_path(home).stat().st_mode) == 0o600
