"""``coach doctor`` as a user runs it: each check's failure path, the line and the exit code.

Every test runs the real command line in a subprocess on a real home folder; the failures are
real too (a read-only file system, a file of garbage as the database, a model folder that does
not exist, a broken prompt file, a machine with no audio device), never a mocked check.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coach.core.history import MIGRATIONS, open_history
from coach.paths import database_path

REPO = Path(__file__).resolve().parent.parent
PACED_MIC = REPO.parent / "shared" / "tools" / "paced-mic"
FAST = ("--skip", "audio", "--skip", "voice", "--skip", "model")  # the checks of files only
# A private HOME and runtime folder: no ~/.asoundrc, no PulseAudio server to reach.
NO_AUDIO_SERVER = {"PULSE_SERVER": "unix:/nonexistent/pulse"}


@pytest.fixture(autouse=True)
def user_only(coach_home: Path) -> None:
    """The home as the coach creates it: user-only (it holds recordings of a voice)."""
    coach_home.chmod(0o700)


def doctor(*args: str, env: dict[str, str] | None = None,
           wrap: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    """``coach doctor ARGS`` (COACH_HOME comes from the ``coach_home`` fixture)."""
    return subprocess.run(
        [*(wrap or []), sys.executable, "-m", "coach", "doctor", *args], cwd=REPO,
        capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})},
    )


def line(result: subprocess.CompletedProcess[str], name: str) -> str:
    """The one line of check ``name``."""
    found = [ln for ln in result.stdout.splitlines() if ln[6:].startswith(f"{name} ")]
    assert len(found) == 1, result.stdout + result.stderr
    return found[0]


def test_a_fresh_home_is_ready_and_names_the_model_it_loaded(coach_home: Path) -> None:
    result = doctor("--skip", "audio", "--skip", "voice")
    assert result.returncode == 0, result.stdout + result.stderr
    assert line(result, "home").startswith(f"OK    home     {coach_home}: writable, user-only")
    assert line(result, "history").startswith("OK    history  no coach.db yet")
    assert line(result, "config") == "OK    config   no config.toml: defaults"
    model = line(result, "model")
    assert model.startswith("OK    model    default (tiny.en, bundled) at ")
    assert "loads in" in model
    assert line(result, "audio") == "SKIP  audio    not checked (--skip audio)"
    assert result.stdout.splitlines()[-1] == "Ready to practise. Not checked: audio, voice."
    assert not database_path(coach_home).exists()  # the doctor changes nothing


def test_a_missing_home_is_created_user_only(tmp_path: Path) -> None:
    home = tmp_path / "new" / "home"
    result = doctor(*FAST, env={"COACH_HOME": str(home)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert line(result, "home").startswith(f"OK    home     {home}: writable, user-only (mode 700)")


def test_a_home_other_users_can_read_is_a_warning(coach_home: Path) -> None:
    coach_home.chmod(0o755)
    result = doctor(*FAST)
    assert result.returncode == 0
    assert line(result, "home").startswith(
        f"WARN  home     {coach_home}: writable, open to other users (mode 755; it holds "
        "recordings of your voice)")
    assert line(result, "home").endswith(f"; fix: chmod 700 {coach_home}")


def test_only_the_probes_can_be_skipped(coach_home: Path) -> None:
    result = doctor("--skip", "history")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "coach: error: --skip history: only audio, voice, model can be left out")


def test_json_output_carries_every_check_and_the_verdict(coach_home: Path) -> None:
    result = doctor(*FAST, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ready"] is True and report["exit_code"] == 0
    assert [c["name"] for c in report["checks"]] == [
        "home", "history", "prompts", "stories", "config", "audio", "voice", "model"]
    prompts = next(c for c in report["checks"] if c["name"] == "prompts")
    assert prompts["status"] == "ok" and prompts["details"]["prompts"] > 0


def _read_only(home: Path) -> list[str]:
    """A command prefix under which ``home`` cannot be written, whoever runs the tests: a
    read-only bind mount for root (permissions do not stop root), else the folder's mode."""
    if os.geteuid() != 0:
        home.chmod(0o500)
        return []
    prefix = ["unshare", "-m", "sh", "-c",
              'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"',
              str(home)]
    if not shutil.which("unshare") or subprocess.run([*prefix, "true"]).returncode != 0:
        pytest.skip("running as root without the right to mount: cannot make a folder read-only")
    return prefix


def test_a_home_that_cannot_be_written_blocks_practice(coach_home: Path) -> None:
    wrap = _read_only(coach_home)
    try:
        result = doctor(*FAST, wrap=wrap)
    finally:
        coach_home.chmod(0o700)
    assert result.returncode == 1, result.stdout + result.stderr
    home = line(result, "home")
    assert home.startswith(f"FAIL  home     {coach_home} is not writable (")
    assert "answers cannot be saved; fix: " in home and "--home DIR" in home
    assert result.stdout.splitlines()[-1].startswith(
        "Not ready: 1 problem(s) block practice (home)")


def test_a_home_that_cannot_be_created_is_a_line_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = doctor(*FAST, env={"COACH_HOME": str(blocker / "home")})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert line(result, "home").startswith(
        f"FAIL  home     {blocker / 'home'} does not exist and cannot be created (")


def _small_disk(folder: Path, megabytes: int) -> list[str]:
    """A command prefix under which ``folder`` is a file system of ``megabytes`` (root only)."""
    prefix = ["unshare", "-m", "sh", "-c",
              f'mount -t tmpfs -o size={megabytes}m coach-test "$0" && exec "$@"', str(folder)]
    if os.geteuid() != 0 or not shutil.which("unshare") or \
            subprocess.run([*prefix, "true"]).returncode != 0:
        pytest.skip("needs root with the right to mount a small file system")
    return prefix


@pytest.mark.parametrize(("megabytes", "expected"), [
    (20, "FAIL  home     {home}: only 20 MB free, not enough for a few recorded answers; fix: "
         "free some disk space, or choose another home with --home DIR or COACH_HOME"),
    (200, "WARN  home     {home}: writable, user-only (mode 700), only 200 MB free (a few weeks "
          "of answers take 500 MB); fix: free some disk space"),
])
def test_a_nearly_full_disk(tmp_path: Path, megabytes: int, expected: str) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    home = disk / "home"
    result = doctor(*FAST, env={"COACH_HOME": str(home)}, wrap=_small_disk(disk, megabytes))
    assert line(result, "home") == expected.format(home=home)
    assert result.returncode == (1 if expected.startswith("FAIL") else 0)


def test_a_corrupt_database_file_blocks_practice_and_names_the_rebuild(coach_home: Path) -> None:
    database_path(coach_home).write_bytes(b"\x00garbage, not SQLite\xff" * 200)
    result = doctor(*FAST)
    assert result.returncode == 1
    assert line(result, "history") == (
        f"FAIL  history  {database_path(coach_home)} is damaged (file is not a database); "
        "fix: run 'coach history --rebuild' (it recreates it from the attempt folders; the bad "
        "file is kept aside)")


def test_damaged_pages_are_found_by_quick_check(coach_home: Path) -> None:
    path = database_path(coach_home)
    with open_history(coach_home) as history, history.write() as conn:
        conn.execute("CREATE TABLE filler (x TEXT)")
        conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 400)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    middle = len(data) // page // 2 * page  # a page of the filler table; the header intact
    data[middle:middle + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))
    result = doctor(*FAST)
    assert result.returncode == 1
    history = line(result, "history")
    assert history.startswith(f"FAIL  history  {path} is damaged (")
    assert "coach history --rebuild" in history


def test_a_database_from_a_newer_coach_says_upgrade(coach_home: Path) -> None:
    with sqlite3.connect(database_path(coach_home)) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    result = doctor(*FAST)
    assert result.returncode == 1
    assert line(result, "history").endswith("; fix: upgrade coach")


def test_a_healthy_database_reports_its_schema_and_attempts(coach_home: Path) -> None:
    open_history(coach_home).close()
    result = doctor(*FAST)
    assert result.returncode == 0, result.stdout
    assert line(result, "history") == (
        f"OK    history  coach.db: quick_check ok, schema {len(MIGRATIONS)} (current), "
        "0 attempt(s)")


def test_a_missing_model_folder_blocks_practice(coach_home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    (coach_home / "config.toml").write_text(f'model = "{missing}"\n')
    result = doctor("--skip", "audio", "--skip", "voice")
    assert result.returncode == 1
    assert line(result, "model") == (
        f"FAIL  model    model folder not found: {missing}; fix: set model in config.toml (or "
        "pass --model) to 'default', a model name such as base.en, or a complete CTranslate2 "
        "model folder")


def test_an_incomplete_model_folder_given_with_model_is_named(coach_home: Path,
                                                              tmp_path: Path) -> None:
    folder = tmp_path / "half-copied"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    result = doctor("--skip", "audio", "--skip", "voice", "--model", str(folder))
    assert result.returncode == 1
    assert line(result, "model").startswith(
        f"FAIL  model    model folder {folder} is incomplete: model.bin, tokenizer.json")


def test_a_named_model_not_downloaded_yet_is_a_warning(
        coach_home: Path, tmp_path: Path) -> None:
    cache = tmp_path / "empty-hf-cache"
    env = {"HF_HOME": str(cache), "HF_HUB_OFFLINE": "1"}
    result = doctor("--skip", "audio", "--skip", "voice", "--model", "small.en", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert line(result, "model") == (
        "WARN  model    small.en is not downloaded yet: the first analysis downloads it, which "
        "needs internet once; fix: analyse any recording once while online, or use the bundled "
        'model (model = "default")')
    assert not any(cache.rglob("*.bin"))


def test_a_broken_prompt_file_of_the_user_is_a_warning_naming_it(coach_home: Path) -> None:
    folder = coach_home / "prompts"
    folder.mkdir()
    bad = folder / "half-written.md"
    bad.write_text("---\nid: half-written\ntitle: Half written\n---\nWhat would you do?\n")
    result = doctor(*FAST)
    assert result.returncode == 0, result.stdout  # the app skips it; everything else works
    prompts = line(result, "prompts")
    assert prompts.startswith("WARN  prompts  ")
    assert f"1 file(s) skipped, first: {bad}: " in prompts
    assert prompts.endswith("; fix: edit the file; 'coach prompts check' lists every problem")
    assert "Ready to practise, with 1 warning(s) (prompts)." in result.stdout


def test_a_prompt_folder_in_the_config_that_does_not_exist_is_a_warning(
        coach_home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "my-prompts"
    (coach_home / "config.toml").write_text(f'prompts_dir = "{missing}"\n')
    result = doctor(*FAST)
    assert result.returncode == 0
    assert line(result, "prompts").endswith(
        f"; prompt folder {missing} does not exist; fix: fix prompts_dir in config.toml, "
        "$COACH_PROMPTS or --prompts-dir")


def test_stories_are_counted(coach_home: Path) -> None:
    stories = coach_home / "stories"
    stories.mkdir()
    for name in ("outage.md", "migration.md"):
        (stories / name).write_text("# a story\n")
    result = doctor(*FAST)
    assert line(result, "stories") == f"OK    stories  2 story file(s) in {stories}"


def test_config_warnings_name_the_file_once(coach_home: Path) -> None:
    config = coach_home / "config.toml"
    config.write_text('colour = "blue"\nwpm_low = "fast"\n')
    result = doctor(*FAST)
    assert result.returncode == 0
    text = line(result, "config")
    assert text == (
        f"WARN  config   {config}: unknown field 'colour' ignored; field 'wpm_low': expected a "
        "positive number; fix: edit the file (each bad field uses its default meanwhile)")
    assert text.count(str(config)) == 1
    assert "coach: warning" not in result.stderr  # said on the line, not twice


def test_no_audio_device_blocks_practice_and_says_what_still_works(tmp_path: Path,
                                                                    coach_home: Path) -> None:
    env = {**NO_AUDIO_SERVER, "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path)}
    result = doctor("--skip", "model", env=env)
    audio = line(result, "audio")
    if audio.startswith("OK"):
        pytest.skip(f"this machine has a microphone of its own: {audio}")
    if "PortAudio library not found" in audio:
        pytest.skip("libportaudio2 is not installed here")
    assert result.returncode == 1
    assert audio.startswith("FAIL  audio    PortAudio V")
    assert "inputs: none; no microphone found: connect one" in audio
    assert "you can still analyse a recording file with 'coach analyze'" in audio
    assert "Not ready: 1 problem(s) block practice (audio)" in result.stdout
    if shutil.which("espeak-ng"):
        assert line(result, "voice").startswith("WARN  voice    eSpeak NG")
        assert "but no audio output device: prompts read aloud and replays are silent" in \
            line(result, "voice")


@pytest.fixture
def pulse_microphone(tmp_path: Path):
    """A PulseAudio server with a virtual microphone (../shared/tools/paced-mic)."""
    if not PACED_MIC.is_file() or not shutil.which("pulseaudio"):
        pytest.skip("needs pulseaudio and ../shared/tools/paced-mic")
    folder = tmp_path / "pulse"
    folder.mkdir()
    up = subprocess.run([str(PACED_MIC), "up", str(folder)], capture_output=True, text=True)
    if up.returncode != 0:
        pytest.skip(f"PulseAudio did not start: {up.stderr.strip()}")
    yield {"HOME": str(folder), "XDG_RUNTIME_DIR": str(folder / "run")}
    subprocess.run([str(PACED_MIC), "down", str(folder)], capture_output=True)


def test_a_microphone_is_named_as_the_app_will_use_it(pulse_microphone, coach_home: Path) -> None:
    result = doctor("--skip", "model", env=pulse_microphone)
    audio = line(result, "audio")
    assert audio.startswith("OK    audio    PortAudio V"), result.stdout
    assert "pulse" in audio and audio.endswith("recording from: default input")
    if shutil.which("espeak-ng"):
        assert line(result, "voice").startswith("OK    voice    eSpeak NG")
        assert line(result, "voice").endswith("; plays through: default")
    assert result.returncode == 0, result.stdout


def test_a_saved_microphone_that_is_gone_is_a_warning(pulse_microphone, coach_home: Path) -> None:
    (coach_home / "config.toml").write_text('input_device = "USB Yeti"\n')
    result = doctor("--skip", "model", env=pulse_microphone)
    audio = line(result, "audio")
    assert audio.startswith("WARN  audio    saved microphone 'USB Yeti' cannot be used (")
    assert "the app records from the default input instead; fix: choose a microphone" in audio
    assert result.returncode == 0
