"""Recovery of takes whose recording process died (crash, SIGKILL, power loss).

A recording's attempt is saved as state "recording" with the recorder's pid before the first
sample. At the next start, any such attempt whose process is gone had its recording cut off:
its WAV is repaired (sizes fixed from the file length, see wavfile.repair_wav) and the attempt is
marked "recovered" with the seconds kept, so the user finds it and can analyse it. The history
database is told too, so ``coach history``, the dashboard and the TUI agree with the folders.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from coach.audio.wavfile import repair_wav
from coach.core.attempts import Attempt, iter_attempts, read_analysis, update_attempt
from coach.errors import CoachError

log = logging.getLogger(__name__)


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists (and is not a zombie waiting to be reaped)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def is_interrupted(attempt: Attempt) -> bool:
    """A take whose process died while recording it, or while analysing it after recording.

    A "recording" attempt with no pid counts too (nothing can still be writing it); an
    "analysing" one only with a pid, so an attempt being analysed by a live process (a TUI or a
    ``coach analyze`` running beside this one) is never touched.
    """
    pid = attempt.extra.get("pid")
    recording = attempt.state == "recording"
    analysing = attempt.state == "analysing" and pid is not None
    if not (recording or analysing):
        return False
    try:
        return not pid_alive(int(pid))
    except (TypeError, ValueError):
        return True


STALE_TEMP_S = 3600  # a temp file this old belongs to a write that died, not one under way


def remove_stale_temp_files(folder: Path, now: float | None = None) -> int:
    """Delete what an atomic write killed before its rename left behind (``.NAME.*.tmp``)."""
    now = time.time() if now is None else now
    removed = 0
    for tmp in folder.glob(".*.tmp"):
        try:
            if now - tmp.stat().st_mtime > STALE_TEMP_S:
                tmp.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def recover_interrupted(home: Path) -> list[Attempt]:
    """Repair and mark "recovered" every interrupted recording; returns the attempts changed."""
    changed = []
    for attempt in iter_attempts(home):
        remove_stale_temp_files(attempt.path)
        if not is_interrupted(attempt):
            continue
        extra = {**attempt.extra, "interrupted": True}
        if attempt.source == "import":  # the copy is whole; only its analysis was cut short
            changed.append(
                update_attempt(
                    attempt, state="failed", extra=extra,
                    error="the analysis was interrupted; run 'coach analyze' on it again",
                )
            )
            continue
        try:
            seconds = repair_wav(attempt.recording_path)
        except (CoachError, OSError) as exc:
            changed.append(
                update_attempt(
                    attempt, state="failed", extra=extra,
                    error=f"the recording was interrupted and could not be recovered: {exc}",
                )
            )
            continue
        changed.append(
            update_attempt(attempt, state="recovered", recording_s=round(seconds, 3), extra=extra)
        )
    if changed:
        _index(home, changed)
    return changed


def _index(home: Path, attempts: list[Attempt]) -> None:
    """Record the new states in the history database (the folders stay the source of truth:
    if the database cannot be written, ``coach history --rebuild`` brings it back in line)."""
    from coach.core.history import open_history

    try:
        with open_history(home) as history:
            for attempt in attempts:
                history.record_attempt(attempt, read_analysis(attempt))
    except (CoachError, OSError, sqlite3.Error) as exc:
        log.warning("history not updated after recovery (%s); run 'coach history --rebuild'", exc)
