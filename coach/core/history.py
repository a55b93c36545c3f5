"""The history database: a SQLite index over the attempt folders.

The attempt folders (``coach.core.attempts``) are the source of truth; this database only makes
listing, comparing, scheduling and charting fast. Anything in it can be recreated with
``coach history --rebuild``, which is why a corrupt file is moved aside, never deleted.

Reliability choices, each for a reason:
- WAL + ``busy_timeout``: the TUI and a ``coach analyze`` can write at the same time and both win.
- writes use ``BEGIN IMMEDIATE``: a writer takes the lock up front instead of failing on upgrade.
- ``PRAGMA user_version`` + an ordered list of migrations, each in one transaction with its
  version bump, so a migration that fails halfway leaves the schema exactly as it was.
- a file written by a newer coach is refused before anything (even ``journal_mode``) touches it.
- ``PRAGMA quick_check`` on open turns silent corruption into a clear "run --rebuild" message.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.core.attempts import (
    Attempt,
    iter_attempts,
    load_attempt,
    now_iso,
    read_analysis,
    update_attempt,
    write_analysis,
)
from coach.core.scheduler import (
    RATINGS,
    UNRATABLE_STATES,
    card_from_json,
    card_to_json,
    parse_rating,
    replay,
    why_not_ratable,
)
from coach.errors import CoachError
from coach.paths import attempts_dir, database_path

if TYPE_CHECKING:
    from fsrs import Card

BUSY_TIMEOUT_MS = 15000
# What a take with no speech in it shows where a spoken answer shows its score: its score of 0
# measures nothing, so listings say so and averages, trends and comparisons leave it out.
NO_SPEECH = "no speech"


def parse_self_rating(value: str | int) -> str:
    """A self-rating given as a key (1-4) or a name (again/hard/good/easy), as its name.

    The same scale as the scheduling rating, but a different thing: the user's own grade given
    before the score, compared with the measured one; it never schedules anything."""
    return parse_rating(value, what="self-rating")


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the database to WAL, waiting for another process that holds it.

    SQLite does not call the busy handler for this switch: two processes opening a new history
    at the same moment (the app and a ``coach analyze``) saw "database is locked" at once, in
    ``tests/test_history_faults.py``. Once the file is in WAL (it stays so) this is a no-op."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class HistoryCorrupt(CoachError):
    """The database file is unreadable; ``coach history --rebuild`` recreates it."""


Migration = Callable[[sqlite3.Connection], None]


def _run(*statements: str) -> Migration:
    """A migration made of plain SQL statements, run one by one (never ``executescript``,
    which would commit the surrounding transaction)."""

    def migrate(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return migrate


# v1: one row per attempt with every metric of its analysis.
V1_ATTEMPTS = """
CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    prompt_id TEXT,
    started_at TEXT NOT NULL,
    state TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'recording',
    folder TEXT NOT NULL,
    recording_path TEXT,
    report_path TEXT,
    follows TEXT,
    dropped_blocks INTEGER NOT NULL DEFAULT 0,
    recording_s REAL,
    duration_s REAL,
    speech_s REAL,
    wpm REAL,
    fillers INTEGER,
    fillers_per_min REAL,
    hesitations_per_min REAL,
    discourse_per_min REAL,
    reasoning_count INTEGER,
    reasoning_per_min REAL,
    coverage REAL,
    score REAL,
    verdict TEXT,
    pauses INTEGER,
    no_speech INTEGER NOT NULL DEFAULT 0
)"""

# v2: the user's self-rating on each attempt, FSRS cards per prompt and the log of reviews.
V2_STATEMENTS = (
    "ALTER TABLE attempts ADD COLUMN rating TEXT",
    "ALTER TABLE attempts ADD COLUMN rated_at TEXT",
    """CREATE TABLE cards (
        prompt_id TEXT PRIMARY KEY,
        card TEXT NOT NULL,
        due TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        prompt_id TEXT NOT NULL REFERENCES cards(prompt_id) ON DELETE CASCADE,
        attempt_id TEXT REFERENCES attempts(id) ON DELETE SET NULL,
        rating TEXT NOT NULL,
        reviewed_at TEXT NOT NULL,
        due TEXT NOT NULL
    )""",
    "CREATE INDEX reviews_prompt ON reviews(prompt_id, reviewed_at)",
)

# v3: content and delivery scored apart with the gap they show, the user's self-assessment
# given before the score, and why an attempt failed or is damaged.
V3_STATEMENTS = (
    "ALTER TABLE attempts ADD COLUMN content REAL",
    "ALTER TABLE attempts ADD COLUMN delivery REAL",
    "ALTER TABLE attempts ADD COLUMN gap TEXT",
    "ALTER TABLE attempts ADD COLUMN self_rating TEXT",
    "ALTER TABLE attempts ADD COLUMN error TEXT",
)

# v4: what the review says beside the two scores, for the dashboard's trends and table: the
# red flags raised (ids, comma-separated), hedges per minute, the phrase leaned on most
# ("basically x6") and the pitch spread in semitones.
V4_STATEMENTS = (
    "ALTER TABLE attempts ADD COLUMN red_flags TEXT",
    "ALTER TABLE attempts ADD COLUMN hedges_per_min REAL",
    "ALTER TABLE attempts ADD COLUMN leaned_on TEXT",
    "ALTER TABLE attempts ADD COLUMN pitch_spread REAL",
)

MIGRATIONS: list[Migration] = [
    _run(V1_ATTEMPTS, "CREATE INDEX attempts_prompt ON attempts(prompt_id, started_at)"),
    _run(*V2_STATEMENTS),
    _run(*V3_STATEMENTS),
    _run(*V4_STATEMENTS),
]

METRIC_COLUMNS = (
    "duration_s", "speech_s", "wpm", "fillers", "fillers_per_min", "hesitations_per_min",
    "discourse_per_min", "reasoning_count", "reasoning_per_min", "coverage", "score",
    "verdict", "pauses", "no_speech", "content", "delivery", "gap", "red_flags",
    "hedges_per_min", "leaned_on", "pitch_spread",
)
ATTEMPT_COLUMNS = (
    "id", "prompt_id", "started_at", "state", "source", "folder", "recording_path",
    "report_path", "follows", "dropped_blocks", "recording_s", *METRIC_COLUMNS, "rating",
    "rated_at", "self_rating", "error",
)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def analysis_metrics(analysis: dict[str, Any] | None) -> dict[str, Any]:
    """The flat metrics stored per attempt, taken from an ``analysis.json`` dict.

    Rates per minute use the same minutes as the analysis's own ``filler_stats.per_min`` when
    it is there, so every per-minute figure in a row shares one denominator.
    """
    metrics: dict[str, Any] = {name: None for name in METRIC_COLUMNS}
    metrics["no_speech"] = 0
    if not isinstance(analysis, dict) or not analysis:
        return metrics
    duration = _num(analysis.get("duration_s"))
    speech = _num(analysis.get("speech_s"))
    fillers = [f for f in _list(analysis.get("fillers")) if isinstance(f, dict)]
    stats = _obj(_obj(analysis.get("extra")).get("filler_stats"))
    counted = _num(stats.get("count"))
    count = int(counted) if counted is not None else len(fillers)
    per_min = _num(stats.get("per_min"))
    minutes = count / per_min if count and per_min else (speech or duration or 0.0) / 60.0
    hesitations = stats.get("hesitations")
    discourse = stats.get("discourse")
    if _num(hesitations) is None:
        hesitations = sum(1 for f in fillers if f.get("kind") == "hesitation")
    if _num(discourse) is None:
        discourse = sum(1 for f in fillers if f.get("kind") == "discourse")

    def rate(n: float) -> float | None:
        return round(n / minutes, 3) if minutes > 0 else None

    reasoning = _obj(analysis.get("reasoning"))
    coverage = analysis.get("coverage")
    score = _obj(analysis.get("score"))
    flags = [f.get("id") for f in _list(analysis.get("red_flags")) if isinstance(f, dict)]
    leaned = [r for r in _list(analysis.get("repetition"))
              if isinstance(r, dict) and isinstance(r.get("text"), str) and _num(r.get("count"))]
    metrics.update(
        duration_s=duration,
        speech_s=speech,
        wpm=_num(analysis.get("wpm")),
        fillers=count,
        fillers_per_min=per_min if per_min is not None else rate(count),
        hesitations_per_min=rate(int(hesitations)),
        discourse_per_min=rate(int(discourse)),
        reasoning_count=int(n) if (n := _num(reasoning.get("count"))) is not None else None,
        reasoning_per_min=_num(reasoning.get("per_min")),
        coverage=_num(coverage.get("ratio")) if isinstance(coverage, dict) else None,
        score=_num(score.get("total")),
        verdict=score.get("verdict") if isinstance(score.get("verdict"), str) else None,
        pauses=len(_list(analysis.get("pauses"))),
        no_speech=int(bool(analysis.get("no_speech"))),
        content=_num(score.get("content")),
        delivery=_num(score.get("delivery")),
        gap=score.get("gap") if isinstance(score.get("gap"), str) else None,
        red_flags=",".join(f for f in flags if isinstance(f, str)),
        hedges_per_min=_num(_obj(analysis.get("hedges")).get("per_min")),
        leaned_on=f"{leaned[0]['text']} x{int(leaned[0]['count'])}" if leaned else None,
        pitch_spread=_num(_obj(analysis.get("pitch")).get("spread_semitones")),
    )
    return metrics


def _is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def move_aside(db_path: Path) -> Path:
    """Move a bad database (and its -wal/-shm) to ``coach.db.corrupt-<ts>``; never delete it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = db_path.with_name(f"{db_path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = db_path.with_name(f"{db_path.name}.corrupt-{stamp}-{n}")
    os.replace(db_path, target)
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def _storage_error(exc: sqlite3.Error, db_path: Path) -> CoachError:
    """A one-line message for a write that SQLite refused (disk full, locked, I/O)."""
    text = str(exc)
    if "full" in text or "disk I/O" in text:
        return CoachError(
            f"could not save to the history database {db_path} ({text}); free some disk space "
            "and run 'coach history --rebuild' (the attempt folders are intact)"
        )
    if "locked" in text or "busy" in text:
        return CoachError(f"the history database {db_path} is busy ({text}); try again")
    if isinstance(exc, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
        return HistoryCorrupt(
            f"the history database {db_path} is corrupt ({text}); run 'coach history --rebuild'"
        )
    return CoachError(f"history database error in {db_path}: {text}")


class History:
    """The open history database. Use as a context manager or call ``close()``."""

    def __init__(self, db_path: Path, *, migrations: Sequence[Migration] | None = None) -> None:
        self.path = Path(db_path)
        self.migrations = list(MIGRATIONS if migrations is None else migrations)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and self.path.stat().st_size > 0 and not _is_sqlite_file(self.path):
            raise self._corrupt("not a SQLite database")
        self.created = False  # True when this call created the file (it was missing)
        self.recovered = 0  # attempts re-indexed from their folders by ``open_history``
        if not self.path.exists():
            # Create it user-only (SQLite gives -wal and -shm the same mode): it holds what
            # the user said about themselves.
            with suppress(FileExistsError):
                os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                self.created = True
        try:
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
            )
        except sqlite3.Error as exc:
            raise CoachError(f"cannot open the history database {self.path}: {exc}") from exc
        try:
            self._open()
        except BaseException:
            self.conn.close()
            raise

    def _corrupt(self, why: str) -> HistoryCorrupt:
        return HistoryCorrupt(
            f"the history database {self.path} is damaged ({why}); run 'coach history --rebuild' "
            "to recreate it from the attempt folders (the bad file is kept aside)"
        )

    def _open(self) -> None:
        conn = self.conn
        conn.row_factory = sqlite3.Row
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise self._corrupt(str(exc)) from exc
        known = len(self.migrations)
        if version > known:
            raise CoachError(
                f"coach.db was written by a newer version of coach (schema {version} > {known}); "
                "upgrade coach"
            )
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise self._corrupt(str(exc)) from exc
        if check != "ok":
            raise self._corrupt(f"quick_check: {check}")
        try:
            _use_wal(conn)
            conn.execute("PRAGMA foreign_keys = ON")
            # NORMAL is crash-safe in WAL; a power cut can only drop the last commits, which
            # ``--rebuild`` restores from the folders (written and fsynced first).
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path) from exc
        self._migrate()

    def _migrate(self) -> None:
        """Apply each missing migration in its own transaction together with its version bump."""
        while True:
            try:
                if self.schema_version() >= len(self.migrations):
                    return
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _storage_error(exc, self.path) from exc
            try:
                # Re-read inside the lock: another process may have migrated meanwhile.
                version = self.schema_version()
                if version < len(self.migrations):
                    self.migrations[version](self.conn)
                    self.conn.execute(f"PRAGMA user_version = {version + 1}")
                self.conn.execute("COMMIT")
            except Exception as exc:
                self._rollback()
                raise CoachError(
                    f"could not upgrade the history database {self.path} to schema "
                    f"{version + 1} ({exc}); it was left unchanged"
                ) from exc
            except BaseException:
                self._rollback()
                raise

    # ------------------------------------------------------------------ plumbing

    def _rollback(self) -> None:
        """Roll back if SQLite has not already done so (it does itself after some I/O errors)."""
        if self.conn.in_transaction:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``); SQLite errors become CoachError."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise _storage_error(exc, self.path) from exc
        except BaseException:
            self._rollback()
            raise

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            return [dict(row) for row in self.conn.execute(sql, params)]
        except sqlite3.Error as exc:
            raise _storage_error(exc, self.path) from exc

    # ------------------------------------------------------------------ attempts

    def _attempt_row(self, attempt: Attempt, analysis: dict[str, Any] | None) -> dict[str, Any]:
        report: str | None = None
        if attempt.report_path.is_file():
            report = str(attempt.report_path)
        elif isinstance((analysis or {}).get("report"), str) and analysis["report"]:
            report = str(attempt.path / Path(analysis["report"]))  # an absolute one stays as is
        return {
            "id": attempt.id,
            "prompt_id": attempt.prompt_id,
            "started_at": attempt.started_at,
            "state": attempt.shown_state,
            "source": attempt.source,
            "folder": str(attempt.path),
            "recording_path": str(attempt.recording_path),
            "report_path": report,
            "follows": attempt.follows,
            "dropped_blocks": int(attempt.dropped_blocks or 0),
            "recording_s": attempt.recording_s,
            **analysis_metrics(analysis),
            "rating": attempt.rating.lower() if attempt.rating else None,
            "rated_at": (attempt.extra or {}).get("rated_at"),
            "self_rating": attempt.self_rating.lower() if attempt.self_rating else None,
            "error": "; ".join(filter(None, (attempt.damage_text, attempt.error))) or None,
        }

    def _upsert(self, conn: sqlite3.Connection, row: dict[str, Any]) -> None:
        names = ", ".join(ATTEMPT_COLUMNS)
        marks = ", ".join(f":{c}" for c in ATTEMPT_COLUMNS)
        updates = ", ".join(
            f"{c} = COALESCE(excluded.{c}, attempts.{c})" if c in ("rating", "rated_at")
            else f"{c} = excluded.{c}"
            for c in ATTEMPT_COLUMNS if c != "id"
        )
        conn.execute(
            f"INSERT INTO attempts ({names}) VALUES ({marks})"
            f" ON CONFLICT(id) DO UPDATE SET {updates}",
            row,
        )

    def record_attempt(self, attempt: Attempt, analysis: dict[str, Any] | None) -> None:
        """Insert or update one attempt's row (call again after each state change). A rated
        attempt's prompt is rescheduled with it: a rating given while it was analysed counts
        only if the analysis found an answer."""
        row = self._attempt_row(attempt, analysis)
        with self.write() as conn:
            self._upsert(conn, row)
            stored = conn.execute(
                "SELECT rating FROM attempts WHERE id = ?", (attempt.id,)
            ).fetchone()
            if attempt.prompt_id and stored and stored["rating"]:
                self._reschedule(conn, attempt.prompt_id)

    def get(self, attempt_id: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM attempts WHERE id = ?", (attempt_id,))
        return rows[0] if rows else None

    def list_attempts(self, prompt_id: str | None = None) -> list[dict[str, Any]]:
        """Attempts, oldest first (optionally of one prompt)."""
        if prompt_id is None:
            return self.query("SELECT * FROM attempts ORDER BY started_at, id")
        return self.query(
            "SELECT * FROM attempts WHERE prompt_id = ? ORDER BY started_at, id", (prompt_id,)
        )

    def previous_attempt(self, attempt_id: str) -> dict[str, Any] | None:
        """The latest analysed attempt of the same prompt started before this one, leaving out
        takes with no speech (a comparison with one would call any answer a big gain).

        Works before the attempt itself is indexed (the report is written first): its prompt
        and start time are then read from its folder in this database's home.
        """
        row = self.get(attempt_id)
        if row is None:
            try:
                attempt = load_attempt(attempts_dir(self.path.parent) / attempt_id)
            except (OSError, ValueError, TypeError):
                return None
            row = {"prompt_id": attempt.prompt_id, "started_at": attempt.started_at}
        if not row["prompt_id"]:
            return None
        rows = self.query(
            "SELECT * FROM attempts WHERE prompt_id = ? AND id != ? AND duration_s IS NOT NULL"
            " AND no_speech = 0 AND (started_at < ? OR (started_at = ? AND id < ?))"
            " ORDER BY started_at DESC, id DESC LIMIT 1",
            (row["prompt_id"], attempt_id, row["started_at"], row["started_at"], attempt_id),
        )
        return rows[0] if rows else None

    def delete_attempt(self, attempt_id: str, home: Path) -> None:
        """Remove the attempt's folder and its row (an imported original file is left alone)."""
        root = attempts_dir(home).resolve()
        row = self.get(attempt_id)
        folder = Path(row["folder"]) if row else root / attempt_id
        if row is None and not folder.is_dir():
            raise CoachError(f"no attempt with id '{attempt_id}' (see 'coach history')")
        if folder.exists():
            if folder.resolve().parent != root:
                raise CoachError(f"refusing to delete {folder}: it is not inside {root}")
            shutil.rmtree(folder)
        with self.write() as conn:
            conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
            if row and row["prompt_id"] and row["rating"]:  # as a rebuild would see it now
                self._reschedule(conn, row["prompt_id"])

    def set_rating(self, attempt_id: str, rating: str | int) -> Card | None:
        """Rate an attempt (a key 1-4 or a name) and reschedule its prompt; returns the
        prompt's card (None for a free recording, which has nothing to schedule).

        One rating per attempt: rating again replaces it. The rating is written to the
        attempt's folder first (the source of truth, so a rebuild keeps it), then the prompt's
        card is replayed from every rating of the prompt, exactly as ``rebuild`` does."""
        rating = parse_rating(rating)
        row = self.get(attempt_id)
        if row is None:
            raise CoachError(f"no attempt with id '{attempt_id}' (see 'coach history')")
        refusal = why_not_ratable(attempt_id, row["state"], bool(row["no_speech"]))
        if refusal:
            raise CoachError(refusal)
        rated_at = now_iso()
        try:
            attempt: Attempt | None = load_attempt(Path(row["folder"]))
        except (OSError, ValueError, TypeError):
            attempt = None
        if attempt is not None:
            saved = update_attempt(
                attempt, rating=rating, extra={**(attempt.extra or {}), "rated_at": rated_at}
            )
        with self.write() as conn:
            if attempt is not None and attempt.damage:  # attempt.json written whole: the row too
                self._upsert(conn, self._attempt_row(saved, read_analysis(saved)))
            conn.execute(
                "UPDATE attempts SET rating = ?, rated_at = ? WHERE id = ?",
                (rating, rated_at, attempt_id),
            )
            if row["prompt_id"]:
                self._reschedule(conn, row["prompt_id"])
        return self.card(row["prompt_id"]) if row["prompt_id"] else None

    def _reschedule(self, conn: sqlite3.Connection, prompt_id: str) -> None:
        """Replay the prompt's card and its reviews from the ratings on its attempts (inside
        the caller's write transaction). The live path and ``rebuild`` both come here, so the
        schedule depends on the ratings alone, never on how the index was built."""
        unratable = ", ".join("?" for _ in UNRATABLE_STATES)
        rated = conn.execute(
            "SELECT id, rating, started_at FROM attempts WHERE prompt_id = ?"
            f" AND rating IS NOT NULL AND no_speech = 0 AND state NOT IN ({unratable})",
            (prompt_id, *UNRATABLE_STATES),
        ).fetchall()
        card, reviews = replay(
            (r["id"], r["rating"], datetime.fromisoformat(r["started_at"]))
            for r in rated if r["rating"] in RATINGS  # a hand-edited word is left out
        )
        conn.execute("DELETE FROM cards WHERE prompt_id = ?", (prompt_id,))  # reviews cascade
        if card is None:
            return
        conn.execute(
            "INSERT INTO cards (prompt_id, card, due, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (prompt_id, card_to_json(card), card.due.isoformat(), reviews[0].at.isoformat(),
             reviews[-1].at.isoformat()),
        )
        conn.executemany(
            "INSERT INTO reviews (prompt_id, attempt_id, rating, reviewed_at, due)"
            " VALUES (?, ?, ?, ?, ?)",
            [(prompt_id, r.attempt_id, r.rating, r.at.isoformat(), r.due.isoformat())
             for r in reviews],
        )

    def card(self, prompt_id: str) -> Card | None:
        """The prompt's FSRS card, or None if it was never rated."""
        rows = self.query("SELECT card FROM cards WHERE prompt_id = ?", (prompt_id,))
        return card_from_json(rows[0]["card"]) if rows else None

    def card_dues(self) -> list[tuple[str, datetime, datetime]]:
        """(prompt id, due, first review) of every scheduled prompt, soonest due first."""
        return [
            (r["prompt_id"], datetime.fromisoformat(r["due"]),
             datetime.fromisoformat(r["created_at"]))
            for r in self.query(
                "SELECT prompt_id, due, created_at FROM cards ORDER BY due, prompt_id")
        ]

    def first_practised(self) -> dict[str, datetime]:
        """When each prompt was first answered (any attempt of it)."""
        return {
            r["prompt_id"]: datetime.fromisoformat(r["first"])
            for r in self.query(
                "SELECT prompt_id, MIN(started_at) AS first FROM attempts"
                " WHERE prompt_id IS NOT NULL GROUP BY prompt_id")
        }

    def set_self_rating(self, attempt_id: str, value: str | int) -> str:
        """Store how the user rated their own answer before seeing the score: on the row, in
        ``attempt.json`` (the source of truth) and in ``analysis.json`` when it exists."""
        rating = parse_self_rating(value)
        row = self.get(attempt_id)
        folder = Path(row["folder"]) if row else attempts_dir(self.path.parent) / attempt_id
        try:
            attempt = load_attempt(folder)
        except (OSError, ValueError, TypeError):
            raise CoachError(f"no attempt with id '{attempt_id}' (see 'coach history')") from None
        attempt = update_attempt(attempt, self_rating=rating)
        analysis = read_analysis(attempt)
        if analysis is not None:
            write_analysis(attempt, {**analysis, "self_rating": rating})
        self.record_attempt(attempt, analysis)
        return rating

    def rebuild(self, home: Path) -> int:
        """Recreate the index (attempts, cards, reviews) from the attempt folders; returns
        how many attempts were indexed. Cards are replayed from the stored ratings by the same
        ``_reschedule`` a live rating uses, in the same transaction.

        The folders are read while holding the write lock, so an attempt another process
        records meanwhile is either already in its folder or written after the rebuild.
        """
        with self.write() as conn:
            rows = [self._attempt_row(a, read_analysis(a)) for a in iter_attempts(home)]
            conn.execute("DELETE FROM reviews")
            conn.execute("DELETE FROM cards")
            conn.execute("DELETE FROM attempts")
            for row in rows:
                self._upsert(conn, row)
            for prompt_id in sorted({r["prompt_id"] for r in rows
                                     if r["prompt_id"] and r["rating"]}):
                self._reschedule(conn, prompt_id)
        return len(rows)

    # ------------------------------------------------------------------ views

    def dashboard_rows(self, prompt_titles: dict[str, Any]) -> list[dict[str, Any]]:
        """Rows for ``coach.core.progress.render_dashboard``: analysed attempts, oldest first,
        each with ``no_speech`` so the dashboard can leave silent takes out of its figures.

        ``prompt_titles`` maps prompt id to its title, or to a Prompt / dict with ``title``
        and ``pillar`` (so the dashboard can group by pillar).
        """
        home = self.path.parent
        rows = []
        for row in self.query(
            "SELECT * FROM attempts WHERE duration_s IS NOT NULL ORDER BY started_at, id"
        ):
            info = prompt_titles.get(row["prompt_id"]) if row["prompt_id"] else None
            title, pillar = _title_and_pillar(info, row["prompt_id"])
            href = None
            if row["report_path"] and Path(row["report_path"]).is_file():
                href = Path(os.path.relpath(row["report_path"], home)).as_posix()
            rows.append({
                "id": row["id"],
                "prompt_id": row["prompt_id"],
                "prompt_title": title,
                "pillar": pillar,
                "started_at": row["started_at"],
                "score": row["score"],
                "content": row["content"],
                "delivery": row["delivery"],
                "gap": row["gap"],
                "red_flags": row["red_flags"],
                "hedges_per_min": row["hedges_per_min"],
                "leaned_on": row["leaned_on"],
                "pitch_spread": row["pitch_spread"],
                "wpm": row["wpm"],
                "fillers_per_min": row["fillers_per_min"],
                "hesitations_per_min": row["hesitations_per_min"],
                "reasoning_per_min": row["reasoning_per_min"],
                "coverage": row["coverage"],
                "self_rating": row["self_rating"],
                "no_speech": bool(row["no_speech"]),
                "category": getattr(info, "category", None)
                if not isinstance(info, dict) else info.get("category"),
                "report_href": href,
            })
        return rows

    def export_rows(self) -> list[dict[str, Any]]:
        """Every attempt row, oldest first, for ``coach export``."""
        return self.list_attempts()


def _title_and_pillar(info: Any, prompt_id: str | None) -> tuple[str, str | None]:
    if info is None:
        return (prompt_id or "Free recording"), None
    if isinstance(info, str):
        return info, None
    if isinstance(info, dict):
        return str(info.get("title") or prompt_id), info.get("pillar")
    return str(getattr(info, "title", prompt_id)), getattr(info, "pillar", None)


def open_history(home: Path) -> History:
    """The home's history database, created and migrated if needed.

    A missing database (deleted, or a first start next to old attempt folders) is rebuilt
    from the folders at once; ``history.recovered`` says how many attempts came back, so a
    caller can tell the user. If that rebuild fails, the new file is removed again: left
    there empty, it would hide every older attempt from then on. A damaged one raises
    ``HistoryCorrupt`` (see ``rebuild_index``).
    """
    history = History(database_path(home))
    root = attempts_dir(home)
    if history.created and root.is_dir() and any(root.iterdir()):
        try:
            history.recovered = history.rebuild(home)
        except BaseException:
            history.close()
            for suffix in ("", "-wal", "-shm"):
                with suppress(OSError):
                    Path(f"{database_path(home)}{suffix}").unlink()
            raise
    return history


def rebuild_index(home: Path) -> tuple[int, Path | None]:
    """``coach history --rebuild``: recreate the index, moving a damaged file aside first.

    Returns (attempts indexed, where the damaged file went or None).
    """
    moved = None
    try:
        history = History(database_path(home))
    except HistoryCorrupt:
        moved = move_aside(database_path(home))
        history = History(database_path(home))
    with history:
        return history.rebuild(home), moved
