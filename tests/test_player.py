"""Replay plays exactly what was recorded, from where the user asks; prompts can be read aloud.

The output path is real: PortAudio -> ALSA -> fake-mic, which writes whatever is played to
$FAKE_MIC_PLAYED as raw 16-bit samples.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from coach.audio import speak as speech
from coach.audio.player import Player
from coach.audio.wavfile import WavWriter
from coach.errors import CoachError
from tests.support import audio
from tests.support.audio import played_offset, read_wave, run_python

answer_fixture = audio.answer_fixture
pulse_fixture = audio.pulse_fixture


def test_seek_and_position_stay_inside_the_recording(answer: Path) -> None:
    positions: list[float] = []
    player = Player(answer, on_position=positions.append)
    seconds = len(read_wave(answer)) / 16000
    assert player.duration_s == pytest.approx(seconds)
    assert player.position_s == 0.0 and not player.playing
    player.seek(1.25)
    assert player.position_s == 1.25
    player.seek(-3)
    assert player.position_s == 0.0
    player.seek(seconds + 10)
    assert player.position_s == pytest.approx(seconds)
    assert positions == [1.25, 0.0, pytest.approx(seconds)]


def test_a_header_only_recording_has_zero_duration(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    WavWriter(path, 16000).close()
    assert Player(path).duration_s == 0.0


def test_an_imported_flac_is_decoded_for_replay(speak, tmp_path: Path) -> None:
    if shutil.which("sox") is None:
        pytest.skip("sox is not installed")
    wav = speak("player-flac", "Replay works for imported files too.")
    flac = tmp_path / "imported.flac"
    subprocess.run(["sox", str(wav), str(flac)], check=True)
    with wave.open(str(wav)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert Player(flac).duration_s == pytest.approx(seconds, abs=0.05)


def test_a_missing_recording_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CoachError, match="recording not found"):
        Player(tmp_path / "gone.wav")


def test_no_output_device_is_a_clear_error(answer: Path, tmp_path: Path) -> None:
    """A machine with no sound card: play() says what to do, not PortAudio's "device -1"."""
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("libportaudio2 is not installed")
    out = run_python(
        f"""
        from coach.audio.devices import list_output_devices
        from coach.audio.player import Player
        from coach.errors import CoachError
        if list_output_devices():
            print("HAS-DEVICES")
            raise SystemExit
        try:
            Player({str(answer)!r}).play()
        except CoachError as exc:
            print("play:", exc)
        """,
        env={"HOME": str(tmp_path)},
    )
    if "HAS-DEVICES" in out.stdout:
        pytest.skip("this machine has a real output device")
    assert out.stdout.startswith("play: no audio output device found: connect speakers")
    assert "device -1" not in out.stdout


def test_an_unknown_output_device_lists_the_available_ones(answer: Path) -> None:
    out = run_python(
        f"""
        from coach.audio.player import Player
        from coach.errors import CoachError
        try:
            Player({str(answer)!r}, device="no-such-speaker").play()
        except CoachError as exc:
            print("play:", exc)
        """,
        mic=answer,
    )
    assert out.stdout.startswith("play: cannot play through output device 'no-such-speaker'")
    assert "available outputs: 0: default" in out.stdout


@pytest.mark.slow
@pytest.mark.parametrize("start", [0.0, 1.0])
def test_replay_plays_the_recording_through_the_output_device(
    answer: Path, tmp_path: Path, start: float
) -> None:
    played_path = tmp_path / "played.raw"
    out = run_python(
        f"""
        from coach.audio.player import Player
        positions = []
        p = Player({str(answer)!r}, on_position=positions.append)
        p.seek({start})
        p.play()
        assert p.wait(120), "playback never finished"
        last = positions[-1]  # wait() returns only after the final report
        p.stop()
        assert positions[-1] == last  # and nothing is reported after stop()
        print("last position", last, "duration", p.duration_s)
        """,
        mic=answer, env={"FAKE_MIC_PLAYED": str(played_path)},
    )
    recording = read_wave(answer)[int(start * 16000) :]
    played = np.fromfile(played_path, np.int16)
    offset = played_offset(played, recording)
    np.testing.assert_array_equal(played[offset : offset + len(recording)], recording)
    assert not played[offset + len(recording) :].any()  # nothing played after the end
    last, duration = out.stdout.split()[2], out.stdout.split()[4]
    assert float(last) == pytest.approx(float(duration))


def test_speak_starts_without_waiting_and_can_be_stopped() -> None:
    if not speech.available():
        pytest.skip("no speech engine (espeak-ng or say)")
    long_text = "Tell me about a time you disagreed with your manager. " * 20
    proc = speech.speak(long_text)
    assert proc is not None and proc.poll() is None  # returned at once, still speaking
    speech.stop()
    assert proc.poll() is not None


def test_speak_reads_a_short_prompt_to_the_end() -> None:
    if not speech.available():
        pytest.skip("no speech engine (espeak-ng or say)")
    proc = speech.speak("-- Why would you pick a hash index?")
    assert proc is not None
    assert proc.wait(timeout=30) == 0


def test_speak_without_an_engine_returns_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    assert not speech.available()
    assert speech.speak("Design a rate limiter.") is None
    assert speech.speak("   ") is None


@pytest.mark.slow
def test_pause_seek_and_resume_on_a_real_time_output(pulse, answer: Path) -> None:
    """PulseAudio plays in real time (fake-mic does not), so pause and seek are observable."""
    env, _ = pulse
    out = run_python(
        f"""
        import json, time
        from coach.audio.player import Player
        def until(condition):
            deadline = time.monotonic() + 120
            while not condition() and time.monotonic() < deadline:
                time.sleep(0.02)
        p = Player({str(answer)!r}, device="pulse")
        p.play()
        until(lambda: p.position_s > 0)
        p.pause()
        paused_at = p.position_s
        time.sleep(0.4)  # a paused output must not move, however long we look
        still = p.position_s
        p.seek(2.0)
        p.play()
        started = p.position_s
        until(lambda: p.position_s > 2.0)
        resumed = p.position_s
        finished = p.wait(120)
        print(json.dumps([p.duration_s, paused_at, still, started, resumed, finished,
                          p.position_s]))
        p.stop()
        """,
        env=env,
    )
    duration, paused_at, still, started, resumed, finished, end = json.loads(
        out.stdout.strip().splitlines()[-1])
    assert 0 < paused_at < duration and still == paused_at  # paused: the position holds
    assert started >= 2.0  # resumed from the seek target, not from the pause point
    assert 2.0 < resumed <= duration  # and moving again
    assert finished and end == pytest.approx(duration)
