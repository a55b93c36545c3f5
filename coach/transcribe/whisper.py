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
  gaps are honest;
* the start of every stretch of speech is heard a second time (the "opener pass"), where
  Whisper drops most hesitations, and what it adds is merged by text; a stretch opening with
  a lone "Up," or "A," is read as the "uh" Whisper spelled as a word.

Cost (the encoder's 30 s window is most of it): the main pass stops once it has heard the last
speech the VAD found, instead of paying a whole extra window for a silent tail, and the opener
pass decodes without word timestamps; together ~1.3x plain faster-whisper on the benchmark.

The model is loaded once per ``Transcriber`` and reused for every file and every chunk.
"""

from __future__ import annotations

import threading
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
EDGE_SNAP_S = 1.0
HESITATIONS = frozenset({"um", "uh", "er", "erm", "hmm", "ah", "uhm", "hm", "mm"})
# First-pass words that are often a misheard hesitation ("a billing" for "uh, billing").
SOUNDALIKES = frozenset({"a", "ah", "oh", "up", "an"})
# Of those, the ones that cannot open an English utterance standing alone before a comma:
# "Up, resharding is..." is an "uh" Whisper spelled as a word ("Oh," is a real interjection).
LONE_SOUNDALIKES = frozenset({"a", "up", "an"})
TAIL_S = 0.15  # speech shorter than this after the last word is not worth another window
WINDOW_S = 28.0  # keep each second-pass buffer inside one 30 s Whisper window
Progress = Callable[[float], None]


@dataclass(frozen=True)
class DecodeOptions:
    """The decoding choices, in one place so the benchmark can compare them."""

    beam_size: int = 5
    filler_prompt: str = FILLER_PROMPT
    prompt_as: str = "both"  # "hotwords" | "initial_prompt" | "both" | "none"
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
    stop_at_speech_end: bool = True  # skip a last window that holds only VAD silence
    gap_pass: bool = True  # decode again where long speech got no words (see _gap_pass)
    gap_min_s: float = 1.0  # a stretch of speech this long ...
    gap_coverage: float = 0.25  # ... with less than this fraction under words is a gap
    opener_pass: bool = True  # second look at the start of each stretch of speech for "uh"
    opener_beam_size: int = 5  # beam 5 found one "uh" more than greedy, at little extra cost
    opener_s: float = 0.9  # how much of the start of each stretch of speech it hears
    opener_gap_s: float = 0.4  # silence between the snippets in its buffer
    lone_soundalikes: bool = True  # "Up," opening a stretch of speech is an "uh"


PLAIN = DecodeOptions(
    prompt_as="none", vocabulary_in_hotwords=False, condition_on_previous_text=True,
    drop_words_in_silence=False, snap_to_speech=False, no_speech_prob_max=2.0,
    compression_ratio_max=1e9, min_seconds_per_word=0.0, opener_pass=False,
    stop_at_speech_end=False, gap_pass=False, lone_soundalikes=False,
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


def _keep_segment(seg: Any, opts: DecodeOptions) -> bool:
    """False for a segment that is probably invented: unsure and silent, repetitive, too fast."""
    unsure = seg.no_speech_prob > opts.no_speech_prob_max
    if unsure and seg.avg_logprob < opts.avg_logprob_min:
        return False
    if seg.compression_ratio > opts.compression_ratio_max:
        return False
    return not _impossibly_fast(seg, opts)


def _in_speech(word: Word, regions: Sequence[tuple[float, float]], pad: float) -> bool:
    """True if the word's span touches speech. Whisper's word times are loose (a word often
    swallows the pause before it), so any overlap counts; a word wholly inside silence does not."""
    return any(word.start - pad <= e and word.end + pad >= s for s, e in regions)


def _region_at(regions: Sequence[tuple[float, float]], t: float) -> int | None:
    for k, (s, e) in enumerate(regions):
        if s <= t <= e:
            return k
    return None


def _owners(words: Sequence[Word], regions: Sequence[tuple[float, float]]) -> list[int | None]:
    """The stretch of speech each word's middle lies in (None: between stretches)."""
    return [_region_at(regions, (w.start + w.end) / 2) for w in words]


def _coverage(words: Sequence[Word], region: tuple[float, float]) -> float:
    """Fraction of ``region`` that lies under some word (words may overlap: merged first)."""
    s, e = region
    spans = sorted((max(s, w.start), min(e, w.end)) for w in words if w.end > s and w.start < e)
    covered, reach = 0.0, s
    for a, b in spans:
        a = max(a, reach)
        if b > a:
            covered += b - a
            reach = b
    return covered / (e - s) if e > s else 1.0


def _poorly_covered(
    words: Sequence[Word], regions: Sequence[tuple[float, float]], opts: DecodeOptions
) -> list[int]:
    """Stretches of speech of at least ``gap_min_s`` that the words barely cover."""
    return [k for k, r in enumerate(regions)
            if r[1] - r[0] >= opts.gap_min_s and _coverage(words, r) < opts.gap_coverage]


def _merge_by_coverage(
    first: list[Word], second: list[Word], regions: Sequence[tuple[float, float]],
    opts: DecodeOptions,
) -> list[Word]:
    """Per stretch of speech, the words of the pass that covers it clearly better.

    The first pass (the one with the filler prompt, which keeps more "um"s) wins ties; the
    second takes a stretch only when it covers at least ``gap_coverage`` more of it. Words
    between stretches stay from the first pass.
    """
    take = set()
    for k, r in enumerate(regions):
        if _coverage(second, r) >= _coverage(first, r) + opts.gap_coverage:
            take.add(k)
    if not take:
        return first
    kept = [w for w, k in zip(first, _owners(first, regions), strict=True) if k not in take]
    added = [w for w, k in zip(second, _owners(second, regions), strict=True) if k in take]
    return sorted(kept + added, key=lambda w: (w.start, w.end))


def _snap_to_speech(words: list[Word], regions: Sequence[tuple[float, float]]) -> list[Word]:
    """Align word edges with the speech the VAD heard, so pauses and pace come out honest.

    Whisper's word times are loose: a word often swallows the pause before it ("what" from
    4.5 s to 5.7 s when it is spoken at 5.4 s), and the first word after a pause tends to
    start late. Pauses and pace are measured from word gaps, so:

    * a word edge that lies in a stretch the VAD calls silent moves onto the speech inside the
      word (a start to where speech resumes, an end to where it stopped); a word wholly in
      silence (kept because it lies within ``silence_pad_s`` of speech: Whisper often sets a
      sentence's last word in the pause after it) moves to the nearest speech edge, so it
      cannot shorten the pause;
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
        if not any(start <= e and end >= s for s, e in regions):
            start = end = _nearest_edge(regions, start, end)
        out.append(Word(w.text, start, max(start, end), w.prob))

    owner = _owners(out, regions)
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


def _nearest_edge(regions: Sequence[tuple[float, float]], start: float, end: float) -> float:
    """The speech edge closest to a word lying wholly in silence."""
    edges = [e for _, e in regions if e <= start][-1:] + [s for s, _ in regions if s >= end][:1]
    return min(edges, key=lambda x: min(abs(x - start), abs(x - end)))


def _norm(text: str) -> str:
    return text.strip().lower().strip(".,!?;:\"'…-")


def _opener_candidates(
    words: Sequence[Word], regions: Sequence[tuple[float, float]]
) -> list[tuple[int, list[int]]]:
    """Stretches of speech whose first words hold no hesitation: (region, its word indices)."""
    out = []
    for k, (s, e) in enumerate(regions):
        members = [i for i, w in enumerate(words) if s - 0.3 <= (w.start + w.end) / 2 <= e + 0.3]
        if members and not any(_norm(words[i].text) in HESITATIONS for i in members[:2]):
            out.append((k, members))
    return out


def _lone_soundalikes_as_hesitations(
    words: list[Word], regions: Sequence[tuple[float, float]]
) -> list[Word]:
    """Read a stretch-opening "Up," / "A," / "An," as the "uh" it almost always is.

    Whisper, trained on clean text, spells a short hesitation as the nearest word; in noise
    "Uh, resharding is..." came out as "Up, for sharding is...". A lone "A," or "Up," before
    a comma cannot open an English sentence, so only that shape is rewritten (the word's
    time and a low confidence are kept); "a billing" without the comma is left alone.
    """
    owner = _owners(words, regions)
    out = list(words)
    for i, w in enumerate(words):
        opens = owner[i] is not None and (i == 0 or owner[i - 1] != owner[i])
        if opens and w.text.rstrip().endswith(",") and _norm(w.text) in LONE_SOUNDALIKES:
            text = "Uh," if w.text.lstrip()[:1].isupper() else "uh,"
            out[i] = Word(text, w.start, w.end, min(w.prob, 0.5))
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

        words = self._decode(samples, regions, vocabulary, opts, on_progress)
        words = [replace(w, start=round(w.start + offset_s, 3), end=round(w.end + offset_s, 3))
                 for w in words]
        return Transcript(tuple(words), duration, shifted, self.model_name,
                          no_speech=not words)

    # ------------------------------------------------------------------ decoding

    def _decode(
        self,
        samples: np.ndarray,
        regions: Sequence[tuple[float, float]],
        vocabulary: Sequence[str],
        opts: DecodeOptions,
        on_progress: Progress | None,
    ) -> list[Word]:
        words = self._first_pass(samples, regions, vocabulary, opts, on_progress)
        if opts.gap_pass and opts.prompt_as in ("initial_prompt", "both"):
            words = self._gap_pass(samples, words, regions, vocabulary, opts)
        if opts.opener_pass and words:
            words = self._opener_pass(samples, words, regions, opts)
        if opts.lone_soundalikes:
            words = _lone_soundalikes_as_hesitations(words, regions)
        if opts.snap_to_speech:
            words = _snap_to_speech(words, regions)
        return words

    def _first_pass(
        self,
        samples: np.ndarray,
        regions: Sequence[tuple[float, float]],
        vocabulary: Sequence[str],
        opts: DecodeOptions,
        on_progress: Progress | None = None,
    ) -> list[Word]:
        """One faster-whisper pass over the whole buffer, without invented or silent words."""
        duration = samples.size / SAMPLE_RATE
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
        # The prompt makes Whisper end a window without a closing timestamp, so faster-whisper
        # starts another 30 s window at the last word's end to hear the rest: a whole encoder
        # pass (most of the cost) for a tail the VAD already calls silent, whose words would be
        # dropped anyway. The segments come lazily, so stopping here skips that window.
        stop = regions and opts.stop_at_speech_end and opts.drop_words_in_silence
        speech_end = regions[-1][1] - TAIL_S if stop else None
        for seg in segments:
            if on_progress and duration > 0:
                on_progress(min(1.0, seg.end / duration))
            ends_speech = bool(seg.words) and speech_end is not None and (
                seg.words[-1].end >= speech_end)
            if _keep_segment(seg, opts):
                raw.extend(
                    (w.word, float(w.start), float(w.end), float(w.probability))
                    for w in seg.words or ()
                )
            if ends_speech:
                break
        if on_progress:
            on_progress(1.0)
        words = _join_tokens(raw)
        if opts.drop_words_in_silence:
            words = [w for w in words if _in_speech(w, regions, opts.silence_pad_s)]
        return words

    def _gap_pass(
        self,
        samples: np.ndarray,
        words: list[Word],
        regions: Sequence[tuple[float, float]],
        vocabulary: Sequence[str],
        opts: DecodeOptions,
    ) -> list[Word]:
        """Hear again, without the initial prompt, speech the first pass left without words.

        With the filler prompt as ``initial_prompt`` Whisper now and then jumps ahead inside a
        30 s window: on one synthetic 56 s answer in ~16 it wrote the first sentence, skipped
        the next 17 s of speech and aligned the first sentence's words over the skipped part
        (WER 0.40 against 0.05 without the initial prompt). Nothing in the segments flags it,
        but the energy VAD does: long stretches of speech with no word on them. When one is
        found, the buffer is decoded once more with the prompt as hotwords only, and every such
        stretch takes the words of whichever pass covers it better. A good first pass (nearly
        always) costs nothing more.
        """
        if not _poorly_covered(words, regions, opts):
            return words
        fallback = self._first_pass(
            samples, regions, vocabulary, replace(opts, prompt_as="hotwords")
        )
        return _merge_by_coverage(words, fallback, regions, opts)

    def _opener_pass(
        self,
        samples: np.ndarray,
        words: list[Word],
        regions: Sequence[tuple[float, float]],
        opts: DecodeOptions,
    ) -> list[Word]:
        """Listen again to the start of each stretch of speech for a dropped hesitation.

        Whisper drops an "uh" most often right after a pause, where the prompt has least hold.
        The first ~0.9 s of every stretch whose first words hold no hesitation are packed,
        with short silences between them, into one 30 s window and decoded once more with the
        filler prompt. The second transcript is aligned by text with the first pass's words in
        those snippets, so no word timestamps are needed (they doubled this pass's cost): a
        hesitation it inserts before one of a stretch's first two words is added there.
        """
        candidates = _opener_candidates(words, regions)
        if not candidates:
            return words
        members = dict(candidates)
        model = self.load()
        inserts: dict[int, Word] = {}
        replaces: dict[int, Word] = {}
        for buffer, spots in _opener_buffers(samples, regions, [k for k, _ in candidates], opts):
            heard = [_norm(t) for t in _decode_text(model, buffer, opts).split()]
            heard = [t for t in heard if t]
            ref: list[tuple[int, int, int]] = []  # (word index, region, position in snippet)
            for k, _pos, _length in spots:
                s = regions[k][0]
                inside = [i for i in members[k] if (words[i].start + words[i].end) / 2
                          < s + opts.opener_s]
                ref += [(i, k, n) for n, i in enumerate(inside or members[k][:1])]
            starts = frozenset(j for j, (_, _, n) in enumerate(ref) if n == 0)
            found = _hesitations_before(heard, [_norm(words[i].text) for i, _, _ in ref], starts)
            for j, (hes, replaced) in found.items():
                i, k, n = ref[j]
                if n > 1:
                    continue
                if replaced:
                    w = words[i]
                    replaces[i] = Word(hes, w.start, w.end, min(w.prob, 0.5))
                else:
                    inserts[i] = _hesitation_before(hes, words, i, regions[k][0], n)
        if not inserts and not replaces:
            return words
        out: list[Word] = []
        for i, w in enumerate(words):
            if i in inserts:
                out.append(inserts[i])
            out.append(replaces.get(i, w))
        return out


def _hesitations_before(
    heard: list[str], ref: list[str], starts: frozenset[int] = frozenset()
) -> dict[int, tuple[str, bool]]:
    """Hesitations the second pass heard and the first did not, keyed by the first-pass word
    they come before: {ref index: (hesitation, replaces that word)}.

    ``starts`` are the ref indices that begin a snippet (a stretch of speech): where the two
    texts disagree over a stretch that spans one, the hesitation goes there, since that is
    where Whisper drops them. A first-pass word the hesitation stands in for ("a billing"
    heard again as "uh billing": see ``SOUNDALIKES``) is replaced rather than kept.
    """
    from difflib import SequenceMatcher

    out: dict[int, tuple[str, bool]] = {}
    ops = SequenceMatcher(None, ref, heard, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag not in ("insert", "replace"):
            continue
        for d, token in enumerate(heard[j1:j2]):
            if token not in HESITATIONS:
                continue
            r = i1 + min(d, i2 - i1)  # the first-pass word at the same place
            near = [k for k in range(i1, i2 + 1) if k in starts]
            if near:
                r = min(near, key=lambda k: abs(k - r))
            if r >= len(ref):
                continue
            same_shape = tag == "replace" and i2 - i1 == j2 - j1
            if same_shape and i1 <= r < i2 and ref[r] in SOUNDALIKES:
                out[r] = (token, True)
            else:
                out.setdefault(r, (token, False))
            break
    return out


def _hesitation_before(hes: str, words: Sequence[Word], i: int, region_start: float,
                       n: int) -> Word:
    """A hesitation Word placed in the time before ``words[i]`` (its stretch's n-th word)."""
    w = words[i]
    start = region_start if n == 0 else words[i - 1].end
    start = min(start, w.start)
    end = max(start, min(w.start, start + 0.5))
    return Word(hes, round(start, 3), round(end, 3), min(w.prob, 0.5))


def _decode_text(model: Any, buffer: np.ndarray, opts: DecodeOptions) -> str:
    """Text of a buffer of snippets, decoded with the filler prompt (no word timestamps).

    (Encoding only the snippets instead of a padded 30 s window, which CTranslate2 allows,
    was tried: a quarter of the encoder's cost, but on a noisy clip Whisper then looped on
    "uh uh uh" and lost the rest of the buffer.)
    """
    segments, _ = model.transcribe(
        buffer, language="en", beam_size=opts.opener_beam_size, word_timestamps=False,
        condition_on_previous_text=False, initial_prompt=opts.filler_prompt,
        hotwords=opts.filler_prompt, temperature=0.0,
    )
    return " ".join(seg.text for seg in segments)


def _opener_buffers(
    samples: np.ndarray,
    regions: Sequence[tuple[float, float]],
    picks: Sequence[int],
    opts: DecodeOptions,
) -> list[tuple[np.ndarray, list[tuple[int, float, float]]]]:
    """Pack the first ``opener_s`` of each picked stretch into buffers of at most one window.

    Returns (buffer, [(region index, position in buffer, length)]) per buffer.
    """
    buffers = []
    pieces: list[np.ndarray] = []
    spots: list[tuple[int, float, float]] = []
    pos = 0.0
    gap = np.zeros(int(opts.opener_gap_s * SAMPLE_RATE), np.float32)
    for k in picks:
        s, e = regions[k]
        snippet = samples[int(s * SAMPLE_RATE) : int(min(e, s + opts.opener_s) * SAMPLE_RATE)]
        length = snippet.size / SAMPLE_RATE
        if pos + length > WINDOW_S and pieces:
            buffers.append((np.concatenate(pieces), spots))
            pieces, spots, pos = [], [], 0.0
        spots.append((k, pos, length))
        pieces += [snippet, gap]
        pos += length + opts.opener_gap_s
    if pieces:
        buffers.append((np.concatenate(pieces), spots))
    return buffers

