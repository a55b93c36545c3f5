"""The practice app's plain logic: what the home lists, what the timer shows, what the review
shows and how corrections accumulate. No terminal needed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from coach.core.analysis import analyze
from coach.core.model import KeyPoint, Prompt, Transcript, Word
from coach.core.scheduler import RATINGS
from coach.tui.logic import browse, review
from coach.tui.logic.timebox import OK, OVER, WARN, timer_view


def _prompt(pid: str, pillar: str, level: str, title: str, question: str = "Why?") -> Prompt:
    return Prompt(pid, title, pillar, level, question, prep_seconds=5, answer_seconds=120)


PROMPTS = [
    _prompt("a", "system-design", "senior", "B-tree or hash index?", "Pick an index"),
    _prompt("b", "behavioral", "staff", "A conflict you resolved"),
    _prompt("c", "coding", "senior", "Reverse a linked list"),
]


class TestBrowse:
    def test_filters_by_pillar_level_and_text(self) -> None:
        assert [p.id for p in browse.visible(PROMPTS, {}, pillar="behavioral")] == ["b"]
        assert [p.id for p in browse.visible(PROMPTS, {}, level="senior")] == ["c", "a"]
        assert [p.id for p in browse.visible(PROMPTS, {}, text="INDEX")] == ["a"]
        assert browse.visible(PROMPTS, {}, pillar="coding", text="index") == []

    def test_due_prompts_come_first_then_new(self) -> None:
        marks = {"c": browse.DUE, "b": browse.NEW}  # in the scheduler's order
        assert [p.id for p in browse.visible(PROMPTS, marks)] == ["c", "b", "a"]
        assert browse.practise_next(PROMPTS, marks).id == "c"
        # among new prompts, the plan's order (the round furthest behind), not the titles
        assert browse.practise_next(PROMPTS, {"b": browse.NEW, "a": browse.NEW}).id == "b"
        assert browse.practise_next(PROMPTS, {}) is None

    def test_no_history_means_no_marks(self, coach_home) -> None:
        assert browse.due_marks(coach_home, {p.id: p for p in PROMPTS}) == ({}, None)


class TestTimer:
    def test_turns_amber_near_the_end_and_red_past_it(self) -> None:
        assert timer_view(30, 120).state == OK
        assert timer_view(30, 120).label == "0:30  /  1:30 left"
        assert timer_view(105, 120).state == WARN
        late = timer_view(130, 120)
        assert late.state == OVER
        assert late.label == "2:10  over by 0:10"

    def test_elapsed_and_left_always_add_up_to_the_time_box(self) -> None:
        """The seconds shown elapsed and left make the box at every moment (at 0.1 s in, a
        2:00 box has 2:00 left, not 1:59); the player and the report read a length alike."""
        from coach.core.report import format_clock

        for t in (0.0, 0.1, 0.9, 1.0, 59.5, 116.3, 119.99):
            view = timer_view(t, 120)
            m1, s1 = map(int, view.elapsed.split(":"))
            m2, s2 = map(int, view.remaining.split(":"))
            assert 60 * (m1 + m2) + s1 + s2 == 120, (t, view.label)
        assert timer_view(0.1, 120).label == "0:00  /  2:00 left"
        assert format_clock(114.75) == "1:54"  # the review's player shows 0:00 / 1:54 too


def _analysis():
    words = (
        Word("So", 0.0, 0.3), Word("um", 0.5, 0.8), Word("I", 1.0, 1.1),
        Word("would", 1.1, 1.3), Word("pick", 1.3, 1.6), Word("a", 1.6, 1.7),
        Word("B-tree", 1.7, 2.2), Word("because", 2.3, 2.7), Word("range", 2.8, 3.1),
        Word("scans", 3.1, 3.5), Word("like", 3.6, 3.8), Word("this", 3.8, 4.0),
    )
    prompt = Prompt(
        "p", "Index", "system-design", "senior", "Which index?", 5, 60,
        key_points=(KeyPoint("range", "range scans", ("range scan", "range scans")),
                    KeyPoint("hash", "hash lookups", ("constant time",))),
    )
    transcript = Transcript(words, 4.5, ((0.0, 4.0),))
    return analyze(transcript, prompt=prompt), transcript, prompt


class TestReview:
    def test_tokens_mark_fillers_and_reasoning(self) -> None:
        analysis, _, _ = _analysis()
        tokens = review.tokens(analysis)
        by_text = {t.text: t for t in tokens}
        assert by_text["um"].filler
        assert by_text["because"].marker
        assert not by_text["B-tree"].filler
        assert review.word_at(tokens, 1.4) == 4  # "pick"
        assert review.word_at(tokens, -1.0) is None

    def test_cards_and_checklist(self) -> None:
        analysis, _, _ = _analysis()
        titles = [c.title for c in review.cards(analysis)]
        assert titles[0] == "Score"
        assert {"Pace", "Fillers", "Reasoning", "Key points"} <= set(titles)
        points = review.checklist(analysis)
        assert [(p.text, p.covered) for p in points] == [
            ("range scans", True), ("hash lookups", False)
        ]
        assert review.proposed_rating(analysis) in RATINGS

    def test_review_shows_both_scores_flags_hedges_and_why(self) -> None:
        from tests.support.spoken import transcript_of

        prompt = Prompt(
            "idx", "Index", "system-design", "senior", "Which index?", 5, 120,
            key_points=(KeyPoint("range", "range scans", ("range scan",),
                                 why="the table is read by time ranges", weight=3),
                        KeyPoint("hash", "hash lookups", ("hash",))),
        )
        text = ("I think maybe a hash index, I guess, is probably fine for this? I'm not "
                "totally sure, it kind of depends. Maybe a hash could work, I think, probably, "
                "for lookups of one user. Hopefully either one is okay, probably, I guess.")
        analysis = analyze(transcript_of(text), prompt=prompt)
        cards = {c.title: c for c in review.cards(analysis)}
        assert cards["Content"].value == f"{analysis.score['content']}/100"
        assert cards["Delivery"].value == f"{analysis.score['delivery']}/100"
        assert cards["Score"].note == review.GAP_NOTES[analysis.score["gap"]]
        assert cards["Score"].band == "bad"
        assert int(cards["Hedges"].value) == analysis.hedges["count"] >= 8
        assert any(t.hedge for t in review.tokens(analysis))
        missed = [p for p in review.checklist(analysis) if not p.covered]
        assert missed and missed[0].why == "the table is read by time ranges"
        flag_texts = [f.text for f in review.flags(analysis)]
        assert any(t.startswith("No decision") for t in flag_texts)
        assert review.verdict_line(analysis).startswith("Needs work")
        # content decides the proposed rating: a hedged non-answer comes back tomorrow
        assert review.proposed_rating(analysis) == "again"

    def test_correction_toggles_and_undoes(self) -> None:
        analysis, transcript, prompt = _analysis()
        um = review.tokens(analysis)[1]
        corrections = review.toggle_filler([], um)
        assert corrections == [{"word_index": 1, "text": "um", "filler": False}]
        corrected = analyze(transcript, prompt=prompt, corrections=corrections)
        assert not review.tokens(corrected)[1].filler
        assert len(corrected.fillers) == len(analysis.fillers) - 1
        # flipping it back removes the correction rather than stacking another one
        assert review.toggle_filler(corrections, review.tokens(corrected)[1]) == []


def test_logic_modules_do_not_import_textual() -> None:
    """The app's logic stays usable (and testable) without Textual."""
    code = (
        "import sys, coach.tui.logic.browse, coach.tui.logic.review, "
        "coach.tui.logic.timebox, coach.tui.logic.session; "
        "print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_opening_a_page_with_no_browser_says_so_instead_of_opened(tmp_path, monkeypatch) -> None:
    """On a machine with no browser (no DISPLAY) nothing opens: the user is told where the
    file is rather than "Opened"."""
    import webbrowser

    from coach.errors import CoachError
    from coach.tui.logic import session

    page = tmp_path / "summary.html"
    page.write_text("<p>round</p>")
    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    with pytest.raises(CoachError, match="no web browser") as raised:
        session.open_in_browser(page)
    assert str(page) in str(raised.value)
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    session.open_in_browser(page)
    assert opened == [page.resolve().as_uri()]


class TestLevelMeter:
    def test_gaps_between_words_are_not_silence_but_a_second_of_it_is(self) -> None:
        """Readings every 50 ms: words at 0.4 with 0.2 s gaps never say "silent" and the bar
        does not drop to nothing in a gap; a muted microphone says so within ~1 s."""
        from coach.tui.widgets.level_meter import FLOOR, LevelMeter

        meter = LevelMeter()
        t = 0.0
        for _ in range(10):  # 0.5 s of words, 0.2 s gap, ...
            for level in [0.4] * 6 + [0.0] * 4:
                meter.show_reading(level, t)
                assert not meter.silent, t
                t += 0.05
            assert meter.level > FLOOR  # the bar held through the gap
        for _ in range(30):  # then 1.5 s of nothing
            meter.show_reading(0.0, t)
            t += 0.05
        assert meter.silent and meter.level <= FLOOR
        assert "silent" in str(meter.render())
