"""The microphone chosen in the command palette is remembered in config.toml, by name; a saved
microphone that is gone at the next start gives way to the default input, with a notice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coach.audio.devices import describe_input
from coach.config import load_settings
from coach.tui.app import CoachApp
from coach.tui.screens.practice import PracticeScreen
from tests.conftest import REPO_ROOT
from tests.test_tui_flow import SIZE, make_ctx, wait_for

CONFIG = '# my coach settings\nmodel = "base.en"  # the bigger model\n'
GONE = "cannot use input device 'Blue Yeti' (No input device matching 'Blue Yeti')"


def notices(app: CoachApp) -> str:
    return "\n".join(f"{n.title} {n.message}" for n in app._notifications)


def mic_status(app: CoachApp) -> str:
    return str(app.screen.query_one("#mic-status").render())


def only_default_works(ctx) -> str | None:
    """The microphone check on a machine where the saved 'Blue Yeti' was unplugged."""
    return GONE if ctx.settings.input_device == "Blue Yeti" else None


async def test_choosing_a_microphone_saves_it_to_config(coach_home: Path) -> None:
    path = coach_home / "config.toml"
    path.write_text(CONFIG)
    app = CoachApp(make_ctx(coach_home), transcriber_factory=lambda c: None,
                   preflight=lambda c: None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mic_checked, 10)
        # index 999: the device was unplugged after the palette listed it, so PortAudio cannot
        # name it; the name the user picked is saved
        app.choose_microphone("999", "Blue Yeti")
        await wait_for(pilot, lambda: "Blue Yeti" in mic_status(app), 10)
        assert "Recording from: Blue Yeti (saved to config.toml)" in notices(app)
        assert "Microphone ready (Blue Yeti)" in mic_status(app)
    assert path.read_text() == CONFIG + 'input_device = "Blue Yeti"\n'
    loaded = load_settings(coach_home)
    assert loaded.settings.input_device == "Blue Yeti"
    assert loaded.settings.model == "base.en" and loaded.warnings == []


async def test_a_malformed_config_is_not_overwritten(coach_home: Path) -> None:
    path = coach_home / "config.toml"
    path.write_text("model = [unclosed\n")
    app = CoachApp(make_ctx(coach_home), transcriber_factory=lambda c: None,
                   preflight=lambda c: None)
    async with app.run_test(size=SIZE) as pilot:
        app.choose_microphone("999", "Blue Yeti")
        await wait_for(pilot, lambda: "Blue Yeti" in mic_status(app), 10)
        shown = notices(app)
        assert "Recording from: Blue Yeti (this session only:" in shown
        assert "not valid TOML" in shown
    assert path.read_text() == "model = [unclosed\n"


async def test_a_saved_microphone_that_is_gone_gives_way_to_the_default(
    coach_home: Path,
) -> None:
    path = coach_home / "config.toml"
    path.write_text('input_device = "Blue Yeti"\n')
    ctx = make_ctx(coach_home, input_device=load_settings(coach_home).settings.input_device)
    app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=only_default_works)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mic_checked, 10)
        assert app.mic_problem is None
        assert "Microphone ready (default input)" in mic_status(app)
        shown = notices(app)
        assert "Saved microphone not available: Blue Yeti" in shown
        assert GONE in shown and "Recording from the default input instead" in shown
    assert path.read_text() == 'input_device = "Blue Yeti"\n'  # plugged in again, it is used


async def test_practice_opened_from_the_command_line_falls_back_too(coach_home: Path) -> None:
    """``coach practice --prompt ID`` opens straight on the practice screen, whose own check
    must not block the take with the gone microphone while the default input works."""
    (coach_home / "config.toml").write_text('input_device = "Blue Yeti"\n')
    ctx = make_ctx(coach_home, input_device="Blue Yeti")

    def slow_check(ctx) -> str | None:  # PortAudio takes a moment: both checks overlap
        time.sleep(0.3)
        return only_default_works(ctx)

    app = CoachApp(ctx, transcriber_factory=lambda c: None, preflight=slow_check,
                   start_prompt="caching-strategies")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), 10)
        await wait_for(pilot, lambda: app.mic_checked, 10)
        await pilot.pause(1.0)
        assert app.screen.mic_problem is None
        assert app.ctx.settings.input_device == ""
        assert notices(app).count("Saved microphone not available: Blue Yeti") == 1


# ---------------------------------------------------------------- real PortAudio devices

def test_the_microphone_is_named_as_portaudio_resolved_it() -> None:
    """A saved name that only matched part of another device's name must not hide it."""
    assert describe_input("coachmic", "coachmic") == "coachmic"
    assert describe_input("USB Mic", "USB Mic (hw:2,0)") == "USB Mic"  # card number dropped
    assert describe_input("USB Mic MME", "USB Mic") == "USB Mic MME"  # name + host API
    assert describe_input("coachmic", "coachmic2") == "coachmic2, the input matching 'coachmic'"
    assert describe_input("3", "USB Mic (hw:2,0)") == "USB Mic (hw:2,0) (device 3)"
    assert describe_input("", "pulse") == "default input: pulse"
    assert describe_input("", "default") == describe_input("", None) == "default input"
    assert describe_input("Blue Yeti", None) == "Blue Yeti"


DRIVER = r'''
import asyncio, json, sys
from pathlib import Path
from coach.audio.devices import describe_input
from coach.config import load_settings
from coach.tui.app import CoachApp
from tests.test_tui_flow import SIZE, make_ctx, wait_for

async def main(home, pick):
    from coach.audio.devices import list_input_devices

    if pick and pick not in [name for _, name in list_input_devices()]:
        print(json.dumps({"skip": f"this ALSA does not list {pick} from ~/.asoundrc"}))
        return
    saved = load_settings(Path(home)).settings.input_device
    app = CoachApp(make_ctx(Path(home), input_device=saved), transcriber_factory=lambda c: None)
    async with app.run_test(size=SIZE) as pilot:
        status = lambda: str(app.screen.query_one("#mic-status").render())
        await wait_for(pilot, lambda: app.mic_checked, 30)
        if pick:
            await pilot.press("ctrl+p", *f"Microphone: {pick}")
            await pilot.pause(1.0)
            await pilot.press("enter")
            await wait_for(pilot, lambda: pick in status(), 30)
        print(json.dumps({
            "status": status(),
            "notices": "\n".join(f"{n.title} {n.message}" for n in app._notifications),
        }))

asyncio.run(main(sys.argv[1], sys.argv[2]))
'''


def run_with_devices(tmp_path: Path, devices: list[str], pick: str) -> dict:
    """Run the app in a process whose ALSA offers ``devices`` (null devices: no sound card)."""
    fake_home = tmp_path / "user"
    fake_home.mkdir(exist_ok=True)
    (fake_home / ".asoundrc").write_text(
        "".join(f"pcm.{name} {{ type null }}\n" for name in ["!default", *devices])
    )
    script = tmp_path / "drive.py"
    script.write_text(DRIVER)
    env = {**os.environ, "HOME": str(fake_home), "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "coach-home"), pick],
        capture_output=True, text=True, env=env, timeout=120, cwd=REPO_ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_palette_choice_survives_a_restart_and_an_unplugged_microphone(tmp_path: Path) -> None:
    """Through the real PortAudio: pick 'coachmic' in the palette (its name is also the start of
    'coachmic2'), restart, then restart again with it unplugged."""
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("PortAudio (libportaudio2) is not installed")
    first = run_with_devices(tmp_path, ["coachmic2", "coachmic"], "coachmic")
    if "skip" in first:
        pytest.skip(first["skip"])
    assert "Recording from: coachmic (saved to config.toml)" in first["notices"]
    config = tmp_path / "coach-home" / "config.toml"
    assert load_settings(config.parent).settings.input_device == "coachmic"

    again = run_with_devices(tmp_path, ["coachmic2", "coachmic"], "")
    assert "Microphone ready (coachmic)" in again["status"]
    assert "not available" not in again["notices"]

    # Unplugged while a microphone whose name starts the same is still there: PortAudio
    # matches words of names, so recording goes to that one, and the screen must say so.
    lookalike = run_with_devices(tmp_path, ["coachmic2"], "")
    assert "Microphone ready (coachmic2, the input matching 'coachmic')" in lookalike["status"]

    unplugged = run_with_devices(tmp_path, ["deskmic"], "")
    assert "Microphone ready (default input)" in unplugged["status"]
    assert "Saved microphone not available: coachmic" in unplugged["notices"]
    assert "No input device matching 'coachmic'" in unplugged["notices"]
    assert load_settings(config.parent).settings.input_device == "coachmic"
