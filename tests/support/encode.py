"""Write test audio in any format: 16-bit WAV with the standard library, the rest with PyAV.

Shared by the decoding and bad-input tests so that both build their files the same way.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np


def as_channels(samples: np.ndarray, channels: int = 1) -> np.ndarray:
    """(n,) mono -> (n, channels); the second channel is a scaled copy, so stereo is real."""
    data = np.repeat(samples.reshape(-1)[:, None], channels, axis=1)
    if channels == 2:
        data[:, 1] *= 0.8
    return data


def write_wav(path: Path, data: np.ndarray, rate: int) -> Path:
    """16-bit WAV; ``data`` is (n,) or (n, channels) floats in [-1, 1]."""
    data = data.reshape(data.shape[0], -1) if data.size else data.reshape(0, 1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(data.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(data, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def encode(
    path: Path,
    data: np.ndarray,
    rate: int,
    codec: str,
    *,
    options: dict[str, str] | None = None,
    bit_rate: int | None = None,
) -> Path:
    """Encode (n,) or (n, channels) float audio with PyAV (the encoders FFmpeg ships)."""
    import av

    data = data.reshape(data.shape[0], -1)
    layout = "mono" if data.shape[1] == 1 else "stereo"
    with av.open(str(path), "w", options=options or {}) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = layout
        if bit_rate:
            stream.bit_rate = bit_rate
        fmt = stream.codec_context.codec.audio_formats[0].name
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(data.astype(np.float32)).reshape(1, -1), format="flt",
            layout=layout,
        )
        frame.sample_rate = rate
        resampler = av.AudioResampler(format=fmt, layout=layout, rate=rate)
        for out in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(out):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path
