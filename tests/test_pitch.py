"""Pitch variety (issue 13): f0 of voiced frames, spread in semitones, monotone stretches.

Checked on audio whose pitch is known: synthesised tones and glides (exact f0, also in noise),
espeak-ng at set pitches and with its intonation flattened, piper's voice, silence and noise;
then that the pipeline measures the recording, keeps the figure through a re-analysis, and
that the review and the report show it.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from coach.audio.decode import decode_audio
from coach.cli.common import Context, open_context
from coach.core.attempts import new_attempt
from coach.core.model import Transcript, Word
from coach.core.pitch import MONOTONE_SEMITONES, PitchTracker, describe, measure_pitch
from coach.core.report import format_clock, render_report
from coach.pipeline import finish_analysis, reanalyze, save_transcript
from coach.transcribe.chunking import speech_regions_of
from coach.tui.logic.review import pitch_line
from tests.report_samples import btree_prompt, make_analysis
from tests.support.encode import write_wav
from tests.support.speech import espeak_available, piper_available, synthesize

RATE = 16000
ANSWER = (
    "I would start from the queries, because the index has to follow them. Most reads ask for "
    "one user's events in a time range, and a B-tree keeps the keys in order, so a range scan "
    "is cheap. A hash index only answers exact matches. So I would pick the B-tree, and I "
    "would only add a hash index if profiling showed that point lookups dominate the load."
)


def voice(f0: np.ndarray | float, seconds: float, rate: int = RATE) -> np.ndarray:
    """A voice-like tone: the fundamental ``f0`` (Hz, constant or per sample) and 2 harmonics."""
    n = int(seconds * rate)
    freq = np.broadcast_to(np.asarray(f0, dtype=np.float64), (n,))
    phase = 2 * np.pi * np.cumsum(freq) / rate
    wave = 0.3 * np.sin(phase) + 0.15 * np.sin(2 * phase) + 0.08 * np.sin(3 * phase)
    return wave.astype(np.float32)


def glide(start_hz: float, octaves: float, seconds: float) -> np.ndarray:
    """A sweep rising ``octaves`` at an even rate in semitones."""
    t = np.arange(int(seconds * RATE)) / RATE
    return voice(start_hz * 2.0 ** (octaves * t / seconds), seconds)


@pytest.mark.parametrize("f0", [120.0, 220.0])
def test_a_steady_tone_reads_its_pitch_within_2_percent(f0: float) -> None:
    pitch = measure_pitch(voice(f0, 3.0))
    assert abs(pitch["median_hz"] - f0) / f0 < 0.02
    assert pitch["spread_semitones"] < 0.5
    assert pitch["monotone"] == [{"start": 0.0, "end": 3.0}]  # a held note is as flat as it gets


def test_an_octave_glide_spreads_about_12_semitones() -> None:
    octave = measure_pitch(glide(110.0, 1.0, 10.0))
    # the spread is the 5-95 percentile range: 90% of an even sweep over 12 semitones = 10.8
    assert 10.3 <= octave["spread_semitones"] <= 12.0
    assert 150.0 < octave["median_hz"] < 161.0  # the sweep's middle, 110 Hz x 2^0.5 = 155.6
    assert octave["monotone"] == []
    half = measure_pitch(glide(110.0, 0.5, 10.0))
    assert abs(half["spread_semitones"] - octave["spread_semitones"] / 2) < 0.4


def test_a_low_and_a_high_voice_that_move_alike_spread_alike() -> None:
    low = measure_pitch(glide(90.0, 0.5, 10.0))
    high = measure_pitch(glide(240.0, 0.5, 10.0))
    assert abs(low["spread_semitones"] - high["spread_semitones"]) < 0.3


def test_a_glide_in_noise_still_reads_its_pitch() -> None:
    clean = glide(110.0, 1.0, 10.0)
    noise = np.random.default_rng(7).standard_normal(clean.size).astype(np.float32)
    noise *= np.sqrt(np.mean(clean**2) / np.mean(noise**2)) * 10 ** (-15 / 20)  # 15 dB SNR
    pitch = measure_pitch(clean + noise)
    assert 10.0 <= pitch["spread_semitones"] <= 12.0
    assert abs(pitch["median_hz"] - 155.6) / 155.6 < 0.03


@pytest.mark.parametrize(
    "samples",
    [
        np.zeros(RATE * 5, np.float32),
        (0.1 * np.random.default_rng(3).standard_normal(RATE * 5)).astype(np.float32),
        np.zeros(0, np.float32),
        np.full(200, 0.2, np.float32),
    ],
    ids=["silence", "white-noise", "empty", "shorter-than-a-frame"],
)
def test_silence_and_noise_have_no_voiced_frames(samples: np.ndarray) -> None:
    pitch = measure_pitch(samples)
    assert pitch["median_hz"] is None
    assert pitch["spread_semitones"] is None
    assert pitch["monotone"] == []
    assert all(w["spread_semitones"] is None for w in pitch["windows"])


def test_only_the_speech_regions_are_measured() -> None:
    samples = np.concatenate([voice(120.0, 5.0), voice(240.0, 5.0)])
    assert abs(measure_pitch(samples, RATE, [(0.0, 5.0)])["median_hz"] - 120.0) < 2.4
    assert abs(measure_pitch(samples, RATE, [(5.0, 10.0)])["median_hz"] - 240.0) < 4.8
    assert measure_pitch(samples, RATE, [])["median_hz"] is None


def test_a_flat_10_s_between_two_glides_is_the_monotone_stretch() -> None:
    samples = np.concatenate([glide(100.0, 0.75, 10.0), voice(150.0, 10.0),
                              glide(100.0, 0.75, 10.0)])
    pitch = measure_pitch(samples)
    spreads = [w["spread_semitones"] for w in pitch["windows"]]
    assert [(w["start"], w["end"]) for w in pitch["windows"]] == [(0, 10), (10, 20), (20, 30)]
    assert spreads[0] > 7 and spreads[2] > 7 and spreads[1] < 0.5
    assert pitch["monotone"] == [{"start": 10.0, "end": 20.0}]
    assert describe(pitch, format_clock).endswith("monotone 0:10–0:20")


def test_a_last_sliver_of_a_window_joins_the_one_before() -> None:
    pitch = measure_pitch(glide(100.0, 0.75, 23.0))
    assert [(w["start"], w["end"]) for w in pitch["windows"]] == [(0, 10), (10, 23)]


def _fed_in_blocks(samples: np.ndarray, regions: list, seed: int) -> dict:
    """measure_pitch as the live take does it: blocks of random sizes, as they arrive."""
    rng = np.random.default_rng(seed)
    tracker, i = PitchTracker(RATE), 0
    while i < samples.size:
        n = int(rng.integers(1, 5000))
        tracker.feed(samples[i : i + n])
        i += n
    return tracker.measure(regions)


def test_the_pitch_of_a_take_fed_in_blocks_is_that_of_the_whole_file() -> None:
    """The live take tracks pitch from the microphone's blocks while it records; ``coach
    analyze`` measures the saved file at once: the same figures to the last digit, whatever the
    block sizes (45 s: several YIN batches and decimation pieces, a pause, two voices)."""
    samples = np.concatenate([glide(100.0, 0.75, 25.0), np.zeros(RATE), voice(140.0, 20.0)])
    regions = [(0.0, 25.0), (26.0, 46.0)]  # where the tones are
    whole = measure_pitch(samples, RATE, regions)
    assert whole["median_hz"] is not None and len(whole["windows"]) == 5
    for seed in (1, 2):
        assert _fed_in_blocks(samples, regions, seed) == whole


def test_a_real_recording_fed_in_blocks_reads_as_the_whole_file(shared_audio: Path) -> None:
    samples = decode_audio(shared_audio / "jfk.flac")
    regions = speech_regions_of(samples)
    whole = measure_pitch(samples, RATE, regions)
    assert 200 < whole["median_hz"] < 300  # a man speaking up in a speech
    assert _fed_in_blocks(samples, regions, 3) == whole


# ----------------------------------------------------------------------------- real speech


def _speech_pitch(path: Path) -> dict:
    samples = decode_audio(path)
    return measure_pitch(samples, RATE, speech_regions_of(samples))


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed")
def test_espeak_at_set_pitches_reads_higher_as_its_pitch_is_raised(tmp_path: Path) -> None:
    medians = [
        _speech_pitch(synthesize(ANSWER, tmp_path / f"p{p}.wav", engine="espeak",
                                 espeak_args=("-p", str(p))))["median_hz"]
        for p in (20, 50, 80)
    ]
    assert 70 < medians[0] < medians[1] < medians[2] < 160
    # espeak-ng's -p is roughly linear in Hz: 80 Hz, 100 Hz and 137 Hz measured
    assert medians[2] / medians[0] > 1.5


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed")
def test_flat_espeak_is_monotone_and_its_own_intonation_is_not(tmp_path: Path) -> None:
    flat = _speech_pitch(synthesize(
        f'<speak><prosody range="x-low">{ANSWER}</prosody></speak>', tmp_path / "flat.wav",
        engine="espeak", espeak_args=("-m", "-p", "50"),
    ))
    default = _speech_pitch(synthesize(ANSWER, tmp_path / "default.wav", engine="espeak",
                                       espeak_args=("-p", "50")))
    measured = [w for w in flat["windows"] if w["spread_semitones"] is not None]
    assert len(measured) >= 2
    assert all(w["spread_semitones"] < MONOTONE_SEMITONES for w in measured)
    assert flat["monotone"] and flat["spread_semitones"] < 2.5
    assert default["monotone"] == []
    assert default["spread_semitones"] > 2 * flat["spread_semitones"]
    assert describe(flat, format_clock).endswith("monotone throughout")


@pytest.mark.skipif(not piper_available(), reason="piper-tts or its voice not installed")
def test_natural_piper_speech_is_not_monotone(tmp_path: Path) -> None:
    pitch = _speech_pitch(synthesize(ANSWER, tmp_path / "piper.wav"))
    assert 70 < pitch["median_hz"] < 130  # the joe voice speaks at about 90 Hz
    assert pitch["spread_semitones"] > MONOTONE_SEMITONES + 2
    assert pitch["monotone"] == []
    assert describe(pitch, format_clock).endswith("varied")


# ----------------------------------------------------------------------------- the pipeline

WORDS = ("so", "I", "would", "pick", "a", "B-tree", "because", "range", "scans", "stay", "cheap")


def _context(home: Path) -> Context:
    ctx = open_context(argparse.Namespace(home=str(home), prompts_dir=None))
    ctx.settings = replace(ctx.settings, speak_prompt=False)
    return ctx


def _transcript(seconds: float) -> Transcript:
    step = seconds / len(WORDS)
    words = tuple(Word(w, step * i, step * i + step * 0.8) for i, w in enumerate(WORDS))
    return Transcript(words=words, duration_s=seconds, speech_regions=((0.0, seconds),))


def test_the_pipeline_measures_the_recording_and_a_reanalysis_keeps_it(coach_home: Path) -> None:
    ctx = _context(coach_home)
    attempt = new_attempt(coach_home, "btree-vs-hash", state="analysing")
    write_wav(attempt.recording_path, voice(130.0, 12.0), RATE)
    transcript = _transcript(12.0)
    save_transcript(attempt, transcript)
    attempt, analysis = finish_analysis(ctx, attempt, ctx.prompt("btree-vs-hash"), transcript)
    stored = json.loads(attempt.analysis_path.read_text())["pitch"]
    assert abs(stored["median_hz"] - 130.0) < 2.6
    assert stored["monotone"] == [{"start": 0.0, "end": 12.0}]
    assert analysis.pitch == stored
    page = attempt.report_path.read_text()
    assert "Pitch variety" in page and 'class="monotone"' in page

    attempt.recording_path.unlink()  # the figure was measured once; a correction keeps it
    attempt, again = reanalyze(ctx, attempt, ctx.prompt("btree-vs-hash"),
                               [{"word_index": 0, "filler": True}])
    assert again.pitch == stored


def test_without_a_recording_there_is_no_pitch(coach_home: Path) -> None:
    ctx = _context(coach_home)
    attempt = new_attempt(coach_home, "btree-vs-hash", state="analysing")
    transcript = _transcript(8.0)
    save_transcript(attempt, transcript)
    attempt, analysis = finish_analysis(ctx, attempt, ctx.prompt("btree-vs-hash"), transcript)
    assert analysis.pitch is None
    assert json.loads(attempt.analysis_path.read_text())["pitch"] is None
    assert "Pitch variety" not in attempt.report_path.read_text()
    assert pitch_line(analysis) is None


def test_an_unreadable_recording_gives_no_pitch_not_a_failure(coach_home: Path) -> None:
    ctx = _context(coach_home)
    attempt = new_attempt(coach_home, "btree-vs-hash", state="analysing")
    attempt.recording_path.write_bytes(b"RIFF not really a wav")
    transcript = _transcript(8.0)
    attempt, analysis = finish_analysis(ctx, attempt, ctx.prompt("btree-vs-hash"), transcript)
    assert analysis.pitch is None
    assert attempt.state == "analysed"


# ----------------------------------------------------------------------------- shown


def _analysis_with(pitch: dict | None):
    analysis = make_analysis()
    analysis.pitch = pitch
    return analysis


FLAT_MIDDLE = {
    "median_hz": 118.4,
    "spread_semitones": 6.25,
    "windows": [{"start": 0.0, "end": 10.0, "spread_semitones": 7.1},
                {"start": 10.0, "end": 20.0, "spread_semitones": 2.2},
                {"start": 20.0, "end": 30.0, "spread_semitones": 6.8}],
    "monotone": [{"start": 10.0, "end": 20.0}],
}


def test_the_review_line_gives_median_spread_and_where_it_was_monotone() -> None:
    assert pitch_line(_analysis_with(FLAT_MIDDLE)) == (
        "Pitch: median 118 Hz, spread 6.2 semitones; monotone 0:10–0:20"
    )
    varied = {**FLAT_MIDDLE, "monotone": [],
              "windows": [{**w, "spread_semitones": 7.0} for w in FLAT_MIDDLE["windows"]]}
    assert pitch_line(_analysis_with(varied)).endswith("; varied")
    silent = {"median_hz": None, "spread_semitones": None, "windows": [], "monotone": []}
    assert pitch_line(_analysis_with(silent)) == "Pitch: no voiced speech to measure"


def test_the_report_marks_monotone_stretches_on_the_timeline() -> None:
    analysis = _analysis_with(FLAT_MIDDLE)
    analysis.duration_s = 40.0
    page = render_report(analysis, prompt=btree_prompt(), recording_href="recording.wav")
    band = re.search(r'<rect class="monotone" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', page)
    assert band is not None
    assert (float(band[1]), float(band[2])) == (250.0, 250.0)  # 10-20 s of 40 s on 1000 units
    assert "monotone pitch 0:10–0:20" in page
    assert "6.2 st" in page and "median 118 Hz · monotone 0:10–0:20" in page
    plain = render_report(_analysis_with(None), prompt=btree_prompt(), recording_href=None)
    assert 'class="monotone"' not in plain and "Pitch variety" not in plain


async def test_the_review_screen_shows_the_pitch_line_only_when_measured(coach_home: Path) -> None:
    from textual.widgets import Static

    from coach.tui.app import CoachApp
    from coach.tui.screens.review import ReviewScreen

    ctx = _context(coach_home)
    attempt = new_attempt(coach_home, "btree-vs-hash", state="analysing")
    app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=lambda c: None)
    async with app.run_test(size=(120, 36)) as pilot:
        for pitch, shown in ((FLAT_MIDDLE, True), (None, False)):
            await app.push_screen(ReviewScreen(attempt, _analysis_with(pitch), btree_prompt()))
            await pilot.pause()
            line = app.screen.query_one("#pitch", Static)
            assert line.display is shown
            if shown:
                assert "monotone 0:10–0:20" in str(line.render())
            app.pop_screen()
            await pilot.pause()


@pytest.mark.slow
@pytest.mark.skipif(not espeak_available(), reason="espeak-ng not installed")
def test_a_monotone_spoken_answer_loses_delivery_points_for_pitch_alone(
    coach_home: Path, tmp_path: Path, transcriber
) -> None:
    """The same words, flat and with espeak-ng's intonation, through the real pipeline
    (Whisper, analysis, scoring): only the flat one is marked monotone and scored down."""
    from coach.pipeline import analyze_attempt, import_recording

    ctx = _context(coach_home)
    prompt = ctx.prompt("btree-vs-hash")
    results = {}
    for name, text, args in (
        ("flat", f'<speak><prosody range="x-low">{ANSWER}</prosody></speak>', ("-m", "-p", "50")),
        ("intoned", ANSWER, ("-p", "50")),
    ):
        path = synthesize(text, tmp_path / f"{name}.wav", engine="espeak", espeak_args=args)
        attempt = import_recording(ctx, path, prompt)
        _, results[name] = analyze_attempt(ctx, attempt, prompt, transcriber=transcriber)
    flat, intoned = results["flat"], results["intoned"]

    def pitch_component(analysis):
        return next(c for c in analysis.score["components"] if c["name"] == "Pitch variety")

    assert flat.pitch["monotone"] and not intoned.pitch["monotone"]
    assert pitch_component(flat)["note"] == "monotone"
    assert pitch_component(flat)["points"] < pitch_component(intoned)["points"]
    assert flat.score["delivery"] < intoned.score["delivery"]
