"""Decoding any audio file to 16 kHz mono, clear errors for bad files, and where the speech is."""

from __future__ import annotations

import itertools
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from coach.audio import decode as decode_mod
from coach.audio.decode import SAMPLE_RATE, decode_audio
from coach.errors import CoachError
from coach.transcribe.chunking import speech_regions_of
from tests.support.encode import encode, write_wav

# ----------------------------------------------------------------------------- helpers


def tone(rate: int, seconds: float, freq: float = 440.0, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)




def dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.argmax(spectrum) * SAMPLE_RATE / samples.size)


# ----------------------------------------------------------------------------- formats

FORMATS = [
    ("wav", "pcm_s16le"),
    ("flac", "flac"),
    ("mp3", "libmp3lame"),
    ("m4a", "aac"),
]


@pytest.mark.parametrize("ext,codec", FORMATS)
@pytest.mark.parametrize("rate", [8000, 16000, 44100, 48000])
@pytest.mark.parametrize("channels", [1, 2])
def test_every_format_rate_and_layout_decodes_to_16k_mono(
    tmp_path: Path, ext: str, codec: str, rate: int, channels: int
) -> None:
    if ext == "mp3" and rate == 8000:
        rate = 11025  # mp3 has no 8 kHz mode with LAME's defaults; nearest low rate
    signal = tone(rate, 2.0)
    data = np.stack([signal] * channels, axis=1)
    path = encode(tmp_path / f"t.{ext}", data, rate, codec)
    samples = decode_audio(path)
    assert samples.dtype == np.float32 and samples.ndim == 1
    # AAC and MP3 add an encoder delay and pad the last frame (up to ~0.2 s at 8 kHz).
    assert abs(samples.size / SAMPLE_RATE - 2.0) < 0.25
    assert abs(dominant_hz(samples) - 440.0) < 5.0  # resampled, not sped up or slowed down
    # Stereo is averaged, not summed or panned: the level (RMS of a 0.3 sine: 0.21) is kept.
    middle = samples[SAMPLE_RATE // 2 : SAMPLE_RATE * 3 // 2]
    assert 0.19 < float(np.sqrt(np.mean(middle**2))) < 0.235


@pytest.mark.skipif(shutil.which("sox") is None, reason="sox not installed")
@pytest.mark.parametrize("rate,channels", [(22050, 1), (48000, 2)])
def test_ogg_vorbis_decodes(tmp_path: Path, rate: int, channels: int) -> None:
    path = tmp_path / "t.ogg"
    subprocess.run(
        ["sox", "-n", "-r", str(rate), "-c", str(channels), str(path), "synth", "1.5",
         "sine", "440", "vol", "0.3"],
        check=True, capture_output=True,
    )
    samples = decode_audio(path)
    assert abs(samples.size / SAMPLE_RATE - 1.5) < 0.1
    assert abs(dominant_hz(samples) - 440.0) < 5.0


def test_stereo_with_one_silent_channel_keeps_the_other(tmp_path: Path) -> None:
    left = tone(44100, 1.0, amp=0.5)
    path = write_wav(tmp_path / "s.wav", np.stack([left, np.zeros_like(left)], axis=1), 44100)
    samples = decode_audio(path)
    assert 0.2 < float(np.max(np.abs(samples))) < 0.3  # the mean of the two channels


def test_real_recordings_decode(shared_audio: Path) -> None:
    jfk = decode_audio(shared_audio / "jfk.flac")  # 44.1 kHz stereo FLAC
    assert abs(jfk.size / SAMPLE_RATE - 11.0) < 0.05
    sample = decode_audio(shared_audio / "disfluent_sample.wav")
    assert abs(sample.size / SAMPLE_RATE - 13.14) < 0.05


# ----------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CoachError, match="audio file not found"):
        decode_audio(tmp_path / "nope.wav")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").touch()
    with pytest.raises(CoachError, match=r"empty \(0 bytes\)"):
        decode_audio(tmp_path / "empty.wav")


def test_text_renamed_to_wav(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("These are my interview notes, not audio.\n" * 20)
    with pytest.raises(CoachError, match="not an audio file") as exc:
        decode_audio(path)
    assert "\n" not in str(exc.value)


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(CoachError, match="folder"):
        decode_audio(tmp_path)


def test_header_only_wav(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "h.wav", np.zeros(0, np.float32), 16000)
    with pytest.raises(CoachError, match="no audio could be decoded"):
        decode_audio(path)


def test_truncated_wav_keeps_what_is_there(tmp_path: Path) -> None:
    full = write_wav(tmp_path / "full.wav", tone(16000, 4.0), 16000)
    cut = tmp_path / "cut.wav"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])  # header still says 4 s
    samples = decode_audio(cut)
    assert abs(samples.size / SAMPLE_RATE - 2.0) < 0.1


def test_wav_killed_before_its_header_was_updated(tmp_path: Path) -> None:
    """A recorder killed mid-way leaves RIFF/data sizes of 0: the audio is still there."""
    path = write_wav(tmp_path / "killed.wav", tone(16000, 3.0), 16000)
    raw = bytearray(path.read_bytes())
    raw[4:8] = struct.pack("<I", 36)
    data_at = raw.find(b"data")
    raw[data_at + 4 : data_at + 8] = struct.pack("<I", 0)
    path.write_bytes(bytes(raw))
    samples = decode_audio(path)
    assert abs(samples.size / SAMPLE_RATE - 3.0) < 0.1


def test_truncated_mp3_keeps_what_is_there(tmp_path: Path) -> None:
    full = encode(tmp_path / "full.mp3", tone(44100, 4.0), 44100, "libmp3lame")
    cut = tmp_path / "cut.mp3"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    samples = decode_audio(cut)
    assert 1.5 < samples.size / SAMPLE_RATE < 2.5


def test_flac_cut_inside_its_header(tmp_path: Path) -> None:
    full = encode(tmp_path / "full.flac", tone(16000, 2.0), 16000, "flac")
    cut = tmp_path / "cut.flac"
    cut.write_bytes(full.read_bytes()[:60])
    with pytest.raises(CoachError):
        decode_audio(cut)


def test_too_long_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real limit is 2 h; lower it so the test needs only a few seconds of audio.
    monkeypatch.setattr(decode_mod, "MAX_SECONDS", 2)
    path = write_wav(tmp_path / "long.wav", tone(16000, 5.0), 16000)
    with pytest.raises(CoachError, match="too long"):
        decode_audio(path)


def test_too_long_with_a_lying_header_stops_while_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A header claiming 0 s (killed recorder) must not let a huge file through."""
    monkeypatch.setattr(decode_mod, "MAX_SECONDS", 2)
    path = write_wav(tmp_path / "long.wav", tone(16000, 5.0), 16000)
    raw = bytearray(path.read_bytes())
    data_at = raw.find(b"data")
    raw[data_at + 4 : data_at + 8] = struct.pack("<I", 0)
    path.write_bytes(bytes(raw))
    with pytest.raises(CoachError, match="too long"):
        decode_audio(path)



def _recorded_take(path: Path, seconds: float = 3.0) -> np.ndarray:
    """A take as the recorder writes it (``WavWriter``, 16 kHz mono PCM16), in 0.1 s blocks,
    with both extremes of the sample range in it; returns the int16 samples written."""
    from coach.audio.wavfile import WavWriter

    rng = np.random.default_rng(7)
    pcm = rng.integers(-32768, 32768, int(seconds * SAMPLE_RATE), dtype=np.int16)
    pcm[:2] = (-32768, 32767)
    with WavWriter(path, SAMPLE_RATE) as writer:
        for i in range(0, pcm.size, 1600):
            writer.write(pcm[i : i + 1600])
    return pcm


def test_a_recorded_take_reads_the_same_samples_as_pyav_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recorder's format is read with numpy alone (the analysis after stop reads the take
    again): the samples must be PyAV's to the bit, or a file and a live take would differ."""
    path = tmp_path / "take.wav"
    pcm = _recorded_take(path)
    by_av = decode_mod._decode_with_av(path)

    def no_pyav(_path: Path) -> np.ndarray:
        raise AssertionError("the recorder's own WAV went through PyAV")

    monkeypatch.setattr(decode_mod, "_decode_with_av", no_pyav)
    samples = decode_audio(path)
    assert samples.dtype == np.float32 and samples.size == pcm.size
    assert np.array_equal(samples, by_av)
    assert samples[0] == -1.0 and samples[1] == np.float32(32767 / 32768)


def test_a_chunk_after_the_audio_is_not_read_as_audio(tmp_path: Path) -> None:
    """Editors append LIST/id3 chunks after the data chunk: they are not samples."""
    path = tmp_path / "tagged.wav"
    pcm = _recorded_take(path, 1.0)
    tag = b"INFOISFT" + struct.pack("<I", 6) + b"coach\0"
    raw = bytearray(path.read_bytes() + b"LIST" + struct.pack("<I", len(tag)) + tag)
    raw[4:8] = struct.pack("<I", len(raw) - 8)
    path.write_bytes(bytes(raw))
    samples = decode_audio(path)
    assert samples.size == pcm.size
    assert np.array_equal(samples, decode_mod._decode_with_av(path))


# ----------------------------------------------------------------------------- VAD


def _sound_span(samples: np.ndarray) -> tuple[int, int]:
    """First and last sample of 10 ms frames louder than -50 dBFS."""
    frames = samples[: samples.size // 160 * 160].reshape(-1, 160)
    db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(db > -50)
    return int(loud[0] * 160), int((loud[-1] + 1) * 160)


@pytest.mark.slow
@pytest.mark.parametrize("noise_snr_db", [None, 15.0])
def test_speaking_time_within_3_percent_of_truth(speak, noise_snr_db) -> None:
    """Three sentences with 2.0 s and 3.5 s pauses: the speech is measured, not the pauses."""
    sentences = [
        "So I would pick a B-tree here, mostly because of range queries.",
        "A hash index is great for point lookups, but it cannot scan a range.",
        "The trade-off is write amplification on every insert.",
    ]
    pieces = [np.zeros(int(0.7 * SAMPLE_RATE), np.float32)]
    truth = 0.0
    for i, (text, pause) in enumerate(zip(sentences, [2.0, 3.5, 1.0], strict=True)):
        part = decode_audio(speak(f"vad-part-{i}", [text]))
        a, b = _sound_span(part)
        truth += (b - a) / SAMPLE_RATE
        pieces += [part[a:b], np.zeros(int(pause * SAMPLE_RATE), np.float32)]
    samples = np.concatenate(pieces)
    if noise_snr_db is not None:
        rng = np.random.default_rng(1)
        power = float(np.mean(samples[np.abs(samples) > 0.003] ** 2))
        samples = samples + rng.normal(0, np.sqrt(power / 10 ** (noise_snr_db / 10)),
                                       samples.size).astype(np.float32)
    regions = speech_regions_of(samples)
    assert len(regions) == 3  # the two long pauses split it, the short ones inside do not
    assert abs(sum(b - a for a, b in regions) - truth) / truth < 0.03
    gaps = [b[0] - a[1] for a, b in itertools.pairwise(regions)]
    assert abs(gaps[0] - 2.0) < 0.3 and abs(gaps[1] - 3.5) < 0.3


def test_silence_and_steady_noise_have_no_speech() -> None:
    assert speech_regions_of(np.zeros(16000 * 5, np.float32)) == []
    hiss = np.random.default_rng(0).normal(0, 0.003, 16000 * 5).astype(np.float32)
    assert speech_regions_of(hiss) == []
    assert speech_regions_of(np.zeros(0, np.float32)) == []


def test_a_short_click_is_not_speech() -> None:
    x = np.zeros(16000 * 3, np.float32)
    x[16000 : 16000 + 400] = 0.5  # 25 ms click
    assert speech_regions_of(x) == []
