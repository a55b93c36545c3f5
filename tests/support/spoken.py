"""Transcripts built from written text, timed as a person speaks them (no audio, no model).

The evaluator's text-level tests and ``benchmarks/bench_verdicts.py`` need many answers run
through ``analyze()`` exactly as a transcript would arrive: words with start and end times,
Whisper-style punctuation attached, pauses after sentences. Timing is plain arithmetic at a
set pace, so a test knows the wpm, the pauses and the length it built.
"""

from __future__ import annotations

from coach.core.model import Transcript, Word

SENTENCE_PAUSE_S = 0.45  # after . ? !
COMMA_PAUSE_S = 0.15


def transcript_of(
    text: str,
    *,
    wpm: float = 150.0,
    lead_s: float = 0.6,
    pauses: dict[int, float] | None = None,
) -> Transcript:
    """``text`` as a transcript spoken at about ``wpm`` (pauses between words excluded).

    ``pauses`` maps a word index to extra silence (s) placed before that word, to build long
    pauses where a test wants them.
    """
    pauses = pauses or {}
    per_word = 60.0 / wpm
    words: list[Word] = []
    t = lead_s
    for i, token in enumerate(text.split()):
        t += pauses.get(i, 0.0)
        words.append(Word(token, round(t, 3), round(t + per_word * 0.92, 3), 0.95))
        t += per_word
        if token.endswith((".", "?", "!")):
            t += SENTENCE_PAUSE_S
        elif token.endswith((",", ";", ":")):
            t += COMMA_PAUSE_S
    end = (words[-1].end if words else 0.0) + 0.5
    regions = ((words[0].start, words[-1].end),) if words else ()
    return Transcript(tuple(words), round(end, 3), regions)
