"""Recovery at every command start: its cost on a home with thousands of attempts.

Every ``coach`` command first repairs what a killed coach left half done
(``coach.recovery.recover_interrupted``), so its cost is paid at each start. The script builds a
home of N finished attempt folders (attempt.json, analysis.json, report.html; indexed), plus one
take and one import left in progress by a dead process, then times:

- the first start (the two are repaired and indexed),
- every later start (nothing to repair: the usual case),
- the same without a readable index, and a full look at every folder (what ``--rebuild`` and the
  recovery before this change did: read every attempt.json, list every folder),
- ``coach prompts list`` as a fresh process in that home against an empty home, interleaved.

Warm file cache (a start right after another); medians.

    python benchmarks/bench_recovery.py [--attempts 2000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, append_results, load_line, machine_line, median, section, table
from bench_startup import spawn_until_ready

from coach.core.attempts import Attempt, new_attempt, save_attempt, write_analysis
from coach.core.history import open_history
from coach.paths import attempts_dir, database_path
from coach.recovery import recover_interrupted

RESULTS_FILE = REPO / "benchmarks" / "RESULTS-recovery.md"
ANALYSIS = {  # the documented shape, small: recovery never reads it for a finished attempt
    "audio": "recording.wav", "duration_s": 60.0, "speech_s": 48.0, "transcript": "so um",
    "prompt_id": "btree-vs-hash", "no_speech": False, "report": "", "words": [],
    "fillers": [], "pauses": [], "wpm": 140.0,
    "reasoning": {"count": 3, "per_min": 3.75, "markers": [], "thirds": [1, 1, 1]},
    "coverage": None, "score": {"total": 70.0, "verdict": "solid", "components": []},
    "extra": {"filler_stats": {"count": 0, "per_min": 0.0}},
}


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def build_home(home: Path, count: int) -> None:
    """``count`` analysed attempts, indexed, and two left in progress by a dead process."""
    root = attempts_dir(home)
    root.mkdir(parents=True)
    made = []
    for i in range(count):
        day, second = divmod(i, 86400)
        attempt_id = f"2026{1 + day // 28:02d}{1 + day % 28:02d}-{second:06d}-btree-vs-hash"
        folder = root / attempt_id
        folder.mkdir()
        attempt = save_attempt(Attempt(id=attempt_id, folder=str(folder),
                                       prompt_id="btree-vs-hash", state="analysed",
                                       recording_s=60.0))
        write_analysis(attempt, ANALYSIS)
        attempt.report_path.write_text("<html>report</html>", encoding="utf-8")
        made.append(attempt)
    with open_history(home) as history:
        history.rebuild(home)
    pid = dead_pid()
    take = new_attempt(home, None, state="recording", extra={"pid": pid})
    from coach.audio.wavfile import WavWriter

    with WavWriter(take.recording_path, 16000) as writer:
        import numpy as np

        writer.write(np.zeros(16000, np.int16))
    imported = new_attempt(home, None, state="analysing", source="import",
                           recording="recording.flac", extra={"pid": pid})
    imported.recording_path.write_bytes(b"fLaC")


def timed(func, runs: int) -> list[float]:
    values = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        values.append(time.perf_counter() - start)
    return values


def process_s(home: Path) -> float:
    """``coach prompts list`` in ``home``, a fresh process, from spawn to exit."""
    env = {**os.environ, "COACH_HOME": str(home), "PYTHONPATH": str(REPO)}
    return spawn_until_ready([sys.executable, "-m", "coach", "prompts", "list"], env, None)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        home, empty = Path(tmp) / "home", Path(tmp) / "empty"
        empty.mkdir()
        build_home(home, args.attempts)
        start = time.perf_counter()
        repaired = recover_interrupted(home)
        first = time.perf_counter() - start
        assert sorted(a.state for a in repaired) == ["interrupted", "recovered"], repaired
        rows = [["first start: 2 to repair", 1, first, first]]
        cases = {
            "later start: nothing to repair": lambda: recover_interrupted(home),
            "every folder read (--rebuild; before)": lambda: recover_interrupted(
                home, everything=True),
        }
        for name, func in cases.items():
            values = timed(func, args.runs)
            rows.append([name, len(values), median(values), min(values)])
        db = database_path(home)
        db.rename(db.with_name("coach.db.away"))
        values = timed(lambda: recover_interrupted(home), args.runs)
        rows.append(["no readable index", len(values), median(values), min(values)])
        db.with_name("coach.db.away").rename(db)
        full, bare = [], []
        for _ in range(args.runs):
            full.append(process_s(home))
            bare.append(process_s(empty))
        rows.append([f"`coach prompts list`, {args.attempts} attempts", len(full), median(full),
                     min(full)])
        rows.append(["`coach prompts list`, empty home", len(bare), median(bare), min(bare)])
        load = load_line()
    body = table(["what", "runs", "median s", "min s"], rows)
    notes = [machine_line(), f"{load}; warm file cache; {args.attempts} analysed attempts "
             "indexed + 2 left in progress by a dead process",
             f"a start costs {(median(full) - median(bare)) * 1000:.0f} ms more in the full "
             "home than in an empty one (fresh processes, interleaved)"]
    text = section("Recovery at command start", body, notes)
    print(text)
    if not args.no_save:
        append_results(text, RESULTS_FILE)
    return text


if __name__ == "__main__":
    main()
