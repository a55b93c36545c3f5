"""``coach doctor``: check what the coach needs, one line per check, OK or the problem and its fix.

A thin shell over ``coach.checkup``. It exits 1 when something blocks practice (see
``coach.core.doctor``), 0 otherwise, warnings included. The home is looked up without being
created first, so a home that cannot be created is reported on its line, not as a traceback.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from coach.cli.common import add_model_option
from coach.errors import CoachError


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "doctor", parents=[common], help="check the microphone, voice, model, home and files",
        description="Check everything the coach needs (microphone, prompt voice, model, home "
        "folder, history database, prompts, stories, config) and print one line per check: OK, "
        "WARN or FAIL with its fix. Exits 1 when something blocks practice.",
    )
    add_model_option(parser, "check this Whisper model instead of the configured one")
    parser.add_argument(
        "--skip", action="append", default=[], metavar="CHECK",
        help="leave out audio, voice or model (--skip audio on a machine with no "
        "microphone, such as CI); may be repeated",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from coach.checkup import PROBES, run_checks
    from coach.cli.common import user_prompt_dirs
    from coach.config import load_settings
    from coach.core.doctor import as_json, exit_code, verdict
    from coach.paths import builtin_prompts_dir, resolve_home

    unknown = [name for name in args.skip if name not in PROBES]
    if unknown:
        raise CoachError(f"--skip {unknown[0]}: only {', '.join(PROBES)} can be left out")
    home = resolve_home(getattr(args, "home", None), create=False)
    loaded = load_settings(home, {"model": getattr(args, "model", None)})
    dirs = user_prompt_dirs(home, loaded.settings, getattr(args, "prompts_dir", None))
    checks = []
    if not args.json:
        print(f"coach doctor: home {home}")
    for check in run_checks(home, loaded.settings, builtin_prompts_dir(), dirs, loaded.warnings,
                            skip=args.skip):
        checks.append(check)
        if not args.json:
            print(check.line(), flush=True)
    if args.json:
        print(json.dumps(as_json(home, checks), indent=2))
    else:
        print(verdict(checks))
    return exit_code(checks)
