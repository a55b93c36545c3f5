"""Transcribe an answer while it is being recorded, so the review is ready the moment it stops.

Whisper on a laptop CPU needs seconds for a long answer; a user who presses stop should not
wait for it. So the recorder hands each block to :class:`StreamingTranscriber` (``feed``: a list
append, nothing more) and a background worker does, as the audio arrives, exactly what
``Transcriber.transcribe_array`` does to a whole file: the same :class:`SpeechChunker` cuts the
audio in silence, and every closed chunk is decoded by the same ``Transcriber.decode_chunk``.
The cuts depend on the audio alone, so the live transcript and ``coach analyze`` of the saved
recording are the same words at the same times, however busy the machine was.

While the speaker pauses, the idle worker also decodes the open chunk as it would end if the
recording stopped now (``SpeechChunker.preview``): most people press stop a moment after their
last word, and then ``finish()`` finds the last chunk already done. If speech resumes, that
result is simply not used.

The same worker also tracks the answer's pitch (``coach.core.pitch.PitchTracker``, the code
``coach analyze`` runs on the file, on the same fixed grid): measuring it on a 10-minute file
after stop took half a second, of which a few hundredths are left at stop.

If the worker cannot keep up (``max_backlog_s`` of audio waiting, e.g. a big model on a slow CPU)
or fails, it gives up, frees the audio and ``finish()`` returns ``None``: the caller then
transcribes the recorded file (``coach.pipeline.analyze_attempt`` without ``transcript=``), which
gives the same words, only later. Memory holds at most one open chunk plus the blocks waiting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from coach.core.model import Transcript, Word
from coach.core.pitch import PitchTracker
from coach.transcribe.chunking import SpeechChunker

if TYPE_CHECKING:
    from coach.transcribe.chunking import Chunk
    from coach.transcribe.whisper import ChunkText, Transcriber

log = logging.getLogger(__name__)

WordsCallback = Callable[[list[Word]], None]
LOOKAHEAD_SILENCE_S = 0.3  # a pause this long: decode the open chunk ahead of a stop


@dataclass
class StreamStats:
    """What the streamer did, for benchmarks and tests."""

    chunks: int = 0
    transcribe_s: float = 0.0
    finish_s: float = 0.0  # wall time of finish()
    busy_at_stop_s: float = 0.0  # ... of which the worker was still busy with earlier work
    tail_s: float = 0.0  # audio seconds finish() had to decode itself (no usable look-ahead)
    max_pending_s: float = 0.0  # the longest open chunk held in memory
    max_lag_s: float = 0.0  # most audio the worker found waiting (it was busy decoding)
    lookaheads: int = 0  # open chunks decoded ahead at a pause ...
    lookaheads_used: int = 0  # ... whose result was the last chunk's


class StreamingTranscriber:
    """Feed blocks while recording; ``finish()`` returns the transcript of the whole recording.

    The timeline is the count of samples fed, which is exactly the timeline of the WAV file the
    recorder writes from the same blocks.
    """

    def __init__(
        self,
        transcriber: Transcriber,
        *,
        rate: int = 16000,
        vocabulary: Sequence[str] = (),
        max_backlog_s: float = 600.0,
        on_words: WordsCallback | None = None,
    ) -> None:
        if rate != 16000:
            raise ValueError("streaming transcription needs 16 kHz audio")
        self.transcriber = transcriber
        self.rate = rate
        self.vocabulary = tuple(vocabulary)
        self.max_backlog_s = float(max_backlog_s)
        self.on_words = on_words
        self.stats = StreamStats()
        self.error: BaseException | None = None
        self.gave_up = False
        # the pitch of the same audio (None if it failed: pitch is an extra, the file path
        # measures it then); read it after finish()
        self.pitch: PitchTracker | None = PitchTracker(rate)

        self._lock = threading.Condition()
        self._blocks: list[np.ndarray] = []  # fed, not yet taken by the worker
        self._fed = 0  # samples fed in total (the recording's length)
        self._waiting = 0  # samples in _blocks
        self._finishing = False
        self._finish_asked = 0.0  # perf_counter() when finish() was called
        self._finished: Transcript | None = None

        # Owned by the worker thread only (None once it has stopped: the audio is freed):
        self._chunker: SpeechChunker | None = None
        self._parts: list[ChunkText] = []
        self._ahead: tuple[tuple[int, int], ChunkText] | None = None

        self._thread = threading.Thread(target=self._run, name="coach-streaming", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- caller side

    def feed(self, block: Any, start_s: float = 0.0) -> None:
        """Queue one block (float32 mono, or frames x channels); cheap, never transcribes.

        ``start_s`` is accepted for the recorder's callback signature; the timeline is the count
        of samples fed, which matches the recording file.
        """
        x = np.asarray(block, dtype=np.float32)
        if x.ndim > 1:
            x = x.mean(axis=1) if x.shape[1] > 1 else x.reshape(-1)
        with self._lock:
            if self._finishing or self.gave_up:
                return
            self._blocks.append(x.copy())
            self._fed += x.size
            self._waiting += x.size
            if self._waiting > self.max_backlog_s * self.rate:
                log.warning("streaming transcription gave up: it fell behind the recording")
                self.gave_up = True
                self._blocks.clear()
                self._waiting = 0
            self._lock.notify()

    __call__ = feed  # so a streamer can be passed directly as the recorder's on_block

    @property
    def duration_s(self) -> float:
        return self._fed / self.rate

    @property
    def lag_s(self) -> float:
        """Seconds of audio fed that the worker has not taken yet (it is busy decoding).

        A non-realtime source (tests, benchmarks) may hold the recorder back while this is large;
        the transcript does not depend on it, only memory does.
        """
        with self._lock:
            return self._waiting / self.rate

    @property
    def backlog_s(self) -> float:
        """Seconds of audio fed but not transcribed yet (what ``finish()`` would still do)."""
        chunker = self._chunker
        with self._lock:
            waiting = self._waiting
        return waiting / self.rate + (chunker.pending_s if chunker is not None else 0.0)

    def finish(self) -> Transcript | None:
        """Decode what is left and return the whole recording's transcript.

        Returns ``None`` when streaming gave up or failed (see the module docstring): the caller
        then transcribes the recorded file instead. Safe to call more than once.
        """
        started = time.perf_counter()
        with self._lock:
            if not self._finishing:
                self._finish_asked = started
            self._finishing = True
            self._lock.notify()
        self._thread.join()
        self.stats.finish_s = time.perf_counter() - started
        if self.error is not None or self.gave_up:
            return None
        return self._finished

    def cancel(self) -> None:
        """Stop the worker and free the audio (the recording was discarded)."""
        with self._lock:
            self.gave_up = True
            self._blocks.clear()
            self._waiting = 0
            self._lock.notify()
        self._thread.join()

    # ----------------------------------------------------------------- worker side

    def _run(self) -> None:
        try:
            self._work()
        except BaseException as exc:  # reported through finish() -> None and .error
            log.warning("streaming transcription failed: %s", exc, exc_info=True)
            self.error = exc
            with self._lock:
                self._blocks.clear()
                self._waiting = 0
        finally:
            self._chunker = None

    def _work(self) -> None:
        chunker = self._chunker = SpeechChunker()
        while True:
            with self._lock:
                while not (self._finishing or self.gave_up or self._blocks):
                    self._lock.wait()
                blocks, self._blocks = self._blocks, []
                self.stats.max_lag_s = max(self.stats.max_lag_s, self._waiting / self.rate)
                self._waiting = 0
                finishing, gave_up = self._finishing, self.gave_up
            if gave_up:
                return
            if finishing:
                self.stats.busy_at_stop_s = time.perf_counter() - self._finish_asked
            for block in blocks:
                for chunk in chunker.push(block):
                    self._take(chunk)
                self._track_pitch(block)
            self.stats.max_pending_s = max(self.stats.max_pending_s, chunker.pending_s)
            if finishing:
                for chunk in chunker.flush():
                    self._take(chunk)
                self._finished = self.transcriber.assemble(self._parts, self._fed / self.rate)
                return
            with self._lock:
                idle = not self._blocks
            if idle and chunker.silent_s >= LOOKAHEAD_SILENCE_S:
                self._look_ahead(chunker)

    def _track_pitch(self, block: np.ndarray) -> None:
        if self.pitch is None:
            return
        try:
            self.pitch.feed(block)
        except Exception:  # never lose the transcript over pitch
            log.warning("live pitch tracking failed; measured from the file", exc_info=True)
            self.pitch = None

    def _look_ahead(self, chunker: SpeechChunker) -> None:
        """Decode the open chunk as a stop now would close it (once per pause)."""
        chunk = chunker.preview()
        if chunk is None or (self._ahead is not None and self._ahead[0] == chunk.key):
            return
        self._ahead = (chunk.key, self._decode(chunk))
        self.stats.lookaheads += 1

    def _take(self, chunk: Chunk) -> None:
        """Decode one closed chunk (or reuse its look-ahead) and publish its words."""
        if self._ahead is not None and self._ahead[0] == chunk.key:
            part = self._ahead[1]
            self.stats.lookaheads_used += 1
        else:
            part = self._decode(chunk)
            if chunk.final:
                self.stats.tail_s += chunk.samples.size / self.rate
        self._ahead = None
        self._parts.append(part)
        self.stats.chunks += 1
        if part.words and self.on_words is not None:
            try:
                self.on_words(list(part.words))
            except Exception:  # a broken display must not stop transcription
                log.warning("on_words callback failed; live transcript disabled", exc_info=True)
                self.on_words = None

    def _decode(self, chunk: Chunk) -> ChunkText:
        began = time.perf_counter()
        previous = self._parts[-1] if self._parts else None
        part = self.transcriber.decode_chunk(chunk, vocabulary=self.vocabulary, previous=previous)
        self.stats.transcribe_s += time.perf_counter() - began
        return part
