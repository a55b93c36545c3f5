"""Everything ``coach doctor`` checks: the core's checks of files, then probes of the hardware
and the model, each through the code the app itself uses, so the doctor and a practice session
never disagree about which microphone records or which model transcribes.

The probes sit outside ``coach.core`` because they import sounddevice (``coach.audio.devices``)
and faster-whisper (``coach.transcribe``). Each returns a ``coach.core.doctor.Check``.

No microphone is a failure, not a warning: practice means answering aloud, and the doctor's
exit code answers "can I practise here?". Analysing files still works without one, and a machine
that is meant to have none (a CI box) runs ``coach doctor --skip audio``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from coach.config import Settings
from coach.core.doctor import FAIL, OK, WARN, Check, file_checks, skipped
from coach.errors import CoachError

PROBES = ("audio", "voice", "model")  # the checks ``--skip`` can leave out
MODEL_FIX = ("set model in config.toml (or pass --model) to 'default', a model name such as "
             "base.en, or a complete CTranslate2 model folder")


def check_audio(settings: Settings) -> Check:
    """PortAudio, the inputs it lists, and the one recording will use (as the app resolves it:
    a saved microphone that is unplugged gives way to the default input)."""
    from coach.audio.devices import (
        describe_input,
        input_device_name,
        list_input_devices,
        load_sounddevice,
        preflight,
    )

    try:
        sd = load_sounddevice()
        inputs = list_input_devices()
    except CoachError as exc:
        return Check("audio", FAIL, str(exc))
    portaudio = str(sd.get_portaudio_version()[1]).split(",")[0]  # without the git revision
    listed = ", ".join(f"{i}: {name}" for i, name in inputs) or "none"
    details = {"portaudio": portaudio, "inputs": [name for _, name in inputs]}
    setting, rate = settings.input_device, settings.sample_rate
    problem = preflight(setting or None, rate=rate)
    if problem and setting and preflight(None, rate=rate) is None:
        used = describe_input("", input_device_name(None))
        return Check("audio", WARN, f"saved microphone '{setting}' cannot be used ({problem}); "
                     f"the app records from the {used} instead",
                     "choose a microphone in the app (ctrl+p) or fix input_device in config.toml",
                     details)
    if problem:
        return Check("audio", FAIL, f"{portaudio}; inputs: {listed}; {problem}", "", details)
    used = describe_input(setting, input_device_name(setting or None))
    return Check("audio", OK, f"{portaudio}; inputs: {listed}; recording from: {used}",
                 details={**details, "recording_from": used})


def _engine_version(command: Sequence[str]) -> str | None:
    """The speech engine's first line of ``--version`` (None: it does not run)."""
    if Path(command[0]).name == "say":
        return "say"  # macOS's own; it has no --version
    try:
        out = subprocess.run([command[0], "--version"], capture_output=True, text=True,
                             timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = (out.stdout or out.stderr).strip().splitlines()
    # "eSpeak NG text-to-speech: 1.51  Data at: /usr/lib/...": the part before the data folder
    return re.split(r"\s{2,}", lines[0].strip())[0] if out.returncode == 0 and lines else None


def check_voice(settings: Settings) -> Check:
    """The engine that reads prompts aloud (``coach.audio.speak``) and something to hear it on."""
    from coach.audio import speak
    from coach.audio.devices import input_device_name, list_output_devices

    if not settings.speak_prompt:
        return Check("voice", OK, "off (speak_prompt = false in config.toml): prompts are shown, "
                     "not read aloud")
    command = speak.engine()
    if command is None:
        fix = "it comes with macOS" if sys.platform == "darwin" else \
            "apt-get install espeak-ng (or your system's espeak-ng package)"
        return Check("voice", WARN, "no speech engine (espeak-ng or say): prompts are shown but "
                     "not read aloud", fix)
    version = _engine_version(command)
    if version is None:
        return Check("voice", WARN, f"{command[0]} does not run: prompts are shown but not read "
                     "aloud", "reinstall espeak-ng")
    try:
        outputs = list_output_devices()
    except CoachError:
        outputs = []
    if not outputs:
        return Check("voice", WARN, f"{version}, but no audio output device: prompts read aloud "
                     "and replays are silent",
                     "connect speakers or headphones (or check the audio server is running)")
    output = input_device_name(None, kind="output") or outputs[0][1]
    return Check("voice", OK, f"{version}; plays through: {output}")


def check_model(name: str) -> Check:
    """The model transcription would load (``resolve_model``), loaded once the same way."""
    from coach.transcribe.models import DEFAULT_NAMES, downloaded_path, is_local, resolve_model
    from coach.transcribe.whisper import Transcriber

    try:
        ref = resolve_model(name)
    except CoachError as exc:
        return Check("model", FAIL, str(exc), MODEL_FIX)
    text = name.strip()
    if text in DEFAULT_NAMES:
        label = f"default (tiny.en, bundled) at {ref}"
    elif is_local(text):
        label = f"folder {ref}"
    else:
        where = downloaded_path(ref)
        if where is None:
            return Check("model", WARN, f"{ref} is not downloaded yet: the first analysis "
                         "downloads it, which needs internet once",
                         "analyse any recording once while online, or use the bundled model "
                         "(model = \"default\")", {"model": ref})
        label = f"{ref} at {where}"
    started = time.perf_counter()
    try:
        Transcriber(text).load()
    except CoachError as exc:
        return Check("model", FAIL, str(exc), MODEL_FIX, {"model": ref})
    took = time.perf_counter() - started
    return Check("model", OK, f"{label}: loads in {took:.1f} s",
                 details={"model": ref, "load_s": round(took, 2)})


def run_checks(home: Path, settings: Settings, builtin_dir: Path, user_dirs: Sequence[Path],
               config_warnings: Sequence[str], *, skip: Collection[str] = ()) -> Iterator[Check]:
    """Every check, fast ones first, yielded as each finishes (the model takes a second)."""
    yield from file_checks(home, builtin_dir, user_dirs, config_warnings)
    probes = {
        "audio": lambda: check_audio(settings),
        "voice": lambda: check_voice(settings),
        "model": lambda: check_model(settings.model),
    }
    for name, probe in probes.items():
        if name in skip:
            yield skipped(name)
            continue
        try:
            yield probe()
        except Exception as exc:  # a probe's own bug must not hide the other checks
            yield Check(name, FAIL, f"the check itself failed: {type(exc).__name__}: {exc}")
