"""Replay of a recording with play/pause/seek, through a sounddevice OutputStream.

The coach's own recordings are 16-bit WAVs, which are memory-mapped rather than loaded, so
replaying an hour-long take costs no memory and seeking is instant. Other files (imports) are
decoded into memory with ``coach.audio.decode.decode_audio``. The output callback only copies
samples; position reports come from a small ticker thread, never from the audio callback.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from coach.audio.devices import load_sounddevice
from coach.audio.wavfile import wav_data_info
from coach.errors import CoachError

TICK_S = 0.1


def _load(path: Path) -> tuple[np.ndarray, int]:
    """Samples (int16 memmap for a PCM16 WAV, else float32) and their rate."""
    if not path.is_file():
        raise CoachError(f"recording not found: {path}")
    try:
        channels, rate, bits, offset, data_bytes = wav_data_info(path)
    except (OSError, ValueError):
        channels = 0
    if channels and bits == 16:
        if data_bytes == 0:
            return np.zeros((0, channels), np.int16), rate
        samples = np.memmap(path, dtype="<i2", mode="r", offset=offset, shape=(data_bytes // 2,))
        return samples.reshape(-1, channels), rate
    try:
        from coach.audio.decode import decode_audio
    except ImportError:
        import soundfile

        try:
            data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        except Exception as exc:
            raise CoachError(f"cannot read audio from {path}: {exc}") from None
        return data, int(rate)
    return decode_audio(path).reshape(-1, 1), 16000


class Player:
    """Plays ``path``; ``on_position(seconds)`` is called ~10 times a second while playing."""

    def __init__(
        self,
        path: Path | str,
        on_position: Callable[[float], None] | None = None,
        device: int | str | None = None,
    ) -> None:
        self.path = Path(path)
        self.on_position = on_position
        self.device = device
        self._samples, self.rate = _load(self.path)
        self.channels = self._samples.shape[1]
        self._pos = 0
        self._stream: Any = None
        self._lock = threading.Lock()
        self.finished = threading.Event()
        self._ticker: threading.Thread | None = None
        self._ticking = threading.Event()

    @property
    def duration_s(self) -> float:
        return len(self._samples) / self.rate

    @property
    def position_s(self) -> float:
        return self._pos / self.rate

    @property
    def playing(self) -> bool:
        return bool(self._stream is not None and self._stream.active)

    def seek(self, seconds: float) -> None:
        """Jump to ``seconds`` (clamped to the recording), playing or not."""
        with self._lock:
            self._pos = int(max(0.0, min(seconds, self.duration_s)) * self.rate)
        self._notify()

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        with self._lock:
            chunk = self._samples[self._pos : self._pos + frames]
            self._pos += len(chunk)
        if outdata.dtype == np.int16 and chunk.dtype != np.int16:
            chunk = (np.clip(chunk, -1.0, 1.0) * 32767).astype(np.int16)
        outdata[: len(chunk)] = chunk
        outdata[len(chunk) :] = 0
        if len(chunk) < frames:
            raise load_sounddevice().CallbackStop

    def _open(self) -> None:
        sd = load_sounddevice()
        dtype = "int16" if self._samples.dtype == np.int16 else "float32"
        try:
            self._stream = sd.OutputStream(
                samplerate=self.rate, channels=self.channels, dtype=dtype, device=self.device,
                callback=self._callback, finished_callback=self._finished,
            )
        except Exception as exc:
            raise CoachError(f"cannot open the audio output: {exc}") from None

    def _finished(self) -> None:
        if self._pos >= len(self._samples):
            self.finished.set()

    def play(self) -> None:
        """Start or resume from the current position (from the start once it played through)."""
        if self._pos >= len(self._samples):
            self._pos = 0
        self.finished.clear()
        if self._stream is not None and not self._stream.active:
            self._stream.close(ignore_errors=True)
            self._stream = None
        if self._stream is None:
            self._open()
        try:
            self._stream.start()
        except Exception as exc:
            raise CoachError(f"cannot play through the audio output: {exc}") from None
        self._start_ticker()

    def pause(self) -> None:
        """Stop sound but keep the position."""
        if self._stream is not None:
            self._stream.stop(ignore_errors=True)
        self._ticking.clear()
        self._notify()

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def stop(self) -> None:
        """Stop and release the output device; the position goes back to the start."""
        self._ticking.clear()
        if self._stream is not None:
            self._stream.abort(ignore_errors=True)
            self._stream.close(ignore_errors=True)
            self._stream = None
        self._pos = 0

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playback reaches the end; True if it did."""
        return self.finished.wait(timeout)

    def _notify(self) -> None:
        if self.on_position is not None:
            with contextlib.suppress(Exception):
                self.on_position(self.position_s)

    def _start_ticker(self) -> None:
        self._ticking.set()
        if self._ticker is not None and self._ticker.is_alive():
            return

        def tick() -> None:
            while self._ticking.is_set():
                self._notify()
                if self.finished.wait(TICK_S):
                    self._notify()
                    self._ticking.clear()

        self._ticker = threading.Thread(target=tick, name="coach-player", daemon=True)
        self._ticker.start()
