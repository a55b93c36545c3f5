"""The practice session's side effects as plain functions: attempts, recorder, rating, report.

The screens call these from thread workers; nothing here imports Textual, so each step can be
used (and tested) without a terminal. Modules still being written elsewhere (speech, recovery)
are imported lazily and treated as optional.
"""

from __future__ import annotations

import shutil
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from coach.core.attempts import Attempt, new_attempt, update_attempt
from coach.core.model import Analysis, Prompt
from coach.errors import CoachError
from coach.paths import attempts_dir

if TYPE_CHECKING:
    from coach.audio.recorder import Recorder
    from coach.cli.common import Context
    from coach.transcribe.whisper import Transcriber


class RecorderFactory(Protocol):
    """Builds the recorder for one take; tests pass one backed by a ``FileSource``."""

    def __call__(
        self,
        path: Path,
        *,
        on_level: Callable[[float], None],
        on_problem: Callable[[str], None],
        on_block: Callable[[Any, float], None] | None = None,
    ) -> Recorder: ...


TranscriberFactory = Callable[["Context"], "Transcriber"]


def mic_recorder_factory(ctx: Context) -> RecorderFactory:
    """The real microphone, as chosen in the settings (or the command palette)."""

    def build(
        path: Path,
        *,
        on_level: Callable[[float], None],
        on_problem: Callable[[str], None],
        on_block: Callable[[Any, float], None] | None = None,
    ) -> Recorder:
        from coach.audio.recorder import Recorder

        return Recorder(
            path,
            rate=ctx.settings.sample_rate,
            device=ctx.settings.input_device or None,
            on_level=on_level,
            on_problem=on_problem,
            on_block=on_block,
        )

    return build


def load_model(ctx: Context) -> Transcriber:
    """Load the Whisper model now (in a worker) so the first recording does not wait for it."""
    from coach.pipeline import load_transcriber

    transcriber = load_transcriber(ctx)
    transcriber.load()
    return transcriber


def start_streaming(
    transcriber: Transcriber | None,
    prompt: Prompt,
    rate: int,
    on_words: Callable[[list[Any]], None] | None = None,
) -> Any:
    """Transcribe while recording so the review is ready at stop (None if not possible yet:
    the model is still loading, or the microphone does not run at Whisper's 16 kHz)."""
    if transcriber is None or rate != 16000:
        return None
    try:
        from coach.transcribe.streaming import StreamingTranscriber
    except ImportError:
        return None
    return StreamingTranscriber(
        transcriber, rate=rate, vocabulary=prompt.vocabulary, on_words=on_words
    )


def preflight(ctx: Context) -> str | None:
    """None when the microphone can record, else what is wrong and what to do."""
    try:
        from coach.audio.devices import preflight as check
    except ImportError as exc:
        return f"audio support is not available ({exc})"
    return check(ctx.settings.input_device or None, rate=ctx.settings.sample_rate)


def microphone_name(ctx: Context) -> str:
    """The microphone recording will use, as the home screen names it."""
    try:
        from coach.audio.devices import describe_input, input_device_name
    except ImportError:
        return ctx.settings.input_device or "default input"
    setting = ctx.settings.input_device
    return describe_input(setting, input_device_name(setting or None))


def new_take(
    ctx: Context, prompt: Prompt, follows: Attempt | None, question: str | None
) -> Attempt:
    """A fresh attempt folder, marked "recording" (by this process) before the first sample."""
    from coach.recovery import this_process

    return new_attempt(
        ctx.home,
        prompt.id,
        state="recording",
        follows=follows.id if follows else None,
        follow_up_question=question,
        extra=this_process(),
    )


def discard(ctx: Context, attempt: Attempt) -> None:
    """Delete a take the user chose not to keep (only ever inside the attempts folder)."""
    folder = attempt.path.resolve()
    if folder.parent != attempts_dir(ctx.home).resolve():
        raise CoachError(f"refusing to delete {folder}: not an attempt folder")
    shutil.rmtree(folder, ignore_errors=True)


def recorded(attempt: Attempt, result: Any) -> Attempt:
    """Mark a finished take as waiting for analysis, with what the recorder measured."""
    return update_attempt(
        attempt,
        state="analysing",
        recording_s=float(getattr(result, "duration_s", 0.0)),
        dropped_blocks=int(getattr(result, "dropped_blocks", 0)),
    )


def speak(text: str) -> None:
    """Start reading the prompt aloud (returns at once); no engine means no sound."""
    from coach.audio import speak as speech

    speech.speak(text)


def speak_and_wait(text: str) -> None:
    """Read a follow-up aloud and return once it has been read (call in a worker thread)."""
    from coach.audio import speak as speech

    speech.speak_and_wait(text)


def stop_speaking() -> None:
    """Stop reading aloud: the user started answering."""
    from coach.audio import speak as speech

    speech.stop()


def rate(ctx: Context, attempt: Attempt, rating: str) -> str:
    """Store the user's rating (replacing an earlier one) and reschedule the prompt; returns
    a line for the user."""
    from datetime import UTC, datetime

    from coach.core.history import open_history

    with open_history(ctx.home) as history:
        card = history.set_rating(attempt.id, rating)
    if card is None:
        return f"Rated {rating}"
    if card.due <= datetime.now(UTC):
        return f"Rated {rating}: the prompt is due now"
    return f"Rated {rating}: next review {card.due.astimezone():%a %d %b}"


def self_rate(ctx: Context, attempt: Attempt, rating: str) -> Attempt:
    """Store the user's grade of their own answer (given before the score); returns the
    attempt as saved."""
    from coach.core.attempts import load_attempt
    from coach.core.history import open_history

    with open_history(ctx.home) as history:
        history.set_self_rating(attempt.id, rating)
    return load_attempt(attempt.path)


def fitting_stories(ctx: Context, prompt: Prompt) -> list[tuple[str, tuple[str, ...]]]:
    """(title, shared themes) of the user's stories that fit ``prompt``, best fit first."""
    from coach.core.stories import fits, load_stories, stories_for
    from coach.paths import user_stories_dir

    bank = load_stories(user_stories_dir(ctx.home))
    return [(s.title, fits(s, prompt)) for s in stories_for(prompt, bank.stories)]


def open_in_browser(path: Path) -> None:
    """Open a local file (report, dashboard, folder) in the user's browser or file manager."""
    if not path.exists():
        raise CoachError(f"{path} does not exist yet")
    if not webbrowser.open(path.resolve().as_uri()):  # False: no browser could be started
        raise CoachError(f"no web browser found to open it; open {path} yourself")


def import_file(ctx: Context, path: Path, prompt: Prompt | None) -> Attempt:
    """Copy a recording file into a new attempt, ready for the processing screen."""
    from coach.pipeline import import_recording

    path = path.expanduser()
    if not path.is_file():
        raise CoachError(f"no such file: {path}")
    return import_recording(ctx, path, prompt)


def write_dashboard(ctx: Context) -> Path:
    """Regenerate the progress dashboard (``index.html`` in the home) and return its path."""
    from coach.core.attempts import now_iso
    from coach.core.progress import write_home_dashboard

    path, _count = write_home_dashboard(
        ctx.home, dict(ctx.library().prompts), generated_at=now_iso(), plan=ctx.settings.plan
    )
    return path


def latest_analysed(ctx: Context) -> tuple[Attempt, Analysis] | None:
    """The most recent attempt that has an analysis, for "review the last attempt"."""
    from coach.core.attempts import iter_attempts, read_analysis

    for attempt in reversed(iter_attempts(ctx.home)):
        data = read_analysis(attempt)
        if data is not None:
            return attempt, Analysis.from_dict(data)
    return None


def reanalyse(
    ctx: Context, attempt: Attempt, prompt: Prompt | None, corrections: list[dict[str, Any]]
) -> tuple[Attempt, Analysis]:
    """Re-run the analysis with the user's filler corrections; rewrites analysis.json/report."""
    from coach.pipeline import reanalyze

    return reanalyze(ctx, attempt, prompt, corrections)
