"""Crash-safe recording: audio callback -> bounded queue -> writer thread -> WAV on disk.

Three activities run at once and none may block another (as in sounddevice's own rec_gui
example): the audio callback only copies each block onto a bounded queue (a full queue counts a
dropped block instead of growing); a writer thread drains the queue into a ``WavWriter`` (whose
header stays valid, see wavfile.py), feeds the level meter and streaming transcription, and runs
the watchdog; the caller (TUI or CLI) only starts, polls and stops. Nothing but the queue holds
audio, so memory stays flat however long the take.

The sources that feed the queue (microphone, file, fault injection) live in sources.py; they
are re-exported here because callers import ``FileSource`` next to ``Recorder``.
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coach.audio.devices import parse_device
from coach.audio.sources import (
    FileSource,
    MicSource,
    SilenceSource,
    Source,
    StallingSource,
    file_blocks,
)
from coach.audio.wavfile import WavWriter
from coach.errors import CoachError

STALL_S = 1.5  # no block for this long while recording: the stream stopped delivering
START_GRACE_S = 4.0  # the first block may take longer (PulseAudio needs ~1.7 s to start)
SILENCE_CHECK_S = 3.0  # only silence for the first seconds: a muted or wrong microphone
SILENCE_RMS = 3e-4  # about -70 dBFS: below any real microphone's noise floor
LOSS_S = 2.0  # a live microphone this far behind the clock is losing callbacks silently
QUEUE_SECONDS = 20.0  # how much audio the queue may hold while the writer catches up

_STOP = object()

__all__ = [
    "FileSource", "MicSource", "Recorder", "RecordingResult", "SilenceSource", "Source",
    "StallingSource", "file_blocks",
]


@dataclass
class RecordingResult:
    """What a finished take produced; ``problems`` are the messages the user was shown."""

    path: Path
    duration_s: float
    dropped_blocks: int
    overflows: int
    problems: list[str] = field(default_factory=list)
    write_error: str | None = None  # the disk refused the audio (full, size limit): file kept


def _level(rms: float) -> float:
    """RMS (0..1 full scale) to a meter position 0..1 over a -60..0 dBFS range."""
    if rms <= 1e-6:
        return 0.0
    return max(0.0, min(1.0, (20.0 * math.log10(rms) + 60.0) / 60.0))


class Recorder:
    """Records to ``path`` until ``stop()``, the ``max_seconds`` limit, or the source ends.

    ``on_level(level)``, ``on_block(float32 mono block, start_s)`` and ``on_problem(message)``
    are called from the writer thread, never from the audio callback; they must return quickly
    (post a message, put on a queue), or the writer falls behind and blocks get dropped.
    ``done`` is set when the input ends by itself (limit, end of file, stream died, disk full).
    ``writer_delay_s`` is a test hook that simulates a slow disk.
    """

    def __init__(
        self,
        path: Path,
        *,
        rate: int = 16000,
        channels: int = 1,
        device: int | str | None = None,
        source: Source | None = None,
        on_level: Callable[[float], None] | None = None,
        on_block: Callable[[np.ndarray, float], None] | None = None,
        on_problem: Callable[[str], None] | None = None,
        max_seconds: float | None = None,
        block_s: float = 0.05,
        queue_seconds: float = QUEUE_SECONDS,
    ) -> None:
        self.path = Path(path)
        self.rate = int(rate)
        self.channels = int(channels)
        self.device = parse_device(device)
        self.source: Source = source if source is not None else MicSource(self.device, block_s)
        self.on_level = on_level
        self.on_block = on_block
        self.on_problem = on_problem
        self.block_frames = max(1, int(self.rate * block_s))
        self.max_frames = None if max_seconds is None else int(max_seconds * self.rate)
        self.writer_delay_s = 0.0
        blocks = max(2, int(queue_seconds / block_s))
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=blocks)
        self._frames_in = 0
        self._frames_out = 0
        self._dropped = 0
        self._overflows = 0
        self._level = 0.0
        self._problems: list[str] = []
        self._write_error: str | None = None
        self._last_block_at = 0.0
        self._stall_reported = False
        self._drop_reported = False
        self._loss_reported = False
        self._clock_origin: float | None = None
        self._silence_peak = 0.0
        self._silence_checked = False
        self._stopping = threading.Event()
        self.done = threading.Event()  # the input ended: limit reached, file over, disk full
        self._writer: WavWriter | None = None
        self._thread: threading.Thread | None = None
        self._started = False
        self._result: RecordingResult | None = None

    # ------------------------------------------------------------------ caller side

    @property
    def elapsed_s(self) -> float:
        """Seconds of audio captured so far."""
        return self._frames_in / self.rate

    @property
    def written_s(self) -> float:
        return self._frames_out / self.rate

    @property
    def level(self) -> float:
        return self._level

    @property
    def dropped_blocks(self) -> int:
        return self._dropped

    @property
    def problems(self) -> list[str]:
        return list(self._problems)

    @property
    def queue_maxsize(self) -> int:
        return self._queue.maxsize

    def start(self) -> None:
        """Open the WAV (header first), start the writer thread, then the source."""
        if self._started:
            raise RuntimeError("Recorder already started")
        self._started = True
        try:
            self._writer = WavWriter(self.path, self.rate, self.channels)
        except OSError as exc:
            raise CoachError(f"cannot create the recording {self.path}: {exc.strerror or exc}") \
                from None
        self._last_block_at = time.monotonic()
        self._thread = threading.Thread(target=self._run_writer, name="coach-writer", daemon=True)
        self._thread.start()
        try:
            self.source.start(self)
        except BaseException:
            self._stopping.set()
            self._queue.put(_STOP)
            self._thread.join()
            self._writer.close()
            raise

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the input ends by itself (limit, end of file, disk full); True if so."""
        return self.done.wait(timeout)

    def stop(self) -> RecordingResult:
        """Stop the source, write everything still queued, close the file (fsync)."""
        if not self._started or self._thread is None:
            raise RuntimeError("Recorder not started")
        if self._result is not None:
            return self._result
        self._stopping.set()
        try:
            self.source.stop()
        finally:
            self._queue.put(_STOP)
            self._thread.join()
            if self._writer is not None:
                self._writer.close()
        if self._dropped:
            lost = self._dropped * self.block_frames / self.rate
            self._problems.append(
                f"{self._dropped} audio blocks (about {lost:.1f} s) were dropped because the "
                "disk could not keep up; the rest of the recording is intact"
            )
        self._result = RecordingResult(
            path=self.path,
            duration_s=self._frames_out / self.rate,
            dropped_blocks=self._dropped,
            overflows=self._overflows,
            problems=list(self._problems),
            write_error=self._write_error,
        )
        return self._result

    # ------------------------------------------------------------------ source side

    def offer(self, block: np.ndarray, overflow: bool = False, wait: bool = False) -> bool:
        """Called by a source (the audio callback): copy the block onto the queue, never block.

        ``wait=True`` (non-realtime file sources only) waits for room instead of dropping.
        Returns False once the input should end (limit reached or stopping).
        """
        if self._stopping.is_set() or self.done.is_set():
            return False
        if overflow:
            self._overflows += 1
        if block.ndim == 1:
            block = block.reshape(-1, 1)
        last = False
        if self.max_frames is not None and self._frames_in + len(block) >= self.max_frames:
            block = block[: self.max_frames - self._frames_in]
            last = True
        block = block.copy()
        self._last_block_at = time.monotonic()
        if self._clock_origin is None:  # audio servers take a moment to start: clock from here
            self._clock_origin = self._last_block_at - len(block) / self.rate
        if wait:
            while not self._stopping.is_set():
                try:
                    self._queue.put(block, timeout=0.2)
                    break
                except queue.Full:
                    continue
        else:
            try:
                self._queue.put_nowait(block)
            except queue.Full:
                self._dropped += 1
        self._frames_in += len(block)
        if last:
            self.done.set()
            return False
        return True

    def source_ended(self, natural: bool) -> None:
        """A source ran out (end of file: natural) or its stream died (device or server gone)."""
        if natural or self.done.is_set() or self._stopping.is_set():
            self.done.set()
            return
        self._stall_reported = True
        self._report(
            "The input stream stopped (microphone unplugged or audio server gone); "
            f"kept the {self.elapsed_s:.1f} s captured so far"
        )
        self.done.set()  # nothing more will come: let the caller finish the take

    # ------------------------------------------------------------------ writer thread

    def _report(self, message: str) -> None:
        self._problems.append(message)
        if self.on_problem is not None:
            # a broken UI callback must not stop the recording
            with contextlib.suppress(Exception):
                self.on_problem(message)

    def _run_writer(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                self._watch()
                continue
            if item is _STOP:
                return
            self._consume(item)
            self._watch()

    def _consume(self, block: np.ndarray) -> None:
        if self.writer_delay_s:
            time.sleep(self.writer_delay_s)
        if self._write_error is not None or self._writer is None:
            return  # the disk refused earlier: drain and discard, the file stays as it was
        start_s = self._frames_out / self.rate
        try:
            self._writer.write(block)
        except OSError as exc:
            kept = self._writer.duration_s
            self._frames_out = self._writer.frames
            reason = exc.strerror or str(exc)
            self._write_error = (
                f"could not write the recording ({reason}: disk full or file size limit); "
                f"kept the first {kept:.1f} s in {self.path}"
            )
            self._report(self._write_error)
            self.done.set()
            return
        self._frames_out += len(block)
        mono = block.astype(np.float32).mean(axis=1) / 32768.0
        rms = float(np.sqrt(np.mean(mono * mono))) if len(mono) else 0.0
        self._level = _level(rms)
        self._check_silence(rms, start_s + len(mono) / self.rate)
        for callback, args in ((self.on_level, (self._level,)), (self.on_block, (mono, start_s))):
            if callback is not None:
                try:
                    callback(*args)
                except Exception as exc:  # keep recording whatever the consumer does
                    self._report(f"a live consumer of the audio failed: {exc}")

    def _check_silence(self, rms: float, end_s: float) -> None:
        if self._silence_checked:
            return
        self._silence_peak = max(self._silence_peak, rms)
        if end_s >= SILENCE_CHECK_S:
            self._silence_checked = True
            if self._silence_peak < SILENCE_RMS:
                self._report(
                    f"Only silence from the microphone for {SILENCE_CHECK_S:.0f} s: check it is "
                    "not muted and that the right input device is chosen (the recording goes on)"
                )

    def _watch(self) -> None:
        """The watchdog: a stalled stream and dropped blocks are reported once each."""
        if self._dropped and not self._drop_reported:
            self._drop_reported = True
            self._report(
                "The disk is not keeping up: some audio blocks were dropped "
                "(they are counted against this attempt)"
            )
        if self._stall_reported or self._stopping.is_set() or self.done.is_set():
            return
        now = time.monotonic()
        origin = self._clock_origin
        if origin is not None and getattr(self.source, "paced_by_clock", False) \
                and not self._loss_reported:
            behind = (now - origin) - self._frames_in / self.rate
            if behind > LOSS_S:
                self._loss_reported = True
                self._report(
                    f"Audio is being lost: the microphone delivered {behind:.1f} s less than "
                    "the clock says (the system is overloaded or the device is failing)"
                )
        if origin is None:
            if now - self._last_block_at > START_GRACE_S:
                self._stall_reported = True
                self._report(
                    f"The microphone has sent no audio in {START_GRACE_S:.0f} s: check it is "
                    "connected and that the audio server is running"
                )
        elif now - self._last_block_at > STALL_S:
            self._stall_reported = True
            self._report(
                "The microphone stopped sending audio (unplugged, or the audio server stopped?); "
                f"kept the {self.elapsed_s:.1f} s captured so far"
            )
