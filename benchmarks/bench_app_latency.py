"""Stop-to-review latency in the app, driven as a person would, and the app's words against
``coach analyze`` of the recording it saved.

The app runs under tmux (its own ``-L`` socket) on a paced PulseAudio microphone
(``../shared/tools/paced-mic``): Space starts the take, the answer is played into the
microphone in real time, Space stops it ``--pause`` seconds after the audio ends, ``s`` skips
the self-rating the moment it shows, and the screen is polled until the review is up. The clock
runs from the Space that stops to the first screen showing the review (polled every 20 ms, so a
reading is up to that late). Then the saved recording goes through ``coach analyze`` and the
two word lists are diffed: one path means the same words at the same times.

    python benchmarks/bench_app_latency.py --lengths 120 600 --repeat 2

Needs tmux, pulseaudio, pulseaudio-utils, libasound2-plugins, libportaudio2 and the piper voice
of the other benchmarks (answers are ``_common.answer_file``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import answer_file, load_line, machine_line, median, publish, table

ROOT = Path(__file__).resolve().parent.parent
PACED_MIC = ROOT.parent / "shared" / "tools" / "paced-mic"
PROMPT = "btree-vs-hash"
POLL_S = 0.02


class App:
    """The practice app in a tmux session on a paced microphone."""

    def __init__(self, home: Path, env: str) -> None:
        self.socket = f"coach-lat-{os.getpid()}"
        coach = Path(sys.executable).with_name("coach")
        # (Textual draws on stderr: it must stay the terminal)
        command = f"{env} COACH_HOME={home} {coach} practice --prompt {PROMPT}"
        self._tmux("new-session", "-d", "-x", "120", "-y", "40", command)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True,
                              capture_output=True, text=True).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def wait_for(self, text: str, timeout: float) -> float:
        """Poll the screen until ``text`` shows; the perf_counter() when it did."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if text in self.screen():
                return time.perf_counter()
            time.sleep(POLL_S)
        raise TimeoutError(f"{text!r} did not show in {timeout:.0f} s:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def words_of(analysis: dict) -> list[tuple[str, float]]:
    """The analysis' words with their start times (to the 10 ms analysis.json keeps)."""
    return [(w["text"].strip(), round(float(w["start"]), 2)) for w in analysis["words"]]


def one_take(mic: Path, env: str, audio: Path, pause_s: float, work: Path) -> dict:
    home = work / f"home-{time.time_ns()}"
    home.mkdir()
    (home / "config.toml").write_text("speak_prompt = false\n")
    app = App(home, env)
    try:
        app.wait_for("Space to start", 120)
        time.sleep(8)  # the app loads the model in the background: let it finish, as a person
        # reading the question would
        app.keys("Space")
        app.wait_for("Recording", 20)
        subprocess.run([str(PACED_MIC), "play", str(mic), str(audio)], check=True)
        time.sleep(pause_s)
        load = load_line()
        t0 = time.perf_counter()
        app.keys("Space")
        app.wait_for("How did that go?", 60)
        app.keys("s")
        t1 = app.wait_for("coach — review", 120)
    finally:
        app.close()
    folders = sorted(p for p in (home / "attempts").rglob("analysis.json"))
    analysis = json.loads(folders[-1].read_text())
    recording = folders[-1].parent / "recording.wav"
    cli = subprocess.run(
        [str(Path(sys.executable).with_name("coach")), "analyze", str(recording), "--home",
         str(work / "cli-home"), "--prompt", PROMPT, "--json"],
        check=True, capture_output=True, text=True, env={**os.environ, "HOME": str(mic)},
    )
    analysed = json.loads(cli.stdout)
    analysed = analysed[0] if isinstance(analysed, list) else analysed
    live, file = words_of(analysis), words_of(analysed)
    diff = difflib.SequenceMatcher(a=live, b=file, autojunk=False)
    same = sum(b.size for b in diff.get_matching_blocks())
    return {"latency_s": t1 - t0, "words": len(live), "file_words": len(file),
            "differing": max(len(live), len(file)) - same, "load": load}


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=float, nargs="+", default=[120, 600])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--pause", type=float, default=0.3,
                        help="seconds between the end of the audio and Space")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    for tool in ("tmux", "pulseaudio", "paplay"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing (see the module docstring)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="coach-applat-") as tmp:
        work = Path(tmp)
        mic = work / "mic"
        mic.mkdir()
        env = subprocess.run([str(PACED_MIC), "up", str(mic)], check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        try:
            for seconds in args.lengths:
                audio = answer_file(seconds, 0.0)
                runs = []
                for i in range(args.repeat):
                    r = one_take(mic, env, audio, args.pause, work)
                    runs.append(r)
                    print(f"{seconds:>5.0f} s take {i + 1}: stop->review {r['latency_s']:.3f} s; "
                          f"{r['words']} words live, {r['file_words']} from the file, "
                          f"{r['differing']} differing; {r['load']}", flush=True)
                rows.append([f"{seconds:.0f} s", len(runs),
                             median([r["latency_s"] for r in runs]),
                             " / ".join(f"{r['latency_s']:.2f}" for r in runs),
                             " / ".join(str(r["words"]) for r in runs),
                             " / ".join(str(r["differing"]) for r in runs), runs[-1]["load"]])
        finally:
            subprocess.run([str(PACED_MIC), "down", str(mic)], capture_output=True)
    body = table(["answer", "takes", "stop->review s (median)", "each take s", "words (app)",
                  "words differing from coach analyze", "load (last take)"], rows)
    notes = [machine_line(),
             f"the app under tmux on a paced PulseAudio microphone; Space {args.pause:g} s after "
             "the answer's audio ends, s (skip the self-rating) once it shows; screen polled every "
             f"{POLL_S * 1000:.0f} ms",
             "goal: <= 1.0 s at 2 min and not growing with length; 0 words differing"]
    return publish("Stop-to-review latency in the app (paced microphone)", body, notes,
                   save=not args.no_save)


if __name__ == "__main__":
    main()
