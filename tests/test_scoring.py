"""The two scores: bands with sources, content that delivery cannot buy back, the gap named."""

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
TECHNICAL = ("no-trade-offs", "one-solution", "no-decision")
ON_PROMPT = {"coverage_ratio": 0.9, "answer_length_s": 100, "answer_seconds": 120,
             "applicable_flags": TECHNICAL}


def by_name(result: dict) -> dict[str, dict]:
    return {c["name"]: c for c in result["components"]}


def with_(**changes) -> Metrics:
    return Metrics(**{**GOOD.__dict__, **changes})


def test_a_clean_answer_scores_full_marks_with_every_band_sourced() -> None:
    result = score(with_(**ON_PROMPT), Settings())
    assert result["total"] == 100 and result["content"] == 100 and result["delivery"] == 100
    assert result["gap"] == "none"
    assert "Strong answer" in result["verdict"] and "on target everywhere" in result["verdict"]
    for comp in result["components"]:
        assert comp["band"] and comp["source"], comp
        assert 0 <= comp["points"] <= comp["max_points"]
        assert comp["side"] in ("content", "delivery")
    assert by_name(result)["Pace"]["band"] == "120-165 wpm"
    assert "NCVS" in by_name(result)["Pace"]["source"]


def test_each_measure_sits_on_its_side() -> None:
    sides = {c["name"]: c["side"] for c in score(with_(**ON_PROMPT, pitch_spread_semitones=6),
                                                 Settings())["components"]}
    assert {n for n, s in sides.items() if s == "content"} == {
        "Key points", "Reasoning", "Trade-offs", "Alternatives", "Decision"}
    assert {n for n, s in sides.items() if s == "delivery"} == {
        "Pace", "Hesitations", "Discourse fillers", "Long pauses", "Hedging", "Repetition",
        "Time box", "Pitch variety"}


def test_fluent_delivery_cannot_buy_back_missing_key_points() -> None:
    """A perfectly delivered answer to another question: under a third of the key points."""
    result = score(with_(**{**ON_PROMPT, "coverage_ratio": 0.3}), Settings())
    assert result["delivery"] == 100
    assert result["total"] < 50 and result["verdict"].startswith("Needs work")
    assert result["gap"] == "knowledge"
    assert "cover the missing key points" in result["verdict"] or "key points" in result["verdict"]


def test_the_biggest_gain_names_the_heaviest_missed_point() -> None:
    result = score(with_(**{**ON_PROMPT, "coverage_ratio": 0.5,
                            "missed_point": "Writes cost page splits"}), Settings())
    assert "first: Writes cost page splits" in result["verdict"]


def test_an_answer_without_reasons_stays_needs_work() -> None:
    no_why = score(with_(**ON_PROMPT, reasoning_per_min=0, reasoning_count=0,
                         flags=frozenset({"no-trade-offs", "no-decision"})), Settings())
    assert by_name(no_why)["Reasoning"]["points"] == 0
    assert by_name(no_why)["Trade-offs"]["note"] == "red flag"
    assert no_why["total"] < 50 and no_why["gap"] == "knowledge"


def test_content_there_but_rambling_is_a_communication_gap() -> None:
    rambling = score(with_(**{**ON_PROMPT, "answer_length_s": 230}, discourse_per_min=14,
                           repetition_per_min=9), Settings())
    assert rambling["content"] == 100 and rambling["delivery"] < 80
    assert rambling["gap"] == "communication"
    assert 50 <= rambling["total"] < 70, rambling["total"]  # a weak delivery drags the total


def test_hedged_throughout_halves_the_key_point_credit_and_both_sides_fail() -> None:
    hedged = score(with_(**ON_PROMPT, hedges_per_min=12, hedges_per_100_words=8,
                         flags=frozenset({"no-decision"})), Settings())
    assert by_name(hedged)["Key points"]["note"] == "half credit: said as guesses"
    assert by_name(hedged)["Hedging"]["points"] == 0
    assert hedged["gap"] == "both" and hedged["total"] < 70  # not a good answer, however fluent


def test_blaming_others_counts_on_the_communication_side() -> None:
    story = ("no-trade-offs", "no-team", "blames-others", "no-result")
    blaming = score(with_(**{**ON_PROMPT, "applicable_flags": story,
                             "flags": frozenset({"blames-others", "no-result"})}), Settings())
    assert blaming["delivery"] == 100 and blaming["gap"] in ("communication", "both")
    assert by_name(blaming)["Ownership"]["points"] == 0


def test_pitch_counts_only_when_measured() -> None:
    assert "Pitch variety" not in by_name(score(with_(**ON_PROMPT), Settings()))
    flat = by_name(score(with_(**ON_PROMPT, pitch_spread_semitones=1.5), Settings()))
    assert flat["Pitch variety"]["points"] == 0 and flat["Pitch variety"]["note"] == "monotone"


def test_pace_outside_the_band_loses_points_gradually() -> None:
    pts = [by_name(score(with_(wpm=w), Settings()))["Pace"]["points"] for w in (140, 175, 200, 230)]
    assert pts[0] == 15 and pts[0] > pts[1] > pts[2] > pts[3] == 0
    assert by_name(score(with_(wpm=100), Settings()))["Pace"]["note"] == "too slow"


def test_bands_follow_the_settings() -> None:
    settings = Settings(wpm_low=100, wpm_high=130, hesitations_per_min_max=5)
    result = by_name(score(with_(wpm=150, hesitations_per_min=4), settings))
    assert result["Pace"]["band"] == "100-130 wpm" and result["Pace"]["points"] < 15
    assert result["Hesitations"]["points"] == 15


def test_coverage_time_box_and_flags_only_with_a_prompt() -> None:
    free = by_name(score(GOOD, Settings()))
    assert "Key points" not in free and "Time box" not in free and "Decision" not in free
    with_prompt = by_name(score(
        with_(coverage_ratio=0.2, answer_length_s=200, answer_seconds=120), Settings()))
    assert with_prompt["Key points"]["value"] == 20.0 and with_prompt["Key points"]["points"] < 15
    assert with_prompt["Time box"]["note"] == "over time" and with_prompt["Time box"]["points"] < 5


def test_no_speech_scores_zero() -> None:
    result = score(None, Settings())
    assert result["total"] == 0 and result["content"] == 0 and result["delivery"] == 0
    assert result["verdict"] == NO_SPEECH == "No speech detected" and result["components"] == []


def test_an_answer_held_under_fifty_by_a_content_rule_names_a_knowledge_gap() -> None:
    """Reasons and a decision, but a third of the key points: the gap is what was missed."""
    result = score(with_(**{**ON_PROMPT, "coverage_ratio": 0.25}), Settings())
    assert result["total"] < 50 and result["gap"] == "knowledge"


def test_facts_without_a_decision_or_an_alternative_need_work_however_fluent() -> None:
    """Two red flags (here: no decision, only one solution) are what an interviewer hears
    from an answer that recites facts: it needs work even with most key points and a clean
    delivery, and the verdict says what held it there."""
    facts = with_(**{**ON_PROMPT, "coverage_ratio": 0.75},
                  flags=frozenset({"no-decision", "one-solution"}))
    result = score(facts, Settings())
    assert result["delivery"] == 100 and result["content"] >= 50
    assert result["total"] < 50 and result["verdict"].startswith("Needs work")
    assert "held there: 2 red flags" in result["verdict"] and result["held"] == "2 red flags"
    assert result["gap"] == "knowledge"
    one = score(with_(**{**ON_PROMPT, "coverage_ratio": 0.75}, flags=frozenset({"no-decision"})),
                Settings())
    assert one["total"] >= 50 and one["held"] == ""


def test_an_answer_twice_its_time_box_is_at_most_fair_with_a_communication_gap() -> None:
    """Everything said, but in 240 s for a 120 s question: the interviewer would have cut in."""
    long = score(with_(**{**ON_PROMPT, "answer_length_s": 240}), Settings())
    assert long["content"] == 100
    assert 50 <= long["total"] < 70 and long["verdict"].startswith("Fair answer")
    assert long["held"] == "over 1.5 times the time box"
    assert long["gap"] == "communication"
    fits = score(with_(**{**ON_PROMPT, "answer_length_s": 170}), Settings())
    assert fits["held"] == "" and fits["total"] >= 70


def test_on_target_everywhere_is_said_only_when_nothing_lost_a_point() -> None:
    """A 97 with the pace over its band and a few too many hesitations: the verdict names the
    change worth most instead of calling everything on target."""
    close = score(with_(**ON_PROMPT, wpm=176, hesitations_per_min=5), Settings())
    assert close["total"] >= 85 and close["verdict"].startswith("Strong answer")
    assert "on target everywhere" not in close["verdict"]
    assert close["change"] in ("find a steadier pace",
                               "replace 'um' and 'uh' with a short silent pause")
