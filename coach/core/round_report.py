"""A mock interview round on disk: ``<home>/interviews/<id>/round.json`` (which attempts answered
which question) and ``summary.html`` (the one page of feedback the round gives, at its end).

The page is built like the answer reports (same templates, CSS and Content-Security-Policy, no
remote assets) and links each answer to its report in ``attempts/``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from coach.core.attempts import now_iso, write_atomic
from coach.core.interview import RoundQuestion
from coach.core.report import render_page

INTERVIEWS_DIR = "interviews"
ROUND_FILE = "round.json"
SUMMARY_FILE = "summary.html"


def render_summary(summary: dict[str, Any], *, level: str, started_at: str) -> str:
    """The summary page of one round (``summary`` from ``summarise_round``)."""
    return render_page(
        "interview.html.j2", script=None, s=summary, level=level, started_at=started_at
    )


def write_round(
    home: Path,
    questions: Sequence[RoundQuestion],
    summary: dict[str, Any],
    *,
    level: str,
    started_at: str | None = None,
) -> Path:
    """Write the round's folder (round.json, summary.html); returns the summary's path."""
    started_at = started_at or now_iso()
    root = home / INTERVIEWS_DIR
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        folder = root / (stamp if n == 0 else f"{stamp}-{n + 1}")
        try:
            folder.mkdir(mode=0o700)
            break
        except FileExistsError:
            continue
    else:
        raise RuntimeError(f"could not create a round folder under {root}")
    record = {
        "id": folder.name,
        "level": level,
        "started_at": started_at,
        "questions": [
            {"prompt_id": q.prompt.id,
             "self_rating": q.self_rating,
             "answers": [{k: v for k, v in asdict(a).items() if k != "analysis"}
                         for a in q.answers]}
            for q in questions
        ],
        "summary": summary,
    }
    write_atomic(folder / ROUND_FILE, json.dumps(record, indent=2, ensure_ascii=False))
    path = folder / SUMMARY_FILE
    write_atomic(path, render_summary(summary, level=level, started_at=started_at))
    return path
