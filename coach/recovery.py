"""Recovery of attempts whose process died (crash, SIGKILL, power loss) mid-way.

Every attempt in progress carries the pid of the process working on it: a take is saved as
"recording" before its first sample, an analysis marks its attempt "analysing" before it starts.
Every ``coach`` command runs ``recover_interrupted`` first (``coach.cli.main``), and any such
attempt whose process is gone is repaired:

- a recording cut off (or a recorded take whose analysis was cut off): its WAV is repaired (sizes
  fixed from the file length, see wavfile.repair_wav) and the attempt is marked "recovered" with
  the seconds kept;
- an import whose analysis was cut off (``coach analyze FILE`` killed): its copy of the
  recording is whole, so it is marked "interrupted"; ``coach analyze ID`` analyses it again.

An attempt whose process is still alive (the app and a ``coach analyze`` at once in one home)
is never touched. The history database is told too, so ``coach history``, the dashboard and
the app agree with the folders.

It runs at every command start, so it reads only what can be in progress: the folders the
history database does not list as finished (a few, against thousands of finished ones). With
no readable database it reads every folder; ``coach history --rebuild`` does too.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from coach.core.attempts import (
    IN_PROGRESS,
    Attempt,
    iter_attempts,
    load_attempt,
    read_analysis,
    update_attempt,
)
from coach.errors import CoachError
from coach.paths import attempts_dir, database_path

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


def process_start(pid: int) -> int | None:
    """When the process ``pid`` started (clock ticks since boot, from Linux's /proc; None where
    that is not known), so a pid reused by another process is not taken for the one that died.
    """
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def this_process() -> dict[str, int]:
    """What an attempt in progress records about the process working on it: its pid and,
    where known, when it started (pids are reused: 32768 of them go round within the hour on a
    busy machine)."""
    mark = {"pid": os.getpid()}
    started = process_start(mark["pid"])
    if started is not None:
        mark["pid_started"] = started
    return mark


def is_interrupted(attempt: Attempt) -> bool:
    """A take whose process died while recording it, or while analysing it after recording.

    A "recording" attempt with no pid counts too (nothing can still be writing it); an
    "analysing" one only with a pid, so an attempt being analysed by a live process (a TUI or a
    ``coach analyze`` running beside this one) is never touched. A live process with the pid
    but another start time is another process: the one that worked on the attempt is gone.
    """
    pid = attempt.extra.get("pid")
    recording = attempt.state == "recording"
    analysing = attempt.state == "analysing" and pid is not None
    if not (recording or analysing):
        return False
    try:
        pid = int(pid)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
    if not pid_alive(pid):
        return True
    started = attempt.extra.get("pid_started")
    now = process_start(pid) if started is not None else None
    return now is not None and now != started


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


INTERRUPTED_ANALYSIS = "the analysis was interrupted; run 'coach analyze {id}' to analyse it again"


def working_process(attempt: Attempt) -> int | None:
    """The pid of the live process still recording or analysing this attempt, else None."""
    if attempt.state not in IN_PROGRESS or is_interrupted(attempt):
        return None
    try:
        return int(attempt.extra.get("pid"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None  # "analysing" with no pid: nothing says who, so nothing to wait for


def _finished_in_index(home: Path) -> set[str] | None:
    """Ids the history database lists in a final state, or None if it cannot be read.

    A plain read-only connection: no schema check or migration, and a missing file is never
    created (``coach prompts list`` in a fresh home must leave it empty)."""
    db = database_path(home)
    if not db.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error:
        return None
    try:
        marks = ", ".join("?" for _ in IN_PROGRESS)
        rows = conn.execute(f"SELECT id FROM attempts WHERE state NOT IN ({marks})", IN_PROGRESS)
        return {row[0] for row in rows}
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def candidates(home: Path, everything: bool = False) -> list[Attempt]:
    """The attempts that may be in progress: every folder the index does not list as finished
    (all of them when ``everything`` or the index is unreadable), oldest first.

    An attempt finished in the index can only be back in progress through ``analyze_attempt``,
    which tells the index before it starts; if that write failed, ``--rebuild`` still finds it.
    """
    if everything:
        return iter_attempts(home)
    root = attempts_dir(home)
    finished = _finished_in_index(home)
    if finished is None:
        return iter_attempts(home)
    try:
        names = sorted(e.name for e in os.scandir(root) if e.name not in finished and e.is_dir())
    except OSError:
        return []
    found = []
    for name in names:
        try:
            found.append(load_attempt(root / name))
        except (OSError, ValueError, TypeError):
            continue
    return found


def recover_interrupted(home: Path, *, everything: bool = False) -> list[Attempt]:
    """Repair every attempt whose process died mid-way; returns the attempts changed.

    Recordings (and recorded takes cut off in their analysis) are repaired and marked
    "recovered"; imports cut off in their analysis are marked "interrupted". Stale temp files
    are removed from the attempts looked at (``everything``: from every attempt)."""
    if not attempts_dir(home).is_dir():
        return []
    changed = []
    for attempt in candidates(home, everything):
        remove_stale_temp_files(attempt.path)
        if is_interrupted(attempt):
            changed.append(_recover(attempt))
    if changed:
        _index(home, changed)
    return changed


def _recover(attempt: Attempt) -> Attempt:
    extra = {**attempt.extra, "interrupted": True}
    extra.pop("pid", None)  # no process works on it any more
    extra.pop("pid_started", None)
    if attempt.source == "import":  # the copy is whole; only its analysis was cut short
        return update_attempt(
            attempt, state="interrupted", extra=extra,
            error=INTERRUPTED_ANALYSIS.format(id=attempt.id),
        )
    from coach.audio.wavfile import repair_wav  # numpy: only when there is a take to repair

    try:
        seconds = repair_wav(attempt.recording_path)
    except (CoachError, OSError) as exc:
        return update_attempt(
            attempt, state="failed", extra=extra,
            error=f"the recording was interrupted and could not be recovered: {exc}",
        )
    return update_attempt(attempt, state="recovered", recording_s=round(seconds, 3),
                          extra=extra, error=None)


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
