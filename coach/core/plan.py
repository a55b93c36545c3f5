"""The user's plan across the interview rounds, and how their practice balances against it.

"A balanced preparation schedule allocates time to all three pillars", weighted by level: a
senior loop is coding, system design and behavioral in equal parts; a staff loop weighs system
design (with a deep dive into a past project) and behavioral more. The plan (``[plan]`` in
config.toml) names the level, the interview date and the rounds the user will face; the balance
counts the answers of the last 14 days per round, and "practise next" offers new prompts from
the round furthest behind its share first. Plain Python: no I/O except reading the history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from coach.core.interview import DEEP_DIVE, ROUND_SLOTS
from coach.core.model import LEVELS, Prompt

if TYPE_CHECKING:
    from coach.core.history import History
    from coach.core.scheduler import DueItem

ROUNDS: tuple[str, ...] = ("coding", "system-design", "behavioral", DEEP_DIVE)
# Relative weights per level: how often each round comes up in a mock interview round of that
# level (``interview.ROUND_SLOTS``), so practice and the mock round share one mix: senior
# 1:1:1; staff 1 coding, 1 system design, 1 deep dive, 2 behavioral.
LEVEL_WEIGHTS: dict[str, dict[str, float]] = {
    level: {r: float(n) for r, n in Counter(slots).items()}
    for level, slots in ROUND_SLOTS.items()
}
WINDOW_DAYS = 14
# A damaged attempt was answered all the same (a file of it is damaged, not the answer).
PRACTISED_STATES = ("analysed", "recovered", "damaged")


@dataclass(frozen=True)
class Plan:
    """Level, interview date (ISO, or "") and the rounds faced with their weights."""

    level: str = "senior"
    target_date: str = ""
    weights: tuple[tuple[str, float], ...] = ()  # empty: the level's defaults

    @property
    def rounds(self) -> dict[str, float]:
        """Round -> relative weight, in ROUNDS order."""
        chosen = dict(self.weights) or LEVEL_WEIGHTS.get(self.level, LEVEL_WEIGHTS["senior"])
        return {r: chosen[r] for r in ROUNDS if chosen.get(r, 0) > 0}

    def targets(self) -> dict[str, float]:
        """Round -> the share of practice it should get (sums to 1)."""
        rounds = self.rounds
        total = sum(rounds.values())
        return {r: w / total for r, w in rounds.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "target_date": self.target_date or None,
                "rounds": self.rounds, "targets": {r: round(t, 3)
                                                    for r, t in self.targets().items()}}


def parse_plan(table: Any, where: str) -> tuple[Plan, list[str]]:
    """The ``[plan]`` table of config.toml; each bad field is a warning and keeps its default.

    ``rounds`` is a list of round names (weights from the level's defaults, 1 for a round the
    level does not list) or a table of round -> weight."""
    warnings: list[str] = []
    if not isinstance(table, dict):
        return Plan(), [f"{where}: 'plan' must be a table ([plan]); using the default plan"]
    level = table.get("level", "senior")
    if level not in LEVELS:
        warnings.append(f"{where}: plan.level: unknown level {level!r} "
                        f"(one of: {', '.join(LEVELS)}); using senior")
        level = "senior"
    target = table.get("target_date", "")
    if isinstance(target, date):  # TOML has dates: target_date = 2027-01-15
        target = target.isoformat()
    elif target:
        try:
            target = date.fromisoformat(str(target)).isoformat()
        except ValueError:
            warnings.append(f"{where}: plan.target_date: expected a date like 2027-01-15, "
                            f"got {target!r}; ignored")
            target = ""
    weights: dict[str, float] = {}
    rounds = table.get("rounds")
    if isinstance(rounds, list):
        defaults = LEVEL_WEIGHTS[level]
        weights = {r: defaults.get(r, 1.0) for r in rounds if r in ROUNDS}
        bad = [str(r) for r in rounds if r not in ROUNDS]
    elif isinstance(rounds, dict):
        weights = {r: float(w) for r, w in rounds.items() if r in ROUNDS
                   and isinstance(w, int | float) and not isinstance(w, bool) and w >= 0}
        bad = [str(r) for r in rounds if r not in weights]
    else:
        bad = [] if rounds is None else [repr(rounds)]
    if bad:
        warnings.append(f"{where}: plan.rounds: unknown or bad round(s) {', '.join(bad)} "
                        f"(rounds: {', '.join(ROUNDS)}, weights >= 0)")
    if rounds is not None and not any(w > 0 for w in weights.values()):
        warnings.append(f"{where}: plan.rounds: no round left; using the {level} defaults")
        weights = {}
    for key in sorted(set(map(str, table)) - {"level", "target_date", "rounds"}):
        warnings.append(f"{where}: plan.{key}: unknown field ignored")
    return Plan(level, str(target or ""), tuple(weights.items())), warnings


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def round_of(prompt: Prompt, plan: Plan | None = None) -> str:
    """The interview round a prompt rehearses: a deep-dive prompt in a plan with a deep-dive
    round (without one, it rehearses its pillar), else its pillar."""
    deep = prompt.category == "deep-dive" and (plan is None or "deep-dive" in plan.rounds)
    return "deep-dive" if deep else prompt.pillar


@dataclass(frozen=True)
class Balance:
    """Answers per round over the last ``days`` days against the plan's shares."""

    plan: Plan
    counts: Mapping[str, int]
    days: int = WINDOW_DAYS
    today: date = field(default_factory=date.today)

    @property
    def total(self) -> int:
        return sum(self.counts.get(r, 0) for r in self.plan.rounds)

    def deficit(self, rnd: str, extra: int = 0) -> float:
        """How many answers ``rnd`` is behind its share (after ``extra`` more answers)."""
        target = self.plan.targets().get(rnd, 0.0)
        return target * (self.total + extra) - self.counts.get(rnd, 0)

    @property
    def behind(self) -> str | None:
        """The round furthest behind its share (the largest share when nothing is done)."""
        targets = self.plan.targets()
        if not targets:
            return None
        return max(targets, key=lambda r: (round(self.deficit(r, 1), 9), targets[r]))

    def to_dict(self) -> dict[str, Any]:
        targets = self.plan.targets()
        total = self.total
        days_left = None
        if self.plan.target_date:
            days_left = (date.fromisoformat(self.plan.target_date) - self.today).days
        return {
            "plan": self.plan.to_dict(),
            "days": self.days,
            "days_left": days_left,
            "total": total,
            "behind": self.behind,
            "rounds": [
                {"round": r, "count": self.counts.get(r, 0),
                 "share": round(self.counts.get(r, 0) / total, 3) if total else 0.0,
                 "target": round(t, 3), "deficit": round(max(self.deficit(r), 0.0), 2)}
                for r, t in targets.items()
            ],
        }


def practice_counts(
    history: History, prompts: Mapping[str, Prompt], plan: Plan,
    now: datetime | None = None, days: int = WINDOW_DAYS,
) -> dict[str, int]:
    """Analysed answers per round started in the last ``days`` days (follow-ups included);
    a take with no speech in it is no practice, so it does not count."""
    when = _utc(now)
    since = when - timedelta(days=days)
    counts: dict[str, int] = {}
    marks = ", ".join("?" for _ in PRACTISED_STATES)
    for row in history.query(
        f"SELECT prompt_id, started_at FROM attempts WHERE prompt_id IS NOT NULL"
        f" AND no_speech = 0 AND state IN ({marks})", PRACTISED_STATES,
    ):
        prompt = prompts.get(row["prompt_id"])
        started = _utc(datetime.fromisoformat(row["started_at"]))
        if prompt is not None and since <= started <= when:
            rnd = round_of(prompt, plan)
            counts[rnd] = counts.get(rnd, 0) + 1
    return counts


def balance(
    history: History, prompts: Mapping[str, Prompt], plan: Plan, now: datetime | None = None
) -> Balance:
    when = _utc(now)
    counts = practice_counts(history, prompts, plan, when)
    return Balance(plan, counts, today=when.astimezone().date())


def balanced_order(
    prompt_ids: Sequence[str], prompts: Mapping[str, Prompt], bal: Balance
) -> list[str]:
    """``prompt_ids`` reordered so each next one comes from the round furthest behind, as if
    the ones before it had been practised; prompts of the plan's level come first within a
    round, and rounds outside the plan last. Otherwise the given order is kept."""
    queues: dict[str, list[str]] = {r: [] for r in bal.plan.rounds}
    rest: list[str] = []
    for pid in prompt_ids:
        rnd = round_of(prompts[pid], bal.plan) if pid in prompts else ""
        queues.get(rnd, rest).append(pid)
    for queue in queues.values():
        queue.sort(key=lambda p: prompts[p].level != bal.plan.level)
    counts = dict(bal.counts)
    out: list[str] = []
    while any(queues.values()):
        sim = Balance(bal.plan, counts, bal.days, bal.today)
        open_rounds = [r for r, q in queues.items() if q]
        pick = max(open_rounds, key=lambda r: (round(sim.deficit(r, 1), 9),
                                               bal.plan.targets()[r]))
        out.append(queues[pick].pop(0))
        counts[pick] = counts.get(pick, 0) + 1
    return out + rest


def plan_due(
    history: History, prompts: Mapping[str, Prompt], plan: Plan,
    new_per_day: int = 3, now: datetime | None = None,
) -> list[DueItem]:
    """What to practise now, kept balanced against the plan: due reviews first (most overdue
    first), then new prompts from the rounds furthest behind."""
    from coach.core.scheduler import due

    bal = balance(history, prompts, plan, now)

    def order(ids: list[str]) -> list[str]:
        return balanced_order(ids, prompts, bal)

    return due(history, list(prompts), now=now, new_per_day=new_per_day, order=order)
