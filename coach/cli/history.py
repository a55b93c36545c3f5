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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coach.errors import CoachError

# The table shows the latest attempts only: a long history would scroll its header, and the
# attempt just practised, out of sight.
DEFAULT_LIMIT = 50


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    history = subparsers.add_parser(
        "history", parents=[common], help="list past attempts, rebuild or delete them",
        description=f"List past attempts, oldest first: the table the latest {DEFAULT_LIMIT}, "
        "JSON all of them (--all / --limit N to choose). "
        "'coach history delete ID' removes one.",
    )
    history.add_argument("--prompt", metavar="ID", help="only attempts of this prompt")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.add_argument("--all", action="store_true", help="every attempt, however many")
    history.add_argument(
        "--limit", metavar="N", nargs="?", const="",  # no N: our one-line error, not argparse's
        help=f"the latest N attempts (default: {DEFAULT_LIMIT} in the table, all in JSON)",
    )
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
    rate.add_argument(
        "rating", metavar="RATING",
        help="again, hard, good or easy, or the app's keys 1-4; rating again replaces it",
    )
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
    from coach.core.history import NO_SPEECH

    header = ("ID", "PROMPT", "STATE", "SCORE", "WPM", "FILLERS/MIN", "COVERAGE", "RATING")
    lines = [header]
    for r in rows:
        if r["no_speech"]:  # its zeros measure nothing: say what happened instead
            score, wpm, fillers, coverage = NO_SPEECH, "-", "-", "-"
        else:
            score, wpm = _fmt(r["score"], ".0f"), _fmt(r["wpm"], ".0f")
            fillers = _fmt(r["fillers_per_min"], ".1f")
            coverage = f"{r['coverage']:.0%}" if r["coverage"] is not None else "-"
        lines.append((
            r["id"], r["prompt_id"] or "(free)", r["state"], score, wpm, fillers, coverage,
            r["rating"] or "-",
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def parse_limit(value: str | None, show_all: bool, as_json: bool) -> int | None:
    """How many of the latest attempts to show (None: all), or a one-line error.

    Checked here rather than by argparse so a bad value is one line, not a usage dump.
    JSON is read by programs, which would silently miss rows, so it is complete by default.
    """
    if value is None:
        return None if show_all or as_json else DEFAULT_LIMIT
    if show_all:
        raise CoachError("--all and --limit cannot be used together")
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if limit < 1:
        got = f"got '{value}'" if value else "e.g. --limit 20"
        raise CoachError(f"--limit expects a whole number of 1 or more, {got}")
    return limit


def hidden_note(hidden: int, total: int) -> str:
    """The line under a cut table: how many attempts are left out and how to see them."""
    return (f"Latest {total - hidden:,} of {total:,} attempts shown, {hidden:,} older hidden: "
            "--all shows every one, --limit N the latest N.")


def run_history(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context, recover_at_start
    from coach.core.history import open_history, rebuild_index

    limit = parse_limit(args.limit, args.all, args.json)
    ctx = open_context(args)
    if args.rebuild:
        # the start looked only at what the index did not list as finished: look at all
        recover_at_start(args, everything=True)
        count, moved = rebuild_index(ctx.home)
        if moved:
            print(f"The damaged database was moved aside to {moved}.")
        with open_history(ctx.home) as history:
            damaged = warn_damaged(history.list_attempts())
        print(f"Rebuilt the history from the attempt folders: {count} attempt(s)"
              + (f", {damaged} of them damaged (listed as such)." if damaged else "."))
        return 0
    with open_history(ctx.home) as history:
        note_recovery(history)
        rows = history.list_attempts(args.prompt)
    total = len(rows)
    if limit is not None:
        rows = rows[-limit:]
    warn_damaged(rows)  # the ones shown
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        print("No attempts yet." if not args.prompt else f"No attempts of '{args.prompt}' yet.")
    else:
        print(_table(rows))
        if total > len(rows):
            print(hidden_note(total - len(rows), total))
    return 0


def warn_damaged(rows: list[dict[str, Any]]) -> int:
    """Say once per damaged attempt what is damaged in it (its row's error names the file);
    returns how many there are."""
    from coach.cli.common import warn
    from coach.core.attempts import DAMAGED

    damaged = [row for row in rows if row["state"] == DAMAGED]
    for row in damaged:
        warn(f"attempt {row['id']} is damaged: {row['error']}")
    return len(damaged)


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
    from coach.core.scheduler import parse_rating

    rating = parse_rating(args.rating)  # before opening anything: a typo changes nothing
    ctx = open_context(args)
    with open_history(ctx.home) as history:
        card = history.set_rating(args.attempt, rating)
    if card is None:
        print(f"Rated {args.attempt} '{rating}' (a free recording: nothing to schedule).")
    elif card.due <= datetime.now(UTC):
        print(f"Rated {args.attempt} '{rating}'; its prompt is due now.")
    else:
        print(f"Rated {args.attempt} '{rating}'; next review "
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
