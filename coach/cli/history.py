"""History commands: ``history`` (list, ``--rebuild``, ``delete``), ``due``, ``progress``,
``rate`` and ``export``.

Thin shells over ``coach.core.history`` and ``coach.core.scheduler``: they open the home's
database (created if missing; a damaged one is reported with the ``--rebuild`` hint by the
core's ``HistoryCorrupt``) and print either a table or JSON.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from coach.errors import CoachError

RATING_CHOICES = ("again", "hard", "good", "easy")


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    history = subparsers.add_parser(
        "history", parents=[common], help="list past attempts, rebuild or delete them",
        description="List past attempts (oldest first). 'coach history delete ID' removes one.",
    )
    history.add_argument("--prompt", metavar="ID", help="only attempts of this prompt")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.add_argument(
        "--rebuild", action="store_true",
        help="recreate the database from the attempt folders (a damaged file is kept aside)",
    )
    history.set_defaults(func=run_history, history_action=None)
    actions = history.add_subparsers(dest="history_action", metavar="ACTION")
    delete = actions.add_parser(
        "delete", parents=[common], help="delete an attempt (its folder and its row)"
    )
    delete.add_argument("attempt", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(func=run_delete)

    due = subparsers.add_parser(
        "due", parents=[common], help="prompts due for practice now (spaced repetition)"
    )
    due.add_argument("--json", action="store_true", help="print JSON")
    due.set_defaults(func=run_due)

    progress = subparsers.add_parser(
        "progress", parents=[common], help="write the progress dashboard (index.html)"
    )
    progress.set_defaults(func=run_progress)

    rate = subparsers.add_parser(
        "rate", parents=[common], help="rate an attempt to schedule its prompt's next review"
    )
    rate.add_argument("attempt", metavar="ATTEMPT")
    rate.add_argument("rating", choices=RATING_CHOICES, type=str.lower)
    rate.set_defaults(func=run_rate)

    export = subparsers.add_parser(
        "export", parents=[common], help="write the history as CSV or JSON"
    )
    fmt = export.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--csv", action="store_true", help="CSV, one row per attempt")
    fmt.add_argument("--json", action="store_true", help="a JSON list of attempts")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    export.set_defaults(func=run_export)


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def _table(rows: list[dict[str, Any]]) -> str:
    header = ("ID", "PROMPT", "STATE", "SCORE", "WPM", "FILLERS/MIN", "COVERAGE", "RATING")
    lines = [header]
    for r in rows:
        coverage = f"{r['coverage']:.0%}" if r["coverage"] is not None else "-"
        lines.append((
            r["id"], r["prompt_id"] or "(free)", r["state"], _fmt(r["score"], ".0f"),
            _fmt(r["wpm"], ".0f"), _fmt(r["fillers_per_min"], ".1f"), coverage,
            r["rating"] or "-",
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def run_history(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context, recover_at_start
    from coach.core.history import open_history, rebuild_index

    ctx = open_context(args)
    if args.rebuild:
        # the start looked only at what the index did not list as finished: look at all
        recover_at_start(args, everything=True)
        count, moved = rebuild_index(ctx.home)
        if moved:
            print(f"The damaged database was moved aside to {moved}.")
        print(f"Rebuilt the history from the attempt folders: {count} attempt(s).")
        return 0
    with open_history(ctx.home) as history:
        note_recovery(history)
        rows = history.list_attempts(args.prompt)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        print("No attempts yet." if not args.prompt else f"No attempts of '{args.prompt}' yet.")
    else:
        print(_table(rows))
    return 0


def note_recovery(history: Any) -> None:
    """Say so when the database was missing and has just been rebuilt from the folders."""
    if history.recovered:
        from coach.cli.common import warn

        warn(f"the history database was missing; rebuilt it from "
             f"{history.recovered} attempt folder(s)")


def run_delete(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context
    from coach.core.history import open_history
    from coach.paths import attempts_dir

    ctx = open_context(args)
    with open_history(ctx.home) as history:
        row = history.get(args.attempt)
        if row is None and not (attempts_dir(ctx.home) / args.attempt).is_dir():
            raise CoachError(f"no attempt with id '{args.attempt}' (see 'coach history')")
        if not args.yes:
            if not sys.stdin.isatty():
                raise CoachError(
                    f"not deleting attempt '{args.attempt}' without confirmation; "
                    "pass --yes to delete it and its folder"
                )
            where = row["folder"] if row else args.attempt
            answer = input(f"Delete attempt {args.attempt} and its folder {where}? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing deleted.")
                return 1
        history.delete_attempt(args.attempt, ctx.home)
    print(f"Deleted attempt {args.attempt}.")
    return 0


def run_due(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context
    from coach.core.history import open_history
    from coach.core.plan import plan_due

    ctx = open_context(args)
    prompts = ctx.library().prompts
    with open_history(ctx.home) as history:
        items = plan_due(history, prompts, ctx.settings.plan, ctx.settings.new_prompts_per_day)
    if args.json:
        print(json.dumps([
            {**item.to_dict(), "title": prompts[item.prompt_id].title} for item in items
        ], indent=2, ensure_ascii=False))
        return 0
    if not items:
        print("Nothing is due now. Practise any prompt with 'coach practice --prompt ID'.")
        return 0
    for item in items:
        when = f"due {item.due.astimezone():%Y-%m-%d %H:%M}" if item.due else "new"
        print(f"{item.prompt_id:32}  {when:22}  {prompts[item.prompt_id].title}")
    return 0


def run_progress(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context
    from coach.core.progress import write_home_dashboard

    ctx = open_context(args)
    generated_at = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    path, count = write_home_dashboard(
        ctx.home, dict(ctx.library().prompts), generated_at=generated_at,
        plan=ctx.settings.plan,
    )
    print(f"Wrote the progress dashboard ({count} attempt(s)): {path}")
    return 0


def run_rate(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context
    from coach.core.history import open_history
    from coach.core.scheduler import rate_attempt

    ctx = open_context(args)
    with open_history(ctx.home) as history:
        if history.get(args.attempt) is None:
            raise CoachError(f"no attempt with id '{args.attempt}' (see 'coach history')")
        card = rate_attempt(history, args.attempt, args.rating)
    if card is None:
        print(f"Rated {args.attempt} '{args.rating}' (a free recording: nothing to schedule).")
    else:
        print(f"Rated {args.attempt} '{args.rating}'; next review "
              f"{card.due.astimezone():%Y-%m-%d %H:%M}.")
    return 0


def export_text(rows: list[dict[str, Any]], as_csv: bool) -> str:
    """The history as CSV (header + one line per attempt) or a JSON list."""
    if not as_csv:
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    from coach.core.history import ATTEMPT_COLUMNS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(ATTEMPT_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def run_export(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context
    from coach.core.attempts import write_atomic
    from coach.core.history import open_history

    ctx = open_context(args)
    with open_history(ctx.home) as history:
        rows = history.export_rows()
    text = export_text(rows, as_csv=args.csv)
    if args.output:
        target = Path(args.output).expanduser()
        try:
            write_atomic(target, text, mode=0o600)
        except OSError as exc:
            raise CoachError(f"cannot write {target}: {exc.strerror or exc}") from exc
        print(f"Exported {len(rows)} attempt(s) to {target}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
