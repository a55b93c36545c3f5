"""What speech and transcription cost the verdicts: the written answers read aloud by piper,
heard by the real model and judged exactly as ``coach analyze FILE --prompt ID --json`` judges
them, beside the text-only figures of ``bench_verdicts.py`` for the same answers.

Run: python benchmarks/bench_spoken_verdicts.py [--set heldout|dev|all] [--per-group N]
     [--only NAME ...] [--length-scale X] [--model M] [--json OUT] [--cache DIR]

Each answer is synthesised with piper (``tests.support.speech.synthesize``, the ``joe-us``
voice with its natural variation, as the other benchmarks use it; a pause after each paragraph;
``--length-scale`` slows it: piper reads these answers in about 1/1.33 of the time
``bench_verdicts`` gives them) once and cached as ``<cache>/<answer>-<hash of its text>.wav``
(default ``benchmarks/out/spoken-answers/``, git-ignored), so a rerun only transcribes. Every
wav then goes through ``coach.cli.analyze.analyze_one``, the function ``coach analyze`` runs
per file (import into an attempt folder, transcription, analysis with the pitch of the
recording, report, history), in a throw-away home. Printed: one Markdown row per answer, the
summary of both runs (``bench_verdicts.summary``) and a text-against-speech comparison.
``--per-group N`` keeps the first N answers of every kind in every pillar, for a quicker run
that still spans them. Held-out answers are measured here, never tuned on
(``benchmarks/answers/SETS.md``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))

from benchmarks._common import load_line, machine_line, table  # noqa: E402
from benchmarks.bench_verdicts import (  # noqa: E402
    ANSWERS,
    LEVELS,
    evaluate,
    read_answer,
    row_of,
    sets,
    summary,
)
from benchmarks.wer import errors, tokens  # noqa: E402

CACHE = REPO / "benchmarks" / "out" / "spoken-answers"
PARAGRAPH_PAUSE_S = 0.8  # between the answer's paragraphs (one per line), as a speaker breathes


def kind_of(row_or_meta: dict) -> str:
    """strong-1 / strong-2 are one kind."""
    return str(row_or_meta["kind"]).rstrip("-12")


def spoken_wav(meta: dict, cache: Path, length_scale: float = 1.0) -> Path:
    """The answer read aloud, synthesised once: the cache key includes the text and the pace,
    so an edited answer is read again rather than served stale."""
    digest = hashlib.sha1(meta["text"].encode("utf-8")).hexdigest()[:10]
    pace = "" if length_scale == 1.0 else f"-x{length_scale:g}"
    path = cache / f"{Path(meta['file']).stem}-{digest}{pace}.wav"
    if not path.is_file():
        from tests.support.speech import synthesize

        parts: list[str | float] = []
        for paragraph in meta["text"].splitlines():
            if paragraph.strip():
                parts += [paragraph.strip(), PARAGRAPH_PAUSE_S]
        partial = path.with_suffix(".part.wav")
        synthesize(parts, partial, length_scale=length_scale, natural=True)
        partial.replace(path)  # a run stopped mid-synthesis leaves no half answer in the cache
    return path


def choose(names: Sequence[str], per_group: int | None, only: Sequence[str]) -> list[str]:
    """The answers to run: ``only`` if given, else the first ``per_group`` of each (kind,
    pillar), else all."""
    if only:
        return [n if n.endswith(".txt") else f"{n}.txt" for n in only]
    if not per_group:
        return list(names)
    from coach.core.prompts import load_library

    prompts = load_library(REPO / "prompts").prompts
    taken: dict[tuple[str, str], int] = {}
    out = []
    for name in names:
        meta = read_answer(ANSWERS / name)
        group = (kind_of(meta), prompts[meta["prompt"]].pillar)
        if taken.get(group, 0) < per_group:
            taken[group] = taken.get(group, 0) + 1
            out.append(name)
    return out


def run_spoken(
    names: Sequence[str], cache: Path, home: Path, model: str | None, length_scale: float = 1.0
) -> list[dict]:
    """Synthesise (or reuse) each answer and analyse it as ``coach analyze`` does."""
    from coach.audio.decode import decode_audio
    from coach.cli.analyze import analyze_one
    from coach.cli.common import open_context
    from coach.core.model import Analysis
    from coach.pipeline import load_transcriber

    ctx = open_context(argparse.Namespace(home=str(home), prompts_dir=None), model=model)
    transcriber = None
    rows = []
    for k, name in enumerate(names, 1):
        meta = read_answer(ANSWERS / name)
        t0 = time.perf_counter()
        wav = spoken_wav(meta, cache, length_scale)
        t1 = time.perf_counter()
        samples = decode_audio(wav)
        if transcriber is None:
            transcriber = load_transcriber(ctx)
        cli_args = argparse.Namespace(prompt=meta["prompt"], follows=None)
        result = analyze_one(ctx, wav, samples, cli_args, transcriber)
        t2 = time.perf_counter()
        analysis = Analysis.from_dict(result)
        row = row_of(meta, ctx.prompt(meta["prompt"]), analysis)
        ref, hyp = tokens(meta["text"]), tokens(analysis.transcript)
        row.update(
            audio_s=round(analysis.duration_s, 1),
            wpm=round(analysis.wpm),
            wer=round(errors(ref, hyp) / max(1, len(ref)), 3),
            synth_s=round(t1 - t0, 1),
            analyse_s=round(t2 - t1, 1),
            attempt=result["attempt"],
        )
        rows.append(row)
        print(f"[{k}/{len(names)}] {name}: {row['audio_s']} s audio, synth {row['synth_s']} s, "
              f"analyse {row['analyse_s']} s, WER {row['wer']:.1%}, {row['total']} "
              f"{row['verdict']} ({load_line()})", file=sys.stderr, flush=True)
    return rows


def _level(verdict: str) -> str:
    return verdict.replace("-", " ").capitalize()


def _flags(flags: Sequence[str]) -> str:
    return ", ".join(flags) or "–"


def answer_table(spoken: Sequence[dict], text: dict[str, dict]) -> str:
    headers = ["answer", "kind", "pillar", "expected", "key points (text)", "total (content / "
               "delivery)", "verdict", "gap", "red flags", "verdict / gap match", "text: total, "
               "verdict", "WER"]
    rows = []
    for r in spoken:
        t = text[r["file"]]
        match = ("✓" if r["verdict"] == r["expect_verdict"] else "✗") + " / " + \
            ("✓" if r["gap"] == r["expect_gap"] else "✗")
        rows.append([
            f"`{Path(r['file']).stem}`", kind_of(r), r["pillar"],
            f"{_level(r['expect_verdict'])}, {r['expect_gap']}",
            f"{r['key_points']} ({t['key_points']})",
            f"{r['total']:.0f} ({r['content']:.0f} / {r['delivery']:.0f})",
            _level(r["verdict"]), r["gap"], _flags(r["flags"]), match,
            f"{t['total']:.0f}, {_level(t['verdict'])}", f"{100 * r['wer']:.1f}%",
        ])
    return table(headers, rows)


def figures(rows: Sequence[dict]) -> dict[str, str]:
    """The headline counts of one run, as "k/n"."""
    n = len(rows)
    strong = [r for r in rows if kind_of(r) == "strong"]
    near = sum(abs(LEVELS.index(r["verdict"]) - LEVELS.index(r["expect_verdict"])) <= 1
               for r in rows)
    return {
        "verdict exact": f"{sum(r['verdict'] == r['expect_verdict'] for r in rows)}/{n}",
        "within one step": f"{near}/{n}",
        "gap right": f"{sum(r['gap'] == r['expect_gap'] for r in rows)}/{n}",
        "strong under 50": f"{sum(r['total'] < 50 for r in strong)}/{len(strong)}",
        "strong with a false red flag": f"{sum(bool(r['flags']) for r in strong)}/{len(strong)}",
        "false red flags on strong": str(sum(len(r["flags"]) for r in strong)),
        "mean total strong": f"{sum(r['total'] for r in strong) / max(1, len(strong)):.1f}",
        "mean content / delivery": (
            f"{sum(r['content'] for r in rows) / max(1, n):.1f} / "
            f"{sum(r['delivery'] for r in rows) / max(1, n):.1f}"),
    }


def comparison(spoken: Sequence[dict], text: Sequence[dict]) -> str:
    said, written = figures(spoken), figures(text)
    by_file = {r["file"]: r for r in text}
    moved = sum(r["verdict"] != by_file[r["file"]]["verdict"] for r in spoken)
    rows = [[name, written[name], said[name]] for name in said]
    rows.append(["verdict differs from text", "–", f"{moved}/{len(spoken)}"])
    return table(["figure", "text (bench_verdicts)", "spoken (piper + tiny.en)"], rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="heldout", choices=("dev", "heldout", "all"))
    parser.add_argument("--per-group", type=int, help="first N answers of each kind and pillar")
    parser.add_argument("--only", nargs="+", default=(), metavar="NAME", help="these answers")
    parser.add_argument("--model", help="Whisper model (default: the coach's, tiny.en)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where the wavs are kept")
    parser.add_argument("--length-scale", type=float, default=1.0, help="piper's pace: 1.33 reads "
                        "at bench_verdicts' timing (150 wpm and its pauses); 1: the voice's own")
    parser.add_argument("--home", type=Path, help="coach home for the attempts (default: temp)")
    parser.add_argument("--json", type=Path, help="write the spoken and text rows here")
    args = parser.parse_args()
    split = sets()
    names = split["dev"] + split["heldout"] if args.set == "all" else split[args.set]
    names = choose(names, args.per_group, args.only)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="coach-spoken-") as tmp:
        spoken = run_spoken(names, args.cache, args.home or Path(tmp), args.model,
                            args.length_scale)
    elapsed = time.perf_counter() - started
    text = evaluate(list(names))
    by_file = {r["file"]: r for r in text}
    print(f"set {args.set}, {len(names)} answers, piper x{args.length_scale:g}; {machine_line()}; "
          f"{elapsed:.0f} s "
          f"({load_line()})\n")
    print(answer_table(spoken, by_file))
    print()
    print(comparison(spoken, text))
    print("\nspoken:\n" + "\n".join(summary(spoken)))
    print("\ntext:\n" + "\n".join(summary(text)))
    wers = sorted(r["wer"] for r in spoken)
    print(f"\nWER (answer text against the transcript): median {100 * wers[len(wers) // 2]:.1f}%"
          f", worst {100 * wers[-1]:.1f}%; audio {sum(r['audio_s'] for r in spoken):.0f} s")
    if args.json:
        args.json.write_text(json.dumps({"spoken": spoken, "text": text}, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
