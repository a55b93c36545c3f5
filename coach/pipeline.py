"""From a recording to a reviewed attempt: transcribe, analyse, write the report, index it.

This is the one path every front end uses (``coach analyze``, ``coach record``, the TUI), so an
attempt is always finished the same way. The attempt folder is written first and the history index
second: if the index fails, nothing is lost and ``coach history --rebuild`` restores it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.core.analysis import analyze
from coach.core.attempts import (
    TRANSCRIPT_FILE,
    Attempt,
    find_attempt,
    keep_damaged,
    load_attempt,
    new_attempt,
    read_analysis,
    read_transcript,
    update_attempt,
    write_analysis,
    write_atomic,
)
from coach.core.model import Analysis, Prompt, Transcript
from coach.core.pitch import PitchTracker, measure_pitch, voice_regions
from coach.errors import CoachError

if TYPE_CHECKING:
    from coach.cli.common import Context
    from coach.transcribe.whisper import Transcriber

Progress = Callable[[float, str], None]


def load_transcriber(ctx: Context, model: str | None = None) -> Transcriber:
    """Load the Whisper model once; the caller keeps it for every later attempt."""
    from coach.transcribe.whisper import Transcriber

    return Transcriber(model or ctx.settings.model)


def import_recording(
    ctx: Context, audio_path: Path, prompt: Prompt | None, *, follows: str | None = None
) -> Attempt:
    """Copy an existing recording into a new attempt folder (the original is never touched)."""
    from coach.recovery import this_process

    suffix = audio_path.suffix.lower() or ".audio"
    attempt = new_attempt(
        ctx.home,
        prompt.id if prompt else None,
        state="analysing",
        source="import",
        source_audio=str(audio_path.resolve()),
        recording=f"recording{suffix}",
        follows=follows,
        extra=this_process(),
    )
    try:
        # created user-only before any byte lands in it (copyfile keeps an existing file's mode)
        os.close(os.open(attempt.recording_path, os.O_CREAT | os.O_WRONLY, 0o600))
        shutil.copyfile(audio_path, attempt.recording_path)
    except OSError as exc:  # disk full, size limit, unreadable: a clear error, a marked attempt
        message = (f"could not copy the recording into {attempt.path} "
                   f"({exc.strerror or exc}; disk full?)")
        with suppress(OSError):
            update_attempt(attempt, state="failed", error=message)
        raise CoachError(message) from exc
    return attempt


def save_transcript(attempt: Attempt, transcript: Transcript) -> None:
    """Keep the raw transcript so a correction re-runs the analysis without the model."""
    keep_damaged(attempt, TRANSCRIPT_FILE)
    write_atomic(attempt.path / TRANSCRIPT_FILE, json.dumps(transcript.to_dict(), indent=1))


def load_transcript(attempt: Attempt) -> Transcript | None:
    """The saved transcript, or None when it is missing or damaged."""
    return read_transcript(attempt)


def _previous(ctx: Context, attempt: Attempt) -> tuple[Analysis | None, str | None]:
    """The previous attempt of the same prompt, for the comparison in the report."""
    if not attempt.prompt_id:
        return None, None
    try:
        from coach.core.history import open_history

        with open_history(ctx.home) as history:
            row = history.previous_attempt(attempt.id)
    except (CoachError, OSError, ImportError, sqlite3.Error):
        row = None
    if not row:
        return None, None
    try:
        prev = find_attempt(ctx.home, row["id"])
    except FileNotFoundError:
        return None, None
    data = read_analysis(prev)
    if data is None:
        return None, None
    return Analysis.from_dict(data), f"../{prev.id}/report.html"


def index_attempt(ctx: Context, attempt: Attempt, analysis: dict[str, Any] | None) -> str | None:
    """Record the attempt in the history database; returns a warning instead of failing."""
    try:
        from coach.core.history import open_history

        with open_history(ctx.home) as history:
            history.record_attempt(attempt, analysis)
    except (CoachError, OSError, ImportError, sqlite3.Error) as exc:
        return f"history not updated ({exc}); run 'coach history --rebuild'"
    return None


def recording_pitch(
    attempt: Attempt, transcript: Transcript, samples: Any = None,
    track: PitchTracker | None = None,
) -> dict[str, Any] | None:
    """Pitch variety of the attempt's recording: from ``track`` when it was tracked while
    recording (the same figures, computed on the same grid), else from ``samples`` if already
    decoded, else from the file.

    ``None`` when there is no recording to measure (gone, unreadable): pitch is an extra and
    never fails an analysis.
    """
    from coach.audio.decode import SAMPLE_RATE, decode_audio

    if track is not None:
        return track.measure(voice_regions(transcript))
    if samples is None:
        if not attempt.recording_path.is_file():
            return None
        try:
            samples = decode_audio(attempt.recording_path)
        except (CoachError, OSError):
            return None
    return measure_pitch(samples, SAMPLE_RATE, voice_regions(transcript))


def _follow_up_answers(ctx: Context, attempt: Attempt) -> list[dict[str, Any]]:
    """The analysed follow-up answers to ``attempt`` with their scores, for its report."""
    from coach.core.attempts import follow_ups_of
    from coach.core.interview import scores_of

    answers = []
    for child in follow_ups_of(ctx.home, attempt.id):
        data = read_analysis(child)
        if data is None:
            continue
        answers.append({
            "id": child.id,
            "question": child.follow_up_question or "",
            "href": f"../{child.id}/{child.report_path.name}",
            **scores_of(data),
        })
    return answers


def _write_report(
    ctx: Context, attempt: Attempt, prompt: Prompt | None, analysis: Analysis
) -> None:
    from coach.core.report import render_report, write_report

    previous, previous_href = _previous(ctx, attempt)
    follows = None
    if attempt.follows:
        follows = {"id": attempt.follows, "question": attempt.follow_up_question or "",
                   "href": f"../{attempt.follows}/{attempt.report_path.name}"}
    html = render_report(
        analysis,
        prompt=prompt,
        recording_href=attempt.recording if not Path(attempt.recording).is_absolute()
        else Path(attempt.recording).as_uri(),
        previous=previous,
        previous_href=previous_href,
        attempt_id=attempt.id,
        follows=follows,
        follow_up_answers=_follow_up_answers(ctx, attempt),
    )
    write_report(attempt.report_path, html)


def refresh_report(ctx: Context, attempt_id: str) -> None:
    """Write an analysed attempt's report again (its follow-up answers changed); an attempt
    that is gone or not analysed is left alone."""
    try:
        attempt = find_attempt(ctx.home, attempt_id)
    except FileNotFoundError:
        return
    data = read_analysis(attempt)
    if data is None:
        return
    prompt = ctx.library().prompts.get(attempt.prompt_id or "")
    with suppress(OSError):
        _write_report(ctx, attempt, prompt, Analysis.from_dict(data))


def finish_analysis(
    ctx: Context,
    attempt: Attempt,
    prompt: Prompt | None,
    transcript: Transcript,
    *,
    corrections: Sequence[dict[str, Any]] = (),
    samples: Any = None,
    pitch: dict[str, Any] | None = None,
    pitch_track: PitchTracker | None = None,
    state: str | None = None,
) -> tuple[Attempt, Analysis]:
    """Analyse a transcript and write analysis.json and report.html into the attempt folder.

    ``pitch`` already measured (a re-analysis keeps it) is used as is; otherwise it is measured
    from ``pitch_track``, ``samples`` or the recording. The attempt ends ``state`` (default:
    "analysed", or "recovered" for a take recovered after a crash, which it stays).
    """
    if pitch is None:
        pitch = recording_pitch(attempt, transcript, samples, pitch_track)
    analysis = analyze(
        transcript,
        prompt=prompt,
        settings=ctx.settings,
        audio=str(attempt.recording_path),
        corrections=corrections,
        pitch=pitch,
    )
    analysis.report = str(attempt.report_path)
    try:  # a rating given meanwhile (history/TUI) lives on disk: don't overwrite it
        on_disk: Attempt | None = load_attempt(attempt.path)
    except (OSError, ValueError, TypeError):
        on_disk = None
    rating = (on_disk.rating if on_disk else None) or attempt.rating
    self_rating = (on_disk.self_rating if on_disk else None) or attempt.self_rating
    analysis.self_rating = self_rating
    data = analysis.to_dict()  # once: for a long take it is a tenth of a second each time
    write_analysis(attempt, data)
    _write_report(ctx, attempt, prompt, analysis)
    if attempt.follows:  # the answer it follows lists its follow-up answers: add this one
        refresh_report(ctx, attempt.follows)
    if state is None:
        state = "recovered" if attempt.state == "recovered" else "analysed"
    attempt = update_attempt(
        attempt, state=state, error=None, rating=rating, self_rating=self_rating,
        recording_s=transcript.duration_s,
    )
    warning = index_attempt(ctx, attempt, data)
    if warning:
        analysis.extra["warnings"] = [*analysis.extra.get("warnings", []), warning]
    return attempt, analysis


def mark_analysing(ctx: Context, attempt: Attempt) -> Attempt:
    """Mark the attempt "analysing" by this process, in its folder then in the index (a
    fresh import or take already is, by this process: nothing to write)."""
    from coach.recovery import this_process

    mark = this_process()
    if attempt.state == "analysing" and all(attempt.extra.get(k) == v for k, v in mark.items()):
        return attempt
    attempt = update_attempt(attempt, state="analysing", extra={**attempt.extra, **mark})
    # the metrics of an earlier analysis stay listed meanwhile; a failed write only means
    # the index learns the state later
    index_attempt(ctx, attempt, read_analysis(attempt))
    return attempt


def analyze_attempt(
    ctx: Context,
    attempt: Attempt,
    prompt: Prompt | None,
    *,
    transcriber: Transcriber,
    transcript: Transcript | None = None,
    pitch_track: PitchTracker | None = None,
    samples: Any = None,
    on_progress: Progress | None = None,
) -> tuple[Attempt, Analysis]:
    """Transcribe (unless a streamed ``transcript`` is given) and analyse one attempt.

    ``pitch_track`` is the pitch tracked while the streamed ``transcript`` was (the
    streamer's ``pitch``); without a streamed transcript it is not used.

    The attempt is marked "analysing" by this process first (on disk and in the index), so
    another coach leaves it alone while it runs and, if this process dies, the next command
    start finds it (``coach.recovery``). A failure marks the attempt "failed" with the error,
    keeps its recording, and re-raises.
    """
    vocabulary = prompt.vocabulary if prompt else ()
    final_state = "recovered" if attempt.state == "recovered" else "analysed"
    attempt = mark_analysing(ctx, attempt)
    try:
        if transcript is None:
            pitch_track = None  # tracked with a stream that was not used
            if on_progress:
                on_progress(0.0, "transcribing")

            def progress(fraction: float) -> None:
                if on_progress:
                    on_progress(fraction * 0.9, "transcribing")

            if samples is None:  # decoded once: the transcription and the pitch share it
                from coach.audio.decode import decode_audio

                samples = decode_audio(attempt.recording_path)
            transcript = transcriber.transcribe_array(
                samples, vocabulary=vocabulary, on_progress=progress
            )
        save_transcript(attempt, transcript)
        if on_progress:
            on_progress(0.92, "analysing")
        result = finish_analysis(ctx, attempt, prompt, transcript, samples=samples,
                                 pitch_track=pitch_track, state=final_state)
        if on_progress:
            on_progress(1.0, "done")
        return result
    except BaseException as exc:
        message = str(exc) or type(exc).__name__
        failed = update_attempt(attempt, state="failed", error=message)
        index_attempt(ctx, failed, None)
        raise


def reanalyze(
    ctx: Context,
    attempt: Attempt,
    prompt: Prompt | None,
    corrections: Sequence[dict[str, Any]],
) -> tuple[Attempt, Analysis]:
    """Re-run the analysis with the user's corrections, from the saved transcript."""
    transcript = load_transcript(attempt)
    if transcript is None:
        damaged = load_attempt(attempt.path).damage.get(TRANSCRIPT_FILE)
        raise CoachError(f"attempt {attempt.id} cannot be corrected: {damaged}" if damaged
                         else f"attempt {attempt.id} has no saved transcript to correct")
    attempt = replace(attempt, extra={**attempt.extra, "corrections": list(corrections)})
    previous = read_analysis(attempt) or {}
    return finish_analysis(ctx, attempt, prompt, transcript, corrections=corrections,
                           pitch=previous.get("pitch"))
