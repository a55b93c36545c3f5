"""Database faults (issue 8): two writers at once, disk full while committing.

Each test injects the fault for real (separate processes, a file-size limit, a page limit)
and checks the promise: nothing already recorded is lost and the file stays sound.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coach.core.attempts import Attempt, load_attempt
from coach.core.history import open_history
from coach.errors import CoachError
from coach.paths import database_path
from tests.test_history import make_analysis, make_attempt

REPO = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from coach.core.attempts import new_attempt, update_attempt, write_analysis
    from coach.core.history import open_history
    from tests.test_history import make_analysis

    home, go, tag = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    while not go.exists():
        time.sleep(0.01)
    for i in range(50):
        attempt = new_attempt(home, f"prompt-{tag}")
        analysis = make_analysis(score=i)
        write_analysis(attempt, analysis)
        attempt = update_attempt(attempt, state="analysed")
        with open_history(home) as history:  # a fresh connection each time, like two coaches
            history.record_attempt(attempt, analysis)
    print("done", tag)
""")


def run_python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, **kwargs,
    )


def quick_check(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()


def test_two_processes_recording_at_once_lose_nothing(coach_home, tmp_path):
    go = tmp_path / "go"
    writers = [run_python(WRITER, str(coach_home), str(go), tag) for tag in ("a", "b")]
    go.touch()  # both start together
    for proc in writers:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with open_history(coach_home) as history:
        rows = history.list_attempts()
    assert len(rows) == 100
    assert sum(r["prompt_id"] == "prompt-a" for r in rows) == 50
    assert len({r["id"] for r in rows}) == 100
    assert quick_check(database_path(coach_home)) == "ok"


FILL_DISK = textwrap.dedent("""
    import resource, signal, sys
    from pathlib import Path
    from coach.core.attempts import Attempt
    from coach.core.history import open_history
    from coach.errors import CoachError
    from tests.test_history import make_analysis

    home = Path(sys.argv[1])
    history = open_history(home)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
    done = 0
    try:
        for i in range(100000):
            attempt = Attempt(id=f"late-{i:06d}", folder=str(home / "attempts" / f"late-{i}"),
                              prompt_id="btree-vs-hash", state="analysed",
                              extra={"pad": "x" * 2000})
            history.record_attempt(attempt, make_analysis(score=i % 100))
            done += 1
    except CoachError as exc:
        print(done)
        print(exc)
        sys.exit(0)
    sys.exit("the size limit was never hit")
""")


def test_disk_full_while_committing_gives_a_clear_error_and_keeps_the_database(coach_home):
    with open_history(coach_home) as history:
        earlier = [make_attempt(coach_home, history=history, score=60 + i) for i in range(3)]
        before = [history.get(a.id) for a in earlier]
    proc = run_python(FILL_DISK, str(coach_home))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    committed_text, message = out.strip().splitlines()[:2]
    assert "could not save to the history database" in message
    assert "coach history --rebuild" in message and "\n" not in message
    assert "Traceback" not in err
    db = database_path(coach_home)
    assert quick_check(db) == "ok"
    with open_history(coach_home) as history:
        assert [history.get(a.id) for a in earlier] == before
        late = [r for r in history.list_attempts() if r["id"].startswith("late-")]
    assert len(late) == int(committed_text)  # every commit that reported success is there
    for attempt in earlier:
        assert load_attempt(attempt.path).state == "analysed"
        assert (attempt.path / "analysis.json").is_file()


def test_database_page_limit_reached_gives_a_coach_error_and_a_sound_file(coach_home):
    with open_history(coach_home) as history:
        earlier = make_attempt(coach_home, history=history)
        pages = history.conn.execute("PRAGMA page_count").fetchone()[0]
        history.conn.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(CoachError, match="could not save to the history database"):
            for i in range(2000):
                history.record_attempt(
                    Attempt(id=f"x{i:05d}", folder=str(coach_home / "attempts" / f"x{i}"),
                            prompt_id="btree-vs-hash"),
                    make_analysis(),
                )
        assert history.get(earlier.id)["score"] == 70.0
    assert quick_check(database_path(coach_home)) == "ok"
