"""Generate the labelled speech corpus for the accuracy benchmark (issue 7).

    python -m benchmarks.corpus            # writes benchmarks/corpus/<id>.wav + <id>.json

Each clip is a spoken technical explanation or behavioral answer built from text parts and
silences of known length, so the ground truth is exact: every word (with a filler flag and kind),
every inserted pause (start/end measured from the audio), speaking time and words per minute.
Fillers are marked in the scripts with brackets: ``[um]``, ``[you know]``, ``[so]``, ``[right?]``;
unbracketed "like", "so", "actually", "kind of" are meant literally (the hard negatives).

Variety: piper (natural, ``joe-us`` voice) at several speaking rates (``length_scale``),
espeak-ng for a robotic voice, white and pink background noise at 20/15/10 dB SNR, and a
silence-only clip. The audio is git-ignored; this script regenerates it (about a minute).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coach.core.pace import spoken_count  # noqa: E402
from tests.support.speech import synthesize  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"
HESITATIONS = {"um", "uh", "er", "erm", "hmm", "ah"}
DISCOURSE = {"like", "you know", "i mean", "basically", "actually", "literally", "sort of",
             "kind of", "so", "right"}
SOUND_DB = -50.0  # a 10 ms frame louder than this (dBFS) is sound, for trimming the parts
PAUSE_MIN_S = 1.5


@dataclass(frozen=True)
class Clip:
    id: str
    kind: str  # "technical" | "behavioral" | "silence"
    parts: tuple[str | float, ...]
    engine: str = "piper"
    length_scale: float = 1.0
    noise: str = ""  # "" | "white" | "pink"
    snr_db: float = 0.0
    vocabulary: tuple[str, ...] = ()  # the prompt's key terms, as Prompt.vocabulary gives them


# ----------------------------------------------------------------------------- scripts

BTREE = (
    "[So] [um] I'd pick a B-tree here, mostly because of range queries.", 1.8,
    "A hash index is, [uh], great for point lookups, but it can't answer a range scan.", 0.8,
    "The B-tree keeps keys in sorted order, so that ORDER BY and BETWEEN are cheap.", 2.2,
    "[I mean], the trade-off is write amplification on every insert.", 0.6,
    "It looks like the events table is mostly appends, [right?]",
)
IDEMPOTENCY = (
    "[Um], idempotency keys are how we make retries safe.", 1.0,
    "The client sends a key with the request, and the server stores the result under that key.",
    2.0,
    "[So] if the same key comes back, [you know], we just return the stored response.", 0.7,
    "We would like to expire keys after a day, so that the table doesn't grow forever.", 1.6,
    "[Er], the hard part is, [basically], making the write and the key insert atomic.",
)
RAFT = (
    "[Okay] [so] Raft elects a leader with randomized timeouts.", 1.7,
    "[Uh], a follower that hears nothing becomes a candidate and asks for votes.", 0.9,
    "The leader replicates log entries, and an entry is committed once a majority has it.", 2.5,
    "[Hmm], the kind of failure people miss is a partitioned old leader.", 0.8,
    "It can't commit anything, [actually], because it can't reach a majority.",
)
CACHE = (
    "We put a write-through cache in front of the database.", 1.5,
    "[Like], the reads were ninety percent of the traffic, [you know]?", 0.8,
    "[Um], the downside is that every write pays for two round trips.", 2.0,
    "[Sort of] a classic trade-off, [I mean], latency against consistency.", 1.0,
    "If I did it again I'd actually measure the hit rate first.",
)
CONFLICT = (
    "[So], [um], there was a disagreement with another team lead about the API design.", 1.9,
    "They wanted, [like], one big endpoint, and I wanted smaller resources.", 1.0,
    "I set up a meeting so that we could compare the two designs with real client code.", 2.4,
    "[Uh], it turned out that their version was, [kind of], easier for mobile clients.", 0.8,
    "In the end we took their design, and I wrote the migration plan.",
)
FAILURE = (
    "[Honestly], the project I'm least proud of was a data migration that slipped by a month.",
    1.6,
    "[Er], we underestimated how much of the old schema was, [basically], undocumented.", 0.9,
    "[Ah], what I learned is to spike the riskiest part first.", 2.1,
    "Now I'd like to see a prototype of the hardest query before anyone commits to a date.",
    1.0,
    "That, [you know], changed how I plan every project, [right?]",
)
SHARDING = (
    "[Um], to shard the user table I'd hash the user ID.", 1.6,
    "A range key kind of data, like timestamps, would put every new write on one shard.", 0.8,
    "[So] hashing spreads the load, but range scans now have to hit every shard.", 2.0,
    "[Uh], resharding is the expensive part, so consistent hashing helps there.", 1.1,
    "[Literally] every cross-shard query becomes a scatter gather.",
)
QUEUE = (
    "[So] why a message queue and not direct calls?", 1.5,
    "[Um], the checkout service shouldn't wait for email or analytics.", 0.7,
    "With a queue, the producer returns right away, and consumers retry on their own.", 1.8,
    "[I mean], you do pay with at-least-once delivery, so consumers must be idempotent.", 1.0,
    "It seems like a small thing, but, [uh], duplicate emails annoy customers a lot.",
)
MENTOR = (
    "[Uh], I mentored a new engineer who was, [like], afraid to ask questions.", 1.8,
    "I started pairing with her twice a week, so she could see how I debug.", 0.9,
    "[Um], after a month she was reviewing my pull requests, [actually].", 2.3,
    "What kind of support works depends on the person, [you know].", 0.8,
    "[So], I ask people how they like to learn before I plan anything.",
)
LB = (
    "A load balancer spreads requests over healthy servers.", 1.6,
    "[Er], round robin is fine when requests cost about the same.", 0.8,
    "[Basically], least connections is better when some requests are slow.", 2.0,
    "The health check has to be real, [sort of] an end-to-end probe, not just a ping.", 0.9,
    "[Erm], sticky sessions look like a fix, but they make scaling harder.",
)
DEADLINE = (
    "[Hmm], the tightest deadline I had was a security fix that had to ship in two days.", 1.7,
    "[So] I split the work so that two of us patched and one person wrote tests.", 0.8,
    "[Um], we shipped on time, but the first rollout failed on one region.", 2.2,
    "[I mean], we had a rollback plan, so customers never noticed.", 1.0,
    "I'd like to say it was calm, but it was, [uh], a long night.",
)
CAP = (
    "[Um], the CAP theorem says that during a partition you choose consistency or availability.",
    1.9,
    "[So] a bank ledger would rather refuse a write than accept a wrong balance.", 0.8,
    "A shopping cart, [like], can accept writes and merge them later.", 2.0,
    "[Uh], people kind of forget that without a partition you get both.", 1.0,
    "The real day-to-day trade-off is latency against consistency, [right?]",
)

LONG = (
    "[So], [um], let me walk through how I'd design a rate limiter.", 1.6,
    "The goal is to stop one client from using more than its share of the API.", 0.8,
    "[Uh], the classic algorithm is a token bucket.", 2.0,
    "Each client has a bucket that refills at a fixed rate, and each request takes a token.", 0.7,
    "[Basically], when the bucket is empty the request is rejected with a too many requests error.",
    2.5,
    "[I mean], a fixed window counter is simpler, but it lets through bursts at the window edge.",
    0.9,
    "[Er], a sliding window log is exact, but it stores every timestamp, so it's expensive.",
    1.7,
    "[Like], for a big API I'd keep the counters in Redis so that every gateway node agrees.",
    0.8,
    "The downside is one more network hop on every request, [you know].", 3.0,
    "[Um], to keep that cheap, each gateway can take tokens in small batches.", 1.0,
    "That kind of batching trades a little accuracy for a lot of latency.", 1.8,
    "[Actually], the hardest part is choosing limits that look fair to customers.", 0.7,
    "[So] I'd start with generous limits, measure, and tighten them, [right?]",
)
LONG2 = (
    "[Um], tell you about a time I disagreed with my manager?", 1.5,
    "[Sure] [so] my manager wanted to rewrite our billing service from scratch.", 0.9,
    "I thought a rewrite was, [like], the riskiest option we had.", 2.0,
    "[Uh], billing has years of edge cases that nobody wrote down.", 0.8,
    "I proposed that we strangle the old service instead, one endpoint at a time.", 1.9,
    "[I mean], each step could be rolled back, so the risk stayed small.", 0.7,
    "[Hmm], he wasn't convinced at first, [you know].", 2.6,
    "Then I built a small proof of concept over a weekend for the invoice endpoint.", 1.0,
    "[Er], it showed that the new path matched the old one on a month of real traffic.", 1.6,
    "After that he agreed, and we finished the migration in a quarter.", 0.8,
    "[Basically], I learned to argue with data, not with opinions.",
)
ESPEAK_1 = (
    "[Um], a bloom filter answers whether an item might be in a set.", 1.6,
    "[So] it can say maybe, but it never says no when the answer is yes.", 0.9,
    "[Uh], databases use them so that they skip disk reads for missing keys.", 2.0,
    "It's, [like], a tiny bit array with a few hash functions.",
)
ESPEAK_2 = (
    "[Er], I once broke production with a config change.", 1.8,
    "[I mean], the change looked like a harmless timeout tweak.", 0.8,
    "[Um], now every config change goes through the same review as code, [right?]",
)
ESPEAK_3 = (
    "[So], a write ahead log makes crashes safe.", 1.7,
    "[Uh], every change is written to the log before it touches the data files.", 1.0,
    "After a crash we replay the log, so that no committed write is lost.",
)
SHORT = (
    "[Um], I'd use a B-tree.", 1.6,
    "[You know], range queries.", 2.0,
    "[Uh], a hash index can't scan a range, so I'd pay a little more on writes.",
)

# The prompt's key terms per topic, as Prompt.vocabulary hands them to the transcriber.
V_BTREE = ("B-tree", "hash index", "range scan")
V_RAFT = ("Raft", "leader", "quorum")
V_CACHE = ("write-through", "cache", "hit rate")
V_SHARD = ("shard", "consistent hashing", "scatter gather")
V_QUEUE = ("message queue", "idempotent", "at-least-once")
V_LB = ("load balancer", "round robin", "sticky sessions")
V_CAP = ("CAP theorem", "partition", "consistency")
V_RATE = ("rate limiter", "token bucket", "Redis")

CLIPS: tuple[Clip, ...] = (
    Clip("tech-btree", "technical", BTREE, vocabulary=V_BTREE),
    Clip("tech-idempotency", "technical", IDEMPOTENCY, vocabulary=("idempotency", "retries")),
    Clip("tech-raft", "technical", RAFT, length_scale=1.2, vocabulary=V_RAFT),
    Clip("tech-cache", "technical", CACHE, length_scale=0.85, vocabulary=V_CACHE),
    Clip("beh-conflict", "behavioral", CONFLICT),
    Clip("beh-failure", "behavioral", FAILURE, length_scale=1.35),
    Clip("tech-sharding", "technical", SHARDING, noise="white", snr_db=20, vocabulary=V_SHARD),
    Clip("tech-queue", "technical", QUEUE, noise="white", snr_db=10, vocabulary=V_QUEUE),
    Clip("beh-mentor", "behavioral", MENTOR, noise="pink", snr_db=15),
    Clip("tech-lb", "technical", LB, length_scale=0.8, vocabulary=V_LB),
    Clip("beh-deadline", "behavioral", DEADLINE, length_scale=1.15, noise="pink", snr_db=20),
    Clip("tech-cap", "technical", CAP, noise="white", snr_db=15, vocabulary=V_CAP),
    Clip("tech-ratelimit-long", "technical", LONG, vocabulary=V_RATE),
    Clip("beh-manager-long", "behavioral", LONG2, length_scale=1.1, noise="white", snr_db=20),
    Clip("tech-btree-fast", "technical", BTREE, length_scale=0.75, vocabulary=V_BTREE),
    Clip("beh-conflict-slow", "behavioral", CONFLICT, length_scale=1.4, noise="pink", snr_db=10),
    Clip("tech-raft-noisy", "technical", RAFT, noise="white", snr_db=10, vocabulary=V_RAFT),
    Clip("tech-short", "technical", SHORT, length_scale=1.0, vocabulary=V_BTREE),
    Clip("espeak-bloom", "technical", ESPEAK_1, engine="espeak",
         vocabulary=("bloom filter", "hash functions")),
    Clip("espeak-config", "behavioral", ESPEAK_2, engine="espeak"),
    Clip("espeak-wal", "technical", ESPEAK_3, engine="espeak", noise="white", snr_db=20,
         vocabulary=("write ahead log", "replay")),
    Clip("silence", "silence", (20.0,), noise="white", snr_db=-1),
)


# ----------------------------------------------------------------------------- ground truth

TOKEN = re.compile(r"\[([^\]]+)\]|(\S+)")


def parse(text: str) -> tuple[str, list[dict]]:
    """Split marked-up text into what is spoken and one truth entry per word.

    Bracketed words are fillers; a multi-word filler ("[you know]") gives one entry per word,
    sharing a ``filler_id``. Bracketed words that are not on the filler list ("[Okay]",
    "[Sure]", "[Honestly]") are openers spoken like fillers but not counted as any kind.
    """
    spoken: list[str] = []
    words: list[dict] = []
    group = 0
    for m in TOKEN.finditer(text):
        if m.group(1) is not None:
            phrase = m.group(1)
            key = re.sub(r"[^\w' ]", "", phrase).lower().strip()
            if key in HESITATIONS:
                kind = "hesitation"
            elif key in DISCOURSE:
                kind = "discourse"
            else:
                kind = ""
            pieces = phrase.split()
            group += 1
            for piece in pieces:
                words.append({"text": piece, "filler": bool(kind), "kind": kind,
                              "filler_text": key if kind else "",
                              "filler_id": group if kind else -1})
            spoken.extend(pieces)
        else:
            # Punctuation glued to a bracket ("[you know]?" or "[like],") follows the filler.
            token = m.group(2)
            if words and not any(ch.isalnum() for ch in token) and spoken:
                spoken[-1] += token
                words[-1]["text"] += token
                continue
            words.append({"text": token, "filler": False, "kind": "", "filler_text": "",
                          "filler_id": -1})
            spoken.append(token)
    return " ".join(spoken), words


def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768
        return data, w.getframerate()


def _sound_span(audio: np.ndarray, rate: int) -> tuple[int, int]:
    """First and last sample of sound (10 ms frames louder than SOUND_DB)."""
    hop = max(1, rate // 100)
    n = max(1, audio.size // hop)
    frames = audio[: n * hop].reshape(n, hop)
    db = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(db > SOUND_DB)
    if loud.size == 0:
        return 0, 0
    return int(loud[0] * hop), int(min(audio.size, (loud[-1] + 1) * hop))


def _noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    white = rng.normal(0, 1, n)
    if kind == "pink":  # 1/f spectrum by shaping white noise in the frequency domain
        spec = np.fft.rfft(white)
        f = np.arange(spec.size)
        f[0] = 1
        white = np.fft.irfft(spec / np.sqrt(f), n)
    return (white / (np.std(white) + 1e-12)).astype(np.float32)


def build(clip: Clip, out_dir: Path, rng: np.random.Generator) -> dict:
    """Synthesize ``clip`` into ``out_dir``/<id>.wav and return its ground truth."""
    pieces: list[np.ndarray] = []
    words: list[dict] = []
    spans: list[tuple[float, float]] = []
    rate = 22050
    t = 0
    fid = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k, part in enumerate(clip.parts):
            if isinstance(part, float):
                silence = np.zeros(int(part * rate), np.float32)
                pieces.append(silence)
                t += silence.size
                continue
            spoken, part_words = parse(part)
            wav = synthesize([spoken], Path(tmp) / f"{k}.wav", engine=clip.engine,
                             length_scale=clip.length_scale, natural=True)
            audio, rate = _read_wav(wav)
            a, b = _sound_span(audio, rate)
            spans.append(((t + a) / rate, (t + b) / rate))
            groups = 0
            for w in part_words:
                if w["filler"]:
                    groups = max(groups, w["filler_id"])
                    w["filler_id"] += fid
                w["part"] = len(spans) - 1
                words.append(w)
            fid += groups
            pieces.append(audio)
            t += audio.size
    audio = np.concatenate(pieces) if pieces else np.zeros(int(rate), np.float32)
    speech_power = float(np.mean(np.concatenate(
        [audio[int(s * rate):int(e * rate)] for s, e in spans]) ** 2)) if spans else 0.0
    if clip.noise:
        if clip.snr_db < 0:  # silence clip: a faint room hiss at about -66 dBFS
            level = 10 ** (-66 / 20)
        else:
            level = np.sqrt(speech_power / 10 ** (clip.snr_db / 10))
        audio = audio + level * _noise(clip.noise, audio.size, rng)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 0.99:
        audio = audio * (0.99 / peak)
    path = out_dir / f"{clip.id}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes())

    pauses = [
        {"start": round(spans[i][1], 3), "end": round(spans[i + 1][0], 3)}
        for i in range(len(spans) - 1)
    ]
    speaking = sum(e - s for s, e in spans)
    content = [w for w in words if not w["filler"]]
    said = sum(spoken_count(w["text"]) for w in content)  # as coach.core.pace counts
    long_gaps = sum(p["end"] - p["start"] for p in pauses if p["end"] - p["start"] >= PAUSE_MIN_S)
    # pace.py's wpm: words / (first sound to last, minus pauses >= 1.5 s)
    talking = (spans[-1][1] - spans[0][0] - long_gaps) if spans else 0.0
    truth = {
        "id": clip.id,
        "kind": clip.kind,
        "audio": path.name,
        "engine": clip.engine,
        "length_scale": clip.length_scale,
        "noise": clip.noise,
        "snr_db": clip.snr_db if clip.noise and clip.snr_db >= 0 else None,
        "duration_s": round(audio.size / rate, 3),
        "text": " ".join(w["text"] for w in words),
        "words": words,
        "pauses": pauses,
        "long_pauses": [p for p in pauses if p["end"] - p["start"] >= PAUSE_MIN_S],
        "speech_spans": [[round(s, 3), round(e, 3)] for s, e in spans],
        "vocabulary": list(clip.vocabulary),
        "speaking_s": round(speaking, 3),
        "talking_s": round(talking, 3),
        "wpm": round(said / talking * 60, 2) if talking else 0.0,
        "wpm_speech": round(said / speaking * 60, 2) if speaking else 0.0,
    }
    (out_dir / f"{clip.id}.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth


def main(argv: list[str] | None = None) -> int:
    out_dir = Path(argv[0]) if argv else CORPUS
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    for clip in CLIPS:
        truth = build(clip, out_dir, rng)
        fillers = sum(1 for w in truth["words"] if w["filler"])
        print(f"{clip.id:24} {truth['duration_s']:6.1f} s  {len(truth['words']):4} words  "
              f"{fillers:3} filler words  {len(truth['long_pauses'])} long pauses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
