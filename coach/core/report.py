"""The HTML report of one answer: a single self-contained page that opens from disk.

Transcripts and prompt texts are user data, so the page is built to be safe with hostile text:
jinja2 autoescapes everything, data for the page's script travels as JSON in a non-executable
``<script type="application/json">`` block (with ``<``, ``>`` and ``&`` escaped so ``</script>``
cannot close it), and the first element of ``<head>`` is a Content-Security-Policy that allows
only the page's own inline script and style (by their sha256 hashes, computed at render time),
loads nothing from the network and lets the ``<audio>`` element play the local recording.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from coach.core import pitch as pitch_mod
from coach.core.attempts import write_atomic
from coach.core.comparison import compare, metrics_of
from coach.core.coverage import weighted_share
from coach.core.model import Analysis, Prompt
from coach.core.scoring import FULL_COVERAGE
from coach.core.timefmt import clock

TEMPLATES_PACKAGE = "coach"
TEMPLATES_DIR = "templates"
STYLE_FILE = "coach.css"
REPORT_SCRIPT = "report.js"


# --------------------------------------------------------------------------- page machinery
# Shared with coach.core.progress (the dashboard uses the same environment, CSS and CSP).


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one jinja2 environment: templates from the package, autoescape on for every template."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(TEMPLATES_PACKAGE, TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "j2", "htm", "xml"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_number
    env.filters["clock"] = format_clock
    env.filters["signed"] = format_signed
    return env


def asset(name: str) -> str:
    """The text of a static file under coach/templates (CSS, JS), exactly as shipped."""
    env = environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return source


def csp_hash(text: str) -> str:
    """The CSP source expression that allows exactly this inline script or style."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(*, script: str | None, style: str) -> str:
    """A policy that forbids every remote load and every inline script but the page's own."""
    script_src = csp_hash(script) if script is not None else "'none'"
    return (
        f"default-src 'none'; script-src {script_src}; style-src {csp_hash(style)}; "
        "media-src 'self' file: data:; img-src data:; base-uri 'none'; form-action 'none'"
    )


def json_for_script(data: Any) -> Markup:
    """JSON that is safe inside ``<script type="application/json">``: no tag can close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def safe_href(href: str | None) -> str | None:
    """A link the report may carry: relative paths and file: URLs only, never javascript:."""
    if not href:
        return None
    href = href.strip()
    parts = urlsplit(href)
    windows_drive = len(parts.scheme) == 1 and href[1:2] == ":"  # "C:\\..." is a local path
    if parts.scheme and parts.scheme.lower() != "file" and not windows_drive:
        return None
    if href.startswith("//") or any(ord(c) < 32 for c in href):
        return None
    return href


def render_page(template: str, *, script: str | None, **context: Any) -> str:
    """Render a page template with the shared CSS, its own script and the matching CSP."""
    style = asset(STYLE_FILE)
    return environment().get_template(template).render(
        csp=content_security_policy(script=script, style=style),
        style=Markup(style),
        script=Markup(script) if script is not None else None,
        **context,
    )


def format_number(value: Any, digits: int = 1) -> str:
    """Numbers as a person reads them: 142, 2.4, 0.5; blanks for missing values."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.{digits}f}"


def format_signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if abs(value) < 0.5 * 10**-digits:
        return "±0"
    sign = "+" if value > 0 else "−"
    return f"{sign}{format_number(abs(value), digits)}"


def format_clock(seconds: float | None) -> str:
    """Seconds as m:ss (a recording's timeline)."""
    return "–" if seconds is None else clock(seconds)


# --------------------------------------------------------------------------- the report


def render_report(
    analysis: Analysis,
    *,
    prompt: Prompt | None,
    recording_href: str | None,
    previous: Analysis | None = None,
    previous_href: str | None = None,
    attempt_id: str = "",
    follows: dict | None = None,
    follow_up_answers: list[dict[str, Any]] | None = None,
) -> str:
    """The full HTML page for one analysed answer (and its comparison with ``previous``).

    ``follow_up_answers``: the answers given to follow-ups of this one, each ``{question,
    total, content, delivery, href}``, listed under the answer with their scores."""
    words = [_word_view(i, w) for i, w in enumerate(analysis.words)]
    comparison = compare(previous, analysis) if previous is not None else None
    context = {
        "a": analysis,
        "attempt_id": attempt_id,
        "prompt": prompt,
        "prompt_title": prompt.title if prompt else "Free answer",
        "recording_href": safe_href(recording_href),
        "previous_href": safe_href(previous_href),
        "follows": _follows_view(follows),
        "follow_up_answers": [
            {**f, "href": safe_href(f.get("href"))} for f in follow_up_answers or []
        ],
        "metrics": metrics_of(analysis),
        "glance": _glance(analysis),
        "transcript": _transcript_items(words, analysis),
        "timeline": timeline(analysis),
        "score": _score_view(analysis.score),
        "coverage": analysis.coverage,
        "coverage_share": weighted_share(analysis.coverage) if analysis.coverage else 0.0,
        "full_coverage": FULL_COVERAGE,
        "flags": _flags_view(analysis),
        "hedges": analysis.hedges or {"count": 0, "per_min": 0.0, "items": []},
        "repetition": analysis.repetition,
        "comparison": comparison,
        "data": json_for_script(
            {
                "words": [[w["start"], w["end"], w["text"]] for w in words],
                "title": prompt.title if prompt else "",
                "duration": analysis.duration_s,
            }
        ),
    }
    return render_page("report.html.j2", script=asset(REPORT_SCRIPT), **context)


def write_report(path: Path, html: str) -> None:
    """Write the report atomically with user-only permissions (a crash keeps the old one)."""
    write_atomic(Path(path), html, mode=0o600)


# --------------------------------------------------------------------------- view helpers


def _word_view(index: int, word: dict[str, Any]) -> dict[str, Any]:
    start = float(word.get("start", 0.0))
    end = float(word.get("end", start))
    prob = float(word.get("prob", 1.0))
    return {
        "i": index,
        "text": str(word.get("text", "")).strip(),
        "start": round(start, 3),
        "end": round(end, 3),
        "prob": prob,
        "filler": bool(word.get("filler")),
        "marker": bool(word.get("marker")),
        "hedge": bool(word.get("hedge")),
        "unsure": prob < 0.5,
    }


def _transcript_items(words: list[dict[str, Any]], analysis: Analysis) -> list[dict[str, Any]]:
    """Words in order, with each long pause placed where it happened."""
    pauses = sorted(
        (p for p in analysis.pauses if p.kind == "gap"), key=lambda p: p.start
    )
    held = _held_words(words, [p for p in analysis.pauses if p.kind == "stretched"])
    items: list[dict[str, Any]] = []
    k = 0
    for word in words:
        word["stretched"] = word["i"] in held
        _mark(word)
        while k < len(pauses) and pauses[k].end <= word["start"] + 1e-6:
            if items:  # a pause before the first word is time to first word, shown elsewhere
                items.append({"kind": "pause", "duration": pauses[k].duration})
            k += 1
        items.append({"kind": "word", **word})
    return _group_phrases(items)


# (word field, CSS class, what the tooltip adds) of each highlight a word can carry, in order
WORD_MARKS = (("filler", "f", "filler"), ("marker", "m", "reasoning"), ("hedge", "h", "hedge"),
              ("unsure", "u", ""), ("stretched", "s", "held over a second"))


def _mark(word: dict[str, Any]) -> None:
    """The word's CSS classes and tooltip, worked out once here: the template writes a span
    per word, and a 10-minute answer has 1,700 of them (the report is written after stop)."""
    marks = [(cls, tip) for key, cls, tip in WORD_MARKS if word[key]]
    word["cls"] = " ".join(["w", *(cls for cls, _ in marks)])
    word["title"] = " · ".join([format_clock(word["start"]), *(tip for _, tip in marks if tip)])


def _held_words(words: list[dict[str, Any]], stretched: list[Any]) -> set[int]:
    """The word each "stretched" pause belongs to: the one it overlaps most."""
    held: set[int] = set()
    starts = [w["start"] for w in words]
    for pause in stretched:
        best, best_overlap = -1, 0.0
        last = bisect.bisect_left(starts, pause.end)
        for word in words[max(0, last - 8) : last]:  # words are in time order
            overlap = min(word["end"], pause.end) - max(word["start"], pause.start)
            if overlap > best_overlap:
                best, best_overlap = word["i"], overlap
        if best >= 0:
            held.add(best)
    return held


def _group_phrases(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join runs of filler words ("you know"), marker words ("instead of") or hedge words
    ("I'm not sure") into one highlighted phrase, so a two-word marker reads as one chip."""
    grouped: list[dict[str, Any]] = []
    for item in items:
        tag = None
        if item["kind"] == "word":
            tag = ("f" if item["filler"] else "m" if item["marker"]
                   else "h" if item["hedge"] else None)
        last = grouped[-1] if grouped else None
        if tag and last and last["kind"] == "phrase" and last["tag"] == tag:
            last["words"].append(item)
        elif tag:
            grouped.append({"kind": "phrase", "tag": tag, "words": [item]})
        else:
            grouped.append(item)
    return grouped


def _follows_view(follows: dict | None) -> dict[str, Any] | None:
    if not follows:
        return None
    return {
        "id": str(follows.get("id", "")),
        "question": follows.get("question") or follows.get("follow_up_question") or "",
        "title": follows.get("prompt_title") or follows.get("title") or "",
        "href": safe_href(follows.get("href") or follows.get("report_href")),
    }


def _glance(analysis: Analysis) -> list[dict[str, str]]:
    """The plain facts strip at the top of the report."""
    extra = analysis.extra or {}
    pace = extra.get("pace", {}) or {}
    stats = extra.get("filler_stats", {}) or {}
    reasoning = analysis.reasoning or {}
    long_pauses = [p for p in analysis.pauses if p.kind == "gap"]
    stretched = sum(1 for p in analysis.pauses if p.kind == "stretched")
    pause_note = (
        f"longest {format_number(max(p.duration for p in long_pauses))} s" if long_pauses
        else "none"
    )
    if stretched:
        pause_note += f"; {stretched} held word{'s' if stretched > 1 else ''}"
    items = [
        {"label": "Length", "value": format_clock(analysis.duration_s), "sub": _time_box(pace)},
        {
            "label": "Speaking time",
            "value": format_clock(analysis.speech_s),
            "sub": f"first word at {format_number(pace.get('time_to_first_word_s'))} s"
            if pace.get("time_to_first_word_s") is not None
            else "",
        },
        {"label": "Pace", "value": format_number(analysis.wpm, 0), "sub": "words per minute"},
        {
            "label": "Fillers",
            "value": format_number(stats.get("count", len(analysis.fillers)), 0),
            "sub": f"{format_number(stats.get('per_min'))} per minute"
            if stats.get("per_min") is not None
            else "",
        },
        {
            "label": "Reasoning",
            "value": format_number(reasoning.get("count", 0), 0),
            "sub": f"{format_number(reasoning.get('per_min'))} markers per minute",
        },
        {
            "label": "Long pauses",
            "value": str(len(long_pauses)),
            "sub": pause_note,
        },
    ]
    pitch = _pitch_glance(analysis.pitch)
    if pitch:
        items.append(pitch)
    if analysis.coverage:
        cov = analysis.coverage
        items.append(
            {
                "label": "Key points",
                "value": f"{cov.get('covered', 0)}/{cov.get('total', 0)}",
                "sub": f"{format_number(100 * weighted_share(cov), 0)}% by weight",
            }
        )
    return items


def _pitch_glance(pitch: dict[str, Any] | None) -> dict[str, str] | None:
    """Pitch variety: the spread in semitones, the median and where the voice went flat."""
    if not pitch:
        return None
    if pitch.get("spread_semitones") is None:
        return {"label": "Pitch variety", "value": "–",
                "sub": pitch_mod.describe(pitch, format_clock) or ""}
    return {
        "label": "Pitch variety",
        "value": f"{format_number(pitch['spread_semitones'])} st",
        "sub": f"median {format_number(pitch.get('median_hz'), 0)} Hz · "
        f"{pitch_mod.flat_note(pitch, format_clock)}",
    }


def _time_box(pace: dict[str, Any]) -> str:
    box = pace.get("answer_seconds")
    if not box:
        return ""
    over = pace.get("over_by_s") or 0
    if over > 0:
        return f"{format_number(over, 0)} s over the {format_clock(box)} box"
    return f"within the {format_clock(box)} box"


# The unit each score component's value is measured in (scoring.py names them).
UNITS = {
    "Pace": "wpm",
    "Hesitations": "per min",
    "Discourse fillers": "per min",
    "Reasoning": "per min",
    "Long pauses": "per min",
    "Key points": "%",
    "Time box": "s",
    "Hedging": "per min",
    "Repetition": "per min",
    "Pitch variety": "semitones",
}


def _score_view(score: dict[str, Any]) -> dict[str, Any]:
    """The score and its breakdown, each line rated good / fair / weak by its share of points."""
    components = []
    for comp in score.get("components", []) or []:
        max_points = float(comp.get("max_points") or 0)
        points = float(comp.get("points") or 0)
        share = points / max_points if max_points else 0.0
        rating = "good" if share >= 0.8 else "fair" if share >= 0.5 else "weak"
        unit = UNITS.get(str(comp.get("name")), "")
        shown = format_number(comp.get("value"))
        if comp.get("band") == "no red flag":  # a yes/no component: say which
            shown, unit = ("no red flag" if comp.get("value") else "red flag"), ""
        components.append({**comp, "share": share, "rating": rating, "unit": unit,
                           "shown": shown})
    total = score.get("total")
    sides = [
        {"name": side.capitalize(), "key": side, "value": score.get(side),
         "rating": _rating(score.get(side)),
         "components": [c for c in components if c.get("side", "delivery") == side]}
        for side in ("content", "delivery") if score.get(side) is not None
    ]
    return {
        "total": total,
        "verdict": score.get("verdict", ""),
        "components": components,
        "rating": _rating(total),
        "content": score.get("content"),
        "delivery": score.get("delivery"),
        "gap": score.get("gap"),
        "gap_text": GAP_LABELS.get(str(score.get("gap")), ""),
        "sides": sides or [{"name": "Score", "key": "score", "value": total,
                            "rating": _rating(total), "components": components}],
    }


GAP_LABELS = {
    "knowledge": "Knowledge gap: the content is missing",
    "communication": "Communication gap: the content is there, the delivery is weak",
    "both": "Knowledge and communication gaps",
    "none": "No gap",
}


def _rating(value: Any) -> str:
    value = float(value or 0)
    return "good" if value >= 75 else "fair" if value >= 50 else "weak"


def _flags_view(analysis: Analysis) -> list[dict[str, Any]]:
    """Red flags with each piece of evidence tied to the word it starts at (click to hear)."""
    starts = [float(w.get("start", 0.0)) for w in analysis.words]
    out = []
    for flag in analysis.red_flags:
        evidence = []
        for item in flag.get("evidence", []) or []:
            start = float(item.get("start", 0.0))
            i = bisect.bisect_left(starts, start - 1e-3)
            evidence.append({"text": item.get("text", ""), "start": start,
                             "i": i if i < len(starts) else None})
        out.append({"id": flag.get("id", ""), "text": flag.get("text", ""),
                    "evidence": evidence})
    return out


# --------------------------------------------------------------------------- timeline (SVG)

TIMELINE_WIDTH = 1000.0
ROW_SPEECH = (28.0, 22.0)  # y, height
ROW_MARKS = (58.0, 14.0)
ROW_MONOTONE = (51.5, 5.0)  # a band just under the speech row where the pitch stayed flat


def timeline(analysis: Analysis) -> dict[str, Any]:
    """Geometry of the speech / pause / filler timeline in a 1000-unit-wide SVG."""
    duration = max(float(analysis.duration_s), 0.001)
    scale = TIMELINE_WIDTH / duration

    def x(t: float) -> float:
        return round(min(max(t, 0.0), duration) * scale, 2)

    speech = []
    for start, end in _speech_spans(analysis.words, analysis.pauses):
        speech.append({"x": x(start), "w": max(round(x(end) - x(start), 2), 1.0),
                       "start": start, "end": end})
    pauses = [
        {"x": x(p.start), "w": max(round(x(p.end) - x(p.start), 2), 1.5), "kind": p.kind,
         "start": p.start, "duration": p.duration}
        for p in analysis.pauses
    ]
    fillers = [
        {"x": x((f.start + f.end) / 2), "text": f.text, "kind": f.kind, "start": f.start}
        for f in analysis.fillers
    ]
    markers = [
        {"x": x((float(m["start"]) + float(m["end"])) / 2), "text": m.get("text", ""),
         "start": float(m["start"])}
        for m in (analysis.reasoning or {}).get("markers", []) or []
        if "start" in m and "end" in m
    ]
    monotone = []
    for m in (analysis.pitch or {}).get("monotone", []) or []:
        start, end = float(m["start"]), float(m["end"])
        monotone.append({"x": x(start), "w": max(round(x(end) - x(start), 2), 1.5),
                         "start": start, "end": end})
    step = _tick_step(duration)
    ticks = []
    t = 0.0
    while t <= duration + 1e-6:
        ticks.append({"x": x(t), "label": format_clock(t)})
        t += step
    return {
        "width": TIMELINE_WIDTH,
        "speech": speech,
        "pauses": pauses,
        "fillers": fillers,
        "markers": markers,
        "monotone": monotone,
        "ticks": ticks,
        "speech_row": ROW_SPEECH,
        "marks_row": ROW_MARKS,
        "monotone_row": ROW_MONOTONE,
        "monotone_semitones": pitch_mod.MONOTONE_SEMITONES,
        "duration": duration,
    }


def _tick_step(duration: float) -> float:
    for step in (5, 10, 15, 30, 60, 120, 300, 600):
        if duration / step <= 10:
            return float(step)
    return 1200.0


def _speech_spans(words: list[dict[str, Any]], pauses: list[Any]) -> list[tuple[float, float]]:
    """Stretches of speech: consecutive words merged unless a gap of 0.3 s+ separates them."""
    spans: list[list[float]] = []
    for w in words:
        start, end = float(w.get("start", 0)), float(w.get("end", 0))
        if spans and start - spans[-1][1] < 0.3:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(a, b) for a, b in spans]


