"""Speech a transcription skips: how often, over many takes of the same answer.

Whisper now and then ends a window early or jumps ahead inside it, and whole sentences go
missing; it depends on the exact audio, so it is counted over many *different* takes of the same
answer: piper with its natural voice noise gives a new take every call. Each take is transcribed
by the coach, by the coach without hearing a chunk again in halves when its decoding left
speech unheard (``rehear``), and by plain faster-whisper (same loaded model, same process,
interleaved). A take "lost speech" when a stretch of at least 2 s that Silero calls speech
lies under no word; a word counts for at most ``MAX_WORD_S`` from its start (a word
stretched over seconds is how a skip inside a window shows). The answer is the streaming test's
(56 s), on which a skip was first seen.

    python benchmarks/bench_skipped_speech.py [--takes 30] [--no-save]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _common import load_line, machine_line, median, publish, table

from benchmarks.accuracy import plain_transcript
from benchmarks.wer import errors, tokens
from coach.audio.decode import decode_audio
from coach.transcribe.chunking import speech_regions_of
from coach.transcribe.whisper import MAX_WORD_S, DecodeOptions, Transcriber
from tests.support.speech import synthesize
from tests.test_streaming import SCRIPT

LOST_S = 2.0
SYSTEMS = {"coach": DecodeOptions(), "no rehear": DecodeOptions(rehear=False), "plain": None}


def longest_unheard_s(transcript, regions) -> float:
    """The longest stretch of VAD speech that lies under no word (seconds)."""
    longest = 0.0
    for s, e in regions:
        reach = s
        for w in sorted(transcript.words, key=lambda w: w.start):
            if w.end <= s or w.start >= e:
                continue
            longest = max(longest, w.start - reach)
            reach = max(reach, min(w.end, w.start + MAX_WORD_S))
        longest = max(longest, e - reach)
    return longest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--takes", type=int, default=30)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()

    parts = list(SCRIPT)
    said = tokens(" ".join(p for p in parts if isinstance(p, str)))
    transcriber = Transcriber()
    transcriber.load()
    wer: dict[str, list[float]] = {name: [] for name in SYSTEMS}
    lost: dict[str, int] = dict.fromkeys(SYSTEMS, 0)
    seconds: dict[str, float] = dict.fromkeys(SYSTEMS, 0.0)
    audio_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for take in range(args.takes):
            wav = synthesize(parts, Path(tmp) / f"take{take}.wav", natural=True)
            samples = decode_audio(wav)
            regions = speech_regions_of(samples)
            audio_s += samples.size / 16000
            for name, options in SYSTEMS.items():
                began = time.perf_counter()
                if options is None:
                    t = plain_transcript(transcriber.load(), samples)
                else:
                    t = transcriber.transcribe_array(samples, options=options)
                seconds[name] += time.perf_counter() - began
                heard = [w for w in tokens(t.text) if w not in ("um", "uh", "er")]
                ref = [w for w in said if w not in ("um", "uh", "er")]
                wer[name].append(errors(ref, heard) / len(ref))
                lost[name] += longest_unheard_s(t, regions) >= LOST_S
            print(f"take {take + 1}/{args.takes}: " + ", ".join(
                f"{n} {wer[n][-1]:.3f}" for n in SYSTEMS), flush=True)

    rows = [[name, f"{lost[name]}/{args.takes}", f"{median(wer[name]):.3f}",
             f"{statistics.mean(wer[name]):.3f}", f"{max(wer[name]):.3f}",
             f"{60 * seconds[name] / audio_s:.2f}"] for name in SYSTEMS]
    body = table(["system", "takes that lost speech", "WER median", "WER mean", "WER worst",
                  "s per audio min"], rows)
    notes = [machine_line(), load_line(),
             f"{args.takes} takes of a {audio_s / args.takes:.0f} s answer (piper joe-us, "
             "natural voice noise: every take differs); WER without hesitations; lost speech: "
             f">= {LOST_S:.0f} s of VAD speech in one piece under no word."]
    publish("Speech skipped (one path: chunks in silence, rehear on/off)", body, notes,
            save=not args.no_save)


if __name__ == "__main__":
    main()
