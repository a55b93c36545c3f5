"""``analyze()``: one transcript in, the whole ``Analysis`` out (the ``analysis.json`` shape).

This is the single entry point the pipeline, the CLI and the TUI call; the measuring lives in
``fillers``, ``pace``, ``reasoning``, ``coverage`` and ``scoring``. It is pure Python and fast
(a 60-minute transcript in well under 100 ms; see ``benchmarks/bench_analysis.py``), so the TUI
can re-run it after a user corrects a filler.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coach.config import Settings
from coach.core import coverage as coverage_mod
from coach.core import hedges as hedges_mod
from coach.core import pace as pace_mod
from coach.core import reasoning as reasoning_mod
from coach.core import red_flags as red_flags_mod
from coach.core import scoring
from coach.core.fillers import detect_fillers, filler_word_indices, hesitation_form, normalize
from coach.core.model import Analysis, Filler, Pause, Prompt, Transcript, Word
from coach.core.repetition import find_repetition

CLUSTER_GAP_S = 5.0  # fillers closer than this belong to one cluster
CLUSTER_MIN = 3  # ... and a cluster needs at least this many


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


def apply_corrections(
    fillers: list[Filler], words: Sequence[Word], corrections: Sequence[dict]
) -> tuple[list[Filler], list[dict]]:
    """Apply the user's corrections ({"word_index": i, "filler": bool}); return those applied.

    Marking any word of a multi-word filler as "not a filler" removes the whole filler.
    """
    applied: list[dict] = []
    for corr in corrections:
        try:
            i, is_filler = int(corr["word_index"]), bool(corr["filler"])
        except (KeyError, TypeError, ValueError):
            continue
        if not 0 <= i < len(words):
            continue
        covering = [f for f in fillers if i in filler_word_indices([f], words)]
        if is_filler and not covering:
            text = normalize(words[i].text)
            form = hesitation_form(text)
            kind = "hesitation" if form else "discourse"
            fillers.append(Filler(form or text, kind, words[i].start, words[i].end, i))
        elif not is_filler and covering:
            fillers = [f for f in fillers if f not in covering]
        else:
            continue
        applied.append({"word_index": i, "filler": is_filler, "text": words[i].text.strip()})
    fillers.sort(key=lambda f: (f.start, f.word_index))
    return fillers, applied


def _clusters(fillers: Sequence[Filler]) -> list[dict]:
    out: list[dict] = []
    group: list[Filler] = []
    for f in [*fillers, None]:
        if f is not None and group and f.start - group[-1].end <= CLUSTER_GAP_S:
            group.append(f)
            continue
        if len(group) >= CLUSTER_MIN:
            out.append({"start": _r(group[0].start), "end": _r(group[-1].end), "count": len(group)})
        group = [f] if f is not None else []
    return out


def _filler_stats(fillers: Sequence[Filler], minutes: float) -> dict[str, Any]:
    by_text: dict[str, int] = {}
    for f in fillers:
        by_text[f.text] = by_text.get(f.text, 0) + 1
    return {
        "count": len(fillers),
        "per_min": round(len(fillers) / minutes, 2) if minutes > 0 else 0.0,
        "hesitations": sum(f.kind == "hesitation" for f in fillers),
        "discourse": sum(f.kind == "discourse" for f in fillers),
        "by_text": dict(sorted(by_text.items(), key=lambda kv: (-kv[1], kv[0]))),
        "clusters": _clusters(fillers),
    }


def analyze(
    transcript: Transcript,
    *,
    prompt: Prompt | None = None,
    settings: Settings = Settings(),  # noqa: B008 - frozen dataclass, safe as a default
    audio: str = "",
    corrections: Sequence[dict] = (),
    pitch: dict[str, Any] | None = None,
) -> Analysis:
    """Measure one answer: fillers, pace, pauses, reasoning, coverage, hedges, repetition,
    red flags and the two scores. ``pitch`` is ``coach.core.pitch.measure_pitch`` of the
    recording, measured by the caller that has the audio (None when it was not measured:
    pitch variety is then left out of delivery)."""
    words = list(transcript.words)
    fillers = detect_fillers(words, settings)
    fillers, applied = apply_corrections(fillers, words, corrections)
    filler_idx = filler_word_indices(fillers, words)
    answer_seconds = prompt.answer_seconds if prompt else None
    pace = pace_mod.measure(transcript, settings, filler_idx, answer_seconds)
    stream = coverage_mod.Stream(coverage_mod.answer_terms(words, filler_idx))
    markers = reasoning_mod.find_markers(words, filler_idx, stream)
    marker_idx: set[int] = set()
    for m in markers:
        marker_idx.add(m.word_index)
        for j in range(m.word_index + 1, len(words)):
            if words[j].end > m.end + 1e-6:
                break
            if j not in filler_idx:  # "in, um, order to": the "um" stays a filler only
                marker_idx.add(j)
    minutes = pace.talking_s / 60.0
    reasoning = reasoning_mod.summarize(markers, words, pace.talking_s)
    cov = coverage_mod.check_coverage(words, prompt, filler_idx, stream) if prompt else None
    content_words = sum(1 for i in pace_mod.spoken_words(words) if i not in filler_idx)
    no_speech = transcript.no_speech or content_words == 0
    hedge_items = hedges_mod.find_hedges(words, filler_idx, stream)
    hedges = hedges_mod.summarize(hedge_items, pace.talking_s)
    hedge_idx = {k for h in hedge_items for k in range(h["word_index"], h["last_index"] + 1)}
    repetition = find_repetition(words, prompt)
    flags = [] if no_speech else red_flags_mod.detect(words, stream, prompt, filler_idx)
    metrics = None
    if not no_speech:
        gaps = sum(p.kind == "gap" for p in pace.pauses)
        spread = (pitch or {}).get("spread_semitones")
        metrics = scoring.Metrics(
            wpm=pace.wpm,
            hesitations_per_min=_rate(sum(f.kind == "hesitation" for f in fillers), minutes),
            discourse_per_min=_rate(sum(f.kind == "discourse" for f in fillers), minutes),
            reasoning_per_min=_rate(len(markers), minutes),
            reasoning_count=len(markers),
            long_pauses_per_min=_rate(gaps, minutes),
            coverage_ratio=cov.get("weighted_ratio", cov["ratio"]) if cov else None,
            answer_length_s=pace.answer_length_s,
            answer_seconds=answer_seconds,
            hedges_per_min=_rate(len(hedge_items), minutes),
            hedges_per_100_words=100.0 * len(hedge_items) / content_words,
            repetition_per_min=_rate(sum(max(0, r["count"] - 2) for r in repetition), minutes),
            pitch_spread_semitones=float(spread) if isinstance(spread, int | float) else None,
            flags=frozenset(f["id"] for f in flags),
            applicable_flags=red_flags_mod.applicable(prompt),
            missed_point=_heaviest_missed(cov),
        )
    word_rows = [
        {
            "text": w.text.strip(),
            "start": _r(w.start),
            "end": _r(w.end),
            "prob": _r(w.prob),
            "filler": i in filler_idx,
            "marker": i in marker_idx,
            "hedge": i in hedge_idx,
        }
        for i, w in enumerate(words)
    ]
    extra: dict[str, Any] = {
        "pace": {
            "time_to_first_word_s": _r(pace.time_to_first_word_s),
            "windows": pace.windows,
            "talking_s": _r(pace.talking_s),
            "answer_length_s": _r(pace.answer_length_s),
            "answer_seconds": answer_seconds,
            "over_by_s": _r(pace.over_by_s),
        },
        "filler_stats": _filler_stats(fillers, minutes),
        "stretched_words": [
            {"text": w.text.strip(), "start": _r(w.start), "end": _r(w.end)} for w in pace.stretched
        ],
        "corrections": applied,
    }
    return Analysis(
        audio=audio,
        duration_s=_r(transcript.duration_s) or 0.0,
        speech_s=_r(pace.speech_s) or 0.0,
        transcript=" ".join(w["text"] for w in word_rows if w["text"]),
        words=word_rows,
        fillers=[
            Filler(f.text, f.kind, _r(f.start) or 0.0, _r(f.end) or 0.0, f.word_index)
            for f in fillers
        ],
        pauses=[Pause(_r(p.start) or 0.0, _r(p.end) or 0.0, p.kind) for p in pace.pauses],
        wpm=round(pace.wpm, 1),
        reasoning=reasoning,
        coverage=cov,
        score=scoring.score(metrics, settings),
        prompt_id=prompt.id if prompt else None,
        no_speech=no_speech,
        extra=extra,
        red_flags=flags,
        hedges=hedges,
        repetition=repetition,
        pitch=pitch,
    )


def _heaviest_missed(cov: dict[str, Any] | None) -> str:
    """The text of the most important key point left out (first of the heaviest), or ""."""
    missed = [p for p in (cov or {}).get("points", []) if not p["covered"]]
    if not missed:
        return ""
    return max(missed, key=lambda p: p.get("weight", 1))["text"]


def _rate(n: int, minutes: float) -> float:
    return n / minutes if minutes > 0 else 0.0
