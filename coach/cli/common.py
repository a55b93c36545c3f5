"""What every command needs: the home folder, the settings and the prompt library.

Warnings (a malformed config or prompt file) go to stderr once; they never stop a command.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from coach.config import Settings, load_settings
from coach.core.model import Prompt
from coach.errors import CoachError
from coach.paths import builtin_prompts_dir, resolve_home, user_prompts_dir


@dataclass
class Context:
    home: Path
    settings: Settings
    warnings: list[str] = field(default_factory=list)
    prompt_dirs: list[Path] = field(default_factory=list)
    _library: object | None = None

    def library(self):  # -> coach.core.prompts.Library
        """The prompt library (built-in plus user prompts), loaded once."""
        if self._library is None:
            from coach.core.prompts import load_library

            self._library = load_library(builtin_prompts_dir(), self.prompt_dirs)
            for warning in self._library.warnings:
                warn(warning)
        return self._library

    def prompt(self, prompt_id: str | None) -> Prompt | None:
        if not prompt_id:
            return None
        prompts = self.library().prompts
        if prompt_id not in prompts:
            raise CoachError(
                f"unknown prompt id '{prompt_id}' (see 'coach prompts list' for the ids)"
            )
        return prompts[prompt_id]


MODEL_HELP = "Whisper model: default (tiny.en, shipped), a name such as base.en, or a folder"


def add_model_option(parser: argparse.ArgumentParser, help: str = MODEL_HELP) -> None:
    """``--model NAME|PATH``, the same on every command that loads Whisper (unset: config)."""
    parser.add_argument("--model", metavar="NAME|PATH", default=argparse.SUPPRESS, help=help)


def warn(message: str) -> None:
    print(f"coach: warning: {message}", file=sys.stderr)


def recover_at_start(args: argparse.Namespace, *, everything: bool = False) -> None:
    """Repair the attempts an earlier coach left half done when it died (``coach.recovery``),
    one warning line each. It never stops the command: what it cannot do now, the next
    start or ``coach history --rebuild`` (``everything``: every folder looked at) does."""
    import sqlite3

    from coach.recovery import recover_interrupted

    try:
        home = resolve_home(getattr(args, "home", None), create=False)
        changed = recover_interrupted(home, everything=everything)
    except (CoachError, OSError, sqlite3.Error) as exc:
        warn(f"could not check for interrupted attempts ({exc})")
        return
    for attempt in changed:
        if attempt.state == "recovered":
            warn(f"recovered an interrupted recording: attempt {attempt.id} "
                 f"({attempt.recording_s:.1f} s kept)")
        else:
            warn(f"attempt {attempt.id}: {attempt.error}")


def user_prompt_dirs(home: Path, settings: Settings, extra: list[str] | None) -> list[Path]:
    """Folders of user prompts, lowest priority first (later ones override earlier ids)."""
    dirs = [user_prompts_dir(home)]
    if settings.prompts_dir:
        dirs.append(Path(settings.prompts_dir).expanduser())
    env = os.environ.get("COACH_PROMPTS")
    if env:
        dirs.extend(Path(p).expanduser() for p in env.split(os.pathsep) if p)
    dirs.extend(Path(p).expanduser() for p in (extra or []))
    return dirs


def open_context(args: argparse.Namespace, **overrides: object) -> Context:
    home = resolve_home(getattr(args, "home", None))
    loaded = load_settings(home, overrides)
    for warning in loaded.warnings:
        warn(warning)
    dirs = user_prompt_dirs(home, loaded.settings, getattr(args, "prompts_dir", None))
    return Context(home=home, settings=loaded.settings, warnings=loaded.warnings, prompt_dirs=dirs)
