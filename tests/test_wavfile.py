"""The WAV writer keeps a readable file at every moment; repair fixes any cut-off WAV."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile

from coach.audio.wavfile import HEADER_EVERY_S, WavWriter, repair_wav
from coach.errors import CoachError
from tests.support.audio import pyav_samples


def tone(seconds: float, rate: int = 16000, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * freq * t) * 12000).astype(np.int16)


def read_wave(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()


def test_written_file_matches_what_was_written(tmp_path: Path) -> None:
    audio = tone(1.3)
    path = tmp_path / "take.wav"
    with WavWriter(path, 16000) as writer:
        for start in range(0, len(audio), 800):
            writer.write(audio[start : start + 800])
    samples, rate = read_wave(path)
    assert rate == 16000
    np.testing.assert_array_equal(samples, audio)
    data, sf_rate = soundfile.read(str(path), dtype="int16")
    assert sf_rate == 16000
    np.testing.assert_array_equal(data, audio)
    assert path.stat().st_mode & 0o077 == 0  # a recording of the user is theirs only


def test_float_blocks_and_stereo_are_stored_as_16_bit(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    block = np.stack([np.full(100, 0.5, np.float32), np.full(100, -0.25, np.float32)], axis=1)
    with WavWriter(path, 8000, channels=2) as writer:
        writer.write(block)
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (2, 8000, 100)
        frames = np.frombuffer(w.readframes(100), np.int16).reshape(-1, 2)
    assert frames[0].tolist() == [16383, -8191]


def test_header_is_valid_while_the_file_is_still_open(tmp_path: Path) -> None:
    """A copy taken mid-recording (what a crash leaves) is readable without any repair."""
    path = tmp_path / "open.wav"
    audio = tone(2.0)
    writer = WavWriter(path, 16000)
    writer.write(audio[:16000])
    time.sleep(HEADER_EVERY_S + 0.05)
    writer.write(audio[16000:])  # the header is rewritten on this write
    snapshot = tmp_path / "snapshot.wav"
    shutil.copyfile(path, snapshot)
    samples, _ = read_wave(snapshot)
    np.testing.assert_array_equal(samples, audio)
    writer.close()


def test_header_keeps_up_with_a_burst_of_audio(tmp_path: Path) -> None:
    """A writer catching up on a backlog writes seconds of audio in milliseconds: the header a
    kill would leave still covers all but the last half second of it."""
    path = tmp_path / "burst.wav"
    audio = tone(3.0)
    writer = WavWriter(path, 16000)
    for start in range(0, len(audio), 800):
        writer.write(audio[start : start + 800])
        with wave.open(str(path)) as w:  # what a SIGKILL right now would leave
            assert writer.frames - w.getnframes() <= HEADER_EVERY_S * 16000
    writer.close()


def header_only_then_data(path: Path, audio: np.ndarray, rate: int = 16000) -> None:
    """What soundfile leaves when killed: a header claiming 0 bytes, then the audio."""
    header = (
        b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data" + struct.pack("<I", 0)
    )
    path.write_bytes(header + audio.tobytes())


def test_repair_of_a_zero_size_header(tmp_path: Path) -> None:
    path = tmp_path / "killed.wav"
    audio = tone(1.5)
    header_only_then_data(path, audio)
    with wave.open(str(path)) as w:
        assert w.getnframes() == 0  # the broken header hides the audio from wave
    assert repair_wav(path) == pytest.approx(1.5)
    samples, _ = read_wave(path)
    np.testing.assert_array_equal(samples, audio)
    assert soundfile.info(str(path)).frames == len(audio)
    assert pyav_samples(path) == len(audio)


def test_repair_trims_a_half_written_frame_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "cut.wav"
    audio = tone(0.5)
    header_only_then_data(path, audio)
    with open(path, "ab") as handle:
        handle.write(b"\x01")  # the kill landed in the middle of a sample
    first = repair_wav(path)
    size = path.stat().st_size
    assert repair_wav(path) == first == pytest.approx(0.5)
    assert path.stat().st_size == size == 44 + len(audio) * 2
    np.testing.assert_array_equal(read_wave(path)[0], audio)


def test_repair_of_a_header_with_no_audio_gives_zero_seconds(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    WavWriter(path, 16000).close()
    assert repair_wav(path) == 0.0
    assert read_wave(path)[0].size == 0


@pytest.mark.parametrize("content", [b"", b"hello, this is not audio at all" * 10])
def test_repair_refuses_what_is_not_a_wav(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.wav"
    path.write_bytes(content)
    with pytest.raises(CoachError, match="cannot repair"):
        repair_wav(path)
    assert path.read_bytes() == content  # never damaged further


def test_file_size_limit_keeps_a_readable_file(tmp_path: Path) -> None:
    """Disk full (simulated with RLIMIT_FSIZE): an OSError, and whole frames that read back."""
    path = tmp_path / "full.wav"
    script = f"""
import resource, numpy as np
resource.setrlimit(resource.RLIMIT_FSIZE, (40_001, 40_001))
from coach.audio.wavfile import WavWriter
w = WavWriter({str(path)!r}, 16000)
try:
    for i in range(100):
        w.write((np.arange(1601) % 200).astype(np.int16))
except OSError as exc:
    print("refused", exc.errno, w.frames)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("refused"), out.stderr
    frames = int(out.stdout.split()[-1])
    samples, _ = read_wave(path)
    assert len(samples) == frames == (40_000 - 44) // 2
    expected = np.tile((np.arange(1601) % 200).astype(np.int16), 20)[:frames]
    np.testing.assert_array_equal(samples, expected)
