"""The evaluator against written answers by other hands (``benchmarks/answers``, dev set only).

A guard, not a tuning loop: the dev figures recorded in ``benchmarks/RESULTS-verdicts.md`` must
not fall back below these floors when prompts, phrases or scoring change. The held-out set is
never read here (it is for measuring only: ``python benchmarks/bench_verdicts.py --set heldout``).
"""

from __future__ import annotations

from benchmarks.bench_verdicts import evaluate, sets


def test_dev_answers_get_the_verdict_gap_and_flags_an_interviewer_would_give() -> None:
    rows = evaluate(sets()["dev"])
    n = len(rows)
    assert n == 94
    verdicts = sum(r["verdict"] == r["expect_verdict"] for r in rows)
    gaps = sum(r["gap"] == r["expect_gap"] for r in rows)
    assert verdicts >= 0.7 * n, verdicts
    assert gaps >= 0.8 * n, gaps
    strong = [r for r in rows if r["kind"].startswith("strong")]
    assert sum(bool(r["flags"]) for r in strong) <= 5  # false flags on strong answers
    assert sum(r["verdict"] in ("strong", "good") for r in strong) >= 0.9 * len(strong)
    for kind in ("offtopic", "hedging", "facts", "blaming"):
        weak = [r for r in rows if r["kind"] == kind]
        passed = [r["file"] for r in weak if r["verdict"] in ("strong", "good")]
        assert len(passed) <= len(weak) // 4, (kind, passed)  # weak answers rarely pass
    rambling = [r for r in rows if r["kind"] == "rambling"]
    assert all(r["gap"] == "communication" for r in rambling)


def test_dev_key_point_coverage_holds_no_strong_answer_down_and_gives_off_topic_little() -> None:
    """Coverage honest both ways: a strong answer in its own words is never held under 50 by
    the key-point rule, and an answer to another question makes few of this one's points."""
    rows = evaluate(sets()["dev"])
    strong = [r for r in rows if r["kind"].startswith("strong")]
    assert [r["file"] for r in strong if r["total"] < 50] == []
    offtopic = [r for r in rows if r["kind"] == "offtopic"]
    hit = sum(int(r["key_points"].split("/")[0]) for r in offtopic)
    points = sum(int(r["key_points"].split("/")[1]) for r in offtopic)
    assert hit <= 0.1 * points, (hit, points)
    assert all(r["weighted_coverage"] < 1 / 3 for r in offtopic), offtopic
