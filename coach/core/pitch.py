"""Pitch variety: how much the voice's fundamental frequency moves over an answer (numpy only).

A monotone voice is what Microsoft Speaker Coach and Speeko flag: the words may be fine, but
the listener hears no emphasis. This module measures it from the recording itself.

Choices, stated once:

* **f0 per frame** is YIN (de Cheveigne & Kawahara 2002) on the recording low-passed and
  decimated to 4 kHz (pitch and the harmonics YIN needs sit under 2 kHz; a quarter of the work):
  32 ms frames every 10 ms, the cumulative mean normalised difference of every frame at once
  from FFT cross-correlations (no Python loop over frames), the first dip under
  ``YIN_THRESHOLD`` (and near the deepest dip) taken down to its local minimum and refined by a
  parabola. The search covers 60-500 Hz: every adult speaking voice, with room for emphasis.
  ``PitchTracker`` does this as the audio arrives, on a fixed grid, so a live take has its
  frames ready at stop and a file gives the same figures to the last digit.
* **Voiced frames** are periodic (that dip exists) and loud (within ``LOUD_RANGE_DB`` of the
  answer's loud frames, above ``FLOOR_DB``), inside the speech regions the transcript gives, so
  silence between phrases is never looked at. Runs of voicing shorter than ``MIN_RUN_FRAMES``
  are dropped: a click is not intonation. YIN's octave slips (a voice with weak odd harmonics
  reads an octave high for a few hundred ms) are undone by continuity, see ``_fix_octaves``.
* **Spread** is the 5th-95th percentile range of the voiced frames' pitch in semitones: the
  span the voice covers for 90% of its voiced time. Semitones, because pitch is heard on a
  log scale (a 20 Hz swing is large for a 100 Hz voice and small for a 250 Hz one), so a low
  and a high voice that move alike read alike. A percentile range, not min-max, because the
  extremes are where pitch trackers err (octave jumps, creaky voice); the 5% tails hold those.
  Not 2x the standard deviation, which reads a uniform sweep over 12 semitones as 6.9.
  A sweep over N semitones at an even rate reads 0.9 N; speech (about normal in semitones)
  reads 3.3 standard deviations.
* **Windows** of 10 s on the recording's timeline (a final sliver under 5 s joins the one
  before it) each get the same spread, or ``None`` when it holds under ``MIN_VOICED_S`` of voiced
  speech. A window whose spread is under ``MONOTONE_SEMITONES`` is monotone; runs of monotone
  windows are the ``monotone`` stretches.

The threshold comes from measurements (``benchmarks/RESULTS-pitch.md``): per 10 s window,
piper's voice spreads 5.2-11.4 semitones, espeak-ng's default intonation 4.2-5.9 (at -p 20, 50
and 80), espeak-ng with its pitch range at "low" 3.0 and at "x-low" (intonation all but off)
1.2-1.3. A window that stays within a major third (4 semitones) for 90% of its voiced time is
flatter than espeak-ng's own robotic default, which listeners already call monotone-ish.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np

from coach.core.model import Transcript

RATE = 16000
ANALYSIS_RATE = 4000  # YIN runs on the recording decimated to this rate
FMIN_HZ = 60.0
FMAX_HZ = 500.0
FRAME_S = 0.032  # YIN integration window: about two periods of a 60 Hz voice
HOP_S = 0.01
YIN_THRESHOLD = 0.25  # a frame is periodic when its normalised difference dips below this
NEAR_DEEPEST = 0.1  # ... and the dip taken is this close to the deepest one
LOUD_RANGE_DB = 30.0  # voiced speech sits within this of the answer's loud frames
FLOOR_DB = -55.0  # and above this, whatever the recording level
CHAIN_GAP_S = 0.05  # voiced frames this close belong to one stretch of voicing
JUMP_OCTAVES = 0.4  # a step this large between such frames is a tracking slip, not the voice
FOLD_OCTAVES = 0.75  # a stretch this far off the answer's median is an octave slip
MIN_RUN_FRAMES = 5  # voicing shorter than 50 ms is a blip, not intonation
WINDOW_S = 10.0
MIN_WINDOW_S = 5.0  # a last window shorter than this joins the one before it
MIN_VOICED_S = 1.0  # a window needs this much voiced speech for a spread to mean anything
MONOTONE_SEMITONES = 4.0  # a 10 s window spreading less than this sounds flat
LOW_PCT, HIGH_PCT = 5.0, 95.0
BLOCK = 2048  # frames per YIN batch (20 s): bounded memory on long recordings
SEGMENT_S = 4.0  # the recording is decimated in pieces of this length


def _cmndf(x: np.ndarray, starts: np.ndarray, window: int, tau_max: int) -> np.ndarray:
    """YIN's cumulative mean normalised difference d'(tau), tau = 0..tau_max, per frame."""
    span = window + tau_max
    nfft = 1 << int(np.ceil(np.log2(span)))
    frames = x[starts[:, None] + np.arange(span)[None, :]]
    # r(tau) = sum_j x[j] x[j + tau] for j < window: a cross-correlation, by FFT for all frames
    head = np.fft.rfft(frames[:, :window], nfft, axis=1)
    full = np.fft.rfft(frames, nfft, axis=1)
    r = np.fft.irfft(np.conj(head) * full, nfft, axis=1)[:, : tau_max + 1]
    # d(tau) = sum (x[j] - x[j+tau])^2 = e(0) + e(tau) - 2 r(tau), e(tau) = energy of the window
    # shifted by tau, from a running sum of squares
    sq = np.zeros((frames.shape[0], span + 1), np.float32)
    np.cumsum(frames**2, axis=1, out=sq[:, 1:])
    taus = np.arange(tau_max + 1)
    e_tau = sq[:, taus + window] - sq[:, taus]
    d = np.maximum(e_tau[:, :1] + e_tau - 2.0 * r, 0.0)
    # d'(tau) = d(tau) * tau / sum_{k<=tau} d(k): 1 on average, near 0 at the period
    cum = np.cumsum(d[:, 1:], axis=1)
    dn = np.ones_like(d)
    dn[:, 1:] = d[:, 1:] * taus[1:] / np.maximum(cum, 1e-12)
    return dn


def _yin_block(x: np.ndarray, starts: np.ndarray, window: int, tau_min: int,
               tau_max: int) -> np.ndarray:
    """YIN over the frames at ``starts``: the period in samples per frame (NaN: aperiodic)."""
    dn = _cmndf(x, starts, window, tau_max)
    dn[:, :tau_min] = 1.0  # periods shorter than the highest pitch are never taken
    taus = np.arange(tau_max + 1)
    # the first dip under the threshold *and* near the deepest one: with a strong second
    # harmonic, d'(P/2) can dip under the threshold too, and taking it doubles the pitch
    deepest = dn[:, tau_min:].min(axis=1, keepdims=True)
    below = dn < np.minimum(YIN_THRESHOLD, deepest + NEAR_DEEPEST)
    has = below.any(axis=1)
    first = np.argmax(below, axis=1)
    # from the first dip under the threshold, go down to its local minimum
    rising = np.zeros_like(below)
    rising[:, :-1] = dn[:, 1:] >= dn[:, :-1]
    rising[:, -1] = True
    rising &= taus[None, :] >= first[:, None]
    tau = np.argmax(rising, axis=1)
    rows = np.arange(dn.shape[0])
    # parabolic interpolation between the neighbours for a sub-sample period
    t0 = np.clip(tau, 1, tau_max - 1)
    a, b, c = dn[rows, t0 - 1], dn[rows, t0], dn[rows, t0 + 1]
    den = a - 2.0 * b + c
    safe = np.where(np.abs(den) > 1e-12, den, 1.0)
    shift = np.where(np.abs(den) > 1e-12, 0.5 * (a - c) / safe, 0.0)
    period = t0 + np.clip(shift, -1.0, 1.0)
    return np.where(has, period, np.nan)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index runs where ``mask`` is True."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(),
                    strict=True))


def _pieces(times: np.ndarray, f0: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) runs of voiced frames with no gap over ``CHAIN_GAP_S`` and no octave jump.

    Voice cannot move half an octave in 10-50 ms; a pitch tracker that slips an octave does.
    """
    step = np.abs(np.diff(np.log2(f0)))
    gap = np.diff(times)
    cut = np.flatnonzero((gap > CHAIN_GAP_S) | (step > JUMP_OCTAVES)) + 1
    bounds = [0, *cut.tolist(), f0.size]
    return list(pairwise(bounds))


def _median(v: np.ndarray) -> float:
    """``np.median`` of a short array, the same value without its overhead (~40 us a call,
    and a long answer has thousands of voiced pieces)."""
    s = np.sort(v)
    return float((s[(s.size - 1) // 2] + s[s.size // 2]) / 2)


def _fix_octaves(times: np.ndarray, f0: np.ndarray) -> np.ndarray:
    """Undo YIN's octave slips: a voiced stretch far off the speaker's octave, or an octave off
    the stretch it continues, is moved by whole octaves (pitch itself never changes here).

    A voice with weak odd harmonics (piper's does, many real ones do) dips as deep at half its
    period as at the period, so YIN reads it an octave high for a few hundred ms. Two rules:
    a piece more than ``FOLD_OCTAVES`` off the answer's median is folded towards it (running
    speech keeps within about 9 semitones of a speaker's median); then within a chain of
    pieces joined by an abrupt jump, each piece is moved to the octave of the longest one.
    """
    if f0.size < 2:
        return f0
    out = f0.copy()
    pieces = _pieces(times, out)
    centre = float(np.median(np.log2(out)))
    for a, b in pieces:
        off = _median(np.log2(out[a:b])) - centre
        if abs(off) > FOLD_OCTAVES:
            out[a:b] *= 2.0 ** -np.round(off)
    # chains: pieces that follow each other within CHAIN_GAP_S (split only by a jump)
    chain: list[tuple[int, int]] = []
    for piece in [*pieces, None]:
        if piece is not None and chain and times[piece[0]] - times[chain[-1][1] - 1] <= CHAIN_GAP_S:
            chain.append(piece)
            continue
        if len(chain) > 1:
            anchor = max(range(len(chain)), key=lambda i: chain[i][1] - chain[i][0])
            for i in [*range(anchor + 1, len(chain)), *range(anchor - 1, -1, -1)]:
                a, b = chain[i]
                ref = out[chain[i - 1][1] - 1] if i > anchor else out[chain[i + 1][0]]
                edge = out[a] if i > anchor else out[b - 1]
                out[a:b] *= 2.0 ** np.clip(np.round(np.log2(ref / edge)), -1, 1)
        chain = [piece] if piece is not None else []
    return out


def _lowpass(factor: int) -> np.ndarray:
    """The decimation filter: windowed sinc at 80% of the new Nyquist, ``16 * factor + 1`` taps.

    Pitch lives under 500 Hz and the harmonics YIN needs under 2 kHz; dropping the rest
    divides the work by ``factor`` and removes high formants that can pull YIN off.
    """
    taps = 16 * factor
    n = np.arange(taps + 1) - taps / 2
    h = np.sinc(n * 0.8 / factor) * np.hamming(taps + 1)
    return (h / h.sum()).astype(np.float32)


class PitchTracker:
    """YIN over a recording fed in pieces of any size; the same frames whatever the pieces.

    The live take feeds it the microphone's blocks in the streaming worker while the answer is
    recorded, ``coach analyze`` the whole decoded file at once: both get frames computed on one
    fixed grid (decimation in ``SEGMENT_S`` pieces, YIN in batches of ``BLOCK`` frames), so the
    figures are identical, and at stop only the last few seconds are left to do. What needs the
    whole answer (which frames lie in speech, the loudness gate, octave fixing) is done by
    :meth:`track` from the per-frame results, in milliseconds.

    Memory: the frames' loudness and period (16 bytes per 10 ms) and under ``SEGMENT_S`` +
    a batch of audio.
    """

    def __init__(self, rate: int = RATE) -> None:
        self.rate = rate
        self.factor = max(1, int(rate // ANALYSIS_RATE))
        self.analysis_rate = rate // self.factor
        self._h = _lowpass(self.factor) if self.factor > 1 else np.ones(1, np.float32)
        self._half = (self._h.size - 1) // 2
        self.window = round(FRAME_S * self.analysis_rate)
        self.tau_min = int(np.floor(self.analysis_rate / FMAX_HZ))
        self.tau_max = int(np.ceil(self.analysis_rate / FMIN_HZ))
        self.span = self.window + self.tau_max
        self.hop = round(HOP_S * self.analysis_rate)
        self._segment = round(SEGMENT_S * self.analysis_rate)  # decimated samples per piece
        self._raw = np.zeros(0, np.float32)  # input from sample _raw_origin on
        self._raw_origin = 0
        self._fed = 0
        self._dec = np.zeros(0, np.float32)  # decimated signal from _dec_origin on
        self._dec_origin = 0
        self._done_frames = 0
        self._db: list[np.ndarray] = []
        self._period: list[np.ndarray] = []
        self._finished = False

    def feed(self, samples: np.ndarray) -> None:
        """Add audio (mono float); does the work the grid allows so far."""
        if self._finished:
            raise RuntimeError("the pitch track is finished")
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        self._raw = np.concatenate([self._raw, x])
        self._fed += x.size
        f = self.factor
        while True:
            k0 = self._dec_origin + self._dec.size
            k1 = k0 + self._segment
            if f * k1 + self._half > self._fed:
                break
            self._decimate(k0, k1)
        self._frames(final=False)

    def finish(self) -> None:
        """The recording ended: decimate and analyse what is left (zero beyond the end)."""
        if self._finished:
            return
        k0 = self._dec_origin + self._dec.size
        k1 = -(-self._fed // self.factor)
        if k1 > k0:
            self._decimate(k0, k1)
        self._frames(final=True)
        self._raw = np.zeros(0, np.float32)
        self._dec = np.zeros(0, np.float32)
        self._finished = True

    @property
    def duration_s(self) -> float:
        return self._fed / self.rate

    def _decimate(self, k0: int, k1: int) -> None:
        """Decimated samples ``k0 .. k1 - 1`` (the filter centred on input ``factor * k``)."""
        f, half = self.factor, self._half
        lo, hi = f * k0 - half, f * k1 + half
        a, b = max(lo, self._raw_origin), min(hi, self._fed)
        xs = np.zeros(hi - lo, np.float32)
        xs[a - lo : b - lo] = self._raw[a - self._raw_origin : b - self._raw_origin]
        y = np.convolve(xs, self._h, mode="valid")[::f][: k1 - k0] if f > 1 else xs
        self._dec = np.concatenate([self._dec, y.astype(np.float32)])
        keep = f * k1 - half  # the next piece starts reading here
        if keep > self._raw_origin:
            self._raw = self._raw[keep - self._raw_origin :]
            self._raw_origin = keep

    def _frames(self, *, final: bool) -> None:
        """YIN on every frame (32 ms every 10 ms) the decimated signal holds, batch by batch."""
        end = self._dec_origin + self._dec.size
        available = (end - self.span) // self.hop + 1 if end >= self.span else 0
        while self._done_frames < available:
            first = self._done_frames
            last = first + BLOCK
            if last > available:
                if not final:
                    return
                last = available
            self._batch(first, last)
            self._done_frames = last
            keep = last * self.hop  # the next batch's first frame
            if keep > self._dec_origin:
                self._dec = self._dec[keep - self._dec_origin :]
                self._dec_origin = keep

    def _batch(self, first: int, last: int) -> None:
        x = self._dec
        starts = np.arange(first, last, dtype=np.int64) * self.hop - self._dec_origin
        mid = starts + self.tau_max // 2
        loud = x[mid[:, None] + np.arange(self.window)[None, :]].astype(np.float64)
        db = 10.0 * np.log10(np.mean(loud**2, axis=1) + 1e-12)
        period = np.full(starts.size, np.nan)
        idx = np.flatnonzero(db > FLOOR_DB)  # the gate of ``track`` is never below the floor
        if idx.size:
            period[idx] = _yin_block(x, starts[idx], self.window, self.tau_min, self.tau_max)
        self._db.append(db)
        self._period.append(period)

    def track(
        self, regions: Sequence[tuple[float, float]] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(times in s, f0 in Hz) of the voiced frames; ``regions`` limits it to speech.

        Frames whose centre is in ``regions`` (``None``: all) are gated by loudness against
        the answer's own loud frames; runs of voicing shorter than ``MIN_RUN_FRAMES`` are
        dropped and octave slips undone.
        """
        self.finish()
        empty = (np.zeros(0), np.zeros(0))
        if not self._db:
            return empty
        db = np.concatenate(self._db)
        period = np.concatenate(self._period)
        centre = (np.arange(db.size) * self.hop + self.span / 2) / self.analysis_rate
        sel = np.flatnonzero(_inside(centre, regions))
        if sel.size == 0:
            return empty
        db, period = db[sel], period[sel]
        gate = db > max(FLOOR_DB, float(np.percentile(db, 95)) - LOUD_RANGE_DB)
        voiced = gate & np.isfinite(period)
        # consecutive frames only: a run broken by a gap in regions is two runs
        contiguous = np.concatenate(([False], np.diff(sel) == 1))
        keep = np.zeros_like(voiced)
        for a, b in _runs(voiced):
            pieces = np.flatnonzero(~contiguous[a + 1 : b]) + a + 1
            for s, e in pairwise([a, *pieces.tolist(), b]):
                if e - s >= MIN_RUN_FRAMES:
                    keep[s:e] = True
        if not keep.any():
            return empty
        f0 = self.analysis_rate / period[keep]
        times = centre[sel][keep]
        return times, _fix_octaves(times, f0)

    def measure(self, regions: Sequence[tuple[float, float]] | None = None) -> dict:
        """The ``pitch`` JSON of what was fed (see ``measure_pitch``)."""
        times, f0 = self.track(regions)
        return summarize(times, f0, self.duration_s)


def _inside(times: np.ndarray, regions: Sequence[tuple[float, float]] | None) -> np.ndarray:
    """Which ``times`` lie in one of ``regions`` (all of them for ``None``)."""
    if regions is None:
        return np.ones(times.size, bool)
    merged: list[list[float]] = []
    for lo, hi in sorted((float(lo), float(hi)) for lo, hi in regions):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        elif hi > lo:
            merged.append([lo, hi])
    if not merged:
        return np.zeros(times.size, bool)
    bounds = np.asarray(merged)
    which = np.searchsorted(bounds[:, 0], times, side="right") - 1
    return (which >= 0) & (times < bounds[np.maximum(which, 0), 1])


def f0_track(
    samples: np.ndarray,
    rate: int = RATE,
    regions: Sequence[tuple[float, float]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(times in s, f0 in Hz) of the voiced frames of ``samples`` (mono float, ``rate`` Hz).

    ``regions`` limits the search to speech (``None``: the whole recording).
    """
    tracker = PitchTracker(rate)
    tracker.feed(samples)
    return tracker.track(regions)


def spread_semitones(f0: np.ndarray) -> float | None:
    """The 5th-95th percentile range of ``f0`` in semitones (``None`` for no frames)."""
    if f0.size == 0:
        return None
    st = 12.0 * np.log2(f0)
    low, high = np.percentile(st, [LOW_PCT, HIGH_PCT])
    return float(high - low)


def _windows(duration: float) -> list[tuple[float, float]]:
    edges = list(np.arange(0.0, duration, WINDOW_S))
    out = [(float(a), float(min(a + WINDOW_S, duration))) for a in edges]
    if len(out) > 1 and out[-1][1] - out[-1][0] < MIN_WINDOW_S:
        last = out.pop()
        out[-1] = (out[-1][0], last[1])
    return out


def summarize(times: np.ndarray, f0: np.ndarray, duration: float) -> dict:
    """The ``pitch`` JSON of an answer from its voiced frames (see the module docstring)."""
    hop_voiced = MIN_VOICED_S / HOP_S
    windows = []
    for a, b in _windows(duration):
        inside = f0[(times >= a) & (times < b)]
        spread = spread_semitones(inside) if inside.size >= hop_voiced else None
        windows.append({"start": round(a, 2), "end": round(b, 2),
                        "spread_semitones": None if spread is None else round(spread, 2)})
    monotone: list[dict] = []
    for w in windows:
        flat = w["spread_semitones"] is not None and w["spread_semitones"] < MONOTONE_SEMITONES
        if not flat:
            continue
        if monotone and monotone[-1]["end"] == w["start"]:
            monotone[-1]["end"] = w["end"]
        else:
            monotone.append({"start": w["start"], "end": w["end"]})
    spread = spread_semitones(f0) if f0.size >= hop_voiced else None
    return {
        "median_hz": round(float(np.median(f0)), 1) if f0.size else None,
        "spread_semitones": None if spread is None else round(spread, 2),
        "windows": windows,
        "monotone": monotone,
    }


def measure_pitch(
    samples: np.ndarray,
    rate: int = RATE,
    regions: Sequence[tuple[float, float]] | None = None,
) -> dict:
    """Pitch variety of a recording: median f0, spread, per-window spread, monotone stretches.

    With no voiced speech (silence, noise) ``median_hz`` and ``spread_semitones`` are ``None``
    and there are no monotone stretches: nothing was heard to be flat.
    """
    tracker = PitchTracker(rate)
    tracker.feed(samples)
    return tracker.measure(regions)


def voice_regions(transcript: Transcript) -> list[tuple[float, float]]:
    """Where to look for voice: the transcript's speech regions, else its words' spans.

    No words at all (Whisper heard no speech) gives no regions: a hum or music in an empty
    take is not a voice whose pitch could be flat.
    """
    if not transcript.words:
        return []
    if transcript.speech_regions:
        return [(float(a), float(b)) for a, b in transcript.speech_regions]
    return [(w.start, w.end) for w in transcript.words if w.end > w.start]


def flat_note(pitch: dict, clock: Callable[[float], str], most: int = 3) -> str:
    """"varied", "monotone throughout" or where it was: "monotone 0:20–0:40, 1:10–1:30"."""
    stretches = pitch.get("monotone") or []
    if not stretches:
        return "varied"
    measured = [w for w in pitch.get("windows") or [] if w.get("spread_semitones") is not None]
    if measured and all(w["spread_semitones"] < MONOTONE_SEMITONES for w in measured):
        return "monotone throughout"
    spans = [f"{clock(m['start'])}–{clock(m['end'])}" for m in stretches[:most]]
    more = f" and {len(stretches) - most} more" if len(stretches) > most else ""
    return f"monotone {', '.join(spans)}{more}"


def describe(pitch: dict | None, clock: Callable[[float], str]) -> str | None:
    """One line for a person (the review, the report): median, spread, where it was flat.

    ``clock`` formats a time on the recording (each front end has its own ``m:ss``).
    ``None`` when pitch was not measured (no recording).
    """
    if not pitch:
        return None
    median = pitch.get("median_hz")
    if median is None:
        return "no voiced speech to measure"
    spread = pitch.get("spread_semitones")
    if spread is None:
        return f"median {median:.0f} Hz; too little voiced speech for a spread"
    return f"median {median:.0f} Hz, spread {spread:.1f} semitones; {flat_note(pitch, clock)}"
