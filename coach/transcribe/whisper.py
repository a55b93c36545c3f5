"""Local transcription with faster-whisper, tuned to keep what a speaking coach must hear.

Whisper is trained on cleaned-up transcripts: by default it drops "um" and "uh" and, on silence,
invents a polite "Thank you." Both would make the coach lie. So:

* a short verbatim prompt of fillers is passed as ``hotwords`` (which reach every 30 s window;
  ``initial_prompt`` reaches only the first unless conditioning is on) together with the
  prompt's technical vocabulary, and ``condition_on_previous_text=False`` so one window's
  wording cannot leak into the next (the usual source of repeated text);
* the energy VAD (``coach.audio.vad``) decides where there is speech: a recording with none is
  never sent to the model, and words that lie wholly in a stretch the VAD calls silent are
  dropped, as are segments Whisper itself rates as probably-no-speech with low confidence, highly
  repetitive ones, and unsure ones with more words than their time allows;
* word edges are aligned with the speech the VAD heard, so pauses and pace measured from word
  gaps are honest.

The model is loaded once per ``Transcriber`` and reused for every file and every chunk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from coach.audio.decode import SAMPLE_RATE, decode_audio
from coach.audio.vad import speech_regions
from coach.core.model import Transcript, Word
from coach.errors import CoachError
from coach.transcribe.models import is_local, resolve_model

FILLER_PROMPT = "Um, uh, so, like, you know, er..."
EDGE_SNAP_S = 0.5
Progress = Callable[[float], None]


@dataclass(frozen=True)
class DecodeOptions:
    """The decoding choices, in one place so the benchmark can compare them."""

    beam_size: int = 5
    filler_prompt: str = FILLER_PROMPT
    prompt_as: str = "hotwords"  # "hotwords" | "initial_prompt" | "both" | "none"
    vocabulary_in_hotwords: bool = True
    condition_on_previous_text: bool = False
    vad_filter: bool = False  # faster-whisper's Silero VAD (our energy VAD always runs)
    drop_words_in_silence: bool = True
    silence_pad_s: float = 0.25  # a word may reach this far outside a VAD region
    snap_to_speech: bool = True  # align word edges with the VAD's speech edges
    no_speech_prob_max: float = 0.6  # with avg_logprob below the next: drop the segment
    avg_logprob_min: float = -1.0
    compression_ratio_max: float = 2.4  # above: repetitive, hallucinated text
    min_seconds_per_word: float = 0.12  # an unsure segment faster than this is invented


PLAIN = DecodeOptions(
    prompt_as="none", vocabulary_in_hotwords=False, condition_on_previous_text=True,
    drop_words_in_silence=False, snap_to_speech=False, no_speech_prob_max=2.0,
    compression_ratio_max=1e9, min_seconds_per_word=0.0,
)


def _hotwords(options: DecodeOptions, vocabulary: Sequence[str]) -> str | None:
    parts: list[str] = []
    if options.prompt_as in ("hotwords", "both"):
        parts.append(options.filler_prompt)
    if options.vocabulary_in_hotwords:
        terms = [t.strip() for t in vocabulary if t and t.strip()]
        if terms:
            parts.append(", ".join(dict.fromkeys(terms)) + ".")
    return " ".join(parts) or None


def _join_tokens(raw: list[tuple[str, float, float, float]]) -> list[Word]:
    """One Word per spoken word: glue sub-word pieces (" B" + "-tree") and stray punctuation."""
    words: list[Word] = []
    for text, start, end, prob in raw:
        stripped = text.strip()
        if not stripped:
            continue
        glue = words and (not text[:1].isspace() or not any(c.isalnum() for c in stripped))
        if glue:
            prev = words[-1]
            words[-1] = Word(prev.text + stripped, prev.start, max(prev.end, end),
                             min(prev.prob, prob))
        else:
            words.append(Word(stripped, start, end, prob))
    return words


def _impossibly_fast(seg: Any, opts: DecodeOptions) -> bool:
    """A low-confidence segment with more words than its time allows is invented text.

    Whisper's favourite: "We'll see you next week." squeezed into the last 0.2 s of a buffer
    that ends right after the speech (as every streaming chunk does).
    """
    words = [w for w in seg.words or () if w.word.strip()]
    if not words:
        return False
    unsure = seg.no_speech_prob > 0.3 or seg.avg_logprob < -0.8
    return unsure and (seg.end - seg.start) < opts.min_seconds_per_word * len(words)


def _in_speech(word: Word, regions: Sequence[tuple[float, float]], pad: float) -> bool:
    """True if the word's span touches speech. Whisper's word times are loose (a word often
    swallows the pause before it), so any overlap counts; a word wholly inside silence does not."""
    return any(word.start - pad <= e and word.end + pad >= s for s, e in regions)


def _region_at(regions: Sequence[tuple[float, float]], t: float) -> int | None:
    for k, (s, e) in enumerate(regions):
        if s <= t <= e:
            return k
    return None


def _snap_to_speech(words: list[Word], regions: Sequence[tuple[float, float]]) -> list[Word]:
    """Align word edges with the speech the VAD heard, so pauses and pace come out honest.

    Whisper's word times are loose: a word often swallows the pause before it ("what" from
    4.5 s to 5.7 s when it is spoken at 5.4 s), and the first word after a pause tends to
    start late. Pauses and pace are measured from word gaps, so:

    * a word edge that lies in a stretch the VAD calls silent moves onto the speech inside the
      word (a start to where speech resumes, an end to where it stopped);
    * the first word of a stretch of speech starts where that stretch starts, and the last
      ends where it ends, when they are within ``EDGE_SNAP_S`` of it.
    """
    if not regions:
        return words
    out: list[Word] = []
    for w in words:
        start, end = w.start, w.end
        if _region_at(regions, start) is None:
            later = [s for s, _ in regions if start < s < end]
            if later:
                start = later[0]
        if _region_at(regions, end) is None:
            earlier = [e for _, e in regions if start < e < end]
            if earlier:
                end = earlier[-1]
        out.append(Word(w.text, start, max(start, end), w.prob))

    owner = [_region_at(regions, (w.start + w.end) / 2) for w in out]
    for k, (s, e) in enumerate(regions):
        members = [i for i, r in enumerate(owner) if r == k]
        if not members:
            continue
        first, last = members[0], members[-1]
        prev_end = out[first - 1].end if first > 0 else -1.0
        if 0 < out[first].start - s <= EDGE_SNAP_S and s >= prev_end:
            out[first] = replace(out[first], start=s)
        next_start = out[last + 1].start if last + 1 < len(out) else float("inf")
        if 0 < e - out[last].end <= EDGE_SNAP_S and e <= next_start:
            out[last] = replace(out[last], end=e)
    return out


class Transcriber:
    """faster-whisper loaded once (int8 on CPU); transcribes files and in-memory chunks."""

    def __init__(
        self, model: str = "default", *, threads: int = 0, options: DecodeOptions | None = None
    ) -> None:
        self.model_name = model or "default"
        self.model_ref = resolve_model(model)
        self.threads = threads
        self.options = options or DecodeOptions()
        self._model: Any = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ loading

    def load(self) -> Any:
        """Load the model on first use (0.4 s for the default) and keep it."""
        with self._lock:
            if self._model is None:
                self._model = self._load()
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
            if local:
                return build(True)
            try:  # a named model already in the cache loads without asking the network
                return build(True)
            except Exception:
                return build(False)  # the user named a model that is not on disk: download
        except Exception as exc:  # CTranslate2/HF raise many types; the user needs one line
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if local:
                raise CoachError(f"could not load model folder {self.model_ref}: {detail}") from exc
            raise CoachError(
                f"could not load model {self.model_ref} (downloading it needs internet once): "
                f"{detail}"
            ) from exc

    # ------------------------------------------------------------------ public API

    def transcribe_file(
        self,
        path: str | Path,
        *,
        vocabulary: Sequence[str] = (),
        on_progress: Progress | None = None,
    ) -> Transcript:
        """Transcribe an audio file of any format PyAV decodes."""
        samples = decode_audio(path)
        return self.transcribe_array(samples, vocabulary=vocabulary, on_progress=on_progress)

    def transcribe_array(
        self,
        samples: np.ndarray,
        *,
        offset_s: float = 0.0,
        vocabulary: Sequence[str] = (),
        on_progress: Progress | None = None,
        options: DecodeOptions | None = None,
    ) -> Transcript:
        """Transcribe mono float32 16 kHz ``samples``; times are shifted by ``offset_s``."""
        opts = options or self.options
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        duration = samples.size / SAMPLE_RATE
        regions = speech_regions(samples, SAMPLE_RATE)
        shifted = tuple((round(s + offset_s, 3), round(e + offset_s, 3)) for s, e in regions)
        if not regions and opts.drop_words_in_silence:
            if on_progress:
                on_progress(1.0)
            return Transcript((), duration, (), self.model_name, no_speech=True)

        words = self._decode(samples, duration, regions, vocabulary, opts, on_progress)
        words = [replace(w, start=round(w.start + offset_s, 3), end=round(w.end + offset_s, 3))
                 for w in words]
        return Transcript(tuple(words), duration, shifted, self.model_name,
                          no_speech=not words)

    # ------------------------------------------------------------------ decoding

    def _decode(
        self,
        samples: np.ndarray,
        duration: float,
        regions: Sequence[tuple[float, float]],
        vocabulary: Sequence[str],
        opts: DecodeOptions,
        on_progress: Progress | None,
    ) -> list[Word]:
        model = self.load()
        initial = opts.filler_prompt if opts.prompt_as in ("initial_prompt", "both") else None
        segments, _info = model.transcribe(
            samples,
            language="en",
            beam_size=opts.beam_size,
            word_timestamps=True,
            condition_on_previous_text=opts.condition_on_previous_text,
            initial_prompt=initial,
            hotwords=_hotwords(opts, vocabulary),
            vad_filter=opts.vad_filter,
        )
        raw: list[tuple[str, float, float, float]] = []
        for seg in segments:
            if on_progress and duration > 0:
                on_progress(min(1.0, seg.end / duration))
            unsure = seg.no_speech_prob > opts.no_speech_prob_max
            if unsure and seg.avg_logprob < opts.avg_logprob_min:
                continue
            if seg.compression_ratio > opts.compression_ratio_max:
                continue
            if _impossibly_fast(seg, opts):
                continue
            raw.extend(
                (w.word, float(w.start), float(w.end), float(w.probability))
                for w in seg.words or ()
            )
        if on_progress:
            on_progress(1.0)
        words = _join_tokens(raw)
        if opts.drop_words_in_silence:
            words = [w for w in words if _in_speech(w, regions, opts.silence_pad_s)]
        if opts.snap_to_speech:
            words = _snap_to_speech(words, regions)
        return words


def timed_transcribe(
    transcriber: Transcriber, path: str | Path, **kwargs: Any
) -> tuple[Transcript, float]:
    """Transcribe ``path`` and return the transcript with the seconds it took (for benchmarks)."""
    start = time.perf_counter()
    transcript = transcriber.transcribe_file(path, **kwargs)
    return transcript, time.perf_counter() - start
