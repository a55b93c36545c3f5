"""Two scores, content and delivery, and a total that delivery cannot buy back.

*Content* is what was said: the prompt's key points (weighted by how much an interviewer cares),
reasons, trade-offs, alternatives named and a decision taken; for behavioral prompts the story's
parts, the team, a result and (staff level) influence. *Delivery* is how it was said: pace,
fillers, long pauses, hedging, leaned-on phrases, the time box and, when it was measured, pitch
variety. Each is 0-100 with a breakdown a user can check line by line: every component has a
target band, the source of that band, the measured value and the points it earned. Points fall
off linearly outside the band, so a small miss costs little. Components that do not apply are
left out and the rest rescaled.

The total is ``0.7 * content + 0.3 * delivery`` but never more than ``content + 10``, and it is
held under a verdict's bar by what an interviewer would not let pass, however fluent the answer
(``limits_of``): with a prompt, under a third of its key points (by weight) is "Needs work" (a
smooth answer to another question is not a good answer to this one); so is no trade-off at
all, or two red flags or more (facts without a decision or an alternative, a hedged
non-answer, a story that blames); running past 1.5 times the time box (the interviewer would
have cut in) is at most "Fair". The verdict says which limit held the total. It names the gap
(knowledge: content missing; communication: content there, delivery weak; both; none) and the
single change that would gain the most points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from coach.config import Settings
from coach.core.model import ScoreComponent

NO_SPEECH = "No speech detected"
CONTENT_WEIGHT = 0.7
DELIVERY_LIFT = 10.0  # delivery can lift the total at most this far above content
DELIVERY_DRAG = 10.0  # ... and the total is at most this far above delivery
MIN_COVERAGE = 1 / 3  # below this weighted key-point coverage the total stays under 50
FULL_COVERAGE = 0.8  # key points earn full marks from this weighted coverage (a phrase list
# misses a point said in other words now and then; a strong answer is not marked down for it)
MAX_FLAGS = 1  # more red flags than this: Needs work
OVER_TIME = 1.5  # an answer longer than this many time boxes is at most Fair
NEEDS_WORK_BELOW = 50
FAIR_BELOW = 70
GOOD_BELOW = 85
CONTENT_WEAK_BELOW = 70.0  # a side under its bar is the gap the verdict names
DELIVERY_WEAK_BELOW = 80.0
HEDGED_FROM, HEDGED_FULL = 1.5, 4.0  # hedges per 100 words: key points start to count half
GAPS = ("knowledge", "communication", "both", "none")

SOURCES = {
    "pace": "typical conversational/presentation pace (NCVS voice-science guidance; Toastmasters "
    "and public-speaking coaching)",
    "hesitations": "speech-coaching rule of thumb (Toastmasters 'ah-counter' practice); "
    "a few are normal in spontaneous speech",
    "discourse": "speech-coaching rule of thumb; fillers like 'like', 'you know', 'basically' "
    "read as hedging when frequent",
    "reasoning": "coach heuristic: senior interviews reward explaining why (trade-offs, "
    "alternatives); rate is a rule of thumb, not a published norm",
    "coverage": "the prompt's own key points, weighted 1-3 by how much an interviewer cares "
    "(written for this library)",
    "pauses": "coach heuristic: a short pause to think is fine; several long silences per "
    "minute lose the listener",
    "time_box": "the prompt's time box (interview answers are expected to fit it)",
    "flags": "senior/staff interview red flags (hiring-guide lists: trade-offs, alternatives, "
    "a decision, the team, blame, a result, influence)",
    "hedging": "speech-coaching rule of thumb: a few 'I think's are natural, a stream of "
    "them sounds unsure",
    "repetition": "speech-coaching rule of thumb: a crutch phrase repeated is noticed quickly",
    "pitch": "speech coaches (Microsoft Speaker Coach, Speeko) call a narrow pitch range "
    "monotone; coach heuristic band",
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
    coverage_ratio: float | None = None  # weighted by key-point weight when a prompt has them
    answer_length_s: float | None = None
    answer_seconds: int | None = None
    hedges_per_min: float = 0.0
    hedges_per_100_words: float = 0.0
    repetition_per_min: float = 0.0  # uses of leaned-on phrases beyond their first two
    pitch_spread_semitones: float | None = None  # None: not measured (no penalty)
    flags: frozenset[str] = field(default_factory=frozenset)
    applicable_flags: tuple[str, ...] = ()  # the flags this prompt can raise
    missed_point: str = ""  # the heaviest key point left out, for the verdict's tip


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


# Content components that a red flag zeroes: (flag, name, points, band, tip).
FLAG_PARTS: tuple[tuple[str, str, float, str], ...] = (
    ("no-trade-offs", "Trade-offs", 10, "name what each choice costs, not only what it does"),
    ("one-solution", "Alternatives", 10, "name an alternative and say why you did not pick it"),
    ("no-decision", "Decision", 15, "commit to a choice and say why"),
    ("no-team", "Team", 10, "say who you worked with and what 'we' did"),
    ("blames-others", "Ownership", 10, "own the problems instead of blaming others"),
    ("no-result", "Result", 15, "end with the result, in numbers if you can"),
    ("no-influence", "Influence", 10, "show how you brought others along"),
)


def content_components(m: Metrics) -> list[ScoreComponent]:
    out = []
    if m.coverage_ratio is not None:
        # A point said as a guess ("maybe some kind of ID, I guess") is not yet known: an
        # answer hedged throughout gets half the credit for the points it names.
        unsure = 0.5 * _ramp_up(m.hedges_per_100_words, HEDGED_FROM, HEDGED_FULL)
        out.append(ScoreComponent(
            "Key points", round(m.coverage_ratio * 100, 1),
            50 * _ramp_up(m.coverage_ratio, 0.0, FULL_COVERAGE) * (1 - unsure), 50,
            f"{FULL_COVERAGE:.0%} or more of the prompt's key points (by weight)",
            SOURCES["coverage"],
            "half credit: said as guesses" if unsure >= 0.25 else "",
        ))
    out.append(ScoreComponent(
        "Reasoning", round(m.reasoning_per_min, 2),
        0.0 if m.reasoning_count == 0 else 15 * _ramp_up(m.reasoning_per_min, 0.0, 2.0), 15,
        "2 or more per minute (because, trade-off, instead of)", SOURCES["reasoning"],
        "no reasons given: say why, not only what" if m.reasoning_count == 0 else "",
    ))
    for flag, name, points, _tip in FLAG_PARTS:
        if flag in m.applicable_flags:
            raised = flag in m.flags
            out.append(ScoreComponent(
                name, 0.0 if raised else 1.0, 0.0 if raised else points, points,
                "no red flag", SOURCES["flags"], "red flag" if raised else "",
            ))
    return out


def _at_most(
    name: str, rate: float, points: float, ok: float, zero: float, band: str, source: str
) -> ScoreComponent:
    """A rate that costs nothing up to ``ok`` per minute and everything from ``zero``."""
    return ScoreComponent(name, round(rate, 2), points * _ramp_down(rate, ok, zero), points,
                          band, SOURCES[source])


def delivery_components(m: Metrics, settings: Settings) -> list[ScoreComponent]:
    lo, hi = settings.wpm_low, settings.wpm_high
    hes_max = settings.hesitations_per_min_max
    out = [
        ScoreComponent(
            "Pace", round(m.wpm, 1), 15 * _band(m.wpm, lo, hi, 45.0), 15,
            f"{lo:.0f}-{hi:.0f} wpm", SOURCES["pace"],
            "too fast" if m.wpm > hi else "too slow" if m.wpm < lo else "in the band",
        ),
        _at_most("Hesitations", m.hesitations_per_min, 15, hes_max, hes_max * 4,
                 f"fewer than {hes_max:g} per minute (um, uh, er)", "hesitations"),
        _at_most("Discourse fillers", m.discourse_per_min, 20, 3.0, 10.0,
                 "fewer than 3 per minute (like, you know, basically)", "discourse"),
        _at_most("Long pauses", m.long_pauses_per_min, 10, 1.0, 5.0,
                 f"at most 1 per minute of {settings.pause_threshold_s:g} s or more", "pauses"),
        _at_most("Hedging", m.hedges_per_min, 25, 2.0, 6.0,
                 "at most 2 per minute (I think, maybe, probably, I guess)", "hedging"),
        _at_most("Repetition", m.repetition_per_min, 15, 1.0, 5.0,
                 "at most 1 extra use per minute of a leaned-on phrase", "repetition"),
    ]
    if m.answer_seconds and m.answer_length_s is not None:
        box, length = float(m.answer_seconds), m.answer_length_s
        fit = _band(length, 0.5 * box, 1.1 * box, 0.5 * box)
        note = "over time" if length > 1.1 * box else "short" if length < 0.5 * box else "fits"
        out.append(ScoreComponent(
            "Time box", round(length, 1), 20 * fit, 20,
            f"{0.5 * box:.0f}-{1.1 * box:.0f} s (time box {box:.0f} s)", SOURCES["time_box"],
            note,
        ))
    if m.pitch_spread_semitones is not None:
        spread = m.pitch_spread_semitones
        out.append(ScoreComponent(
            "Pitch variety", round(spread, 1), 10 * _ramp_up(spread, 2.0, 5.0), 10,
            "a spread of 5 semitones or more", SOURCES["pitch"],
            "monotone" if spread < 3.0 else "",
        ))
    return out


_TIPS = {
    "Key points": "cover more of the key points",
    "Reasoning": "say why: give reasons and trade-offs",
    "Pace": "find a steadier pace",
    "Hesitations": "replace 'um' and 'uh' with a short silent pause",
    "Discourse fillers": "drop the 'like' and 'you know'",
    "Long pauses": "keep long silences to a minimum",
    "Hedging": "say it plainly: drop the 'I think' and 'maybe'",
    "Repetition": "vary the phrases you lean on",
    "Time box": "fit the answer to the time box",
    "Pitch variety": "vary your pitch: stress the words that matter",
    **{name: tip for _flag, name, _points, tip in FLAG_PARTS},
}


def _rounded(parts: Sequence[ScoreComponent]) -> list[ScoreComponent]:
    return [
        ScoreComponent(c.name, c.value, round(c.points, 1), c.max_points, c.band, c.source, c.note)
        for c in parts
    ]


def _share(parts: Sequence[ScoreComponent]) -> float:
    possible = sum(c.max_points for c in parts)
    return 100.0 * sum(c.points for c in parts) / possible if possible else 0.0


def limits_of(m: Metrics) -> list[tuple[float, str, str]]:
    """What an interviewer would not let pass however fluent the answer, strictest first:
    (the highest total it allows, why, and the side it is on: "content" or "delivery")."""
    coverage = m.coverage_ratio
    over = bool(m.answer_seconds and m.answer_length_s is not None
                and m.answer_length_s > OVER_TIME * m.answer_seconds)
    rules = (
        (coverage is not None and coverage < MIN_COVERAGE, NEEDS_WORK_BELOW,
         "under a third of the key points", "content"),
        ("no-trade-offs" in m.flags, NEEDS_WORK_BELOW, "no trade-off named", "content"),
        (len(m.flags) > MAX_FLAGS, NEEDS_WORK_BELOW, f"{len(m.flags)} red flags", "content"),
        (over, FAIR_BELOW, f"over {OVER_TIME:g} times the time box", "delivery"),
    )
    return [(below - 1.0, why, side) for holds, below, why, side in rules if holds]


def combine(content: float, delivery: float, limit: float = 100.0) -> float:
    """The total: content weighs most, delivery lifts it by at most ``DELIVERY_LIFT`` (and a
    delivery the listener cannot follow drags it to at most ``DELIVERY_DRAG`` above delivery);
    never above ``limit`` (the strictest of ``limits_of``)."""
    total = min(CONTENT_WEIGHT * content + (1 - CONTENT_WEIGHT) * delivery,
                content + DELIVERY_LIFT, delivery + DELIVERY_DRAG, limit)
    return max(0.0, min(100.0, total))


def gap_of(
    content: float, delivery: float, flags: frozenset[str] = frozenset(),
    held: frozenset[str] = frozenset(),
) -> str:
    """knowledge / communication / both / none: which side is under its bar.

    An answer held by a limit (``held``: the sides of ``limits_of`` that apply) has that gap
    whatever its other points: too few key points, no trade-off or red flags is a knowledge
    gap, running far over time a communication one. Blaming others is how a story is told,
    so it counts on the communication side too.
    """
    knowledge = content < CONTENT_WEAK_BELOW or "content" in held
    communication = (delivery < DELIVERY_WEAK_BELOW or "blames-others" in flags
                     or "delivery" in held)
    if knowledge and communication:
        return "both"
    return "knowledge" if knowledge else "communication" if communication else "none"


def head_of(total: float) -> str:
    if total >= GOOD_BELOW:
        return "Strong answer"
    if total >= FAIR_BELOW:
        return "Good answer"
    if total >= NEEDS_WORK_BELOW:
        return "Fair answer"
    return "Needs work"


GAP_TEXT = {
    "knowledge": "knowledge gap (content missing)",
    "communication": "communication gap (the content is there, the delivery is weak)",
    "both": "knowledge and communication gaps",
    "none": "no gap",
}


def best_change(
    content: Sequence[ScoreComponent], delivery: Sequence[ScoreComponent], missed_point: str
) -> str:
    """The one change worth most points of the total (content points count for more).

    "" only when nothing lost a point: the verdict then says "on target everywhere", which
    must be true of every card the user sees (a 97 with the pace "too fast" is not)."""
    c_max = sum(c.max_points for c in content) or 1.0
    d_max = sum(c.max_points for c in delivery) or 1.0
    gains = [(CONTENT_WEIGHT * 100 * (c.max_points - c.points) / c_max, c) for c in content]
    gains += [((1 - CONTENT_WEIGHT) * 100 * (c.max_points - c.points) / d_max, c)
              for c in delivery]
    gain, worst = max(gains, key=lambda g: g[0], default=(0.0, None))
    if worst is None or gain < 0.05:  # components are rounded to 0.1 point
        return ""
    if worst.name == "Key points" and missed_point:
        return f"cover the missing key points, first: {missed_point}"
    return _TIPS.get(worst.name, worst.name)


def verdict(total: float, gap: str, change: str, held: str = "") -> str:
    """One sentence: how it went (and what held the total there), the gap, and the single
    change that would gain the most."""
    head = f"{head_of(total)} ({total:.0f}/100{f', held there: {held}' if held else ''})"
    if not change:
        return f"{head}: on target everywhere."
    return f"{head}, {GAP_TEXT[gap]}; biggest gain: {change}."


def score(m: Metrics | None, settings: Settings) -> dict:
    """The ``score`` JSON; ``None`` metrics (no speech) score 0 with the no-speech verdict."""
    if m is None:
        return {"total": 0, "content": 0, "delivery": 0, "gap": "both", "verdict": NO_SPEECH,
                "change": "", "components": []}
    content_parts = _rounded(content_components(m))
    delivery_parts = _rounded(delivery_components(m, settings))
    content, delivery = _share(content_parts), _share(delivery_parts)
    limits = limits_of(m)
    limit, why, _side = limits[0] if limits else (100.0, "", "")
    total = round(combine(content, delivery, limit))
    held = why if total >= limit else ""
    gap = gap_of(content, delivery, m.flags, frozenset(side for _limit, _why, side in limits))
    change = best_change(content_parts, delivery_parts, m.missed_point)
    return {
        "total": total,
        "content": round(content),
        "delivery": round(delivery),
        "gap": gap,
        "verdict": verdict(total, gap, change, held),
        "held": held,
        "change": change,
        "components": [{**asdict(c), "side": "content"} for c in content_parts]
        + [{**asdict(c), "side": "delivery"} for c in delivery_parts],
    }
