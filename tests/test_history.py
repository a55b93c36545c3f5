"""The history database: schema migrations, the attempt index, rebuild, delete, dashboard rows."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from coach.core.analysis import analyze
from coach.core.attempts import (
    Attempt,
    load_attempt,
    new_attempt,
    read_analysis,
    update_attempt,
    write_analysis,
)
from coach.core.history import MIGRATIONS, History, HistoryCorrupt, open_history, rebuild_index
from coach.core.model import Transcript
from coach.errors import CoachError
from coach.paths import database_path

# The schema as coach 1 wrote it (schema version 1). Kept verbatim here, not imported, so the
# test keeps checking an upgrade from what real users have on disk.
V1_DDL = (
    """CREATE TABLE attempts (
    id TEXT PRIMARY KEY, prompt_id TEXT, started_at TEXT NOT NULL, state TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'recording', folder TEXT NOT NULL, recording_path TEXT,
    report_path TEXT, follows TEXT, dropped_blocks INTEGER NOT NULL DEFAULT 0,
    recording_s REAL, duration_s REAL, speech_s REAL, wpm REAL, fillers INTEGER,
    fillers_per_min REAL, hesitations_per_min REAL, discourse_per_min REAL,
    reasoning_count INTEGER, reasoning_per_min REAL, coverage REAL, score REAL, verdict TEXT,
    pauses INTEGER, no_speech INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX attempts_prompt ON attempts(prompt_id, started_at)",
)


def make_analysis(score: float = 70.0, hesitations: int = 4, discourse: int = 2,
                  wpm: float = 140.0, coverage: float | None = 0.5) -> dict[str, Any]:
    """An ``analysis.json`` dict of the documented shape for a 60 s answer with 48 s of speech."""
    fillers = [{"text": "um", "kind": "hesitation", "start": i, "end": i + 0.2, "word_index": i}
               for i in range(hesitations)]
    fillers += [{"text": "like", "kind": "discourse", "start": 20 + i, "end": 20.3 + i,
                 "word_index": 20 + i} for i in range(discourse)]
    count = hesitations + discourse
    return {
        "audio": "recording.wav", "duration_s": 60.0, "speech_s": 48.0,
        "transcript": "so um I would pick a b-tree because range scans",
        "prompt_id": "btree-vs-hash", "no_speech": False, "report": "", "words": [],
        "fillers": fillers,
        "pauses": [{"start": 10.0, "end": 12.0, "duration": 2.0, "kind": "gap"}],
        "wpm": wpm,
        "reasoning": {"count": 3, "per_min": 3.75, "markers": [], "thirds": [1, 1, 1]},
        "coverage": None if coverage is None else {
            "prompt_id": "btree-vs-hash", "covered": 1, "total": 2, "ratio": coverage,
            "points": []},
        "score": {"total": score, "verdict": "solid", "components": []},
        "extra": {"filler_stats": {"count": count, "per_min": round(count / 0.8, 3),
                                   "hesitations": hesitations, "discourse": discourse,
                                   "by_text": {}, "clusters": []}},
    }


def silent_analysis(prompt_id: str | None = "btree-vs-hash") -> dict[str, Any]:
    """What the analysis itself makes of a take with no speech in it (scored 0, ``no_speech``)."""
    transcript = Transcript((), 8.0, (), "fixed", no_speech=True)
    return {**analyze(transcript).to_dict(), "prompt_id": prompt_id}


def make_attempt(home: Path, prompt_id: str | None = "btree-vs-hash", score: float = 70.0,
                 history: History | None = None, *, silent: bool = False,
                 **fields: Any) -> Attempt:
    """An analysed attempt folder with its analysis and report, indexed if ``history`` given;
    ``silent``: a take with no speech in it."""
    attempt = new_attempt(home, prompt_id, **fields)
    analysis = silent_analysis(prompt_id) if silent else make_analysis(score=score)
    write_analysis(attempt, analysis)
    attempt.report_path.write_text("<html>report</html>", encoding="utf-8")
    attempt = update_attempt(attempt, state="analysed", recording_s=61.0)
    if history is not None:
        history.record_attempt(attempt, analysis)
    return attempt


def schema_of(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT name, sql FROM sqlite_master"))
    finally:
        conn.close()


def version_of(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


# ---------------------------------------------------------------------------- schema


def test_new_database_is_created_at_the_latest_schema_with_wal_and_foreign_keys(tmp_path):
    db = tmp_path / "coach.db"
    with History(db) as history:
        assert history.schema_version() == len(MIGRATIONS) >= 2
        assert history.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert history.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert history.conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        assert history.list_attempts() == []
    names = {name for name, _sql in schema_of(db)}
    assert {"attempts", "cards", "reviews"} <= names
    assert stat.S_IMODE(db.stat().st_mode) == 0o600  # user-only: it describes the user


def test_v1_database_is_migrated_and_keeps_its_attempts(tmp_path):
    db = tmp_path / "coach.db"
    conn = sqlite3.connect(db)
    for statement in V1_DDL:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO attempts (id, prompt_id, started_at, state, folder, score, wpm)"
        " VALUES ('a1', 'btree-vs-hash', '2026-01-01T09:00:00+00:00', 'analysed', ?, 61.5, 150)",
        (str(tmp_path / "attempts" / "a1"),),
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    with History(db) as history:
        assert history.schema_version() == len(MIGRATIONS)
        row = history.get("a1")
        assert row is not None
        assert (row["prompt_id"], row["score"], row["wpm"]) == ("btree-vs-hash", 61.5, 150.0)
        assert row["rating"] is None  # the column v2 added, empty for old rows
        history.conn.execute("UPDATE attempts SET rating = 'good' WHERE id = 'a1'")
        assert history.get("a1")["rating"] == "good"


def test_each_earlier_version_upgrades_to_the_latest(tmp_path):
    for version in range(len(MIGRATIONS)):
        db = tmp_path / f"v{version}.db"
        with History(db, migrations=MIGRATIONS[:version]) as old:
            assert old.schema_version() == version
        with History(db) as history:
            assert history.schema_version() == len(MIGRATIONS)
            assert {"attempts", "cards", "reviews"} <= {n for n, _ in schema_of(db)}


def test_a_migration_failing_halfway_leaves_schema_and_version_unchanged(tmp_path):
    db = tmp_path / "coach.db"
    with History(db, migrations=MIGRATIONS[:1]) as v1:
        v1.conn.execute(
            "INSERT INTO attempts (id, started_at, state, folder) VALUES ('a1', 't', 's', 'f')"
        )
    before = schema_of(db)

    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE attempts ADD COLUMN rating TEXT")
        conn.execute("CREATE TABLE cards (prompt_id TEXT PRIMARY KEY)")
        raise RuntimeError("boom in the middle of the migration")

    with pytest.raises(CoachError, match="left unchanged"):
        History(db, migrations=[MIGRATIONS[0], half_done])
    assert schema_of(db) == before
    assert version_of(db) == 1
    with History(db) as history:  # the real migration still works afterwards
        assert history.schema_version() == len(MIGRATIONS)
        assert history.get("a1") is not None


def test_database_from_a_newer_coach_is_refused_and_left_byte_identical(tmp_path):
    db = tmp_path / "coach.db"
    with History(db):
        pass
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(CoachError) as info:
        History(db)
    assert str(info.value) == (
        f"coach.db was written by a newer version of coach (schema 99 > {len(MIGRATIONS)}); "
        "upgrade coach"
    )
    assert not isinstance(info.value, HistoryCorrupt)
    assert db.read_bytes() == before
    assert not (tmp_path / "coach.db-wal").exists()


def test_garbage_file_is_reported_as_corrupt_with_the_rebuild_hint(tmp_path):
    db = tmp_path / "coach.db"
    db.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(HistoryCorrupt, match="coach history --rebuild"):
        History(db)


# ---------------------------------------------------------------------------- attempts


def test_record_attempt_stores_every_metric_of_the_analysis(coach_home):
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, history=history, follows="earlier-attempt",
                               dropped_blocks=3)
        row = history.get(attempt.id)
    assert row["prompt_id"] == "btree-vs-hash"
    assert row["started_at"] == attempt.started_at
    assert row["state"] == "analysed"
    assert row["follows"] == "earlier-attempt"
    assert row["dropped_blocks"] == 3
    assert (row["duration_s"], row["speech_s"], row["recording_s"]) == (60.0, 48.0, 61.0)
    assert row["wpm"] == 140.0
    assert row["fillers"] == 6
    assert row["fillers_per_min"] == pytest.approx(7.5)  # 6 fillers in 0.8 min of speech
    assert row["hesitations_per_min"] == pytest.approx(5.0)
    assert row["discourse_per_min"] == pytest.approx(2.5)
    assert (row["reasoning_count"], row["reasoning_per_min"]) == (3, 3.75)
    assert row["coverage"] == 0.5
    assert (row["score"], row["verdict"]) == (70.0, "solid")
    assert row["pauses"] == 1
    assert row["recording_path"] == str(attempt.recording_path)
    assert row["report_path"] == str(attempt.report_path)


def test_record_attempt_is_an_upsert_through_the_attempt_states(coach_home):
    with open_history(coach_home) as history:
        attempt = new_attempt(coach_home, "btree-vs-hash")
        history.record_attempt(attempt, None)
        assert history.get(attempt.id)["state"] == "recording"
        assert history.get(attempt.id)["score"] is None
        analysed = update_attempt(attempt, state="analysed")
        history.record_attempt(analysed, make_analysis(score=81))
        rows = history.list_attempts()
    assert len(rows) == 1
    assert (rows[0]["state"], rows[0]["score"]) == ("analysed", 81.0)


def test_free_recordings_and_imports_are_attempts_too(coach_home):
    with open_history(coach_home) as history:
        free = make_attempt(coach_home, prompt_id=None, history=history)
        imported = make_attempt(coach_home, history=history, source="import",
                                source_audio="/music/answer.m4a")
        assert history.get(free.id)["prompt_id"] is None
        assert history.get(imported.id)["source"] == "import"
        assert [r["id"] for r in history.list_attempts("btree-vs-hash")] == [imported.id]


def test_previous_attempt_is_the_latest_earlier_analysed_one_of_the_same_prompt(coach_home):
    with open_history(coach_home) as history:
        first = make_attempt(coach_home, history=history, score=50)
        make_attempt(coach_home, prompt_id="other-prompt", history=history)
        failed = new_attempt(coach_home, "btree-vs-hash", state="failed")
        history.record_attempt(failed, None)
        second = make_attempt(coach_home, history=history, score=65)
        third = make_attempt(coach_home, history=history, score=80)
        assert history.previous_attempt(first.id) is None
        assert history.previous_attempt(second.id)["id"] == first.id
        assert history.previous_attempt(third.id)["id"] == second.id
        # The pipeline asks before indexing the new attempt (its report links to the previous).
        fourth = make_attempt(coach_home)
        assert history.get(fourth.id) is None
        assert history.previous_attempt(fourth.id)["id"] == third.id


def test_previous_attempt_skips_takes_with_no_speech(coach_home):
    """The report compares an answer with the last one that said something: against a silent
    take any answer would look like a gain of its whole score."""
    with open_history(coach_home) as history:
        spoken = make_attempt(coach_home, history=history, score=60)
        silent = make_attempt(coach_home, history=history, silent=True)
        assert history.get(silent.id)["no_speech"] == 1
        latest = make_attempt(coach_home, history=history, score=65)
        assert history.previous_attempt(latest.id)["id"] == spoken.id


def test_delete_removes_the_folder_and_the_row_and_nothing_else(coach_home):
    with open_history(coach_home) as history:
        keep = make_attempt(coach_home, history=history)
        gone = make_attempt(coach_home, history=history)
        history.delete_attempt(gone.id, coach_home)
        assert not gone.path.exists()
        assert history.get(gone.id) is None
        assert keep.path.is_dir() and history.get(keep.id) is not None
        with pytest.raises(CoachError, match="no attempt"):
            history.delete_attempt("no-such-attempt", coach_home)


def test_delete_never_touches_an_imported_original(coach_home, tmp_path):
    original = tmp_path / "my answer.wav"
    original.write_bytes(b"RIFF....")
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, history=history, source="import",
                               recording=str(original))
        history.delete_attempt(attempt.id, coach_home)
    assert original.read_bytes() == b"RIFF...."


def test_set_rating_is_written_to_the_attempt_folder_so_rebuild_keeps_it(coach_home):
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, history=history)
        history.set_rating(attempt.id, "Hard")
        assert history.get(attempt.id)["rating"] == "hard"
        assert load_attempt(attempt.path).rating == "hard"
        with pytest.raises(CoachError, match="unknown rating"):
            history.set_rating(attempt.id, "meh")
        history.conn.execute("DELETE FROM attempts")
        assert history.rebuild(coach_home) == 1
        assert history.get(attempt.id)["rating"] == "hard"


def test_rebuild_after_the_database_is_deleted_brings_every_attempt_back(coach_home):
    with open_history(coach_home) as history:
        attempts = [make_attempt(coach_home, history=history, score=40 + i) for i in range(4)]
        before = history.list_attempts()
    database_path(coach_home).unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(database_path(coach_home)) + suffix).unlink(missing_ok=True)
    count, moved = rebuild_index(coach_home)
    assert (count, moved) == (4, None)
    with open_history(coach_home) as history:
        after = history.list_attempts()
    assert [r["id"] for r in after] == [a.id for a in attempts]
    assert after == before


def test_rebuild_after_corruption_moves_the_bad_file_aside_and_recovers(coach_home):
    with open_history(coach_home) as history:
        attempts = [make_attempt(coach_home, history=history) for _ in range(3)]
    db = database_path(coach_home)
    db.write_bytes(b"\x00garbage\xff" * 5000)
    with pytest.raises(HistoryCorrupt):
        open_history(coach_home)
    count, moved = rebuild_index(coach_home)
    assert count == 3
    assert moved is not None and moved.name.startswith("coach.db.corrupt-")
    assert moved.read_bytes() == b"\x00garbage\xff" * 5000  # kept, never deleted
    with open_history(coach_home) as history:
        assert {r["id"] for r in history.list_attempts()} == {a.id for a in attempts}


def test_damaged_pages_inside_a_real_database_are_detected(coach_home):
    with open_history(coach_home) as history:
        for _ in range(30):
            make_attempt(coach_home, history=history)
    db = database_path(coach_home)
    data = bytearray(db.read_bytes())
    assert len(data) > 3 * 4096
    data[4096:3 * 4096] = b"\xde\xad\xbe\xef" * 2048  # pages 2-3 overwritten, header intact
    db.write_bytes(bytes(data))
    with pytest.raises(HistoryCorrupt, match="--rebuild"), open_history(coach_home) as history:
        history.list_attempts()
    count, moved = rebuild_index(coach_home)
    assert count == 30 and moved is not None


def test_rebuild_lists_an_attempt_folder_it_cannot_read_as_damaged(coach_home):
    # It used to be skipped, so one bad file made an attempt vanish from the history.
    good = make_attempt(coach_home)
    broken = make_attempt(coach_home)
    (broken.path / "attempt.json").write_text("{ not json", encoding="utf-8")
    count, _ = rebuild_index(coach_home)
    assert count == 2
    with open_history(coach_home) as history:
        rows = {r["id"]: r for r in history.list_attempts()}
    assert rows[good.id]["state"] == "analysed"
    assert rows[broken.id]["state"] == "damaged"
    assert rows[broken.id]["error"].startswith("attempt.json is not valid JSON")
    assert rows[broken.id]["score"] == 70.0  # its analysis.json is whole


def test_dashboard_rows_carry_titles_pillars_metrics_and_relative_report_links(coach_home):
    with open_history(coach_home) as history:
        a = make_attempt(coach_home, history=history, score=55)
        free = make_attempt(coach_home, prompt_id=None, history=history)
        pending = new_attempt(coach_home, "btree-vs-hash")
        history.record_attempt(pending, None)  # not analysed yet: not charted
        titles = {"btree-vs-hash": {"title": "B-tree or hash index?", "pillar": "system-design"}}
        rows = history.dashboard_rows(titles)
        plain = history.dashboard_rows({"btree-vs-hash": "B-tree or hash index?"})
    assert [r["id"] for r in rows] == [a.id, free.id]
    first = rows[0]
    assert first["prompt_title"] == "B-tree or hash index?"
    assert first["pillar"] == "system-design"
    assert first["report_href"] == f"attempts/{a.id}/report.html"
    assert (first["score"], first["wpm"], first["coverage"]) == (55.0, 140.0, 0.5)
    assert first["fillers_per_min"] == pytest.approx(7.5)
    assert first["hesitations_per_min"] == pytest.approx(5.0)
    assert first["reasoning_per_min"] == 3.75
    assert first["started_at"] == a.started_at
    assert rows[1]["prompt_id"] is None and rows[1]["prompt_title"] == "Free recording"
    assert plain[0]["prompt_title"] == "B-tree or hash index?" and plain[0]["pillar"] is None
    assert (coach_home / first["report_href"]).is_file()


def test_analysis_round_trip_from_the_folder_matches_the_index(coach_home):
    with open_history(coach_home) as history:
        attempt = make_attempt(coach_home, history=history)
        assert history.get(attempt.id)["score"] == read_analysis(attempt)["score"]["total"]


def test_missing_database_is_rebuilt_from_the_folders_on_open(coach_home):
    with open_history(coach_home) as history:
        attempts = [make_attempt(coach_home, history=history) for _ in range(3)]
        assert history.recovered == 0
    database_path(coach_home).unlink()
    with open_history(coach_home) as history:
        assert history.recovered == 3
        assert [r["id"] for r in history.list_attempts()] == [a.id for a in attempts]
    with open_history(coach_home) as history:
        assert history.recovered == 0  # only once, when the file was missing


def _analysed_and_recorded(coach_home, text: str, **extra: Any) -> tuple[dict, Any]:
    """``text`` analysed against a one-point index prompt (``extra`` merged into the analysis),
    written to an attempt folder and recorded: (the analysis dict, its history row)."""
    from coach.core.model import KeyPoint, Prompt
    from tests.support.spoken import transcript_of

    prompt = Prompt("p", "Index", "system-design", "senior", "Which index?", 5, 60,
                    key_points=(KeyPoint("range", "range scans", ("range scan",)),))
    analysis = analyze(transcript_of(text), prompt=prompt).to_dict() | extra
    attempt = new_attempt(coach_home, "p")
    write_analysis(attempt, analysis)
    attempt = update_attempt(attempt, state="analysed")
    with open_history(coach_home) as history:
        history.record_attempt(attempt, analysis)
        return analysis, history.get(attempt.id)


def test_content_delivery_and_gap_of_a_real_analysis_are_stored(coach_home):
    analysis, row = _analysed_and_recorded(
        coach_home,
        "I would pick a B-tree, because a range scan needs sorted keys, which a hash index "
        "cannot give. The trade-off is write cost, instead of faster point lookups.")
    score = analysis["score"]
    assert row["content"] == score["content"]
    assert row["delivery"] == score["delivery"]
    assert row["gap"] == score["gap"] in ("knowledge", "communication", "both", "none")


def test_red_flags_hedges_leaned_on_phrase_and_pitch_of_a_real_analysis_are_stored(coach_home):
    pitch = {"median_hz": 120.0, "spread_semitones": 2.4, "windows": [], "monotone": []}
    analysis, row = _analysed_and_recorded(
        coach_home,
        "I think basically a hash index, I guess. Basically it is probably fine. Maybe "
        "basically a B-tree works too, basically, I'm not sure. Basically it depends.",
        pitch=pitch)
    assert row["red_flags"].split(",") == [f["id"] for f in analysis["red_flags"]]
    assert "no-decision" in row["red_flags"]
    assert row["hedges_per_min"] == analysis["hedges"]["per_min"] > 0
    top = analysis["repetition"][0]
    assert row["leaned_on"] == f"{top['text']} x{top['count']}" and "basically" in row["leaned_on"]
    assert row["pitch_spread"] == 2.4
