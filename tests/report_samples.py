"""Hand-made analyses for the report and dashboard tests (no Whisper, no audio needed).

Words are laid out on a timeline from a script: ``um``/``uh`` become hesitation fillers,
reasoning words become markers, and ``||`` inserts a long pause, so a test knows exactly what the
report must show.
"""

from __future__ import annotations

from pathlib import Path

from coach.config import Settings
from coach.core.model import (
    Analysis,
    Filler,
    KeyPoint,
    Marker,
    Pause,
    Prompt,
    Transcript,
    Word,
)
from coach.core.scoring import Metrics, score

HESITATIONS = {"um", "uh", "er"}
MARKERS = {"because", "trade-off", "instead", "therefore", "since"}

ANSWER_ONE = (
    "So um I would pick a B-tree here because the events table needs range scans by time || "
    "and a hash index only answers equality lookups uh so ORDER BY created_at would still "
    "sort. The trade-off is write cost: every insert rebalances pages, um but with a "
    "sequential key that is cheap || and I would measure it before worrying."
)
ANSWER_TWO = (
    "I would pick a B-tree because the events table needs range scans by time and a hash "
    "index only answers equality lookups, therefore ORDER BY created_at stays cheap. The "
    "trade-off is write amplification: inserts touch pages, but with a sequential key the "
    "right-most page stays hot in memory, so I would measure it instead of guessing."
)


def btree_prompt(question: str | None = None, title: str = "B-tree or hash index?") -> Prompt:
    return Prompt(
        id="btree-vs-hash",
        title=title,
        pillar="system-design",
        level="senior",
        question=question
        or "You're choosing an index for a table of user events. Would you use a B-tree or a "
        "hash index, and why?",
        prep_seconds=30,
        answer_seconds=60,
        key_points=(
            KeyPoint("range-queries", "B-trees keep keys in order, so range scans are cheap",
                     ("range scan",)),
            KeyPoint("equality", "Hash indexes only answer equality lookups", ("equality",)),
            KeyPoint("write-cost", "B-tree inserts cost page writes (write amplification)",
                     ("write amplification",)),
            KeyPoint("measure", "Measure with the real workload before deciding", ("measure",)),
        ),
        follow_ups=("What if the write rate grows 100x?", "When would a hash index win?"),
    )


def make_analysis(
    script: str = ANSWER_ONE,
    *,
    prompt: Prompt | None = None,
    word_s: float = 0.36,
    pause_s: float = 2.2,
    lead_s: float = 0.8,
    audio: str = "recording.wav",
) -> Analysis:
    """An Analysis of ``script`` as if spoken at a steady pace, with real scoring."""
    words: list[dict] = []
    fillers: list[Filler] = []
    markers: list[Marker] = []
    pauses: list[Pause] = []
    t = lead_s
    for token in filter(None, script.split(" ")):  # only spaces: words may hold odd characters
        if token == "||":
            pauses.append(Pause(t, t + pause_s))
            t += pause_s
            continue
        start, end = t, t + word_s - 0.04
        bare = token.lower().strip(".,:;!?")
        is_filler = bare in HESITATIONS
        is_marker = bare in MARKERS
        if is_filler:
            fillers.append(Filler(bare, "hesitation", start, end, len(words)))
        if is_marker:
            markers.append(Marker(bare, start, end, len(words)))
        words.append({"text": token, "start": round(start, 2), "end": round(end, 2),
                      "prob": 0.42 if bare == "created_at" else 0.93,
                      "filler": is_filler, "marker": is_marker})
        t += word_s
    duration = t + 0.6
    speech = duration - lead_s - sum(p.duration for p in pauses) - 0.6
    minutes = speech / 60
    content = [w for w in words if not w["filler"]]
    text = " ".join(w["text"] for w in words).lower()
    coverage = None
    if prompt is not None and prompt.key_points:
        points = []
        for kp in prompt.key_points:
            hits = [p for p in kp.phrases if p in text]
            points.append({"id": kp.id, "text": kp.text, "covered": bool(hits), "hits": hits})
        covered = sum(p["covered"] for p in points)
        coverage = {"prompt_id": prompt.id, "covered": covered, "total": len(points),
                    "ratio": covered / len(points), "points": points}
    metrics = Metrics(
        wpm=len(content) / minutes,
        hesitations_per_min=len(fillers) / minutes,
        discourse_per_min=0.0,
        reasoning_per_min=len(markers) / minutes,
        reasoning_count=len(markers),
        long_pauses_per_min=len(pauses) / minutes,
        coverage_ratio=coverage["ratio"] if coverage else None,
        answer_length_s=duration,
        answer_seconds=prompt.answer_seconds if prompt else None,
    )
    return Analysis(
        audio=audio,
        duration_s=round(duration, 2),
        speech_s=round(speech, 2),
        transcript=" ".join(w["text"] for w in words),
        words=words,
        fillers=fillers,
        pauses=pauses,
        wpm=round(metrics.wpm, 1),
        reasoning={
            "count": len(markers),
            "per_min": round(len(markers) / minutes, 2),
            "markers": [{"text": m.text, "start": m.start, "end": m.end,
                         "word_index": m.word_index} for m in markers],
            "thirds": [1, 1, 1],
        },
        coverage=coverage,
        score=score(metrics, Settings()),
        prompt_id=prompt.id if prompt else None,
        extra={
            "pace": {"time_to_first_word_s": lead_s, "windows": [],
                     "answer_seconds": prompt.answer_seconds if prompt else None,
                     "over_by_s": 0.0},
            "filler_stats": {"count": len(fillers), "per_min": round(len(fillers) / minutes, 2),
                             "hesitations": len(fillers), "discourse": 0,
                             "by_text": {}, "clusters": []},
        },
    )


def silent_analysis() -> Analysis:
    """What the analysis produces for a recording with no speech in it."""
    return Analysis(
        audio="recording.wav", duration_s=8.0, speech_s=0.0, transcript="", words=[],
        fillers=[], pauses=[], wpm=0.0, reasoning={"count": 0, "per_min": 0.0, "markers": [],
                                                   "thirds": [0, 0, 0]},
        coverage=None, score={"total": 0, "verdict": "No speech detected", "components": []},
        no_speech=True,
    )


def dashboard_rows(n: int = 8) -> list[dict]:
    """Several attempts over two weeks across pillars and prompts, improving over time."""
    prompts = [
        ("btree-vs-hash", "B-tree or hash index?", "system-design"),
        ("lru-cache", "Design an LRU cache", "coding"),
        ("conflict", "Tell me about a disagreement", "behavioral"),
    ]
    rows = []
    for i in range(n):
        pid, title, pillar = prompts[i % len(prompts)]
        rows.append({
            "id": f"202611{(i + 1):02d}-0900{i:02d}-{pid}",
            "prompt_id": pid,
            "prompt_title": title,
            "pillar": pillar,
            "started_at": f"2026-11-{(i + 1):02d}T09:00:00+00:00",
            "score": 48 + 5 * i,
            "content": 40 + 6 * i,
            "delivery": 70 + 2 * i,
            "gap": "knowledge" if i < 5 else "none",
            "wpm": 185 - 6 * i,
            "fillers_per_min": 9.0 - 0.9 * i,
            "hesitations_per_min": 6.0 - 0.6 * i,
            "reasoning_per_min": 0.5 + 0.4 * i,
            "coverage": None if pillar == "behavioral" else min(1.0, 0.25 + 0.1 * i),
            "red_flags": "no-decision,one-solution" if i < 3 else "",
            "hedges_per_min": 4.0 - 0.4 * i,
            "leaned_on": "basically x6" if i < 4 else "",
            "pitch_spread": 3.0 + 0.5 * i,
            "report_href": f"attempts/202611{(i + 1):02d}-0900{i:02d}-{pid}/report.html",
        })
    return rows


def transcript_of(script: str, *, word_s: float = 0.36, pause_s: float = 2.2,
                  lead_s: float = 0.8) -> Transcript:
    """A Transcript as the transcriber would hand it over (``||`` is a long pause)."""
    words: list[Word] = []
    t = lead_s
    for token in filter(None, script.split(" ")):
        if token == "||":
            t += pause_s
            continue
        words.append(Word(token, round(t, 2), round(t + word_s - 0.04, 2), 0.93))
        t += word_s
    end = t + 0.6
    return Transcript(words=tuple(words), duration_s=round(end, 2),
                      speech_regions=((lead_s, t),), model="tiny.en")


def library_prompt(prompt_id: str = "btree-vs-hash") -> Prompt:
    """A built-in prompt from prompts/, parsed by the real loader."""
    from coach.core.prompts import parse_prompt_file

    return parse_prompt_file(Path(__file__).resolve().parent.parent / "prompts" / f"{prompt_id}.md")


def analyzed(script: str, prompt: Prompt | None = None, **timing: float) -> Analysis:
    """The real analysis engine's output for ``script`` (coach.core.analysis.analyze)."""
    from coach.core.analysis import analyze

    return analyze(transcript_of(script, **timing), prompt=prompt, audio="recording.wav")


REAL_ONE = (
    "Um so I think I would go with a B-tree. uh basically hash indexes are, like, fast for "
    "lookups. || And the B-tree is um a tree of pages, so you go down it and you find the row. "
    "It also keeps things sorted. || I would use it here."
)
REAL_TWO = (
    "It depends on the access pattern. For user events we mostly query a time range, like the "
    "last seven days, ordered by the timestamp, so I would pick a B-tree because it keeps the "
    "keys in order and a range scan is one descent plus a walk along the leaves. A hash index "
    "gives constant time equality lookups, but it cannot do range queries, so it only wins for "
    "a hot exact match path. The trade-off is write cost: page splits and write amplification "
    "on inserts, um, and if writes dominate I would look at an LSM tree instead of either."
)
