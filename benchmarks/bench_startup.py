"""Start-up: ``coach --help`` and the TUI to its home screen, against a bare interpreter.

``coach --help`` must stay under a second, so heavy libraries (faster-whisper, sounddevice,
Textual) are imported lazily. Each figure is a fresh process, timed from spawn, repeated and
interleaved with ``python -c pass`` (the interpreter's own start-up, the floor) so the shared
machine's load hits both; medians. The TUI is timed until its home screen is mounted with the
prompt list filled (``App.run_test``, headless), with the model loading in the background as it
does for a user. If ``--help`` is over the goal, ``-X importtime`` names the slowest imports.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

from _common import REPO, load_line, machine_line, median, publish, table

TUI_CHILD = """
import asyncio, sys
from coach.cli.common import open_context
from coach.tui.app import CoachApp
from coach.tui.screens.home import HomeScreen
import argparse

async def main():
    app = CoachApp(open_context(argparse.Namespace(home=None, prompts_dir=None)))
    async with app.run_test(size=(120, 40)) as pilot:
        while True:
            screen = app.screen
            if isinstance(screen, HomeScreen):
                table = screen.query_one("#prompts")
                if table.row_count:
                    break
            await pilot.pause(0.005)
        print("ready", flush=True)
        sys.stdout.flush()
        import os
        os._exit(0)

asyncio.run(main())
"""


def spawn_until_ready(cmd: list[str], env: dict[str, str], marker: str | None) -> float:
    """Seconds from spawn to exit (or to the ``marker`` line on stdout)."""
    start = time.perf_counter()
    if marker is None:
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        return time.perf_counter() - start
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                          text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == marker:
                elapsed = time.perf_counter() - start
                break
        else:
            raise RuntimeError(f"{cmd[:3]} ended without printing {marker!r}")
        proc.kill()
    return elapsed


def importtime_top(env: dict[str, str], n: int = 8) -> list[tuple[str, float]]:
    """The slowest imports (cumulative) of ``coach --help``."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "coach", "--help"],
                         capture_output=True, text=True, env=env).stderr
    rows = []
    for line in out.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|(\s*)(\S+)", line)
        if m and len(m.group(2)) <= 3:  # top-level and first-level imports only
            rows.append((m.group(3), int(m.group(1)) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:n]


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tui-runs", type=int, default=5)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="coach-bench-") as home:
        env = {**os.environ, "COACH_HOME": home, "PYTHONPATH": str(REPO)}
        cases = {
            "python -c pass": ([sys.executable, "-c", "pass"], None),
            "coach --help": ([sys.executable, "-m", "coach", "--help"], None),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        times["TUI to home screen"] = []
        for i in range(args.runs):
            for name, (cmd, marker) in cases.items():
                times[name].append(spawn_until_ready(cmd, env, marker))
            if i < args.tui_runs:
                times["TUI to home screen"].append(
                    spawn_until_ready([sys.executable, "-c", TUI_CHILD], env, "ready"))
        load = load_line()
        floor = median(times["python -c pass"])
        rows = []
        for name, values in times.items():
            goal = {"coach --help": "< 1 s", "TUI to home screen": "fast (no goal set)"}.get(
                name, "floor")
            rows.append([name, len(values), median(values), min(values),
                         median(values) - floor, goal])
            print(f"{name}: median {median(values):.3f} s over {len(values)} runs", flush=True)
        notes = [machine_line(), f"{load}; fresh process per run, interleaved; medians",
                 "TUI: CoachApp.run_test headless until HomeScreen has its prompt list"]
        help_s = median(times["coach --help"])
        top = importtime_top(env)
        if top:
            notes.append("slowest imports of `coach --help` (-X importtime, cumulative): " +
                         ", ".join(f"{name} {s * 1000:.0f} ms" for name, s in top[:6]))
        if help_s >= 1.0:
            notes.append("coach --help is OVER the 1 s goal")
    body = table(["what", "runs", "median s", "min s", "above interpreter s", "goal"], rows)
    return publish("Start-up", body, notes, save=not args.no_save)


if __name__ == "__main__":
    main()
