"""Attempt folders: the source of truth for every answer a user recorded or imported.

Each attempt is a folder ``<home>/attempts/<id>/`` holding ``attempt.json`` (who, when, state),
the recording, ``analysis.json`` and ``report.html``. The SQLite history is an index over these
folders and can always be rebuilt from them, so a folder is written before the index is told.
Every file is written atomically (temp file, fsync, rename) with user-only permissions.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coach.paths import attempts_dir

ATTEMPT_FILE = "attempt.json"
ANALYSIS_FILE = "analysis.json"
REPORT_FILE = "report.html"
RECORDING_FILE = "recording.wav"

STATES = ("recording", "analysing", "analysed", "recovered", "interrupted", "failed")
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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("folder")
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


def save_attempt(attempt: Attempt) -> Attempt:
    write_atomic(attempt.path / ATTEMPT_FILE, json.dumps(attempt.to_dict(), indent=2))
    return attempt


def update_attempt(attempt: Attempt, **changes: Any) -> Attempt:
    return save_attempt(replace(attempt, **changes))


def load_attempt(folder: Path) -> Attempt:
    """Read ``attempt.json`` from an attempt folder (raises OSError/ValueError if unreadable)."""
    data = json.loads((folder / ATTEMPT_FILE).read_text(encoding="utf-8"))
    known = {f for f in Attempt.__dataclass_fields__ if f != "folder"}
    return Attempt(folder=str(folder), **{k: v for k, v in data.items() if k in known})


def find_attempt(home: Path, attempt_id: str) -> Attempt:
    """The attempt with this id (or a folder path); raises FileNotFoundError if none."""
    candidate = Path(attempt_id)
    folder = candidate if (candidate / ATTEMPT_FILE).is_file() else attempts_dir(home) / attempt_id
    if not (folder / ATTEMPT_FILE).is_file():
        raise FileNotFoundError(attempt_id)
    return load_attempt(folder)


def iter_attempts(home: Path) -> list[Attempt]:
    """Every readable attempt folder, oldest first; unreadable ones are skipped."""
    root = attempts_dir(home)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        try:
            found.append(load_attempt(folder))
        except (OSError, ValueError, TypeError):
            continue
    return found


def write_analysis(attempt: Attempt, analysis_dict: dict[str, Any]) -> None:
    write_atomic(attempt.analysis_path, json.dumps(analysis_dict, indent=2, ensure_ascii=False))


def read_analysis(attempt: Attempt) -> dict[str, Any] | None:
    try:
        return json.loads(attempt.analysis_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


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
