"""``coach analyze FILE|ATTEMPT...``: analyse existing recordings, one attempt folder each.

A file becomes a new attempt (a copy of it); an attempt id (or folder) is analysed again from its
own recording, in its own folder: an analysis cut off by a crash ("interrupted"), a take
recovered after one, a failed one, or an analysed one with a newer model. The model is loaded
once for all of them. A bad file or attempt gets a one-line error and does not stop the others;
the exit status is non-zero if any failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from coach.cli.common import Context, add_model_option, open_context, warn
from coach.core.attempts import Attempt
from coach.core.model import Analysis
from coach.errors import CoachError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "analyze",
        parents=[common],
        help="analyse recordings of spoken answers and write their reports",
        description="Transcribe and analyse recordings (wav, flac, mp3, m4a, ogg, ...). Each file "
        "becomes an attempt folder with analysis.json and report.html. An attempt id (see "
        "'coach history') is analysed again from its own recording.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE|ATTEMPT",
                        help="recordings to analyse, or attempts to analyse again")
    parser.add_argument("--prompt", metavar="ID",
                        help="the prompt answered (checks key points); an attempt keeps its own")
    parser.add_argument("--json", action="store_true", help="print machine-readable results")
    add_model_option(parser)
    parser.add_argument("--follows", metavar="ATTEMPT", help="the attempt this one follows up")
    parser.set_defaults(func=run)


def summary(analysis: Analysis, attempt_id: str) -> str:
    """A few lines a person reads in the terminal."""
    if analysis.no_speech:
        return f"{analysis.audio}\n  No speech detected.\n  report: {analysis.report}"
    stats = analysis.extra.get("filler_stats", {})
    score = analysis.score
    lines = [
        f"{Path(analysis.audio).name}  (attempt {attempt_id})",
        f"  score      {score.get('total', 0):.0f}/100  {score.get('verdict', '')}",
        f"             content {score.get('content', 0):.0f}/100, delivery "
        f"{score.get('delivery', 0):.0f}/100, gap: {score.get('gap', 'none')}",
        f"  duration   {analysis.duration_s:.1f} s, speaking {analysis.speech_s:.1f} s, "
        f"{analysis.wpm:.0f} wpm",
        f"  fillers    {len(analysis.fillers)} ({stats.get('per_min', 0):.1f}/min; "
        f"{stats.get('hesitations', 0)} hesitations, {stats.get('discourse', 0)} discourse)",
        f"  pauses     {len(analysis.pauses)} long",
        f"  reasoning  {analysis.reasoning.get('count', 0)} markers "
        f"({analysis.reasoning.get('per_min', 0):.1f}/min)",
    ]
    hedges = analysis.hedges or {}
    lines.append(f"  hedges     {hedges.get('count', 0)} ({hedges.get('per_min', 0):.1f}/min)")
    if analysis.repetition:
        leaned = ", ".join(f"{r['text']} x{r['count']}" for r in analysis.repetition[:4])
        lines.append(f"  leaned on  {leaned}")
    if analysis.coverage:
        cov = analysis.coverage
        lines.append(f"  key points {cov.get('covered', 0)}/{cov.get('total', 0)} covered")
        for point in cov.get("points", []):
            if not point.get("covered"):
                why = f" ({point['why']})" if point.get("why") else ""
                lines.append(f"    missed   {point.get('text', '')}{why}")
    for flag in analysis.red_flags:
        lines.append(f"  red flag   {flag.get('text', flag.get('id', ''))}")
    if analysis.self_rating:
        from coach.core.scheduler import propose_rating

        measured = propose_rating(float(score.get("total", 0) or 0))
        lines.append(f"  you rated  {analysis.self_rating.capitalize()}; the score says "
                     f"{measured.capitalize()}")
    lines.append(f"  report     {analysis.report}")
    return "\n".join(lines)


def _progress_printer(name: str):
    if not sys.stderr.isatty():
        return None

    def show(fraction: float, stage: str) -> None:
        end = "\n" if fraction >= 1.0 else ""
        print(f"\r  {name}: {stage} {fraction * 100:3.0f}%", end=end, file=sys.stderr, flush=True)

    return show


def existing_attempt(ctx: Context, name: str, args: argparse.Namespace) -> Attempt | None:
    """The attempt ``name`` names (an id or its folder) when it is not a file, ready to be
    analysed again; CoachError says why it cannot be (busy elsewhere, recording gone)."""
    from coach.core.attempts import find_attempt
    from coach.recovery import working_process

    path = Path(name)
    if path.is_file():
        return None
    try:
        attempt = find_attempt(ctx.home, name)
    except FileNotFoundError:
        if not path.exists() and not path.suffix and os.sep not in name:
            raise CoachError("no such attempt or audio file (attempt ids: see "
                             "'coach history')") from None
        return None  # decoding it says what is wrong with the file
    pid = working_process(attempt)
    if pid is not None:
        raise CoachError(f"the attempt is still {attempt.state} in another coach "
                         f"(process {pid}); analyse it once that has finished")
    if not attempt.recording_path.is_file():
        raise CoachError(f"the attempt's recording is gone ({attempt.recording_path.name} "
                         "is missing); there is nothing to analyse")
    for option, given, own in (("--prompt", args.prompt, attempt.prompt_id),
                               ("--follows", args.follows, attempt.follows)):
        if given and given != own:
            raise CoachError(f"an attempt keeps its own {option[2:]} ({own or 'none'}); "
                             f"{option} applies to files")
    return attempt


def analyze_one(
    ctx: Context, path: Path, samples: Any, args: argparse.Namespace, transcriber: Any,
    attempt: Attempt | None = None,
) -> dict[str, Any]:
    """Analyse a file as a new attempt, or ``attempt`` again from its recording (``path``)."""
    from coach.pipeline import analyze_attempt, import_recording

    if attempt is None:
        prompt = ctx.prompt(args.prompt)
        attempt = import_recording(ctx, path, prompt, follows=args.follows)
        audio = str(path)
    else:
        prompt = ctx.library().prompts.get(attempt.prompt_id or "")
        if attempt.prompt_id and prompt is None:
            warn(f"attempt {attempt.id}: its prompt '{attempt.prompt_id}' is not in the "
                 "library any more; analysed without its key points")
        audio = str(attempt.recording_path)
    attempt, analysis = analyze_attempt(
        ctx,
        attempt,
        prompt,
        transcriber=transcriber,
        samples=samples,
        on_progress=_progress_printer(path.name),
    )
    analysis.audio = audio
    return {"attempt": attempt.id, **analysis.to_dict()}


def run(args: argparse.Namespace) -> int:
    ctx = open_context(args, model=getattr(args, "model", None))
    ctx.prompt(args.prompt)  # an unknown prompt id fails before any work
    from coach.audio.decode import decode_audio
    from coach.pipeline import load_transcriber

    transcriber = None
    results: list[dict[str, Any]] = []
    failures = 0
    for name in args.files:
        try:
            attempt = existing_attempt(ctx, name, args)
            path = attempt.recording_path if attempt else Path(name)
            samples = decode_audio(path)  # bad input fails here, before an attempt folder exists
            if transcriber is None:
                transcriber = load_transcriber(ctx)
            result = analyze_one(ctx, path, samples, args, transcriber, attempt)
        except (CoachError, OSError) as exc:  # OSError: the disk refused a write (full)
            failures += 1
            message = str(exc) if isinstance(exc, CoachError) else (
                f"could not save the attempt ({exc.strerror or exc}; disk full?)")
            # name the input once: the decoder's messages about a file already end with its path
            where = "" if name in message else f"{name}: "
            print(f"coach: error: {where}{message}", file=sys.stderr)
            results.append({"audio": name, "error": message})
            continue
        results.append(result)
        if not args.json:
            print(summary(Analysis.from_dict(result), result["attempt"]))
            for warning in result.get("extra", {}).get("warnings", []):
                print(f"coach: warning: {warning}", file=sys.stderr)
    if args.json:
        payload: Any = results[0] if len(results) == 1 else results
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return 1 if failures else 0
