"""Recording: what the user says ends up, sample for sample, in the WAV on disk.

The microphone path is exercised for real through PortAudio and ALSA with ../shared/tools/fake-mic
(a file played as the default capture device); the same queue and writer are fed by FileSource.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from coach.audio.recorder import FileSource, Recorder
from coach.errors import CoachError
from tests.support import audio
from tests.support.audio import TESTS_DIR, read_wave, run_python, wait_for

answer_fixture = audio.answer_fixture
long_answer_fixture = audio.long_answer_fixture


def test_file_source_records_the_file_sample_for_sample(answer: Path, tmp_path: Path) -> None:
    blocks: list[tuple[np.ndarray, float]] = []
    levels: list[float] = []
    problems: list[str] = []
    out = tmp_path / "take.wav"
    recorder = Recorder(
        out, source=FileSource(answer, realtime=False),
        on_block=lambda block, start: blocks.append((block.copy(), start)),
        on_level=levels.append, on_problem=problems.append,
    )
    recorder.start()
    assert recorder.wait(audio.WAIT_S), "the file source never finished"
    result = recorder.stop()
    source = read_wave(answer)
    np.testing.assert_array_equal(read_wave(out), source)
    assert result.duration_s == pytest.approx(len(source) / 16000)
    assert (result.dropped_blocks, result.overflows, result.problems) == (0, 0, [])
    assert problems == []
    # streaming transcription sees the same audio, as float32, with contiguous start times
    streamed = np.concatenate([b for b, _ in blocks])
    assert streamed.dtype == np.float32
    np.testing.assert_allclose(streamed, source / 32768.0, atol=1e-6)
    starts = [s for _, s in blocks]
    sizes = np.cumsum([0] + [len(b) for b, _ in blocks[:-1]]) / 16000
    np.testing.assert_allclose(starts, sizes)
    # the meter moves with the voice: loud while speaking, near the floor in the pause
    assert max(levels) > 0.5
    pause = [lvl for (b, s), lvl in zip(blocks, levels, strict=True) if 0 < s - 2.3 < 0.5]
    assert pause and min(pause) < 0.2


def test_take_stops_at_the_time_limit(answer: Path, tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "t.wav", source=FileSource(answer), max_seconds=1.0)
    recorder.start()
    assert recorder.wait(audio.WAIT_S)
    result = recorder.stop()
    assert result.duration_s == 1.0
    np.testing.assert_array_equal(read_wave(tmp_path / "t.wav"), read_wave(answer)[:16000])


def test_stopping_early_keeps_what_was_said(long_answer: Path, tmp_path: Path) -> None:
    recorder = Recorder(tmp_path / "early.wav", source=FileSource(long_answer, realtime=True))
    recorder.start()
    wait_for(lambda: recorder.elapsed_s >= 0.5)  # some speech captured, however busy the CPU
    result = recorder.stop()
    kept = read_wave(tmp_path / "early.wav")
    assert len(kept) / 16000 >= 0.5 and len(kept) < len(read_wave(long_answer))
    assert result.duration_s == len(kept) / 16000
    np.testing.assert_array_equal(kept, read_wave(long_answer)[: len(kept)])


def test_a_missing_source_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CoachError, match="not found"):
        FileSource(tmp_path / "nope.wav")


def test_any_format_and_rate_is_recorded_at_16k(speak, tmp_path: Path) -> None:
    """A 22.05 kHz piper WAV converted to FLAC goes in; a 16 kHz recording of it comes out."""
    wav = speak("recorder-flac", "Hash indexes only answer equality lookups.")
    flac = tmp_path / "a.flac"
    if shutil.which("sox") is None:
        pytest.skip("sox is not installed (apt-get install sox)")
    subprocess.run(["sox", str(wav), str(flac)], check=True)
    out = tmp_path / "flac.wav"
    recorder = Recorder(out, source=FileSource(flac, realtime=False))
    recorder.start()
    assert recorder.wait(audio.WAIT_S)
    result = recorder.stop()
    with wave.open(str(wav)) as w:
        seconds = w.getnframes() / w.getframerate()
    assert result.duration_s == pytest.approx(seconds, abs=0.05)
    assert np.abs(read_wave(out)).max() > 3000


# ---------------------------------------------------------------------- real PortAudio path


@pytest.mark.slow
def test_microphone_recording_through_portaudio_holds_the_speech(answer: Path,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "mic.wav"
    result = run_python(
        f"""
        from pathlib import Path
        from coach.audio.devices import preflight, list_input_devices
        from coach.audio.recorder import Recorder
        assert preflight() is None, preflight()
        print("inputs", list_input_devices())
        r = Recorder(Path({str(out)!r}), max_seconds=6.0)
        r.start()
        assert r.wait(120)
        res = r.stop()
        print("result", res.duration_s, res.dropped_blocks, res.problems)
        """,
        mic=answer,
    )
    assert "result 6.0 0 []" in result.stdout
    recorded = read_wave(out).astype(np.float64)
    source = read_wave(answer).astype(np.float64)
    # the capture device may start a few samples late: align on the cross-correlation peak
    corr = np.correlate(recorded[:16000], source[:8000], mode="valid")
    lag = int(np.argmax(corr))
    assert lag < 4000
    aligned = recorded[lag : lag + len(source)]
    assert np.corrcoef(aligned, source[: len(aligned)])[0, 1] > 0.99
    assert len(aligned) > len(source) * 0.95


@pytest.mark.slow
def test_preflight_passes_with_a_microphone(answer: Path) -> None:
    result = run_python(
        """
        from coach.audio.devices import preflight, list_input_devices
        print(preflight(), list_input_devices())
        """,
        mic=answer,
    )
    assert result.stdout.startswith("None [(0, ")


def test_preflight_names_an_unknown_device(answer: Path) -> None:
    result = run_python(
        """
        from coach.audio.devices import preflight
        print(preflight(device="no-such-microphone"))
        """,
        mic=answer,
    )
    assert "no-such-microphone" in result.stdout
    assert "available inputs: 0: default" in result.stdout


def test_no_microphone_is_a_clear_message(tmp_path: Path) -> None:
    """A machine with no sound card and no .asoundrc: preflight says so, recording refuses."""
    code = """
        from pathlib import Path
        from coach.audio.devices import list_input_devices, preflight
        from coach.audio.recorder import Recorder
        from coach.errors import CoachError
        if list_input_devices():
            print("HAS-DEVICES")
            raise SystemExit
        print("preflight:", preflight())
        try:
            Recorder(Path(TAKE)).start()
        except CoachError as exc:
            print("start:", exc)
        """.replace("TAKE", repr(str(tmp_path / "take.wav")))  # never into the checkout
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("libportaudio2 is not installed")
    out = run_python(code, env={"HOME": str(tmp_path)})
    if "HAS-DEVICES" in out.stdout:
        pytest.skip("this machine has a real input device")
    assert "preflight: no microphone found" in out.stdout
    assert "start: cannot open the microphone" in out.stdout


def test_portaudio_missing_is_a_clear_message() -> None:
    """Linux without libportaudio2: sounddevice raises OSError at import; we say what to do."""
    out = run_python(
        """
        import ctypes.util
        ctypes.util.find_library = lambda name: None   # as if libportaudio2 were not installed
        from coach.audio.devices import load_sounddevice, preflight
        from coach.errors import CoachError
        print("preflight:", preflight())
        try:
            load_sounddevice()
        except CoachError as exc:
            print("load:", exc)
        """
    )
    assert "preflight: PortAudio library not found: install libportaudio2" in out.stdout
    assert "load: PortAudio library not found" in out.stdout


def test_memory_stays_flat_over_a_long_take() -> None:
    """10 minutes of audio (19 MB as int16) through the real queue and writer: RSS stays put."""
    script = TESTS_DIR.parent / "benchmarks" / "bench_recorder_memory.py"
    out = subprocess.run([sys.executable, str(script), "--minutes", "10"],
                         capture_output=True, text=True, check=True, timeout=300)
    growth = float(out.stdout.split("growth ")[1].split(" MB")[0])
    assert "recorded 10.0 min" in out.stdout and "dropped blocks 0" in out.stdout
    assert growth < 6.0, out.stdout  # holding the audio would grow by ~19 MB
