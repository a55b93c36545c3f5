"""Messages the app's workers and widgets post: small dataclasses, one per event.

Workers (recording, model loading, analysis) run in threads and talk to the UI only through
these. Frequent ones (the level meter, analysis progress) override ``can_replace`` so a burst
collapses into the latest value instead of queueing behind the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from coach.core.attempts import Attempt
from coach.core.model import Analysis


@dataclass
class LevelChanged(Message, bubble=False):
    """The microphone's input level, 0..1 (from the recorder's writer thread)."""

    level: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LevelChanged)


@dataclass
class RecordingProblem(Message, bubble=False):
    """The recorder's watchdog noticed something (silence, a stalled stream, dropped blocks)."""

    text: str


@dataclass
class PreflightChecked(Message):
    """Result of the microphone check: None when recording can start, and then the name of
    the microphone in use when known."""

    problem: str | None
    microphone: str | None = None


@dataclass
class ModelLoaded(Message):
    transcriber: Any


@dataclass
class ModelFailed(Message):
    error: str


@dataclass
class AnalysisProgress(Message, bubble=False):
    fraction: float
    stage: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnalysisProgress)


@dataclass
class AnalysisDone(Message):
    attempt: Attempt
    analysis: Analysis


@dataclass
class AnalysisFailed(Message):
    error: str


@dataclass
class DueLoaded(Message):
    """The scheduler's marks for the home screen: prompt id -> "due" / "new"."""

    marks: dict[str, str]
    problem: str | None = None


@dataclass
class Reanalysed(Message):
    """The analysis was re-run after a correction."""

    attempt: Attempt
    analysis: Analysis


@dataclass
class Notice(Message):
    """A one-line result of a background action (rating stored, report opened, an error)."""

    text: str
    severity: str = "information"


@dataclass
class PlaybackPosition(Message, bubble=False):
    """Where replay is, in seconds (from the player's ticker thread)."""

    seconds: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PlaybackPosition)


@dataclass
class LiveWords(Message, bubble=False):
    """Words transcribed so far while recording (only when the live transcript is on)."""

    text: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LiveWords)


@dataclass
class StoriesFound(Message, bubble=False):
    """The user's stories that fit a behavioral prompt (title, shared themes), best first."""

    stories: list[tuple[str, tuple[str, ...]]]
    problem: str | None = None


@dataclass
class TakeAnalysed(Message):
    """An answer of the interview round was analysed (the round picks the next follow-up)."""

    attempt: Attempt
    analysis: Analysis


@dataclass
class TakeFailed(Message):
    """An answer of the interview round could not be analysed (its recording is kept)."""

    error: str


@dataclass
class RoundWritten(Message):
    """The interview round is over and its summary page is written."""

    summary: dict[str, Any]
    path: Any
