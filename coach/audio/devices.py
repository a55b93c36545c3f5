"""The microphone and speakers as the coach sees them, and a preflight check before recording.

sounddevice is imported lazily here (and only here) because importing it fails with an OSError
on Linux machines without ``libportaudio2``; the coach must still start there and do everything
that needs no microphone. Every failure becomes a one-line message saying what to do.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any

from coach.errors import CoachError

PORTAUDIO_MISSING = (
    "PortAudio library not found: install libportaudio2 (apt-get install libportaudio2) "
    "or PortAudio for your platform (brew install portaudio) to record and replay"
)


def load_sounddevice() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio into a CoachError with the fix."""
    try:
        import sounddevice
    except OSError as exc:
        raise CoachError(f"{PORTAUDIO_MISSING} ({exc})") from None
    except ImportError as exc:
        raise CoachError(f"the sounddevice package is not installed: pip install sounddevice "
                         f"({exc})") from None
    return sounddevice


def parse_device(device: int | str | None) -> int | str | None:
    """A device from the command line or config: "" means the default, digits an index."""
    if device is None:
        return None
    if isinstance(device, int):
        return device
    text = device.strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def _devices_with(channels_key: str) -> list[tuple[int, str]]:
    sd = load_sounddevice()
    try:
        devices = sd.query_devices()
    except Exception as exc:  # PortAudioError when the host API fails to initialise
        raise CoachError(f"cannot list audio devices: {exc}") from None
    return [
        (index, str(info["name"]))
        for index, info in enumerate(devices)
        if int(info.get(channels_key, 0)) > 0
    ]


def list_input_devices() -> list[tuple[int, str]]:
    """(index, name) of every device that can record."""
    return _devices_with("max_input_channels")


def list_output_devices() -> list[tuple[int, str]]:
    """(index, name) of every device that can play."""
    return _devices_with("max_output_channels")


_ALSA_CARD = re.compile(r"\s*\(hw:\d+,\d+\)$")  # "(hw:2,0)": the card number changes too


def lasting_input_name(index: int, shown: str) -> str:
    """How to name input device ``index`` (listed as ``shown``) in config.toml so that the same
    microphone is found next time, although PortAudio renumbers devices whenever one is plugged
    in or out.

    sounddevice finds a device by its name (words matched in order, an exact name preferred),
    so the first of these that finds exactly this device is used: the name without ALSA's card
    number (it changes with the plugging order), that plus the host API (Windows lists one
    microphone under MME, DirectSound and WASAPI), the full name, the full name and host API.
    Two identical microphones leave only the index.
    """
    try:
        sd = load_sounddevice()
        info = sd.query_devices(index)
        hostapi = str(sd.query_hostapis(info["hostapi"])["name"])
    except Exception:  # PortAudio gone or the device unplugged since it was listed
        return shown
    full = str(info["name"])
    bare = _ALSA_CARD.sub("", full)
    for name in (bare, f"{bare} {hostapi}", full, f"{full}, {hostapi}"):
        try:
            if sd.query_devices(name, kind="input")["index"] == index:
                return name
        except Exception:  # ValueError: no device or several devices match
            continue
    return str(index)


def input_device_name(device: int | str | None, kind: str = "input") -> str | None:
    """The name of the input (or, with ``kind="output"``, the output) that ``device`` resolves
    to now (None: it does not resolve).

    sounddevice finds a device by words of its name, so a saved "coachmic" records from
    "coachmic2" once "coachmic" is unplugged; the screen must name the one actually used.
    """
    try:
        sd = load_sounddevice()
        return str(sd.query_devices(parse_device(device), kind=kind)["name"])
    except Exception:  # CoachError (no PortAudio), PortAudioError, ValueError: unknown
        return None


def describe_input(setting: str, actual: str | None) -> str:
    """How to name the microphone in use, given the setting and what it resolved to.

    The setting is shown as saved when it names the device ("USB Mic" for "USB Mic (hw:2,0)");
    when it only matched part of another device's name, that device is named too.
    """
    setting = setting.strip()
    if not setting:
        return f"default input: {actual}" if actual and actual != "default" else "default input"
    if actual is None:
        return setting
    if setting.isdigit():
        return f"{actual} (device {setting})"
    if setting.startswith(_ALSA_CARD.sub("", actual)):
        return setting
    return f"{actual}, the input matching '{setting}'"


def _query(sd: ModuleType, device: int | str | None, kind: str,
           available: list[tuple[int, str]]) -> tuple[Any, str | None]:
    """(device info, None), or (None, a message naming the devices that do exist)."""
    try:
        return sd.query_devices(device, kind=kind), None
    except Exception as exc:  # PortAudioError for -1 / a bad index, ValueError for a bad name
        names = ", ".join(f"{i}: {n}" for i, n in available)
        what = f"the default {kind} device" if device is None else f"{kind} device {device!r}"
        verb = "use" if kind == "input" else "play through"
        return None, f"cannot {verb} {what} ({exc}); available {kind}s: {names}"


def preflight(device: int | str | None = None, rate: int = 16000, channels: int = 1) -> str | None:
    """None if recording can start, else a clear message saying what is wrong and what to do."""
    try:
        sd = load_sounddevice()
    except CoachError as exc:
        return str(exc)
    device = parse_device(device)
    try:
        inputs = list_input_devices()
    except CoachError as exc:
        return str(exc)
    if not inputs:
        return ("no microphone found: connect one (or check the audio server is running), "
                "then try again; you can still analyse a recording file with 'coach analyze'")
    info, problem = _query(sd, device, "input", inputs)
    if problem:
        return problem
    try:
        sd.check_input_settings(device=device, samplerate=rate, channels=channels, dtype="int16")
    except Exception as exc:
        return (f"the microphone '{info['name']}' does not support {rate} Hz with {channels} "
                f"channel(s) ({exc}); choose another device or set sample_rate in config.toml")
    return None


def output_preflight(device: int | str | None = None) -> str | None:
    """None if something can play audio, else a clear message saying what to do.

    PortAudio's own words for a machine with no output ("Error querying device -1") tell the
    user nothing, so the common cases are named: no output at all, or an unknown device.
    """
    try:
        sd = load_sounddevice()
        outputs = list_output_devices()
    except CoachError as exc:
        return str(exc)
    if not outputs:
        return ("no audio output device found: connect speakers or headphones (or check the "
                "audio server is running), then replay again")
    return _query(sd, parse_device(device), "output", outputs)[1]
