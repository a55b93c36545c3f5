"""Memory of a long recording: the recorder's RSS must stay flat however long the take.

Feeds N minutes of audio (default 20) through the recorder's real queue and writer with a
non-realtime FileSource, sampling this process's resident memory as it goes, and prints the
baseline (after the first ~10 s of audio), the peak and the growth. A recorder that held the
audio in memory would grow by ~1.9 MB per minute (16 kHz int16) -- 38 MB for 20 minutes.

    python benchmarks/bench_recorder_memory.py [--minutes 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.audio.recorder import FileSource, Recorder
from coach.audio.wavfile import WavWriter


def rss_mb() -> float:
    """Resident set size of this process (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def make_source(path: Path, minutes: float, rate: int = 16000) -> None:
    """A long 'answer': a warbling tone plus noise, written a second at a time (flat itself)."""
    rng = np.random.default_rng(0)
    t = np.arange(rate) / rate
    with WavWriter(path, rate) as writer:
        for second in range(int(minutes * 60)):
            freq = 200 + 50 * np.sin(second / 7)
            block = 0.3 * np.sin(2 * np.pi * freq * t) + 0.02 * rng.standard_normal(rate)
            writer.write(block.astype(np.float32))


def measure(minutes: float, workdir: Path) -> dict[str, float]:
    source = workdir / "long.wav"
    make_source(source, minutes)
    samples: list[tuple[float, float]] = []  # (audio seconds written, RSS MB)
    recorder = Recorder(workdir / "take.wav", source=FileSource(source, realtime=False))
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append((recorder.written_s, rss_mb()))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.monotonic()
    recorder.start()
    sampler.start()
    recorder.wait()
    result = recorder.stop()
    stop.set()
    sampler.join()
    elapsed = time.monotonic() - started
    after_warmup = [mb for written, mb in samples if written >= 10.0]
    baseline = after_warmup[0] if after_warmup else samples[0][1]
    peak = max(mb for _, mb in samples)
    return {
        "audio_min": result.duration_s / 60,
        "wall_s": elapsed,
        "baseline_mb": baseline,
        "peak_mb": peak,
        "end_mb": samples[-1][1],
        "growth_mb": peak - baseline,
        "dropped": result.dropped_blocks,
        "file_mb": (workdir / "take.wav").stat().st_size / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = measure(args.minutes, Path(tmp))
    print(
        f"recorded {r['audio_min']:.1f} min ({r['file_mb']:.1f} MB on disk) "
        f"in {r['wall_s']:.1f} s; "
        f"RSS baseline {r['baseline_mb']:.1f} MB, peak {r['peak_mb']:.1f} MB, end "
        f"{r['end_mb']:.1f} MB, growth {r['growth_mb']:.1f} MB; dropped blocks {r['dropped']}"
    )


if __name__ == "__main__":
    main()
