"""The mock interview round's side effects as plain functions: analyse a take through the one
pipeline, build the prompt a follow-up is analysed against, write the round's summary.

The round screen calls these from thread workers; the choices (which follow-up, which
questions, what the summary says) are ``coach.core.interview``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.core.attempts import Attempt
from coach.core.interview import FollowUp, RoundQuestion, plan_round, summarise_round
from coach.core.model import Analysis, Prompt, Transcript
from coach.errors import CoachError

if TYPE_CHECKING:
    from coach.cli.common import Context
    from coach.core.pitch import PitchTracker
    from coach.transcribe.whisper import Transcriber


def follow_up_prompt(prompt: Prompt, follow: FollowUp, seconds: int) -> Prompt:
    """What a follow-up answer is analysed against: the follow-up as the question, within its
    short time box, and only the key point it probes (so the summary sees the gap closed)."""
    return replace(
        prompt,
        question=follow.question,
        key_points=(follow.key_point,) if follow.key_point else (),
        follow_ups=(),
        answer_seconds=seconds,
        prep_seconds=0,
    )


def analyse_take(
    ctx: Context,
    attempt: Attempt,
    prompt: Prompt,
    transcriber: Transcriber,
    transcript: Transcript | None,
    pitch_track: PitchTracker | None = None,
) -> tuple[Attempt, Analysis]:
    """Analyse one answer of the round exactly as a practice answer is (the streamed
    transcript and pitch when there are): analysis.json, report.html, the history index."""
    from coach.pipeline import analyze_attempt

    return analyze_attempt(ctx, attempt, prompt, transcriber=transcriber, transcript=transcript,
                           pitch_track=pitch_track)


def plan(
    ctx: Context, level: str, questions: int | None = None, pillar: str | None = None
) -> list[Prompt]:
    """The round's questions from the library; a clear error when nothing fits."""
    chosen = plan_round(ctx.library().prompts.values(), level, questions, pillar)
    if not chosen:
        narrowed = f" of pillar {pillar}" if pillar else ""
        raise CoachError(f"no prompt{narrowed} for a {level} round; see 'coach prompts list'")
    return chosen


def finish_round(
    ctx: Context, questions: Sequence[RoundQuestion], level: str, started_at: str
) -> tuple[dict[str, Any], Path]:
    """Summarise the round and write its page into the home; returns (summary, path)."""
    from coach.core.round_report import write_round

    answered = [q for q in questions if q.answers]
    summary = summarise_round(answered)
    return summary, write_round(ctx.home, answered, summary, level=level, started_at=started_at)
