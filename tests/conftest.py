"""Shared fixtures: a private coach home, real speech, the real Whisper model (loaded once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.speech import espeak_available, piper_available, synthesize

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_AUDIO = REPO_ROOT.parent / "shared" / "audio"


@pytest.fixture
def coach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty coach home for one test, also exported as COACH_HOME for subprocesses."""
    home = tmp_path / "coach-home"
    home.mkdir()
    monkeypatch.setenv("COACH_HOME", str(home))
    monkeypatch.delenv("COACH_PROMPTS", raising=False)
    return home


@pytest.fixture(scope="session")
def shared_audio() -> Path:
    """The real recordings in ../shared/audio (skipped with a reason where absent)."""
    if not (SHARED_AUDIO / "jfk.flac").is_file():
        pytest.skip(f"real recordings not present at {SHARED_AUDIO}")
    return SHARED_AUDIO


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def speak(speech_dir: Path):
    """``speak(name, parts, **kw)`` -> path of a WAV of real synthetic speech (cached per name)."""
    if not (piper_available() or espeak_available()):
        pytest.skip("no speech synthesiser (piper-tts or espeak-ng) installed")

    def _speak(name: str, parts, **kwargs) -> Path:
        path = speech_dir / f"{name}.wav"
        if not path.exists():
            if not piper_available():
                kwargs["engine"] = "espeak"
            synthesize(parts, path, **kwargs)
        return path

    return _speak


@pytest.fixture(scope="session")
def transcriber():
    """The real default Whisper model, loaded once for the whole session."""
    from coach.transcribe.whisper import Transcriber

    return Transcriber()
