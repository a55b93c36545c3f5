"""``coach plan``: the user's plan across the interview rounds and how practice balances on it.

With no option it prints the plan (``[plan]`` in config.toml, else the defaults for a senior
loop) and the last 14 days of practice per round against it; ``--level``, ``--target-date``
and ``--rounds`` change the plan and save it to config.toml; ``--json`` prints both.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import date
from typing import Any

from coach.errors import CoachError


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    plan = subparsers.add_parser(
        "plan", parents=[common], help="your plan across the interview rounds and its balance",
        description="Show (or set) your level, interview date and the rounds you will face, "
        "and your practice of the last 14 days per round against the plan. 'coach due' and "
        "the app's 'practise next' offer new prompts from the round furthest behind.",
    )
    plan.add_argument("--level", choices=("senior", "staff"),
                      help="set the level (its default rounds unless --rounds is given)")
    plan.add_argument("--target-date", metavar="YYYY-MM-DD",
                      help="set the interview date ('none' clears it)")
    plan.add_argument("--rounds", metavar="R[=W],...",
                      help="set the rounds faced, e.g. coding,system-design,behavioral or "
                      "system-design=2,behavioral=2,deep-dive=1")
    plan.add_argument("--json", action="store_true", help="print the plan and the balance")
    plan.set_defaults(func=run_plan)


def parse_rounds(text: str, level: str) -> tuple[tuple[str, float], ...]:
    """``coding,system-design=2`` as round weights (a bare round takes the level's weight)."""
    from coach.core.plan import LEVEL_WEIGHTS, ROUNDS

    weights: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, weight = part.partition("=")
        name = name.strip()
        if name not in ROUNDS:
            raise CoachError(f"unknown round '{name}' (rounds: {', '.join(ROUNDS)})")
        try:
            weights[name] = float(weight) if weight else LEVEL_WEIGHTS[level].get(name, 1.0)
        except ValueError:
            raise CoachError(f"bad weight '{weight}' for {name} (a number, e.g. 2)") from None
        if weights[name] < 0:
            raise CoachError(f"bad weight '{weight}' for {name} (0 or more)")
    if not any(w > 0 for w in weights.values()):
        raise CoachError("--rounds names no round to practise")
    return tuple(weights.items())


def _changed(args: argparse.Namespace, plan: Any) -> Any:
    level = args.level or plan.level
    weights = plan.weights if level == plan.level else ()
    if args.rounds is not None:
        weights = parse_rounds(args.rounds, level)
    target = plan.target_date
    if args.target_date is not None:
        if args.target_date.lower() in ("", "none"):
            target = ""
        else:
            try:
                target = date.fromisoformat(args.target_date).isoformat()
            except ValueError:
                raise CoachError(f"--target-date: expected YYYY-MM-DD, got "
                                 f"'{args.target_date}'") from None
    return replace(plan, level=level, target_date=target, weights=weights)


def text_of(view: dict[str, Any]) -> str:
    """The plan and its balance as a few lines a person reads."""
    plan = view["plan"]
    when = ""
    if plan["target_date"]:
        left = view["days_left"]
        when = f", interviews on {plan['target_date']}" + (
            f" ({left} days left)" if left is not None and left >= 0 else " (past)")
    lines = [f"Plan: {plan['level']}{when}",
             f"  {'ROUND':14}  {'PLAN':>5}  LAST {view['days']} DAYS"]
    for r in view["rounds"]:
        lines.append(f"  {r['round']:14}  {r['target']:>5.0%}  {r['count']:3d} "
                     f"({r['share']:.0%})" + (f"  behind by {r['deficit']:.1f}"
                                               if r["deficit"] >= 0.5 else ""))
    if view["behind"]:
        lines.append(f"Furthest behind: {view['behind']}"
                     + (f"; practise next: {view['next']}" if view.get("next") else ""))
    return "\n".join(lines)


def run_plan(args: argparse.Namespace) -> int:
    from coach.cli.common import open_context
    from coach.config import save_plan
    from coach.core.history import open_history
    from coach.core.plan import balance, plan_due

    ctx = open_context(args)
    plan = ctx.settings.plan
    if args.level or args.target_date is not None or args.rounds is not None:
        plan = _changed(args, plan)
        path = save_plan(ctx.home, plan)
        if not args.json:
            print(f"Saved the plan to {path}.")
    prompts = ctx.library().prompts
    with open_history(ctx.home) as history:
        view = balance(history, prompts, plan).to_dict()
        items = plan_due(history, prompts, plan, ctx.settings.new_prompts_per_day)
    view["next"] = items[0].prompt_id if items else None
    print(json.dumps(view, indent=2) if args.json else text_of(view))
    return 0
