"""Pace: speaking time, wpm without fillers, windows, long pauses, stretched words, time box."""

from __future__ import annotations

from coach.config import Settings
from coach.core.model import Transcript, Word
from coach.core.pace import measure, spoken_count


def evenly(n: int, start: float = 2.0, step: float = 0.4, dur: float = 0.3) -> list[Word]:
    return [Word(f"w{i}", start + i * step, start + i * step + dur) for i in range(n)]


def test_wpm_counts_words_per_minute_of_talking_excluding_fillers() -> None:
    ws = evenly(100)  # 100 words over 39.9 s of talking
    res = measure(Transcript(tuple(ws), 45.0), Settings(), fillers={0, 1, 2, 3, 4})
    talking = ws[-1].end - ws[0].start
    assert abs(res.talking_s - talking) < 1e-6
    assert abs(res.wpm - 95 * 60 / talking) < 0.01
    assert res.time_to_first_word_s == 2.0


def test_pace_counts_what_is_said_not_how_whisper_hyphenates_it() -> None:
    """Whisper writes "at least once" one time and "at-least-once" the next: same pace."""
    spelled = ["we", "deliver", "at-least-once,", "so", "the", "B-tree", "write", "is",
               "idempotent."]
    apart = ["we", "deliver", "at", "least", "once,", "so", "the", "B", "tree", "write", "is",
             "idempotent."]

    def pace(texts: list[str]) -> float:
        ws = [Word(t, 1.0 + i * 0.3, 1.0 + (i + 1) * 0.3) for i, t in enumerate(texts)]
        # the same 3.6 s of talking for both spellings
        ws[-1] = Word(ws[-1].text, ws[-1].start, 4.6)
        return measure(Transcript(tuple(ws), 5.0), Settings()).wpm

    assert abs(pace(spelled) - pace(apart)) < 0.01
    assert abs(pace(apart) - 12 * 60 / 3.6) < 0.01
    assert spoken_count("I'd") == 1 and spoken_count("...") == 0 and spoken_count("90%") == 1


def test_leading_silence_is_time_to_first_word_not_a_pause() -> None:
    ws = evenly(5, start=4.0)
    res = measure(Transcript(tuple(ws), 10.0), Settings())
    assert res.time_to_first_word_s == 4.0
    assert res.pauses == []


def test_long_gaps_are_pauses_and_do_not_slow_the_pace() -> None:
    first, second = evenly(20, start=1.0), evenly(20, start=20.0)
    ws = first + second
    res = measure(Transcript(tuple(ws), 30.0), Settings())
    gaps = [p for p in res.pauses if p.kind == "gap"]
    assert len(gaps) == 1
    assert abs(gaps[0].start - first[-1].end) < 1e-9 and gaps[0].end == 20.0
    no_gap = measure(Transcript(tuple(evenly(40, start=1.0)), 30.0), Settings())
    assert abs(res.wpm - no_gap.wpm) < 5  # the 11 s silence is reported, not averaged in


def test_pause_threshold_is_configurable() -> None:
    ws = [Word("a", 0.0, 0.3), Word("b", 1.3, 1.6), Word("c", 1.7, 2.0)]
    assert measure(Transcript(tuple(ws), 3.0), Settings()).pauses == []
    res = measure(Transcript(tuple(ws), 3.0), Settings(pause_threshold_s=0.8))
    assert [(p.start, p.end) for p in res.pauses] == [(0.3, 1.3)]


def test_a_word_stretched_over_a_second_is_flagged_but_not_the_last_word() -> None:
    ws = [
        Word("so", 0.0, 0.3),
        Word("the", 0.4, 1.9),
        Word("cache", 2.0, 2.3),
        Word("internationalization", 2.4, 3.5),
        Word("ummm,", 3.5, 3.55 + 1.2),
        Word("end.", 4.8, 6.0),
    ]
    res = measure(Transcript(tuple(ws), 6.0), Settings())
    assert [w.text for w in res.stretched] == ["the"]
    assert [(p.kind, p.start, p.end) for p in res.pauses] == [("stretched", 0.4, 1.9)]


def test_speaking_time_comes_from_voice_activity_when_known() -> None:
    ws = evenly(10)
    t = Transcript(tuple(ws), 10.0, speech_regions=((1.9, 4.0), (3.5, 6.1), (20.0, 30.0)))
    assert abs(measure(t, Settings()).speech_s - (6.1 - 1.9)) < 1e-9  # merged, clipped to 10 s
    fallback = measure(Transcript(tuple(ws), 10.0), Settings())
    assert abs(fallback.speech_s - (ws[-1].end - ws[0].start)) < 1e-9


def test_windows_of_30_seconds() -> None:
    fast = evenly(60, start=0.0, step=0.4)  # 60 words in the first 24 s
    slow = evenly(30, start=30.0, step=1.0)  # 60 wpm for 30 s
    res = measure(Transcript(tuple(fast + slow), 60.0), Settings(pause_threshold_s=10))
    assert [w["start"] for w in res.windows] == [0.0, 30.0]
    assert res.windows[0]["wpm"] == 120.0  # 60 words in the first 30 s
    assert 55 < res.windows[1]["wpm"] < 65


def test_time_box() -> None:
    ws = evenly(10, start=1.0)
    res = measure(Transcript(tuple(ws), 10.0), Settings(), answer_seconds=3)
    assert abs(res.over_by_s - (ws[-1].end - 3)) < 1e-9
    assert measure(Transcript(tuple(ws), 10.0), Settings()).over_by_s is None


def test_no_words_means_no_pace() -> None:
    res = measure(Transcript((), 5.0), Settings())
    assert res.wpm == 0 and res.time_to_first_word_s is None and res.pauses == []
