"""Progress over attempts: the dashboard of all of them.

``render_dashboard`` draws every attempt's trend as inline SVG in one self-contained page (same
CSP as the report), with the metrics and their directions of ``coach.core.comparison``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from coach.core.attempts import write_atomic
from coach.core.comparison import BANDS, change_verdict, to_float
from coach.core.history import NO_SPEECH
from coach.core.plan import Plan
from coach.core.report import format_number, render_page, safe_href

# --------------------------------------------------------------------------- dashboard

CHARTS: tuple[tuple[str, str, str], ...] = (
    ("score", "Score", "up"),
    ("content", "Content", "up"),
    ("delivery", "Delivery", "up"),
    ("fillers_per_min", "Fillers / min", "down"),
    ("wpm", "Pace (wpm)", "band"),
    ("reasoning_per_min", "Reasons / min", "up"),
    ("coverage", "Key points (%)", "up"),
    ("hedges_per_min", "Hedges / min", "down"),
    ("pitch_spread", "Pitch spread (st)", "up"),
)

CHART_W, CHART_H = 250.0, 130.0
WIDE_W = 540.0  # the score chart spans two columns
PAD_L, PAD_R, PAD_T, PAD_B = 34.0, 10.0, 10.0, 22.0


def render_dashboard(
    rows: list[dict[str, Any]],
    *,
    generated_at: str,
    balance: dict[str, Any] | None = None,
    stories: dict[str, Any] | None = None,
) -> str:
    """The progress page: trends overall, per pillar and per prompt, and every attempt listed;
    calibration of the user's own grades; with ``balance`` (``plan.balance(...).to_dict()``)
    the last 14 days of practice against the plan, with ``stories`` the story bank's count.

    Takes with no speech in them (``no_speech`` rows) are listed as such and counted, but
    left out of every chart, mean, best, change and calibration: their 0 measures nothing."""
    from coach.core.calibration import calibration

    attempts = sorted((_row_view(r) for r in rows), key=lambda r: r["sort_key"])
    spoken = _spoken(attempts)
    by_pillar: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_prompt: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in attempts:
        by_pillar[row["pillar"] or "free"].append(row)
        by_prompt[row["prompt_id"] or ""].append(row)
    pillars = [
        {"name": name, "count": len(_spoken(group)), "silent": _silent(group),
         "charts": [chart(_spoken(group), *c, spark=True) for c in CHARTS]}
        for name, group in sorted(by_pillar.items())
    ]
    prompts = []
    for pid, everything in sorted(by_prompt.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        group = _spoken(everything) or everything  # scores from the spoken takes only
        first, last = group[0], group[-1]
        prompts.append(
            {
                "id": pid,
                "title": last["prompt_title"] or (pid or "Free answers"),
                "pillar": last["pillar"],
                "count": len(_spoken(everything)),
                "silent": _silent(everything),
                "last": last,
                "best": max((g["score"] for g in group if g["score"] is not None), default=None),
                "change": None
                if first["score"] is None or last["score"] is None or len(group) < 2
                else last["score"] - first["score"],
                "sparks": [chart(_spoken(everything), *c, spark=True) for c in CHARTS],
            }
        )
    overall = [chart(spoken, *c, wide=(c[0] == "score")) for c in CHARTS]
    return render_page(
        "progress.html.j2",
        script=None,
        attempts=list(reversed(attempts)),
        overall=overall,
        pillars=pillars,
        prompts=prompts,
        generated_at=generated_at,
        summary=_summary(attempts),
        chart_labels=[c[1] for c in CHARTS],
        calibration=calibration(spoken),
        no_speech=NO_SPEECH,
        balance=balance,
        stories=stories,
    )


def write_dashboard(path: Path, html: str) -> None:
    """Write the dashboard atomically with user-only permissions."""
    write_atomic(Path(path), html, mode=0o600)


DASHBOARD_FILE = "index.html"


def write_home_dashboard(
    home: Path, prompts: dict[str, Any], *, generated_at: str, plan: Plan | None = None
) -> tuple[Path, int]:
    """Render and write ``<home>/index.html`` from the home's history (the one way the CLI
    and the app write it), with the practice against ``plan`` (default: a senior loop);
    returns its path and how many attempts it shows."""
    from coach.core.history import open_history
    from coach.core.plan import balance
    from coach.core.stories import RECOMMENDED_COUNT, load_stories, theme_gaps
    from coach.paths import user_stories_dir

    with open_history(home) as history:
        rows = history.dashboard_rows(prompts)
        bal = balance(history, prompts, plan or Plan()).to_dict()
    bank = load_stories(user_stories_dir(Path(home)))
    stories = {"count": len(bank.stories), "recommended": RECOMMENDED_COUNT,
               "gaps": [t for t, _n in theme_gaps(prompts.values(), bank.stories)]}
    path = Path(home) / DASHBOARD_FILE
    write_dashboard(path, render_dashboard(rows, generated_at=generated_at, balance=bal,
                                           stories=stories))
    return path, len(rows)


def _row_view(row: dict[str, Any]) -> dict[str, Any]:
    started = str(row.get("started_at") or "")
    try:
        when = datetime.fromisoformat(started.replace("Z", "+00:00"))
        label = when.strftime("%Y-%m-%d %H:%M")
        day = when.strftime("%b %d")
    except ValueError:
        label, day = started, started[:10]
    coverage = to_float(row.get("coverage"))
    silent = bool(row.get("no_speech"))

    def measured(key: str) -> float | None:
        return None if silent else to_float(row.get(key))

    return {
        "id": str(row.get("id", "")),
        "prompt_id": row.get("prompt_id") or "",
        "prompt_title": row.get("prompt_title") or "",
        "pillar": row.get("pillar") or "",
        "started_at": started,
        "when": label,
        "day": day,
        "no_speech": silent,
        "score": measured("score"),
        "content": measured("content"),
        "delivery": measured("delivery"),
        "gap": "" if silent else row.get("gap") or "",
        "red_flags": [] if silent else [f for f in str(row.get("red_flags") or "").split(",") if f],
        "hedges_per_min": measured("hedges_per_min"),
        "leaned_on": "" if silent else str(row.get("leaned_on") or ""),
        "pitch_spread": measured("pitch_spread"),
        "wpm": measured("wpm"),
        "fillers_per_min": measured("fillers_per_min"),
        "hesitations_per_min": measured("hesitations_per_min"),
        "reasoning_per_min": measured("reasoning_per_min"),
        "coverage": None if coverage is None or silent else coverage * 100.0,
        "self_rating": row.get("self_rating"),
        "category": row.get("category") or "",
        "report_href": safe_href(row.get("report_href")),
        "sort_key": (started, str(row.get("id", ""))),
    }


def _spoken(attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The attempts with speech in them: the ones every figure is made of."""
    return [a for a in attempts if not a["no_speech"]]


def _silent(attempts: list[dict[str, Any]]) -> int:
    return sum(1 for a in attempts if a["no_speech"])


def _summary(attempts: list[dict[str, Any]]) -> list[dict[str, str]]:
    if not attempts:
        return []
    spoken = _spoken(attempts)
    scores = [a["score"] for a in spoken if a["score"] is not None]
    recent = scores[-5:]
    earlier = scores[:-5][-5:] or scores[:1]
    items = [
        {"label": "Attempts", "value": str(len(attempts)), "sub": f"since {attempts[0]['day']}"},
        {
            "label": "Prompts practised",
            "value": str(len({a["prompt_id"] for a in spoken if a["prompt_id"]})),
            "sub": f"{len({a['pillar'] for a in spoken if a['pillar']})} pillars",
        },
    ]
    silent = _silent(attempts)
    if silent:
        items.append({"label": NO_SPEECH.capitalize(), "value": str(silent),
                      "sub": f"take{'s' if silent != 1 else ''} left out of the figures"})
    if scores:
        items.append(
            {
                "label": "Recent score",
                "value": format_number(sum(recent) / len(recent), 0),
                "sub": f"mean of last {len(recent)}; earlier "
                f"{format_number(sum(earlier) / len(earlier), 0)}",
            }
        )
        items.append({"label": "Best score", "value": format_number(max(scores), 0), "sub": ""})
    return items


def _nice_range(values: list[float], key: str) -> tuple[float, float, float]:
    """Axis limits and grid step on round numbers, covering the data and any target band."""
    if key in ("score", "coverage", "content", "delivery"):
        return 0.0, 100.0, 25.0
    band = list(BANDS[key]) if key in BANDS else []
    low, high = min(values + band), max(values + band)
    if key != "wpm":
        low = 0.0
    if high <= low:
        high = low + 1.0
    step = _nice_step((high - low) / 4)
    low = step * math.floor(low / step)
    high = step * math.ceil(high / step)
    if high <= low:
        high = low + step
    return low, high, step


def _nice_step(raw: float) -> float:
    for unit in (0.5, 1, 2, 5, 10, 20, 25, 50, 100):
        if raw <= unit:
            return float(unit)
    return 200.0


def chart(
    group: list[dict[str, Any]], key: str, title: str, direction: str, *,
    spark: bool = False, wide: bool = False,
) -> dict[str, Any]:
    """A trend line (one point per attempt, in order) in plot coordinates for the template."""
    width, height = (120.0, 32.0) if spark else (WIDE_W if wide else CHART_W, CHART_H)
    pad_l, pad_r, pad_t, pad_b = (2.0, 4.0, 4.0, 4.0) if spark else (PAD_L, PAD_R, PAD_T, PAD_B)
    series = [(i, r) for i, r in enumerate(group) if r.get(key) is not None]
    view: dict[str, Any] = {
        "key": key, "title": title, "width": width, "height": height, "points": [],
        "path": "", "band": None, "grid": [], "empty": not series, "latest": None,
        "direction": direction, "wide": wide, "verdict": "same", "change": None,
        "x_labels": [], "plot": None,
    }
    if not series:
        return view
    values = [float(r[key]) for _, r in series]
    low, high, step = _nice_range(values, key)
    n = max(len(group) - 1, 1)
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b

    inset = 3.0 if spark else 8.0  # keep the end points clear of the axis labels

    def px(i: int) -> float:
        span = plot_w - 2 * inset
        return round(pad_l + inset + (span * i / n if len(group) > 1 else span / 2), 1)

    def py(v: float) -> float:
        v = min(max(v, low), high)
        return round(pad_t + plot_h * (1 - (v - low) / (high - low)), 1)

    points = [
        {"x": px(i), "y": py(float(r[key])), "value": float(r[key]), "when": r["when"],
         "title": r["prompt_title"] or r["prompt_id"] or "free answer", "href": r["report_href"]}
        for i, r in series
    ]
    view["points"] = points
    view["path"] = "M" + " L".join(f"{p['x']},{p['y']}" for p in points)
    view["latest"] = values[-1]
    if len(values) >= 2:
        view["change"] = values[-1] - values[0]
        view["verdict"] = change_verdict(key, direction, values[0], values[-1]) \
            if direction != "band" or key in BANDS else "same"
    if key in BANDS:
        band_low, band_high = BANDS[key]
        y_top, y_bottom = py(band_high), py(band_low)
        label = f"target {format_number(band_low, 0)}–{format_number(band_high, 0)}"
        view["band"] = {"x": pad_l, "y": y_top, "w": plot_w, "h": max(y_bottom - y_top, 0.5),
                        "label": label}
    if not spark:
        steps = round((high - low) / step)
        view["grid"] = [
            {"y": py(low + step * k), "label": format_number(low + step * k)}
            for k in range(steps + 1)
        ]
        view["x_labels"] = [
            {"x": px(0), "label": group[0]["day"], "anchor": "start"},
            {"x": px(len(group) - 1), "label": group[-1]["day"], "anchor": "end"},
        ] if len(group) > 1 else [{"x": px(0), "label": group[0]["day"], "anchor": "middle"}]
        view["plot"] = {"x": pad_l, "y": pad_t, "w": plot_w, "h": plot_h}
    return view
