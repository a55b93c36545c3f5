"""What the review screen shows, computed from an ``Analysis``: words, cards, checklist, rating.

Kept apart from the widgets so the same numbers are tested without a terminal, and so the review
of an attempt loaded from ``analysis.json`` looks exactly like one just analysed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coach.core import pitch as pitch_mod
from coach.core.coverage import weighted_share
from coach.core.model import Analysis
from coach.tui.logic.timebox import clock

# The gap in a card's width, in the words of the Content ("what") and Delivery ("how") cards.
GAP_NOTES = {"knowledge": "gap: what", "communication": "gap: how", "both": "gap: both",
             "none": "no gap"}


@dataclass(frozen=True)
class Token:
    """One word of the transcript as the review shows it."""

    index: int
    text: str
    start: float
    end: float
    filler: bool = False
    marker: bool = False
    corrected: bool = False
    hedge: bool = False


@dataclass(frozen=True)
class Card:
    """One metric card: a title, the value, and a short note (target or band)."""

    title: str
    value: str
    note: str = ""
    band: str = ""  # "good", "ok", "bad" or "" for neutral


def tokens(analysis: Analysis) -> list[Token]:
    corrected = {c.get("word_index") for c in corrections_of(analysis)}
    return [
        Token(
            index=i,
            text=str(w.get("text", "")).strip(),
            start=float(w.get("start", 0.0)),
            end=float(w.get("end", 0.0)),
            filler=bool(w.get("filler")),
            marker=bool(w.get("marker")),
            corrected=i in corrected,
            hedge=bool(w.get("hedge")),
        )
        for i, w in enumerate(analysis.words)
    ]


def word_at(words: Sequence[Token], seconds: float) -> int | None:
    """Index of the word being spoken (or last started) at ``seconds``; None before the first."""
    starts = [w.start for w in words]
    pos = bisect_right(starts, seconds) - 1
    return pos if pos >= 0 else None


def _components(analysis: Analysis, *names: str) -> list[dict[str, Any]]:
    wanted = {n.lower() for n in names}
    comps = analysis.score.get("components", []) if analysis.score else []
    return [c for c in comps or [] if str(c.get("name", "")).lower() in wanted]


def band(analysis: Analysis, *names: str) -> str:
    """"good" / "ok" / "bad" from the share of points the score components earned."""
    comps = _components(analysis, *names)
    most = sum(float(c.get("max_points", 0) or 0) for c in comps)
    if not most:
        return ""
    share = sum(float(c.get("points", 0) or 0) for c in comps) / most
    return "good" if share >= 0.7 else "ok" if share >= 0.4 else "bad"


def _rate_note(analysis: Analysis, name: str) -> str:
    """"1.7/min": the per-minute value the score (and the report) used."""
    comps = _components(analysis, name)
    value = comps[0].get("value") if comps else None
    return f"{float(value):.1f}/min" if isinstance(value, int | float) else ""


def _note(analysis: Analysis, name: str) -> str:
    comps = _components(analysis, name)
    return str(comps[0].get("note", "")) if comps else ""


def cards(analysis: Analysis) -> list[Card]:
    """The metric cards, in reading order: the total, content and delivery, then the measures
    they are made of."""
    minutes = analysis.speech_s / 60 if analysis.speech_s > 0 else 0.0
    stats = analysis.extra.get("filler_stats", {}) or {}
    per_min = stats.get("per_min")
    if per_min is None:
        per_min = len(analysis.fillers) / minutes if minutes else 0.0
    reasoning = analysis.reasoning or {}
    score = analysis.score or {}
    total = float(score.get("total", 0) or 0)
    hedges = analysis.hedges or {}
    out = [
        Card(
            "Score", f"{total:.0f}/100", GAP_NOTES.get(str(score.get("gap")), ""),
            "good" if total >= 70 else "ok" if total >= 50 else "bad",
        ),
    ]
    for side in ("content", "delivery"):
        value = score.get(side)
        if isinstance(value, int | float):
            out.append(Card(
                side.capitalize(), f"{value:.0f}/100", "what" if side == "content" else "how",
                "good" if value >= 70 else "ok" if value >= 50 else "bad",
            ))
    long_pauses = sum(1 for p in analysis.pauses if p.kind == "gap")
    # values and notes stay within ~10 characters: nine cards share a 120-column row
    out += [
        Card("Pace", f"{analysis.wpm:.0f} wpm", _note(analysis, "pace"), band(analysis, "pace")),
        Card(
            "Fillers", str(len(analysis.fillers)), f"{float(per_min):.1f}/min",
            band(analysis, "hesitations", "discourse fillers"),
        ),
        Card(
            "Hedges", str(hedges.get("count", 0)),
            f"{float(hedges.get('per_min', 0.0)):.1f}/min",
            band(analysis, "hedging"),
        ),
        Card(
            "Reasoning", str(reasoning.get("count", 0)),
            f"{float(reasoning.get('per_min', 0.0)):.1f}/min",
            band(analysis, "reasoning"),
        ),
        Card(
            "Pauses", str(long_pauses), _rate_note(analysis, "long pauses"),
            band(analysis, "long pauses"),
        ),
    ]
    if analysis.coverage:
        cov = analysis.coverage
        out.append(
            Card(
                "Key points",
                f"{cov.get('covered', 0)}/{cov.get('total', 0)}",
                f"{100 * weighted_share(cov):.0f}%",  # by weight, as the score counts them
                band(analysis, "key points"),
            )
        )
    return out


def pitch_line(analysis: Analysis) -> str | None:
    """"Pitch: median 118 Hz, spread 7.2 semitones; monotone 0:20–0:40" (None: not measured)."""
    text = pitch_mod.describe(analysis.pitch, clock)
    return f"Pitch: {text}" if text else None


@dataclass(frozen=True)
class Point:
    text: str
    covered: bool
    hits: tuple[str, ...] = ()
    why: str = ""  # why an interviewer listens for it (shown beside a missed point)


def checklist(analysis: Analysis) -> list[Point]:
    if not analysis.coverage:
        return []
    return [
        Point(str(p.get("text", p.get("id", ""))), bool(p.get("covered")),
              tuple(p.get("hits", ())), str(p.get("why") or ""))
        for p in analysis.coverage.get("points", [])
    ]


@dataclass(frozen=True)
class Flag:
    """A red flag and the first words that show it, with when they were said."""

    text: str
    evidence: str = ""
    start: float | None = None


def flags(analysis: Analysis) -> list[Flag]:
    out = []
    for flag in analysis.red_flags:
        first = (flag.get("evidence") or [{}])[0]
        start = first.get("start")
        out.append(Flag(str(flag.get("text", flag.get("id", ""))), str(first.get("text", "")),
                        float(start) if isinstance(start, int | float) else None))
    return out


def leaned_on(analysis: Analysis) -> str:
    """The phrases the answer leans on, as one line ("basically x6, the thing is x4")."""
    return ", ".join(f"{r.get('text', '')} x{r.get('count', 0)}" for r in analysis.repetition)


def verdict_line(analysis: Analysis) -> str:
    return str((analysis.score or {}).get("verdict", ""))


def proposed_rating(analysis: Analysis) -> str:
    """The rating suggested from the content score (see ``propose_rating``); one key accepts
    it."""
    from coach.core.scheduler import propose_rating

    return propose_rating(analysis.score or {})


def corrections_of(analysis: Analysis) -> list[dict[str, Any]]:
    return list(analysis.extra.get("corrections", []) or [])


def toggle_filler(
    corrections: Sequence[dict[str, Any]], token: Token
) -> list[dict[str, Any]]:
    """The corrections after the user flips ``token`` between filler and not filler.

    Flipping a word back to what the detector said removes the earlier correction instead of
    stacking a second one, so the list stays the user's net intent.
    """
    rest = [c for c in corrections if c.get("word_index") != token.index]
    if token.corrected:
        return rest
    return [*rest, {"word_index": token.index, "text": token.text, "filler": not token.filler}]


@dataclass(frozen=True)
class ChainLink:
    """One answer of a follow-up chain as the review lists it."""

    attempt_id: str
    label: str  # "first answer" or "follow-up: <question>"
    score: float | None
    current: bool
    no_speech: bool = False  # a take with nothing said: its 0 is no score

    @property
    def score_text(self) -> str:
        """What the chain shows for this answer's score."""
        from coach.core.history import NO_SPEECH

        if self.no_speech:
            return NO_SPEECH
        return "–" if self.score is None else f"{self.score:.0f}"


def chain(home: Any, attempt: Any) -> list[ChainLink]:
    """The chain of answers ``attempt`` belongs to (the first answer, then its follow-ups),
    with their scores; empty when the attempt stands alone."""
    from coach.core.attempts import follow_up_chain, read_analysis

    members = follow_up_chain(home, attempt)
    if len(members) < 2:
        return []
    links = []
    for member in members:
        data = read_analysis(member) or {}
        question = member.follow_up_question
        label = f"follow-up: {question}" if member.follows else "first answer"
        score = (data.get("score") or {}).get("total")
        links.append(ChainLink(member.id, label, score, member.id == attempt.id,
                               no_speech=bool(data.get("no_speech"))))
    return links
