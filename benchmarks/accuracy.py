"""Transcript, filler, pause and pace accuracy of the coach against plain faster-whisper.

    python -m benchmarks.corpus                 # once: generate the labelled corpus
    python -m benchmarks.accuracy               # coach vs plain, per set
    python -m benchmarks.accuracy --variants coach,plain,noprev --sets long --detail
    python -m benchmarks.accuracy --checks      # + file == live, same file twice, VAD figures

Every system runs on the same clips in the same process with the same loaded model:

* **coach**: ``coach.transcribe.whisper.Transcriber.transcribe_array``: chunks cut in silence,
  each one Whisper window decoded once with the filler prompt and the clip's vocabulary, the
  previous chunk's words as context, guards against invented text; then
  ``coach.core.analysis.analyze``;
* **plain**: ``WhisperModel.transcribe(audio, language="en", word_timestamps=True)`` with
  faster-whisper's defaults (its 30 s window seeking), then the same ``analyze`` (so both are
  scored by the same filler detector and pace rules; only the transcription differs);
* other variants: the coach with one choice changed (see ``VARIANTS``).

Scoring rules (see also ``benchmarks/wer.py``):

* WER: truth without its filler words vs. the transcript without the words the detector flagged
  as fillers; "WER-all" keeps discourse words on both sides and drops only hesitation sounds, so
  it does not depend on the detector at all.
* Fillers: the transcript is aligned to the truth; a detected filler is correct when its word
  aligns to a truth filler of the same kind (a heard "uh" for a said "um" counts as a correct
  hesitation). Precision and recall per kind and per filler word. Two fillers sharing a time
  span are counted as an error of their own ("overlapping fillers").
* Lost speech: a stretch of 2 s or more inside the truth's speech with no word on it, counted
  per system, and for the coach also where plain has words there.
* Invented: on the no-speech clips of the adversarial set, any word at all, and any of the
  clip's vocabulary terms (passed as a prompt would pass them) that was not said.
* Pauses: a truth pause >= 1.5 s is found when a detected gap pause covers half of it.
* Speaking time (``speech_s``) and wpm: relative error per clip against the truth; the truth wpm
  follows ``coach.core.pace`` (spoken non-filler words, "at-least-once" counting three, over the
  talking span minus pauses >= 1.5 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.wer import align, errors, tokens  # noqa: E402
from coach.audio.decode import decode_audio  # noqa: E402
from coach.config import Settings  # noqa: E402
from coach.core.analysis import analyze  # noqa: E402
from coach.core.fillers import filler_word_indices  # noqa: E402
from coach.core.model import Transcript, Word  # noqa: E402
from coach.core.pace import spoken_count  # noqa: E402
from coach.transcribe.whisper import DecodeOptions, Transcriber  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"
SHARED = ROOT.parent / "shared" / "audio"
HESITATION_WORDS = {"um", "uh", "er", "erm", "hmm", "ah", "uhm", "mm", "hm", "eh"}
LOST_S = 2.0

VARIANTS: dict[str, DecodeOptions | None] = {
    "coach": DecodeOptions(),
    "plain": None,
    "noprompt": DecodeOptions(filler_prompt=None),
    "novocab": DecodeOptions(vocabulary_in_hotwords=False),
    "noguards": DecodeOptions(guards=False),
    "norehear": DecodeOptions(rehear=False),
    "pad30": DecodeOptions(padding_s=30.0),  # every chunk in a full 30 s window
}

# The two real recordings: verbatim text from ../shared/audio/README.md. "So" after "Yeah." in
# the disfluent sample is left unscored (None): the README counts only the two hesitations.
REAL = {
    "jfk.flac": "And so, my fellow Americans, ask not what your country can do for you, "
                "ask what you can do for your country.",
    "disfluent_sample.wav": "Yeah. {So} [uh] tonight the Guinness will taste delicious [um] "
                            "or not at all. I don't know.",
}
# Their silences of 1.5 s or more, read off the audio (sox stats in 0.7 s steps: -66 dB, digital
# silence, against -23 dB for the speech around it); the README gives no times.
REAL_PAUSES = {"disfluent_sample.wav": [{"start": 6.8, "end": 8.9}]}


# ----------------------------------------------------------------------------- inputs


def real_truth(name: str) -> dict:
    words = []
    fid = 0
    for raw in REAL[name].split():
        if raw.startswith("["):
            fid += 1
            text = raw.strip("[]")
            words.append({"text": text, "filler": True, "kind": "hesitation",
                          "filler_text": text, "filler_id": fid})
        elif raw.startswith("{"):
            words.append({"text": raw.strip("{}"), "filler": None, "kind": "",
                          "filler_text": "", "filler_id": -1})
        else:
            words.append({"text": raw, "filler": False, "kind": "", "filler_text": "",
                          "filler_id": -1})
    pauses = REAL_PAUSES.get(name, [])
    return {"id": name, "kind": "real", "words": words, "long_pauses": pauses, "pauses": pauses,
            "vocabulary": [],
            "speaking_s": None, "wpm": None}


def load_clips(
    corpus: Path, with_real: bool, sets: set[str] | None = None
) -> list[tuple[Path, dict]]:
    """The corpus's clips (``set``: base, long or adversarial) and the two real recordings."""
    clips = []
    for meta in sorted(corpus.glob("*.json")):
        truth = json.loads(meta.read_text(encoding="utf-8"))
        if "audio" not in truth:  # SETS.json and other listings
            continue
        truth.setdefault("set", "base")
        if sets is None or truth["set"] in sets:
            clips.append((corpus / truth["audio"], truth))
    if with_real and SHARED.is_dir() and (sets is None or "real" in sets):
        for name in REAL:
            if (SHARED / name).is_file():
                clips.append((SHARED / name, {**real_truth(name), "set": "real"}))
    return clips


# ----------------------------------------------------------------------------- running


@dataclass
class Run:
    """One system on one clip: what it heard and what the analysis made of it."""

    clip: str
    seconds: float
    duration: float
    words: list[Word]
    filler_idx: set[int]
    fillers: list  # coach.core.model.Filler
    pauses: list[tuple[float, float]]
    speech_s: float
    wpm: float
    text: str = ""
    transcript: Transcript | None = None


def plain_transcript(model, samples) -> Transcript:
    segments, _ = model.transcribe(samples, language="en", word_timestamps=True)
    words = [Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
             for s in segments for w in (s.words or ()) if w.word.strip()]
    return Transcript(tuple(words), samples.size / 16000, (), "plain")


def transcribe(system: str, transcriber: Transcriber, samples, truth: dict) -> Transcript:
    opts = VARIANTS[system]
    if opts is None:
        return plain_transcript(transcriber.load(), samples)
    return transcriber.transcribe_array(samples, vocabulary=truth.get("vocabulary", []),
                                        options=opts)


def run_one(system: str, transcriber: Transcriber, path: Path, truth: dict) -> Run:
    start = time.perf_counter()
    samples = decode_audio(path)
    transcript = transcribe(system, transcriber, samples, truth)
    seconds = time.perf_counter() - start
    return as_run(truth["id"], transcript, seconds)


def as_run(clip: str, transcript: Transcript, seconds: float) -> Run:
    analysis = analyze(transcript, settings=Settings())
    words = list(transcript.words)
    return Run(
        clip=clip, seconds=seconds, duration=transcript.duration_s, words=words,
        filler_idx=filler_word_indices(analysis.fillers, words), fillers=analysis.fillers,
        pauses=[(p.start, p.end) for p in analysis.pauses if p.kind == "gap"],
        speech_s=analysis.speech_s, wpm=analysis.wpm, text=transcript.text,
        transcript=transcript,
    )


# ----------------------------------------------------------------------------- scoring


@dataclass
class Score:
    ref_words: int = 0
    wer_errors: int = 0
    ref_all: int = 0
    all_errors: int = 0
    tp: Counter = field(default_factory=Counter)  # by kind, of detections
    det: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)  # by kind, of truth fillers
    truth: Counter = field(default_factory=Counter)
    tp_text: Counter = field(default_factory=Counter)
    det_text: Counter = field(default_factory=Counter)
    found_text: Counter = field(default_factory=Counter)
    truth_text: Counter = field(default_factory=Counter)
    pauses_truth: int = 0
    pauses_found: int = 0
    pauses_detected: int = 0
    pauses_false: int = 0
    speech_err: list[float] = field(default_factory=list)
    wpm_err: list[float] = field(default_factory=list)
    seconds: float = 0.0
    audio_s: float = 0.0
    clips: int = 0
    no_speech_clips: int = 0
    invented_words: int = 0
    invented_terms: list[str] = field(default_factory=list)
    thank_you: int = 0
    lost: list[str] = field(default_factory=list)  # stretches of speech left without words
    lost_where_plain_heard: list[str] = field(default_factory=list)
    overlapping_fillers: list[str] = field(default_factory=list)
    false_fillers: list[str] = field(default_factory=list)
    missed_fillers: list[str] = field(default_factory=list)
    # (clip, filler_id, what the coach heard over the sentence holding it)
    missed_hesitations: list[tuple[str, int, str]] = field(default_factory=list)


def _token_table(texts: list[str]) -> tuple[list[str], list[int]]:
    """All tokens of ``texts`` and, per token, the index of the text it came from."""
    toks: list[str] = []
    owner: list[int] = []
    for i, t in enumerate(texts):
        for tok in tokens(t):
            toks.append(tok)
            owner.append(i)
    return toks, owner


def truth_pace(truth: dict) -> float:
    """The truth's wpm counted as ``coach.core.pace`` counts (spoken words: "at-least-once" is
    three), from the words and talking span beside the clip."""
    said = sum(spoken_count(w["text"]) for w in truth["words"] if not w["filler"])
    return said * 60.0 / truth["talking_s"]


def unheard(words: list[Word], spans: list[list[float]], min_s: float = LOST_S,
            pad: float = 0.3) -> list[tuple[float, float]]:
    """Stretches of at least ``min_s`` inside the truth's speech that no word covers."""
    covered = sorted((w.start - pad, w.end + pad) for w in words if any(c.isalnum()
                                                                        for c in w.text))
    out = []
    for s, e in spans:
        t = s
        for a, b in covered:
            if b <= t or a >= e:
                continue
            if a - t >= min_s:
                out.append((round(t, 2), round(a, 2)))
            t = max(t, b)
        if e - t >= min_s:
            out.append((round(t, 2), round(e, 2)))
    return out


def score_clip(score: Score, run: Run, truth: dict, plain: Run | None = None) -> dict:
    """Add one clip's figures to ``score``; return the clip's own figures for --detail."""
    tw = truth["words"]
    score.clips += 1
    score.seconds += run.seconds
    score.audio_s += run.duration
    hyp_text = " ".join(w.text for w in run.words).lower()
    if "thank you" in hyp_text and "thank you" not in " ".join(w["text"] for w in tw).lower():
        score.thank_you += 1
    said = set(tokens(" ".join(w["text"] for w in tw)))
    for term in truth.get("vocabulary", []):
        term_tokens = tokens(term)
        if term_tokens and not set(term_tokens) <= said and all(
            t in tokens(hyp_text) for t in term_tokens
        ):
            score.invented_terms.append(f"{run.clip}: {term!r}")
    spoken = [w for w in run.words if any(ch.isalnum() for ch in w.text)]
    if not tw:
        score.no_speech_clips += 1
        score.invented_words += len(spoken)
        return {"words": len(spoken)}
    for a, b in pairwise(run.fillers):
        if b.start < a.end - 1e-6 or (a.start, a.end) == (b.start, b.end):
            score.overlapping_fillers.append(f"{run.clip}: {a.text!r}/{b.text!r} at {a.start}s")

    # WER, fillers excluded on both sides.
    ref, _ = _token_table([w["text"] for w in tw if not w["filler"]])
    hyp, _ = _token_table([w.text for i, w in enumerate(run.words) if i not in run.filler_idx])
    errs = errors(ref, hyp)
    score.ref_words += len(ref)
    score.wer_errors += errs
    # WER-all: only hesitation sounds dropped on both sides.
    ref_a = [t for t in tokens(" ".join(w["text"] for w in tw)) if t not in HESITATION_WORDS]
    hyp_a = [t for t in tokens(" ".join(w.text for w in run.words)) if t not in HESITATION_WORDS]
    errs_a = errors(ref_a, hyp_a)
    score.ref_all += len(ref_a)
    score.all_errors += errs_a

    # Lost speech: truth speech without any word on it.
    spans = truth.get("speech_spans") or []
    lost = unheard(run.words, spans)
    score.lost += [f"{run.clip}: {a}-{b}s" for a, b in lost]
    if plain is not None and plain is not run:
        heard = [(a, b) for a, b in lost
                 if any(a < w.start < b for w in plain.words)]
        score.lost_where_plain_heard += [f"{run.clip}: {a}-{b}s" for a, b in heard]

    # Fillers: align all words, map detections to truth words.
    rt, rown = _token_table([w["text"] for w in tw])
    ht, hown = _token_table([w.text for w in run.words])
    # Any hesitation sound matches any other ("uh" heard for a said "um" is still a hesitation).
    rt = ["<hes>" if t in HESITATION_WORDS else t for t in rt]
    ht = ["<hes>" if t in HESITATION_WORDS else t for t in ht]
    h2r: dict[int, list[int]] = {}
    for r, h in align(rt, ht):
        if r is not None and h is not None:
            h2r.setdefault(hown[h], []).append(rown[r])
    truth_groups = {w["filler_id"]: w for w in tw if w["filler"]}
    for w in truth_groups.values():
        score.truth[w["kind"]] += 1
        score.truth_text[w["filler_text"]] += 1
    matched: set[int] = set()
    for f in run.fillers:
        idx = [i for i in range(len(run.words)) if i in run.filler_idx and
               run.words[i].start >= f.start - 1e-6 and run.words[i].end <= f.end + 1e-6]
        idx = [f.word_index] if f.word_index >= 0 else idx
        targets = [tw[r] for i in idx for r in h2r.get(i, [])]
        if any(t["filler"] is None for t in targets):
            continue  # an unscored word (the real recording's ambiguous "So")
        score.det[f.kind] += 1
        score.det_text[f.text] += 1
        hit = next((t for t in targets if t["filler"] and t["kind"] == f.kind
                    and t["filler_id"] not in matched), None)
        if hit:
            matched.add(hit["filler_id"])
            score.tp[f.kind] += 1
            score.tp_text[f.text] += 1
        else:
            score.false_fillers.append(f"{run.clip}: {f.text!r} at {f.start:.1f}s")
    for fid, w in truth_groups.items():
        if fid in matched:
            score.found[w["kind"]] += 1
            score.found_text[w["filler_text"]] += 1
        else:
            score.missed_fillers.append(f"{run.clip}: {w['filler_text']!r}")
            if w["kind"] == "hesitation" and truth.get("speech_spans"):
                a, b = truth["speech_spans"][w["part"]]
                heard = " ".join(x.text for x in run.words if a - 0.3 <= x.start < b + 0.3)
                score.missed_hesitations.append((run.clip, fid, heard))

    # Pauses, speaking time, wpm (synthetic clips only).
    found = 0
    for p in truth["long_pauses"]:
        need = 0.5 * (p["end"] - p["start"])
        if any(min(e, p["end"]) - max(s, p["start"]) >= need for s, e in run.pauses):
            found += 1
    score.pauses_truth += len(truth["long_pauses"])
    score.pauses_found += found
    score.pauses_detected += len(run.pauses)
    score.pauses_false += sum(
        1 for s, e in run.pauses
        if not any(min(e, p["end"]) - max(s, p["start"]) > 0 for p in truth["pauses"])
    )
    out = {"wer": errs / max(1, len(ref)), "pauses": f"{found}/{len(truth['long_pauses'])}",
           "lost": len(lost)}
    if truth.get("speaking_s"):
        e = (run.speech_s - truth["speaking_s"]) / truth["speaking_s"]
        score.speech_err.append(e)
        out["speech_err"] = e
    if truth.get("wpm"):
        truth_wpm = truth_pace(truth)
        e = (run.wpm - truth_wpm) / truth_wpm
        score.wpm_err.append(e)
        out["wpm_err"] = e
    return out


# ----------------------------------------------------------------------------- report


def _pr(tp: int, det: int, found: int, total: int) -> str:
    p = tp / det if det else float("nan")
    r = found / total if total else float("nan")
    return f"{p:.2f} / {r:.2f} ({tp}/{det}, {found}/{total})"


def _mean_abs(xs: list[float]) -> str:
    if not xs:
        return "n/a"
    return f"{100 * sum(abs(x) for x in xs) / len(xs):.1f}% (max {100 * max(map(abs, xs)):.1f}%)"


def _within(xs: list[float], limit: float) -> str:
    return f"{sum(abs(x) <= limit for x in xs)}/{len(xs)}" if xs else "n/a"


ROWS = [
    ("clips, audio minutes", lambda s: f"{s.clips}, {s.audio_s / 60:.1f}"),
    ("WER, fillers excluded", lambda s: f"{s.wer_errors / max(1, s.ref_words):.3f}"
     f" ({s.wer_errors}/{s.ref_words})"),
    ("WER-all (only hesitations excluded)",
     lambda s: f"{s.all_errors / max(1, s.ref_all):.3f} ({s.all_errors}/{s.ref_all})"),
    ("hesitation P / R", lambda s: _pr(s.tp["hesitation"], s.det["hesitation"],
                                       s.found["hesitation"], s.truth["hesitation"])),
    ("discourse P / R", lambda s: _pr(s.tp["discourse"], s.det["discourse"],
                                      s.found["discourse"], s.truth["discourse"])),
    ("fillers sharing a time span", lambda s: str(len(s.overlapping_fillers))),
    (f"lost speech (>= {LOST_S:g} s without words)", lambda s: str(len(s.lost))),
    ("... of it where plain has words", lambda s: str(len(s.lost_where_plain_heard))),
    ("pause recall (>= 1.5 s)", lambda s: f"{s.pauses_found / max(1, s.pauses_truth):.2f}"
     f" ({s.pauses_found}/{s.pauses_truth}); {s.pauses_false} false"),
    ("speaking-time error, mean |%|", lambda s: _mean_abs(s.speech_err)),
    ("... clips within 3%", lambda s: _within(s.speech_err, 0.03)),
    ("wpm error, mean |%|", lambda s: _mean_abs(s.wpm_err)),
    ("... clips within 5%", lambda s: _within(s.wpm_err, 0.05)),
    ("words on no-speech clips", lambda s: f"{s.invented_words} ({s.no_speech_clips} clips)"),
    ("vocabulary terms invented", lambda s: str(len(s.invented_terms))),
    ('clips with an invented "thank you"', lambda s: str(s.thank_you)),
    ("processing s per audio minute",
     lambda s: f"{60 * s.seconds / max(1e-9, s.audio_s):.2f}"),
]


def table(scores: dict[str, Score], rows=ROWS) -> str:
    names = list(scores)
    lines = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, fn in rows:
        lines.append(f"| {label} | " + " | ".join(fn(scores[n]) for n in names) + " |")
    return "\n".join(lines)


def by_text(scores: dict[str, Score]) -> str:
    names = list(scores)
    texts = sorted(set().union(*(s.truth_text.keys() | s.det_text.keys()
                                 for s in scores.values())))
    lines = ["| filler | " + " | ".join(f"{n} P / R" for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for t in texts:
        cells = []
        for n in names:
            s = scores[n]
            cells.append(_pr(s.tp_text[t], s.det_text[t], s.found_text[t], s.truth_text[t]))
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- checks


def log_prob(transcriber: Transcriber, samples, text: str) -> float:
    """Sum of the model's token log-probabilities for ``text`` forced over ``samples``.

    CTranslate2's ``align`` scores a given text against one encoded window: the same model,
    the same audio, only the words differ, so two texts can be compared directly.
    """
    decoder = transcriber.decoder
    encoded = decoder.encode(samples)
    tok = decoder.tokenizer
    tokens = tok.encode(" " + text.strip())
    result = transcriber.load().model.align(
        encoded.output, tok.sot_sequence, [tokens], encoded.frames
    )[0]
    return float(sum(math.log(max(p, 1e-12)) for p in result.text_token_probs))


def hesitation_evidence(
    transcriber: Transcriber, clips: dict[str, tuple[Path, dict]],
    missed: list[tuple[str, int, str]],
) -> list[str]:
    """For each missed hesitation: does the model itself score its sound as other words?

    The sentence holding it (the truth's speech span) is scored over the same audio as said
    and as the coach heard it. When what was heard scores higher, the model takes the
    hesitation for other words and no decoding built on its judgement recovers it: a model
    limit, listed apart (issue 12). When the said text scores higher, a better search would
    have found it: the miss is the decoder's and counts against the coach.
    """
    lines = []
    for clip, fid, heard in missed:
        path, truth = clips[clip]
        words = truth["words"]
        target = next(w for w in words if w["filler"] and w["filler_id"] == fid)
        part = target["part"]
        said = [w for w in words if w["part"] == part]
        a, b = truth["speech_spans"][part]
        samples = decode_audio(path)[max(0, int((a - 0.3) * 16000)):int((b + 0.3) * 16000)]
        with_text = " ".join(w["text"] for w in said)
        lp_said = log_prob(transcriber, samples, with_text)
        lp_heard = log_prob(transcriber, samples, heard) if heard else float("-inf")
        verdict = "model limit" if lp_heard > lp_said else "decoder miss"
        lines.append(f"- {clip} {target['filler_text']!r}: said \"{with_text}\" {lp_said:.1f}, "
                     f"heard \"{heard}\" {lp_heard:.1f} -> {verdict}")
    return lines


def stream(transcriber: Transcriber, samples, vocabulary, block: int = 1600) -> Transcript:
    """The live path on the same samples: 0.1 s blocks into a ``StreamingTranscriber``, the
    feeder waiting while the worker is busy (as a real-time microphone would not)."""
    from coach.transcribe.streaming import StreamingTranscriber

    streamer = StreamingTranscriber(transcriber, vocabulary=vocabulary)
    for i in range(0, samples.size, block):
        streamer.feed(samples[i : i + block])
        while streamer.lag_s > 1.0:
            time.sleep(0.01)
    out = streamer.finish()
    assert out is not None, streamer.error
    return out


def checks(transcriber: Transcriber, clips: list[tuple[Path, dict]]) -> list[str]:
    """File == live and file == file again, word for word and time for time, per clip."""
    lines = ["| clip | words | file = live | file = file again |", "|---|---|---|---|"]
    same_live = same_again = 0
    for path, truth in clips:
        samples = decode_audio(path)
        vocab = truth.get("vocabulary", [])
        first = transcriber.transcribe_array(samples, vocabulary=vocab)
        again = transcriber.transcribe_array(samples, vocabulary=vocab)
        live = stream(transcriber, samples, vocab)
        a, b = first == live, first == again
        same_live += a
        same_again += b
        lines.append(f"| {truth['id']} | {len(first.words)} | {'yes' if a else 'NO'} |"
                     f" {'yes' if b else 'NO'} |")
    lines.append(f"| **all {len(clips)}** | | {same_live}/{len(clips)} |"
                 f" {same_again}/{len(clips)} |")
    return lines


def vad_figures(clips: list[tuple[Path, dict]]) -> str:
    """The coach's speech regions (Silero's probabilities, ``speech_regions_of``), by noise
    level: speaking-time error, pause recall, false pauses (a detected silence of >= 1.5 s
    inside speech). The energy detector they replaced was measured beside them on 2026-12-02
    (RESULTS-accuracy.md)."""
    import numpy as np

    from coach.transcribe.chunking import speech_regions_of

    def pauses(regions, spans):
        gaps = [(a[1], b[0]) for a, b in pairwise(regions)
                if b[0] - a[1] >= 1.5 and a[1] >= spans[0][0] and b[0] <= spans[-1][1]]
        return gaps

    groups: dict[str, dict[str, list]] = {}
    for path, truth in clips:
        if not truth.get("speaking_s") or not truth.get("speech_spans"):
            continue
        systems = {"silero (coach)": speech_regions_of(decode_audio(path))}
        level = (f"{truth.get('noise') or 'clean'}"
                 + (f" {truth['snr_db']:g} dB" if truth.get("snr_db") else ""))
        spans = truth["speech_spans"]
        for name, regions in systems.items():
            g = groups.setdefault(level, {}).setdefault(name, [])
            speech = sum(b - a for a, b in regions)
            found = sum(1 for p in truth["long_pauses"] if any(
                min(e, p["end"]) - max(s, p["start"]) >= 0.5 * (p["end"] - p["start"])
                for s, e in pauses(regions, spans)))
            false = sum(1 for s, e in pauses(regions, spans) if not any(
                min(e, p["end"]) - max(s, p["start"]) > 0 for p in truth["pauses"]))
            g.append(((speech - truth["speaking_s"]) / truth["speaking_s"], found,
                      len(truth["long_pauses"]), false))
    names = ["silero (coach)"]
    lines = ["| background | clips | " + " | ".join(names) + " |",
             "|---|---|" + "---|" * len(names)]
    for level in sorted(groups):
        cells = []
        for n in names:
            rows = groups[level][n]
            err = float(np.mean([abs(r[0]) for r in rows])) * 100
            f = sum(r[1] for r in rows)
            t = sum(r[2] for r in rows)
            false = sum(r[3] for r in rows)
            cells.append(f"{err:.1f}% speech; pauses {f}/{t}, {false} false")
        lines.append(f"| {level} | {len(groups[level][names[0]])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--variants", default="coach,plain",
                    help=f"comma-separated, from: {', '.join(VARIANTS)}")
    ap.add_argument("--sets", default="base,long,adversarial,real",
                    help="comma-separated: base, long, adversarial, real")
    ap.add_argument("--only", default="", help="comma-separated clip ids")
    ap.add_argument("--detail", action="store_true", help="per-clip figures and filler errors")
    ap.add_argument("--checks", action="store_true",
                    help="also: file == live and file twice, and the VAD comparison")
    ap.add_argument("--evidence", action="store_true",
                    help="score each missed hesitation with and without it (model limit?)")
    ap.add_argument("--model", default="default")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args(argv)

    sets = {s.strip() for s in args.sets.split(",") if s.strip()}
    clips = load_clips(args.corpus, "real" in sets, sets)
    if args.only:
        keep = set(args.only.split(","))
        clips = [c for c in clips if c[1]["id"] in keep]
    if not clips:
        print(f"no clips in {args.corpus}: run python -m benchmarks.corpus first")
        return 1
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    transcriber = Transcriber(args.model, threads=args.threads)
    transcriber.load()
    scores: dict[str, dict[str, Score]] = {}
    everything = {n: Score() for n in names}
    details: list[str] = []
    texts: list[str] = []
    for path, truth in clips:
        runs = {name: run_one(name, transcriber, path, truth) for name in names}
        plain = runs.get("plain")
        for name, run in runs.items():
            by_set = scores.setdefault(truth["set"], {n: Score() for n in names})
            figures = score_clip(by_set[name], run, truth, plain)
            if truth["set"] != "real":
                score_clip(everything[name], run, truth, plain)
            details.append(f"{truth['id']:26} {name:9} " + " ".join(
                f"{k}={v:+.3f}" if isinstance(v, float) else f"{k}={v}"
                for k, v in figures.items()))
            if truth["set"] in ("real", "adversarial") or not truth["words"] or args.detail:
                texts.append(f"- {truth['id']} [{name}]: {run.text or '(no words)'}")

    print(f"## Accuracy benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, model {args.model}\n")
    for label, by_set in [("all synthetic sets", everything),
                          *((f"set: {k}", v) for k, v in sorted(scores.items()))]:
        print(f"### {label}\n")
        print(table(by_set))
        print()
    print("### Per filler word, all synthetic sets (precision / recall)\n")
    print(by_text(everything))
    for name in names:
        s = everything[name]
        print(f"\n{name}: lost speech {s.lost}; where plain heard {s.lost_where_plain_heard}")
        print(f"{name}: overlapping fillers {s.overlapping_fillers}")
        print(f"{name}: invented terms {s.invented_terms}")
    print("\n### Transcripts of the real recordings and the adversarial clips\n")
    print("\n".join(texts))
    if args.detail:
        print("\n### Per clip\n")
        print("\n".join(details))
        for name in names:
            s = everything[name]
            print(f"\n{name} false fillers: {s.false_fillers}")
            print(f"{name} missed fillers: {s.missed_fillers}")
    if args.evidence and "coach" in everything:
        missed = everything["coach"].missed_hesitations
        lines = hesitation_evidence(transcriber, {c[1]["id"]: c for c in clips}, missed)
        limits = sum("model limit" in x for x in lines)
        s = everything["coach"]
        total, found = s.truth["hesitation"], s.found["hesitation"]
        print("\n### Missed hesitations: does the model score them as other words?\n")
        print("\n".join(lines))
        if total - limits:
            print(f"\ncoach hesitation recall without the model-limit misses: "
                  f"{found / (total - limits):.2f} ({found}/{total - limits}; "
                  f"{limits} of {len(lines)} misses are model limits)")
    if args.checks:
        synthetic = [c for c in clips if c[1]["set"] != "real"]
        print("\n### Same words live and from the file, and twice from the file\n")
        print("\n".join(checks(transcriber, clips)))
        print("\n### Voice activity (the speech regions)\n")
        print(vad_figures(synthetic))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
