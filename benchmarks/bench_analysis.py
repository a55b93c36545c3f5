"""How fast is analyze() on a long answer? Goal: a 60-minute transcript in < 100 ms.

Run: python benchmarks/bench_analysis.py [--minutes 60] [--repeat 5]
Builds a synthetic 60-minute transcript (~9000 words at 150 wpm, with hesitations, discourse
fillers, reasoning markers and a few long pauses), analyses it with a real built-in prompt (so
key-point coverage runs too) and prints the wall time of the first run (cold caches), the best
and median of several runs, and the best CPU time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.core.analysis import analyze
from coach.core.model import Transcript, Word
from coach.core.prompts import load_library

SENTENCES = [
    "So, um, I would shard the events table by tenant id because one node can't take the writes.",
    "The trade-off is that cross-shard queries become scatter gather, which means higher latency.",
    "We use consistent hashing instead of modulo hashing, so that adding a node moves few keys.",
    "It was, like, kind of slow, you know, and I mean the cache was basically cold.",
    "A B-tree keeps keys in sorted order, so range scans are cheap, right?",
    "Since the workload is read heavy, uh, I'd put a cache in front with a short TTL.",
    "The downside is stale reads, otherwise it depends on how often the data changes.",
    "We measured p99 latency before and after the change and it dropped by forty percent.",
]


def synthetic(minutes: float, seed: int = 1) -> Transcript:
    rng = random.Random(seed)
    words: list[Word] = []
    t, end = 1.5, minutes * 60.0
    while t < end:
        for token in rng.choice(SENTENCES).split():
            dur = 0.25 + 0.02 * len(token)
            words.append(Word(token, round(t, 3), round(t + dur, 3), 0.9))
            t += dur + 0.05
        t += 2.0 if rng.random() < 0.04 else 0.2
    return Transcript(tuple(words), end + 1.0, ((1.5, end),))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    prompts = load_library(Path(__file__).resolve().parent.parent / "prompts").prompts
    prompt = prompts.get("sharding-partition-keys") or next(iter(prompts.values()), None)
    transcript = synthetic(args.minutes)
    times, cpu = [], []
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        analysis = analyze(transcript, prompt=prompt)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(
        f"{len(transcript.words)} words, {args.minutes:g} min, prompt "
        f"{prompt.id if prompt else None}: {len(analysis.fillers)} fillers, "
        f"{analysis.reasoning['count']} markers, score {analysis.score['total']}"
    )
    print(
        f"analyze(): first (cold caches) {times[0] * 1000:.1f} ms, best "
        f"{min(times) * 1000:.1f} ms, median {statistics.median(times) * 1000:.1f} ms "
        f"over {args.repeat} runs; best CPU time {min(cpu) * 1000:.1f} ms (less sensitive to "
        "other load on the machine)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
