"""Duration and pace: speaking time, time to first word, words per minute, pauses, time box.

Choices, stated once:

* **Speaking time** (``speech_s``) is the voice activity the audio itself shows
  (``Transcript.speech_regions``); without regions it falls back to the answer's span from first
  to last word minus the long pauses.
* **Words per minute** counts spoken words that are not fillers (a hyphenated "at-least-once" is
  three, as said; Whisper writes it either way), divided by the *talking span*: from the
  first word to the last, minus long pauses (>= ``pause_threshold_s``). Short breaths between
  phrases stay in, as they do in the published conversational ranges (~120-165 wpm); long pauses
  are reported separately, so one long think does not also drag the pace down. Silence before
  the first word is *time to first word*, never a pause.
* A single word Whisper stretches over ``stretched_word_s`` or more is how a dropped filler or a
  held syllable shows up; it is reported as a pause of kind "stretched" (the last word is
  exempt: Whisper often stretches it to the end of the segment; so are hesitations, which are
  already counted as fillers).
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass
from itertools import pairwise

from coach.config import Settings
from coach.core.fillers import hesitation_form, normalize
from coach.core.model import Pause, Transcript, Word

WINDOW_S = 30.0
MIN_WINDOW_S = 5.0  # a final window shorter than this is left out (too noisy)
_HAS_WORD = re.compile(r"\w")
_HYPHENATED_PART = re.compile(r"\w(?:[\w'’.%]*\w)?")
SECONDS_PER_LETTER = 0.12  # long words are allowed longer before they count as "stretched"


@dataclass(frozen=True)
class PaceResult:
    duration_s: float
    speech_s: float
    talking_s: float
    time_to_first_word_s: float | None
    wpm: float
    windows: list[dict]
    pauses: list[Pause]
    stretched: list[Word]
    answer_length_s: float
    answer_seconds: int | None
    over_by_s: float | None


def _merged(regions: Sequence[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(regions):
        a, b = max(0.0, a), min(b, duration) if duration > 0 else b
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def spoken_words(words: Sequence[Word]) -> list[int]:
    """Indices of words with any letters or digits (Whisper sometimes emits bare "...")."""
    return [i for i, w in enumerate(words) if _HAS_WORD.search(w.text)]


def spoken_count(text: str) -> int:
    """How many words are said in one written word: "at-least-once" 3, "B-tree" 2, "I'd" 1.

    Whisper hyphenates as it pleases ("at least once" one time, "at-least-once" the next), so
    pace counts the parts, not the spelling.
    """
    return max(1, len(_HYPHENATED_PART.findall(text))) if _HAS_WORD.search(text) else 0


def find_pauses(words: Sequence[Word], settings: Settings) -> tuple[list[Pause], list[Word]]:
    """Long gaps between consecutive words and single stretched words, in time order."""
    pauses: list[Pause] = []
    stretched: list[Word] = []
    for prev, cur in pairwise(words):
        if cur.start - prev.end >= settings.pause_threshold_s:
            pauses.append(Pause(prev.end, cur.start, "gap"))
    for w in words[:-1]:
        if w.end - w.start < settings.stretched_word_s or hesitation_form(normalize(w.text)):
            continue  # a long "ummm" is already counted as a filler
        letters = sum(ch.isalpha() for ch in w.text)
        if w.end - w.start >= SECONDS_PER_LETTER * letters:
            stretched.append(w)
            pauses.append(Pause(w.start, w.end, "stretched"))
    pauses.sort(key=lambda p: p.start)
    return pauses, stretched


def windows(words: Sequence[Word], counted: Sequence[bool]) -> list[dict]:
    """Words per minute in consecutive 30 s windows from the first word to the last."""
    if not words:
        return []
    first, last = words[0].start, words[-1].end
    counts = [0] * (int((last - first) // WINDOW_S) + 1)
    for w, c in zip(words, counted, strict=True):
        if c:
            counts[min(len(counts) - 1, int((w.start - first) // WINDOW_S))] += spoken_count(
                w.text
            )
    out = []
    for k, n in enumerate(counts):
        start = first + k * WINDOW_S
        end = min(start + WINDOW_S, last)
        if end - start < MIN_WINDOW_S and out:
            continue  # a final sliver is too short to say anything about pace
        length = max(end - start, 1e-6)
        out.append(
            {"start": round(start, 2), "end": round(end, 2), "wpm": round(n * 60.0 / length, 1)}
        )
    return out


def measure(
    transcript: Transcript,
    settings: Settings,
    fillers: Set[int] = frozenset(),
    answer_seconds: int | None = None,
) -> PaceResult:
    """Every pace figure for ``transcript``; ``fillers`` are word indices excluded from wpm."""
    keep = spoken_words(transcript.words)
    words = [transcript.words[i] for i in keep]
    counted = [i not in fillers for i in keep]
    duration = transcript.duration_s
    if not words:
        regions = _merged(transcript.speech_regions, duration)
        return PaceResult(
            duration,
            sum(b - a for a, b in regions),
            0.0,
            None,
            0.0,
            [],
            [],
            [],
            0.0,
            answer_seconds,
            None,
        )
    pauses, stretched = find_pauses(words, settings)
    gaps = sum(p.duration for p in pauses if p.kind == "gap")
    talking = max(words[-1].end - words[0].start - gaps, 0.0)
    regions = _merged(transcript.speech_regions, duration)
    speech = sum(b - a for a, b in regions) if regions else talking
    n = sum(spoken_count(w.text) for w, c in zip(words, counted, strict=True) if c)
    wpm = n * 60.0 / talking if talking > 0 else 0.0
    answer_length = words[-1].end
    over = answer_length - answer_seconds if answer_seconds else None
    return PaceResult(
        duration_s=duration,
        speech_s=speech,
        talking_s=talking,
        time_to_first_word_s=words[0].start,
        wpm=wpm,
        windows=windows(words, counted),
        pauses=pauses,
        stretched=stretched,
        answer_length_s=answer_length,
        answer_seconds=answer_seconds,
        over_by_s=over,
    )
