"""The parts of a told story (situation, task, action, result, reflection), found by their shape.

A behavioral prompt's STAR key points are the same five parts whatever the question, and people
say them in endless words: "I was on the hook for", "I pulled the numbers and wrote it up",
"p99 went from two seconds to three hundred milliseconds". A phrase list per prompt only ever
catches the wordings its writer thought of, so these parts are recognised here by structure,
once for every story prompt: a result is an outcome verb followed by a quantity (a percentage
or a multiple, or a number where the change landed: "to twelve minutes", "by half") or a
delivery "on time"; an action is several distinct things the teller says *they* did ("I" + a
past-tense verb); task, situation and reflection are the short frames a teller uses to open
them ("my role was", "a few months ago", "looking back"). A result is recognised the same way
in any prompt that asks for one (a deep dive's "outcome").

Works on the answer's lowercased words (punctuation stripped, hyphenated words split), with no
import from the rest of ``coach.core``, so ``coverage`` can use it without a cycle.
"""

from __future__ import annotations

from collections.abc import Sequence


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The key-point ids of a story prompt that this module can recognise by shape.
PARTS = ("situation", "task", "action", "result", "reflection", "learning")
# Key-point ids that ask for an outcome, in a story or a deep dive: found as a result is.
RESULTS = ("result", "results", "outcome")

_NUMBER = _words("""
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred thousand million billion half third quarter dozen""")
_AMOUNT = _words("percent x times fold")  # an amount wherever it stands
# A time or size is a result only as where the change landed ("to twelve minutes", "within
# a day"); "over about three weeks" is how long it took.
_UNIT = _words("""
    ms millisecond milliseconds second seconds minute minutes hour hours day days week weeks
    month months quarter quarters year years""")
_APPROX = _words("about roughly around nearly almost just under over a an only")
# Past-tense outcome verbs: what changed, and by how much, is what makes a result.
_OUTCOME = _words("""
    reduced dropped fell cut lowered shrank improved increased grew raised doubled halved
    tripled saved sped went came got brought shipped launched delivered finished completed
    recovered restored eliminated removed closed hit met beat rose climbed decreased
    shortened""")
_QUANTITY_LEAD = _words("by to from within under in")
_ON_TIME = (("on", "time"), ("ahead", "of", "schedule"), ("early",), ("no", "downtime"),
            ("zero", "downtime"), ("without", "downtime"), ("zero", "incidents"),
            ("no", "incidents"))
_DELIVERED = _words("shipped launched delivered finished completed landed migrated")
# "I" + one of these is the teller doing something (irregular past tenses; "-ed" verbs are
# recognised by their ending).
_DID = _words("""
    wrote set took ran made built met sat spoke brought sent led got gave put began drew chose
    found went told kept paid held sought rewrote drove split cut shut spent broke threw laid
    dug showed""")
# "-ed" verbs and frames that are a state of mind, not an action.
_NOT_DONE = _words("""
    learned learnt realized realised wanted needed liked loved hated believed assumed hoped
    worried felt expected guessed figured supposed owned used seemed""")
_ADVERB = _words("""
    also then first immediately just finally personally quickly eventually actually
    instead still again later next""")
ACTIONS_NEEDED = 3  # distinct "I did" verbs before the story shows the teller acting
OUTCOME_REACH = 8  # words between an outcome verb and its quantity

_SITUATION = (
    "years ago", "months ago", "a while ago", "last year", "last quarter", "at my last",
    "at my previous", "at my current", "at a previous", "in my last role", "in my previous role",
    "when i was at", "when i joined", "i had just joined", "at the time", "the problem was",
    "the context was", "the situation was", "the issue was", "the background", "we were building",
    "we were running", "we were migrating", "our team owned", "my team owned", "we owned",
)
_TASK = (
    "i was responsible", "my role was", "my job was", "my goal was", "my task was",
    "my responsibility", "i was asked to", "i was leading", "i was tasked", "it was my job",
    "it fell to me", "it was up to me", "on the hook", "i took ownership", "i took on",
    "i volunteered", "i was on call", "i was in charge", "i was the tech lead", "i was the lead",
    "i was the owner", "i was the senior", "i was the staff", "i owned", "i led", "i had to",
    "i needed to", "my part was", "i was the one",
)
_REFLECTION = (
    "i learned that", "i learned to", "what i learned", "what i took away", "the lesson",
    "my lesson", "looking back",
    "in hindsight", "next time", "if i did it again", "if i were to do it again",
    "do it differently", "do differently", "what i'd change", "what i would change",
    "taught me", "i realized", "i realised", "the takeaway", "my takeaway", "since then i",
    "these days i", "i've since", "i now",
)


def _split(phrases: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p.split()) for p in phrases)


_FRAMES = {
    "situation": _split(_SITUATION),
    "task": _split(_TASK),
    "reflection": _split(_REFLECTION),
    "learning": _split(_REFLECTION),
}


def _is_number(word: str) -> bool:
    return word.isdigit() or word in _NUMBER


def _frame(words: Sequence[str], frames: tuple[tuple[str, ...], ...]) -> str:
    firsts = {f[0] for f in frames}
    for i, w in enumerate(words):
        if w not in firsts:
            continue
        for f in frames:
            if f[0] == w and tuple(words[i : i + len(f)]) == f:
                return " ".join(f)
    return ""


def _led(words: Sequence[str], i: int) -> bool:
    """Whether "by/to/from/within/under/in" stands before ``i`` (past "about", "roughly")."""
    k = i - 1
    while k >= 0 and words[k] in _APPROX and k > i - 3:
        k -= 1
    return k >= 0 and words[k] in _QUANTITY_LEAD


def _quantity_at(words: Sequence[str], i: int) -> int:
    """Length of a quantity starting at ``i`` ("forty percent", "to two hundred ms", "by
    half"), or 0. A time or a bare number counts only after "by/to/from/within", where it is
    where the change landed."""
    if words[i] in ("a", "an") and i + 1 < len(words) and words[i + 1] in _UNIT:
        return 2 if _led(words, i) else 0  # "to under a day"
    j = i
    while j < len(words) and _is_number(words[j]):
        j += 1
    if j == i:
        return 0
    if j < len(words) and words[j] in _AMOUNT:
        return j + 1 - i
    if not _led(words, i):
        return 0
    return j + 1 - i if j < len(words) and words[j] in _UNIT else j - i


def result(words: Sequence[str]) -> str:
    """An outcome verb followed within ``OUTCOME_REACH`` words by a quantity, or a delivery
    "on time" / "early" / "without downtime": the words, or ""."""
    for i, w in enumerate(words):
        if w in ("halved", "doubled", "tripled"):
            return w
        if w not in _OUTCOME:
            continue
        for j in range(i + 1, min(len(words), i + 1 + OUTCOME_REACH)):
            n = _quantity_at(words, j)
            if n:
                return " ".join(words[i : j + n])
            if w in _DELIVERED:
                for tail in _ON_TIME:
                    if tuple(words[j : j + len(tail)]) == tail:
                        return " ".join(words[i : j + len(tail)])
    return ""


def actions(words: Sequence[str]) -> list[str]:
    """The distinct things the teller says they did: "i wrote", "i then proposed", ..."""
    seen: dict[str, str] = {}
    for i, w in enumerate(words):
        if w != "i":
            continue
        j = i + 1
        while j < len(words) and words[j] in _ADVERB and j < i + 3:
            j += 1
        if j >= len(words):
            break
        verb = words[j]
        done = verb in _DID or (verb.endswith("ed") and len(verb) > 4)
        if done and verb not in _NOT_DONE and verb not in seen:
            seen[verb] = f"i {verb}"
    return list(seen.values())


def story_part(part: str, words: Sequence[str]) -> list[str]:
    """Evidence that the answer tells ``part`` of a story (one of ``PARTS``), or []."""
    if part in RESULTS:
        found = result(words)
        return [found] if found else []
    if part == "action":
        did = actions(words)
        return [", ".join(did[:4])] if len(did) >= ACTIONS_NEEDED else []
    frames = _FRAMES.get(part)
    found = _frame(words, frames) if frames else ""
    return [found] if found else []
