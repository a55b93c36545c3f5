"""The coach's data model: plain dataclasses shared by every layer.

Everything that crosses a boundary (transcriber -> analysis -> report/storage/TUI) is one of
these types, so the TUI, the CLI and the core agree on one shape. They hold no behaviour beyond
conversion to and from the JSON written in ``analysis.json``; the logic lives in the modules that
produce them. Nothing here imports Textual, sounddevice or faster-whisper.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, Literal

Pillar = Literal["coding", "system-design", "behavioral"]
Level = Literal["senior", "staff"]
FillerKind = Literal["hesitation", "discourse"]

PILLARS: tuple[str, ...] = ("coding", "system-design", "behavioral")
LEVELS: tuple[str, ...] = ("senior", "staff")


# --------------------------------------------------------------------------- transcript


@dataclass(frozen=True)
class Word:
    """One transcribed word with its timing on the recording's timeline (seconds)."""

    text: str
    start: float
    end: float
    prob: float = 1.0


@dataclass(frozen=True)
class Transcript:
    """What the transcriber hands to the analysis: words plus what the audio itself says.

    ``speech_regions`` come from voice activity in the audio (not from word timestamps), so
    speaking time stays honest even where Whisper stretches or drops a word.
    """

    words: tuple[Word, ...]
    duration_s: float
    speech_regions: tuple[tuple[float, float], ...] = ()
    model: str = ""
    no_speech: bool = False

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def to_dict(self) -> dict[str, Any]:
        return {
            "words": [{"text": w.text, "start": w.start, "end": w.end, "prob": w.prob}
                      for w in self.words],
            "duration_s": self.duration_s,
            "speech_regions": [list(r) for r in self.speech_regions],
            "model": self.model,
            "no_speech": self.no_speech,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        return cls(
            words=tuple(Word(**w) for w in data.get("words", [])),
            duration_s=float(data.get("duration_s", 0.0)),
            speech_regions=tuple((float(a), float(b)) for a, b in data.get("speech_regions", [])),
            model=str(data.get("model", "")),
            no_speech=bool(data.get("no_speech", False)),
        )


# --------------------------------------------------------------------------- prompts


@dataclass(frozen=True)
class KeyPoint:
    """A point a strong answer makes, with the phrasings that show it was made."""

    id: str
    text: str
    phrases: tuple[str, ...]
    why: str = ""  # why an interviewer listens for it (shown beside a missed point)
    probe: str = ""  # an interviewer's follow-up question that pulls on this point
    weight: int = 1  # 1-3: how much the point matters to an interviewer (3 = must have)


@dataclass(frozen=True)
class Prompt:
    """An interview question to rehearse, loaded from a Markdown file with YAML front matter."""

    id: str
    title: str
    pillar: str
    level: str
    question: str
    prep_seconds: int
    answer_seconds: int
    key_points: tuple[KeyPoint, ...] = ()
    follow_ups: tuple[str, ...] = ()
    notes: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] = ()
    source: str = ""
    themes: tuple[str, ...] = ()  # behavioral prompts: the story themes they ask for (THEMES)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class Filler:
    text: str
    kind: str  # FillerKind
    start: float
    end: float
    word_index: int = -1


@dataclass(frozen=True)
class Pause:
    start: float
    end: float
    kind: str = "gap"  # "gap" (silence between words) or "stretched" (one word held ~1 s+)

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Marker:
    """A reasoning marker ("because", "trade-off", ...) found in the transcript."""

    text: str
    start: float
    end: float
    word_index: int = -1


@dataclass(frozen=True)
class KeyPointResult:
    id: str
    text: str
    covered: bool
    hits: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoreComponent:
    """One line of the score's transparent breakdown."""

    name: str
    value: float
    points: float
    max_points: float
    band: str
    source: str
    note: str = ""


@dataclass
class Analysis:
    """Everything the coach measured about one answer. ``to_dict`` is the ``--json`` shape."""

    audio: str
    duration_s: float
    speech_s: float
    transcript: str
    words: list[dict[str, Any]]
    fillers: list[Filler]
    pauses: list[Pause]
    wpm: float
    reasoning: dict[str, Any]
    coverage: dict[str, Any] | None
    score: dict[str, Any]
    report: str = ""
    prompt_id: str | None = None
    no_speech: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # issue 13 (plain JSON shapes, as in analysis.json): red flags with evidence, hedging,
    # leaned-on phrases, pitch variety (None when the recording was not available)
    red_flags: list[dict[str, Any]] = field(default_factory=list)
    hedges: dict[str, Any] | None = None
    repetition: list[dict[str, Any]] = field(default_factory=list)
    pitch: dict[str, Any] | None = None
    # the user's own grade (again/hard/good/easy) given before the score was shown, or None
    self_rating: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # ``asdict`` deep-copies every leaf: for a 10 min take that was 0.1 s of the wait
        # after stop; the JSON shapes here are plain dicts, lists and immutable leaves
        data = {f.name: _plain(getattr(self, f.name)) for f in fields(self)}
        data["fillers"] = [asdict(f) for f in self.fillers]
        data["pauses"] = [{**asdict(p), "duration": round(p.duration, 3)} for p in self.pauses]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        pauses = [
            Pause(start=p["start"], end=p["end"], kind=p.get("kind", "gap"))
            for p in data.get("pauses", [])
        ]
        return cls(
            audio=data.get("audio", ""),
            duration_s=float(data.get("duration_s", 0.0)),
            speech_s=float(data.get("speech_s", 0.0)),
            transcript=data.get("transcript", ""),
            words=list(data.get("words", [])),
            fillers=[Filler(**f) for f in data.get("fillers", [])],
            pauses=pauses,
            wpm=float(data.get("wpm", 0.0)),
            reasoning=dict(data.get("reasoning", {})),
            coverage=data.get("coverage"),
            score=dict(data.get("score", {})),
            report=data.get("report", ""),
            prompt_id=data.get("prompt_id"),
            no_speech=bool(data.get("no_speech", False)),
            extra=dict(data.get("extra", {})),
            red_flags=list(data.get("red_flags") or []),
            hedges=data.get("hedges"),
            repetition=list(data.get("repetition") or []),
            pitch=data.get("pitch"),
            self_rating=data.get("self_rating"),
        )


def _plain(value: Any) -> Any:
    """A copy of JSON-shaped ``value`` (dicts, lists, tuples, dataclasses) sharing its
    immutable leaves: what ``asdict`` gives, without deep-copying every number."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value
