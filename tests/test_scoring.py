"""The score: bands with sources, reasons weigh visibly, and silence scores zero."""

from __future__ import annotations

from coach.config import Settings
from coach.core.scoring import NO_SPEECH, Metrics, score

GOOD = Metrics(
    wpm=140,
    hesitations_per_min=1,
    discourse_per_min=1,
    reasoning_per_min=3,
    reasoning_count=6,
    long_pauses_per_min=0.5,
)


def by_name(result: dict) -> dict[str, dict]:
    return {c["name"]: c for c in result["components"]}


def with_(**changes) -> Metrics:
    return Metrics(**{**GOOD.__dict__, **changes})


def test_a_clean_answer_scores_full_marks_with_every_band_sourced() -> None:
    result = score(GOOD, Settings())
    assert result["total"] == 100
    assert "Strong answer" in result["verdict"]
    for comp in result["components"]:
        assert comp["band"] and comp["source"], comp
        assert 0 <= comp["points"] <= comp["max_points"]
    assert by_name(result)["Pace"]["band"] == "120-165 wpm"
    assert "NCVS" in by_name(result)["Pace"]["source"]


def test_an_answer_without_reasons_scores_visibly_lower() -> None:
    no_why = score(with_(reasoning_per_min=0, reasoning_count=0), Settings())
    assert score(GOOD, Settings())["total"] - no_why["total"] >= 20
    assert by_name(no_why)["Reasoning"]["points"] == 0
    assert "why" in no_why["verdict"]


def test_pace_outside_the_band_loses_points_gradually() -> None:
    pts = [by_name(score(with_(wpm=w), Settings()))["Pace"]["points"] for w in (140, 175, 200, 230)]
    assert pts[0] == 15 and pts[0] > pts[1] > pts[2] > pts[3] == 0
    assert by_name(score(with_(wpm=100), Settings()))["Pace"]["note"] == "too slow"


def test_bands_follow_the_settings() -> None:
    settings = Settings(wpm_low=100, wpm_high=130, hesitations_per_min_max=5)
    result = by_name(score(with_(wpm=150, hesitations_per_min=4), settings))
    assert result["Pace"]["band"] == "100-130 wpm" and result["Pace"]["points"] < 15
    assert result["Hesitations"]["points"] == 15


def test_many_hesitations_cost_points() -> None:
    result = by_name(score(with_(hesitations_per_min=9), Settings()))
    assert result["Hesitations"]["points"] < 10


def test_coverage_and_time_box_only_with_a_prompt() -> None:
    assert set(by_name(score(GOOD, Settings()))) == {
        "Pace",
        "Hesitations",
        "Discourse fillers",
        "Reasoning",
        "Long pauses",
    }
    with_prompt = score(
        with_(coverage_ratio=0.2, answer_length_s=200, answer_seconds=120), Settings()
    )
    parts = by_name(with_prompt)
    assert parts["Key points"]["value"] == 20.0 and parts["Key points"]["points"] < 10
    assert parts["Time box"]["note"] == "over time" and parts["Time box"]["points"] < 5
    assert with_prompt["total"] < 80


def test_no_speech_scores_zero() -> None:
    assert score(None, Settings()) == {"total": 0, "verdict": NO_SPEECH, "components": []}
    assert NO_SPEECH == "No speech detected"
