"""Word alignment for the accuracy benchmark: normalisation, Levenshtein alignment, WER.

Kept apart from ``accuracy.py`` so the scoring rules can be read (and trusted) on their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> list[str]:
    """Spell 0..999 the way a speaker says it ("ninety", "one hundred twenty")."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        rest = number_words(n % 100) if n % 100 else []
        return [_ONES[n // 100], "hundred", *rest]
    return [str(n)]


def tokens(text: str) -> list[str]:
    """Lowercase words without punctuation; hyphens split ("B-tree" -> b tree); 90% -> words."""
    text = text.lower().replace("\u2019", "'").replace("%", " percent ")
    text = re.sub(r"[-\u2013\u2014/]", " ", text)
    out: list[str] = []
    for raw in text.split():
        word = raw.strip(".,!?;:\"()[]{}…").strip("'")
        if not word:
            continue
        if word.isdigit():
            out.extend(number_words(int(word)))
        else:
            out.append(word)
    return out


def align(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Minimum-edit alignment as (ref index or None, hyp index or None) pairs, in order."""
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1])
            cost[i][j] = min(sub, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    pairs.reverse()
    return pairs


def errors(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Substitutions + deletions + insertions between ``ref`` and ``hyp``."""
    return sum(
        1 for r, h in align(ref, hyp) if r is None or h is None or ref[r] != hyp[h]
    )
