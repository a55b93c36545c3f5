"""``coach analyze`` end to end: real audio, the real model, the real report on disk."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def coach(*args: str, home: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COACH_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "coach", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=600,
    )


def test_disfluent_recording_finds_the_uh_and_the_um(shared_audio: Path, coach_home: Path) -> None:
    result = coach("analyze", str(shared_audio / "disfluent_sample.wav"), "--json", home=coach_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    hesitations = [f for f in data["fillers"] if f["kind"] == "hesitation"]
    # Exactly the two said, each where it was said; the model may spell a hesitation sound
    # another way ("erm" for the "um"): it is still that hesitation.
    assert len(hesitations) == 2, hesitations
    uh, um = sorted(hesitations, key=lambda f: f["start"])
    assert 1.5 < uh["start"] < 3.5
    assert 9.5 < um["start"] < 12.0
    for key in ("audio", "duration_s", "speech_s", "transcript", "words", "pauses", "wpm",
                "reasoning", "coverage", "score", "report"):
        assert key in data
    assert data["coverage"] is None
    assert "guinness" in data["transcript"].lower()
    report = Path(data["report"])
    assert report.is_file() and report.parent.parent == coach_home / "attempts"
    assert (report.parent / "analysis.json").is_file()
    assert any(p.name.startswith("recording") for p in report.parent.iterdir())


def test_jfk_has_no_fillers_and_the_right_words(shared_audio: Path, coach_home: Path) -> None:
    result = coach("analyze", str(shared_audio / "jfk.flac"), "--json", home=coach_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["fillers"] == []
    text = data["transcript"].lower()
    for word in ("fellow", "americans", "country", "ask"):
        assert word in text
    assert 10.5 < data["duration_s"] < 11.5


def test_human_summary_and_prompt_coverage(speak, coach_home: Path) -> None:
    wav = speak(
        "btree-answer",
        [
            "I would pick a B-tree index here, because the queries are mostly range scans "
            "over time, and a B-tree keeps the keys in sorted order.",
            1.8,
            "A hash index only helps exact lookups, so range queries would need a full scan. "
            "The trade-off is that B-tree writes cost a little more.",
        ],
    )
    result = coach("analyze", str(wav), "--prompt", "btree-vs-hash", home=coach_home)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "score" in out and "key points" in out and "report" in out
    attempts = list((coach_home / "attempts").iterdir())
    assert len(attempts) == 1
    data = json.loads((attempts[0] / "analysis.json").read_text())
    assert data["prompt_id"] == "btree-vs-hash"
    assert data["coverage"]["covered"] >= 1
    assert data["reasoning"]["count"] >= 2
    assert any(p["end"] - p["start"] >= 1.5 for p in data["pauses"])


def test_several_files_one_bad_keeps_the_others(
    shared_audio: Path, coach_home: Path, tmp_path: Path
) -> None:
    text_file = tmp_path / "notes.wav"
    text_file.write_text("this is not audio at all\n" * 20)
    result = coach(
        "analyze",
        str(shared_audio / "jfk.flac"),
        str(text_file),
        str(shared_audio / "disfluent_sample.wav"),
        "--json",
        home=coach_home,
    )
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 3
    assert "error" in data[1] and "notes.wav" in result.stderr
    assert data[0]["fillers"] == [] and len(data[2]["fillers"]) >= 2
    assert "Traceback" not in result.stderr
    assert len(list((coach_home / "attempts").iterdir())) == 2


def _missing(d: Path) -> Path:
    return d / "missing.wav"


def _empty(d: Path) -> Path:
    (d / "empty.wav").write_bytes(b"")
    return d / "empty.wav"


def _text(d: Path) -> Path:
    (d / "text.wav").write_text("hello, this is not audio\n")
    return d / "text.wav"


def _truncated(d: Path) -> Path:
    """A WAV header that promises audio the file does not hold."""
    import struct

    header = b"RIFF" + struct.pack("<I", 36 + 320000) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16
    ) + b"data" + struct.pack("<I", 320000)
    (d / "header-only.wav").write_bytes(header)
    return d / "header-only.wav"


@pytest.mark.parametrize("make", [_missing, _empty, _text, _truncated])
def test_bad_input_is_one_clear_line(make, coach_home: Path, tmp_path: Path) -> None:
    path = make(tmp_path)
    result = coach("analyze", str(path), home=coach_home)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("coach: error:")
    assert path.name in lines[0]
    assert not (coach_home / "attempts").exists() or not any((coach_home / "attempts").iterdir())


def test_unknown_prompt_and_missing_model_are_clear(shared_audio: Path, coach_home: Path) -> None:
    wav = str(shared_audio / "jfk.flac")
    result = coach("analyze", wav, "--prompt", "no-such-prompt", home=coach_home)
    assert result.returncode != 0 and "no-such-prompt" in result.stderr
    assert "Traceback" not in result.stderr
    result = coach("analyze", wav, "--model", str(coach_home / "nope-model"), home=coach_home)
    assert result.returncode != 0 and "model" in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_paths_with_spaces_and_non_ascii(shared_audio: Path, tmp_path: Path) -> None:
    home = tmp_path / "coach home ü"
    folder = tmp_path / "my answers"
    folder.mkdir()
    audio = folder / "réponse été.flac"
    audio.write_bytes((shared_audio / "jfk.flac").read_bytes())
    result = coach("analyze", str(audio), "--json", home=home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["audio"] == str(audio)
    assert Path(data["report"]).is_file()
    assert "country" in data["transcript"].lower()


def _quiet_take(path: Path, level: float) -> Path:
    """A 6 s take with nothing said: digital silence (level 0) or a room's faint hiss."""
    import wave

    import numpy as np

    noise = np.random.default_rng(7).normal(0.0, level, 16000 * 6) if level else np.zeros(96000)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((noise * 32767).astype("<i2").tobytes())
    return path


def test_silent_takes_say_no_speech_in_history_and_stay_out_of_the_progress(
    shared_audio: Path, coach_home: Path, tmp_path: Path
) -> None:
    """Issue 15 as the user met it: answers and silent takes of one prompt, then ``coach
    history`` and ``coach progress``."""
    files = [shared_audio / "jfk.flac", _quiet_take(tmp_path / "silence.wav", 0.0),
             shared_audio / "disfluent_sample.wav", _quiet_take(tmp_path / "hiss.wav", 0.003)]
    result = coach("analyze", *map(str, files), "--prompt", "url-shortener", "--json",
                   home=coach_home)
    assert result.returncode == 0, result.stderr
    analyses = json.loads(result.stdout)
    assert [a["no_speech"] for a in analyses] == [False, True, False, True]
    spoken = [a["score"]["total"] for a in analyses if not a["no_speech"]]
    listing = coach("history", home=coach_home)
    assert listing.returncode == 0, listing.stderr
    scores = [line.split()[3] for line in listing.stdout.splitlines()[1:]]
    assert scores == [str(round(spoken[0])), "no", str(round(spoken[1])), "no"]
    assert listing.stdout.count("no speech") == 2
    progress = coach("progress", home=coach_home)
    assert progress.returncode == 0, progress.stderr
    html = (coach_home / "index.html").read_text(encoding="utf-8")
    recent = re.search(r'Recent score</div><div class="value">(\d+)</div>', html).group(1)
    assert abs(int(recent) - sum(spoken) / 2) <= 0.5  # the two answers, not the 0s
    assert '<div class="label">No speech</div><div class="value">2</div>' in html
    pace = re.search(r'data-metric="wpm">.*?</svg>', html, re.DOTALL).group(0)
    assert pace.count("<circle") == 2 and ": 0</title>" not in pace
