"""One Whisper window: encode a chunk of up to 30 s once, decode it, align its words.

faster-whisper's ``transcribe`` walks a long recording in 30 s windows and *seeks*: each window
starts where the last one's words ended, and when a window ends without a closing timestamp it
decodes another window from the last word on. That seeking is what lost speech on long answers
(words of a window's second half never decoded, or a whole window spent on a silent tail). The
coach cuts the audio into chunks in silence first (``coach.transcribe.chunking``), so every chunk
is exactly one window, decoded once: this module is that single step, built from faster-whisper's
own pieces (feature extractor, encoder, ``generate_with_fallback``, cross-attention word
alignment). A decoding's trailing words that Whisper leaves without a closing timestamp are
kept (the window holds the whole chunk: there is no next window to hear them in).

Why not faster-whisper's own ``transcribe`` on each chunk (tried, 2026-12-03, same corpus and
run as plain): it drops such an unfinished last segment and seeks to decode the chunk's last
second or two again in a window of its own, where Whisper invents ("So...", "All", "This
is..."): hesitation precision 0.89 against 0.98, and 2.4x plain's time on the long set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from coach.core.model import Word

# Whisper is trained on 30 s windows, speech followed by padding. It needs the padding, not the
# 30 s: with 8 s or more after a chunk the corpus's words are the same as with a full window
# (380-389 word errors against 387), with 2-4 s it ends sentences early (420-453), and the
# encoder's cost falls with the window (0.03 s for 15 s against 0.16 s for 30 s). 12 s rather
# than 10: 10 s heard a run of five hesitations as six (tests/test_one_path.py), 8-18 s as five.
PADDING_S = 12.0
PREPEND = "\"'“¿([{-"
APPEND = "\"'.。,，!！?？:：”)]}、"


@dataclass(frozen=True)
class Segment:
    """A decoded segment of one window, times relative to the window's start."""

    text: str
    start: float
    end: float
    words: tuple[Word, ...]
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float


@dataclass(frozen=True)
class Encoded:
    """A chunk through the encoder: reusable by several decodings."""

    output: Any  # ctranslate2.StorageView
    frames: int  # content frames (10 ms each) of the chunk before padding
    duration_s: float


@dataclass(frozen=True)
class Decoding:
    """What Whisper is given besides the audio and the text that came before."""

    initial_prompt: str | None = None
    hotwords: str | None = None


class WindowDecoder:
    """Wraps a loaded ``faster_whisper.WhisperModel`` for single-window decoding."""

    def __init__(self, model: Any) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self.model = model
        self.tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )

    def encode(self, samples: np.ndarray, padding_s: float = PADDING_S) -> Encoded:
        """The chunk's features followed by ``padding_s`` of padding (whole seconds, at most a
        30 s window in all), through the encoder."""
        fe = self.model.feature_extractor
        features = fe(np.asarray(samples, np.float32).reshape(-1))
        frames = min(features.shape[-1] - 1, fe.nb_max_frames)
        second = round(1 / fe.time_per_frame)
        width = min(fe.nb_max_frames, -(-(frames + round(padding_s * second)) // second) * second)
        padded = np.zeros((features.shape[0], width), np.float32)
        padded[:, :frames] = features[:, :frames]
        return Encoded(self.model.encode(padded), frames, frames * fe.time_per_frame)

    def decode(
        self, encoded: Encoded, how: Decoding = Decoding(), previous_text: str = ""
    ) -> list[Segment]:
        """Decode one encoded window into segments with aligned words.

        ``previous_text`` (what was said just before this window) is given to Whisper as the
        text that came before, after the initial prompt, as faster-whisper does between windows.
        """
        tok = self.tokenizer
        options = self._options(how)
        previous = tok.encode(" " + how.initial_prompt.strip()) if how.initial_prompt else []
        if previous_text.strip():
            previous = [*previous, *tok.encode(" " + previous_text.strip())]
        prompt = self.model.get_prompt(tok, previous, hotwords=how.hotwords)
        result, avg_logprob, _temperature, compression = self.model.generate_with_fallback(
            encoded.output, prompt, tok, options
        )
        tokens = list(result.sequences_ids[0])
        pieces = _split_by_timestamps(tokens, tok.timestamp_begin, self.model.time_precision,
                                      encoded.duration_s)
        if not pieces:
            return []
        segments = [{"seek": 0, "start": s, "end": e, "tokens": t} for s, e, t in pieces]
        self.model.add_word_timestamps(
            [segments], tok, encoded.output, encoded.frames, PREPEND, APPEND,
            last_speech_timestamp=0.0,
        )
        out = []
        for seg in segments:
            text = tok.decode([t for t in seg["tokens"] if t < tok.eot])
            if not text.strip():
                continue
            words = tuple(
                Word(w["word"], float(w["start"]), float(w["end"]), float(w["probability"]))
                for w in seg.get("words", ())
            )
            out.append(Segment(
                text=text, start=float(seg["start"]), end=float(seg["end"]), words=words,
                no_speech_prob=float(result.no_speech_prob), avg_logprob=float(avg_logprob),
                compression_ratio=float(compression),
            ))
        return out

    def _options(self, how: Decoding) -> Any:
        """faster-whisper's defaults, except: beam search at temperature 0 only.

        Its fallback re-decodes a window by *sampling* at 0.2 ... 1.0 when the text compresses
        too well, which speech that repeats itself does, and CTranslate2's sampler is seeded
        once per thread, so the same file gave different words from one call to the next (a
        sentence said six times kept 60 or 78 of its 78 words). Invented loops are the
        chunker's and the guards' job instead; on the 50-clip corpus no window fell back, so
        the figures were the same to the word (``benchmarks/RESULTS-accuracy.md``)."""
        from faster_whisper.transcribe import TranscriptionOptions, get_suppressed_tokens

        return TranscriptionOptions(
            beam_size=5, best_of=5, patience=1, length_penalty=1,
            repetition_penalty=1, no_repeat_ngram_size=0, log_prob_threshold=-1.0,
            no_speech_threshold=0.6, compression_ratio_threshold=2.4,
            condition_on_previous_text=False, prompt_reset_on_temperature=0.5,
            temperatures=[0.0], initial_prompt=None, prefix=None,
            suppress_blank=True, suppress_tokens=get_suppressed_tokens(self.tokenizer, [-1]),
            without_timestamps=False, max_initial_timestamp=1.0,
            word_timestamps=True, prepend_punctuations=PREPEND,
            append_punctuations=APPEND, multilingual=False, max_new_tokens=None,
            clip_timestamps="0", hallucination_silence_threshold=None, hotwords=how.hotwords,
        )


def _split_by_timestamps(
    tokens: list[int], timestamp_begin: int, precision: float, duration: float
) -> list[tuple[float, float, list[int]]]:
    """Segments (start, end, tokens) of one window's tokens, the unfinished last one included.

    Whisper marks segments with pairs of timestamp tokens. A window's last segment often has
    an opening timestamp but no closing one (faster-whisper drops it and decodes it again in
    the next window); here it ends where the window's audio ends.
    """
    out: list[tuple[float, float, list[int]]] = []
    current: list[int] = []
    start: float | None = None
    for t in tokens:
        if t >= timestamp_begin:
            stamp = (t - timestamp_begin) * precision
            if start is None:
                start = stamp
            elif any(x < timestamp_begin for x in current):
                out.append((start, stamp, [*current, t]))
                current, start = [], None
                continue
            else:
                start = stamp  # two opening stamps in a row: the later one opens the text
            current = [t]
        else:
            current.append(t)
    if any(x < timestamp_begin for x in current):
        out.append((start or 0.0, max(duration, start or 0.0), current))
    return out
