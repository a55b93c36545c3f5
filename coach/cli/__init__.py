"""The ``coach`` command line: a thin shell that parses arguments and calls the core.

Each sub-command lives in its own module with ``register(subparsers, common)``, which adds its
parser and sets ``func`` to a ``run(args) -> int``. Modules import heavy libraries (Textual,
faster-whisper, sounddevice) inside ``run`` only, so ``coach --help`` stays fast.
With no sub-command, ``coach`` opens the practice TUI. Every command first repairs the attempts
a coach killed mid-way left behind (``coach.cli.common.recover_at_start``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from coach import __version__
from coach.cli.common import add_model_option
from coach.errors import CoachError

COMMAND_MODULES = (
    "analyze", "prompts", "practice", "record", "history", "doctor", "plan", "stories",
    "interview",
)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a sub-command's unset option must not overwrite one given before it.
    common.add_argument(
        "--home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="the coach's home folder (default: $COACH_HOME, reports/ in a checkout, "
        "else the user data folder)",
    )
    common.add_argument(
        "--prompts-dir", metavar="DIR", action="append", default=argparse.SUPPRESS,
        help="extra folder of user prompts (also $COACH_PROMPTS); may be repeated",
    )
    parser = argparse.ArgumentParser(
        prog="coach",
        description="Rehearse interview answers aloud, locally: record, transcribe, analyse, "
        "review. With no command, opens the practice app.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"coach {__version__}")
    add_model_option(parser, "Whisper model for the app")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"coach.cli.{name}").register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        func = importlib.import_module("coach.cli.practice").run
    try:
        from coach.cli.common import recover_at_start

        recover_at_start(args)
        return int(func(args) or 0)
    except CoachError as exc:
        print(f"coach: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # e.g. `coach due --json | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("coach: interrupted", file=sys.stderr)
        return 130
