"""The HTML report as text: what it shows, and that hostile user text stays text.

These tests read the generated page the way a parser would (html.parser), so they check the
document's structure (first element of <head>, script blocks, links) rather than substrings
that could appear anywhere. The browser-level checks live in test_report_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import stat
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from coach.core.model import Pause, Prompt
from coach.core.report import render_report, safe_href, write_report
from tests.report_samples import (
    ANSWER_ONE,
    ANSWER_TWO,
    REAL_ONE,
    analyzed,
    btree_prompt,
    library_prompt,
    make_analysis,
    silent_analysis,
)

HOSTILE = (
    '</script><script>document.title="pwned"</script> "quoted" \'single\' '
    '<img src=x onerror=alert(1)> javascript:alert(1) {{ 7*7 }} {% if 1 %}x{% endif %} & </p>'
)


class Page(HTMLParser):
    """The parts of a page a test cares about: head order, scripts, links, visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.head_children: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self.links: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self._buffer: list[str] | None = None
        self._script_attrs: dict[str, str | None] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if self._stack and self._stack[-1] == "head":
            self.head_children.append((tag, attributes))
        for name in ("href", "src"):
            if attributes.get(name):
                self.links.append(attributes[name] or "")
        if tag in ("script", "style"):
            self._buffer = []
            self._script_attrs = attributes
        if tag not in ("meta", "link", "br", "img", "input", "circle", "rect", "line", "path"):
            self._stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._buffer is not None:
            self.scripts.append((self._script_attrs, "".join(self._buffer)))
            self._buffer = None
        elif tag == "style" and self._buffer is not None:
            self.styles.append("".join(self._buffer))
            self._buffer = None
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self._buffer is not None:
            self._buffer.append(data)
        else:
            self.text.append(data)

    @property
    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def by_id(self, ident: str) -> dict[str, str | None] | None:
        return next((a for _, a in self.tags if a.get("id") == ident), None)


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture(scope="module")
def prompt() -> Prompt:
    return btree_prompt()


@pytest.fixture(scope="module")
def report(prompt: Prompt) -> str:
    return render_report(
        make_analysis(ANSWER_ONE, prompt=prompt), prompt=prompt, recording_href="recording.wav",
        attempt_id="20261121-101500-btree-vs-hash",
    )


def test_report_shows_prompt_transcript_and_highlights(report: str, prompt: Prompt) -> None:
    page = Page(report)
    text = page.visible_text
    assert prompt.title in text and "Would you use a B-tree or a hash index" in text
    # every word of the answer is in the transcript, in order
    spoken = [w for w in ANSWER_ONE.split() if w != "||"]
    transcript_words = re.findall(r'data-i="\d+"[^>]*>([^<]*)<', report)
    assert transcript_words == spoken
    # fillers and reasoning markers carry their highlight classes
    classes = {a.get("class") for t, a in page.tags if t == "span" and "data-i" in a}
    assert "w f" in classes and "w m" in classes
    filler_words = re.findall(r'class="w f"[^>]*>([^<]*)<', report)
    assert filler_words == ["um", "uh", "um"]
    marker_words = re.findall(r'class="w m"[^>]*>([^<]*)<', report)
    assert marker_words == ["because", "trade-off"]
    # hovering a word says when it was said and what it is
    titles = {a.get("class"): a.get("title") for t, a in page.tags
              if t == "span" and "data-i" in a}
    assert re.fullmatch(r"\d+:\d\d · filler", titles["w f"])
    assert re.fullmatch(r"\d+:\d\d · reasoning", titles["w m"])
    assert re.fullmatch(r"\d+:\d\d", titles["w"])
    assert "pause 2.2 s" in text  # the long pauses are placed inside the transcript


def test_report_shows_score_bands_sources_key_points_and_follow_ups(
    report: str, prompt: Prompt
) -> None:
    text = Page(report).visible_text
    assert "Target: 120-165 wpm" in text
    assert "Source: typical conversational/presentation pace" in text
    assert "Hesitations" in text and "fewer than 3 per minute" in text
    for point in prompt.key_points:
        assert point.text in text
    assert "You said range scan" in text  # the words that hit a covered point
    assert "Not mentioned" in text  # the missed point ("write amplification" was not said)
    for question in prompt.follow_ups:
        assert question in text
    verdict = make_analysis(prompt=prompt).score["verdict"]
    assert verdict.startswith("Strong answer") and verdict in text


def test_timeline_is_inline_svg_with_speech_pauses_and_fillers(report: str) -> None:
    page = Page(report)
    svg = page.by_id("timeline-svg")
    assert svg is not None
    rect_classes = [a.get("class") for t, a in page.tags if t == "rect"]
    assert rect_classes.count("pause gap") == 2
    assert rect_classes.count("speech") == 3  # two long pauses split the answer into three runs
    assert [a.get("class") for t, a in page.tags if t == "path"].count("filler") == 3


def test_audio_player_points_at_the_recording(report: str) -> None:
    audio = [a for t, a in Page(report).tags if t == "audio"]
    assert audio and audio[0]["src"] == "recording.wav" and "controls" in audio[0]


def test_csp_is_the_first_element_of_head_and_hashes_the_page_own_script_and_style(
    report: str,
) -> None:
    page = Page(report)
    first_tag, first = page.head_children[0]
    assert first_tag == "meta" and first["http-equiv"] == "Content-Security-Policy"
    policy = first["content"] or ""
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'none'"
    assert "http" not in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    executable = [body for attrs, body in page.scripts if attrs.get("type") is None]
    assert len(executable) == 1
    assert directives["script-src"] == sha256_source(executable[0])
    assert len(page.styles) == 1 and directives["style-src"] == sha256_source(page.styles[0])
    # no inline style attributes or event handlers anywhere (the CSP would block them)
    for _, attrs in page.tags:
        assert "style" not in attrs
        assert not any(name.startswith("on") for name in attrs)


def test_no_remote_urls_anywhere_in_the_page(report: str) -> None:
    assert not re.search(r"https?://", report, re.IGNORECASE)
    assert "//" not in "".join(Page(report).links)


def test_hostile_prompt_and_transcript_render_as_text() -> None:
    hostile_prompt = btree_prompt(question=HOSTILE, title=HOSTILE)
    analysis = make_analysis(f"{HOSTILE} because {HOSTILE}", prompt=hostile_prompt)
    html = render_report(
        analysis, prompt=hostile_prompt, recording_href="recording.wav", attempt_id=HOSTILE
    )
    page = Page(html)
    # exactly the page's own two script elements: the JSON data and the hashed script
    assert [attrs.get("type") for attrs, _ in page.scripts] == ["application/json", None]
    # the hostile text appears as text in the title, the question and the transcript
    assert page.visible_text.count('document.title="pwned"') >= 3
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    assert title and unescape(title.group(1)) == f"{HOSTILE} · coach report"  # {{ }} not run
    # no element or attribute was injected
    assert not [t for t, a in page.tags if t == "img"]
    assert not any(name.startswith("on") for _, a in page.tags for name in a)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_json_block_cannot_be_closed_by_hostile_words() -> None:
    words = ["</script><script>alert(1)</script>", "<!--", "a\u2028b", "&amp;", "</SCRIPT>"]
    analysis = make_analysis(" ".join(words))
    html = render_report(analysis, prompt=None, recording_href=None)
    page = Page(html)
    attrs, body = page.scripts[0]
    assert attrs.get("type") == "application/json" and attrs.get("id") == "report-data"
    assert "<" not in body and ">" not in body
    data = json.loads(body)
    assert [w[2] for w in data["words"]] == words  # the text survives exactly
    assert data["duration"] == analysis.duration_s


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JavaScript:alert(1)", "https://evil.example/a.wav",
     "//evil.example/a.wav", "data:text/html,<script>x</script>", "java\tscript:alert(1)"],
)
def test_unsafe_links_are_dropped(href: str) -> None:
    assert safe_href(href) is None
    html = render_report(
        make_analysis(ANSWER_TWO), prompt=None, recording_href=href, previous_href=href
    )
    assert not [a for t, a in Page(html).tags if t == "audio"]
    assert "The recording is not available" in Page(html).visible_text
    assert href not in html


@pytest.mark.parametrize(
    "href", ["recording.wav", "../20261121-x/report.html", "my answer (1).wav",
             "file:///home/u/answer.wav"]
)
def test_local_links_are_kept(href: str) -> None:
    assert safe_href(href) == href


def test_no_speech_is_stated_clearly() -> None:
    html = render_report(silent_analysis(), prompt=btree_prompt(), recording_href="recording.wav")
    page = Page(html)
    assert page.by_id("no-speech") is not None
    assert "No speech detected" in page.visible_text
    assert page.by_id("score") is None and page.by_id("transcript") is None
    assert [a for t, a in page.tags if t == "audio"]  # the user can still listen to it


def test_free_answer_without_prompt_has_no_checklist() -> None:
    page = Page(render_report(make_analysis(ANSWER_TWO), prompt=None, recording_href=None))
    assert "Free answer" in page.visible_text
    assert page.by_id("key-points") is None and page.by_id("follow-ups") is None


def test_follow_up_answer_links_to_the_answer_it_follows() -> None:
    html = render_report(
        make_analysis(ANSWER_TWO), prompt=btree_prompt(), recording_href="recording.wav",
        follows={"id": "20261121-x", "question": "What if the write rate grows 100x?",
                 "href": "../20261121-x/report.html"},
    )
    page = Page(html)
    assert "What if the write rate grows 100x?" in page.visible_text
    assert "../20261121-x/report.html" in page.links


def test_write_report_is_atomic_and_user_only(tmp_path: Path, report: str) -> None:
    target = tmp_path / "attempt" / "report.html"
    write_report(target, "old report")
    write_report(target, report)
    assert target.read_text(encoding="utf-8") == report
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temp files left


def test_report_of_the_real_analysis_engine() -> None:
    """analyze() output for a built-in prompt renders with every flag and key point it found."""
    prompt = library_prompt("btree-vs-hash")
    analysis = analyzed(REAL_ONE, prompt)
    html = render_report(analysis, prompt=prompt, recording_href="recording.wav")
    page = Page(html)
    assert re.findall(r'class="w f[^"]*"[^>]*>([^<]*)<', html) == [
        w["text"] for w in analysis.words if w["filler"]
    ]
    assert re.findall(r'class="w[^"]*\bm\b[^"]*"[^>]*>([^<]*)<', html) == [
        w["text"] for w in analysis.words if w["marker"]
    ]
    checklist = re.search(r'<ul class="checklist".*?</ul>', html, re.DOTALL).group(0)
    covered = analysis.coverage["covered"]
    assert checklist.count('<li class="yes">') == covered
    assert checklist.count('<li class="no">') == len(prompt.key_points) - covered
    assert f">{analysis.score['total']}<" in html
    assert analysis.score["verdict"] in page.visible_text
    for component in analysis.score["components"]:
        assert component["band"] in page.visible_text


def test_words_held_over_a_second_are_marked() -> None:
    analysis = make_analysis(ANSWER_TWO)
    word = analysis.words[5]
    analysis.pauses.append(Pause(word["start"] - 0.02, word["end"] + 0.05, "stretched"))
    html = render_report(analysis, prompt=None, recording_href=None)
    held = re.findall(r'class="w[^"]* s"[^>]*>([^<]*)<', html)
    assert held == [word["text"]]
    assert "1 held word" in Page(html).visible_text
    assert [a.get("class") for t, a in Page(html).tags if t == "rect"].count("pause stretched") == 1


def test_report_shows_both_scores_the_gap_red_flags_hedges_and_why_a_point_matters() -> None:
    from coach.core.analysis import analyze
    from coach.core.model import KeyPoint
    from tests.support.spoken import transcript_of

    story = Prompt(
        id="led", title="A migration you led", pillar="behavioral", level="staff",
        question="Tell me about a migration you led.", prep_seconds=10, answer_seconds=120,
        key_points=(
            KeyPoint("plan", "Plan: dual writes and rollback", ("dual write", "rollback"),
                     why="Shows the candidate made it safe to undo", weight=3),
            KeyPoint("old", "Why the old system had to go", ("the old queue",)),
        ),
    )
    text = (
        "I was put in charge of moving us off the old queue. I think the plan was solid. The "
        "other teams just wouldn't do their part. I sent the guide and they ignored it, they "
        "always had some excuse. The payments team dragged their feet and tried to pin the "
        "outage on my design. Maybe it moved over, I'm not sure, I had changed teams by then."
    )
    analysis = analyze(transcript_of(text), prompt=story)
    html = render_report(analysis, prompt=story, recording_href="recording.wav")
    page = Page(html)
    visible = page.visible_text
    score = analysis.score
    assert page.by_id("score-content") is not None and page.by_id("score-delivery") is not None
    assert f"{score['content']} content" in visible and f"{score['delivery']} delivery" in visible
    assert score["gap"] in ("both", "communication") and page.by_id("gap") is not None
    assert ("Knowledge and communication gaps" if score["gap"] == "both"
            else "Communication gap") in visible
    flags = {f["id"]: f for f in analysis.red_flags}
    assert "blames-others" in flags and flags["blames-others"]["text"] in visible
    seek = [a for t, a in page.tags if t == "span" and a.get("class") == "seek"]
    assert seek and all(a.get("data-i", "").isdigit() for a in seek)
    assert "why it matters: Shows the candidate made it safe to undo" in visible
    assert re.search(r'class="hl h"><span class="w h"[^>]*>I</span> <span class="w h"[^>]*>'
                     r"think</span>", html)
    assert f"Hedges: {analysis.hedges['count']}" in visible
    assert "Content" in visible and "Delivery" in visible and "Trade-offs" in visible
