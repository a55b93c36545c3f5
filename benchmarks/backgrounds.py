"""Synthetic backgrounds for the accuracy corpus: the sounds a microphone picks up when nobody
speaks (issue 12).

Each generator returns float32 samples at an absolute level (dBFS, RMS of the steady part), made
from a seeded ``numpy`` generator so the corpus is reproducible:

* ``brown``: 1/f^2 noise above 20 Hz (rumble, a fan far away);
* ``hvac``: brown noise low-passed at ~350 Hz with a faint blower tone and slow swell, plus a
  little pink hiss (an air conditioner in the room);
* ``room``: pink noise band-limited to ~100 Hz-4 kHz whose level drifts by a couple of dB
  (a quiet office);
* ``bursts``: a quiet pink floor with bumps and knocks of 0.1-1 s at random times, 15-30 dB
  above the floor (a door, a chair, a hand on the desk);
* ``hum50`` / ``hum60``: mains hum, the fundamental and its harmonics (60 Hz as a buzz: strong odd
  harmonics), over a faint hiss;
* ``keyboard``: typing, clicks of a few milliseconds with key-up echoes in a real typing rhythm
  (words, spaces, thinking pauses, a backspace run), over a faint hiss.

Only numpy: filters are applied in the frequency domain.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Gap = tuple[float, float]  # seconds (start, end) where events may go


def _db(level_db: float) -> float:
    return float(10 ** (level_db / 20))


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / (np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12)).astype(np.float32)


def _shape(x: np.ndarray, rate: int, gain) -> np.ndarray:
    """Filter ``x`` by the amplitude response ``gain(f)`` (f in Hz), in the frequency domain."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(x.size, 1.0 / rate)
    return np.fft.irfft(spec * gain(f), x.size)


def _highpass(fc: float, order: int = 2):
    return lambda f: (f / fc) ** order / np.sqrt(1 + (f / fc) ** (2 * order))


def _lowpass(fc: float, order: int = 2):
    return lambda f: 1 / np.sqrt(1 + (f / fc) ** (2 * order))


def pink(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    return _unit(_shape(rng.normal(0, 1, n), rate, lambda f: 1 / np.sqrt(np.maximum(f, 1.0))))


def brown(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    hp = _highpass(20.0)
    return _unit(_shape(rng.normal(0, 1, n), rate, lambda f: hp(f) / np.maximum(f, 1.0)))


def hvac(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    hp, lp = _highpass(25.0), _lowpass(350.0)
    rumble = _unit(_shape(rng.normal(0, 1, n), rate, lambda f: hp(f) * lp(f) / np.maximum(f, 1.0)))
    t = np.arange(n) / rate
    tone = np.sin(2 * np.pi * rng.uniform(95, 125) * t + rng.uniform(0, 2 * np.pi))
    swell = 1 + 0.08 * np.sin(2 * np.pi * rng.uniform(0.1, 0.3) * t + rng.uniform(0, 2 * np.pi))
    return _unit(swell * (rumble + 0.12 * tone) + 0.15 * pink(n, rate, rng))


def room(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    hp, lp = _highpass(100.0), _lowpass(4000.0)
    base = _shape(rng.normal(0, 1, n), rate, lambda f: hp(f) * lp(f) / np.sqrt(np.maximum(f, 1.0)))
    # The level drifts by about +-2 dB over seconds: smoothed noise as a gain curve.
    steps = max(2, int(n / rate / 1.5) + 2)
    drift_db = np.interp(np.arange(n), np.linspace(0, n, steps), rng.normal(0, 1.2, steps))
    return _unit(base * 10 ** (drift_db / 20))


def _event_times(duration: float, rng: np.random.Generator, mean_gap: float, min_gap: float,
                 gaps: Sequence[Gap] | None, longest: float) -> list[float]:
    """Random event onsets in ``[0, duration)``, or only inside ``gaps`` (with margins)."""
    spans = list(gaps) if gaps is not None else [(0.0, duration)]
    times: list[float] = []
    for start, end in spans:
        t = start + rng.uniform(0.1, mean_gap)
        while t + longest < end:
            times.append(t)
            t += min_gap + rng.exponential(mean_gap)
    return times


def bursts(n: int, rate: int, rng: np.random.Generator, floor_db: float,
           gaps: Sequence[Gap] | None = None, burst_db: tuple[float, float] = (-32.0, -18.0),
           mean_gap_s: float = 2.2) -> np.ndarray:
    """A pink floor at ``floor_db`` with knocks and bumps (0.1-1 s) at ``burst_db`` RMS."""
    out = _db(floor_db) * pink(n, rate, rng).astype(np.float64)
    for t in _event_times(n / rate, rng, mean_gap_s, 0.3, gaps, 1.0):
        dur = rng.uniform(0.1, 1.0)
        m = int(dur * rate)
        cutoff = rng.uniform(150, 3000)  # a thud (low) to a rattle (bright)
        body = _unit(_shape(rng.normal(0, 1, m), rate, _lowpass(cutoff, 2)))
        tt = np.arange(m) / rate
        env = (1 - np.exp(-tt / rng.uniform(0.002, 0.01))) * np.exp(-tt / (dur / rng.uniform(2, 5)))
        burst = body * env
        burst *= _db(rng.uniform(*burst_db)) / (np.sqrt(np.mean(burst ** 2)) + 1e-12)
        i = int(t * rate)
        out[i:i + m] += burst[: n - i]
    return out.astype(np.float32)


def _buzz_amp(k: int) -> float:
    """A transformer buzz: the odd harmonics carry the energy."""
    return 1.0 / k ** 0.8 if k % 2 else 0.15 / k


def hum(n: int, rate: int, rng: np.random.Generator, f0: float, level_db: float,
        buzz: bool = False, hiss_db: float = -68.0) -> np.ndarray:
    """Mains hum at ``f0`` with harmonics to ~1 kHz, at ``level_db`` RMS, over a faint hiss."""
    t = np.arange(n) / rate
    drift = 0.03 * np.sin(2 * np.pi * 0.05 * t)  # the grid wanders a little (Hz)
    phase = 2 * np.pi * np.cumsum(f0 + drift) / rate
    x = np.zeros(n)
    for k in range(1, int(1000 // f0) + 1):
        amp = _buzz_amp(k) if buzz else 1.0 / k ** 1.5
        x += amp * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    x *= 1 + 0.03 * np.sin(2 * np.pi * rng.uniform(0.2, 0.6) * t)
    return (_db(level_db) * _unit(x) + _db(hiss_db) * pink(n, rate, rng)).astype(np.float32)


def _keystroke(rate: int, rng: np.random.Generator, space: bool) -> np.ndarray:
    """One key press: a click (1-2 ms), the key's resonance, a soft thock of the bottom-out."""
    m = int(0.04 * rate)
    tt = np.arange(m) / rate
    click = rng.normal(0, 1, m) * np.exp(-tt / rng.uniform(0.0005, 0.0015))
    f_res = rng.uniform(900, 1800) if space else rng.uniform(1800, 4200)
    ring = np.sin(2 * np.pi * f_res * tt) * np.exp(-tt / rng.uniform(0.002, 0.006))
    thock = np.sin(2 * np.pi * rng.uniform(150, 320) * tt) * np.exp(-tt / 0.008)
    return 0.6 * click + 0.8 * ring + (0.7 if space else 0.35) * thock


def keyboard(n: int, rate: int, rng: np.random.Generator, peak_db: float = -20.0,
             floor_db: float = -62.0, pace: float = 1.0) -> np.ndarray:
    """Someone typing: words of 2-9 keys, spaces, thinking pauses, now and then a backspace run.

    ``pace`` scales the typing speed (1.0 is about 60 words a minute while typing).
    """
    out = _db(floor_db) * pink(n, rate, rng).astype(np.float64)
    amp = _db(peak_db)

    def press(at: float, gain: float, space: bool = False) -> None:
        key = _keystroke(rate, rng, space)
        key *= gain * amp / (np.max(np.abs(key)) + 1e-12)
        for shift, g in ((0.0, 1.0), (rng.uniform(0.06, 0.13), rng.uniform(0.25, 0.45))):
            i = int((at + shift) * rate)  # the press, then the key coming back up
            if i < n:
                out[i:i + key.size] += g * key[: n - i]

    t = rng.uniform(0.3, 1.5)
    end = n / rate - 0.3
    while t < end:
        for _ in range(int(rng.integers(3, 12))):  # a phrase of words
            for _ in range(int(rng.integers(2, 10))):
                if t >= end:
                    break
                press(t, rng.uniform(0.55, 1.0))
                t += rng.lognormal(np.log(0.14 / pace), 0.35)
            if t >= end:
                break
            press(t, rng.uniform(0.8, 1.0), space=True)
            t += rng.lognormal(np.log(0.18 / pace), 0.3)
            if rng.random() < 0.08:  # a typo: backspace held, quick repeats
                for _ in range(int(rng.integers(3, 7))):
                    press(t, 0.7)
                    t += rng.uniform(0.07, 0.1)
        t += rng.uniform(0.6, 3.0)  # thinking
    return out.astype(np.float32)


STEADY = {"brown": brown, "hvac": hvac, "room": room}


def make(kind: str, n: int, rate: int, rng: np.random.Generator, level_db: float,
         gaps: Sequence[Gap] | None = None) -> np.ndarray:
    """The background ``kind`` for ``n`` samples; ``level_db`` is the steady part's RMS (dBFS).

    ``gaps`` limits events (bursts) to those stretches, e.g. the pauses between sentences.
    """
    if kind in STEADY:
        return _db(level_db) * STEADY[kind](n, rate, rng)
    if kind == "bursts":
        return bursts(n, rate, rng, level_db, gaps)
    if kind == "hum50":
        return hum(n, rate, rng, 50.0, level_db)
    if kind == "hum60":
        return hum(n, rate, rng, 60.0, level_db, buzz=True)
    if kind == "keyboard":
        return keyboard(n, rate, rng, floor_db=level_db)
    if kind == "keyboard-fast":
        return keyboard(n, rate, rng, peak_db=-14.0, floor_db=level_db, pace=1.6)
    raise ValueError(f"unknown background {kind!r}")
