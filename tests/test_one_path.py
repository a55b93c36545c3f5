"""One transcription path: cut in silence by the audio alone, each chunk decoded once.

Real speech (piper) and real noise through the real Silero VAD and the real Whisper model: the
chunks do not depend on how the audio arrives, the same file gives the same words twice, noise
gives no words (not even the prompt's own terms), speech that repeats itself keeps every word,
and a run of hesitations is counted one for one.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from coach.audio.decode import SAMPLE_RATE, decode_audio
from coach.config import Settings
from coach.core.analysis import analyze
from coach.core.model import Word
from coach.transcribe.chunking import OFF_PROB, WINDOW, SpeechChunker, chunk_audio
from coach.transcribe.guards import spread_overlaps

VOCABULARY = ("B-tree", "hash index", "range scan", "write amplification")
ANSWER = [
    "So the first thing I would look at is how the table is queried.", 0.6,
    "Range scans over time need sorted keys, which a B-tree keeps.", 1.4,
    "A hash index only answers exact lookups.", 0.5,
    "Um, writes cost more with every index you add.", 2.5,
    "So I would start with a B-tree on the timestamp and measure.", 0.8,
    "If one lookup dominates, a hash index can sit beside it.", 1.0,
]


def norm(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


@pytest.fixture(scope="module")
def answer(speak) -> np.ndarray:
    return decode_audio(speak("one-path-answer", ANSWER))


def test_chunks_do_not_depend_on_how_the_audio_arrives(answer: np.ndarray) -> None:
    whole = chunk_audio(answer, min_chunk_s=6.0)
    assert len(whole) >= 2  # the answer really was cut
    rng = np.random.default_rng(5)
    for _ in range(3):
        chunker = SpeechChunker(min_chunk_s=6.0)
        pieces = []
        i = 0
        while i < answer.size:
            n = int(rng.integers(50, 9000))
            pieces += chunker.push(answer[i : i + n])
            i += n
        pieces += chunker.flush()
        assert [c.key for c in pieces] == [c.key for c in whole]
        assert all(np.array_equal(a.samples, b.samples) for a, b in zip(pieces, whole,
                                                                        strict=True))


def test_cuts_fall_in_silence_and_silence_is_left_out(answer: np.ndarray) -> None:
    chunks = chunk_audio(answer, min_chunk_s=6.0)
    for a, b in itertools.pairwise(chunks):
        assert a.end <= b.start
        # The audio between two chunks (and at a cut) is what Silero calls silence.
        between = a.probs[-4:]
        assert float(np.max(between)) < OFF_PROB, between
    # The 2.5 s think is never sent to the model: it lies between two chunks.
    think_start = None
    for a, b in itertools.pairwise(chunks):
        if b.start_s - a.end_s >= 1.5:
            think_start = a.end_s
    assert think_start is not None, [(c.start_s, c.end_s) for c in chunks]
    # Trailing silence after the answer is not in the last chunk.
    padded = np.concatenate([answer, np.zeros(5 * SAMPLE_RATE, np.float32)])
    assert chunk_audio(padded, min_chunk_s=6.0)[-1].end == chunks[-1].end
    assert all(c.samples.size <= 28 * SAMPLE_RATE + WINDOW for c in chunks)


@pytest.mark.slow
def test_the_same_file_twice_gives_identical_words_and_times(transcriber, answer) -> None:
    first = transcriber.transcribe_array(answer, vocabulary=VOCABULARY)
    again = transcriber.transcribe_array(answer, vocabulary=VOCABULARY)
    assert first.words and first == again
    heard = " ".join(norm(first.text))
    for phrase in ("range scans", "hash index", "exact lookups", "measure"):
        assert phrase in heard, first.text


def _noises() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    n = 20 * SAMPLE_RATE
    t = np.arange(n) / SAMPLE_RATE
    white = rng.normal(0, 10 ** (-40 / 20), n)
    bursts = rng.normal(0, 10 ** (-55 / 20), n)
    for start in rng.uniform(0.5, 19, 12):
        a = int(start * SAMPLE_RATE)
        length = int(rng.uniform(0.1, 0.8) * SAMPLE_RATE)
        bursts[a : a + length] += rng.normal(0, 10 ** (-18 / 20), bursts[a : a + length].size)
    hum = sum(10 ** (-30 / 20) / k * np.sin(2 * np.pi * 50 * k * t) for k in (1, 2, 3, 5))
    clicks = rng.normal(0, 10 ** (-60 / 20), n)
    for start in np.cumsum(rng.uniform(0.08, 0.35, 120)):
        a = int(start * SAMPLE_RATE)
        if a + 200 < n:
            clicks[a : a + 200] += np.exp(-np.arange(200) / 30) * rng.normal(0, 0.3, 200)
    return {name: np.asarray(x, np.float32) for name, x in
            {"steady noise": white, "bursts": bursts, "hum": hum, "keyboard": clicks}.items()}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["steady noise", "bursts", "hum", "keyboard"])
def test_noise_gives_no_words_even_with_a_prompt(transcriber, name: str) -> None:
    samples = _noises()[name]
    for vocabulary in ((), VOCABULARY):
        t = transcriber.transcribe_array(samples, vocabulary=vocabulary)
        assert t.words == () and t.no_speech, (name, t.text)


@pytest.mark.slow
def test_speech_that_repeats_itself_keeps_every_word(transcriber, speak) -> None:
    """The same sentence said six times is not a loop to throw away, and it is heard the same
    way every time (its text compresses well, which once sent it to random re-decoding)."""
    sentence = "The leader writes the entry to a majority before it answers the client."
    samples = decode_audio(speak("repeated", [sentence, 1.0] * 6))
    t = transcriber.transcribe_array(samples)
    for _ in range(2):
        again = transcriber.transcribe_array(samples)
        assert [(w.text, w.start, w.end) for w in again.words] == [
            (w.text, w.start, w.end) for w in t.words]
    heard = norm(t.text)
    said = norm(sentence)
    assert len(heard) >= 0.9 * 6 * len(said), t.text
    assert heard.count("majority") >= 5, t.text


@pytest.mark.slow
def test_a_run_of_hesitations_is_counted_one_for_one(transcriber, speak) -> None:
    samples = decode_audio(speak("hesitation-run", [
        "I would shard by user.", 0.8, "Uh,", 0.35, "um,", 0.35, "uh,", 0.35, "hmm,", 0.35,
        "um,", 0.5, "then the hot users get their own shard.",
    ]))
    t = transcriber.transcribe_array(samples)
    analysis = analyze(t, settings=Settings())
    hesitations = [f for f in analysis.fillers if f.kind == "hesitation"]
    assert 3 <= len(hesitations) <= 5, t.text
    # No two fillers share a time span, and each sits in the run.
    for a, b in itertools.pairwise(analysis.fillers):
        assert b.start >= a.end - 1e-6, (a, b)
    assert all(1.0 < f.start < samples.size / SAMPLE_RATE for f in hesitations)


def test_words_on_one_instant_get_a_span_each() -> None:
    """Whisper set three "uh" on 5.52 s: each gets its own part of the span, in order."""
    words = [Word("so", 5.0, 5.3), Word("uh,", 5.52, 5.52), Word("uh,", 5.52, 5.52),
             Word("uh,", 5.52, 5.8), Word("we", 5.9, 6.1), Word("x", 7.0, 7.0),
             Word("y", 7.0, 7.0), Word("z", 7.1, 7.3)]
    spread = spread_overlaps(words)
    assert [w.text for w in spread] == [w.text for w in words]
    for a, b in itertools.pairwise(spread):
        assert b.start >= a.end - 1e-9 and b.end > b.start - 1e-9
    assert spread[1].start == 5.52 and spread[3].end == 5.8
    assert spread[5].end <= 7.1  # the pair on one instant took room from the gap after it
    assert spread[0] == words[0] and spread[4] == words[4] and spread[7] == words[7]
