"""The overall score: 0-100 with a breakdown a user can check line by line.

Each component has a target band, the source of that band, the measured value and the points it
earned. Points fall off linearly outside the band, so a small miss costs little and the total
moves smoothly between attempts. Components that do not apply (coverage without a prompt, time
box without one) are left out and the rest are rescaled to 100. The sources are stated honestly:
where a band is a coaching rule of thumb rather than a published norm, the source says so.

Reasons weigh most among the delivery measures: an answer that only says *what* and never *why*
loses the whole reasoning component, which alone moves the total by 20 points or more.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from coach.config import Settings
from coach.core.model import ScoreComponent

NO_SPEECH = "No speech detected"

SOURCES = {
    "pace": "typical conversational/presentation pace (NCVS voice-science guidance; Toastmasters "
    "and public-speaking coaching)",
    "hesitations": "speech-coaching rule of thumb (Toastmasters 'ah-counter' practice); "
    "a few are normal in spontaneous speech",
    "discourse": "speech-coaching rule of thumb; fillers like 'like', 'you know', 'basically' "
    "read as hedging when frequent",
    "reasoning": "coach heuristic: senior interviews reward explaining why (trade-offs, "
    "alternatives); rate is a rule of thumb, not a published norm",
    "coverage": "the prompt's own key points (written for this library)",
    "pauses": "coach heuristic: a short pause to think is fine; several long silences per "
    "minute lose the listener",
    "time_box": "the prompt's time box (interview answers are expected to fit it)",
}


@dataclass(frozen=True)
class Metrics:
    """What the score is computed from (all rates per minute of talking)."""

    wpm: float
    hesitations_per_min: float
    discourse_per_min: float
    reasoning_per_min: float
    reasoning_count: int
    long_pauses_per_min: float
    coverage_ratio: float | None = None
    answer_length_s: float | None = None
    answer_seconds: int | None = None


def _ramp_down(value: float, ok: float, zero: float) -> float:
    """1 at or below ``ok``, 0 at or above ``zero``, linear between."""
    if value <= ok:
        return 1.0
    if value >= zero:
        return 0.0
    return (zero - value) / (zero - ok)


def _ramp_up(value: float, zero: float, ok: float) -> float:
    return 1.0 - _ramp_down(value, zero, ok) if value < ok else 1.0


def _band(value: float, low: float, high: float, slack: float) -> float:
    if value < low:
        return _ramp_up(value, low - slack, low)
    return _ramp_down(value, high, high + slack)


def components(m: Metrics, settings: Settings) -> list[ScoreComponent]:
    lo, hi = settings.wpm_low, settings.wpm_high
    hes_max = settings.hesitations_per_min_max
    out = [
        ScoreComponent(
            "Pace",
            round(m.wpm, 1),
            15 * _band(m.wpm, lo, hi, 45.0),
            15,
            f"{lo:.0f}-{hi:.0f} wpm",
            SOURCES["pace"],
            "too fast" if m.wpm > hi else "too slow" if m.wpm < lo else "in the band",
        ),
        ScoreComponent(
            "Hesitations",
            round(m.hesitations_per_min, 2),
            15 * _ramp_down(m.hesitations_per_min, hes_max, hes_max * 4),
            15,
            f"fewer than {hes_max:g} per minute (um, uh, er)",
            SOURCES["hesitations"],
        ),
        ScoreComponent(
            "Discourse fillers",
            round(m.discourse_per_min, 2),
            10 * _ramp_down(m.discourse_per_min, 3.0, 12.0),
            10,
            "fewer than 3 per minute (like, you know, basically)",
            SOURCES["discourse"],
        ),
        ScoreComponent(
            "Reasoning",
            round(m.reasoning_per_min, 2),
            0.0 if m.reasoning_count == 0 else 20 * _ramp_up(m.reasoning_per_min, 0.0, 2.0),
            20,
            "2 or more per minute (because, trade-off, instead of)",
            SOURCES["reasoning"],
            "no reasons given: say why, not only what" if m.reasoning_count == 0 else "",
        ),
        ScoreComponent(
            "Long pauses",
            round(m.long_pauses_per_min, 2),
            10 * _ramp_down(m.long_pauses_per_min, 1.0, 5.0),
            10,
            f"at most 1 per minute of {settings.pause_threshold_s:g} s or more",
            SOURCES["pauses"],
        ),
    ]
    if m.coverage_ratio is not None:
        out.append(
            ScoreComponent(
                "Key points",
                round(m.coverage_ratio * 100, 1),
                25 * _ramp_up(m.coverage_ratio, 0.0, 0.7),
                25,
                "70% or more of the prompt's key points",
                SOURCES["coverage"],
            )
        )
    if m.answer_seconds and m.answer_length_s is not None:
        box, length = float(m.answer_seconds), m.answer_length_s
        fit = _band(length, 0.5 * box, 1.1 * box, 0.5 * box)
        note = "over time" if length > 1.1 * box else "short" if length < 0.5 * box else "fits"
        out.append(
            ScoreComponent(
                "Time box",
                round(length, 1),
                5 * fit,
                5,
                f"{0.5 * box:.0f}-{1.1 * box:.0f} s (time box {box:.0f} s)",
                SOURCES["time_box"],
                note,
            )
        )
    return [
        ScoreComponent(c.name, c.value, round(c.points, 1), c.max_points, c.band, c.source, c.note)
        for c in out
    ]


_TIPS = {
    "Pace": "find a steadier pace",
    "Hesitations": "replace 'um' and 'uh' with a short silent pause",
    "Discourse fillers": "drop the 'like' and 'you know'",
    "Reasoning": "say why: give reasons and trade-offs",
    "Long pauses": "keep long silences to a minimum",
    "Key points": "cover more of the key points",
    "Time box": "fit the answer to the time box",
}


def verdict(total: float, parts: list[ScoreComponent]) -> str:
    """One sentence: how it went and the single change that would gain the most."""
    if total >= 85:
        head = "Strong answer"
    elif total >= 70:
        head = "Good answer"
    elif total >= 50:
        head = "Fair answer"
    else:
        head = "Needs work"
    worst = max(parts, key=lambda c: c.max_points - c.points, default=None)
    if worst is None or worst.max_points - worst.points < 1.0:
        return f"{head} ({total:.0f}/100): on target everywhere."
    return f"{head} ({total:.0f}/100); biggest gain: {_TIPS.get(worst.name, worst.name)}."


def score(m: Metrics | None, settings: Settings) -> dict:
    """The ``score`` JSON; ``None`` metrics (no speech) score 0 with the no-speech verdict."""
    if m is None:
        return {"total": 0, "verdict": NO_SPEECH, "components": []}
    parts = components(m, settings)
    earned = sum(c.points for c in parts)
    possible = sum(c.max_points for c in parts)
    total = round(100.0 * earned / possible) if possible else 0
    return {
        "total": total,
        "verdict": verdict(total, parts),
        "components": [asdict(c) for c in parts],
    }
