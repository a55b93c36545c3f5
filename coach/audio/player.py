"""Replay of a recording with play/pause/seek, through a sounddevice OutputStream.

The coach's own recordings are 16-bit WAVs, which are memory-mapped rather than loaded, so
replaying an hour-long take costs no memory and seeking is instant. Other files (imports) are
decoded into memory with ``coach.audio.decode.decode_audio``. The output callback only copies
samples; position reports come from a small ticker thread, never from the audio callback.

When playback reaches the end, the ticker reports the final position (the duration) *before*
``wait()`` returns: the end is signalled by PortAudio's finished callback on an internal event,
and only the ticker turns it into ``finished`` after its last report, so a caller (or the
review screen) never sees a stale position after the end. Reports are serialised by a lock, so
an older position can never arrive after a newer one.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from coach.audio.devices import load_sounddevice, output_preflight, parse_device
from coach.audio.wavfile import wav_data_info
from coach.errors import CoachError

TICK_S = 0.1
JOIN_TIMEOUT_S = 2.0  # a slow on_position handler must not hang pause/stop


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
    """Plays ``path``; ``on_position(seconds)`` is called ~10 times a second while playing.

    The last report of a play-through is the duration, and it is made before ``finished`` is
    set (so before ``wait()`` returns). No report is made after ``pause()`` or ``stop()``
    return, except the one ``pause()`` itself makes.
    """

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
        self._lock = threading.Lock()  # the position, shared with the audio callback
        self._report_lock = threading.Lock()  # one position report at a time, in order
        self._ended = threading.Event()  # PortAudio played the last sample
        self.finished = threading.Event()  # ... and the final position was reported
        self._ticker: threading.Thread | None = None
        self._halt = threading.Event()

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
        problem = output_preflight(self.device)
        if problem:
            raise CoachError(problem)
        dtype = "int16" if self._samples.dtype == np.int16 else "float32"
        try:
            self._stream = sd.OutputStream(
                samplerate=self.rate, channels=self.channels, dtype=dtype,
                device=parse_device(self.device), callback=self._callback,
                finished_callback=self._finished,
            )
        except Exception as exc:  # sd.PortAudioError: busy device, unsupported rate
            raise CoachError(f"cannot open the audio output ({exc}); close other programs "
                             "using it or choose another output device") from None

    def _finished(self) -> None:
        """PortAudio's finished callback: also called on pause/stop, so check the position."""
        if self._pos >= len(self._samples):
            self._ended.set()

    def play(self) -> None:
        """Start or resume from the current position (from the start once it played through)."""
        if self.playing:
            return
        self._halt_ticker()
        if self._pos >= len(self._samples):
            self._pos = 0
        self._ended.clear()
        self.finished.clear()
        if self._stream is not None:
            self._stream.close(ignore_errors=True)
            self._stream = None
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
        self._halt_ticker()
        self._notify()
        if self._ended.is_set():
            self.finished.set()  # it ended just as it was paused

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def stop(self) -> None:
        """Stop and release the output device; the position goes back to the start."""
        self._halt_ticker()
        if self._stream is not None:
            self._stream.abort(ignore_errors=True)
            self._stream.close(ignore_errors=True)
            self._stream = None
        self._pos = 0

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playback reaches the end and the final position was reported."""
        return self.finished.wait(timeout)

    def _notify(self) -> None:
        if self.on_position is None:
            return
        # read and report together under one lock: reports never go backwards
        with self._report_lock, contextlib.suppress(Exception):
            self.on_position(self.position_s)

    def _start_ticker(self) -> None:
        halt = self._halt = threading.Event()

        def tick() -> None:
            while not halt.is_set():
                self._notify()
                if self._ended.wait(TICK_S):
                    self._notify()  # the final position: the duration
                    self.finished.set()
                    return

        self._ticker = threading.Thread(target=tick, name="coach-player", daemon=True)
        self._ticker.start()

    def _halt_ticker(self) -> None:
        """Stop the ticker and wait for it, unless called from it (an on_position handler)."""
        self._halt.set()
        ticker, self._ticker = self._ticker, None
        if ticker is not None and ticker is not threading.current_thread():
            ticker.join(JOIN_TIMEOUT_S)
