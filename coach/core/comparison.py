"""Comparing two answers: the headline metrics of each, and what changed between them.

People improve by reattempting a question and seeing what changed, so ``compare`` gives the
report and the TUI one shape for "before vs after" (metric deltas with a direction, key points
newly covered or lost, the two transcripts aligned word by word). It sits below both the report
(which shows one comparison) and the dashboard (which draws the same metrics over time), so
neither has to import the other.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from coach.config import Settings
from coach.core.model import Analysis

_DEFAULTS = Settings()

# key, label, unit, which way is better: "up", "down", or "band" (closer to the target band).
METRICS: tuple[tuple[str, str, str, str], ...] = (
    ("score", "Score", "/100", "up"),
    ("content", "Content", "/100", "up"),
    ("delivery", "Delivery", "/100", "up"),
    ("wpm", "Pace", "wpm", "band"),
    ("fillers_per_min", "Fillers", "/min", "down"),
    ("hesitations_per_min", "Hesitations", "/min", "down"),
    ("reasoning_per_min", "Reasoning markers", "/min", "up"),
    ("hedges_per_min", "Hedges", "/min", "down"),
    ("red_flags", "Red flags", "", "down"),
    ("coverage", "Key-point coverage", "%", "up"),
    ("long_pauses", "Long pauses", "", "down"),
    ("duration_s", "Length", "s", "none"),
)

BANDS: dict[str, tuple[float, float]] = {
    "wpm": (_DEFAULTS.wpm_low, _DEFAULTS.wpm_high),
    "hesitations_per_min": (0.0, _DEFAULTS.hesitations_per_min_max),
}


# --------------------------------------------------------------------------- metrics


def metrics_of(analysis: Analysis) -> dict[str, float | None]:
    """The headline numbers of one analysis, the same ones the dashboard and history use."""
    stats = (analysis.extra or {}).get("filler_stats", {}) or {}
    minutes = (analysis.speech_s or analysis.duration_s or 0.0) / 60.0
    hesitations = stats.get("hesitations")
    if hesitations is None:
        hesitations = sum(1 for f in analysis.fillers if f.kind == "hesitation")
    per_min = stats.get("per_min")
    if per_min is None:
        per_min = len(analysis.fillers) / minutes if minutes else 0.0
    coverage = analysis.coverage.get("ratio") if analysis.coverage else None
    return {
        "score": to_float(analysis.score.get("total")),
        "content": to_float(analysis.score.get("content")),
        "delivery": to_float(analysis.score.get("delivery")),
        "hedges_per_min": to_float((analysis.hedges or {}).get("per_min")),
        "red_flags": float(len(analysis.red_flags)) if analysis.hedges is not None else None,
        "wpm": float(analysis.wpm),
        "fillers_per_min": float(per_min),
        "hesitations_per_min": float(hesitations) / minutes if minutes else 0.0,
        "reasoning_per_min": to_float((analysis.reasoning or {}).get("per_min")) or 0.0,
        "coverage": to_float(coverage),
        "long_pauses": float(sum(1 for p in analysis.pauses if p.kind == "gap")),
        "duration_s": float(analysis.duration_s),
    }


def to_float(value: Any) -> float | None:
    """A number read from a row or a JSON file, or None when it is missing or not a number."""
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def change_verdict(key: str, direction: str, before: float | None, after: float | None) -> str:
    """"better", "worse" or "same" for a change, given which way is better for this metric."""
    if before is None or after is None:
        return "same"
    tolerance = {"score": 1.0, "content": 1.0, "delivery": 1.0, "wpm": 3.0, "coverage": 0.001,
                 "duration_s": 1.0}.get(key, 0.1)
    if direction == "band":
        low, high = BANDS[key]
        distance_before = max(low - before, before - high, 0.0)
        distance_after = max(low - after, after - high, 0.0)
        change = distance_before - distance_after
    elif direction == "up":
        change = after - before
    elif direction == "down":
        change = before - after
    else:
        return "same"
    if abs(change) < tolerance:
        return "same"
    return "better" if change > 0 else "worse"


# --------------------------------------------------------------------------- comparison

_WORD = re.compile(r"[^\w'-]+")


def _norm(text: str) -> str:
    return _WORD.sub("", text.lower())


def compare(a: Analysis, b: Analysis) -> dict[str, Any]:
    """What changed from answer ``a`` (the earlier attempt) to answer ``b`` (the later one).

    Returns ``metrics`` (each: key, label, unit, before, after, delta, verdict better/worse/same),
    ``key_points`` (newly_covered, lost, kept, still_missed; None when neither has coverage),
    ``alignment`` (runs of the two transcripts: op equal/replace/delete/insert with before/after
    text) and ``similarity`` (0-1, how much of the wording the two answers share).
    """
    before, after = metrics_of(a), metrics_of(b)
    metrics = []
    for key, label, unit, direction in METRICS:
        x, y = before[key], after[key]
        if key in OPTIONAL and x is None and y is None:
            continue  # neither attempt measured it (no prompt; scored before issue 13)
        scale = 100.0 if key == "coverage" else 1.0
        metrics.append(
            {
                "key": key,
                "label": label,
                "unit": unit,
                "before": None if x is None else x * scale,
                "after": None if y is None else y * scale,
                "delta": None if x is None or y is None else (y - x) * scale,
                "verdict": change_verdict(key, direction, x, y),
                "band": BANDS.get(key),
            }
        )
    words_a = [str(w.get("text", "")).strip() for w in a.words]
    words_b = [str(w.get("text", "")).strip() for w in b.words]
    matcher = difflib.SequenceMatcher(
        a=[_norm(w) for w in words_a], b=[_norm(w) for w in words_b], autojunk=False
    )
    if len(words_a) * len(words_b) <= MAX_ALIGN_WORK:
        opcodes = _merge_short_matches(matcher.get_opcodes())
        similarity = matcher.ratio() if (words_a or words_b) else 1.0
    else:
        # difflib is quadratic: for very long answers show them side by side, unaligned,
        # with the share of common words (an upper bound of the aligned ratio) as similarity.
        opcodes = [("replace", 0, len(words_a), 0, len(words_b))]
        similarity = matcher.quick_ratio()
    alignment = [
        {"op": op, "before": " ".join(words_a[i1:i2]), "after": " ".join(words_b[j1:j2])}
        for op, i1, i2, j1, j2 in opcodes
    ]
    by_key = {m["key"]: m for m in metrics}
    return {
        "metrics": metrics,
        # content and delivery compared apart: "knew more" and "said it better" are two things
        "sides": [
            {"label": by_key[k]["label"], "before": by_key[k]["before"],
             "after": by_key[k]["after"], "delta": by_key[k]["delta"],
             "verdict": by_key[k]["verdict"]}
            for k in ("content", "delivery")
            if k in by_key and by_key[k]["delta"] is not None
        ],
        "key_points": _key_point_changes(a.coverage, b.coverage),
        "alignment": alignment,
        "similarity": similarity,
        "score_before": before["score"],
        "score_after": after["score"],
    }


OPTIONAL = frozenset({"coverage", "content", "delivery", "hedges_per_min", "red_flags"})
MAX_ALIGN_WORK = 4_000_000  # words(a) x words(b): two ~13-minute answers; bounds the worst case
MIN_ANCHOR_WORDS = 3  # shorter common runs between changes ("so I", "of") are coincidence


def _merge_short_matches(
    opcodes: list[tuple[str, int, int, int, int]],
) -> list[tuple[str, int, int, int, int]]:
    """Fold short common runs that sit between changes into one changed block, so the
    alignment pairs up what was really said the same way instead of stray "of"s and "I"s."""
    merged: list[tuple[str, int, int, int, int]] = []
    for k, (op, i1, i2, j1, j2) in enumerate(opcodes):
        inner = 0 < k < len(opcodes) - 1
        if op == "equal" and inner and i2 - i1 < MIN_ANCHOR_WORDS:
            op = "replace"
        if merged and op != "equal" and merged[-1][0] != "equal":
            _, a1, _, b1, _ = merged[-1]
            merged[-1] = ("replace", a1, i2, b1, j2)
            continue
        merged.append((op, i1, i2, j1, j2))
    return [
        ("delete" if j1 == j2 else "insert" if i1 == i2 else op, i1, i2, j1, j2)
        if op != "equal" else (op, i1, i2, j1, j2)
        for op, i1, i2, j1, j2 in merged
    ]


def _key_point_changes(
    cov_a: dict[str, Any] | None, cov_b: dict[str, Any] | None
) -> dict[str, list[dict[str, Any]]] | None:
    if not cov_a and not cov_b:
        return None
    points_a = {p["id"]: p for p in (cov_a or {}).get("points", [])}
    points_b = {p["id"]: p for p in (cov_b or {}).get("points", [])}
    changes: dict[str, list[dict[str, Any]]] = {
        "newly_covered": [], "lost": [], "kept": [], "still_missed": []
    }
    for pid in list(points_b) + [p for p in points_a if p not in points_b]:
        was = bool(points_a.get(pid, {}).get("covered"))
        now = bool(points_b.get(pid, {}).get("covered"))
        point = points_b.get(pid) or points_a[pid]
        view = {
            "id": pid,
            "text": point.get("text", pid),
            "hits": list((points_b.get(pid) or {}).get("hits", []) if now
                         else (points_a.get(pid) or {}).get("hits", [])),
        }
        key = ("kept" if was else "newly_covered") if now else ("lost" if was else "still_missed")
        changes[key].append(view)
    return changes
