"""Red flags: what senior and staff interviewers write down against an answer.

The list is the one hiring guides give for senior/staff loops: cannot discuss trade-offs, offers
only one solution, takes no decision, never mentions the team, blames others, reaches no result,
shows no influence. Each is found from the words (phrases matched on the filler-free term stream
the coverage matcher uses) and carries its evidence, the words and when they were said, so the
user can hear it. Flags that are about something missing point at where it was missing (the
claims made without a reason, the story's last sentence).

The rules err on the side of not flagging: a strong answer that gets a red flag teaches the user
to distrust the coach, so ``benchmarks/bench_verdicts.py`` counts false flags on strong answers.
Which flags apply depends on the prompt: the story flags (team, blame, result) for behavioral
prompts, influence only for staff-level behavioral ones.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import Any

from coach.core.coverage import Phrase, Stream
from coach.core.model import Prompt, Word

TEXTS = {
    "no-trade-offs": "No trade-offs: the answer states facts without saying why or what it costs",
    "one-solution": "Only one solution: no alternative was named and weighed",
    "no-decision": "No decision: the answer never commits to a choice",
    "no-team": "No team: the story is told as 'I' alone, nobody else took part",
    "blames-others": "Blames others: the story puts the problems on other people",
    "no-result": "No result: the story never says how it ended, or what changed",
    "no-influence": "No influence: nothing shows how you brought others along",
}
TECHNICAL = ("no-trade-offs", "one-solution", "no-decision")
STORY = ("no-team", "blames-others", "no-result")

# Why and what it costs, counted per 100 words: a strong answer joins its facts with reasons
# ("because", "so", "which") and limits ("but", "can't", "slower"); facts-only answers do not.
REASON = (
    "because", "since", "therefore", "which is why", "that's why", "so that", "which means",
    "that means", "in order to", "due to", "otherwise", "so", "which", "if", "then", "when",
)
TRADE_OFF = (
    "trade-off", "tradeoff", "downside", "drawback", "the cost", "costs",
    "at the expense of", "upside", "benefit", "advantage", "disadvantage", "the catch", "the risk",
    "the price", "pay for", "worth it", "not worth", "accept the", "in exchange",
    "the problem with", "the reason", "limit", "limitation", "can't", "cannot", "expensive",
    "cheap", "slower", "faster", "worse", "only", "breaks", "fails", "dangerous", "but",
    "however", "unless", "risk", "risky", "overhead", "complexity", "lose", "penalty",
)
REASONED_PER_100 = 2.0  # reasons + limits per 100 words below which no trade-off was weighed
# A story shows its reasons in what the teller asked, noticed and learned, too; the bar is lower.
STORY_REASON = ("learned", "realized", "turned out", "why", "asked", "understand", "noticed",
                "worried", "concern")
STORY_REASONED_PER_100 = 1.5
ALTERNATIVE = (
    "instead of", "instead", "rather than", "alternative", "alternatively", "another option",
    "the other option", "other approach", "another approach", "on the other hand", "versus",
    "compared to", "compared with", "or we could", "or you could", "could also", "either",
    "option", "options", "the naive", "naive", "naively", "brute force", "would win", "wins",
    "better than", "worse than", "considered", "the simpler", "the obvious", "another", "the other",
    "plain", "simpler", "prefer", "beats", "vs",
)
DECISION = (  # "i'd" covers "i'd go with", "i'd pick", ...: fewer phrases, same hits
    "i'd", "i would", "we'd", "my recommendation", "i recommend", "my choice", "my answer",
    "i chose", "we chose", "i decided", "we decided", "we went with", "i went with", "i picked",
    "we picked", "the right", "the best", "default to", "we agreed",
    "i proposed", "i pushed for", "go with", "the fix is", "the standard fix", "you want",
    "you'd want", "you'd use", "you use",
)
HEDGED_PER_100 = 3.0  # hedges per 100 words that make an unstated choice "no decision"
# First person plural and working with someone: "team" alone is left out, since a story that
# blames others talks about "the other teams" a lot.
TEAM = ("we", "us", "our", "we'd", "we're", "we've", "together", "with them", "with her",
        "with him", "with me", "she and i", "he and i", "paired", "my team", "our team")
TEAM_SHARE = 0.2  # "we" words per "I" word below which the story is told alone
I_WORDS = ("i", "me", "my", "i'd", "i'm", "i've")
BLAME = (
    "their fault", "wasn't my fault", "not my fault", "not my job", "isn't really my job",
    "wouldn't do their", "didn't do their", "dragged their feet", "ignored", "excuse",
    "didn't back me up", "pin it on", "pin on", "blamed", "blame", "because of them",
    "they never", "they refused", "refused to", "incompetent", "made it hard",
    "should have listened", "didn't listen", "wouldn't listen", "didn't care", "was pretty bad",
    "was really bad", "their mess", "everyone else", "shouldn't have to", "beg people",
    "kept changing", "no idea what", "just wouldn't", "fault",
)
# A clear outcome; WEAK_RESULT words ("finished", "in the end") need company to count.
RESULT = (
    "as a result", "the outcome", "the result was", "went from", "dropped", "reduced", "cut",
    "improved", "saved", "percent", "renewed", "turned off", "decommissioned", "since then",
    "months later", "a year later", "weeks later", "promoted", "adopted", "zero incidents",
    "no incidents", "doubled", "halved", "times faster", "we shipped", "we launched",
    "we delivered", "we finished", "we completed", "fell", "grew", "fewer",
)
WEAK_RESULT = (
    "in the end", "shipped", "launched", "delivered", "finished", "completed", "ended up",
    "afterwards", "after that", "within", "on time", "worked",
)
INFLUENCE = (
    "convinced", "persuaded", "brought", "aligned", "alignment", "buy-in", "buy in", "proposal",
    "design doc", "rfc", "wrote up", "made the case", "the case for", "got agreement",
    "i proposed", "sponsor", "stakeholder", "stakeholders", "walked them through", "showed them",
    "won over", "earned", "mentored", "coached", "influence", "changed their mind", "pitched",
    "framed", "one on one", "one-on-one", "on board", "consensus", "champion", "shared",
    "offered", "published", "office hours", "adoption", "adopters", "asked that", "demo",
    "prototype", "proof", "made it easy", "won",
    # bringing people along by working with them, the way most stories say it
    "met with", "met each", "sat down with", "paired with", "worked with them", "with them",
    "their concerns", "i listened", "heard them out",
)
HEDGE_BEFORE = ("i think", "maybe", "probably", "i guess", "not sure", "i suppose", "might",
                "kind of", "sort of", "hopefully")

_CACHE: dict[str, list[Phrase]] = {}


def _phrases(words: Sequence[str]) -> list[Phrase]:
    key = "|".join(words)
    if key not in _CACHE:
        _CACHE[key] = [Phrase.of(w) for w in words]
    return _CACHE[key]


@dataclass(frozen=True)
class Hit:
    first: int  # word indices
    last: int


def _find(stream: Stream, spellings: Sequence[str]) -> list[Hit]:
    """Every occurrence of any spelling, as word spans, longest spellings winning overlaps."""
    hits: list[Hit] = []
    taken: set[int] = set()
    for phrase in sorted(_phrases(spellings), key=lambda p: -len(p.stems)):
        for a, b in _spans(stream, phrase):
            w0, w1 = stream.terms[a].word_index, stream.terms[b].word_index
            if any(k in taken for k in range(w0, w1 + 1)):
                continue
            taken.update(range(w0, w1 + 1))
            hits.append(Hit(w0, w1))
    return sorted(hits, key=lambda h: h.first)


def _spans(stream: Stream, phrase: Phrase) -> list[tuple[int, int]]:
    """Where ``phrase`` occurs. Short single words ("so", "but", "if") are looked up directly:
    they hit thousands of times in a long answer, and no compound spelling can hide them."""
    if len(phrase.stems) == 1 and len(phrase.raws[0]) <= 5 and phrase.raws[0].isalpha():
        return [(i, i) for i in stream.at.get(phrase.stems[0], ())]
    return stream.find(phrase, max_gap=0)


def sentences(words: Sequence[Word]) -> list[tuple[int, int]]:
    """(first, last) word index of each sentence, cut at . ? ! or a silence of 1.5 s."""
    out: list[tuple[int, int]] = []
    start = 0
    for i, w in enumerate(words):
        end_here = w.text.rstrip("\"')").endswith((".", "?", "!"))
        gap = i + 1 < len(words) and words[i + 1].start - w.end >= 1.5
        if end_here or gap or i == len(words) - 1:
            out.append((start, i))
            start = i + 1
    return out


class _Answer:
    """The answer's words, term stream and sentences, with evidence helpers."""

    def __init__(self, words: Sequence[Word], stream: Stream) -> None:
        self.words = words
        self.stream = stream
        self.sents = sentences(words)
        self._sent_of = [0] * len(words)
        for k, (a, b) in enumerate(self.sents):
            for i in range(a, b + 1):
                self._sent_of[i] = k
        self.hedges = _find(stream, HEDGE_BEFORE)
        self._first_hedge: dict[int, int] = {}  # sentence -> word index of its first hedge
        for h in self.hedges:
            self._first_hedge.setdefault(self._sent_of[h.first], h.first)
        self._found: dict[tuple[str, ...], list[Hit]] = {}

    def text(self, first: int, last: int, most: int = 12) -> str:
        chosen = self.words[first : min(last, first + most - 1) + 1]
        text = " ".join(w.text.strip() for w in chosen)
        return text + (" ..." if last - first + 1 > most else "")

    def evidence(self, hit: Hit, context: int = 0) -> dict[str, Any]:
        a, b = self.sents[self._sent_of[hit.first]]
        first = max(a, hit.first - context)
        last = min(b, hit.last + context)
        return {"text": self.text(first, last), "start": round(self.words[first].start, 3)}

    def sentence(self, k: int) -> dict[str, Any]:
        a, b = self.sents[k]
        return {"text": self.text(a, b), "start": round(self.words[a].start, 3)}

    def spread(self, hits: Sequence[Hit]) -> list[Hit]:
        """One hit per sentence, so three pieces of evidence are three different moments."""
        seen: set[int] = set()
        out = []
        for h in hits:
            k = self._sent_of[h.first]
            if k not in seen:
                seen.add(k)
                out.append(h)
        return out

    def firm(self, hits: Sequence[Hit]) -> list[Hit]:
        """Hits said without a hedge earlier in the same sentence ("I think I'd maybe use")."""
        never = len(self.words)
        return [h for h in hits
                if self._first_hedge.get(self._sent_of[h.first], never) >= h.first]

    def find(self, spellings: tuple[str, ...]) -> list[Hit]:
        if spellings not in self._found:
            self._found[spellings] = _find(self.stream, spellings)
        return self._found[spellings]


def _flag(flag_id: str, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": flag_id, "text": TEXTS[flag_id], "evidence": evidence[:3]}


def applicable(prompt: Prompt | None) -> tuple[str, ...]:
    """The flags a prompt can raise: technical ones, or the story ones for behavioral prompts."""
    if prompt is None:
        return ()
    if prompt.pillar == "behavioral":
        ids = ("no-trade-offs", *STORY)
        return (*ids, "no-influence") if prompt.level == "staff" else ids
    return TECHNICAL


def detect(
    words: Sequence[Word],
    stream: Stream,
    prompt: Prompt | None,
    skip: Set[int] = frozenset(),
) -> list[dict[str, Any]]:
    """The red flags of one answer, ``[{id, text, evidence: [{text, start}]}]``, in list order."""
    wanted = applicable(prompt)
    content = [i for i in range(len(words)) if i not in skip]
    if not wanted or len(content) < 20:
        return []  # too short to judge: a flag on ten words would be a guess
    ans = _Answer(words, stream)
    flags: list[dict[str, Any]] = []
    per_100 = 100.0 / max(len(content), 1)
    hedged = len(ans.hedges) * per_100 >= HEDGED_PER_100
    reasoned = len(ans.find(REASON)) * per_100
    if reasoned < REASONED_PER_100 + 2.0:  # past that the limits need not be counted too
        reasoned += len(ans.firm(ans.find(TRADE_OFF))) * per_100
    bar = REASONED_PER_100
    if prompt is not None and prompt.pillar == "behavioral":
        reasoned += len(ans.firm(ans.find(STORY_REASON))) * per_100
        bar = STORY_REASONED_PER_100
    if "no-trade-offs" in wanted and reasoned < bar:
        claims = [ans.sentence(k) for k in range(min(3, len(ans.sents)))]
        flags.append(_flag("no-trade-offs", claims))
    weighed = reasoned >= REASONED_PER_100 + 2.0 and not hedged  # reasons enough to compare
    if "one-solution" in wanted and not weighed and not ans.firm(ans.find(ALTERNATIVE)):
        decided = ans.find(DECISION)
        where = [ans.evidence(h, 6) for h in ans.spread(decided)] or [ans.sentence(0)]
        flags.append(_flag("one-solution", where))
    if "no-decision" in wanted:
        unstated = reasoned < REASONED_PER_100 + 1.0 and not ans.firm(ans.find(DECISION))
        if hedged or unstated:
            decisions = ans.find(DECISION)
            where = [ans.evidence(h, 4) for h in ans.spread(decisions)] or [
                ans.evidence(h, 4) for h in ans.spread(ans.hedges)
            ] or [ans.sentence(len(ans.sents) - 1)]
            flags.append(_flag("no-decision", where))
    if "no-team" in wanted:
        team = ans.find(TEAM)
        mine = ans.find(I_WORDS)
        if len(mine) >= 5 and len(team) < TEAM_SHARE * len(mine):
            flags.append(_flag("no-team", [ans.evidence(h, 5) for h in ans.spread(mine)]))
    if "blames-others" in wanted:
        blame = ans.find(BLAME)
        if len(blame) >= 2:
            flags.append(_flag("blames-others", [ans.evidence(h, 5) for h in ans.spread(blame)]))
    if "no-result" in wanted:
        clear = ans.firm(ans.find(RESULT))
        weak = ans.firm(ans.find(WEAK_RESULT))
        if not clear and len(weak) < 3:
            flags.append(_flag("no-result", [ans.sentence(len(ans.sents) - 1)]))
    if "no-influence" in wanted and not ans.firm(ans.find(INFLUENCE)):
        flags.append(_flag("no-influence", [ans.sentence(0)]))
    return flags
