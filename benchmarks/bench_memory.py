"""Memory while recording and transcribing a long answer: peak RSS must stay flat in the length.

Each length runs in a fresh process (so peaks do not mix): the model is loaded, then an answer of
10, 30 and 60 minutes goes through the same path as a live take (``Recorder`` +
``FileSource`` -> writer thread -> WAV on disk + ``StreamingTranscriber``), then ``finish()``.
The source is not paced in real time (an hour would take an hour); instead the recorder's writer
is held back while the streamer has more than ``--lag`` seconds of audio it has not looked at,
so the streamer chunks as it would live and no block is dropped. RSS is sampled every second
(/proc/self/status) and the peak read from ``VmHWM``.

    python benchmarks/bench_memory.py                  # 10, 30 and 60 minutes
    python benchmarks/bench_memory.py --minutes 5
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import answer_file, load_line, machine_line, publish, table


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def child(minutes: float, threads: int, lag: float) -> dict[str, object]:
    """Runs in its own process: record + stream one answer, report memory figures."""
    from coach.audio.recorder import FileSource, Recorder
    from coach.transcribe.streaming import StreamingTranscriber
    from coach.transcribe.whisper import Transcriber

    audio = answer_file(minutes * 60)
    transcriber = Transcriber("default", threads=threads)
    transcriber.load()
    baseline = _status_mb("VmRSS")
    samples: list[tuple[float, float]] = []
    streamer = StreamingTranscriber(transcriber)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(1.0):
            samples.append((streamer.duration_s, _status_mb("VmRSS")))

    def on_block(block, start_s: float) -> None:
        streamer.feed(block, start_s)
        while streamer.lag_s > lag and not streamer.gave_up and streamer.error is None:
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        recorder = Recorder(Path(tmp) / "take.wav", source=FileSource(audio, realtime=False),
                            on_block=on_block)
        recorder.start()
        recorder.wait()
        result = recorder.stop()
        transcript = streamer.finish()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()

    def rss_at(fraction: float) -> float:
        target = fraction * result.duration_s
        later = [mb for at, mb in samples if at >= target]
        return later[0] if later else (samples[-1][1] if samples else float("nan"))

    return {
        "minutes": minutes,
        "audio_s": result.duration_s,
        "baseline_mb": baseline,
        "rss_25_mb": rss_at(0.25),
        "rss_50_mb": rss_at(0.5),
        "rss_100_mb": rss_at(0.999),
        "peak_mb": _status_mb("VmHWM"),
        "words": len(transcript.words) if transcript else -1,
        "chunks": streamer.stats.chunks,
        "max_pending_s": streamer.stats.max_pending_s,
        "dropped": result.dropped_blocks,
        "wall_s": wall,
        "load": load_line(),
    }


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[10, 30, 60])
    parser.add_argument("--threads", type=int, default=2, help="model CPU threads")
    parser.add_argument("--lag", type=float, default=60.0,
                        help="seconds of unexamined audio before the writer is held back")
    parser.add_argument("--no-save", action="store_true")
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.threads, args.lag)))
        return ""

    rows = []
    for minutes in args.minutes:
        answer_file(minutes * 60)  # generate outside the measured process
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(minutes), "--threads", str(args.threads),
             "--lag", str(args.lag)],
            check=True, capture_output=True, text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{minutes:>4.0f} min: peak {r['peak_mb']:.0f} MB (model loaded: "
              f"{r['baseline_mb']:.0f} MB; at 25/50/100%: {r['rss_25_mb']:.0f}/"
              f"{r['rss_50_mb']:.0f}/{r['rss_100_mb']:.0f} MB), {r['words']} words, "
              f"{r['dropped']} dropped, {r['wall_s']:.0f} s; {r['load']}", flush=True)
        rows.append([f"{minutes:.0f} min", r["baseline_mb"], r["rss_25_mb"], r["rss_50_mb"],
                     r["rss_100_mb"], r["peak_mb"], r["words"], r["chunks"],
                     r["max_pending_s"], r["dropped"], r["wall_s"], r["load"]])
    body = table(["answer", "RSS model loaded MB", "RSS at 25% MB", "at 50% MB", "at end MB",
                  "peak RSS MB", "words", "chunks", "max pending s", "dropped", "wall s",
                  "load"], rows)
    return publish("Memory while recording + streaming transcription", body, [
        machine_line(),
        f"default model, {args.threads} model threads; FileSource(realtime=False), writer held "
        f"back at {args.lag:.0f} s of unexamined audio; one process per length",
        "goal: peak < 500 MB and flat in the length",
    ], save=not args.no_save)


if __name__ == "__main__":
    main()
