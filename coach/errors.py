"""The one exception type users see as a message rather than a traceback.

Raise ``CoachError`` with a one-line, actionable message wherever input or the environment is
wrong (missing file, unknown prompt, model folder incomplete, no microphone). The CLI prints it
as ``coach: error: ...`` with a non-zero exit; the TUI shows it in a notification or dialog.
"""

from __future__ import annotations


class CoachError(Exception):
    """A problem the user can act on; its message is shown as is."""

    exit_code = 1
