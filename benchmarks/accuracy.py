"""Filler and transcript accuracy of the coach against plain faster-whisper (issue 7).

    python -m benchmarks.corpus                 # once: generate the labelled corpus
    python -m benchmarks.accuracy               # coach vs plain, one table
    python -m benchmarks.accuracy --variants coach,initial,both,novocab --detail

Every system runs on the same clips in the same process with the same loaded model:

* **coach**: ``coach.transcribe.whisper.Transcriber`` (filler prompt as initial_prompt and
  hotwords, vocabulary biasing, second look at the start of each stretch of speech, VAD
  guards, no decoding of a silent tail) then ``coach.core.analysis.analyze``;
* **plain**: ``WhisperModel.transcribe(audio, language="en", word_timestamps=True)`` with
  faster-whisper's defaults, then the same ``analyze`` (so both are scored by the same filler
  detector and pace rules; only the transcription differs);
* other variants: the coach with one decoding choice changed (see ``VARIANTS``).

Scoring rules (see also ``benchmarks/wer.py``):

* WER: truth without its filler words vs. the transcript without the words the detector flagged
  as fillers; "WER-all" keeps discourse words on both sides and drops only hesitation sounds, so
  it does not depend on the detector at all.
* Fillers: the transcript is aligned to the truth; a detected filler is correct when its word
  aligns to a truth filler of the same kind (a heard "uh" for a said "um" counts as a correct
  hesitation). Precision and recall per kind and per filler word.
* Pauses: a truth pause >= 1.5 s is found when a detected gap pause covers half of it.
* Speaking time (``speech_s``) and wpm: relative error per clip against the truth; the truth wpm
  follows ``coach.core.pace`` (spoken non-filler words, "at-least-once" counting three, over the
  talking span minus pauses >= 1.5 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
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

LONG_PROMPT = "Um, uh, er, hmm... so, like, you know, I mean, uh, um."
VARIANTS: dict[str, DecodeOptions | None] = {
    "coach": DecodeOptions(),  # prompt as initial_prompt + hotwords, opener pass, guards
    "plain": None,
    "noopener": DecodeOptions(opener_pass=False),
    "nogap": DecodeOptions(gap_pass=False),
    "nolone": DecodeOptions(lone_soundalikes=False),
    "opener1": DecodeOptions(opener_beam_size=1),
    "opener12": DecodeOptions(opener_s=1.2, opener_gap_s=0.6),
    "hotwords": DecodeOptions(prompt_as="hotwords", opener_pass=False),
    "initial": DecodeOptions(prompt_as="initial_prompt", opener_pass=False),
    "noprompt": DecodeOptions(prompt_as="none", opener_pass=False),
    "novocab": DecodeOptions(vocabulary_in_hotwords=False),
    "noguards": DecodeOptions(drop_words_in_silence=False, snap_to_speech=False,
                              no_speech_prob_max=2.0, compression_ratio_max=1e9,
                              min_seconds_per_word=0.0),
    "nosnap": DecodeOptions(snap_to_speech=False),
    "silero": DecodeOptions(vad_filter=True),
    "beam1": DecodeOptions(beam_size=1),
    "notailstop": DecodeOptions(stop_at_speech_end=False),
    "cond": DecodeOptions(condition_on_previous_text=True),
    "hot2": DecodeOptions(filler_prompt=LONG_PROMPT, prompt_as="hotwords", opener_pass=False),
    "both2": DecodeOptions(filler_prompt=LONG_PROMPT, opener_pass=False),
}

# The two real recordings: verbatim text from ../shared/audio/README.md. "So" after "Yeah." in
# the disfluent sample is left unscored (None): the README counts only the two hesitations.
REAL = {
    "jfk.flac": "And so, my fellow Americans, ask not what your country can do for you, "
                "ask what you can do for your country.",
    "disfluent_sample.wav": "Yeah. {So} [uh] tonight the Guinness will taste delicious [um] "
                            "or not at all. I don't know.",
}


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
    return {"id": name, "kind": "real", "words": words, "long_pauses": [], "pauses": [],
            "vocabulary": [],
            "speaking_s": None, "wpm": None}


def load_clips(corpus: Path, with_real: bool) -> list[tuple[Path, dict]]:
    clips = []
    for meta in sorted(corpus.glob("*.json")):
        truth = json.loads(meta.read_text(encoding="utf-8"))
        clips.append((corpus / truth["audio"], truth))
    if with_real and SHARED.is_dir():
        for name in REAL:
            if (SHARED / name).is_file():
                clips.append((SHARED / name, real_truth(name)))
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


def plain_transcript(model, samples) -> Transcript:
    segments, _ = model.transcribe(samples, language="en", word_timestamps=True)
    words = [Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
             for s in segments for w in (s.words or ()) if w.word.strip()]
    return Transcript(tuple(words), samples.size / 16000, (), "plain")


def run_one(system: str, transcriber: Transcriber, path: Path, truth: dict) -> Run:
    opts = VARIANTS[system]
    start = time.perf_counter()
    samples = decode_audio(path)
    if opts is None:
        transcript = plain_transcript(transcriber.load(), samples)
    else:
        transcript = transcriber.transcribe_array(
            samples, vocabulary=truth.get("vocabulary", []), options=opts
        )
    seconds = time.perf_counter() - start
    analysis = analyze(transcript, settings=Settings())
    words = list(transcript.words)
    return Run(
        clip=truth["id"], seconds=seconds, duration=transcript.duration_s, words=words,
        filler_idx=filler_word_indices(analysis.fillers, words), fillers=analysis.fillers,
        pauses=[(p.start, p.end) for p in analysis.pauses if p.kind == "gap"],
        speech_s=analysis.speech_s, wpm=analysis.wpm, text=transcript.text,
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
    silence_words: int = 0
    thank_you: int = 0
    false_fillers: list[str] = field(default_factory=list)
    missed_fillers: list[str] = field(default_factory=list)


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


def score_clip(score: Score, run: Run, truth: dict) -> dict:
    """Add one clip's figures to ``score``; return the clip's own figures for --detail."""
    tw = truth["words"]
    score.seconds += run.seconds
    score.audio_s += run.duration
    hyp_text = " ".join(w.text for w in run.words).lower()
    if "thank you" in hyp_text and "thank you" not in " ".join(w["text"] for w in tw).lower():
        score.thank_you += 1
    if truth["kind"] == "silence":
        spoken = [w for w in run.words if any(ch.isalnum() for ch in w.text)]
        score.silence_words += len(spoken)
        return {"words": len(spoken)}

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
        idx = idx or [f.word_index]
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
    out = {"wer": errs / max(1, len(ref)), "pauses": f"{found}/{len(truth['long_pauses'])}"}
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


def table(scores: dict[str, Score]) -> str:
    names = list(scores)
    rows = [
        ("WER, fillers excluded", lambda s: f"{s.wer_errors / max(1, s.ref_words):.3f}"
         f" ({s.wer_errors}/{s.ref_words})"),
        ("WER-all (only hesitations excluded)",
         lambda s: f"{s.all_errors / max(1, s.ref_all):.3f} ({s.all_errors}/{s.ref_all})"),
        ("hesitation P / R", lambda s: _pr(s.tp["hesitation"], s.det["hesitation"],
                                           s.found["hesitation"], s.truth["hesitation"])),
        ("discourse P / R", lambda s: _pr(s.tp["discourse"], s.det["discourse"],
                                          s.found["discourse"], s.truth["discourse"])),
        ("pause recall (>= 1.5 s)", lambda s: f"{s.pauses_found / max(1, s.pauses_truth):.2f}"
         f" ({s.pauses_found}/{s.pauses_truth}); {s.pauses_false} false"),
        ("speaking-time error, mean |%|", lambda s: _mean_abs(s.speech_err)),
        ("wpm error, mean |%|", lambda s: _mean_abs(s.wpm_err)),
        ("words on the silence clip", lambda s: str(s.silence_words)),
        ('clips with an invented "thank you"', lambda s: str(s.thank_you)),
        ("processing s per audio minute",
         lambda s: f"{60 * s.seconds / max(1e-9, s.audio_s):.2f}"),
    ]
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--variants", default="coach,plain",
                    help=f"comma-separated, from: {', '.join(VARIANTS)}")
    ap.add_argument("--only", default="", help="comma-separated clip ids")
    ap.add_argument("--no-real", action="store_true", help="leave out ../shared/audio")
    ap.add_argument("--detail", action="store_true", help="per-clip figures and filler errors")
    ap.add_argument("--model", default="default")
    args = ap.parse_args(argv)

    clips = load_clips(args.corpus, not args.no_real)
    if args.only:
        keep = set(args.only.split(","))
        clips = [c for c in clips if c[1]["id"] in keep]
    if not clips:
        print(f"no clips in {args.corpus}: run python -m benchmarks.corpus first")
        return 1
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    transcriber = Transcriber(args.model)
    transcriber.load()
    synth = {n: Score() for n in names}
    real = {n: Score() for n in names}
    details: list[str] = []
    texts: list[str] = []
    for path, truth in clips:
        for name in names:
            run = run_one(name, transcriber, path, truth)
            target = real if truth["kind"] == "real" else synth
            figures = score_clip(target[name], run, truth)
            details.append(f"{truth['id']:24} {name:9} " + " ".join(
                f"{k}={v:+.3f}" if isinstance(v, float) else f"{k}={v}"
                for k, v in figures.items()))
            if truth["kind"] in ("real", "silence") or args.detail:
                texts.append(f"- {truth['id']} [{name}]: {run.text or '(no words)'}")

    print(f"## Accuracy benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, model {args.model}\n")
    n_synth = sum(1 for _, t in clips if t["kind"] != "real")
    minutes = sum(s.audio_s for s in synth.values()) / max(1, len(names)) / 60
    print(f"Synthetic corpus: {n_synth} clips, {minutes:.1f} min of audio.\n")
    print(table(synth))
    print("\nPer filler word (precision / recall):\n")
    print(by_text(synth))
    if any(s.audio_s for s in real.values()):
        print("\nReal recordings (../shared/audio):\n")
        print(table(real).split("\n| pause")[0])
        print()
    print("\nTranscripts of the real recordings and the silence clip:\n")
    print("\n".join(texts))
    if args.detail:
        print("\nPer clip:\n")
        print("\n".join(details))
        for name in names:
            s = synth[name]
            print(f"\n{name} false fillers: {s.false_fillers}")
            print(f"{name} missed fillers: {s.missed_fillers}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
