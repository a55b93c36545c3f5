"""Pitch variety: what it costs on a 2-minute answer, and what it reads on audio of known pitch.

Run: python benchmarks/bench_pitch.py [--repeat 7] [--no-save]
Writes benchmarks/RESULTS-pitch.md (replaced on each run): the cost of ``measure_pitch`` on
a 2-minute answer of piper speech (with its speech regions, as the pipeline calls it, and on
the whole file), then the readings on synthesised tones and glides (exact f0), espeak-ng at
set pitches and pitch ranges, and piper (repeatable and with its natural variation). The
monotone threshold in ``coach/core/pitch.py`` is chosen from the per-window spreads here.
Goal: well under the transcription's cost (< 0.3 s for 2 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import answer_file, load_line, machine_line, table

from coach.audio.decode import decode_audio
from coach.core.pitch import MONOTONE_SEMITONES, measure_pitch
from coach.transcribe.chunking import speech_regions_of
from tests.support.speech import espeak_available, piper_available, synthesize
from tests.test_pitch import ANSWER, glide, voice

RATE = 16000
OUT = Path(__file__).resolve().parent / "RESULTS-pitch.md"


def cost(repeat: int) -> tuple[str, list[str]]:
    samples = decode_audio(answer_file(120.0))
    regions = speech_regions_of(samples)
    rows = []
    for label, given in (("speech regions (as the pipeline)", regions), ("whole file", None)):
        wall, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            pitch = measure_pitch(samples, RATE, given)
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        rows.append([label, f"{samples.size / RATE:.0f} s", repeat, f"{wall[0]:.3f}",
                     f"{min(wall):.3f}", f"{statistics.median(wall):.3f}", f"{min(cpu):.3f}",
                     pitch["median_hz"], pitch["spread_semitones"]])
    body = table(["frames searched", "answer", "runs", "first s", "best s", "median s",
                  "best CPU s", "median Hz", "spread st"], rows)
    return body, [machine_line(), load_line(), "numpy only, one process; CPU time is less "
                  "sensitive to the other load on a shared machine than wall time"]


def _row(label: str, truth: str, samples: np.ndarray, regions: list | None) -> list:
    pitch = measure_pitch(samples, RATE, regions)
    spreads = [w["spread_semitones"] for w in pitch["windows"]
               if w["spread_semitones"] is not None]
    span = f"{min(spreads):.1f}-{max(spreads):.1f}" if spreads else "-"
    flat = sum(s < MONOTONE_SEMITONES for s in spreads)
    return [label, truth, pitch["median_hz"], pitch["spread_semitones"], span,
            f"{flat}/{len(spreads)}"]


def readings(tmp: Path) -> tuple[str, list[str]]:
    rows = [
        _row("tone", "120 Hz", voice(120.0, 10.0), None),
        _row("tone", "220 Hz", voice(220.0, 10.0), None),
        _row("glide, one octave in 10 s", "110-220 Hz, 10.8 st (5-95%)",
             glide(110.0, 1.0, 10.0), None),
        _row("glide, half an octave in 10 s", "110-156 Hz, 5.4 st", glide(110.0, 0.5, 10.0), None),
    ]
    speech: list[tuple[str, str, Path]] = []
    if espeak_available():
        for p in (20, 50, 80):
            speech.append((f"espeak-ng -p {p}", "default intonation", synthesize(
                ANSWER, tmp / f"p{p}.wav", engine="espeak", espeak_args=("-p", str(p)))))
        for width in ("x-low", "low", "high", "x-high"):
            speech.append((f"espeak-ng -p 50, range {width}", "SSML prosody range", synthesize(
                f'<speak><prosody range="{width}">{ANSWER}</prosody></speak>',
                tmp / f"r-{width}.wav", engine="espeak", espeak_args=("-m", "-p", "50"))))
    if piper_available():
        speech.append(("piper joe, repeatable", "as the tests use it",
                       synthesize(ANSWER, tmp / "piper.wav")))
        for k in range(3):
            speech.append((f"piper joe, natural ({k + 1})", "random voice noise on",
                           synthesize(ANSWER, tmp / f"piper-nat-{k}.wav", natural=True)))
        speech.append(("piper joe, 2 min answer", "benchmarks' looped answer",
                       answer_file(120.0)))
    for label, truth, path in speech:
        samples = decode_audio(path)
        rows.append(_row(label, truth, samples, speech_regions_of(samples)))
    body = table(["audio", "known", "median Hz", "spread st", "10 s windows st",
                  f"windows < {MONOTONE_SEMITONES:g} st"], rows)
    return body, ["spread: 5th-95th percentile range of the voiced frames in semitones",
                  "speech measured inside the speech regions (Silero), as the pipeline does",
                  f"monotone threshold {MONOTONE_SEMITONES:g} st per 10 s window "
                  "(coach/core/pitch.py): below every window of espeak-ng's default "
                  "intonation and of piper, above every window of its 'low' and 'x-low' ranges"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"# Pitch variety ({stamp})\n", "Written by `python benchmarks/bench_pitch.py`.\n"]
    for title, (body, notes) in (("Cost of measure_pitch on a 2-minute answer", cost(args.repeat)),
                                 ("Readings on audio of known pitch",
                                  readings(Path(tempfile.mkdtemp(prefix="pitch-bench-"))))):
        parts.append(f"## {title}\n\n{body}\n\n" + "".join(f"- {n}\n" for n in notes))
    text = "\n".join(parts)
    print(text)
    if not args.no_save:
        OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
