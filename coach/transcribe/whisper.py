"""Local transcription with faster-whisper, the same way for a file and for a live take.

Every recording, whether a file given to ``coach analyze`` or audio arriving from the
microphone, goes through the same three steps, so the same audio always gives the same words at
the same times:

1. ``SpeechChunker`` (``coach.transcribe.chunking``) cuts it into chunks of speech, in silence,
   by a rule that depends on the audio alone; silence between chunks is never decoded.
2. ``Transcriber.decode_chunk`` decodes each chunk as one Whisper window (``window.py``: the
   chunk and 12 s of padding), with the words the previous chunk ended on as context. When a
   decoding skips speech (Whisper ends a window early or jumps ahead inside it now and then,
   and its usual cure, seeking, is what lost speech before), the chunk is heard again in
   halves (``Transcriber._hear``). The guards of ``guards.py`` then drop invented text and
   align word edges with the speech.
3. ``Transcriber.assemble`` puts the chunks' words and speech on the recording's timeline.

Decoding keeps what a speaking coach must hear: Whisper drops "um" and "uh" by default, so a
short verbatim prompt of fillers is passed as the initial prompt and as ``hotwords`` together
with the prompt's technical vocabulary (measured against plain faster-whisper in
``benchmarks/RESULTS-accuracy.md``).

The model is loaded once per ``Transcriber`` and reused for every chunk. CTranslate2 gives the
same result whatever its thread count, so the app (which streams with the model it loaded) and
the command line agree.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from coach.audio.decode import SAMPLE_RATE, decode_audio
from coach.core.model import Transcript, Word
from coach.errors import CoachError
from coach.transcribe import chunking, guards
from coach.transcribe.chunking import WINDOW, Chunk
from coach.transcribe.models import is_local, resolve_model
from coach.transcribe.window import PADDING_S, Decoding, Segment, WindowDecoder

FILLER_PROMPT = "Um, uh, so, like, you know, er..."
CONTEXT_CHARS = 400  # how much of what was said before a window Whisper is given
LOST_S = 2.0  # speech without a word that is heard again in halves (what counts as lost speech)
REHEAR_DEPTH = 2  # halves, then quarters at most
MAX_WORD_S = 1.2  # a word "covers" at most this long from its start when looking for holes
WORD_EDGE_S = 0.25  # ... and this much around it (Silero's windows run past word edges)
MIN_HALF_S = 1.0  # neither half of a re-heard stretch is shorter than this
RawWord = tuple[str, float, float, float]  # text, start, end, probability
Progress = Callable[[float], None]


@dataclass(frozen=True)
class DecodeOptions:
    """The decoding choices the accuracy benchmark compares (``benchmarks/accuracy.py``)."""

    filler_prompt: str | None = FILLER_PROMPT  # as initial prompt and hotwords; None: neither
    vocabulary_in_hotwords: bool = True
    rehear: bool = True  # hear again in halves a stretch whose decoding left speech unheard
    guards: bool = True  # drop invented text, align word edges with the speech
    padding_s: float = PADDING_S  # after a chunk in its Whisper window (30: a full window)


@dataclass(frozen=True)
class ChunkText:
    """What one chunk said, on the recording's timeline."""

    words: tuple[Word, ...]
    regions: tuple[tuple[float, float], ...]  # speech in the chunk (from its own audio)
    text: str  # the decoded text, the next chunk's context


def default_threads() -> int:
    """One CTranslate2 thread per core (its own default of 4 oversubscribes a 2-core laptop)."""
    return max(1, min(4, os.cpu_count() or 1))


class Transcriber:
    """faster-whisper loaded once (int8 on CPU); transcribes files, arrays and chunks."""

    def __init__(
        self, model: str = "default", *, threads: int = 0, options: DecodeOptions | None = None
    ) -> None:
        self.model_name = model or "default"
        self.model_ref = resolve_model(model)
        self.threads = threads or default_threads()
        self.options = options or DecodeOptions()
        self._model: Any = None
        self._decoder: WindowDecoder | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ loading

    def load(self) -> Any:
        """Load the model on first use (0.4 s for the default) and keep it."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
                self._decoder = WindowDecoder(self._model)
            return self._model

    def _load(self) -> Any:
        from faster_whisper import WhisperModel  # lazy: keeps `coach --help` fast

        def build(local_only: bool) -> Any:
            return WhisperModel(
                self.model_ref, device="cpu", compute_type="int8",
                cpu_threads=self.threads, local_files_only=local_only,
            )

        local = is_local(self.model_name)
        try:
            try:  # a named model already in the cache loads without asking the network
                return build(True)
            except Exception:
                if local:
                    raise
                return build(False)  # the user named a model that is not on disk: download
        except Exception as exc:  # CTranslate2/HF raise many types; the user needs one line
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if local:
                raise CoachError(f"could not load model folder {self.model_ref}: {detail}") from exc
            raise CoachError(
                f"could not load model {self.model_ref} (downloading it needs internet once): "
                f"{detail}"
            ) from exc

    @property
    def decoder(self) -> WindowDecoder:
        self.load()
        assert self._decoder is not None
        return self._decoder

    # ------------------------------------------------------------------ the one path

    def decode_chunk(
        self,
        chunk: Chunk,
        *,
        vocabulary: Sequence[str] = (),
        previous: ChunkText | None = None,
        options: DecodeOptions | None = None,
    ) -> ChunkText:
        """Decode one chunk; the result depends on its audio, vocabulary and ``previous`` only."""
        opts = options or self.options
        offset = chunk.start_s
        regions = chunking.speech_regions(chunk.probs)
        context = previous.text if previous is not None else ""
        raw, texts = self._hear(chunk.samples, chunk.probs, _decoding(opts, vocabulary),
                                context, opts, REHEAR_DEPTH)
        words = guards.join_tokens(raw)
        if opts.guards:
            words = [w for w in words if guards.in_speech(w, regions)]
            words = guards.lone_soundalikes_as_hesitations(words, regions)
            words = guards.snap_to_speech(words, regions)
        words = guards.spread_overlaps(words)
        duration = chunk.samples.size / SAMPLE_RATE
        placed = _place(words, offset, duration)
        return ChunkText(
            words=tuple(placed),
            regions=tuple((round(a + offset, 3), round(b + offset, 3)) for a, b in regions),
            text=" ".join(texts),
        )

    def _hear(
        self, samples: np.ndarray, probs: np.ndarray, how: Decoding, context: str,
        opts: DecodeOptions, depth: int,
    ) -> tuple[list[RawWord], list[str]]:
        """The words of a stretch of speech (times from its start) and the texts decoded.

        A prompted decoding now and then skips a stretch of speech inside a window and
        stretches the neighbouring words over it (an 11 s hole in a 20 s chunk, with "if" and
        "it's" 4.4 s long each). When that leaves ``LOST_S`` of speech without a word, the
        stretch is heard again in two halves cut at its quietest moment, and the halves are
        kept if they leave less speech unheard. The cut depends on the audio alone."""
        raw, texts = self._decode(samples, how, context, opts)
        if depth <= 0 or not opts.rehear or _unheard_s(probs, raw) < LOST_S:
            return raw, texts
        cut = _quietest_window(probs)
        if cut is None:
            return raw, texts
        at = cut * WINDOW
        first, first_texts = self._hear(samples[:at], probs[:cut], how, context, opts, depth - 1)
        later_context = " ".join([context, *first_texts]).strip()
        second, second_texts = self._hear(samples[at:], probs[cut:], how, later_context, opts,
                                          depth - 1)
        offset = at / SAMPLE_RATE
        halves = first + [(t, a + offset, b + offset, p) for t, a, b, p in second]
        if _unheard_s(probs, halves) < _unheard_s(probs, raw):
            return halves, first_texts + second_texts
        return raw, texts

    def _decode(
        self, samples: np.ndarray, how: Decoding, context: str, opts: DecodeOptions
    ) -> tuple[list[RawWord], list[str]]:
        """One decoding of a stretch of at most one window (times from its start)."""
        raw: list[RawWord] = []
        texts: list[str] = []
        decoder = self.decoder
        encoded = decoder.encode(samples, opts.padding_s)
        for seg in decoder.decode(encoded, how, context[-CONTEXT_CHARS:]):
            if opts.guards and not _kept(seg):
                continue
            raw += [(w.text, w.start, w.end, w.prob) for w in seg.words]
            texts.append(seg.text.strip())
        return raw, texts

    def assemble(self, parts: Iterable[ChunkText], duration_s: float) -> Transcript:
        """The whole recording's transcript from its chunks, in order (chunks do not overlap
        and ``_place`` keeps each one's words inside it, so the words are in order too)."""
        words: list[Word] = []
        regions: list[tuple[float, float]] = []
        for part in parts:
            words += part.words
            regions += part.regions
        regions = chunking.join_regions(regions)
        return Transcript(tuple(words), round(duration_s, 3), tuple(regions), self.model_name,
                          no_speech=not words)

    # ------------------------------------------------------------------ public API

    def transcribe_file(
        self,
        path: str | Path,
        *,
        vocabulary: Sequence[str] = (),
        on_progress: Progress | None = None,
        options: DecodeOptions | None = None,
    ) -> Transcript:
        """Transcribe an audio file of any format PyAV decodes."""
        samples = decode_audio(path)
        return self.transcribe_array(samples, vocabulary=vocabulary, on_progress=on_progress,
                                     options=options)

    def transcribe_array(
        self,
        samples: np.ndarray,
        *,
        vocabulary: Sequence[str] = (),
        on_progress: Progress | None = None,
        options: DecodeOptions | None = None,
    ) -> Transcript:
        """Transcribe mono float32 16 kHz ``samples``: what streaming does, all at once."""
        opts = options or self.options
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        duration = samples.size / SAMPLE_RATE
        parts: list[ChunkText] = []
        chunks = chunking.chunk_audio(samples)
        for chunk in chunks:
            previous = parts[-1] if parts else None
            parts.append(self.decode_chunk(chunk, vocabulary=vocabulary, previous=previous,
                                           options=opts))
            if on_progress and duration > 0:
                on_progress(min(1.0, chunk.end_s / duration))
        if on_progress:
            on_progress(1.0)
        return self.assemble(parts, duration)


def _decoding(opts: DecodeOptions, vocabulary: Sequence[str]) -> Decoding:
    parts = [opts.filler_prompt] if opts.filler_prompt else []
    terms = [t.strip() for t in vocabulary if t and t.strip()]
    if opts.vocabulary_in_hotwords and terms:
        parts.append(", ".join(dict.fromkeys(terms)) + ".")
    return Decoding(initial_prompt=opts.filler_prompt, hotwords=" ".join(parts) or None)


def _kept(seg: Segment) -> bool:
    return guards.keep_segment(
        words=seg.words, start=seg.start, end=seg.end, no_speech_prob=seg.no_speech_prob,
        avg_logprob=seg.avg_logprob, compression_ratio=seg.compression_ratio,
    )


def _unheard_s(probs: np.ndarray, raw: Sequence[RawWord]) -> float:
    """Seconds of speech (Silero's windows) that no word is near. A word counts for at most
    ``MAX_WORD_S`` from its start: a word stretched over seconds is a sign of skipped speech,
    not of a long word."""
    centres = (np.arange(probs.size) + 0.5) * WINDOW / SAMPLE_RATE
    heard = np.zeros(probs.size, bool)
    for _text, start, end, _p in raw:
        heard |= (centres >= start - WORD_EDGE_S) & (
            centres <= min(end, start + MAX_WORD_S) + WORD_EDGE_S)
    return float(np.sum((probs >= chunking.ON_PROB) & ~heard)) * WINDOW / SAMPLE_RATE


def _quietest_window(probs: np.ndarray) -> int | None:
    """Where to cut a stretch in two: the middle of its quietest 0.3 s (a pause, if it has
    one), at least ``MIN_HALF_S`` from each end."""
    margin = round(MIN_HALF_S * SAMPLE_RATE / WINDOW)
    at = chunking.quietest(probs[margin:-margin]) if probs.size > 2 * margin else None
    return None if at is None else margin + at


def _place(words: Sequence[Word], offset: float, duration: float) -> list[Word]:
    """Shift words onto the recording's timeline, inside their chunk and in order."""
    placed: list[Word] = []
    floor = 0.0
    for w in words:
        s = min(max(w.start, floor), duration)
        e = min(max(w.end, s), duration)
        placed.append(Word(w.text, round(s + offset, 3), round(e + offset, 3), w.prob))
        floor = s
    return placed
