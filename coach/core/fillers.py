"""Filler detection: hesitations ("um", "uh") and discourse fillers ("like", "you know").

A coach that miscounts is worse than none, so every discourse rule errs on the side of *not*
counting: "I would like to", "looks like", "so that", "what kind of data", "as you know" and
"And so, my fellow Americans" are not fillers. The rules read the punctuation Whisper attaches
to words ("So," at a sentence start, "right?" at the end of a clause) and the gaps between words,
which mark where one utterance ends and the next begins.

Hesitations are counted wherever they appear. Discourse fillers need a context that shows the
word carries no meaning there; each rule below says which.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from coach.config import Settings
from coach.core.model import Filler, Word


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A silence this long between two words starts a new utterance even without punctuation.
UTTERANCE_GAP_S = 0.7

_HESITATION_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("um", re.compile(r"u+h*m+|a+h+m+")),
    ("uh", re.compile(r"u+h+")),
    ("erm", re.compile(r"e+r+m+|e+h*m+")),
    ("er", re.compile(r"e+r+")),
    ("hmm", re.compile(r"h+m+")),
    ("ah", re.compile(r"a+h+")),
    ("mm", re.compile(r"m{2,}")),
)

DETERMINERS = _set(
    "a an the this that these those what which any some every each one another same "
    "different other many all no whatever certain"
)
PRONOUN_SUBJECTS = _set("i you we they he she it people everyone")
# "like" after these is a verb or a comparison, never a filler ("would like", "looks like").
LIKE_BLOCKERS = (
    _set(
        "would 'd i'd you'd we'd they'd he'd she'd should could might to do does did don't "
        "doesn't didn't look looks looked looking sound sounds sounded seem seems seemed feel "
        "feels felt just something things thing more much anything nothing exactly "
        "really also not"
    )
    | PRONOUN_SUBJECTS
)
# "is like a buffer": a comparison after these unless a pause or hesitation sets "like" off.
COPULAS = _set("is are was were be been being am it's that's there's what's he's she's 's 're")
LIKE_PAUSE_S = 0.3
# Words after "sort of"/"kind of" that make it a hedge when no determiner precedes it.
HEDGE_OPENERS = _set("it it's i we they was is were be been just really that's you he she")
KNOW_COMPLEMENTS = _set(
    "what that how why where when who whether if about the a an it this these those him "
    "her them me us something everything anything nothing"
)
MEAN_OBJECTS = _set("it that to what this them him her you")
SO_NOT_FILLER_NEXT = _set("that far much many long few little to as on")
NUMBER_WORDS = _set(
    "one two three four five six seven eight nine ten twenty thirty forty fifty hundred "
    "thousand million billion half a"
)
SINGLE_DISCOURSE = ("basically", "literally", "actually")
INTERJECTIONS = _set("okay ok well yeah alright sure right now")
# "you know" after these is a verb: "do you know", "as you know", "if you know the key".
KNOW_AS_VERB_AFTER = _set(
    "do did don't didn't if as would what whether let you we they i might may to"
)
# "right?" after these is a word, not a tag: "Is that right?", "turn right?".
RIGHT_AS_WORD_AFTER = _set(
    "is that that's it it's all am turn the not i you're be was are on to left"
)


@dataclass(frozen=True)
class Token:
    """A word as the rules see it: lowercased text and the punctuation around it."""

    norm: str
    comma_after: bool
    sentence_end: bool  # ends with . ! ? or ...
    question: bool
    start: float
    end: float


def normalize(text: str) -> str:
    """Lowercase a word and strip the punctuation around it ("Um," -> "um", "'cause" kept)."""
    text = text.strip().lower().replace("\u2019", "'")
    return text.strip(' \t\n.,!?;:"()[]{}…-–—').strip("'")


@lru_cache(maxsize=65536)
def _shape(text: str) -> tuple[str, bool, bool, bool]:
    """(norm, comma after, sentence end, question) of one word; cached, words repeat."""
    raw = text.strip().replace("\u2026", "...")
    tail = raw.rstrip("\"')]")
    return (
        normalize(raw),
        tail.endswith((",", ";", ":", "-", "—", "–")),
        tail.endswith((".", "!", "?")),
        tail.endswith("?"),
    )


def tokenize(words: Sequence[Word]) -> list[Token]:
    return [Token(*_shape(w.text), start=w.start, end=w.end) for w in words]


@lru_cache(maxsize=4096)
def hesitation_form(norm: str) -> str | None:
    """The canonical hesitation ("um", "uh", ...) a word spells, or None ("uhm" -> "um")."""
    norm = norm.replace("-", "")
    if not norm.isalpha():
        return None
    for canonical, pattern in _HESITATION_FORMS:
        if pattern.fullmatch(norm):
            return canonical
    return None


class _Context:
    """Positional helpers over the token list (previous/next real word, utterance starts)."""

    def __init__(self, tokens: list[Token], settings: Settings) -> None:
        self.t = tokens
        self.long_gap = settings.pause_threshold_s
        self.hes = [hesitation_form(tok.norm) is not None for tok in tokens]

    def norm(self, i: int) -> str:
        return self.t[i].norm if 0 <= i < len(self.t) else ""

    def prev_word(self, i: int) -> int:
        """Index of the previous non-empty, non-hesitation word, or -1."""
        j = i - 1
        while j >= 0 and (not self.t[j].norm or self.hes[j]):
            j -= 1
        return j

    def next_word(self, i: int) -> int:
        j = i + 1
        while j < len(self.t) and (not self.t[j].norm or self.hes[j]):
            j += 1
        return j if j < len(self.t) else -1

    def boundary_before(self, i: int) -> bool:
        """True when word i opens an utterance: first word, after . ? ! or after a silence."""
        j = self.prev_word(i)
        if j < 0:
            return True
        prev = self.t[j]
        return prev.sentence_end or self.t[i].start - prev.end >= UTTERANCE_GAP_S

    def boundary_after(self, i: int) -> bool:
        tok = self.t[i]
        if tok.sentence_end or tok.comma_after:
            return True
        j = self.next_word(i)
        return j < 0 or self.t[j].start - tok.end >= UTTERANCE_GAP_S


def _is_number(norm: str) -> bool:
    return bool(norm) and (norm[0].isdigit() or norm in NUMBER_WORDS - {"a"})


def _like(c: _Context, i: int) -> bool:
    """ "Like" set off by commas or hesitations, or before a number ("like 10 servers").

    A comma before it is not enough: "a key, like the user id" is "such as". Nor are commas
    around it after "is" and before "a"/"the": "a queue is like a buffer" said flat comes back
    from Whisper as "a queue is, like, a buffer" often enough; only a pause or a hesitation
    beside it shows it was a filler there.
    """
    j = c.prev_word(i)
    prev = c.norm(j)
    if prev in LIKE_BLOCKERS or prev.endswith("'d"):
        return False
    nxt = c.next_word(i)
    if prev in COPULAS and nxt >= 0 and c.norm(nxt) in DETERMINERS:
        hesitant = (i > 0 and c.hes[i - 1]) or (i + 1 < len(c.t) and c.hes[i + 1])
        paused = (c.t[i].start - c.t[j].end >= LIKE_PAUSE_S
                  or c.t[nxt].start - c.t[i].end >= LIKE_PAUSE_S)
        return hesitant or paused
    if c.t[i].comma_after:
        return True
    if nxt >= 0 and c.norm(nxt) in {"to", "this", "that"} | PRONOUN_SUBJECTS:
        return False  # "like to", "like this", "like I said": a verb or a comparison
    if (i > 0 and c.hes[i - 1]) or (i + 1 < len(c.t) and c.hes[i + 1]):
        return True
    if prev in {"and", "but", "so"} and nxt >= 0:
        return True  # "and like the queue grew"
    return nxt >= 0 and _is_number(c.norm(nxt))


def _set_off(c: _Context, i: int) -> bool:
    """Word i stands apart: a comma after it or before it, an utterance edge, a hesitation.

    Used for "actually", which is often meant ("I'd actually measure it") and only a filler
    when it is set off ("Actually, ...", "it's, actually, fine").
    """
    j = c.prev_word(i)
    return (
        c.t[i].comma_after
        or c.boundary_before(i)
        or (j >= 0 and c.t[j].comma_after)
        or (i > 0 and c.hes[i - 1])
        or (i + 1 < len(c.t) and c.hes[i + 1])
    )


def _you_know(c: _Context, i: int) -> bool:
    """Word i is "you", i+1 is "know"."""
    prev = c.norm(c.prev_word(i))
    if prev in KNOW_AS_VERB_AFTER:
        return False  # "do you know", "as you know", "if you know the key"
    if c.boundary_after(i + 1):
        return True
    nxt = c.next_word(i + 1)
    return nxt >= 0 and c.norm(nxt) not in KNOW_COMPLEMENTS


def _i_mean(c: _Context, i: int) -> bool:
    prev = c.norm(c.prev_word(i))
    if prev in {"what", "do", "don't", "didn't", "did", "if", "that"}:
        return False
    if c.t[i + 1].comma_after or c.t[i + 1].sentence_end:
        return True
    nxt = c.next_word(i + 1)
    return c.boundary_before(i) and nxt >= 0 and c.norm(nxt) not in MEAN_OBJECTS


def _hedge_of(c: _Context, i: int) -> bool:
    """Word i is "sort"/"kind", i+1 is "of": a hedge unless it names a type ("this kind of")."""
    j = c.prev_word(i)
    prev = c.norm(j)
    if prev in DETERMINERS or (prev.endswith("'s") and prev not in {"it's", "that's"}):
        return False
    nxt = c.next_word(i + 1)
    if nxt >= 0 and c.norm(nxt) in {"thing", "things", "stuff"}:
        return False  # "sort of thing" is a noun phrase
    if prev in HEDGE_OPENERS or c.t[i + 1].comma_after or c.boundary_before(i):
        return True  # "it's kind of slow", "Sort of a classic trade-off."
    return (i > 0 and c.hes[i - 1]) or (j >= 0 and c.t[j].comma_after)


def _so(c: _Context, i: int) -> bool:
    """ "So" opening an utterance as a discourse marker ("So, ...", "So I'd start with ...");
    "so that" is a reason and "It failed. So we rolled back." a connective (therefore).

    A marker opens the answer, follows a silence, is set off by a comma or a hesitation, or
    follows an interjection that itself opens an utterance ("Okay so ..."). Right after the
    previous sentence, with no break and straight into its clause, "So" carries the reasoning
    on ("... written back. So the next reader finds it in memory."): counting it would mark
    the very connective the reasoning score rewards. "And so, my fellow Americans" is
    mid-sentence and not counted.
    """
    nxt = c.next_word(i)
    if nxt >= 0 and c.norm(nxt) in SO_NOT_FILLER_NEXT:
        return False
    if c.t[i].sentence_end or c.t[i].question:
        return False  # "I think so." / "So?"
    j = c.prev_word(i)
    if j < 0 or c.t[i].start - c.t[j].end >= UTTERANCE_GAP_S:
        return True  # the answer's first word, or after a silence
    if c.t[j].sentence_end:
        beside_hesitation = c.hes[i - 1] or (i + 1 < len(c.t) and c.hes[i + 1])
        return c.t[i].comma_after or beside_hesitation or c.norm(j) in INTERJECTIONS
    return c.norm(j) in INTERJECTIONS and c.boundary_before(j)


def _right_tag(c: _Context, i: int) -> bool:
    """ "right" as a tag: set off by a comma or standing alone, ending the clause ("..., right?",
    "..., right.", "... as code. Right."). Whisper prompted with fillers writes the tag's
    question mark as a full stop about as often as not.

    Without the comma it is usually the word itself ("did we pick right?", "Is that right?").
    """
    if not c.t[i].sentence_end:
        return False
    j = c.prev_word(i)
    if j < 0 or c.norm(j) in RIGHT_AS_WORD_AFTER:
        return False
    return c.t[j].comma_after or c.t[j].sentence_end or c.hes[i - 1]


def _phrases(settings: Settings) -> tuple[set[str], list[tuple[str, ...]]]:
    ignored = {hesitation_form(normalize(x)) or normalize(x) for x in settings.ignored_fillers}
    extra = [tuple(normalize(p) for p in x.split()) for x in settings.extra_fillers]
    return ignored, [e for e in extra if e and all(e)]


def detect_fillers(words: Sequence[Word], settings: Settings | None = None) -> list[Filler]:
    """Every filler in ``words``, in order; multi-word fillers are one span ("you know")."""
    settings = settings or Settings()
    tokens = tokenize(words)
    c = _Context(tokens, settings)
    ignored, extra = _phrases(settings)
    out: list[Filler] = []
    i = 0
    n = len(tokens)

    def add(text: str, kind: str, first: int, last: int) -> None:
        if text not in ignored:
            out.append(Filler(text, kind, tokens[first].start, tokens[last].end, first))

    while i < n:
        w = tokens[i].norm
        nxt = tokens[i + 1].norm if i + 1 < n else ""
        matched = next(
            (e for e in extra if tuple(t.norm for t in tokens[i : i + len(e)]) == e), None
        )
        if matched:
            single = len(matched) == 1 and hesitation_form(matched[0])
            kind = "hesitation" if single else "discourse"
            add(" ".join(matched), kind, i, i + len(matched) - 1)
            i += len(matched)
            continue
        form = hesitation_form(w)
        if form:
            add(form, "hesitation", i, i)
        elif w == "you" and nxt == "know" and _you_know(c, i):
            add("you know", "discourse", i, i + 1)
            i += 1
        elif w == "i" and nxt == "mean" and _i_mean(c, i):
            add("i mean", "discourse", i, i + 1)
            i += 1
        elif w in {"sort", "kind"} and nxt == "of" and _hedge_of(c, i):
            add(f"{w} of", "discourse", i, i + 1)
            i += 1
        elif (
            (w in {"kinda", "sorta"} and c.norm(c.prev_word(i)) not in DETERMINERS)
            or (w == "like" and _like(c, i))
            or (w == "so" and _so(c, i))
            or (w == "right" and _right_tag(c, i))
            or (w in SINGLE_DISCOURSE and (w != "actually" or _set_off(c, i)))
        ):
            add(w, "discourse", i, i)
        i += 1
    return out


def filler_word_indices(fillers: Sequence[Filler], words: Sequence[Word]) -> set[int]:
    """Indices of every word a filler spans (both words of "you know")."""
    indices: set[int] = set()
    for f in fillers:
        i = f.word_index
        if i < 0:
            continue
        indices.add(i)
        j = i + 1
        while j < len(words) and words[j].end <= f.end + 1e-6 and len(f.text.split()) > 1:
            indices.add(j)
            if j - i + 1 >= len(f.text.split()):
                break
            j += 1
    return indices
