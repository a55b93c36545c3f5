"""The core stays free of UI, audio-device and model imports (so it is testable and reusable)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import coach.core

HEAVY = ("textual", "sounddevice", "faster_whisper", "ctranslate2")


def test_core_imports_no_ui_audio_or_model_library() -> None:
    modules = [f"coach.core.{m.name}" for m in pkgutil.iter_modules(coach.core.__path__)]
    assert "coach.core.analysis" in modules
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"bad = [m for m in {HEAVY!r} if m in sys.modules]\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core imported: {out.stdout.strip()}"


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\nfrom coach.cli import build_parser\nbuild_parser()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
