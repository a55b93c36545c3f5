"""Where a Recorder's audio comes from: the microphone, a file, or an injected fault.

Every source pushes int16 ``(frames, channels)`` blocks into ``Recorder.offer`` -- the same
bounded queue and writer for all of them, so what is tested with a file is what runs with a
microphone. ``MicSource`` is a sounddevice ``InputStream`` whose callback only calls ``offer``;
``FileSource`` feeds any audio file (scripts, benchmarks, machines with no microphone), paced in
real time or as fast as the writer drains; ``StallingSource`` and ``SilenceSource`` inject the
faults the recorder's watchdog must notice.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from coach.audio.decode import check_audio_file
from coach.audio.devices import load_sounddevice
from coach.errors import CoachError

CLOSE_TIMEOUT_S = 2.0  # how long stop() waits for PortAudio to release the microphone


class Sink(Protocol):
    """What a source feeds: the recorder's end of the queue (``Recorder`` is the real one).

    Declared here rather than imported from recorder.py, so the sources need nothing above
    them and the recorder's import of the sources is the only way between the two modules.
    """

    rate: int
    channels: int
    block_frames: int
    done: threading.Event

    def offer(self, block: np.ndarray, overflow: bool = False, wait: bool = False) -> bool: ...

    def source_ended(self, natural: bool) -> None: ...


class Source(Protocol):
    """Something that pushes int16 ``(frames, channels)`` blocks into a Recorder."""

    def start(self, recorder: Sink) -> None: ...

    def stop(self) -> None: ...


class MicSource:
    """The real microphone: a sounddevice InputStream whose callback only calls ``offer``."""

    paced_by_clock = True  # lost callbacks raise no flag: the watchdog counts frames vs the clock

    def __init__(self, device: int | str | None = None, block_s: float = 0.05) -> None:
        self.device = device
        self.block_s = block_s
        self.stream: Any = None

    def start(self, recorder: Sink) -> None:
        sd = load_sounddevice()

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if not recorder.offer(indata, bool(status.input_overflow)):
                raise sd.CallbackStop

        def finished() -> None:
            recorder.source_ended(natural=recorder.done.is_set())

        try:
            self.stream = sd.InputStream(
                samplerate=recorder.rate,
                channels=recorder.channels,
                dtype="int16",
                device=self.device,
                blocksize=recorder.block_frames,
                callback=callback,
                finished_callback=finished,
            )
            self.stream.start()
        except Exception as exc:  # sd.PortAudioError, ValueError for a bad device name
            self.stream = None
            raise CoachError(f"cannot open the microphone: {exc}") from None

    @property
    def active(self) -> bool:
        return bool(self.stream is not None and self.stream.active)

    def stop(self) -> None:
        """Abort rather than drain, and never wait long: with a frozen audio server PortAudio's
        abort/close block for about a minute. The queue already holds everything delivered,
        so the recording is finished without them; the stream is released in the background."""
        stream, self.stream = self.stream, None
        if stream is None:
            return

        def release() -> None:
            stream.abort(ignore_errors=True)
            stream.close(ignore_errors=True)

        closer = threading.Thread(target=release, name="coach-mic-close", daemon=True)
        closer.start()
        closer.join(CLOSE_TIMEOUT_S)
        if closer.is_alive():
            # sounddevice's exit handler (Pa_Terminate) would wait on this stream forever and
            # hang the process at exit; the OS releases the device when the process ends
            sd = load_sounddevice()
            handler = getattr(sd, "_exit_handler", None)
            if handler is not None:
                atexit.unregister(handler)


def file_blocks(path: Path, rate: int, channels: int, block_frames: int) -> Iterator[np.ndarray]:
    """Decode any audio file PyAV reads into int16 ``(frames, channels)`` blocks, streaming."""
    import av

    layout = "mono" if channels == 1 else "stereo"
    try:
        container = av.open(str(path))
    except Exception as exc:
        raise CoachError(f"cannot read audio from {path}: {exc}") from None
    with container:
        streams = [s for s in container.streams if s.type == "audio"]
        if not streams:
            raise CoachError(f"{path} has no audio stream")
        resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
        pending: list[np.ndarray] = []
        count = 0

        def frames_of(frame: Any) -> Iterator[np.ndarray]:
            for out in resampler.resample(frame):
                yield out.to_ndarray().reshape(-1, channels)

        def decoded() -> Iterator[np.ndarray]:
            try:
                for frame in container.decode(streams[0]):
                    yield from frames_of(frame)
            except av.error.FFmpegError:
                pass  # a truncated file: keep what decoded
            yield from frames_of(None)

        for arr in decoded():
            pending.append(arr)
            count += len(arr)
            if count >= block_frames:
                joined = np.concatenate(pending)
                whole = len(joined) // block_frames * block_frames
                for i in range(0, whole, block_frames):
                    yield joined[i : i + block_frames]
                pending = [joined[whole:]]
                count = len(pending[0])
        if count:
            yield np.concatenate(pending)


class _ThreadSource:
    """A source that pushes blocks from its own thread, paced like a microphone or not."""

    def __init__(self, realtime: bool = True, block_s: float = 0.05) -> None:
        self.realtime = realtime
        self.block_s = block_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def blocks(self, recorder: Sink) -> Iterator[np.ndarray]:
        raise NotImplementedError

    def start(self, recorder: Sink) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(recorder,), name="coach-source", daemon=True
        )
        self._thread.start()

    def _run(self, recorder: Sink) -> None:
        t0 = time.monotonic()
        sent = 0
        try:
            for block in self.blocks(recorder):
                if self._stop.is_set():
                    return
                if self.realtime:
                    delay = t0 + sent / recorder.rate - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        return
                sent += len(block)
                if not recorder.offer(block, wait=not self.realtime):
                    return
        except CoachError as exc:
            self.error = str(exc)
            recorder.source_ended(natural=False)
            return
        self.ended(recorder)

    def ended(self, recorder: Sink) -> None:
        recorder.source_ended(natural=True)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


class FileSource(_ThreadSource):
    """Feeds a file's samples through the recorder's queue and writer, as a microphone would.

    ``realtime=True`` paces the blocks like a live microphone (latency benchmarks, TUI tests on
    machines with no microphone); ``realtime=False`` goes as fast as the writer drains.
    """

    def __init__(self, path: Path | str, realtime: bool = True, block_s: float = 0.05) -> None:
        super().__init__(realtime, block_s)
        self.path = Path(path)
        check_audio_file(self.path)  # a bad file is named now, not reported as a dead stream

    def blocks(self, recorder: Sink) -> Iterator[np.ndarray]:
        frames = max(1, int(recorder.rate * self.block_s))
        return file_blocks(self.path, recorder.rate, recorder.channels, frames)


class StallingSource(FileSource):
    """Fault injection: delivers ``stall_after_s`` of a file, then goes quiet like a pulled plug.

    ``then="stall"`` keeps the "stream" open but silent (callbacks stop); ``then="die"`` also
    reports the stream as ended, as PortAudio does when the audio server is killed.
    """

    def __init__(self, path: Path | str, stall_after_s: float, then: str = "stall") -> None:
        super().__init__(path, realtime=True)
        self.stall_after_s = stall_after_s
        self.then = then

    def blocks(self, recorder: Sink) -> Iterator[np.ndarray]:
        limit = int(self.stall_after_s * recorder.rate)
        sent = 0
        for block in super().blocks(recorder):
            if sent >= limit:
                break
            sent += len(block)
            yield block
        if self.then == "die":
            recorder.source_ended(natural=False)
        self._stop.wait()

    def ended(self, recorder: Sink) -> None:
        pass


class SilenceSource(_ThreadSource):
    """Fault injection: a muted microphone that delivers only digital silence."""

    def __init__(self, seconds: float, realtime: bool = True, block_s: float = 0.05) -> None:
        super().__init__(realtime, block_s)
        self.seconds = seconds

    def blocks(self, recorder: Sink) -> Iterator[np.ndarray]:
        frames = max(1, int(recorder.rate * self.block_s))
        total = int(self.seconds * recorder.rate)
        for start in range(0, total, frames):
            yield np.zeros((min(frames, total - start), recorder.channels), np.int16)
