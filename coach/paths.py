"""Where the coach keeps its files.

One rule, in one place: ``--home`` beats ``COACH_HOME`` beats the checkout's ``reports/`` folder
(when running from a source checkout) beats the platform's user data directory (when installed).
Every attempt folder, the history database, the config and the progress dashboard live there.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent


def is_checkout() -> bool:
    """True when running from a source checkout (pyproject.toml and prompts/ beside the package)."""
    return (CHECKOUT_DIR / "pyproject.toml").is_file() and (CHECKOUT_DIR / "prompts").is_dir()


def user_data_dir() -> Path:
    """The platform's per-user data directory for the coach (no third-party dependency)."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "coach"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "coach"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "coach"


def resolve_home(explicit: str | os.PathLike[str] | None = None, *, create: bool = True) -> Path:
    """The coach's home folder, created if needed (``create=False``: only where it would be,
    so ``coach doctor`` can report a home that cannot be created instead of failing on it)."""
    if explicit:
        home = Path(explicit).expanduser()
    elif os.environ.get("COACH_HOME"):
        home = Path(os.environ["COACH_HOME"]).expanduser()
    elif is_checkout():
        home = CHECKOUT_DIR / "reports"
    else:
        home = user_data_dir()
    if create:
        make_home(home)
    return home.resolve()


def make_home(home: Path) -> None:
    """Create the home folder if it is missing, user-only: it holds recordings of a voice."""
    if not home.exists():
        home.mkdir(mode=0o700, parents=True)


def builtin_prompts_dir() -> Path:
    """The built-in prompts: ``prompts/`` in a checkout, else ``<prefix>/share/coach/prompts``."""
    if (CHECKOUT_DIR / "prompts").is_dir():
        return CHECKOUT_DIR / "prompts"
    return Path(sys.prefix) / "share" / "coach" / "prompts"


def attempts_dir(home: Path) -> Path:
    return home / "attempts"


def database_path(home: Path) -> Path:
    return home / "coach.db"


def config_path(home: Path) -> Path:
    return home / "config.toml"


def user_prompts_dir(home: Path) -> Path:
    return home / "prompts"


def user_stories_dir(home: Path) -> Path:
    return home / "stories"
