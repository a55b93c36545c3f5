"""Issue 8: one coach home goes through every fault in turn, and no attempt is lost.

The scenario, all through the real command line against ONE home:
 1. two normal answers (``coach analyze``);
 2. ``coach record --file`` SIGKILLed mid-take;
 3. ``coach analyze`` of two files with the disk full (RLIMIT_FSIZE 16 kB): the WAV cannot be
    copied whole, the MP3's report cannot be written;
 4. coach.db corrupted;
 5. a concurrent writer: ``coach analyze`` and ``coach record --file`` at the same moment;
 6. crashed report writes: a re-analysis SIGKILLed between writing and renaming its report,
    and a ``coach analyze`` SIGKILLed the same way on its first report;
 7. the next start: ``recover_interrupted`` (what ``coach``/``coach record`` run first) and
    ``coach history --rebuild``.
Every attempt started must then be on disk, in the rebuilt history, with a readable recording:
lost == 0. Earlier attempts must be byte-identical after the disk-full step.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coach.audio.decode import decode_audio
from coach.core.attempts import find_attempt
from coach.paths import database_path
from coach.recovery import recover_interrupted
from tests.support.audio import wait_for
from tests.test_bad_input import CLIP_TEXT, encode, read_mono, resample, run_coach
from tests.test_faults import KILL_DURING_REPORT

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent

# Loaded via PYTHONPATH in the process to crash: SIGKILL once the first report is fully
# written to its temp file, before the rename (the worst moment for the report).
KILL_ON_REPORT = textwrap.dedent("""
    import os, signal
    _real = os.fsync
    def _fsync(fd):
        if ".report.html." in os.readlink(f"/proc/self/fd/{fd}"):
            os.kill(os.getpid(), signal.SIGKILL)
        return _real(fd)
    os.fsync = _fsync
""")


def folders(home: Path) -> set[str]:
    root = home / "attempts"
    return {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def file_size_limit(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def coach_popen(*args: str, home: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "coach", *args], cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COACH_HOME": str(home), **(env or {})},
    )


def test_a_home_through_every_fault_loses_no_attempt(speak, tmp_path: Path) -> None:
    home = tmp_path / "coach home"
    clip = speak("faults-clip", [CLIP_TEXT])
    long_take = speak("faults-long", [CLIP_TEXT, 0.6] * 6)  # ~20 s: still recording at the kill
    samples, rate = read_mono(clip)
    small_mp3 = encode(tmp_path / "small.mp3", resample(samples, rate, 16000), 16000,
                       "libmp3lame", bit_rate=32000)
    started: dict[str, str] = {}  # attempt id -> the step that started it

    def step(name: str, expected: int) -> set[str]:
        new = folders(home) - set(started)
        assert len(new) == expected, (name, sorted(new))
        started.update(dict.fromkeys(new, name))
        return new

    # 1. two normal answers
    normal = run_coach("analyze", str(clip), str(small_mp3), "--json", home=home)
    assert normal.returncode == 0, normal.stderr
    earlier = step("normal", 2)
    before = {a: digest(home / "attempts" / a) for a in earlier}

    # 2. a take SIGKILLed while recording
    rec = coach_popen("record", "--file", str(long_take), "--seconds", "60", home=home)
    try:
        [new_folder] = wait_for(lambda: folders(home) - set(started))
        wav = home / "attempts" / new_folder / "recording.wav"
        wait_for(wav.is_file)
        wait_for(lambda: wav.stat().st_size >= 44 + 2 * 32000)
        os.kill(rec.pid, signal.SIGKILL)
    finally:
        rec.wait(timeout=60)
    assert rec.returncode == -signal.SIGKILL
    [killed] = step("SIGKILL mid-take", 1)

    # 3. the disk fills up during `coach analyze`
    full = subprocess.run(
        [sys.executable, "-m", "coach", "analyze", str(clip), str(small_mp3)], cwd=REPO,
        env={**os.environ, "COACH_HOME": str(home)}, capture_output=True, text=True,
        preexec_fn=file_size_limit(16_000), timeout=600,
    )
    assert full.returncode == 1, full.stderr
    assert "Traceback" not in full.stderr
    errors = [ln for ln in full.stderr.splitlines() if ln.startswith("coach: error:")]
    assert len(errors) == 2 and all("disk full" in ln for ln in errors), full.stderr
    for attempt_id in step("disk full", 2):
        assert find_attempt(home, attempt_id).state == "failed"
    assert {a: digest(home / "attempts" / a) for a in earlier} == before  # untouched
    conn = sqlite3.connect(database_path(home))
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()

    # 4. the database is corrupted
    db = database_path(home)
    db.write_bytes(b"\x00not a database\xff" * 4096)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)

    # 5. two writers at once on the damaged database
    writers = [
        coach_popen("analyze", str(clip), home=home),
        coach_popen("record", "--file", str(clip), "--fast", "--seconds", "10", home=home),
    ]
    outcomes = [w.communicate(timeout=600) for w in writers]
    for proc, (_out, err) in zip(writers, outcomes, strict=True):
        assert proc.returncode == 0, err
    assert "history not updated" in outcomes[0][1] and "--rebuild" in outcomes[0][1]
    step("concurrent writers", 2)

    # 6. crashed report writes: a re-analysis, and a first analysis
    victim = sorted(earlier)[0]
    report = home / "attempts" / victim / "report.html"
    old_report = report.read_bytes()
    crash = subprocess.run([sys.executable, "-c", KILL_DURING_REPORT, str(home), victim],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert crash.returncode == -signal.SIGKILL, crash.stderr
    assert report.read_bytes() == old_report
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(KILL_ON_REPORT)
    dying = coach_popen("analyze", str(clip), home=home,
                        env={"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])})
    dying.communicate(timeout=600)
    assert dying.returncode == -signal.SIGKILL
    step("crash writing the first report", 1)

    # 7. the next start
    recover_interrupted(home)
    rebuilt = run_coach("history", "--rebuild", home=home, timeout=120)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"{len(started)} attempt(s)" in rebuilt.stdout and "moved aside" in rebuilt.stdout
    listed = run_coach("history", "--json", home=home, timeout=120)
    rows = {row["id"]: row for row in json.loads(listed.stdout)}

    lost = []
    for attempt_id, where in started.items():
        folder = home / "attempts" / attempt_id
        attempt = find_attempt(home, attempt_id) if folder.is_dir() else None
        readable = False
        if attempt is not None and attempt.recording_path.is_file():
            readable = decode_audio(attempt.recording_path).size > 0
        if attempt is None or attempt_id not in rows or not readable:
            lost.append((attempt_id, where))
    assert lost == [], lost
    assert len(started) == 8
    assert find_attempt(home, killed).state == "recovered"
    assert rows[killed]["state"] == "recovered"
    assert find_attempt(home, killed).recording_s >= 2.0
    states = sorted(row["state"] for row in rows.values())
    print(f"\nattempts started {len(started)}, lost {len(lost)}; states {states}")
    conn = sqlite3.connect(database_path(home))
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()
