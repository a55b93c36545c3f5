"""Calibration: how the user's own grade of an answer compares with the measured one.

"Most engineers are overconfident about their strengths": the coach asks for a grade (Again,
Hard, Good, Easy) before it shows the score, then sets it beside the grade the score proposes
(``scheduler.propose_rating``, from the content score as the review shows it), per pillar and
over time. A gap of one grade means, for example, "Good" for an answer that scored as "Hard".
Plain functions over history rows, no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from coach.core.scheduler import RATINGS, propose_rating

WORDS = {1: "one grade", 2: "two grades", 3: "three grades"}
RECENT = 5  # the last answers compared with the ones before, to show the trend


def measured(score: float, content: float | None = None) -> str:
    """The grade the score proposes, as the review and the round's summary show it: from the
    content score when the attempt has one (a "Needs work" total is Again), else the total."""
    if content is None:
        return propose_rating(float(score))
    return propose_rating({"total": float(score), "content": float(content)})


def gap(self_rating: str | None, score: float | None, content: float | None = None) -> int | None:
    """Grades the user's own rating sits above (+) or below (-) the measured one."""
    if not self_rating or score is None or self_rating not in RATINGS:
        return None
    return RATINGS.index(self_rating) - RATINGS.index(measured(score, content))


def _mean(values: list[int]) -> float:
    return sum(values) / len(values)


def sentence(pillar: str, mean_gap: float) -> str:
    """The gap in words: "you rate your system-design answers about one grade higher ..."."""
    grades = round(abs(mean_gap))
    if grades == 0:
        return f"your own grades of your {pillar} answers match what they score"
    way = "higher" if mean_gap > 0 else "lower"
    return (f"you rate your {pillar} answers about {WORDS.get(grades, f'{grades} grades')} "
            f"{way} than they score")


def calibration(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per pillar (rows in time order, each with ``pillar``, ``self_rating``, ``score``):
    how many answers were self-rated, the mean gap, the sentence, and the gaps of the last
    answers beside those of the ones before them. A take with no speech (``no_speech``) is
    left out: its 0 says nothing about how good the user's answers are."""
    by_pillar: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("no_speech"):
            continue
        g = gap(row.get("self_rating"), row.get("score"), row.get("content"))
        if g is not None:
            by_pillar[row.get("pillar") or "free"].append({
                "gap": g, "self": row["self_rating"],
                "measured": measured(row["score"], row.get("content")),
                "when": row.get("when") or row.get("started_at") or "",
            })
    out = []
    for pillar, points in sorted(by_pillar.items()):
        gaps = [p["gap"] for p in points]
        recent, earlier = gaps[-RECENT:], gaps[:-RECENT]
        out.append({
            "pillar": pillar,
            "count": len(points),
            "mean": round(_mean(gaps), 2),
            "sentence": sentence(pillar, _mean(gaps)),
            "recent_mean": round(_mean(recent), 2),
            "earlier_mean": round(_mean(earlier), 2) if earlier else None,
            "points": points,
        })
    return out
