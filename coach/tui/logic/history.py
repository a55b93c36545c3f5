"""Past attempts for the history screen: what its list shows, opening one, deleting one.

The attempt folders are the source of truth, so the list comes from them: every take is there
whatever its state, even one the database was never told about (a recording recovered after a
crash). The history database adds the metrics of analysed attempts. Just looking never writes:
a missing database is not created (the metrics then come from each ``analysis.json``), and a
damaged one is reported with its fix while the list still shows every folder. Deleting goes
through the same core call as ``coach history delete ID``, so the folder and the row both go.
Nothing here imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from coach.core.attempts import ANALYSIS_FILE, Attempt, iter_attempts, read_analysis
from coach.core.history import NO_SPEECH
from coach.core.model import Analysis, Prompt
from coach.errors import CoachError
from coach.paths import database_path
from coach.tui.logic.timebox import clock

if TYPE_CHECKING:
    from pathlib import Path

    from coach.cli.common import Context

FREE = "free recording"
ANALYSABLE = ("failed", "recovered", "interrupted")


@dataclass(frozen=True)
class PastAttempt:
    """One row of the history list: the attempt, its prompt's title and its headline numbers."""

    attempt: Attempt
    title: str
    duration_s: float | None = None
    score: float | None = None
    fillers_per_min: float | None = None
    no_speech: bool = False  # nothing was said: its score of 0 is not shown as one

    @property
    def id(self) -> str:
        return self.attempt.id

    @property
    def analysed(self) -> bool:
        """It has an analysis that can be read, so the review screen can show it."""
        return ANALYSIS_FILE not in self.attempt.damage and self.attempt.analysis_path.is_file()

    @property
    def busy(self) -> bool:
        """Still being recorded or analysed by a live process (this app or another coach):
        deleting or re-analysing it now would pull the files from under that process."""
        from coach.core.attempts import IN_PROGRESS
        from coach.recovery import is_interrupted

        if self.attempt.state not in IN_PROGRESS:
            return False

        return not is_interrupted(self.attempt)

    @property
    def can_analyse(self) -> bool:
        """A failed, recovered, interrupted or damaged take whose recording is still there can
        be analysed again (a damaged one's analysis is then written afresh)."""
        return (
            not self.analysed
            and (self.attempt.state in ANALYSABLE or bool(self.attempt.damage))
            and not self.busy
            and self.attempt.recording_path.is_file()
        )


@dataclass(frozen=True)
class Listing:
    """What the history screen shows: attempts newest first, and a problem to say, if any."""

    attempts: list[PastAttempt]
    problem: str | None = None

    @property
    def damaged(self) -> int:
        return sum(1 for past in self.attempts if past.attempt.damage)


def _indexed_rows(home: Path) -> tuple[dict[str, dict[str, Any]], str | None]:
    """The database's rows by attempt id, and what is wrong with it (never raises)."""
    if not database_path(home).is_file():
        return {}, None
    from coach.core.history import History

    try:
        with History(database_path(home)) as history:
            return {row["id"]: row for row in history.list_attempts()}, None
    except CoachError as exc:
        return {}, str(exc)
    except Exception as exc:  # the list must still open from the folders
        return {}, f"could not read the history ({exc}); try 'coach history --rebuild'"


def _metrics(attempt: Attempt, row: dict[str, Any] | None) -> dict[str, Any]:
    """Metrics from the database row, else from the folder's analysis.json (same function
    the database uses, so both give the same numbers). A damaged attempt's come from its
    folder: the row may predate the damage."""
    if row is None or attempt.damage:
        from coach.core.history import analysis_metrics

        row = analysis_metrics(read_analysis(attempt))
    duration = row.get("duration_s")
    return {
        "duration_s": duration if duration is not None else (attempt.recording_s or None),
        "score": row.get("score"),
        "fillers_per_min": row.get("fillers_per_min"),
        "no_speech": bool(row.get("no_speech")),
    }


def load(ctx: Context) -> Listing:
    """Every attempt in the home, newest first, with what the history screen shows of it."""
    rows, problem = _indexed_rows(ctx.home)
    prompts = ctx.library().prompts
    attempts = sorted(iter_attempts(ctx.home), key=lambda a: (a.started_at, a.id), reverse=True)
    past = []
    for attempt in attempts:
        prompt = prompts.get(attempt.prompt_id or "")
        title = prompt.title if prompt else (attempt.prompt_id or FREE)
        past.append(PastAttempt(attempt, title, **_metrics(attempt, rows.get(attempt.id))))
    return Listing(past, problem)


def local_time(started_at: str) -> str:
    """``YYYY-MM-DD HH:MM`` in the user's time zone (attempts store UTC)."""
    try:
        return datetime.fromisoformat(started_at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return started_at


def _number(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def cells(past: PastAttempt) -> tuple[str, ...]:
    """The table row: when, prompt, state, duration, score, fillers/min, follow-up."""
    return (
        local_time(past.attempt.started_at),
        past.title,
        past.attempt.shown_state,
        "-" if past.duration_s is None else clock(past.duration_s),
        NO_SPEECH if past.no_speech else _number(past.score, ".0f"),
        "-" if past.no_speech else _number(past.fillers_per_min, ".1f"),
        "yes" if past.attempt.follows else "",
    )


def describe(past: PastAttempt) -> str:
    """One line under the table: what this attempt is and what Enter will do with it."""
    attempt = past.attempt
    parts = [attempt.id]
    if attempt.follow_up_question:
        parts.append(f"follow-up: {attempt.follow_up_question}")
    if attempt.damage:
        parts.append(f"damaged: {attempt.damage_text}")
    if attempt.error:
        parts.append(f"error: {attempt.error}")
    if past.no_speech:
        parts.append(f"{NO_SPEECH} found in the recording, so no score")
    if past.analysed:
        action = "Enter reviews it"
    elif past.busy:
        action = f"still {attempt.state}"
    elif past.can_analyse:
        action = "Enter analyses its recording"
    else:
        action = "no analysis to review"
    return "  ·  ".join([*parts, action])


def unavailable(past: PastAttempt) -> str:
    """Why Enter cannot open this attempt (it has no analysis and cannot be analysed now)."""
    attempt = past.attempt
    if past.busy:
        return f"This attempt is still {attempt.state}; open it when that has finished."
    if attempt.damage and not attempt.recording_path.is_file():
        return f"This attempt is damaged ({attempt.damage_text}) and its recording is gone."
    if attempt.state in ANALYSABLE and not attempt.recording_path.is_file():
        return f"This attempt has no analysis and its recording is gone ({attempt.state})."
    return f"This attempt has no analysis to review (it is {attempt.state})."


def open_analysis(ctx: Context, past: PastAttempt) -> tuple[Attempt, Analysis, Prompt | None]:
    """What the review screen needs for an analysed attempt (CoachError if it is unreadable)."""
    data = read_analysis(past.attempt)  # None if it became unreadable since the list was read
    if data is None:
        raise CoachError(f"the analysis of {past.id} cannot be read; analyse it again")
    analysis = Analysis.from_dict(data)  # read_analysis checked it does
    return past.attempt, analysis, prompt_of(ctx, past)


def prompt_of(ctx: Context, past: PastAttempt) -> Prompt | None:
    """The attempt's prompt, or None for a free recording (or a prompt no longer installed)."""
    return ctx.library().prompts.get(past.attempt.prompt_id or "")


def delete(ctx: Context, past: PastAttempt) -> None:
    """Delete the attempt's folder and its database row, as ``coach history delete ID`` does.

    A take still being recorded or analysed is refused: its process is writing into the folder.
    """
    if past.busy:
        raise CoachError(f"attempt {past.id} is still {past.attempt.state}; not deleted")
    from coach.core.history import open_history

    with open_history(ctx.home) as history:
        history.delete_attempt(past.id, ctx.home)
