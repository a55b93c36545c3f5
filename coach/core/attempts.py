"""Attempt folders: the source of truth for every answer a user recorded or imported.

Each attempt is a folder ``<home>/attempts/<id>/`` holding ``attempt.json`` (who, when, state),
the recording, ``analysis.json`` and ``report.html``. The SQLite history is an index over these
folders and can always be rebuilt from them, so a folder is written before the index is told.
Every file is written atomically (temp file, fsync, rename) with user-only permissions.

Reading is tolerant, because one damaged file must never hide an attempt: ``load_attempt``
returns an attempt for every folder, whatever is missing, empty, garbage or wrong-shaped in its
``attempt.json``, ``analysis.json`` or ``transcript.json``; what is wrong is in its ``damage``
(file name -> why, naming the file once), and its recording stays there to replay or analyse
again. Readers show such an attempt as "damaged" instead of skipping it or raising.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import types
import typing
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coach.core.model import Analysis, Transcript
from coach.paths import attempts_dir

ATTEMPT_FILE = "attempt.json"
ANALYSIS_FILE = "analysis.json"
REPORT_FILE = "report.html"
RECORDING_FILE = "recording.wav"
TRANSCRIPT_FILE = "transcript.json"

STATES = ("recording", "analysing", "analysed", "recovered", "interrupted", "failed")
DAMAGED = "damaged"  # shown instead of the state when a file of the attempt is damaged
# A process is still writing an attempt in these states (or died doing so: coach.recovery).
IN_PROGRESS = ("recording", "analysing")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_atomic(path: Path, data: str | bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old or the new file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Attempt:
    """An attempt's metadata, as stored in ``attempt.json``."""

    id: str
    folder: str
    prompt_id: str | None = None
    started_at: str = field(default_factory=now_iso)
    state: str = "recording"
    source: str = "recording"  # "recording" (made in the coach) or "import" (coach analyze)
    source_audio: str = ""  # the imported file's original path, for imports
    recording: str = RECORDING_FILE  # file name inside the folder, or an absolute path
    follows: str | None = None  # the attempt this one follows up (follow-up questions)
    follow_up_question: str | None = None
    rating: str | None = None  # Again / Hard / Good / Easy, once the user rates it
    self_rating: str | None = None  # the user's own grade before seeing the score (same scale)
    error: str | None = None
    dropped_blocks: int = 0
    recording_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    # What is damaged in the folder, file name -> why (never written to attempt.json).
    damage: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def path(self) -> Path:
        return Path(self.folder)

    @property
    def recording_path(self) -> Path:
        rec = Path(self.recording)
        return rec if rec.is_absolute() else self.path / rec

    @property
    def analysis_path(self) -> Path:
        return self.path / ANALYSIS_FILE

    @property
    def report_path(self) -> Path:
        return self.path / REPORT_FILE

    @property
    def shown_state(self) -> str:
        """The state a list shows: "damaged" when a file of the attempt is."""
        return DAMAGED if self.damage else self.state

    @property
    def damage_text(self) -> str:
        """What is damaged, one clause per file, each naming its file once."""
        return "; ".join(self.damage.values())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("folder")
        data.pop("damage")
        return data


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "free"


def new_attempt(home: Path, prompt_id: str | None, **fields: Any) -> Attempt:
    """Create a fresh attempt folder and its ``attempt.json``; ids are unique and sortable."""
    root = attempts_dir(home)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-{_slug(prompt_id or 'free')}"
    for n in range(1000):
        attempt_id = base if n == 0 else f"{base}-{n + 1}"
        folder = root / attempt_id
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        attempt = Attempt(id=attempt_id, folder=str(folder), prompt_id=prompt_id, **fields)
        save_attempt(attempt)
        return attempt
    raise RuntimeError(f"could not create an attempt folder under {root}")


def keep_damaged(attempt: Attempt, name: str) -> None:
    """Before a damaged file of the attempt is written afresh, keep it beside as
    ``NAME.damaged`` (the first one kept stays): a repair never throws anything away."""
    path = attempt.path / name
    kept = path.with_name(name + ".damaged")
    if name in attempt.damage and path.is_file() and not kept.exists():
        os.replace(path, kept)


def save_attempt(attempt: Attempt) -> Attempt:
    """Write ``attempt.json`` (a damaged one is kept aside first); the attempt returned says
    what is still damaged in its folder."""
    keep_damaged(attempt, ATTEMPT_FILE)
    write_atomic(attempt.path / ATTEMPT_FILE, json.dumps(attempt.to_dict(), indent=2))
    return load_attempt(attempt.path) if attempt.damage else attempt


def update_attempt(attempt: Attempt, **changes: Any) -> Attempt:
    return save_attempt(replace(attempt, **changes))


def _what(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a number" if isinstance(value, int | float) else type(value).__name__


def read_json_object(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object in ``path``, as ``(data, None)``; ``(None, None)`` when there is no such
    file; ``(None, why)`` when it is there but unusable, ``why`` naming the file once."""
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{name} cannot be read ({exc.strerror or type(exc).__name__})"
    if not raw.strip():
        return None, f"{name} is empty"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, f"{name} is garbage (not text)"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"{name} is not valid JSON ({exc.msg}, line {exc.lineno})"
    except (ValueError, RecursionError):
        return None, f"{name} is not valid JSON"
    if not isinstance(data, dict):
        return None, f"{name} holds {_what(data)}, not an object"
    return data, None


def _fits(value: Any, hint: Any) -> bool:
    """Whether a value read from JSON has the type of an Attempt field (``str | None``, ...)."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for option in options:
        kind = typing.get_origin(option) or option
        if option is type(None):
            if value is None:
                return True
        elif isinstance(value, bool):
            continue
        elif isinstance(kind, type) and isinstance(value, int | float if kind is float else kind):
            return True
    return False


FIELD_TYPES = {
    name: hint for name, hint in typing.get_type_hints(Attempt).items()
    if name not in ("folder", "damage")
}
REQUIRED = ("id", "started_at", "state")


def _attempt_fields(data: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The usable fields of an ``attempt.json`` and what is wrong with the rest, if anything."""
    fields = {k: v for k, v in data.items() if k in FIELD_TYPES and _fits(v, FIELD_TYPES[k])}
    if "state" in fields and fields["state"] not in STATES:
        fields.pop("state")
    if "started_at" in fields:
        try:
            datetime.fromisoformat(fields["started_at"])
        except ValueError:
            fields.pop("started_at")
    wrong = [k for k in FIELD_TYPES if k in data and k not in fields]
    missing = [k for k in REQUIRED if k not in data]
    problems = []
    if wrong:
        problems.append(f"wrong values for {', '.join(wrong)}")
    if missing:
        problems.append(f"no {', '.join(missing)}")
    return fields, (f"{ATTEMPT_FILE} has {' and '.join(problems)}" if problems else None)


def _started_at_of(folder: Path) -> str:
    """When an attempt whose ``attempt.json`` lost it started: its folder's name says it to the
    second (``new_attempt`` names folders after the local time), else the folder's mtime."""
    try:
        local = datetime.strptime(folder.name[:15], "%Y%m%d-%H%M%S").astimezone()
    except ValueError:
        local = datetime.fromtimestamp(folder.stat().st_mtime).astimezone()
    return local.astimezone(UTC).isoformat(timespec="seconds")


def _recording_of(folder: Path) -> str:
    """The recording's file name in a folder whose ``attempt.json`` lost it."""
    found = sorted(p.name for p in folder.glob("recording.*") if p.is_file())
    return found[0] if found else RECORDING_FILE


def _check_analysis(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """``analysis.json`` as a dict if it holds an analysis the review can show."""
    data, why = read_json_object(path)
    if data is None:
        return None, why
    try:
        Analysis.from_dict(data)
        if not all(isinstance(w, dict) and "text" in w for w in data.get("words") or []):
            raise ValueError("words")
    except (KeyError, TypeError, ValueError, AttributeError):
        return None, f"{ANALYSIS_FILE} does not hold an analysis"
    return data, None


def _check_transcript(path: Path) -> tuple[Transcript | None, str | None]:
    data, why = read_json_object(path)
    if data is None:
        return None, why
    try:
        return Transcript.from_dict(data), None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None, f"{TRANSCRIPT_FILE} does not hold a transcript"


def load_attempt(folder: Path) -> Attempt:
    """The attempt in ``folder``, whatever is damaged in it (see the module docstring).

    Raises FileNotFoundError only when the folder itself is not there. Fields ``attempt.json``
    lost are taken from what is left: the id from the folder's name, the start from that name
    or its mtime, the prompt from ``analysis.json``, the recording from the files.
    """
    if not folder.is_dir():
        raise FileNotFoundError(folder)
    data, why = read_json_object(folder / ATTEMPT_FILE)
    if data is None and why is None:
        why = f"{ATTEMPT_FILE} is missing"
    fields, wrong = _attempt_fields(data or {})
    damage = {ATTEMPT_FILE: why or wrong} if why or wrong else {}
    analysis, analysis_why = _check_analysis(folder / ANALYSIS_FILE)
    if damage:
        guessed_prompt = (analysis or {}).get("prompt_id")
        fields = {
            "id": folder.name,
            "started_at": _started_at_of(folder),
            "state": "analysed" if analysis is not None else "failed",
            "recording": _recording_of(folder),
            "prompt_id": guessed_prompt if isinstance(guessed_prompt, str) else None,
            **fields,
        }
    if fields.get("state") == "analysed" and analysis is None and analysis_why is None:
        analysis_why = f"{ANALYSIS_FILE} is missing"
    if analysis_why:
        damage[ANALYSIS_FILE] = analysis_why
    _transcript, transcript_why = _check_transcript(folder / TRANSCRIPT_FILE)
    if transcript_why:
        damage[TRANSCRIPT_FILE] = transcript_why
    return Attempt(folder=str(folder), damage=damage, **fields)


def find_attempt(home: Path, attempt_id: str) -> Attempt:
    """The attempt with this id (or a folder path); raises FileNotFoundError if none."""
    candidate = Path(attempt_id)
    if (candidate / ATTEMPT_FILE).is_file():
        return load_attempt(candidate)
    if not attempt_id or attempt_id.startswith(".") or candidate.name != attempt_id:
        raise FileNotFoundError(attempt_id)  # an id is a folder's name, never a way out
    return load_attempt(attempts_dir(home) / attempt_id)


def iter_attempts(home: Path) -> list[Attempt]:
    """Every attempt folder, oldest first, damaged ones included (see ``load_attempt``)."""
    root = attempts_dir(home)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            found.append(load_attempt(folder))
        except OSError:  # deleted meanwhile
            continue
    return found


def write_analysis(attempt: Attempt, analysis_dict: dict[str, Any]) -> None:
    keep_damaged(attempt, ANALYSIS_FILE)
    write_atomic(attempt.analysis_path, json.dumps(analysis_dict, indent=2, ensure_ascii=False))


def read_analysis(attempt: Attempt) -> dict[str, Any] | None:
    """The attempt's analysis, or None if it has none or it is damaged (``load_attempt`` says
    which)."""
    return _check_analysis(attempt.analysis_path)[0]


def read_transcript(attempt: Attempt) -> Transcript | None:
    """The attempt's saved transcript, or None if it has none or it is damaged."""
    return _check_transcript(attempt.path / TRANSCRIPT_FILE)[0]


def follow_ups_of(home: Path, attempt_id: str) -> list[Attempt]:
    """The attempts that follow up ``attempt_id`` directly, oldest first."""
    return [a for a in iter_attempts(home) if a.follows == attempt_id]


def follow_up_chain(home: Path, attempt: Attempt) -> list[Attempt]:
    """The whole chain ``attempt`` belongs to: the first answer, then every follow-up to it
    (and to those), in the order they were recorded. A missing first answer starts the chain
    at the oldest one still on disk."""
    every = iter_attempts(home)
    by_id = {a.id: a for a in every}
    root, seen = by_id.get(attempt.id, attempt), {attempt.id}
    while root.follows and root.follows in by_id and root.follows not in seen:
        seen.add(root.follows)
        root = by_id[root.follows]
    chain, members = [root], {root.id}
    for candidate in every:  # oldest first, so a follow-up comes after what it follows
        if candidate.follows in members and candidate.id not in members:
            chain.append(candidate)
            members.add(candidate.id)
    return chain
