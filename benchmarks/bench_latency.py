"""Stop-to-review latency: how long after pressing stop is the review ready?

Each answer is fed through the real recording path in real time (``Recorder`` +
``FileSource(realtime=True)`` -> writer thread -> WAV + ``StreamingTranscriber``), as a
microphone would deliver it; the clock starts when ``stop()`` is called and ends when
``coach.pipeline.analyze_attempt(..., transcript=streamed)`` has written analysis.json and
report.html. The baseline, measured on the same recording in the same run, is what a user would
wait without streaming: ``analyze_attempt`` transcribing the whole file after stop.

    python benchmarks/bench_latency.py                 # 30 s x3, 2 min x3, 10 min x1
    python benchmarks/bench_latency.py --lengths 30 120 --repeat 1 --threads 1
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import answer_file, load_line, machine_line, median, publish, table


def run_once(seconds: float, pause_s: float, home: Path, transcriber) -> dict[str, float]:
    from coach.audio.recorder import FileSource, Recorder
    from coach.cli.common import Context
    from coach.config import Settings
    from coach.core.attempts import new_attempt
    from coach.pipeline import analyze_attempt
    from coach.transcribe.streaming import StreamingTranscriber

    ctx = Context(home=home, settings=Settings())
    prompt = ctx.library().prompts.get("btree-vs-hash")
    audio = answer_file(seconds, pause_s)
    attempt = new_attempt(home, prompt.id if prompt else None)
    streamer = StreamingTranscriber(transcriber, vocabulary=prompt.vocabulary if prompt else ())
    recorder = Recorder(attempt.recording_path, source=FileSource(audio, realtime=True),
                        on_block=streamer.feed)
    load_during = load_line()
    recorder.start()
    recorder.wait()  # the speaker finishes; the file source ends like a paused microphone
    t0 = time.perf_counter()
    result = recorder.stop()
    t1 = time.perf_counter()
    transcript = streamer.finish()
    t2 = time.perf_counter()
    analyze_attempt(ctx, attempt, prompt, transcriber=transcriber, transcript=transcript,
                    pitch_track=streamer.pitch)
    t3 = time.perf_counter()
    if transcript is None:
        print("  (streaming gave up: the analysis transcribed the file)", file=sys.stderr)
    # Baseline: the same recording transcribed after stop, as without streaming.
    again = new_attempt(home, prompt.id if prompt else None, recording=str(result.path))
    b0 = time.perf_counter()
    analyze_attempt(ctx, again, prompt, transcriber=transcriber)
    b1 = time.perf_counter()
    return {
        "audio_s": result.duration_s,
        "stop_s": t1 - t0,
        "finish_s": t2 - t1,
        "analyze_s": t3 - t2,
        "latency_s": t3 - t0,
        "tail_s": streamer.stats.tail_s,
        "busy_s": streamer.stats.busy_at_stop_s,
        "chunks": streamer.stats.chunks,
        "speculative": f"{streamer.stats.lookaheads_used}/{streamer.stats.lookaheads}",
        "max_lag_s": streamer.stats.max_lag_s,
        "model_s": streamer.stats.transcribe_s,
        "dropped": result.dropped_blocks,
        "baseline_s": b1 - b0,
        "load": load_during,
    }


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=float, nargs="+", default=[30, 120, 600])
    parser.add_argument("--repeat", type=int, default=3, help="runs per length under 5 min")
    parser.add_argument("--threads", type=int, default=2, help="model CPU threads")
    parser.add_argument("--pause", type=float, default=0.3,
                        help="seconds between the last word and stop (0.3: the hard case)")
    parser.add_argument("--no-save", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args(argv)

    from coach.transcribe.whisper import Transcriber

    transcriber = Transcriber("default", threads=args.threads)
    transcriber.load()  # loaded once at start-up, as the app does
    rows = []
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        for seconds in args.lengths:
            answer_file(seconds, args.pause)  # synthesise before timing
            runs = []
            for i in range(args.repeat if seconds < 300 else 1):
                r = run_once(seconds, args.pause, Path(tmp), transcriber)
                runs.append(r)
                print(f"{seconds:>5.0f} s run {i + 1}: stop->review {r['latency_s']:.3f} s "
                      f"(stop {r['stop_s']:.3f}, finish {r['finish_s']:.3f}: busy "
                      f"{r['busy_s']:.3f} with earlier work, then a "
                      f"{r['tail_s']:.1f} s tail, analyse+report {r['analyze_s']:.3f}); "
                      f"without streaming {r['baseline_s']:.2f} s; {r['chunks']} chunks, "
                      f"speculative used/made {r['speculative']}, worker lag max "
                      f"{r['max_lag_s']:.1f} s, model busy {r['model_s']:.0f} s, "
                      f"{r['dropped']} dropped blocks; {r['load']}", flush=True)
            lat = median([r["latency_s"] for r in runs])
            base = median([r["baseline_s"] for r in runs])
            rows.append([
                f"{seconds:.0f} s", len(runs), lat,
                median([r["finish_s"] for r in runs]), median([r["busy_s"] for r in runs]),
                median([r["analyze_s"] for r in runs]),
                median([r["tail_s"] for r in runs]), base, f"{base / lat:.1f}x",
                sum(int(r["dropped"]) for r in runs),
                median([r["model_s"] for r in runs]), median([r["max_lag_s"] for r in runs]),
                runs[-1]["speculative"], runs[-1]["load"],
            ])
    body = table(["answer", "runs", "stop->review s (median)", "finish s",
                  "of which busy with earlier work s", "analyse+report s",
                  "tail transcribed s", "without streaming s", "speed-up", "dropped blocks",
                  "model busy s", "worker lag max s", "look-ahead used/made (last)",
                  "load (last run)"], rows)
    notes = [
        machine_line(),
        f"default model (tiny.en int8), {args.threads} model threads, real-time FileSource; "
        f"answers: piper speech looped, stop pressed {args.pause:g} s after the last word",
        "goal: <= 1.0 s at 2 min and not growing with length",
        "model busy = seconds the streamer spent in Whisper calls (incl. look-ahead) during the "
        "answer; look-ahead used/made = transcriptions made ahead at pauses / reused as chunks",
    ]
    return publish("Stop-to-review latency", body, notes, save=not args.no_save)


if __name__ == "__main__":
    main()
