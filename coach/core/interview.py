"""Interview mode: which follow-up the interviewer asks, which questions a round holds, and
what the round's summary says.

A real interviewer pulls on what the answer left out ("what happens to your range queries with
a hash index?"), so the follow-up is the probe of the most important key point the answer
missed. A round mixes the pillars the way the user's level is interviewed. Everything here is
pure (prompts and analysis dicts in, plain data out) so the TUI, the CLI and tests share it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

from coach.core.calibration import measured
from coach.core.model import KeyPoint, Prompt

DEEP_DIVE = "deep-dive"

# One round's slots in the order they are filled, per level (the seeds: senior is coding
# explanation, system design and behavioral in equal parts; staff weighs system design -- with
# a deep dive -- and behavioral more). ``--questions N`` takes the first N, cycling.
ROUND_SLOTS: dict[str, tuple[str, ...]] = {
    "senior": ("coding", "system-design", "behavioral"),
    "staff": ("system-design", "behavioral", DEEP_DIVE, "coding", "behavioral"),
}
SLOT_PILLAR = {DEEP_DIVE: "system-design"}


# --------------------------------------------------------------------------- follow-ups


@dataclass(frozen=True)
class FollowUp:
    """The question the interviewer asks next, and the key point it pulls on (if any)."""

    question: str
    key_point: KeyPoint | None = None


def missed_points(prompt: Prompt, coverages: Iterable[dict[str, Any] | None]) -> list[KeyPoint]:
    """The prompt's key points no answer covered, most important first (weight, then order).

    ``coverages`` are the ``coverage`` dicts of the first answer and of its follow-ups: a point
    made in a follow-up answer is no longer a gap."""
    covered = {
        p["id"]
        for coverage in coverages
        if coverage
        for p in coverage.get("points", [])
        if p.get("covered")
    }
    order = {kp.id: n for n, kp in enumerate(prompt.key_points)}
    missed = [kp for kp in prompt.key_points if kp.id not in covered]
    return sorted(missed, key=lambda kp: (-kp.weight, order[kp.id]))


def choose_follow_up(
    prompt: Prompt,
    coverages: Sequence[dict[str, Any] | None],
    asked: Sequence[str] = (),
    limit: int = 2,
) -> FollowUp | None:
    """The next follow-up to ask, or None once ``limit`` follow-ups were asked (0: never).

    The probe of the most important missed point comes first; a missed point without a probe
    yet falls back to one of the prompt's own follow-ups, as does an answer that missed nothing.
    A question already asked in this chain is never asked again."""
    if len(asked) >= limit:
        return None
    seen = {q.strip().lower() for q in asked}
    for kp in missed_points(prompt, coverages):
        if kp.probe and kp.probe.strip().lower() not in seen:
            return FollowUp(kp.probe.strip(), kp)
    for question in prompt.follow_ups:
        if question.strip().lower() not in seen:
            return FollowUp(question.strip())
    return None


# --------------------------------------------------------------------------- the round


def round_slots(level: str, questions: int | None = None, pillar: str | None = None) -> list[str]:
    """The kinds of question a round asks, in order ("coding", "system-design", "behavioral",
    "deep-dive"); ``pillar`` keeps only that pillar's slots (a deep dive is system design)."""
    pattern = ROUND_SLOTS.get(level, ROUND_SLOTS["senior"])
    if pillar:
        pattern = tuple(s for s in pattern if SLOT_PILLAR.get(s, s) == pillar) or (pillar,)
    count = len(pattern) if questions is None else questions
    return [pattern[n % len(pattern)] for n in range(max(0, count))]


def _fits(prompt: Prompt, slot: str) -> bool:
    if slot == DEEP_DIVE:
        return prompt.category == DEEP_DIVE
    return prompt.pillar == slot and prompt.category != DEEP_DIVE


def plan_round(
    prompts: Iterable[Prompt],
    level: str,
    questions: int | None = None,
    pillar: str | None = None,
    rng: random.Random | None = None,
) -> list[Prompt]:
    """The questions of one round: each slot filled with a prompt of the user's level (any
    level when none fits), never the same prompt twice; slots nothing fits are left out."""
    rng = rng or random.Random()
    library = sorted(prompts, key=lambda p: p.id)
    chosen: list[Prompt] = []
    for slot in round_slots(level, questions, pillar):
        fitting = [p for p in library if _fits(p, slot) and p not in chosen]
        if not fitting and slot == DEEP_DIVE:  # a library without deep dives: system design
            fitting = [p for p in library if _fits(p, "system-design") and p not in chosen]
        at_level = [p for p in fitting if p.level == level]
        pool = at_level or fitting
        if pool:
            chosen.append(rng.choice(pool))
    return chosen


# --------------------------------------------------------------------------- the summary


@dataclass
class Answer:
    """One recorded answer of a round: the first to a question, or a follow-up."""

    attempt_id: str
    question: str
    analysis: dict[str, Any]
    key_point: str | None = None  # the key point a follow-up probed


@dataclass
class RoundQuestion:
    """A question of the round with its chain of answers (the first, then the follow-ups)."""

    prompt: Prompt
    answers: list[Answer] = field(default_factory=list)
    self_rating: str | None = None  # the user's grade of the first answer, asked before scores


def scores_of(analysis: dict[str, Any]) -> dict[str, float | None]:
    """Content and delivery of one answer; before the split scores exist, both are the total."""
    score = analysis.get("score") or {}
    total = score.get("total")
    content = score.get("content", total)
    delivery = score.get("delivery", total)
    return {"total": total, "content": content, "delivery": delivery}


def _mean(values: Iterable[float | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return round(mean(present), 1) if present else None


def _gaps(question: RoundQuestion) -> list[dict[str, Any]]:
    """The key points the first answer left out, heaviest first. A point the user made only
    once the interviewer pulled on it is still listed (``prompted``), after the ones never
    made at the same weight: a real interviewer notes that it needed asking for."""
    coverages = [a.analysis.get("coverage") for a in question.answers]
    never = {kp.id for kp in missed_points(question.prompt, coverages)}
    gaps = [
        {
            "prompt_id": question.prompt.id,
            "title": question.prompt.title,
            "point": kp.text,
            "why": kp.why,
            "weight": kp.weight,
            "prompted": kp.id not in never,
        }
        for kp in missed_points(question.prompt, coverages[:1])
    ]
    return sorted(gaps, key=lambda g: g["prompted"])  # stable: weight order kept within each


def self_assessment(question: RoundQuestion) -> dict[str, str | None]:
    """The user's own grade of the question's first answer beside the grade its score proposes
    (as the review and the dashboard's calibration see it); None when skipped."""
    score = scores_of(question.answers[0].analysis) if question.answers else {}
    proposed = (measured(score["total"], score["content"])
                if question.self_rating and score.get("total") is not None else None)
    return {"self_rating": question.self_rating, "measured_rating": proposed}


def summarise_round(questions: Sequence[RoundQuestion], gaps_shown: int = 5) -> dict[str, Any]:
    """The round's summary: per question and per pillar the content and delivery, the biggest
    gaps (missed key points, most important first, with why they matter), what to practise."""
    rows = []
    by_pillar: dict[str, list[dict[str, float | None]]] = {}
    gaps: list[dict[str, Any]] = []
    for q in questions:
        if not q.answers:
            continue
        answers = []
        for n, answer in enumerate(q.answers):
            scores = scores_of(answer.analysis)
            by_pillar.setdefault(q.prompt.pillar, []).append(scores)
            answers.append({
                "attempt_id": answer.attempt_id,
                "question": answer.question,
                "follow_up": n > 0,
                "key_point": answer.key_point,
                **scores,
            })
        first = answers[0]
        rows.append({
            "prompt_id": q.prompt.id,
            "title": q.prompt.title,
            "pillar": q.prompt.pillar,
            "category": q.prompt.category,
            "content": first["content"],
            "delivery": first["delivery"],
            **self_assessment(q),
            "follow_ups": answers[1:],
            "answers": answers,
        })
        gaps += _gaps(q)
    pillars = [
        {
            "pillar": pillar,
            "answers": len(scores),
            "content": _mean(s["content"] for s in scores),
            "delivery": _mean(s["delivery"] for s in scores),
        }
        for pillar, scores in sorted(by_pillar.items())
    ]
    order = {id(g): n for n, g in enumerate(gaps)}
    gaps.sort(key=lambda g: (-g["weight"], g["prompted"], order[id(g)]))
    return {
        "questions": rows,
        "pillars": pillars,
        "gaps": gaps[:gaps_shown],
        "practise_next": practise_next(rows, pillars, gaps),
    }


def practise_next(
    rows: Sequence[dict[str, Any]], pillars: Sequence[dict[str, Any]], gaps: Sequence[dict]
) -> list[str]:
    """What to practise next, most useful first: the questions with must-have gaps, then the
    weakest pillar, then the weaker of content and delivery overall."""
    advice: list[str] = []
    seen: set[str] = set()
    for gap in gaps:
        if gap["prompt_id"] in seen or len(seen) >= 3:
            continue
        seen.add(gap["prompt_id"])
        mine = [g for g in gaps if g["prompt_id"] == gap["prompt_id"]]
        missed = [g["point"] for g in mine]
        how = ("make them before you are asked" if all(g["prompted"] for g in mine)
               else "make the point" + ("s" if len(missed) > 1 else "") + " you missed")
        advice.append(f"Answer '{gap['title']}' again and {how}: {'; '.join(missed[:2])}")
    for row in rows:  # an answer a real interviewer would mark down, follow-ups included
        for n, answer in enumerate(row.get("answers", [])):
            total = answer.get("total")
            if (total is None or row["prompt_id"] in seen
                    or measured(total, answer.get("content")) != "again"):
                continue
            seen.add(row["prompt_id"])
            what = "your first answer" if n == 0 else f"the follow-up '{answer['question']}'"
            advice.append(f"In '{row['title']}', {what} scored {total:.0f}, an answer to "
                          "practise again: open its review for what was missing")
    rated = [p for p in pillars if p["content"] is not None]
    if len(rated) > 1:
        weakest = min(rated, key=lambda p: p["content"])
        advice.append(
            f"Practise more {weakest['pillar']} questions: its content score "
            f"({weakest['content']:.0f}) is the lowest of the round"
        )
    content = _mean(r["content"] for r in rows)
    delivery = _mean(r["delivery"] for r in rows)
    if content is not None and delivery is not None and content != delivery:
        weaker = "delivery (pace, fillers, pauses)" if delivery < content else "content"
        advice.append(f"Overall your {weaker} is the weaker side: work on it first")
    return advice
