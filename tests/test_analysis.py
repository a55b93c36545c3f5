"""analyze(): the analysis.json shape, flags on words, corrections, and no-speech."""

from __future__ import annotations

import json

from coach.config import Settings
from coach.core.analysis import analyze
from coach.core.model import Analysis, KeyPoint, Prompt, Transcript, Word


def transcript(text: str, start: float = 1.0, duration: float | None = None) -> Transcript:
    words, t = [], start
    for tok in text.split():
        if tok.startswith("|"):
            t += float(tok[1:])
            continue
        words.append(Word(tok, round(t, 3), round(t + 0.3, 3), 0.9))
        t += 0.4
    end = words[-1].end if words else 0.0
    return Transcript(tuple(words), duration if duration is not None else end + 1.0)


ANSWER = (
    "So, um, I would shard by tenant because, uh, one node can't take the writes. |2 "
    "The trade-off is that cross-shard queries get expensive, you know, so I'd use "
    "consistent hashing instead of modulo hashing."
)
PROMPT = Prompt(
    "shard",
    "Sharding",
    "system-design",
    "senior",
    "How would you shard?",
    30,
    60,
    (
        KeyPoint("why", "why shard", ("one node", "single node")),
        KeyPoint("ch", "consistent hashing", ("consistent hashing",)),
        KeyPoint("hot", "hot keys", ("hot key", "celebrity")),
    ),
)


def test_the_json_has_every_documented_field() -> None:
    data = analyze(transcript(ANSWER), prompt=PROMPT, audio="a.wav").to_dict()
    for key in (
        "audio",
        "duration_s",
        "speech_s",
        "transcript",
        "prompt_id",
        "no_speech",
        "report",
        "words",
        "fillers",
        "pauses",
        "wpm",
        "reasoning",
        "coverage",
        "score",
        "extra",
    ):
        assert key in data, key
    assert set(data["words"][0]) == {
        "text", "start", "end", "prob", "filler", "marker", "hedge"}
    assert set(data["fillers"][0]) >= {"text", "kind", "start", "end", "word_index"}
    assert set(data["pauses"][0]) >= {"start", "end", "duration", "kind"}
    assert set(data["reasoning"]) == {"count", "per_min", "markers", "thirds"}
    assert set(data["score"]) == {
        "total", "content", "delivery", "gap", "verdict", "change", "held", "components"}
    assert set(data["hedges"]) == {"count", "per_min", "items"}
    assert isinstance(data["red_flags"], list) and isinstance(data["repetition"], list)
    assert set(data["extra"]) >= {"pace", "filler_stats", "stretched_words", "corrections"}
    assert set(data["extra"]["pace"]) >= {
        "time_to_first_word_s",
        "windows",
        "answer_seconds",
        "over_by_s",
    }
    assert set(data["extra"]["filler_stats"]) == {
        "count",
        "per_min",
        "hesitations",
        "discourse",
        "by_text",
        "clusters",
    }
    json.dumps(data)  # serialisable as is
    assert Analysis.from_dict(json.loads(json.dumps(data))).to_dict() == data


def test_fillers_markers_pauses_and_coverage_of_a_real_answer() -> None:
    a = analyze(transcript(ANSWER), prompt=PROMPT)
    assert [(f.text, f.kind) for f in a.fillers] == [
        ("so", "discourse"),
        ("um", "hesitation"),
        ("uh", "hesitation"),
        ("you know", "discourse"),
    ]
    flagged = [w["text"] for w in a.words if w["filler"]]
    assert flagged == ["So,", "um,", "uh,", "you", "know,"]
    assert [m["text"] for m in a.reasoning["markers"]] == ["because", "trade-off", "instead of"]
    assert [w["text"] for w in a.words if w["marker"]] == ["because,", "trade-off", "instead", "of"]
    assert [(p.kind, round(p.duration, 1)) for p in a.pauses] == [("gap", 2.1)]
    assert a.coverage["covered"] == 2 and a.coverage["total"] == 3
    assert a.extra["pace"]["time_to_first_word_s"] == 1.0
    assert a.extra["filler_stats"]["by_text"] == {"so": 1, "uh": 1, "um": 1, "you know": 1}
    assert a.prompt_id == "shard" and not a.no_speech
    assert a.transcript.startswith("So, um, I would shard")


def test_a_filler_inside_a_marker_is_flagged_as_a_filler_only() -> None:
    a = analyze(transcript("We batch in, um, order to save disk."))
    flags = [(w["text"], w["filler"], w["marker"]) for w in a.words]
    assert flags[2:6] == [
        ("in,", False, True),
        ("um,", True, False),
        ("order", False, True),
        ("to", False, True),
    ]
    assert a.reasoning["markers"][0]["text"] == "in order to"


def test_wpm_excludes_fillers() -> None:
    plain = analyze(transcript("we shard the table by tenant id today"))
    filled = analyze(transcript("we um shard the uh table by tenant id today"))
    assert filled.wpm < plain.wpm  # same content words over more time, fillers not counted


def test_without_a_prompt_there_is_no_coverage_and_no_time_box() -> None:
    a = analyze(transcript(ANSWER))
    assert a.coverage is None and a.prompt_id is None
    assert {c["name"] for c in a.score["components"]}.isdisjoint({"Key points", "Time box"})


def test_silence_is_no_speech_with_score_zero() -> None:
    for t in (
        Transcript((), 5.0),
        Transcript((Word("...", 0.5, 1.0),), 5.0),
        Transcript((), 5.0, no_speech=True),
    ):
        a = analyze(t)
        assert a.no_speech and a.score["total"] == 0
        assert a.score["verdict"] == "No speech detected"
        assert a.wpm == 0 and a.fillers == []


def test_corrections_unmark_and_mark_fillers() -> None:
    t = transcript("It was, like, really slow. We basically batch the writes.")
    a = analyze(t)
    assert [f.text for f in a.fillers] == ["like", "basically"]
    like_i = a.fillers[0].word_index
    batch_i = next(i for i, w in enumerate(a.words) if w["text"] == "batch")
    fixed = analyze(
        t,
        corrections=[
            {"word_index": like_i, "filler": False},
            {"word_index": batch_i, "filler": True},
        ],
    )
    assert [f.text for f in fixed.fillers] == ["basically", "batch"]
    assert fixed.words[like_i]["filler"] is False and fixed.words[batch_i]["filler"] is True
    assert fixed.extra["corrections"] == [
        {"word_index": like_i, "filler": False, "text": "like,"},
        {"word_index": batch_i, "filler": True, "text": "batch"},
    ]


def test_unmarking_one_word_of_you_know_removes_the_whole_filler() -> None:
    t = transcript("The cache, you know, was cold.")
    a = analyze(t, corrections=[{"word_index": 3, "filler": False}])
    assert a.fillers == [] and not any(w["filler"] for w in a.words)


def test_corrections_that_change_nothing_or_are_malformed_are_ignored() -> None:
    t = transcript("Um, it works.")
    a = analyze(
        t,
        corrections=[
            {"word_index": 0, "filler": True},
            {"word_index": 99, "filler": True},
            {"oops": 1},
        ],
    )
    assert [f.text for f in a.fillers] == ["um"] and a.extra["corrections"] == []


def test_settings_change_the_analysis() -> None:
    t = transcript("It works, okay, it works |1 really.")
    a = analyze(t, settings=Settings(extra_fillers=("okay",), pause_threshold_s=0.8))
    assert [f.text for f in a.fillers] == ["okay"]
    assert len([p for p in a.pauses if p.kind == "gap"]) == 1


def test_what_only_answer_scores_lower_than_one_with_reasons() -> None:
    why = analyze(
        transcript(
            "I would use a queue because the consumers are slow, which means we absorb bursts. "
            "The trade-off is latency, so that is fine for emails instead of payments."
        )
    )
    what = analyze(
        transcript(
            "I would use a queue. The consumers are slow. We have bursts. There is latency. "
            "It sends emails. It does not send payments. It runs on Kafka."
        )
    )
    assert why.reasoning["count"] >= 4 and what.reasoning["count"] == 0
    assert why.score["total"] - what.score["total"] >= 15
