"""``coach interview [--questions N] [--level L] [--pillar P]``: a mock interview round.

The round opens in the app rather than recording from the command line like ``coach record``:
a round is interactive by nature (the user says when an answer ends, the interviewer's
follow-up is shown large and read aloud, the next take starts when it has been asked), and
the app already owns the microphone check, the streamed transcription and the screens for it.
The questions are chosen here, so a bad option is a one-line error before the app starts.
"""

from __future__ import annotations

import argparse

from coach.cli.common import add_model_option, open_context
from coach.core.model import LEVELS, PILLARS


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if not 1 <= n <= 20:
        raise argparse.ArgumentTypeError("expected 1 to 20 questions")
    return n


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "interview",
        parents=[common],
        help="a mock interview round: questions across the pillars, follow-ups, one summary",
        description="Open a mock interview round in the app: several questions mixed across the "
        "pillars for your level (senior: coding, system design, behavioral in equal parts; "
        "staff: more system design, with a deep dive, and behavioral), each followed at once by "
        "spoken follow-ups aimed at what the answer left out; no feedback until the end, then "
        "one summary (also written to <home>/interviews/).",
    )
    parser.add_argument("--questions", type=_count, metavar="N",
                        help="how many questions (default: 3 senior, 5 staff)")
    parser.add_argument("--level", choices=LEVELS,
                        help="the level interviewed for (default: your plan's, see "
                        "'coach plan'; senior without one)")
    parser.add_argument("--pillar", choices=PILLARS, help="only questions of this pillar")
    add_model_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from coach.tui.logic.interview import plan

    ctx = open_context(args, model=getattr(args, "model", None))
    level = args.level or ctx.settings.plan.level
    prompts = plan(ctx, level, args.questions, args.pillar)  # CoachError if nothing fits
    from coach.tui.app import CoachApp

    CoachApp(ctx, start_round=(prompts, level)).run()
    return 0
