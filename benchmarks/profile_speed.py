"""Where the coach's transcription time goes on speech, against plain faster-whisper.

    python -m benchmarks.profile_speed --sets long,base --rounds 2
    python -m benchmarks.profile_speed --variants coach,plain,min20 --sets long

Same loaded model for every system, in one process; the systems alternate on each clip (the
order flips every round), and the figures are medians over rounds. Timed pieces (wrapped
instance methods of the loaded ``WhisperModel`` and the coach's own steps):

* ``features``: the log-mel feature extractor; ``encode``: the encoder;
* ``decode``: ``generate_with_fallback`` (beam search, the fallback included);
* ``align``: ``add_word_timestamps`` (cross-attention word alignment);
* ``silero``: Silero VAD over the whole recording; ``regions``: ``speech_regions`` per chunk
  (from its probabilities);
* ``guards``: the coach's guards on the words; ``other``: the rest of the wall time.

Counts: encoder passes (the coach's chunks and re-heard halves apart),
tokens decoded and prompt tokens per window.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.accuracy import CORPUS, load_clips, transcribe  # noqa: E402
from coach.audio.decode import decode_audio  # noqa: E402
from coach.transcribe import chunking, guards  # noqa: E402
from coach.transcribe.whisper import Transcriber  # noqa: E402

PIECES = ("features", "encode", "decode", "align", "silero", "regions", "guards")


class Meter:
    """Accumulates seconds and counts of the wrapped pieces for the run under way."""

    def __init__(self) -> None:
        self.t: dict[str, float] = defaultdict(float)
        self.n: dict[str, int] = defaultdict(int)

    def reset(self) -> None:
        self.t.clear()
        self.n.clear()

    def timed(self, name, fn, after=None):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            out = fn(*args, **kwargs)
            self.t[name] += time.perf_counter() - t0
            self.n[name] += 1
            if after is not None:
                after(args, kwargs, out)
            return out
        return wrapper


def instrument(transcriber: Transcriber, meter: Meter) -> None:
    model = transcriber.load()
    model.feature_extractor = _TimedFeatures(model.feature_extractor, meter)
    model.encode = meter.timed("encode", model.encode)

    def count_tokens(args, kwargs, out):
        prompt = args[1]
        result = out[0]
        meter.n["tokens"] += len(result.sequences_ids[0])
        meter.n["prompt_tokens"] += len(prompt)
        if out[2] > 0:
            meter.n["fallbacks"] += 1

    model.generate_with_fallback = meter.timed("decode", model.generate_with_fallback,
                                               count_tokens)
    model.add_word_timestamps = meter.timed("align", model.add_word_timestamps)
    probs = chunking.SpeechProbabilities
    probs._run = meter.timed("silero", probs._run)
    chunking.speech_regions = meter.timed("regions", chunking.speech_regions)
    for name in ("join_tokens", "in_speech", "lone_soundalikes_as_hesitations",
                 "snap_to_speech", "spread_overlaps", "keep_segment"):
        setattr(guards, name, meter.timed("guards", getattr(guards, name)))
    Transcriber.decode_chunk = meter.timed("chunks", Transcriber.decode_chunk)
    Transcriber._decode = meter.timed("hearings", Transcriber._decode)


class _TimedFeatures:
    """The feature extractor, timed; its attributes (nb_max_frames, ...) pass through."""

    def __init__(self, fe, meter: Meter) -> None:
        self._fe = fe
        self._call = meter.timed("features", fe)

    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._fe, name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--sets", default="long,base")
    ap.add_argument("--variants", default="coach,plain")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--only", default="")
    args = ap.parse_args(argv)
    sets = {s.strip() for s in args.sets.split(",") if s.strip()}
    clips = load_clips(args.corpus, False, sets)
    clips = [c for c in clips if c[1]["words"]]  # speech clips only
    if args.only:
        keep = set(args.only.split(","))
        clips = [c for c in clips if c[1]["id"] in keep]
    names = [n.strip() for n in args.variants.split(",")]
    transcriber = Transcriber()
    transcriber.load()
    meter = Meter()
    instrument(transcriber, meter)
    # rows[set][variant] -> list of dicts (one per clip per round)
    rows: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    audio = {}
    for clip_path, truth in clips:
        audio[truth["id"]] = decode_audio(clip_path)
    transcriber.transcribe_array(audio[clips[0][1]["id"]][: 16000 * 5])  # warm up
    for r in range(args.rounds):
        for _path, truth in clips:
            order = names if (r % 2 == 0) else names[::-1]
            samples = audio[truth["id"]]
            for name in order:
                meter.reset()
                t0 = time.perf_counter()
                transcribe(name, transcriber, samples, truth)
                wall = time.perf_counter() - t0
                row = {"clip": truth["id"], "audio_s": samples.size / 16000, "wall": wall,
                       **{f"t_{k}": meter.t.get(k, 0.0) for k in PIECES},
                       **{f"n_{k}": v for k, v in meter.n.items()}}
                rows[truth["set"]][name].append(row)
        print(f"round {r + 1} done", file=sys.stderr)
    for set_name, by_variant in sorted(rows.items()):
        count = sum(1 for _path, truth in clips if truth["set"] == set_name)
        print(f"\n### set {set_name} ({count} clips, {args.rounds} rounds)\n")
        report(by_variant, names)
    return 0


def per_minute(rows: list[dict], key: str) -> float:
    """Median over clips (each clip: median over rounds) of key per audio minute."""
    by_clip: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        by_clip[row["clip"]].append(60 * row.get(key, 0.0) / row["audio_s"])
    return statistics.median(statistics.median(v) for v in by_clip.values())


def total_per_minute(rows: list[dict], key: str) -> float:
    """Sum over clips of the per-clip medians, per audio minute of all clips."""
    by_clip: dict[str, list[float]] = defaultdict(list)
    audio = {}
    for row in rows:
        by_clip[row["clip"]].append(row.get(key, 0.0))
        audio[row["clip"]] = row["audio_s"]
    return 60 * sum(statistics.median(v) for v in by_clip.values()) / sum(audio.values())


def report(by_variant: dict[str, list[dict]], names: list[str]) -> None:
    keys = ["wall", *(f"t_{k}" for k in PIECES)]
    counts = ["n_encode", "n_chunks", "n_hearings", "n_decode", "n_tokens", "n_prompt_tokens",
              "n_fallbacks", "n_align"]
    head = ["per audio minute"] + names + [f"{n}/plain" for n in names if n != "plain"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for key in keys + counts:
        vals = [total_per_minute(by_variant[n], key) for n in names]
        ratios = []
        if "plain" in names:
            p = vals[names.index("plain")]
            ratios = [f"{v / p:.2f}" if p else "-"
                      for n, v in zip(names, vals, strict=True) if n != "plain"]
        fmt = (lambda v: f"{v:.3f}") if key.startswith(("t_", "wall")) else (lambda v: f"{v:.1f}")
        print(f"| {key} | " + " | ".join(fmt(v) for v in vals) + " | " + " | ".join(ratios) + " |")
    # "other": wall minus the timed pieces
    vals = []
    for n in names:
        w = total_per_minute(by_variant[n], "wall")
        parts = sum(total_per_minute(by_variant[n], f"t_{k}") for k in PIECES)
        vals.append(w - parts)
    print("| t_other | " + " | ".join(f"{v:.3f}" for v in vals) + " |")
    # per-window figures
    for n in names:
        rows = by_variant[n]
        dec = sum(r.get("n_decode", 0) for r in rows) or 1
        passes = max(1, sum(r.get("n_encode", 0) for r in rows))
        print(f"\n{n}: {sum(r.get('n_tokens', 0) for r in rows) / dec:.1f} tokens decoded and "
              f"{sum(r.get('n_prompt_tokens', 0) for r in rows) / dec:.1f} prompt tokens per "
              f"decoding; decode {sum(r['t_decode'] for r in rows) / dec:.3f} s, encode "
              f"{sum(r['t_encode'] for r in rows) / passes:.3f} s"
              f" per window; median wall per clip-minute {per_minute(rows, 'wall'):.3f}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
