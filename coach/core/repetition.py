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

from coach.core.coverage import terms_of
from coach.core.fillers import hesitation_form, normalize
from coach.core.model import Prompt, Word


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _words(
    """a an the and or but so if then than that this these those there here it its it's is are
    was were be been being am i i'm i'd i've i'll me my we we're we'd we've our us you you're
    your they they're their them he she his her him of to in on at by for with from as into
    about up down out over under off not no do does did done don't doesn't didn't have has had
    can can't could would should will won't just also very really what which who whom when where
    why how all any some each every more most other such one two only own same too s t
    because like well yeah okay ok right get got go going gone make made say said see thing
    things way lot kind sort know mean think even still much many first then now"""
)
# A phrase counts as leaned on at this many uses. A single word needs as many and, unless it
# is a known crutch word, a share of the answer: a topic noun ("Kafka" x6) is not a crutch.
MIN_PHRASE = 4
MIN_WORD = 4
WORD_SHARE = 0.025
CRUTCH_WORDS = _words(
    "basically actually literally obviously honestly really just totally super pretty "
    "definitely essentially maybe probably stuff whatever anyway sure right okay"
)
MAX_ITEMS = 6
MAX_N = 6  # "at the end of the day"
DETERMINERS = _words("the a an my our your their his her this that these those")
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


def _runs(words: Sequence[Word]) -> list[list[str]]:
    """The answer's words, normalised, in runs that never cross a sentence end or a comma."""
    runs: list[list[str]] = [[]]
    for w in words:
        token = normalize(w.text)
        if token and not hesitation_form(token):
            runs[-1].append(token)
        if w.text.rstrip("\"')").endswith((".", "?", "!", ",", ";", ":")):
            runs.append([])
    return [r for r in runs if r]


def _core(gram: tuple[str, ...]) -> tuple[str, ...]:
    """The gram without the stop words at its edges ("is basically" -> "basically")."""
    edge = STOP_WORDS - _CONTENT_FREE
    a, b = 0, len(gram)
    while a < b and gram[a] in edge:
        a += 1
    while b > a and gram[b - 1] in edge:
        b -= 1
    return gram[a:b]


def find_repetition(
    words: Sequence[Word], prompt: Prompt | None = None
) -> list[dict[str, Any]]:
    """The phrases leaned on, most used first: ``[{text, count}]`` (at most ``MAX_ITEMS``)."""
    topic = prompt_stems(prompt)
    counts: Counter[tuple[str, ...]] = Counter()
    for tokens in _runs(words):
        for n in range(1, MAX_N + 1):
            for i in range(len(tokens) - n + 1):
                gram = tuple(tokens[i : i + n])
                if n == 1 and gram[0] in STOP_WORDS:
                    continue
                if not any(w not in STOP_WORDS or w in _CONTENT_FREE for w in gram):
                    continue  # "and then", "it is": no word that says anything
                said = [w for w in gram if w not in STOP_WORDS]
                if any(len(w) == 1 and w not in {"i", "a"} for w in gram):
                    continue  # "O of n", "m": letters of a formula
                if n > 1 and (len(said) > (2 if n >= 5 else 1)
                              or (gram[0] in DETERMINERS and len(said) == n - 1)):
                    continue  # "the database", "the new pipeline" name things; crutches are glue
                if any(t.stem in topic for w in said for t in terms_of(w)):
                    continue  # the prompt's own terms are meant to be said
                counts[gram] += 1

    total = sum(len(r) for r in _runs(words))

    def leaned(gram: tuple[str, ...]) -> bool:
        if len(gram) > 1:
            return counts[gram] >= MIN_PHRASE
        if gram[0] in CRUTCH_WORDS:
            return counts[gram] >= MIN_WORD
        return counts[gram] >= max(MIN_WORD, WORD_SHARE * total)

    def echo(gram: tuple[str, ...]) -> bool:
        """ "is basically" is "basically" said after "is": counted as "basically" alone."""
        core = _core(gram)
        return len(gram) > 1 and len(core) == 1 and core != gram and leaned(core)

    grams = [g for g in counts if leaned(g) and not echo(g)]
    fuller = {  # "the thing" is nearly always said as "the thing is": keep the longer one
        g for g in grams
        if any(len(h) > len(g) and _inside(g, h) and counts[h] >= 0.6 * counts[g] for h in grams)
    }
    best: dict[tuple[str, ...], tuple[str, ...]] = {}  # core -> the gram that says it most
    for gram in grams:
        count = counts[gram]
        if gram in fuller:
            continue
        core = _core(gram)
        other = best.get(core)
        if other is None or (count, -len(gram)) > (counts[other], -len(other)):
            best[core] = gram  # "and the thing is" is "the thing is" with an "and"
    kept = {gram: counts[gram] for gram in best.values()}
    out = [{"text": " ".join(gram), "count": count} for gram, count in kept.items()]
    out.sort(key=lambda r: (-r["count"], -len(r["text"]), r["text"]))
    return out[:MAX_ITEMS]


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))
