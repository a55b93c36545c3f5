"""Replay from the review screen through the real output path (PortAudio -> ALSA), with
``fake-mic`` capturing what is played into a file (``FAKE_MIC_PLAYED``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO_ROOT

FAKE_MIC = REPO_ROOT.parent / "shared" / "tools" / "fake-mic"

DRIVER = r'''
import asyncio, json, shutil, sys
from pathlib import Path
from tests.test_tui_review import make_ctx, review_app
from coach.tui.screens.review import ReviewScreen

async def main(home, audio):
    ctx = make_ctx(Path(home))
    app, attempt, analysis = review_app(ctx)
    shutil.copyfile(audio, attempt.recording_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.push_screen(ReviewScreen(attempt, analysis, ctx.prompt("btree-vs-hash")))
        screen = app.screen
        await pilot.press("p")
        await pilot.pause(0.3)
        screen.player.wait(30)
        await pilot.pause(0.3)
        print(json.dumps({
            "status": str(screen.query_one("#status").render()),
            "position": screen.position,
            "duration": screen.player.duration_s,
        }))

asyncio.run(main(sys.argv[1], sys.argv[2]))
'''


@pytest.mark.slow
def test_play_sends_the_recording_to_the_output(tmp_path: Path, speak) -> None:
    if not FAKE_MIC.is_file() or shutil.which("sox") is None:
        pytest.skip("fake-mic (and sox) needed to capture playback without a sound card")
    audio = speak("tui-replay", ["Replay this answer about a B-tree index, please."])
    played = tmp_path / "played.raw"
    script = tmp_path / "drive.py"
    script.write_text(DRIVER)
    env = {**os.environ, "FAKE_MIC_PLAYED": str(played), "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run(
        [str(FAKE_MIC), "--pad", "1", str(audio), "--", sys.executable, str(script),
         str(tmp_path / "home"), str(audio)],
        capture_output=True, text=True, env=env, timeout=120, cwd=REPO_ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # (the file plugin is not paced, so playback may already be over: check where it got to)
    assert "0:03 /" in result["status"]  # the status line followed the playing position
    assert result["position"] == pytest.approx(result["duration"], abs=0.3)
    samples = np.frombuffer(played.read_bytes(), np.int16)
    assert len(samples) > 0.8 * result["duration"] * 16000  # the whole answer went out
    assert np.abs(samples).max() > 1000  # and it is sound, not silence
