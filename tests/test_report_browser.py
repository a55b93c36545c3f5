"""The report and the dashboard in a real headless Chromium, opened from disk as a user would.

Each page is loaded over file:// with every network request and console message recorded
(DevTools protocol over a pipe, see tests/support/browser.py). The tests check what a person
sees (words, links, the no-speech notice, dark and print styles), that clicking a word seeks
the recording, that hostile text does not run, that the CSP blocks an injected script while the
page's own script runs, and that no page asks for anything but local files.

Set COACH_DOCS_SCREENSHOTS=1 to also write docs/report.png and docs/dashboard.png.
"""

from __future__ import annotations

import math
import os
import struct
import wave
from pathlib import Path

import pytest

from coach.core.progress import render_dashboard, write_dashboard
from coach.core.report import render_report, write_report
from tests.report_samples import (
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
from tests.support.browser import Browser, chromium_path
from tests.test_report import HOSTILE

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed")

DOCS = Path(__file__).resolve().parent.parent / "docs"
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:")


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def write_tone(path: Path, seconds: float, rate: int = 16000) -> Path:
    """A quiet 220 Hz tone as a real WAV the <audio> element can play and seek."""
    frames = b"".join(
        struct.pack("<h", int(1200 * math.sin(2 * math.pi * 220 * i / rate)))
        for i in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


@pytest.fixture(scope="module")
def attempts(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two attempt folders of one built-in prompt, analysed by the real engine and laid out
    as the coach's home lays them out (in a folder whose name has spaces and non-ASCII)."""
    home = tmp_path_factory.mktemp("home with spaces é")
    prompt = library_prompt("btree-vs-hash")
    first = analyzed(REAL_ONE, prompt)
    second = analyzed(REAL_TWO, prompt)
    found: dict = {"analysis": {"first": first, "second": second}}
    for name, analysis, previous in (("first", first, None), ("second", second, first)):
        folder = home / "attempts" / f"20261121-10{len(found) - 1}000-btree-vs-hash"
        folder.mkdir(parents=True)
        write_tone(folder / "recording.wav", analysis.duration_s)
        html = render_report(
            analysis, prompt=prompt, recording_href="recording.wav", previous=previous,
            previous_href="../20261121-100000-btree-vs-hash/report.html" if previous else None,
            attempt_id=folder.name,
        )
        write_report(folder / "report.html", html)
        found[name] = folder / "report.html"
    return found


def assert_local_only(requests: list[str]) -> None:
    remote = [url for url in requests if not url.startswith(LOCAL_SCHEMES)]
    assert remote == [], f"the page requested non-local URLs: {remote}"


def errors(console: list[str]) -> list[str]:
    return [line for line in console if ":error]" in line or line.startswith("[exception]")]


def test_report_renders_words_scripts_and_nothing_remote(browser: Browser, attempts, tmp_path):
    page = browser.open(attempts["second"])
    assert page.evaluate("document.documentElement.classList.contains('js')")  # own script ran
    assert page.csp_violations() == [] and errors(page.console) == []
    fillers = page.evaluate("[...document.querySelectorAll('.w.f')].map(w => w.textContent)")
    assert fillers == [w["text"] for w in attempts["analysis"]["second"].words if w["filler"]]
    assert_local_only(page.requests)
    assert any(url.endswith("/recording.wav") for url in page.requests)  # the player found it
    text = page.evaluate("document.getElementById('transcript').innerText")
    assert " ".join(text.split()) == attempts["analysis"]["second"].transcript
    assert page.evaluate("document.title") == "B-tree or hash index? · coach report"
    # the layout fits the window: nothing sticks out sideways, the timeline is drawn full width
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    width = page.evaluate("document.getElementById('timeline-svg').getBoundingClientRect().width")
    assert width > 600
    # the comparison section is there and its link opens the previous attempt's report
    assert page.evaluate("!!document.getElementById('comparison')")
    href = page.evaluate("document.getElementById('previous-link').href")
    assert href == attempts["first"].resolve().as_uri()
    shot = page.screenshot(tmp_path / "report.png", width=1000)
    assert shot.stat().st_size > 20_000
    if os.environ.get("COACH_DOCS_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        page.screenshot(DOCS / "report.png", width=1000)


def test_clicking_a_word_seeks_the_recording_and_highlights_it(browser: Browser, attempts):
    page = browser.open(attempts["first"])
    page.evaluate(
        "new Promise(r => { const a = document.getElementById('player');"
        " if (a.readyState >= 1) r(); else a.addEventListener('loadedmetadata', r); })"
    )
    assert page.evaluate("document.getElementById('player').duration") > 20
    first = attempts["analysis"]["first"]
    word = first.words[12]
    state = page.evaluate(
        "(() => { const w = document.querySelector('.w[data-i=\"12\"]'); w.click();"
        " const a = document.getElementById('player'); a.pause();"
        " return {text: w.textContent, t: a.currentTime, playing: w.classList.contains('playing'),"
        " x: Number(document.getElementById('playhead').getAttribute('x1'))}; })()"
    )
    assert state["text"] == word["text"]
    assert abs(state["t"] - word["start"]) < 0.05
    assert state["playing"] is True
    assert abs(state["x"] - 1000 * word["start"] / first.duration_s) < 1.0
    assert errors(page.console) == []


def test_hostile_text_is_shown_not_run(browser: Browser, tmp_path: Path):
    prompt = btree_prompt(question=HOSTILE, title=HOSTILE)
    analysis = make_analysis(f"{HOSTILE} because {HOSTILE}", prompt=prompt)
    path = tmp_path / "report.html"
    write_report(path, render_report(analysis, prompt=prompt, recording_href=None))
    page = browser.open(path)
    # the title is the hostile text itself, not "pwned": nothing it contains executed
    assert page.evaluate("document.title") == f"{HOSTILE} · coach report"
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    body = page.evaluate("document.body.innerText")
    assert body.count('<script>document.title="pwned"</script>') >= 3
    assert "{{ 7*7 }}" in body
    assert page.csp_violations() == [] and errors(page.console) == []
    assert_local_only(page.requests)


def test_csp_blocks_an_injected_script_but_not_the_page_own(browser: Browser, tmp_path: Path):
    html = render_report(make_analysis(ANSWER_TWO), prompt=None, recording_href=None)
    injected = (
        "<script>document.title='pwned'; window.__pwned = 1;</script>"
        "<img src='x.png' onerror='window.__pwned = 2'>"
        "<img src='http://127.0.0.1:9/beacon.png'>"
        "<a id='evil' href=\"javascript:window.__pwned = 3\">x</a>"
    )
    path = tmp_path / "tampered.html"
    path.write_text(html.replace("</main>", injected + "</main>"), encoding="utf-8")
    page = browser.open(path)
    page.click("#evil")
    page.settle(0.3)
    assert page.evaluate("window.__pwned === undefined")
    assert page.evaluate("document.title") == "Free answer · coach report"
    assert page.evaluate("document.documentElement.classList.contains('js')")  # ours still ran
    directives = {v["directive"] for v in page.csp_violations()}
    assert {"script-src-elem", "script-src-attr", "img-src"} <= directives
    assert any("Content Security Policy" in line for line in page.console)


def test_network_recorder_would_catch_a_remote_request(browser: Browser, tmp_path: Path):
    """A control: without the report's CSP, a remote image is requested and recorded."""
    path = tmp_path / "control.html"
    path.write_text("<!doctype html><img src='http://127.0.0.1:9/x.png'>", encoding="utf-8")
    page = browser.open(path)
    with pytest.raises(AssertionError):
        assert_local_only(page.requests)


def test_no_speech_report_says_so(browser: Browser, tmp_path: Path):
    path = tmp_path / "silent.html"
    write_report(path, render_report(silent_analysis(), prompt=None, recording_href=None))
    page = browser.open(path)
    notice = page.evaluate("document.getElementById('no-speech').innerText")
    assert notice.startswith("No speech detected")
    assert page.evaluate("document.getElementById('no-speech').getBoundingClientRect().height") > 40
    assert errors(page.console) == [] and page.csp_violations() == []


def test_dark_scheme_and_print_styles(browser: Browser, attempts):
    page = browser.open(attempts["first"])
    background = "getComputedStyle(document.body).backgroundColor"
    page.emulate_media(dark=False)
    light = page.evaluate(background)
    page.emulate_media(dark=True)
    dark = page.evaluate(background)
    assert light != dark
    channels = [int(c) for c in dark[dark.index("(") + 1 : -1].split(",")[:3]]
    assert max(channels) < 60  # a dark page, not a light one
    page.emulate_media(media="print", dark=True)
    assert page.evaluate(background) == "rgb(255, 255, 255)"  # prints on white even in dark mode
    assert page.evaluate("getComputedStyle(document.getElementById('listen')).display") == "none"
    page.emulate_media()


def test_dashboard_in_the_browser(browser: Browser, tmp_path: Path):
    home = tmp_path / "home"
    rows = dashboard_rows(9)
    for row in rows:
        folder = home / Path(row["report_href"]).parent
        folder.mkdir(parents=True)
        (folder / "report.html").write_text("<!doctype html><title>r</title>", encoding="utf-8")
    path = home / "index.html"
    write_dashboard(path, render_dashboard(rows, generated_at="2026-11-21 10:30"))
    page = browser.open(path)
    assert errors(page.console) == [] and page.csp_violations() == []
    assert_local_only(page.requests)
    assert page.evaluate("document.querySelectorAll('#attempts tbody tr').length") == 9
    # score, content, delivery, fillers, pace, reasons, key points
    assert page.evaluate("document.querySelectorAll('#overall svg').length") == 9
    # every point links to an existing report, and the points are drawn inside their chart
    hrefs = page.evaluate(
        "[...document.querySelectorAll('#overall a')].map(a => a.href.baseVal || a.href)"
    )
    assert len(hrefs) == 9 * 8 + 6
    for href in set(hrefs):
        assert (path.parent / href).is_file()
    inside = page.evaluate(
        "[...document.querySelectorAll('#overall circle')].every(c => {"
        " const b = c.getBoundingClientRect(), s = c.ownerSVGElement.getBoundingClientRect();"
        " return b.width > 4 && b.left >= s.left && b.right <= s.right"
        " && b.top >= s.top && b.bottom <= s.bottom; })"
    )
    assert inside
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    shot = page.screenshot(tmp_path / "dashboard.png", width=1000)
    assert shot.stat().st_size > 20_000
    if os.environ.get("COACH_DOCS_SCREENSHOTS"):
        DOCS.mkdir(exist_ok=True)
        page.screenshot(DOCS / "dashboard.png", width=1000)


def test_clicking_a_red_flags_evidence_plays_the_words_that_show_it(browser: Browser, tmp_path):
    from coach.core.analysis import analyze
    from tests.support.spoken import transcript_of
    from tests.test_red_flags import BLAMING, prompt

    story = prompt("behavioral", "staff")
    analysis = analyze(transcript_of(BLAMING), prompt=story)
    write_tone(tmp_path / "recording.wav", analysis.duration_s)
    path = tmp_path / "report.html"
    write_report(path, render_report(analysis, prompt=story, recording_href="recording.wav"))
    page = browser.open(path)
    page.evaluate(
        "new Promise(r => { const a = document.getElementById('player');"
        " if (a.readyState >= 1) r(); else a.addEventListener('loadedmetadata', r); })"
    )
    blame = next(f for f in analysis.red_flags if f["id"] == "blames-others")
    state = page.evaluate(
        "(() => { const e = document.querySelector('[data-flag=\"blames-others\"] .seek');"
        " e.click(); const a = document.getElementById('player'); a.pause();"
        " return a.currentTime; })()"
    )
    assert abs(state - blame["evidence"][0]["start"]) < 0.05
    assert errors(page.console) == [] and page.csp_violations() == []
