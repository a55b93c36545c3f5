"""Shared pieces of the benchmarks: generated speech, answers of any length, tables, load.

Speech is generated with piper (``tests.support.speech.synthesize``) once and cached in
``$COACH_BENCH_CACHE`` (default: ~/.cache/coach-bench); long answers loop the same paragraphs.
"""

from __future__ import annotations

import os
import statistics
import sys
import wave
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python benchmarks/x.py` from anywhere
    sys.path.insert(0, str(REPO))

RATE = 16000
CACHE = Path(os.environ.get("COACH_BENCH_CACHE", Path.home() / ".cache" / "coach-bench"))
RESULTS = REPO / "benchmarks" / "RESULTS.md"

# An answer to "B-tree or hash index?" with fillers and pauses of every length, as people talk.
PARAGRAPHS: list[list[str | float]] = [
    ["So, um, the first thing I would look at is the access pattern of the events table.", 0.5,
     "If most queries ask for a range of time, a B-tree keeps the keys in sorted order, "
     "so range scans are cheap.", 1.1],
    ["Uh, a hash index is great for exact lookups, like finding one user by their id, "
     "but it cannot help with ordering at all.", 0.4,
     "The trade-off is the cost of writes, because every insert has to update the index.", 1.6],
    ["Um, so my answer would be a B-tree on the timestamp column.", 0.6,
     "And maybe a hash index on the user id, if exact lookups dominate the workload.", 0.9],
    ["I would measure it first, though, because the planner might already do well enough, "
     "and, you know, adding an index is never free.", 0.7,
     "Uh, one more thing: a covering index can avoid reading the table for the hot query.", 1.3],
    ["If the write rate grew a hundred times, I would look at an LSM tree instead, "
     "since it turns random writes into sequential ones.", 0.5,
     "Reads get a bit slower, so, um, it depends on the ratio of reads to writes.", 2.0],
]


def load_line() -> str:
    """The machine's load averages, to print beside each measurement (it is shared)."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load n/a"
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def base_speech() -> np.ndarray:
    """About 70 s of generated speech (float32, 16 kHz), synthesised once and cached."""
    from coach.audio.decode import decode_audio

    path = CACHE / "answer-base.wav"
    if not path.is_file():
        from tests.support.speech import synthesize

        parts: list[str | float] = [p for para in PARAGRAPHS for p in para]
        synthesize(parts, path)
    return decode_audio(path)


def write_wav(samples: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.clip(samples * 32768.0, -32768, 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data.tobytes())
    return path


def answer_file(seconds: float, trailing_pause_s: float = 0.3) -> Path:
    """A WAV of about ``seconds`` of answer: the base speech looped, ending right after the
    last whole sentence plus ``trailing_pause_s`` (the speaker presses stop as they finish:
    the hard case, since the last sentence is still untranscribed then)."""
    from coach.transcribe.chunking import speech_regions_of

    path = CACHE / f"answer-{int(seconds)}s-{int(trailing_pause_s * 1000)}ms.wav"
    if path.is_file():
        return path
    base = base_speech()
    reps = int(np.ceil(seconds * RATE / base.size))
    audio = np.tile(base, reps)[: int(seconds * RATE)]
    # End after the last whole stretch of speech (not in the middle of a word).
    offset = audio.size - min(audio.size, 30 * RATE)
    regions = speech_regions_of(audio[offset:])
    if len(regions) > 1:
        audio = audio[: offset + int(regions[-2][1] * RATE)]
    audio = np.concatenate([audio, np.zeros(int(trailing_pause_s * RATE), np.float32)])
    return write_wav(audio, path)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (readable in a terminal too)."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def section(title: str, body: str, notes: Sequence[str] = ()) -> str:
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [f"## {title} ({stamp})", "", body, ""]
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines).rstrip() + "\n"


def publish(title: str, body: str, notes: Sequence[str], *, save: bool) -> str:
    """Print a dated results section and, unless ``save`` is false, append it to RESULTS.md."""
    text = section(title, body, notes)
    print(text)
    if save:
        append_results(text)
    return text


def append_results(text: str, path: Path = RESULTS) -> None:
    """Append a dated section to the results file (created with a heading if new)."""
    if not path.is_file():
        path.write_text("# Benchmark results\n\nAppended by `python benchmarks/run_all.py` "
                        "(each script also runs alone). Newest last.\n\n", encoding="utf-8")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + text)


def machine_line() -> str:
    import platform

    return (f"{platform.node() or 'host'}: {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, {platform.machine()}")
