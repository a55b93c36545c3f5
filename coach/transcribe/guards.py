"""What Whisper wrote, checked against what the audio shows: no invented words, honest times.

Whisper is trained on cleaned-up transcripts: it invents text where there is none (silence,
noise, the end of a window) and its word times are loose (a word often swallows the pause
before it). Every number the coach shows comes from these words, so each decoded window goes
through these guards, all of them plain functions of the words and the speech regions the voice
activity detector found:

* segments that are probably invented (unsure and probably not speech, repetitive and unsure,
  or more words than their time allows) are dropped (``keep_segment``);
* words lying wholly where the audio is silent are dropped (``in_speech``);
* word edges are aligned with the speech edges, so pauses and pace measured from word gaps are
  honest (``snap_to_speech``);
* a stretch opening with a lone "Up," or "A," is read as the "uh" Whisper spelled as a word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from coach.core.model import Word

Regions = Sequence[tuple[float, float]]

EDGE_SNAP_S = 1.0
SILENCE_PAD_S = 0.25  # a word may reach this far outside a stretch of speech
NO_SPEECH_PROB_MAX = 0.6  # with avg_logprob below the next: the segment is not speech
AVG_LOGPROB_MIN = -1.0
COMPRESSION_RATIO_MAX = 2.4  # above it, and unsure: a loop of invented text
MIN_SECONDS_PER_WORD = 0.12  # an unsure segment faster than this is invented
# Of the words Whisper spells a hesitation as, those that cannot open an English utterance
# standing alone before a comma: "Up, resharding is..." is an "uh" ("Oh," is an interjection).
LONE_SOUNDALIKES = frozenset({"a", "up", "an"})


def norm(text: str) -> str:
    return text.strip().lower().strip(".,!?;:\"'…-")


def join_tokens(raw: Sequence[tuple[str, float, float, float]]) -> list[Word]:
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


def _unsure(no_speech_prob: float, avg_logprob: float) -> bool:
    return no_speech_prob > 0.3 or avg_logprob < -0.8


def keep_segment(
    *, words: Sequence[Word], start: float, end: float, no_speech_prob: float,
    avg_logprob: float, compression_ratio: float,
) -> bool:
    """False for a segment that is probably invented.

    * unsure it is speech at all (faster-whisper's own no-speech rule);
    * repetitive *and* unsure: Whisper's loops ("range scan, range scan, ...") over noise. Real
      speech that repeats itself decodes with confidence and is kept, all of it;
    * unsure and with more words than its time allows ("We'll see you next week." squeezed
      into the last 0.2 s of a window).
    """
    if no_speech_prob > NO_SPEECH_PROB_MAX and avg_logprob < AVG_LOGPROB_MIN:
        return False
    unsure = _unsure(no_speech_prob, avg_logprob)
    if compression_ratio > COMPRESSION_RATIO_MAX and unsure:
        return False
    spoken = [w for w in words if w.text.strip()]
    return not (spoken and unsure and (end - start) < MIN_SECONDS_PER_WORD * len(spoken))


def in_speech(word: Word, regions: Regions, pad: float = SILENCE_PAD_S) -> bool:
    """True if the word's span touches speech. Whisper's word times are loose (a word often
    swallows the pause before it), so any overlap counts; a word wholly inside silence does not."""
    return any(word.start - pad <= e and word.end + pad >= s for s, e in regions)


def region_at(regions: Regions, t: float) -> int | None:
    for k, (s, e) in enumerate(regions):
        if s <= t <= e:
            return k
    return None


def owners(words: Sequence[Word], regions: Regions) -> list[int | None]:
    """The stretch of speech each word's middle lies in (None: between stretches)."""
    return [region_at(regions, (w.start + w.end) / 2) for w in words]


def snap_to_speech(words: list[Word], regions: Regions) -> list[Word]:
    """Align word edges with the speech the VAD heard, so pauses and pace come out honest.

    Whisper's word times are loose: a word often swallows the pause before it ("what" from
    4.5 s to 5.7 s when it is spoken at 5.4 s), and the first word after a pause tends to
    start late. Pauses and pace are measured from word gaps, so:

    * a word edge that lies in a stretch the VAD calls silent moves onto the speech inside the
      word (a start to where speech resumes, an end to where it stopped); a word wholly in
      silence (kept because it lies within ``SILENCE_PAD_S`` of speech: Whisper often sets a
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
        if region_at(regions, start) is None:
            later = [s for s, _ in regions if start < s < end]
            if later:
                start = later[0]
        if region_at(regions, end) is None:
            earlier = [e for _, e in regions if start < e < end]
            if earlier:
                end = earlier[-1]
        if not any(start <= e and end >= s for s, e in regions):
            start = end = _nearest_edge(regions, start, end)
        out.append(Word(w.text, start, max(start, end), w.prob))

    owner = owners(out, regions)
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


def _nearest_edge(regions: Regions, start: float, end: float) -> float:
    """The speech edge closest to a word lying wholly in silence."""
    edges = [e for _, e in regions if e <= start][-1:] + [s for s, _ in regions if s >= end][:1]
    return min(edges, key=lambda x: min(abs(x - start), abs(x - end)))


def spread_overlaps(words: list[Word], per_word_s: float = 0.1) -> list[Word]:
    """Give words that share a time span a span each, in order, within the span they share.

    Whisper's alignment sets a run of short words ("uh, um, uh, hm") on one instant or on
    overlapping spans; counted and highlighted as they are, one "uh" would sit three times at
    5.52 s. Each group of words that overlap or start at the same instant shares its union span
    out evenly (a group on a single instant first takes up to ``per_word_s`` a word of the gap
    after it).
    """
    out = list(words)
    i = 0
    while i < len(out):
        j, end = i + 1, out[i].end
        while j < len(out) and (out[j].start < end - 1e-9 or out[j].start == out[j - 1].start):
            end = max(end, out[j].end)
            j += 1
        if j - i > 1:
            start = out[i].start
            if end - start < 1e-9:
                room = out[j].start - start if j < len(out) else per_word_s * (j - i)
                end = start + max(0.0, min(room, per_word_s * (j - i)))
            step = (end - start) / (j - i)
            for k in range(i, j):
                a = start + step * (k - i)
                out[k] = Word(out[k].text, round(a, 3), round(a + step, 3), out[k].prob)
        i = j
    return out


def lone_soundalikes_as_hesitations(words: list[Word], regions: Regions) -> list[Word]:
    """Read a stretch-opening "Up," / "A," / "An," as the "uh" it almost always is.

    Whisper, trained on clean text, spells a short hesitation as the nearest word; in noise
    "Uh, resharding is..." came out as "Up, for sharding is...". A lone "A," or "Up," before
    a comma cannot open an English sentence, so only that shape is rewritten (the word's
    time and a low confidence are kept); "a billing" without the comma is left alone.
    """
    owner = owners(words, regions)
    out = list(words)
    for i, w in enumerate(words):
        opens = owner[i] is not None and (i == 0 or owner[i - 1] != owner[i])
        if opens and w.text.rstrip().endswith(",") and norm(w.text) in LONE_SOUNDALIKES:
            text = "Uh," if w.text.lstrip()[:1].isupper() else "uh,"
            out[i] = Word(text, w.start, w.end, min(w.prob, 0.5))
    return out
