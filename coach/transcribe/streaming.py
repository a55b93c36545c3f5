"""Transcribe an answer while it is being recorded, so the review is ready the moment it stops.

Whisper on a laptop CPU needs a good fraction of a second per call whatever the length, and
seconds for a long answer; a user who presses stop should not wait for it. So the recorder hands
each block to :class:`StreamingTranscriber` (``feed``: a list append, nothing more), and a
background worker transcribes *closed stretches of speech* as they appear:

* a stretch is closed by a silence gap found with the coach's energy VAD (``coach.audio.vad``),
  once at least ``min_chunk_s`` of audio is pending, or by a long pause (``long_gap_s``, the end
  of a thought, which is also when people press stop);
* with no gap by ``max_chunk_s`` (one Whisper window is 30 s), it is cut at the quietest point;
* cuts fall only in silence, so no word straddles two chunks: nothing is lost or doubled at a
  boundary and no overlap has to be de-duplicated; each chunk is transcribed with the same
  ``Transcriber.transcribe_array`` (same filler-preserving decoding) at ``offset_s`` = its start,
  so every timestamp is on the recording's timeline;
* audio of transcribed stretches is dropped: memory holds only what is pending, whatever the
  length of the recording.

Every Whisper call costs a full 30 s window encode whatever the chunk length, so chunks are long
(``min_chunk_s`` 12 s, up to 25 s): a 5 s chunk costs the same CPU as a 25 s one. At a pause the
idle worker may transcribe the pending stretch ahead (in case the user presses stop now): once a
chunk is due, at a 0.2 s pause (the cut a moment later falls in the same pause and reuses the
result, ``_align_to_spec``); before that only at a 0.5 s pause, since the look-ahead is wasted
whenever speech resumes. At most one look-ahead per pause, never while audio waits (backlog).

``finish()`` transcribes only what is left (usually a few seconds, or nothing when the user paused
before stopping) and returns the whole :class:`~coach.core.model.Transcript`. If the worker could
not keep up (``max_backlog_s`` of audio pending, e.g. a big model on a slow CPU) or failed, it
gives up, frees the audio and ``finish()`` returns ``None``: the caller then transcribes the
recorded file as usual (``coach.pipeline.analyze_attempt`` without ``transcript=``), so the user
still gets a review, only later.

The worker never runs in the caller's (recorder's) thread, and the model should be loaded with few
CPU threads (``Transcriber(..., cpu_threads=1)``) so the recorder and the UI keep a core.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from coach.audio import vad
from coach.core.model import Transcript, Word

if TYPE_CHECKING:
    from coach.transcribe.whisper import Transcriber

log = logging.getLogger(__name__)

WordsCallback = Callable[[list[Word]], None]

CUT_GAP_S = 0.3  # shortest silence a cut may fall in (between words, not inside one)
CUT_MARGIN_S = 0.25  # cut this far after the last speech at most (keeps soft word endings)
EVAL_EVERY_S = 0.1  # look for a cut each time this much new audio arrived
SPEC_GAP_S = 0.2  # a pause this long, once a chunk is due anyway: transcribe ahead
SPEC_SHORT_GAP_S = 0.5  # ... before a chunk is due (a shorter stretch): only at longer pauses


@dataclass
class StreamStats:
    """What the streamer did, for benchmarks and the closing note of a recording."""

    chunks: int = 0
    skipped_silent: int = 0
    transcribe_s: float = 0.0
    tail_s: float = 0.0  # audio seconds finish() had to transcribe itself
    finish_s: float = 0.0  # wall time of finish()
    max_pending_s: float = 0.0
    max_lag_s: float = 0.0  # most audio the worker found waiting (it was busy transcribing)
    chunk_lengths: list[float] = field(default_factory=list)
    speculative: int = 0  # pending stretches transcribed ahead at a pause
    speculative_used: int = 0  # ... whose result was used (no speech came after)


class StreamingTranscriber:
    """Feed blocks while recording; ``finish()`` returns the transcript of the whole recording.

    The timeline is the count of samples fed (``start_s`` of the first block is its origin), which
    is exactly the timeline of the WAV file the recorder writes from the same blocks.
    """

    def __init__(
        self,
        transcriber: Transcriber,
        *,
        rate: int = 16000,
        vocabulary: Sequence[str] = (),
        min_chunk_s: float = 12.0,
        max_chunk_s: float = 25.0,
        long_gap_s: float = 0.9,
        max_backlog_s: float = 600.0,
        on_words: WordsCallback | None = None,
    ) -> None:
        if not 0 < min_chunk_s < max_chunk_s <= 30.0:
            raise ValueError("need 0 < min_chunk_s < max_chunk_s <= 30")
        self.transcriber = transcriber
        self.rate = int(rate)
        self.vocabulary = tuple(vocabulary)
        self.min_chunk_s = float(min_chunk_s)
        self.max_chunk_s = float(max_chunk_s)
        self.long_gap_s = float(long_gap_s)
        self.max_backlog_s = float(max_backlog_s)
        self.on_words = on_words
        self.stats = StreamStats()
        self.error: BaseException | None = None
        self.gave_up = False

        self._lock = threading.Condition()
        self._blocks: list[np.ndarray] = []  # fed, not yet taken by the worker
        self._fed = 0  # samples fed in total (the recording's length)
        self._new = 0  # samples fed since the worker last looked
        self._decided = 0  # samples already transcribed or found silent (the rest is backlog)
        self._finishing = False
        self._finished: Transcript | None = None

        # Owned by the worker thread only:
        self._pending = np.zeros(0, np.float32)
        self._pending_start = 0  # sample index of _pending[0] on the recording's timeline
        self._words: list[Word] = []
        self._regions: list[tuple[float, float]] = []
        self._model = ""
        self._noise_floor_db: float | None = None
        self._spec: tuple[int, int, Transcript] | None = None  # (start, length, result)

        self._thread = threading.Thread(target=self._run, name="coach-streaming", daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- caller side

    def feed(self, block: Any, start_s: float = 0.0) -> None:
        """Queue one block (float32 mono, or frames x channels); cheap, never transcribes.

        ``start_s`` is accepted for the recorder's callback signature; the timeline is the count
        of samples fed, which matches the recording file even if blocks were dropped upstream.
        """
        x = np.asarray(block, dtype=np.float32)
        if x.ndim > 1:
            x = x.mean(axis=1) if x.shape[1] > 1 else x.reshape(-1)
        with self._lock:
            if self._finishing or self.gave_up:
                return
            self._blocks.append(x.copy())
            self._fed += x.size
            self._new += x.size
            if self._fed - self._decided > self.max_backlog_s * self.rate:
                log.warning("streaming transcription gave up: it fell behind the recording")
                self.gave_up = True
                self._blocks.clear()
                self._lock.notify()
            elif self._new >= EVAL_EVERY_S * self.rate:
                self._lock.notify()

    __call__ = feed  # so a streamer can be passed directly as the recorder's on_block

    @property
    def duration_s(self) -> float:
        return self._fed / self.rate

    @property
    def backlog_s(self) -> float:
        """Seconds of audio fed but not yet transcribed (what ``finish()`` would still do)."""
        with self._lock:
            waiting = sum(b.size for b in self._blocks)
        return (waiting + self._pending.size) / self.rate

    @property
    def lag_s(self) -> float:
        """Seconds of audio fed that the worker has not looked at yet (it is busy transcribing).

        Live, this stays well under a second; a non-realtime source (tests, benchmarks) can hold
        the recorder's writer back while it is large to chunk exactly as a live recording would.
        """
        with self._lock:
            return sum(b.size for b in self._blocks) / self.rate

    def words(self) -> list[Word]:
        """The words transcribed so far (a copy; for a live transcript)."""
        with self._lock:
            return list(self._words)

    def finish(self) -> Transcript | None:
        """Transcribe what is left and return the whole recording's transcript.

        Returns ``None`` when streaming gave up or failed (see the module docstring): the caller
        then transcribes the recorded file instead. Safe to call more than once.
        """
        started = time.perf_counter()
        with self._lock:
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
            self._lock.notify()
        self._thread.join()

    # ----------------------------------------------------------------- worker side

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    while not (self._finishing or self.gave_up) and (
                        self._new < EVAL_EVERY_S * self.rate
                    ):
                        self._lock.wait()
                    blocks, self._blocks = self._blocks, []
                    waiting = sum(b.size for b in blocks) / self.rate
                    self.stats.max_lag_s = max(self.stats.max_lag_s, waiting)
                    self._new = 0
                    finishing, gave_up = self._finishing, self.gave_up
                if gave_up:
                    self._pending = np.zeros(0, np.float32)
                    return
                if blocks:
                    self._pending = np.concatenate([self._pending, *blocks])
                pending_s = self._pending.size / self.rate
                self.stats.max_pending_s = max(self.stats.max_pending_s, pending_s)
                while True:
                    cut = self._find_cut(final=finishing)
                    if cut is None:
                        break
                    self._take(self._align_to_spec(cut), tail=finishing)
                if finishing:
                    self._finished = self._transcript()
                    return
                with self._lock:
                    idle = not self._blocks
                if idle:
                    self._speculate()
        except BaseException as exc:  # reported through finish() -> None and .error
            log.warning("streaming transcription failed: %s", exc, exc_info=True)
            self.error = exc
            with self._lock:
                self._blocks.clear()
            self._pending = np.zeros(0, np.float32)

    def _find_cut(self, *, final: bool) -> int | None:
        """Where to end the next chunk (samples into ``_pending``), or None to wait for more."""
        x = self._pending
        n = x.size
        rate = self.rate
        if n == 0:
            return None
        if final and n <= self.max_chunk_s * rate:
            return n
        if n < 0.5 * rate:
            return None
        limit = min(n, int(self.max_chunk_s * rate))
        self._update_noise_floor(x)
        regions = vad.speech_regions(x, rate, min_gap_s=CUT_GAP_S)
        if not regions:
            if not self._has_sound(x) and n > 2 * rate:
                # Silence only (before the first word, or a long think): nothing to transcribe;
                # keep the last half second in case a word is just starting.
                return n - int(0.5 * rate)
            return self._quietest(x, limit) if n >= self.max_chunk_s * rate else None
        candidates: list[int] = []
        for (_, end), nxt in zip(regions, [*regions[1:], None], strict=True):
            gap_end = nxt[0] if nxt is not None else n / rate
            gap = gap_end - end
            if gap < CUT_GAP_S:
                continue
            cut = int((end + min(gap / 2, CUT_MARGIN_S)) * rate)
            if cut > limit:
                continue
            if cut >= self.min_chunk_s * rate or gap >= self.long_gap_s:
                candidates.append(cut)
        if candidates:
            return max(candidates)
        if n >= self.max_chunk_s * rate:
            return self._quietest(x, limit)
        return None

    def _quietest(self, x: np.ndarray, limit: int) -> int:
        """The quietest 100 ms in the second half of the allowed chunk (no gap was found)."""
        db = vad.frame_energy_db(x[:limit], self.rate)
        hop = int(vad.HOP_S * self.rate)
        smooth = np.convolve(db, np.ones(10) / 10, mode="same")
        lo = len(smooth) // 2
        best = lo + int(np.argmin(smooth[lo:]))
        return min(limit, best * hop + hop)

    def _update_noise_floor(self, x: np.ndarray) -> None:
        floor = float(np.percentile(vad.frame_energy_db(x, self.rate), 10))
        if self._noise_floor_db is None or floor < self._noise_floor_db:
            self._noise_floor_db = floor

    def _has_sound(self, x: np.ndarray) -> bool:
        """True when something rises above the recording's noise floor (speech may be there)."""
        if x.size == 0 or not np.any(x):
            return False
        loud = float(np.percentile(vad.frame_energy_db(x, self.rate), 98))
        floor = self._noise_floor_db if self._noise_floor_db is not None else -90.0
        return loud > max(vad.ABSOLUTE_FLOOR_DB, floor + 12.0)

    def _speculate(self) -> None:
        """At a pause, transcribe the pending stretch ahead of time, in case it is the last.

        Most people press stop a moment after their last word. If the pending stretch is
        already transcribed then and nothing but silence followed, ``finish()`` has nothing
        left to do. If speech follows, the result is dropped (or reused if the next cut falls
        in the same silence). Costs CPU only while the speaker pauses.
        """
        x = self._pending
        n = x.size
        if n < 0.5 * self.rate or (self._spec is not None and self._spec_usable(n)):
            return
        regions = vad.speech_regions(x, self.rate, min_gap_s=CUT_GAP_S)
        if not regions:
            return
        end = regions[-1][1]
        trailing = n / self.rate - end
        # Once min_chunk_s is pending the cut comes at this pause anyway and will reuse the
        # result (see _align_to_spec); before that, a look-ahead is wasted whenever speech
        # resumes, so wait for a pause that more likely ends the answer.
        due = n >= self.min_chunk_s * self.rate
        if trailing < (SPEC_GAP_S if due else SPEC_SHORT_GAP_S):
            return
        cut = min(n, int((end + min(trailing, CUT_MARGIN_S)) * self.rate))
        began = time.perf_counter()
        result = self.transcriber.transcribe_array(
            x[:cut], offset_s=self._pending_start / self.rate, vocabulary=self.vocabulary
        )
        self.stats.transcribe_s += time.perf_counter() - began
        self.stats.speculative += 1
        self._spec = (self._pending_start, cut, result)

    def _spec_usable(self, cut: int) -> bool:
        """True if the speculative result covers ``_pending[:cut]``: same start, and only
        silence between its end and ``cut``."""
        if self._spec is None:
            return False
        start, length, _ = self._spec
        if start != self._pending_start or length > cut:
            return False
        rest = self._pending[length:cut]
        if rest.size == 0:
            return True
        return not vad.speech_regions(rest, self.rate) and not self._has_sound(rest)

    def _align_to_spec(self, cut: int) -> int:
        """Move ``cut`` to the end of the look-ahead result when both fall in the same silence.

        The look-ahead starts at a 0.2 s pause and ends up to 0.25 s after the last word; the cut
        found a moment later (gap >= 0.3 s) may land a few hundred ms earlier or later in the same
        pause. Without this, the look-ahead (a full Whisper call) would be thrown away and the
        same stretch transcribed again, which is what made the worker fall behind.
        """
        if self._spec is None:
            return cut
        start, length, _ = self._spec
        if start != self._pending_start or length <= cut or length > self._pending.size:
            return cut
        between = self._pending[cut:length]
        if vad.speech_regions(between, self.rate) or self._has_sound(between):
            return cut
        return length

    def _take(self, cut: int, *, tail: bool) -> None:
        """Transcribe ``_pending[:cut]`` (if it holds speech) and drop it from memory."""
        spec = self._spec if self._spec_usable(cut) else None
        self._spec = None
        chunk = self._pending[:cut]
        start = self._pending_start
        self._pending = self._pending[cut:].copy()
        self._pending_start += cut
        with self._lock:
            self._decided = self._pending_start
        offset = start / self.rate
        end_s = (start + chunk.size) / self.rate
        regions = [(offset + a, offset + b) for a, b in vad.speech_regions(chunk, self.rate)]
        self._merge_regions(regions)
        if not regions and not self._has_sound(chunk):
            self.stats.skipped_silent += 1
            return
        if spec is not None:
            result = spec[2]
            self.stats.speculative_used += 1
        else:
            began = time.perf_counter()
            result = self.transcriber.transcribe_array(
                chunk, offset_s=offset, vocabulary=self.vocabulary
            )
            self.stats.transcribe_s += time.perf_counter() - began
            if tail:
                self.stats.tail_s += chunk.size / self.rate
        self.stats.chunks += 1
        self.stats.chunk_lengths.append(round(chunk.size / self.rate, 2))
        self._model = result.model or self._model
        new = self._place(result.words, offset, end_s)
        with self._lock:
            self._words.extend(new)
        if new and self.on_words is not None:
            try:
                self.on_words(new)
            except Exception:  # a broken display must not stop transcription
                log.warning("on_words callback failed; live transcript disabled", exc_info=True)
                self.on_words = None

    def _place(self, words: Sequence[Word], start_s: float, end_s: float) -> list[Word]:
        """Keep words inside their chunk and in order after the words already placed."""
        placed: list[Word] = []
        floor = max(start_s, self._words[-1].end if self._words else 0.0)
        for w in words:
            s = min(max(w.start, floor), end_s)
            e = min(max(w.end, s), end_s)
            placed.append(Word(w.text, round(s, 3), round(e, 3), w.prob))
            floor = s
        return placed

    def _merge_regions(self, regions: list[tuple[float, float]]) -> None:
        for a, b in regions:
            if self._regions and a - self._regions[-1][1] < vad.MIN_GAP_S:
                self._regions[-1] = (self._regions[-1][0], b)
            else:
                self._regions.append((a, b))

    def _transcript(self) -> Transcript:
        with self._lock:
            words = tuple(self._words)
            duration = self._fed / self.rate
        return Transcript(
            words=words,
            duration_s=round(duration, 3),
            speech_regions=tuple((round(a, 3), round(b, 3)) for a, b in self._regions),
            model=self._model or str(getattr(self.transcriber, "model_name", "")),
            no_speech=not words,
        )
