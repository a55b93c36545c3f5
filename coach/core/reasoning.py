"""Reasoning markers: the words that show an answer says *why*, not only *what*.

Interviewers for senior roles listen for the reasons behind each choice ("because", "the
trade-off is", "instead of", "which means"). Counting these markers, per minute and by third of
the answer, is a cheap, explainable proxy for that. Matching reuses the coverage matcher, so
"trade-off", "tradeoffs" and "trade off" are one marker; fillers are skipped first so
"because, um, the cache" still counts.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Any

from coach.core.coverage import Phrase, Stream, answer_terms
from coach.core.fillers import normalize
from coach.core.model import Marker, Word

# Marker family -> the spellings that say it (matched as light stems, hyphens folded). A found
# marker's text is what was said ("tradeoffs", "the benefit"), lowercased.
MARKERS: dict[str, tuple[str, ...]] = {
    "because": ("because", "cuz", "because of"),
    "so that": ("so that",),
    "therefore": ("therefore", "thus", "hence", "consequently"),
    "the reason": ("the reason", "reason why", "reason is"),
    "trade-off": ("trade-off", "tradeoff"),
    "instead of": ("instead of",),
    "rather than": ("rather than",),
    "at the cost of": ("at the cost of", "at the expense of"),
    "downside": ("downside", "drawback", "the cost is", "the catch"),
    "upside": ("upside", "the benefit", "the advantage", "benefit of", "advantage of"),
    "alternatively": ("alternatively", "the alternative", "on the other hand"),
    "which means": ("which means", "that means", "this means", "meaning that"),
    "in order to": ("in order to",),
    "as a result": ("as a result", "that's why", "this is why", "which is why", "that is why"),
    "since": ("since",),
    "otherwise": ("otherwise",),
    "depends on": ("depends on", "it depends", "depending on"),
    "due to": ("due to",),
    "compared to": ("compared to", "compared with", "versus"),
    "the risk": ("the risk", "risk is"),
}
_PHRASES: list[tuple[str, Phrase]] = sorted(
    ((name, Phrase.of(p)) for name, spellings in MARKERS.items() for p in spellings),
    key=lambda item: -len(item[1].stems),  # longest first: "because of" before "because"
)
# "since 2019", "since then": time, not cause.
_SINCE_TIME = frozenset(
    [
        "then",
        "last",
        "yesterday",
        "ever",
        "early",
        "before",
        "after",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "year",
        "years",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
    ]
)


def find_markers(
    words: Sequence[Word], skip: Set[int] = frozenset(), stream: Stream | None = None
) -> list[Marker]:
    """Reasoning markers in ``words`` in order, ignoring the words in ``skip`` (fillers).

    ``stream`` is the already indexed answer (``Stream(answer_terms(words, skip))``), if any.
    """
    stream = stream or Stream(answer_terms(words, skip))
    terms = stream.terms
    taken: set[int] = set()
    found: list[Marker] = []
    for name, phrase in _PHRASES:
        for first, last in stream.find(phrase, max_gap=0):
            if any(t in taken for t in range(first, last + 1)):
                continue
            if name == "since" and _since_is_time(terms, last):
                continue
            taken.update(range(first, last + 1))
            w0, w1 = terms[first].word_index, terms[last].word_index
            spoken = " ".join(normalize(words[k].text) for k in range(w0, w1 + 1) if k not in skip)
            found.append(Marker(spoken, words[w0].start, words[w1].end, w0))
    return sorted(found, key=lambda m: (m.start, m.word_index))


def _since_is_time(terms: Sequence[Any], i: int) -> bool:
    if i + 1 >= len(terms):
        return False
    nxt = terms[i + 1].raw
    return nxt[:1].isdigit() or nxt in _SINCE_TIME


def summarize(markers: Sequence[Marker], words: Sequence[Word], speaking_s: float) -> dict:
    """The ``reasoning`` JSON: count, per minute of speaking, markers, and count per third."""
    thirds = [0, 0, 0]
    if words and markers:
        first, last = words[0].start, words[-1].end
        span = max(last - first, 1e-6)
        for m in markers:
            thirds[min(2, int((m.start - first) / span * 3))] += 1
    minutes = speaking_s / 60.0
    return {
        "count": len(markers),
        "per_min": round(len(markers) / minutes, 2) if minutes > 0 else 0.0,
        "markers": [
            {
                "text": m.text,
                "start": round(m.start, 3),
                "end": round(m.end, 3),
                "word_index": m.word_index,
            }
            for m in markers
        ],
        "thirds": thirds,
    }
