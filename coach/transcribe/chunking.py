"""Cut a recording into chunks of speech at silences, by a rule that depends on the audio alone.

A file and a live take must give the same words, so they must be cut in the same places. Where
a cut falls therefore never depends on when a worker thread happened to look, nor on how the
audio was split into blocks: samples go through :class:`SpeechChunker` in whatever pieces they
arrive (the whole decoded file at once, or the microphone's 0.1 s blocks), and it returns the
same chunks.

* Voice activity is Silero VAD (the ONNX model faster-whisper ships, ``faster_whisper.vad``): one
  speech probability per 32 ms window, computed with the model's recurrent state carried from
  window to window, which makes it causal and bit-identical however the audio is blocked
  (tested). It rejects noise bursts, clicks and hum that an energy detector takes for speech,
  which is where Whisper invents words.
* A chunk begins ~0.3 s before its first speech and ends ~0.3 s after the speech before a
  silence of at least ``CUT_GAP_S``, once it holds ``MIN_CHUNK_S`` of audio; a silence of
  ``LONG_GAP_S`` or more ends it whatever its length (a long think is not sent to Whisper, which
  invents text in silence). Without any such silence by ``MAX_CHUNK_S`` (one Whisper window is
  30 s) it is cut in the quietest stretch of its second half. Silence between chunks is never
  decoded.
* :meth:`SpeechChunker.flush` closes the last chunk at the end of its speech, so a recording's
  trailing silence changes nothing; :meth:`SpeechChunker.preview` says what ``flush`` would
  return if the audio ended now, which the live path transcribes ahead during a pause.

Memory holds only the open chunk (at most ``MAX_CHUNK_S``), whatever the recording's length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16000
WINDOW = 512  # Silero's window at 16 kHz: 32 ms
CONTEXT = 64  # samples of the previous window the model sees with each one
ON_PROB = 0.5  # a window this likely to be speech starts speech ...
OFF_PROB = 0.35  # ... and speech goes on until one falls below this (hysteresis)
LEAD_WINDOWS = 9  # ~0.29 s kept before a chunk's first speech (soft onsets Silero hears late)
TAIL_WINDOWS = 9  # ~0.29 s kept after the last speech before a cut (soft word endings)
QUIET_WINDOWS = 9  # ~0.29 s: the stretch a cut inside speech looks for the quietest of
MIN_CHUNK_S = 12.0  # a chunk is cut at the first pause after this much audio ...
CUT_GAP_S = 0.4  # ... of at least this long (longer than the tail: it must be heard already)
LONG_GAP_S = 2.0  # a silence this long ends a chunk whatever its length
MAX_CHUNK_S = 28.0  # a chunk fits one 30 s Whisper window, with room for padding
MIN_GAP_S = 0.75  # shorter silences (commas, breaths, stops) belong to the flow of speech


@dataclass(frozen=True)
class Chunk:
    """A stretch of the recording to transcribe: ``samples`` start at sample ``start``."""

    start: int
    samples: np.ndarray
    probs: np.ndarray  # Silero's speech probability of each 32 ms window from ``start`` on
    final: bool = False

    @property
    def end(self) -> int:
        return self.start + self.samples.size

    @property
    def start_s(self) -> float:
        return self.start / SAMPLE_RATE

    @property
    def end_s(self) -> float:
        return self.end / SAMPLE_RATE

    @property
    def key(self) -> tuple[int, int]:
        """Identifies the audio: the same key means the same samples of the same recording."""
        return (self.start, self.end)


class SpeechProbabilities:
    """Silero VAD run incrementally: ``push`` samples, get one probability per full window."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model  # onnxruntime; loaded once per process

        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._rest = np.zeros(0, np.float32)

    def push(self, samples: np.ndarray) -> np.ndarray:
        x = np.concatenate([self._rest, np.asarray(samples, np.float32).reshape(-1)])
        n = x.size // WINDOW
        self._rest = x[n * WINDOW :]
        if n == 0:
            return np.zeros(0, np.float32)
        return self._run(x[: n * WINDOW].reshape(n, WINDOW))

    def flush(self) -> np.ndarray:
        """The probability of a last partial window (zero-padded), if any."""
        if self._rest.size == 0:
            return np.zeros(0, np.float32)
        last = np.zeros((1, WINDOW), np.float32)
        last[0, : self._rest.size] = self._rest
        self._rest = np.zeros(0, np.float32)
        return self._run(last)

    def _run(self, windows: np.ndarray) -> np.ndarray:
        previous = np.concatenate([self._context[None, :], windows[:-1, -CONTEXT:]], axis=0)
        batch = np.concatenate([previous, windows], axis=1)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self._context = windows[-1, -CONTEXT:].copy()
        return np.asarray(out, np.float32).reshape(-1)


class SpeechChunker:
    """Feed samples with :meth:`push`; it returns the chunks that audio closed.

    The timeline is the count of samples pushed (sample 0 is the recording's first sample).
    """

    def __init__(self, *, min_chunk_s: float = MIN_CHUNK_S) -> None:
        if not 0 < min_chunk_s < MAX_CHUNK_S:
            raise ValueError(f"need 0 < min_chunk_s < {MAX_CHUNK_S}")
        self.min_chunk = int(min_chunk_s * SAMPLE_RATE)
        self.max_chunk = int(MAX_CHUNK_S * SAMPLE_RATE)
        self.cut_gap = _windows(CUT_GAP_S)
        self.long_gap = _windows(LONG_GAP_S)
        self.lead = LEAD_WINDOWS * WINDOW
        self.tail = TAIL_WINDOWS * WINDOW
        self._vad = SpeechProbabilities()
        self._audio = np.zeros(0, np.float32)  # samples from _origin on
        self._origin = 0  # timeline sample of _audio[0]
        self._probs: list[float] = []  # one per window from window _first_window on
        self._first_window = 0
        self._speaking = False
        self._open: int | None = None  # timeline sample where the open chunk begins
        self._last_speech_end = 0  # timeline sample after the last speech window
        self._silent_windows = 0  # consecutive silent windows since the last speech
        self._total = 0
        self._floor = 0  # nothing before this timeline sample is needed again
        self.windows_seen = 0

    # ----------------------------------------------------------------- feeding

    def push(self, samples: np.ndarray) -> list[Chunk]:
        """Add audio; return the chunks it closed (in order)."""
        x = np.asarray(samples, np.float32).reshape(-1)
        self._audio = np.concatenate([self._audio, x])
        self._total += x.size
        out: list[Chunk] = []
        for p in self._vad.push(x):
            chunk = self._step(float(p))
            if chunk is not None:
                out.append(chunk)
        self._trim()
        return out

    def flush(self) -> list[Chunk]:
        """The recording ended: close the open chunk at the end of its speech."""
        out: list[Chunk] = []
        for p in self._vad.flush():
            chunk = self._step(float(p))
            if chunk is not None:
                out.append(chunk)
        last = self.preview()
        if last is not None:
            out.append(last)
        self._open = None
        self._trim()
        return out

    def preview(self) -> Chunk | None:
        """What ``flush()`` would return as the last chunk if the audio ended now."""
        if self._open is None:
            return None
        end = min(self._total, self._last_speech_end + self.tail)
        if self._speaking:
            end = self._total
        if end <= self._open:
            return None
        return Chunk(self._open, self._slice(self._open, end), self._probs_of(self._open, end),
                     final=True)

    @property
    def pending_s(self) -> float:
        """Seconds of audio in the open chunk (what a stop now would leave to transcribe)."""
        return 0.0 if self._open is None else (self._total - self._open) / SAMPLE_RATE

    @property
    def silent_s(self) -> float:
        """How long the speaker has been silent (0 while speaking)."""
        return self._silent_windows * WINDOW / SAMPLE_RATE

    # ----------------------------------------------------------------- the rule

    def _step(self, p: float) -> Chunk | None:
        """Advance by one 32 ms window of probability ``p``; maybe close a chunk."""
        index = self.windows_seen
        self.windows_seen += 1
        self._probs.append(p)
        w_start = index * WINDOW
        w_end = w_start + WINDOW
        speech = p >= ON_PROB or (self._speaking and p >= OFF_PROB)
        self._speaking = speech
        if speech:
            if self._open is None:
                self._open = max(0, w_start - self.lead, self._floor)
            self._last_speech_end = w_end
            self._silent_windows = 0
        else:
            self._silent_windows += 1
        if self._open is None:
            return None
        length = w_end - self._open
        if not speech and self._silent_windows >= self.cut_gap:
            long_gap = self._silent_windows >= self.long_gap
            if length >= self.min_chunk or long_gap:
                return self._cut(self._last_speech_end + self.tail, reopen=False)
        if length >= self.max_chunk:
            return self._cut(self._quietest_cut(w_end), reopen=True)
        return None

    def _cut(self, end: int, *, reopen: bool) -> Chunk:
        start = self._open if self._open is not None else end
        end = max(end, start + 1)
        chunk = Chunk(start, self._slice(start, end), self._probs_of(start, end))
        self._floor = end
        # A forced cut falls inside speech: the next chunk begins right there.
        self._open = end if reopen else None
        return chunk

    def _quietest_cut(self, limit: int) -> int:
        """The middle of the quietest 0.3 s in the second half of the open chunk."""
        assert self._open is not None
        first = -(-(self._open + self.max_chunk // 2) // WINDOW)  # first window in 2nd half
        at = quietest(np.asarray(self._probs[first - self._first_window :]))
        return limit if at is None else (first + at) * WINDOW

    # ----------------------------------------------------------------- memory

    def _probs_of(self, start: int, end: int) -> np.ndarray:
        first = start // WINDOW - self._first_window
        last = -(-end // WINDOW) - self._first_window
        return np.asarray(self._probs[first:last], np.float32)

    def _slice(self, start: int, end: int) -> np.ndarray:
        return self._audio[start - self._origin : end - self._origin].copy()

    def _trim(self) -> None:
        """Drop audio no chunk can need any more (before the open chunk, or the lead)."""
        keep = self._open if self._open is not None else max(self._floor,
                                                             self.windows_seen * WINDOW - self.lead)
        keep = max(self._origin, min(keep, self._total))
        if keep > self._origin:
            self._audio = self._audio[keep - self._origin :]
            self._origin = keep
        first_needed = keep // WINDOW
        if first_needed > self._first_window:
            del self._probs[: first_needed - self._first_window]
            self._first_window = first_needed


def speech_regions(probs: np.ndarray) -> list[tuple[float, float]]:
    """The stretches of speech in a chunk, in seconds from its start: Silero's windows with the
    chunker's hysteresis, silences shorter than ``MIN_GAP_S`` bridged.

    Speaking time, pauses, the word guards and the pitch all measure these, and the same
    probabilities decide the cuts: one detector says where speech is (it measured closer to
    the truth than the energy detector it replaced, benchmarks/RESULTS-accuracy.md)."""
    step = WINDOW / SAMPLE_RATE
    speaking, windows = False, []
    for k, p in enumerate(probs):
        speaking = bool(p >= ON_PROB or (speaking and p >= OFF_PROB))
        if speaking:
            windows.append((round(k * step, 3), round((k + 1) * step, 3)))
    return join_regions(windows)


def join_regions(regions: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Regions in time order, those less than ``MIN_GAP_S`` apart made one."""
    out: list[tuple[float, float]] = []
    for a, b in regions:
        if out and a - out[-1][1] < MIN_GAP_S:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def speech_regions_of(samples: np.ndarray) -> list[tuple[float, float]]:
    """The speech of a whole recording in seconds, as its transcript's ``speech_regions`` are:
    each chunk's regions on the recording's timeline, joined across the cuts."""
    return join_regions((c.start_s + a, c.start_s + b)
                        for c in chunk_audio(samples) for a, b in speech_regions(c.probs))


def quietest(probs: np.ndarray) -> int | None:
    """The window in the middle of the quietest 0.3 s of ``probs`` (the latest of equally quiet
    stretches), or None when they are no longer than that: where a stretch of speech is cut."""
    if probs.size <= QUIET_WINDOWS:
        return None
    smooth = np.convolve(probs, np.ones(QUIET_WINDOWS) / QUIET_WINDOWS, mode="valid")
    return smooth.size - 1 - int(np.argmin(smooth[::-1])) + QUIET_WINDOWS // 2


def _windows(seconds: float) -> int:
    return max(1, round(seconds * SAMPLE_RATE / WINDOW))


def chunk_audio(samples: np.ndarray, min_chunk_s: float = MIN_CHUNK_S) -> list[Chunk]:
    """All chunks of a whole recording (what the live path produces from the same samples).

    Pushed 30 s at a time, as a recording arrives, so Silero's batches stay small whatever the
    file's length."""
    chunker = SpeechChunker(min_chunk_s=min_chunk_s)
    step = 30 * SAMPLE_RATE
    chunks = [c for i in range(0, samples.size, step) for c in chunker.push(samples[i : i + step])]
    return chunks + chunker.flush()
