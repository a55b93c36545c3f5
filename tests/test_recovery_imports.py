"""A `coach analyze` killed mid-analysis is noticed at the next start, not left "analysing"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coach.core.attempts import load_attempt, new_attempt
from coach.recovery import recover_interrupted


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_import_whose_analysis_died_is_marked_interrupted_and_keeps_its_copy(
    coach_home: Path,
) -> None:
    attempt = new_attempt(
        coach_home, "btree-vs-hash", state="analysing", source="import",
        recording="recording.flac", extra={"pid": dead_pid()},
    )
    attempt.recording_path.write_bytes(b"fLaC-not-touched")
    changed = recover_interrupted(coach_home)
    assert [a.id for a in changed] == [attempt.id]
    after = load_attempt(attempt.path)
    assert after.state == "interrupted"
    assert f"run 'coach analyze {attempt.id}'" in (after.error or "")  # what the app shows
    assert attempt.recording_path.read_bytes() == b"fLaC-not-touched"


def test_import_being_analysed_by_a_live_process_is_left_alone(coach_home: Path) -> None:
    import os

    attempt = new_attempt(
        coach_home, None, state="analysing", source="import",
        recording="recording.wav", extra={"pid": os.getpid()},
    )
    assert recover_interrupted(coach_home) == []
    assert load_attempt(attempt.path).state == "analysing"


def test_temp_files_of_a_dead_write_are_cleaned_but_fresh_ones_kept(coach_home: Path) -> None:
    import os
    import time

    attempt = new_attempt(coach_home, None, state="analysed")
    stale = attempt.path / ".report.html.abc123.tmp"
    fresh = attempt.path / ".analysis.json.def456.tmp"
    stale.write_text("half a report")
    fresh.write_text("a write under way")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    recover_interrupted(coach_home)
    assert not stale.exists() and fresh.exists()
    assert (attempt.path / "attempt.json").is_file()
