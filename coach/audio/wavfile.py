"""A WAV writer that keeps its file readable at every moment, and a repair for cut-off WAVs.

A recording is the one thing the coach must never lose. Writers that patch the header only at
close (``wave``, soundfile) leave a file that says "0 bytes of audio" when the process is killed,
which the standard ``wave`` module cannot read. ``WavWriter`` writes the header first, appends
frames straight to the kernel (no user-space buffer a SIGKILL could lose), and rewrites the RIFF
and data sizes every ~0.5 s, so a killed take loses at most the last half second or so.
``repair_wav`` fixes the sizes of any cut-off PCM WAV from the file's length.
"""

from __future__ import annotations

import contextlib
import os
import struct
import time
from pathlib import Path

import numpy as np

from coach.errors import CoachError

HEADER_BYTES = 44
MAX_CHUNK = 0xFFFFFFFF
HEADER_EVERY_S = 0.5
FSYNC_EVERY_S = 5.0


def _header(rate: int, channels: int, data_bytes: int) -> bytes:
    block_align = channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", min(MAX_CHUNK, 36 + data_bytes))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block_align, block_align, 16)
        + b"data"
        + struct.pack("<I", min(MAX_CHUNK, data_bytes))
    )


class WavWriter:
    """Streams 16-bit PCM frames to ``path``; the header stays valid while it is being written.

    ``write`` takes int16 arrays (or float arrays in -1..1) shaped ``(frames,)`` or
    ``(frames, channels)``. An ``OSError`` from the disk (full, file size limit) is raised after
    the file has been trimmed to whole frames and its header fixed, so what was written stays
    readable.
    """

    def __init__(self, path: Path | str, rate: int, channels: int = 1) -> None:
        self.path = Path(path)
        self.rate = int(rate)
        self.channels = int(channels)
        self.frames = 0
        self._header_frames = 0  # frames the header on disk accounts for
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._last_header = time.monotonic()
        self._last_sync = self._last_header
        try:
            self._write_all(_header(self.rate, self.channels, 0))
        except OSError:
            self._abandon()
            raise

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate

    @property
    def closed(self) -> bool:
        return self._fd is None

    def _write_all(self, data: bytes | memoryview) -> int:
        """Write everything or raise; returns bytes written (kept honest on a partial write)."""
        assert self._fd is not None
        view = memoryview(data)
        done = 0
        while done < len(view):
            done += os.write(self._fd, view[done:])
        return done

    def write(self, block: np.ndarray) -> None:
        """Append frames; rewrite the header every ~0.5 s of time or of audio, whichever first."""
        if self._fd is None:
            raise ValueError("write to a closed WavWriter")
        if block.dtype != np.int16:
            block = (np.clip(block, -1.0, 1.0) * 32767.0).astype(np.int16)
        raw = np.ascontiguousarray(block).tobytes()
        frames = len(raw) // (2 * self.channels)
        try:
            self._write_all(raw)
        except OSError:
            self._salvage()
            raise
        self.frames += frames
        now = time.monotonic()
        # by the clock, and by the audio: a writer catching up on a backlog (a busy machine)
        # appends seconds of audio in a few milliseconds, and a kill then must not lose them
        behind = self.frames - self._header_frames
        if now - self._last_header >= HEADER_EVERY_S or behind >= HEADER_EVERY_S * self.rate:
            self.update_header()
            if now - self._last_sync >= FSYNC_EVERY_S:
                os.fsync(self._fd)
                self._last_sync = now

    def update_header(self) -> None:
        """Rewrite the RIFF and data sizes for the frames written so far."""
        if self._fd is None:
            return
        data_bytes = self.frames * 2 * self.channels
        os.pwrite(self._fd, struct.pack("<I", min(MAX_CHUNK, 36 + data_bytes)), 4)
        os.pwrite(self._fd, struct.pack("<I", min(MAX_CHUNK, data_bytes)), 40)
        self._last_header = time.monotonic()
        self._header_frames = self.frames

    def _salvage(self) -> None:
        """After a failed write: trim to whole frames, fix the header, close; never raise."""
        fd = self._fd
        if fd is None:
            return
        try:
            size = os.fstat(fd).st_size
            frame_bytes = 2 * self.channels
            self.frames = max(0, size - HEADER_BYTES) // frame_bytes
            os.ftruncate(fd, HEADER_BYTES + self.frames * frame_bytes)
            self.update_header()
            os.fsync(fd)
        except OSError:
            pass
        finally:
            self._abandon()

    def _abandon(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def close(self) -> None:
        """Final header, fsync, close (safe to call twice)."""
        if self._fd is None:
            return
        try:
            self.update_header()
            os.fsync(self._fd)
        finally:
            self._abandon()

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _find_chunks(head: bytes) -> tuple[int, int, int, int]:
    """(channels, rate, bits, data_offset) of a RIFF/WAVE header, or ValueError."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise ValueError("not a RIFF/WAVE file")
    pos = 12
    fmt: tuple[int, int, int, int] | None = None
    while pos + 8 <= len(head):
        cid = head[pos : pos + 4]
        size = struct.unpack("<I", head[pos + 4 : pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", head[body : body + 16])
        elif cid == b"data":
            if fmt is None:
                raise ValueError("data chunk before fmt chunk")
            tag, channels, rate, _, _, bits = fmt
            if tag not in (1, 0xFFFE) or channels < 1 or rate < 1 or bits % 8:
                raise ValueError("not a PCM WAV")
            return channels, rate, bits, body
        pos = body + size + (size & 1)
    raise ValueError("no data chunk in the header")


def repair_wav(path: Path | str) -> float:
    """Fix the RIFF and data sizes of a cut-off PCM WAV from its length; return its seconds.

    Idempotent. Handles a header that says 0 data bytes (a writer killed before closing) and a
    trailing partial frame (trimmed). Raises CoachError when the file is not a PCM WAV at all.
    """
    path = Path(path)
    try:
        with open(path, "r+b") as handle:
            head = handle.read(4096)
            try:
                channels, rate, bits, offset = _find_chunks(head)
            except (ValueError, struct.error) as exc:
                raise CoachError(f"cannot repair {path}: {exc}") from None
            size = os.fstat(handle.fileno()).st_size
            frame_bytes = channels * bits // 8
            data_bytes = max(0, size - offset) // frame_bytes * frame_bytes
            if offset + data_bytes != size:
                handle.truncate(offset + data_bytes)
            handle.seek(4)
            handle.write(struct.pack("<I", min(MAX_CHUNK, offset + data_bytes - 8)))
            handle.seek(offset - 4)
            handle.write(struct.pack("<I", min(MAX_CHUNK, data_bytes)))
            handle.flush()
            os.fsync(handle.fileno())
    except FileNotFoundError:
        raise CoachError(f"cannot repair {path}: the file does not exist") from None
    return data_bytes / frame_bytes / rate


def _head(path: Path | str) -> tuple[bytes, int]:
    """The first 4 kB of a file (where a WAV's chunks before the audio are) and its size."""
    with open(path, "rb") as handle:
        return handle.read(4096), os.fstat(handle.fileno()).st_size


def wav_data_info(path: Path | str) -> tuple[int, int, int, int, int]:
    """(channels, rate, bits, data_offset, data_bytes from the file size) of a PCM WAV."""
    head, size = _head(path)
    channels, rate, bits, offset = _find_chunks(head)
    frame_bytes = channels * bits // 8
    return channels, rate, bits, offset, max(0, size - offset) // frame_bytes * frame_bytes


def pcm16_mono_data(path: Path | str, rate: int) -> tuple[int, int] | None:
    """(offset, bytes) of the audio of a 16-bit PCM mono WAV at ``rate``, else ``None``.

    This is the format the recorder writes; ``read_pcm16`` reads it with numpy alone (see
    ``coach.audio.decode``). The audio is the data chunk as declared, or up to the end of the
    file when the header says 0 bytes or more than there is (a take cut off before its header
    was updated), which is how PyAV reads such a file too.
    """
    try:
        head, size = _head(path)
        channels, file_rate, bits, offset = _find_chunks(head)
        declared = struct.unpack("<I", head[offset - 4 : offset])[0]
    except (OSError, ValueError, struct.error):
        return None
    if (channels, file_rate, bits) != (1, rate, 16):
        return None
    available = max(0, size - offset)
    data = declared if 0 < declared <= available else available
    return offset, data // 2 * 2


def read_pcm16(path: Path | str, offset: int, data_bytes: int) -> np.ndarray:
    """16-bit PCM samples as float32 in [-1, 1), scaled by 1/32768 exactly as PyAV does."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        raw = handle.read(data_bytes)
    return np.frombuffer(raw, "<i2").astype(np.float32) / np.float32(32768.0)
