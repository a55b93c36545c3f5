"""``coach prompts list|show|check``: browse the prompt library and validate prompt files."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path

from coach.core.model import LEVELS, PILLARS, Prompt
from coach.core.timefmt import clock
from coach.errors import CoachError


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "prompts",
        parents=[common],
        help="list, show and check interview prompts",
        description="Browse the prompt library (built-in plus your own) and check prompt files.",
    )
    sub = parser.add_subparsers(dest="prompts_command", metavar="ACTION", required=True)

    p_list = sub.add_parser("list", parents=[common], help="list prompts")
    p_list.add_argument("--pillar", choices=PILLARS, help="only this pillar")
    p_list.add_argument("--level", choices=LEVELS, help="only this level")
    p_list.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p_list.set_defaults(func=run_list)

    p_show = sub.add_parser("show", parents=[common], help="show one prompt in full")
    p_show.add_argument("id", metavar="ID", help="the prompt id (see 'coach prompts list')")
    p_show.add_argument("--json", action="store_true", help="print JSON")
    p_show.set_defaults(func=run_show)

    p_check = sub.add_parser(
        "check",
        parents=[common],
        help="validate prompt files",
        description="Validate prompt files or folders (default: the built-in and user prompt "
        "folders). Exits 1 listing each problem as FILE: FIELD: message.",
    )
    p_check.add_argument("paths", nargs="*", metavar="PATH", help="prompt files or folders")
    p_check.set_defaults(func=run_check)


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def run_list(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context

    library = open_context(args).library()
    prompts = library.filter(args.pillar, args.level)
    if args.json:
        print(json.dumps([p.to_dict() for p in prompts], indent=2))
        return 0
    if not prompts:
        print("No prompts match." if (args.pillar or args.level) else "No prompts found.")
        return 0
    rows = [
        [
            p.id,
            p.pillar,
            p.level,
            p.category or "-",
            f"{clock(p.prep_seconds)}+{clock(p.answer_seconds)}",
            p.title,
        ]
        for p in prompts
    ]
    print(_table(rows, ["ID", "PILLAR", "LEVEL", "CATEGORY", "PREP+ANSWER", "TITLE"]))
    print(f"\n{len(prompts)} prompt(s). Practise one with: coach practice --prompt ID")
    return 0


def _wrap(text: str, indent: str = "  ") -> str:
    return "\n".join(
        textwrap.fill(par, width=88, initial_indent=indent, subsequent_indent=indent)
        for par in text.split("\n\n")
    )


def render_prompt(prompt: Prompt, source: Path | None = None) -> str:
    """A prompt as a person reads it in a terminal."""
    lines = [
        f"{prompt.title}  [{prompt.id}]",
        f"{prompt.pillar} · {prompt.level}"
        + (f" · {prompt.category}" if prompt.category else "")
        + f" · prep {clock(prompt.prep_seconds)} · answer {clock(prompt.answer_seconds)}",
        "",
        "Question:",
        _wrap(prompt.question),
        "",
        f"Key points ({len(prompt.key_points)}):",
    ]
    for kp in prompt.key_points:
        lines.append(
            textwrap.fill(
                f"- {kp.id}: {kp.text}", 88, initial_indent="  ", subsequent_indent="    "
            )
        )
        lines.append(_wrap("listens for: " + ", ".join(f'"{p}"' for p in kp.phrases), "      "))
        if kp.why:
            lines.append(_wrap(f"why it matters (weight {kp.weight}): {kp.why}", "      "))
        if kp.probe:
            lines.append(_wrap(f"probe: {kp.probe}", "      "))
    if prompt.themes:
        lines += ["", "Story themes: " + ", ".join(prompt.themes)]
    if prompt.follow_ups:
        lines += ["", "Follow-ups:"] + [f"  - {q}" for q in prompt.follow_ups]
    if prompt.notes:
        lines += ["", "What a strong answer contains:", _wrap(prompt.notes)]
    if source:
        lines += ["", f"File: {source}"]
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context

    ctx = open_context(args)
    prompt = ctx.prompt(args.id)
    if prompt is None:
        raise CoachError("a prompt id is required")
    if args.json:
        print(json.dumps(prompt.to_dict(), indent=2))
    else:
        print(render_prompt(prompt, ctx.library().sources.get(prompt.id)))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context
    from coach.core.prompts import check_paths, count_files
    from coach.paths import builtin_prompts_dir

    if args.paths:
        paths = [Path(p) for p in args.paths]
    else:
        ctx = open_context(args)
        paths = [builtin_prompts_dir(), *[d for d in ctx.prompt_dirs if d.is_dir()]]
    problems = check_paths(paths)
    if problems:
        for problem in problems:
            print(problem)
        files = len({p.file for p in problems})
        print(f"\n{len(problems)} problem(s) in {files} file(s).")
        return 1
    print(f"OK: {count_files(paths)} prompt file(s) checked, no problems.")
    return 0
