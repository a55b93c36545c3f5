"""Does the evaluator say what an honest interviewer would? Verdict, gap and red flags measured
on written answers by other hands (``benchmarks/answers/``), never on answers it was tuned to.

Run: python benchmarks/bench_verdicts.py [--set dev|heldout|all] [--json OUT] [--show]
Each answer is turned into a transcript at 150 wpm (``tests/support/spoken.py``: words, their
punctuation, pauses after sentences; no audio, no model) and analysed with its prompt. Printed:
verdict match (exact, and within one step), gap match, red-flag precision and recall, and the
false flags raised on strong answers. ``dev`` is the only set that may be used for tuning;
``heldout`` is for measuring. ``--json`` writes one row per answer (used for before/after tables:
run the same script with PYTHONPATH pointing at a folder whose ``coach`` is an older checkout's).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # after PYTHONPATH, so an older checkout's coach can be measured

from coach.core.analysis import analyze  # noqa: E402
from coach.core.model import Analysis, Prompt  # noqa: E402
from coach.core.prompts import load_library  # noqa: E402
from tests.support.spoken import transcript_of  # noqa: E402

ANSWERS = REPO / "benchmarks" / "answers"
LEVELS = ("needs-work", "fair", "good", "strong")


def label(total: float) -> str:
    """The verdict word for a total, at the report's cut-offs (85 / 70 / 50)."""
    return "strong" if total >= 85 else "good" if total >= 70 else "fair" if total >= 50 \
        else "needs-work"


def read_answer(path: Path) -> dict:
    head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    meta: dict = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    flags = meta.get("expect_flags", "[]").strip("[]")
    meta["expect_flags"] = sorted(f.strip() for f in flags.split(",") if f.strip())
    meta["text"] = body.strip()
    meta["file"] = path.name
    return meta


def sets() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in (ANSWERS / "SETS.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"## (\w+)", line)
        if heading:
            current = heading.group(1)
            out[current] = []
        elif current and line.startswith("- ") and line.endswith(".txt"):
            out[current].append(line[2:].strip())
    return out


def evaluate(names: list[str]) -> list[dict]:
    prompts = load_library(REPO / "prompts").prompts
    rows = []
    for name in names:
        meta = read_answer(ANSWERS / name)
        prompt = prompts[meta["prompt"]]
        rows.append(row_of(meta, prompt, analyze(transcript_of(meta["text"]), prompt=prompt)))
    return rows


def row_of(meta: dict, prompt: Prompt, analysis: Analysis) -> dict:
    """One answer's measured verdict beside its expected one (shared with the spoken bench, so
    text and speech are counted the same way)."""
    score = analysis.score
    flags = sorted(f["id"] for f in (getattr(analysis, "red_flags", None) or []))
    cov = analysis.coverage or {}
    return {
        "file": meta["file"],
        "kind": meta["kind"],
        "pillar": prompt.pillar,
        "expect_verdict": meta["expect_verdict"],
        "expect_gap": meta["expect_gap"],
        "expect_flags": meta["expect_flags"],
        "total": score.get("total"),
        "content": score.get("content"),
        "delivery": score.get("delivery"),
        "verdict": label(float(score.get("total") or 0)),
        "gap": score.get("gap"),
        "flags": flags,
        "key_points": f"{cov.get('covered', 0)}/{cov.get('total', 0)}",
        "weighted_coverage": cov.get("weighted_ratio"),
        "text": score.get("verdict", ""),
    }


def summary(rows: list[dict]) -> list[str]:
    n = len(rows)
    exact = sum(r["verdict"] == r["expect_verdict"] for r in rows)
    near = sum(abs(LEVELS.index(r["verdict"]) - LEVELS.index(r["expect_verdict"])) <= 1
               for r in rows)
    gap = sum(r["gap"] == r["expect_gap"] for r in rows)
    lines = [
        f"answers {n}: verdict exact {exact}/{n} ({100 * exact / n:.0f}%), within one step "
        f"{near}/{n} ({100 * near / n:.0f}%), gap {gap}/{n} ({100 * gap / n:.0f}%)",
    ]
    strong = [r for r in rows if r["kind"].startswith("strong")]
    if strong:
        flagged = [r for r in strong if r["flags"]]
        raised = Counter(f for r in strong for f in r["flags"])
        lines.append(
            f"strong answers {len(strong)}: {len(flagged)} with a false red flag "
            f"({sum(raised.values())} flags: {dict(raised.most_common())})"
        )
    lines.extend(coverage_lines(rows))
    ids = sorted({f for r in rows for f in r["expect_flags"] + r["flags"]})
    for flag in ids:
        tp = sum(flag in r["flags"] and flag in r["expect_flags"] for r in rows)
        fp = sum(flag in r["flags"] and flag not in r["expect_flags"] for r in rows)
        fn = sum(flag not in r["flags"] and flag in r["expect_flags"] for r in rows)
        lines.append(f"  {flag:15s} found {tp}/{tp + fn} expected, {fp} false")
    by_kind: dict[str, list[dict]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"].rstrip("-12"), []).append(r)
    for kind, group in sorted(by_kind.items()):
        ok = sum(r["verdict"] == r["expect_verdict"] for r in group)
        gap_ok = sum(r["gap"] == r["expect_gap"] for r in group)
        totals = sorted(r["total"] for r in group)
        lines.append(f"  {kind:9s} {len(group):3d}: verdict {ok}/{len(group)}, gap "
                     f"{gap_ok}/{len(group)}, totals {totals[0]}-{totals[-1]}")
    return lines


def coverage_lines(rows: list[dict]) -> list[str]:
    """What key-point coverage does to the two kinds it must tell apart: strong answers held
    under 50, partial answers passed as Good/Strong, and points "covered" by answers to another
    question (every one a false hit)."""
    strong = [r for r in rows if r["kind"].startswith("strong")]
    partial = [r for r in rows if r["kind"] == "partial"]
    offtopic = [r for r in rows if r["kind"] == "offtopic"]
    hit = sum(int(r["key_points"].split("/")[0]) for r in offtopic)
    points = sum(int(r["key_points"].split("/")[1]) for r in offtopic)
    return [
        f"coverage: strong under 50 {sum(r['total'] < 50 for r in strong)}/{len(strong)}, "
        f"partial judged good/strong {sum(r['verdict'] in ('good', 'strong') for r in partial)}"
        f"/{len(partial)}, off-topic key points hit {hit}/{points}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="dev", choices=("dev", "heldout", "all"))
    parser.add_argument("--json", type=Path, help="write one row per answer here")
    parser.add_argument("--show", action="store_true", help="print every answer's row")
    args = parser.parse_args()
    split = sets()
    names = split["dev"] + split["heldout"] if args.set == "all" else split[args.set]
    rows = evaluate(names)
    if args.show:
        for r in rows:
            print(f"{r['file']:48s} {r['total']!s:>4} c{r['content']!s:>4} d{r['delivery']!s:>4}"
                  f" {r['verdict']:10s}({r['expect_verdict']:10s}) gap {r['gap']!s:13s}"
                  f"({r['expect_gap']:13s}) kp {r['key_points']:5s} flags {r['flags']}"
                  f" (want {r['expect_flags']})")
    print(f"set {args.set}")
    print("\n".join(summary(rows)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
