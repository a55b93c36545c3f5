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

from coach.core.coverage import STOP_WORDS, terms_of
from coach.core.fillers import hesitation_form, normalize
from coach.core.model import Prompt, Word


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


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
SHORT_N = 3
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
    runs = _runs(words)
    total = sum(len(r) for r in runs)
    kinds: dict[str, tuple[bool, bool, bool]] = {}  # word -> (stop, says something, barred)
    for run in runs:
        for w in run:
            if w not in kinds:
                stop = w in STOP_WORDS
                barred = (len(w) == 1 and w not in {"i", "a"}) or (  # "O of n": a formula
                    not stop and any(t.stem in topic for t in terms_of(w)))  # the prompt's terms
                kinds[w] = (stop, not stop or w in _CONTENT_FREE, barred)
    once = Counter(w for run in runs for w in run)
    for w, n in once.items():  # a word said fewer times than a crutch needs is in none
        if n < MIN_PHRASE:
            kinds[w] = (kinds[w][0], kinds[w][1], True)
    counts: Counter[tuple[str, ...]] = Counter()
    # Two passes: runs of up to SHORT_N words everywhere, longer ones only where their first
    # SHORT_N words were already said often enough (a long answer stays fast).
    for longer in (False, True):
        for tokens in runs:
            _count_runs(tokens, kinds, counts, longer)

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


def _count_runs(
    tokens: list[str],
    kinds: dict[str, tuple[bool, bool, bool]],
    counts: Counter[tuple[str, ...]],
    longer: bool,
) -> None:
    """Count the runs of one to ``MAX_N`` words starting at each word of ``tokens`` that could
    be a crutch (first pass: up to ``SHORT_N`` words; second pass: the longer ones)."""
    for i in range(len(tokens)):
        if longer and counts.get(tuple(tokens[i : i + SHORT_N]), 0) < MIN_PHRASE:
            continue
        said = 0
        meaning = False
        for n in range(1, min(MAX_N, len(tokens) - i) + 1):
            stop, says, barred = kinds[tokens[i + n - 1]]
            if barred:
                break  # every longer run holds it too
            said += not stop
            meaning = meaning or says
            if (n > SHORT_N) != longer:
                continue
            if said > 2:
                break
            if n < 5 and said > 1 and n > 1:
                continue  # "the new pipeline" names a thing; crutches are mostly glue
            if n == 1 and stop:
                continue
            if not meaning:
                continue  # "and then", "it is": no word that says anything
            if n > 1 and tokens[i] in DETERMINERS and said == n - 1:
                continue  # "the database": a thing named, not a crutch
            counts[tuple(tokens[i : i + n])] += 1


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))
