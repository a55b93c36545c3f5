"""Read a prompt aloud with the platform's speech engine, if it has one.

An interviewer asks the question out loud; hearing it (rather than reading it) is part of the
rehearsal. The engine runs as a separate process so the app never waits for it, and is optional:
with no engine the prompt is only shown.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

_current: subprocess.Popen[bytes] | None = None


def engine() -> list[str] | None:
    """The command line (without the text) of the available speech engine, or None."""
    if sys.platform == "darwin" and shutil.which("say"):
        return ["say"]
    for name in ("espeak-ng", "espeak"):
        path = shutil.which(name)
        if path:
            return [path, "-s", "165"]
    return None


def available() -> bool:
    return engine() is not None


def speak(text: str) -> subprocess.Popen[bytes] | None:
    """Start reading ``text`` aloud and return at once; None if no engine or it cannot start."""
    global _current
    stop()
    command = engine()
    if command is None or not text.strip():
        return None
    try:
        # "--" so a prompt starting with "-" is read, not parsed as an option
        _current = subprocess.Popen(
            [*command, "--", text],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        _current = None
    return _current


def speak_and_wait(text: str, timeout_s: float = 60.0) -> None:
    """Read ``text`` aloud and return when it has been read (an interviewer's follow-up:
    the answer is recorded only once the question was asked); no engine returns at once."""
    proc = speak(text)
    if proc is None:
        return
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stop()


def stop() -> None:
    """Stop the reading started by ``speak`` (if any is still going)."""
    global _current
    proc, _current = _current, None
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
