"""Shared helpers for the audio tests: real speech at 16 kHz, fake-mic, PulseAudio, waiting.

Tests on a loaded 2-core CI machine must never depend on how fast anything runs: every helper
that waits does so on a condition (a file size, a line on a pipe, an event) with a generous
timeout, never on a fixed sleep.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import av
import numpy as np
import pytest

from coach.audio.wavfile import WavWriter

TESTS_DIR = Path(__file__).resolve().parent.parent
FAKE_MIC = TESTS_DIR.parent.parent / "shared" / "tools" / "fake-mic"
COACH = [sys.executable, "-m", "coach"]
WAIT_S = 60.0  # generous: a loaded CI machine can be many times slower than a laptop

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float = WAIT_S, step: float = 0.05) -> T:
    """Poll ``predicate`` until it returns something truthy (returned); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for the condition")


def read_wave(path: Path) -> np.ndarray:
    """The int16 samples of a 16 kHz WAV, read with the standard ``wave`` module."""
    with wave.open(str(path), "rb") as w:
        assert w.getframerate() == 16000
        return np.frombuffer(w.readframes(w.getnframes()), np.int16)


def pyav_samples(path: Path) -> int:
    """How many samples PyAV (what the transcriber uses) decodes from ``path``."""
    with av.open(str(path)) as container:
        return sum(frame.samples for frame in container.decode(audio=0))


def to_16k(source: Path, out: Path) -> Path:
    """The reference: the speech as 16 kHz mono 16-bit, converted by sox like fake-mic does."""
    if shutil.which("sox") is None:
        pytest.skip("sox is not installed (apt-get install sox)")
    subprocess.run(["sox", str(source), "-r", "16000", "-c", "1", "-b", "16", str(out)], check=True)
    return out


def make_answer(speak, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 5 s of real speech with a one-second pause in the middle, at 16 kHz."""
    wav = speak(
        "recorder-answer",
        ["I would use a B-tree index here,", 1.0, "because range scans stay cheap."],
    )
    return to_16k(wav, tmp_path_factory.mktemp("rec") / "answer16k.wav")


@pytest.fixture(scope="module", name="answer")
def answer_fixture(speak, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``make_answer`` once per module (``answer_fixture = audio.answer_fixture`` to use it)."""
    return make_answer(speak, tmp_path_factory)


@pytest.fixture(scope="module", name="long_answer")
def long_answer_fixture(answer: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The answer repeated to ~50 s: a real-time take of it cannot end by itself while a test
    (starved of CPU on a busy machine) is still getting round to interrupting it."""
    path = tmp_path_factory.mktemp("long") / "long16k.wav"
    with WavWriter(path, 16000) as writer:
        writer.write(np.tile(read_wave(answer), 10))
    return path


def played_offset(played: np.ndarray, recording: np.ndarray) -> int:
    """Where ``recording`` starts inside what the device received (it may be preceded by 0s)."""
    corr = np.correlate(played[:24000].astype(np.float64),
                        recording[:4000].astype(np.float64), mode="valid")
    return int(np.argmax(corr))


def fake_mic_env() -> None:
    if not FAKE_MIC.is_file():
        pytest.skip(f"fake-mic not found at {FAKE_MIC}")
    if shutil.which("sox") is None:
        pytest.skip("sox is not installed (apt-get install sox)")
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("libportaudio2 is not installed")


def _under_fake_mic(command: list[str], mic: Path | None) -> list[str]:
    if mic is None:
        return command
    fake_mic_env()
    return [str(FAKE_MIC), str(mic), "--", *command]


def run_python(code: str, *, mic: Path | None = None, env: dict[str, str] | None = None,
               check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter, under fake-mic playing ``mic`` if given."""
    command = _under_fake_mic([sys.executable, "-c", textwrap.dedent(code)], mic)
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})})
    if check:
        assert result.returncode == 0, result.stderr
    return result


def run_coach(*args: str, mic: Path | None = None, env: dict[str, str] | None = None,
              timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real ``coach`` command line, under fake-mic playing ``mic`` if given."""
    return subprocess.run(_under_fake_mic([*COACH, *args], mic), capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def recording_of(home: Path) -> Path | None:
    """The recording.wav of the (only) attempt in ``home``, once it exists."""
    found = list((home / "attempts").glob("*/recording.wav"))
    return found[0] if found else None


def recorded_s(wav: Path) -> float:
    """Seconds of audio on disk in a 16 kHz mono WAV being written (header not trusted)."""
    return max(0, wav.stat().st_size - 44) / 32000


def dead_pid() -> int:
    """The pid of a process that has exited (what a crashed recorder leaves in its attempt)."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(dead.stdout)


@contextlib.contextmanager
def pulse_server(tmp_path: Path) -> Iterator[tuple[dict[str, str], int]]:
    """A private PulseAudio daemon with a null sink whose monitor is the default microphone.

    Unlike fake-mic, PulseAudio paces capture and playback in real time. Yields (env, pid)."""
    if not all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "paplay")):
        pytest.skip("pulseaudio, pactl or paplay missing (apt-get install pulseaudio "
                    "pulseaudio-utils libasound2-plugins)")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(runtime)}
    subprocess.run(["pulseaudio", "-D", "--exit-idle-time=-1", "--disallow-exit", "-n",
                    "--load=module-native-protocol-unix"], env=env, check=True,
                   capture_output=True)
    pid_file = runtime / "pulse" / "pid"
    try:
        for args in (["load-module", "module-null-sink", "sink_name=vsink", "rate=16000",
                      "channels=1"],
                     ["load-module", "module-remap-source", "source_name=vmic",
                      "master=vsink.monitor"],
                     ["set-default-source", "vmic"], ["set-default-sink", "vsink"]):
            subprocess.run(["pactl", *args], env=env, check=True, capture_output=True)
        pid = int(wait_for(lambda: pid_file.is_file() and pid_file.read_text().strip()))
        yield env, pid
    finally:
        if pid_file.is_file():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGCONT)
        subprocess.run(["pulseaudio", "-k"], env=env, capture_output=True)


@pytest.fixture(name="pulse")
def pulse_fixture(tmp_path: Path) -> Iterator[tuple[dict[str, str], int]]:
    """``pulse_server`` for one test (``pulse_fixture = audio.pulse_fixture`` to use it)."""
    with pulse_server(tmp_path) as server:
        yield server
