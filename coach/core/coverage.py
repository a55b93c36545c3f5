"""Key-point coverage: did the answer make the points a strong answer makes?

Matching has to accept the many ways a person says the same thing aloud -- "trade-off",
"tradeoff", "trade off"; "shard", "sharding", "sharded"; "consistent, uh, hashing" -- and must
not credit a point for words that merely appear somewhere. So phrases are compared as sequences of
light stems (a small suffix stripper, no NLTK), hyphens and compounds are folded, fillers are
removed first, and consecutive phrase words may be at most ``MAX_GAP`` words apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from coach.core.fillers import detect_fillers, filler_word_indices, hesitation_form
from coach.core.model import Prompt, Word
from coach.core.story import PARTS, RESULTS, story_part

# At most this many other words may sit between two words of a phrase ("range of queries").
MAX_GAP = 1
# A point is also made "in other words" when most of its own text's content words come up
# close together: this many terms of the answer hold at least this share of them.
WINDOW_TERMS = 40
IN_OTHER_WORDS = 0.6
# ... and only for a point text with at least this many content words, at least one fewer of
# them said: "Situation: the deadline and why it was fixed" has three, and "fixed" near
# "deadline" is any story about a deadline, not the point made.
MIN_OWN_WORDS = 4
# A point text's leading label ("Result:", "Task:") names the kind of point, not its content.
_LABEL = re.compile(r"^\s*\w+:\s*")
# Words that carry no content of their own (also the stop words of ``repetition``).
_STOP_TEXT = """a an the and or but so if then than that this these those there here it its it's
    is are was were be been being am i i'm i'd i've i'll me my we we're we'd we've our us you
    you're your they they're their them he she his her him of to in on at by for with from as
    into about up down out over under off not no do does did done don't doesn't didn't have has
    had can can't could would should will won't just also very really what which who whom when
    where why how all any some each every more most other such one two only own same too s t
    because like well yeah okay ok right get got go going gone make made say said see thing
    things way lot kind sort know mean think even still much many first then now"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_SPLIT = re.compile(r"[\s/\-–—_]+")
_IS_CONTRACTIONS = frozenset(
    ["that", "it", "what", "there", "here", "let", "he", "she", "who", "where", "how"]
)
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBERS = {word: str(n) for n, word in enumerate(_NUMBER_WORDS.split())}
_NUMBERS |= {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "hundred": "100"}
_STRIP = ".,!?;:\"'()[]{}…"
# Words the small Whisper models hear for a technical word (measured with tiny.en on piper
# speech), matched as the word meant. Only ones with no sense of their own in an engineering
# answer: "axis pattern" is "access pattern", "most queers ask" is "most queries ask".
HEARD_AS = {"axis": "access", "queers": "queries", "queer": "query"}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem so inflections meet: caching/cached/cache/caches -> "cach"."""
    w = word.lower()
    w = HEARD_AS.get(w, w)
    if w in _NUMBERS:
        return _NUMBERS[w]  # "seven characters" said, "7 characters" transcribed
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("'s"):
        return w if w[:-2] in _IS_CONTRACTIONS else stem(w[:-2])  # "that's" is "that is"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) >= 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # mapped -> map
            elif w.endswith("is") and len(w) > 5:
                w = w[:-2] + "iz"  # normalised -> normaliz
            break
    for suffix, repl in (("ization", "iz"), ("isation", "iz"), ("ation", "at")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    if w.endswith("ise") and len(w) > 5:
        w = w[:-3] + "iz"
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


@dataclass(frozen=True)
class Term:
    """One matchable piece of the answer: a word, or a part of a hyphenated word."""

    raw: str
    stem: str
    word_index: int


@lru_cache(maxsize=65536)
def _pieces(text: str) -> tuple[tuple[str, str], ...]:
    """(raw, stem) of each piece of one word; cached because answers repeat their words."""
    out = []
    text = text.lower().replace("\u2019", "'").replace("%", " percent")
    for piece in _SPLIT.split(text):
        raw = piece.strip(_STRIP)
        if raw:
            out.append((raw, stem(raw)))
    return tuple(out)


def terms_of(text: str, word_index: int = -1) -> list[Term]:
    return [Term(raw, st, word_index) for raw, st in _pieces(text)]


def answer_terms(words: Sequence[Word], skip: Set[int] = frozenset()) -> list[Term]:
    """Terms of every word not in ``skip`` (the fillers), keeping each word's index."""
    out: list[Term] = []
    for i, w in enumerate(words):
        if i not in skip:
            out.extend(terms_of(w.text, i))
    return out


class Stream:
    """The answer's terms, indexed so each phrase is tried only where its first word occurs."""

    def __init__(self, terms: Sequence[Term]) -> None:
        self.terms = list(terms)
        self.stems = [t.stem for t in self.terms]
        self.at: dict[str, list[int]] = {}
        self.by_raw: dict[str, list[int]] = {}
        for i, t in enumerate(self.terms):
            self.at.setdefault(t.stem, []).append(i)
            self.by_raw.setdefault(t.raw, []).append(i)
        self._pairs: dict[int, str] = {}

    def pair(self, i: int) -> str:
        """Stem of term i glued to the next one: "trade" + "off" -> stem("tradeoff")."""
        if i + 1 >= len(self.terms):
            return ""
        if i not in self._pairs:
            self._pairs[i] = stem(self.terms[i].raw + self.terms[i + 1].raw)
        return self._pairs[i]

    def _ways(self, i: int, phrase: Phrase, j: int) -> list[tuple[int, int]]:
        """Ways term i can match phrase term j: (terms used, phrase terms used)."""
        ways = []
        if self.stems[i] == phrase.stems[j]:
            ways.append((1, 1))
        if self.stems[i] == phrase.pairs[j]:
            ways.append((1, 2))  # "tradeoff" said, "trade off" written
        if phrase.raws[j].startswith(self.terms[i].raw) and self.pair(i) == phrase.stems[j]:
            ways.append((2, 1))  # "trade off" said, "tradeoff" written
        return ways

    def _starts(self, phrase: Phrase) -> list[int]:
        starts = set(self.at.get(phrase.stems[0], ()))
        if phrase.pairs[0]:
            starts.update(self.at.get(phrase.pairs[0], ()))
        first = phrase.raws[0]
        for n in range(2, len(first)):  # "trade" said as the start of "tradeoff"
            starts.update(self.by_raw.get(first[:n], ()))
        return sorted(starts)

    def find(self, phrase: Phrase, max_gap: int = MAX_GAP) -> list[tuple[int, int]]:
        """Every (first, last) term span where ``phrase`` occurs, words <= max_gap apart."""
        if not phrase.stems:
            return []

        def match(i: int, j: int) -> int | None:
            for used_t, used_p in self._ways(i, phrase, j):
                last = i + used_t - 1
                if j + used_p == len(phrase.stems):
                    return last
                for nxt in range(last + 1, min(len(self.terms), last + 2 + max_gap)):
                    end = match(nxt, j + used_p)
                    if end is not None:
                        return end
            return None

        spans = []
        for i in self._starts(phrase):
            end = match(i, 0)
            if end is not None:
                spans.append((i, end))
        return spans


@dataclass(frozen=True)
class Phrase:
    """A phrase to look for, as stems, plus each stem glued to the next (compound folding)."""

    text: str
    raws: tuple[str, ...]
    stems: tuple[str, ...]
    pairs: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Phrase:
        terms = terms_of(text)
        pairs = [stem(a.raw + b.raw) for a, b in pairwise(terms)] + [""]
        return cls(
            text,
            tuple(t.raw for t in terms),
            tuple(t.stem for t in terms),
            tuple(pairs[: len(terms)]),
        )


def _spoken(terms: Sequence[Term], words: Sequence[str], span: tuple[int, int]) -> str:
    first, last = terms[span[0]].word_index, terms[span[1]].word_index
    if first < 0 or not words:
        return " ".join(t.raw for t in terms[span[0] : span[1] + 1])
    return " ".join(w.strip().strip(_STRIP) for w in words[first : last + 1])


def check_coverage(
    words_or_text: Sequence[Word] | str,
    prompt: Prompt,
    skip: Set[int] | None = None,
    stream: Stream | None = None,
) -> dict:
    """The coverage JSON for ``prompt``: each key point covered or not, with the words that hit.

    ``words_or_text`` is the transcript's words (fillers are found and removed unless ``skip``
    gives their indices) or plain text (hesitations removed). ``stream`` lets ``analyze`` share
    the indexed answer with the reasoning markers instead of building it twice.
    """
    if isinstance(words_or_text, str):
        terms = [t for t in terms_of(words_or_text) if not hesitation_form(t.raw)]
        texts: list[str] = []
    else:
        words = list(words_or_text)
        if stream is None:
            if skip is None:
                skip = filler_word_indices(detect_fillers(words), words)
            stream = Stream(answer_terms(words, skip))
        terms = stream.terms
        texts = [w.text for w in words]
    stream = stream or Stream(terms)
    story = prompt.pillar == "behavioral"
    raws = [t.raw for t in terms] if story else []
    points = []
    for kp in prompt.key_points:
        hits: list[str] = []
        for phrase in kp.phrases:
            for span in stream.find(_phrase(phrase)):
                spoken = _spoken(terms, texts, span)
                if spoken not in hits:
                    hits.append(spoken)
        if not hits:
            hits = _said_otherwise(stream, kp.text, texts)
        if not hits and ((story and kp.id in PARTS) or kp.id in RESULTS):
            hits = story_part(kp.id, raws or [t.raw for t in terms])
        points.append({"id": kp.id, "text": kp.text, "covered": bool(hits), "hits": hits,
                       "weight": kp.weight, "why": kp.why})
    if story:
        _about_the_question(points, prompt, stream)
    covered = sum(p["covered"] for p in points)
    total = len(points)
    weight = sum(p["weight"] for p in points)
    return {
        "prompt_id": prompt.id,
        "covered": covered,
        "total": total,
        "ratio": round(covered / total, 3) if total else 0.0,
        # what the content score uses: a must-have point (weight 3) counts three times
        "weighted_ratio": round(sum(p["weight"] for p in points if p["covered"]) / weight, 3)
        if weight else 0.0,
        "points": points,
    }


def weighted_share(coverage: dict) -> float:
    """The share of the key points by weight, the one the content score uses (an analysis saved
    before weights were kept has only the plain share)."""
    return float(coverage.get("weighted_ratio", coverage.get("ratio")) or 0.0)


@lru_cache(maxsize=4096)
def _phrase(text: str) -> Phrase:
    return Phrase.of(text)


# A story that names this many of its question's own topic words is about the question.
TOPIC_WORDS = 2


@lru_cache(maxsize=256)
def _topic_stems(title: str, words: tuple[str, ...]) -> frozenset[str]:
    return _content_stems(" ".join((title, *words)))


def _about_the_question(points: list[dict], prompt: Prompt, stream: Stream) -> None:
    """A story's generic parts (situation, task, action, result, reflection) count only when
    the story is about this question: one of the prompt's topical points is made, or the story
    names ``TOPIC_WORDS`` of the question's topic words (title, vocabulary, themes). A
    well-told story about something else has every STAR part and answers nothing asked; the
    topic words keep a story on the question from hanging on the topical points' phrase lists
    alone, which a strong answer can miss by saying them in other words."""
    topical = [p for p in points if p["id"] not in PARTS]
    if not topical or any(p["covered"] for p in topical):
        return
    topic = _topic_stems(prompt.title, (*prompt.vocabulary, *prompt.themes))
    if len(topic.intersection(stream.at)) >= TOPIC_WORDS:
        return
    for p in points:
        if p["id"] in PARTS:
            p["covered"], p["hits"] = False, []


def _content_stems(text: str) -> frozenset[str]:
    return frozenset(t.stem for t in terms_of(text) if t.raw not in STOP_WORDS and len(t.raw) > 2)


def _said_otherwise(stream: Stream, point_text: str, words: Sequence[str]) -> list[str]:
    """The point made in the answer's own words: ``IN_OTHER_WORDS`` of the content words of
    the point's text within ``WINDOW_TERMS`` terms. Returns the words that matched (as one
    hit), or [] . One pass with a sliding count, so a long answer stays fast."""
    want = _content_stems(_LABEL.sub("", point_text))
    if len(want) < MIN_OWN_WORDS:
        return []  # too few words to tell a point from a coincidence
    need = max(MIN_OWN_WORDS - 1, IN_OTHER_WORDS * len(want))
    stems = stream.stems
    inside: dict[str, int] = {}
    for i, st in enumerate(stems):
        if st in want:
            inside[st] = inside.get(st, 0) + 1
        old = i - WINDOW_TERMS
        if old >= 0 and stems[old] in want:
            inside[stems[old]] -= 1
            if not inside[stems[old]]:
                del inside[stems[old]]
        if len(inside) >= need:
            first = max(0, i - WINDOW_TERMS + 1)
            seen: list[str] = []
            for t in stream.terms[first : i + 1]:
                raw = (words[t.word_index] if words and t.word_index >= 0 else t.raw)
                raw = raw.strip().strip(_STRIP).lower()
                if t.stem in want and raw not in seen:
                    seen.append(raw)
            return [" ... ".join(seen)]
    return []
