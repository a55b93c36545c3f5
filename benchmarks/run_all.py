"""Run every benchmark, print its table and append it, dated, to benchmarks/RESULTS.md.

    python benchmarks/run_all.py            # everything: about 35 minutes on 2 cores
    python benchmarks/run_all.py --quick    # shorter answers and fewer rounds: ~6 minutes

Order: the quick ones first, the long real-time latency runs last (the app's through a paced
microphone needs tmux and PulseAudio, and is skipped without them). Other engineers' benchmarks
(``bench_analysis.py`` and any other ``bench_*.py`` not listed here) run as separate processes
and record their own results (``RESULTS-*.md``). Numbers on a shared machine are noisy: each
table notes the load average beside it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import bench_app_latency
import bench_latency
import bench_memory
import bench_startup
import bench_throughput
from _common import append_results, load_line, machine_line, section

HERE = Path(__file__).resolve().parent
MINE = {"bench_app_latency.py", "bench_latency.py", "bench_memory.py", "bench_startup.py",
        "bench_throughput.py"}


def run_other(script: Path, *, save: bool) -> None:
    """Run another engineer's benchmark; its printed output is recorded here as it is."""
    print(f"\n# {script.name}", flush=True)
    load = load_line()
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=False)
    output = (done.stdout + done.stderr).strip()
    print(output, flush=True)
    if save:
        body = "```\n" + output + "\n```"
        append_results(section(f"{script.name} (its own output)", body,
                               [machine_line(), load, f"exit status {done.returncode}"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short answers, fewer rounds")
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args(argv)
    save = ["--no-save"] if args.no_save else []

    bench_startup.main([*save, *(["--runs", "5", "--tui-runs", "2"] if args.quick else [])])
    for other in sorted(HERE.glob("bench_*.py")):
        if other.name not in MINE:
            run_other(other, save=not args.no_save)
    bench_throughput.main([*save, *(["--seconds", "60", "--rounds", "2"] if args.quick else [])])
    bench_memory.main([*save, *(["--minutes", "2", "5"] if args.quick else [])])
    bench_latency.main([*save, *(["--lengths", "30", "120", "--repeat", "1"]
                                 if args.quick else [])])
    try:
        bench_app_latency.main([*save, *(["--lengths", "120", "--repeat", "1"]
                                         if args.quick else [])])
    except SystemExit as missing:  # no tmux or PulseAudio here
        print(f"bench_app_latency skipped: {missing}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
