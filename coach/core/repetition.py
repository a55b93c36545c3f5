"""Repetition: the words and phrases an answer leans on ("basically" x6, "the thing is" x4).

A listener notices a crutch phrase long before they notice the pace. Counted here: runs of one to
three words said again and again, beyond stop words and beyond the prompt's own terms (an answer
about B-trees says "B-tree" often, and should). A run made only of stop words ("and then", "it
is") is not a crutch; one with a content word in it ("the thing is", "at the end of") is. A
shorter run is dropped when a longer run it is part of accounts for most of its uses, so "the
thing is" is listed once, not again as "thing is" and "thing".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from coach.core.coverage import stem, terms_of
from coach.core.fillers import hesitation_form, normalize
from coach.core.model import Prompt, Word

STOP_WORDS = frozenset(
    """a an the and or but so if then than that this these those there here it its it's is are
    was were be been being am i i'm i'd i've i'll me my we we're we'd we've our us you you're
    your they they're their them he she his her him of to in on at by for with from as into
    about up down out over under off not no do does did done don't doesn't didn't have has had
    can can't could would should will won't just also very really what which who whom when where
    why how all any some each every more most other such one two only own same too s t
    because like well yeah okay ok right get got go going gone make made say said see thing
    things way lot kind sort know mean think even still much many first then now""".split()
)
# A phrase counts as leaned on at this many uses (words alone need more: topics repeat).
MIN_PHRASE = 3
MIN_WORD = 4
MAX_ITEMS = 6
MAX_N = 3
_CONTENT_FREE = frozenset({"thing", "things", "way", "lot", "kind", "sort"})


def prompt_stems(prompt: Prompt | None) -> frozenset[str]:
    """Stems of every word the prompt itself uses (title, question, vocabulary, key points)."""
    if prompt is None:
        return frozenset()
    texts = [prompt.title, prompt.question, *prompt.vocabulary]
    for kp in prompt.key_points:
        texts.append(kp.text)
        texts.extend(kp.phrases)
    return frozenset(t.stem for text in texts for t in terms_of(text))


def find_repetition(
    words: Sequence[Word], prompt: Prompt | None = None
) -> list[dict[str, Any]]:
    """The phrases leaned on, most used first: ``[{text, count}]`` (at most ``MAX_ITEMS``)."""
    tokens = [normalize(w.text) for w in words]
    tokens = [t for t in tokens if t and not hesitation_form(t)]
    topic = prompt_stems(prompt)
    counts: Counter[tuple[str, ...]] = Counter()
    for n in range(1, MAX_N + 1):
        for i in range(len(tokens) - n + 1):
            gram = tuple(tokens[i : i + n])
            content = [w for w in gram if w not in STOP_WORDS or w in _CONTENT_FREE]
            if not content or any(stem(w) in topic for w in gram if w not in STOP_WORDS):
                continue
            if n == 1 and gram[0] in STOP_WORDS:
                continue
            if n > 1 and (gram[0] in _CONTENT_FREE or gram[-1] in {"the", "a", "an"}):
                continue  # "thing is" inside "the thing is"; "of the" at an edge
            counts[gram] += 1
    kept = {g: c for g, c in counts.items() if c >= (MIN_WORD if len(g) == 1 else MIN_PHRASE)}
    out = []
    for gram, count in kept.items():
        longer = [c for g, c in kept.items() if len(g) > len(gram) and _inside(gram, g)]
        if any(c >= 0.6 * count for c in longer):
            continue
        out.append({"text": " ".join(gram), "count": count})
    out.sort(key=lambda r: (-r["count"], -len(r["text"]), r["text"]))
    return out[:MAX_ITEMS]


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))
