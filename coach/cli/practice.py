"""``coach`` / ``coach practice [--prompt ID]``: open the practice app.

Interrupted recordings from an earlier run were repaired before (``coach.cli.main``), so the user
finds them in their history. Textual is imported only here, inside ``run``, so other commands
stay fast. An unknown prompt id is an error before the app takes over the terminal.
"""

from __future__ import annotations

import argparse

from coach.cli.common import add_model_option, open_context


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "practice",
        parents=[common],
        help="open the practice app (the default with no command)",
        description="Open the practice app: pick a prompt, answer it aloud, review the analysis. "
        "With --prompt, opens straight on that prompt's practice screen.",
    )
    parser.add_argument("--prompt", metavar="ID", help="open straight on this prompt")
    add_model_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ctx = open_context(args, model=getattr(args, "model", None))
    prompt = ctx.prompt(getattr(args, "prompt", None))  # CoachError for an unknown id
    ctx.library()  # load (and print any warnings) before the app owns the terminal
    from coach.tui.app import CoachApp

    CoachApp(ctx, start_prompt=prompt).run()
    return 0
