"""``coach record`` and ``coach replay``: record and analyse an answer, or play one back.

The headless twin of the practice screen, for scripts and tests. ``record`` saves the attempt as
"recording" with this process's pid before the first sample, so a killed take is repaired and
marked "recovered" at the next start of any command (coach.recovery, run by coach.cli.main).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from coach.cli.common import add_model_option, open_context, warn
from coach.errors import CoachError

METER_WIDTH = 20
STALL_GRACE_S = 5.0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    rec = sub.add_parser(
        "record",
        parents=[common],
        help="record an answer from the microphone and analyse it (no app)",
        description="Record an answer to a prompt for N seconds (Ctrl-C stops early and keeps "
        "the take), then transcribe and analyse it like the app does.",
    )
    rec.add_argument("--prompt", metavar="ID",
                     help="the prompt answered (see 'coach prompts list')")
    rec.add_argument("--seconds", type=float, metavar="N",
                     help="how long to record (default: the prompt's answer time, else 120)")
    rec.add_argument("--device", metavar="D", help="input device index or name (default: config)")
    rec.add_argument("--file", metavar="F", help="record from this audio file instead of the "
                     "microphone, through the same recorder (for scripts and tests)")
    rec.add_argument("--fast", action="store_true",
                     help="with --file: feed it as fast as it can be written, not in real time")
    rec.add_argument("--json", action="store_true", help="print the analysis as JSON")
    rec.add_argument(
        "--self-rating", metavar="N",
        help="how you think it went, before seeing the score: 1 again, 2 hard, 3 good, 4 easy "
        "(or the name); the dashboard compares it with the measured grade",
    )
    add_model_option(rec)
    rec.set_defaults(func=run_record)

    rep = sub.add_parser(
        "replay",
        parents=[common],
        help="play an attempt's recording (Ctrl-C stops)",
        description="Play the recording of an attempt (id or folder) through the output device.",
    )
    rep.add_argument("attempt", metavar="ATTEMPT", help="attempt id (see 'coach history')")
    rep.add_argument("--start", type=float, default=0.0, metavar="S", help="start at S seconds")
    rep.add_argument("--device", metavar="D", help="output device index or name")
    rep.set_defaults(func=run_replay)


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60:02d}:{int(seconds) % 60:02d}"


def _meter(elapsed: float, total: float, level: float) -> str:
    bars = round(level * METER_WIDTH)
    return (f"\r  REC {_clock(elapsed)} / {_clock(total)}  "
            f"[{'#' * bars}{'-' * (METER_WIDTH - bars)}] ")


def _show_problem(message: str) -> None:
    """Watchdog messages as warnings; a write failure is reported once, as the error."""
    if not message.startswith("could not write the recording"):
        warn(message)


def run_record(args: argparse.Namespace) -> int:
    from coach.audio.devices import preflight
    from coach.audio.recorder import FileSource, Recorder
    from coach.core.attempts import new_attempt, update_attempt
    from coach.core.history import parse_self_rating
    from coach.recovery import this_process

    ctx = open_context(args, model=getattr(args, "model", None))
    self_rating = parse_self_rating(args.self_rating) if args.self_rating else None
    prompt = ctx.prompt(args.prompt)
    seconds = args.seconds or (prompt.answer_seconds if prompt else 120.0)
    if seconds <= 0:
        raise CoachError("--seconds must be more than 0")
    device = args.device if args.device is not None else ctx.settings.input_device
    rate = ctx.settings.sample_rate or 16000
    if args.file:
        source: Any = FileSource(args.file, realtime=not args.fast)
    else:
        problem = preflight(device, rate, 1)
        if problem:
            raise CoachError(problem)
        source = None
    try:
        attempt = new_attempt(
            ctx.home, prompt.id if prompt else None, state="recording", self_rating=self_rating,
            extra={**this_process(), **({"source_file": str(args.file)} if args.file else {})},
        )
    except OSError as exc:
        raise CoachError(f"cannot create the attempt folder in {ctx.home}: "
                         f"{exc.strerror or exc}") from None
    recorder = Recorder(
        attempt.recording_path, rate=rate, device=device or None, source=source,
        max_seconds=seconds, on_problem=_show_problem,
    )
    tty = sys.stderr.isatty()
    if tty:
        title = prompt.title if prompt else "free answer"
        print(f"Recording '{title}' for {_clock(seconds)} (Ctrl-C stops)", file=sys.stderr)
    try:
        recorder.start()
    except CoachError as exc:
        update_attempt(attempt, state="failed", error=str(exc))
        raise
    # a stalled stream delivers nothing, so the audio limit alone could wait forever
    deadline = time.monotonic() + seconds + STALL_GRACE_S
    try:
        while not recorder.wait(0.1) and time.monotonic() < deadline:
            if tty:
                print(_meter(recorder.elapsed_s, seconds, recorder.level), end="",
                      file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        pass  # stop early and keep the take
    finally:
        result = recorder.stop()
        if tty:
            print(file=sys.stderr)
    extra = {**attempt.extra, "overflows": result.overflows, "problems": result.problems}
    attempt = update_attempt(
        attempt, state="analysing", recording_s=round(result.duration_s, 3),
        dropped_blocks=result.dropped_blocks, extra=extra,
    )
    if result.write_error or result.duration_s <= 0:
        error = result.write_error or "no audio was captured"
        update_attempt(attempt, state="failed", error=error)
        raise CoachError(f"{error} (attempt {attempt.id})")
    return _analyse(ctx, attempt, prompt, args)


def _analyse(ctx: Any, attempt: Any, prompt: Any, args: argparse.Namespace) -> int:
    from coach.cli.analyze import _progress_printer, summary
    from coach.pipeline import analyze_attempt, load_transcriber

    transcriber = load_transcriber(ctx)
    attempt, analysis = analyze_attempt(
        ctx, attempt, prompt, transcriber=transcriber, on_progress=_progress_printer(attempt.id)
    )
    recording = {
        "seconds": attempt.recording_s,
        "dropped_blocks": attempt.dropped_blocks,
        "problems": attempt.extra.get("problems", []),
    }
    if args.json:
        payload = {"attempt": attempt.id, "state": attempt.state, "recording": recording,
                   **analysis.to_dict()}
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(summary(analysis, attempt.id))
        if attempt.dropped_blocks:
            warn(f"{attempt.dropped_blocks} audio blocks were dropped during the recording")
    return 0


def run_replay(args: argparse.Namespace) -> int:
    from coach.audio.devices import output_preflight
    from coach.audio.player import Player
    from coach.core.attempts import find_attempt

    ctx = open_context(args)
    try:
        attempt = find_attempt(ctx.home, args.attempt)
    except FileNotFoundError:
        raise CoachError(f"no attempt '{args.attempt}' (see 'coach history')") from None
    if attempt.damage:
        warn(f"attempt {attempt.id} is damaged: {attempt.damage_text}")
    if not attempt.recording_path.is_file():
        raise CoachError(f"attempt {attempt.id} has no recording to replay "
                         f"({attempt.recording_path.name} is missing)")
    problem = output_preflight(args.device)
    if problem:
        raise CoachError(problem)
    player = Player(attempt.recording_path, device=args.device or None)
    if args.start >= player.duration_s > 0:
        raise CoachError(f"--start {args.start:g} is past the end ({player.duration_s:.1f} s)")
    player.seek(args.start)
    tty = sys.stderr.isatty()
    print(f"Playing {attempt.id} ({_clock(player.duration_s)}) from {_clock(args.start)}; "
          "Ctrl-C stops", file=sys.stderr)
    player.play()
    try:
        while not player.wait(0.2):
            if not player.playing and player.position_s >= player.duration_s:
                break
            if tty:
                print(f"\r  {_clock(player.position_s)} / {_clock(player.duration_s)} ",
                      end="", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print(f"\nstopped at {_clock(player.position_s)}", file=sys.stderr)
    finally:
        player.stop()
        if tty:
            print(file=sys.stderr)
    return 0
