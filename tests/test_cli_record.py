"""``coach record`` and ``coach replay`` run as a user runs them: the real binary, real audio."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest

from coach.audio.wavfile import WavWriter
from coach.core.attempts import find_attempt, iter_attempts, new_attempt
from tests.support import audio
from tests.support.audio import (
    COACH,
    dead_pid,
    played_offset,
    read_wave,
    recorded_s,
    recording_of,
    to_16k,
    wait_for,
)
from tests.support.audio import run_coach as coach

answer_fixture = audio.answer_fixture
long_answer_fixture = audio.long_answer_fixture


@pytest.fixture(scope="module")
def spoken_answer(speak, tmp_path_factory: pytest.TempPathFactory) -> Path:
    wav = speak("cli-answer", ["Um, I would pick a B-tree index because it keeps keys in "
                               "sorted order, so range scans are cheap.", 0.8])
    return to_16k(wav, tmp_path_factory.mktemp("cli") / "answer16k.wav")


@pytest.mark.slow
def test_record_from_the_microphone_then_analyse(spoken_answer: Path,
                                                 coach_home: Path) -> None:
    """End to end: fake-mic plays a spoken answer into PortAudio; the real model transcribes."""
    result = coach("record", "--prompt", "btree-vs-hash", "--seconds", "7", "--json",
                   mic=spoken_answer)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["state"] == "analysed" and data["prompt_id"] == "btree-vs-hash"
    assert data["recording"] == {"seconds": 7.0, "dropped_blocks": 0, "problems": []}
    text = data["transcript"].lower()
    assert "b-tree" in text or "b tree" in text or "btree" in text
    assert "range" in text and "sorted" in text
    attempt = find_attempt(coach_home, data["attempt"])
    assert attempt.state == "analysed" and attempt.recording_s == 7.0
    assert attempt.report_path.is_file() and attempt.analysis_path.is_file()
    recorded = read_wave(attempt.recording_path)
    assert np.abs(recorded).max() > 3000  # real speech on disk, not silence


@pytest.mark.slow
def test_record_from_a_file_prints_a_summary(answer: Path, coach_home: Path) -> None:
    result = coach("record", "--file", str(answer), "--seconds", "3", "--fast")
    assert result.returncode == 0, result.stderr
    assert "score" in result.stdout and "report" in result.stdout
    [attempt] = iter_attempts(coach_home)
    assert attempt.state == "analysed" and attempt.recording_s == 3.0
    assert attempt.extra["pid"] != os.getpid()
    np.testing.assert_array_equal(read_wave(attempt.recording_path), read_wave(answer)[:48000])


def test_record_without_a_microphone_is_a_one_line_error(coach_home: Path,
                                                         tmp_path: Path) -> None:
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("libportaudio2 is not installed")
    result = coach("record", "--seconds", "2", env={"HOME": str(tmp_path)})
    if result.returncode == 0:
        pytest.skip("this machine has a real microphone")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("coach: error: no microphone found")
    assert "Traceback" not in result.stderr
    assert iter_attempts(coach_home) == []  # no empty attempt left behind


def test_record_an_unknown_prompt_is_refused(coach_home: Path, answer: Path) -> None:
    result = coach("record", "--prompt", "no-such-prompt", "--file", str(answer))
    assert result.returncode == 1 and "unknown prompt id 'no-such-prompt'" in result.stderr
    assert iter_attempts(coach_home) == []


def interrupted_take(home: Path, audio: np.ndarray) -> str:
    """An attempt left "recording" by a process that died, with a header claiming 0 bytes."""
    attempt = new_attempt(home, None, state="recording", extra={"pid": dead_pid()})
    WavWriter(attempt.recording_path, 16000).close()
    with open(attempt.recording_path, "ab") as handle:
        handle.write(audio.tobytes())
    return attempt.id


@pytest.mark.slow
def test_replay_plays_the_attempt_and_recovers_interrupted_takes_first(
    answer: Path, coach_home: Path, tmp_path: Path
) -> None:
    audio = read_wave(answer)
    attempt_id = interrupted_take(coach_home, audio)
    played = tmp_path / "played.raw"
    result = coach("replay", attempt_id, "--start", "1", mic=answer,
                   env={"FAKE_MIC_PLAYED": str(played)})
    assert result.returncode == 0, result.stderr
    assert f"recovered an interrupted recording: attempt {attempt_id}" in result.stderr
    assert find_attempt(coach_home, attempt_id).state == "recovered"
    expected = audio[16000:]
    samples = np.fromfile(played, np.int16)
    offset = played_offset(samples, expected)
    np.testing.assert_array_equal(samples[offset : offset + len(expected)], expected)


def test_replay_of_an_unknown_attempt_is_a_one_line_error(coach_home: Path) -> None:
    result = coach("replay", "20990101-000000-nothing")
    assert result.returncode == 1
    assert "coach: error: no attempt '20990101-000000-nothing'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_ctrl_c_stops_the_take_early_and_keeps_it(long_answer: Path, coach_home: Path) -> None:
    """Ctrl-C mid-take keeps what was said and goes on to the analysis.

    The take is a ~50 s real-time file, so it is still recording however late (on a loaded
    machine) the signal arrives; the signal is sent only once 1.5 s of audio is on disk, which
    also means the recording loop (and its Ctrl-C handling) is running."""
    # (a test run started in the background of a script inherits SIGINT ignored, and Python
    # then keeps ignoring it: give the take the default a terminal would)
    proc = subprocess.Popen([*COACH, "record", "--file", str(long_answer), "--seconds", "60",
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wav = wait_for(lambda: recording_of(coach_home) or proc.poll() is not None)
        assert proc.poll() is None, proc.communicate()[1]
        wait_for(lambda: recorded_s(wav) >= 1.5 or proc.poll() is not None)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    data = json.loads(out)
    assert data["state"] == "analysed"
    total_s = len(read_wave(long_answer)) / 16000
    assert 1.5 <= data["recording"]["seconds"] < total_s  # stopped early
    kept = read_wave(find_attempt(coach_home, data["attempt"]).recording_path)
    assert len(kept) / 16000 == data["recording"]["seconds"]
    np.testing.assert_array_equal(kept, read_wave(long_answer)[: len(kept)])
