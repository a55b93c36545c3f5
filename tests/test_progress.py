"""Reattempt comparison and the progress dashboard (as data and as HTML text)."""

from __future__ import annotations

import re
import stat
from itertools import pairwise
from pathlib import Path

from coach.core.comparison import compare, metrics_of
from coach.core.progress import render_dashboard, write_dashboard
from coach.core.report import render_report
from tests.report_samples import (
    ANSWER_ONE,
    ANSWER_TWO,
    REAL_ONE,
    REAL_TWO,
    analyzed,
    btree_prompt,
    dashboard_rows,
    library_prompt,
    make_analysis,
    silent_analysis,
)
from tests.test_report import HOSTILE, Page, sha256_source


def _pair():
    prompt = btree_prompt()
    first = make_analysis(ANSWER_ONE, prompt=prompt)
    return prompt, first, make_analysis(ANSWER_TWO, prompt=prompt)


def test_metrics_of_reads_the_headline_numbers() -> None:
    _, first, _ = _pair()
    m = metrics_of(first)
    assert m["score"] == first.score["total"]
    assert m["wpm"] == first.wpm
    assert m["fillers_per_min"] == first.extra["filler_stats"]["per_min"]
    assert abs(m["hesitations_per_min"] - 3 / (first.speech_s / 60)) < 1e-9  # 3 "um"/"uh"
    assert m["coverage"] == 0.75 and m["long_pauses"] == 2


def test_compare_reports_deltas_with_direction() -> None:
    _, first, second = _pair()
    result = compare(first, second)
    rows = {m["key"]: m for m in result["metrics"]}
    assert rows["score"]["before"] == first.score["total"]
    assert rows["score"]["after"] == second.score["total"]
    assert rows["score"]["delta"] == second.score["total"] - first.score["total"]
    assert rows["score"]["verdict"] == "better"
    assert rows["fillers_per_min"]["after"] == 0 and rows["fillers_per_min"]["verdict"] == "better"
    assert rows["reasoning_per_min"]["verdict"] == "better"
    assert rows["long_pauses"]["delta"] == -2 and rows["long_pauses"]["verdict"] == "better"
    assert rows["coverage"]["before"] == 75 and rows["coverage"]["after"] == 100
    # the reverse comparison calls the same changes worse
    backwards = {m["key"]: m for m in compare(second, first)["metrics"]}
    assert backwards["score"]["verdict"] == "worse"
    assert backwards["fillers_per_min"]["verdict"] == "worse"


def test_pace_change_is_judged_against_the_target_band() -> None:
    slow = make_analysis(ANSWER_TWO, word_s=0.6)  # ~100 wpm: below the 120-165 band
    steady = make_analysis(ANSWER_TWO, word_s=0.42)  # ~143 wpm: inside the band
    fast = make_analysis(ANSWER_TWO, word_s=0.3)  # ~200 wpm: above it
    verdict = {
        (a, b): {m["key"]: m for m in compare(x, y)["metrics"]}["wpm"]["verdict"]
        for (a, x), (b, y) in [
            (("slow", slow), ("steady", steady)),
            (("fast", fast), ("steady", steady)),
            (("steady", steady), ("fast", fast)),
        ]
    }
    assert verdict[("slow", "steady")] == "better"  # faster, and that is an improvement
    assert verdict[("fast", "steady")] == "better"  # slower, and that is an improvement too
    assert verdict[("steady", "fast")] == "worse"


def test_compare_key_points_newly_covered_and_lost() -> None:
    _, first, second = _pair()
    forward = compare(first, second)["key_points"]
    assert [p["id"] for p in forward["newly_covered"]] == ["write-cost"]
    assert forward["newly_covered"][0]["hits"] == ["write amplification"]
    assert forward["lost"] == [] and len(forward["kept"]) == 3
    backward = compare(second, first)["key_points"]
    assert [p["id"] for p in backward["lost"]] == ["write-cost"]
    assert compare(make_analysis(ANSWER_ONE), make_analysis(ANSWER_TWO))["key_points"] is None


def test_compare_aligns_the_two_transcripts_word_by_word() -> None:
    _, first, second = _pair()
    result = compare(first, second)
    ops = result["alignment"]
    # read back, each side is exactly its transcript
    assert " ".join(r["before"] for r in ops if r["before"]) == first.transcript
    assert " ".join(r["after"] for r in ops if r["after"]) == second.transcript
    assert ops[0] == {"op": "delete", "before": "So um", "after": ""}
    assert any(r["op"] == "equal" and "range scans by time" in r["before"] for r in ops)
    assert 0.3 < result["similarity"] < 0.9
    same = compare(first, first)
    assert [r["op"] for r in same["alignment"]] == ["equal"] and same["similarity"] == 1.0


def test_compare_handles_a_silent_attempt() -> None:
    _, first, _ = _pair()
    result = compare(silent_analysis(), first)
    assert result["alignment"] == [{"op": "insert", "before": "", "after": first.transcript}]
    assert {m["key"]: m for m in result["metrics"]}["score"]["verdict"] == "better"


def test_report_with_previous_shows_the_comparison() -> None:
    prompt, first, second = _pair()
    html = render_report(
        second, prompt=prompt, recording_href="recording.wav", previous=first,
        previous_href="../20261121-101500-btree-vs-hash/report.html",
    )
    page = Page(html)
    text = page.visible_text
    assert page.by_id("comparison") is not None
    assert "Compared with your previous attempt" in text
    assert "../20261121-101500-btree-vs-hash/report.html" in page.links
    before, after = first.score, second.score
    assert re.search(rf"Score\s+{before['total']}\s*/100\s+{after['total']}\s*/100\s+"
                     rf"\+{after['total'] - before['total']} better", text)
    # content and delivery are compared apart, in the table and beside the headline score
    assert re.search(rf"Content\s+{before['content']}\s*/100\s+{after['content']}\s*/100", text)
    assert re.search(rf"Delivery\s+{before['delivery']}\s*/100\s+{after['delivery']}\s*/100",
                     text)
    assert f"content {before['content']} → {after['content']}" in text
    assert re.search(r"Long pauses\s+2\s+0\s+−2 better", text)
    assert "Newly covered (1) B-tree inserts cost page writes" in text
    assert "So um" in text  # the deleted words of the previous answer, shown in the alignment


def test_dashboard_lists_every_attempt_with_trend_charts() -> None:
    rows = dashboard_rows(9)
    html = render_dashboard(rows, generated_at="2026-11-21 10:30")
    page = Page(html)
    attempts = [a["data-attempt"] for t, a in page.tags if t == "tr" and "data-attempt" in a]
    assert sorted(attempts) == sorted(r["id"] for r in rows)
    assert attempts[0] == rows[-1]["id"]  # newest first in the table
    for row in rows:
        assert row["report_href"] in page.links
    # overall: one chart per metric, each with one point per attempt
    overall = re.search(r'<section id="overall".*?</section>', html, re.DOTALL).group(0)
    for key in ("score", "fillers_per_min", "wpm", "reasoning_per_min", "coverage"):
        assert f'data-metric="{key}"' in overall
    for key in ("content", "delivery"):
        assert f'data-metric="{key}"' in overall
    for key in ("hedges_per_min", "pitch_spread"):
        assert f'data-metric="{key}"' in overall
    assert overall.count("<circle") == 9 * 8 + 6  # coverage: behavioral answers have none
    assert re.search(r"88\s+88\s+86\s+none", page.visible_text)  # score, content, delivery, gap
    pillars = [a["data-pillar"] for t, a in page.tags if "data-pillar" in a]
    assert pillars == ["behavioral", "coding", "system-design"]
    prompts = [a["data-prompt"] for t, a in page.tags if "data-prompt" in a]
    assert set(prompts) == {"btree-vs-hash", "lru-cache", "conflict"}
    assert "+30 since first" in page.visible_text
    # what the review said beside the scores: red flags, hedges, the phrase leaned on, pitch
    first = re.search(rf'<tr data-attempt="{rows[0]["id"]}">.*?</tr>', html, re.DOTALL).group(0)
    assert "no-decision, one-solution" in first and "basically x6" in first
    assert re.search(r'"num">4(\.0)?<', first) and re.search(r'"num">3(\.0)?<', first)


def test_dashboard_has_csp_first_no_scripts_and_no_remote_urls() -> None:
    rows = dashboard_rows(4)
    rows[0] |= {"prompt_title": HOSTILE, "report_href": "javascript:alert(1)"}
    html = render_dashboard(rows, generated_at=HOSTILE)
    page = Page(html)
    first_tag, first = page.head_children[0]
    assert first_tag == "meta" and first["http-equiv"] == "Content-Security-Policy"
    policy = first["content"] or ""
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert f"style-src {sha256_source(page.styles[0])}" in policy
    assert page.scripts == []
    assert not re.search(r"https?://", html)
    assert "javascript:" not in " ".join(page.links)
    assert page.visible_text.count('document.title="pwned"') >= 2


def test_empty_dashboard_says_how_to_start(tmp_path: Path) -> None:
    html = render_dashboard([], generated_at="now")
    assert "No attempts yet" in Page(html).visible_text
    target = tmp_path / "index.html"
    write_dashboard(target, html)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_dashboard_tolerates_missing_metrics() -> None:
    rows = dashboard_rows(2)
    rows[1] |= {"score": None, "wpm": None, "coverage": None, "started_at": "not a date"}
    html = render_dashboard(rows, generated_at="now")
    assert rows[1]["id"] in html


def test_alignment_of_different_answers_has_no_stray_anchors() -> None:
    prompt = library_prompt()
    first, second = analyzed(REAL_ONE, prompt), analyzed(REAL_TWO, prompt)
    ops = compare(first, second)["alignment"]
    assert " ".join(r["before"] for r in ops if r["before"]) == first.transcript
    assert " ".join(r["after"] for r in ops if r["after"]) == second.transcript
    inner = ops[1:-1]
    assert all(len(r["before"].split()) >= 3 for r in inner if r["op"] == "equal")
    assert all(a["op"] == "equal" or b["op"] == "equal" for a, b in pairwise(ops))


def test_very_long_answers_are_compared_side_by_side_without_quadratic_alignment() -> None:
    """A 3-hour recording compared with another must not hang the report (difflib is O(n*m))."""
    long_a = make_analysis(" ".join([ANSWER_TWO] * 120))  # ~6,600 words each
    long_b = make_analysis(" ".join([ANSWER_ONE] * 110))
    result = compare(long_a, long_b)
    assert result["alignment"] == [
        {"op": "replace", "before": long_a.transcript, "after": long_b.transcript}
    ]
    assert 0 < result["similarity"] <= 1


def _silent_row(day: int, pid: str, title: str, pillar: str) -> dict:
    """A dashboard row of a take with no speech, as the history stores it: every figure 0."""
    return {
        "id": f"202611{day:02d}-1200{day:02d}-{pid}", "prompt_id": pid, "prompt_title": title,
        "pillar": pillar, "started_at": f"2026-11-{day:02d}T12:00:00+00:00", "score": 0.0,
        "content": 0.0, "delivery": 0.0, "gap": "both", "wpm": 0.0, "fillers_per_min": 0.0,
        "hesitations_per_min": 0.0, "reasoning_per_min": 0.0, "coverage": 0.0,
        "self_rating": "easy", "no_speech": True,
        "report_href": f"attempts/202611{day:02d}-1200{day:02d}-{pid}/report.html",
    }


def _section(html: str, section_id: str) -> str:
    return re.search(rf'<section id="{section_id}".*?</section>', html, re.DOTALL).group(0)


def test_dashboard_leaves_no_speech_takes_out_of_its_figures() -> None:
    spoken = dashboard_rows(6)
    for row, rating in zip(spoken, ["good", "hard", "good", "easy", "good", "good"], strict=True):
        row["self_rating"] = rating
    # silent takes between the answers and as the latest one, self-rated "easy" each
    silent = [_silent_row(2, "btree-vs-hash", "B-tree or hash index?", "system-design"),
              _silent_row(4, "lru-cache", "Design an LRU cache", "coding"),
              _silent_row(9, "conflict", "Tell me about a disagreement", "behavioral")]
    alone = render_dashboard(spoken, generated_at="now")
    mixed = render_dashboard(spoken + silent, generated_at="now")
    # every chart, the calibration, each pillar's and prompt's figures: as without them,
    # beside a note of how many takes had no speech
    for section in ("overall", "calibration"):
        assert _section(mixed, section) == _section(alone, section)
    assert _section(alone, "overall").count("<circle") == 6 * 8 + 4  # no point at 0
    notes = r'<span class="[^"]*no-speech">[^<]*</span>'
    for section in ("pillars", "prompts"):
        assert re.sub(notes, "", _section(mixed, section)) == _section(alone, section)
        assert len(re.findall(notes, _section(mixed, section))) == 3  # one silent take each
    page, before = Page(mixed), Page(alone)
    assert "2 answers + 1 with no speech, left out" in page.visible_text  # each pillar
    assert "2 attempts + 1 with no speech · best" in page.visible_text  # each prompt
    glance = re.search(r"Attempts.*?Best score \d+", page.visible_text).group(0)
    recent = re.search(r"Recent score (\d+) mean of last 5; earlier (\d+)", glance).groups()
    assert recent == re.search(r"Recent score (\d+) mean of last 5; earlier (\d+)",
                               before.visible_text).groups()
    assert recent == (str(round(sum(48 + 5 * i for i in range(1, 6)) / 5)), "48")
    assert "Attempts 9" in glance and "No speech 3 takes left out of the figures" in glance
    # each silent take is listed, as no speech rather than a score of 0
    table = Page(_section(mixed, "attempts"))
    for row in silent:
        cells = re.search(rf'<tr data-attempt="{row["id"]}">(.*?)</tr>',
                          _section(mixed, "attempts"), re.DOTALL).group(1)
        assert "no speech" in cells and ">0<" not in cells
        assert row["report_href"] in table.links
