"""``coach doctor``'s checks of files, and how every check's result is judged and shown.

A new user whose first answer fails wants one command that says what is wrong and how to fix
it, instead of an error at the end of a two-minute answer. Each check gives one ``Check``: OK,
a warning (practice works, something is worse than it should be) or a failure (practice is
blocked: no model, a home that cannot be written, a damaged database). Any failure makes the
command exit 1, so a setup script can rely on it.

The checks here read files only (the home folder, the history database, the prompts and
stories, the config), so they are plain Python and tested without a sound card. The probes of
the microphone, the speech engine and the model need sounddevice and faster-whisper, which the
core never imports: they live in ``coach.checkup`` and return the same ``Check``.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from coach.core.history import MIGRATIONS
from coach.core.prompts import check_paths, count_files, load_library
from coach.errors import CoachError
from coach.paths import attempts_dir, config_path, database_path, make_home, user_prompts_dir

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
LABELS = {OK: "OK", WARN: "WARN", FAIL: "FAIL", SKIP: "SKIP"}
# The sentence the app's start-up problems end with, so a user finds this command.
HINT = "Run 'coach doctor' to check everything the coach needs."

# A minute of recording is 1.9 MB (16 kHz, 16-bit mono) and its report a few hundred kB: below
# FAIL_FREE a couple of answers may not fit; below WARN_FREE a few weeks of practice may not.
FAIL_FREE_BYTES = 50 * 1024**2
WARN_FREE_BYTES = 500 * 1024**2


@dataclass(frozen=True)
class Check:
    """One line of ``coach doctor``: what was checked, how it went, and what to do about it."""

    name: str
    status: str
    summary: str
    fix: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.status == FAIL

    def line(self) -> str:
        text = f"{LABELS[self.status]:<5} {self.name:<8} {self.summary}"
        return f"{text}; fix: {self.fix}" if self.fix else text


def exit_code(checks: Sequence[Check]) -> int:
    """1 when anything blocks practice, else 0 (warnings do not)."""
    return 1 if any(check.blocking for check in checks) else 0


def verdict(checks: Sequence[Check]) -> str:
    """The last line: whether the user can practise, and what stops them."""
    failed = [c.name for c in checks if c.status == FAIL]
    warned = [c.name for c in checks if c.status == WARN]
    skipped = [c.name for c in checks if c.status == SKIP]
    if failed:
        text = (f"Not ready: {len(failed)} problem(s) block practice ({', '.join(failed)}); "
                "fix them and run 'coach doctor' again.")
    elif warned:
        text = f"Ready to practise, with {len(warned)} warning(s) ({', '.join(warned)})."
    else:
        text = "Ready to practise."
    if skipped:
        text += f" Not checked: {', '.join(skipped)}."
    return text


def as_json(home: Path, checks: Sequence[Check]) -> dict[str, Any]:
    """What ``coach doctor --json`` prints."""
    return {
        "home": str(home),
        "ready": exit_code(checks) == 0,
        "exit_code": exit_code(checks),
        "verdict": verdict(checks),
        "checks": [{**asdict(c), "line": c.line()} for c in checks],
    }


def skipped(name: str) -> Check:
    return Check(name, SKIP, f"not checked (--skip {name})")


# ---------------------------------------------------------------------- home


def _size(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


def _write_problem(folder: Path) -> OSError | None:
    """Why a file cannot be created in ``folder`` (None: it can), found by creating one."""
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".coach-doctor-")
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        return exc
    return None


def check_home(home: Path) -> Check:
    """Writable, user-only and with room for recordings; created (user-only) if missing."""
    fix_elsewhere = "or choose another home with --home DIR or COACH_HOME"
    try:
        make_home(home)
    except OSError as exc:
        return Check("home", FAIL, f"{home} does not exist and cannot be created "
                     f"({exc.strerror or exc})", f"create it yourself, {fix_elsewhere}")
    for folder in (home, attempts_dir(home)):
        problem = _write_problem(folder) if folder.is_dir() else None
        if problem:
            fix = f"chmod u+rwx {folder}, {fix_elsewhere}"
            if problem.errno == errno.EROFS:  # no chmod helps on a read-only file system
                fix = fix_elsewhere.removeprefix("or ")
            return Check("home", FAIL, f"{folder} is not writable ({problem.strerror}): "
                         "answers cannot be saved", fix)
    free = shutil.disk_usage(home).free
    if free < FAIL_FREE_BYTES:
        return Check("home", FAIL, f"{home}: only {_size(free)} free, not enough for a few "
                     "recorded answers", "free some disk space, " + fix_elsewhere,
                     {"free_bytes": free})
    mode = stat.S_IMODE(home.stat().st_mode)
    parts = [f"{home}: writable", f"{_size(free)} free"]
    status, fix = OK, ""
    if os.name == "posix" and mode & 0o077:
        parts.insert(1, f"open to other users (mode {mode:o}; it holds recordings of "
                     "your voice)")
        status, fix = WARN, f"chmod 700 {home}"
    else:
        parts.insert(1, f"user-only (mode {mode:o})")
    if free < WARN_FREE_BYTES:
        weeks = _size(WARN_FREE_BYTES)
        parts[-1] = f"only {_size(free)} free (a few weeks of answers take {weeks})"
        status, fix = WARN, "; ".join(filter(None, [fix, "free some disk space"]))
    return Check("home", status, ", ".join(parts), fix, {"free_bytes": free, "mode": f"{mode:o}"})


# ---------------------------------------------------------------------- history


def _attempt_folders(home: Path) -> int:
    root = attempts_dir(home)
    return sum(1 for p in root.iterdir() if p.is_dir()) if root.is_dir() else 0


def check_history(home: Path) -> Check:
    """``PRAGMA quick_check`` and the schema version, read-only: the doctor changes nothing."""
    path, known = database_path(home), len(MIGRATIONS)
    rebuild = ("run 'coach history --rebuild' (it recreates it from the attempt folders; the "
               "bad file is kept aside)")
    if not path.exists():
        folders = _attempt_folders(home)
        then = f", from the {folders} attempt folder(s)" if folders else ""
        return Check("history", OK, f"no {path.name} yet: it is created at the next start{then}")
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return Check("history", FAIL, f"{path} cannot be opened ({exc})",
                     f"check its permissions, or {rebuild}")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > known:
            return Check("history", FAIL, f"{path} was written by a newer coach (schema "
                         f"{version}, this one knows {known})", "upgrade coach",
                         {"schema": version})
        problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            return Check("history", FAIL, f"{path} is damaged (quick_check: {problems[0]})",
                         rebuild, {"schema": version, "quick_check": problems})
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        rows, damaged = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE state = 'damaged') FROM attempts"
        ).fetchone() if "attempts" in tables else (0, 0)
    except sqlite3.DatabaseError as exc:
        return Check("history", FAIL, f"{path} is damaged ({exc})", rebuild)
    finally:
        conn.close()
    if not os.access(path, os.W_OK):
        return Check("history", FAIL, f"{path} is read-only: answers cannot be indexed",
                     f"chmod u+w {path}", {"schema": version})
    schema = f"schema {version} (current)" if version == known else \
        f"schema {version} (upgraded to {known} at the next start)"
    summary = f"{path.name}: quick_check ok, {schema}, {rows} attempt(s)"
    details = {"schema": version, "attempts": rows, "damaged": damaged}
    if damaged:
        return Check("history", WARN, f"{summary}, {damaged} damaged",
                     "'coach history' says what is damaged in each; their recordings can be "
                     "analysed again", details)
    return Check("history", OK, summary, details=details)


# ---------------------------------------------------------------------- prompts and stories


def check_prompts(builtin_dir: Path, user_dirs: Sequence[Path], home: Path) -> Check:
    """The prompt checker over the built-in and the user's folders: a file it cannot load is
    skipped by the app (a warning); no prompt at all leaves nothing to practise (a failure).
    A folder named in config.toml, $COACH_PROMPTS or --prompts-dir that does not exist is a
    warning too (``<home>/prompts`` is optional)."""
    mine = [d for d in user_dirs if d.is_dir()]
    absent = [d for d in user_dirs if not d.is_dir() and d != user_prompts_dir(home)]
    library = load_library(builtin_dir, mine)
    # Quality notes on the built-in prompts are the coach's business, not the user's; a
    # built-in file that cannot be loaded is everyone's.
    problems = [p for p in check_paths([builtin_dir]) if p.blocking] + check_paths(mine)
    counts = f"{count_files([builtin_dir])} built-in, {count_files(mine)} of yours"
    details = {"prompts": len(library.prompts), "problems": [str(p) for p in problems]}
    if not library.prompts:
        return Check("prompts", FAIL, f"no prompt can be loaded ({counts} file(s))",
                     f"reinstall coach, or add prompt files to {user_dirs[0]}", details)
    broken = [p for p in problems if p.blocking]
    if broken:
        files = len({p.file for p in broken})
        return Check("prompts", WARN, f"{len(library.prompts)} prompts ready ({counts}); "
                     f"{files} file(s) skipped, first: {broken[0]}",
                     "edit the file; 'coach prompts check' lists every problem", details)
    if absent:
        return Check("prompts", WARN, f"{len(library.prompts)} prompts ({counts}); prompt "
                     f"folder {absent[0]} does not exist",
                     "fix prompts_dir in config.toml, $COACH_PROMPTS or --prompts-dir", details)
    notes = f"; {len(problems)} quality note(s): 'coach prompts check'" if problems else ""
    return Check("prompts", OK, f"{len(library.prompts)} prompts ({counts}), none skipped{notes}",
                 details=details)


def check_stories(home: Path) -> Check:
    """The user's stories for behavioral prompts (``<home>/stories/*.md``): counted."""
    folder = home / "stories"
    if not folder.is_dir():
        return Check("stories", OK, f"no stories yet ({folder} does not exist)")
    files = sorted(p for p in folder.glob("*.md") if p.is_file())
    return Check("stories", OK, f"{len(files)} story file(s) in {folder}",
                 details={"files": [p.name for p in files]})


# ---------------------------------------------------------------------- config


def check_config(home: Path, warnings: Sequence[str]) -> Check:
    """The warnings ``load_settings`` gave; each names the file once (on this line)."""
    path = config_path(home)
    if not warnings:
        where = f"{path}: no warnings" if path.is_file() else f"no {path.name}: defaults"
        return Check("config", OK, where)
    # "using the default" is said once, by the fix
    reasons = [re.sub(r"; using (the )?defaults?$", "", w.removeprefix(f"{path}: "))
               for w in warnings]
    return Check("config", WARN, f"{path}: {'; '.join(reasons)}",
                 "edit the file (each bad field uses its default meanwhile)",
                 {"warnings": list(warnings)})


def _guarded(name: str, check: Callable[..., Check], *args: Any) -> Check:
    """``check(*args)``, or a failure line if the file system refuses even to be looked at."""
    try:
        return check(*args)
    except (OSError, CoachError) as exc:
        return Check(name, FAIL, f"cannot be checked ({exc})", "check the folder's permissions")


def file_checks(home: Path, builtin_dir: Path, user_dirs: Sequence[Path],
                config_warnings: Sequence[str]) -> list[Check]:
    """Every check of files, in the order ``coach doctor`` prints them."""
    return [
        _guarded("home", check_home, home),
        _guarded("history", check_history, home),
        _guarded("prompts", check_prompts, builtin_dir, user_dirs, home),
        _guarded("stories", check_stories, home),
        _guarded("config", check_config, home, config_warnings),
    ]
