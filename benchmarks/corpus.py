"""Generate the labelled speech corpus for the accuracy benchmark (issue 7).

    python -m benchmarks.corpus            # writes benchmarks/corpus/<id>.wav + <id>.json

Each clip is a spoken technical explanation or behavioral answer built from text parts and
silences of known length, so the ground truth is exact: every word (with a filler flag and kind),
every inserted pause (start/end measured from the audio), speaking time and words per minute.
Fillers are marked in the scripts with brackets: ``[um]``, ``[you know]``, ``[so]``, ``[right?]``;
unbracketed "like", "so", "actually", "kind of" are meant literally (the hard negatives).

Variety: piper (natural, ``joe-us`` voice) at several speaking rates (``length_scale``),
espeak-ng for a robotic voice, white and pink background noise at 20/15/10 dB SNR, and a
silence-only clip. The audio is git-ignored; this script regenerates it.

Three sets (issue 12), named by the ``set`` field of every clip's JSON and listed in
``corpus/SETS.json``:

* ``base``: the 22 clips above (issue 7), unchanged so older figures stay comparable;
* ``long``: answers of 60-180 s (``long_scripts.py``), whole takes (a paragraph read in one
  voice call, with only the voice's own gaps between sentences) and takes joined from short
  answers with natural and long thinking pauses; piper at length_scale 0.8-1.3 and four espeak-ng
  voices; clean, white/pink noise at 15-20 dB, an air conditioner's hum and a quiet room;
* ``adversarial``: no speech at all (near silence, steady white/pink/brown noise, HVAC rumble,
  knocks and bumps, mains hum, typing) with a prompt vocabulary, so any word is invented; speech
  with long bursty-noise stretches between the sentences (a prompt term never said); and one
  11 s answer said ten times (all ~230 words are real).

Every clip is checked as it is built (see ``_check``): each speech span holds sound, no span
hides a silence of ``PAUSE_MIN_S`` or more, every pause is silent before the background is
added, and the background's level is measured against the speech.

    python -m benchmarks.corpus --set long          # only one set (or --only id,id)

Piper's natural voice noise is not seeded (onnxruntime draws it), so piper audio differs slightly
between runs; the backgrounds are seeded (base clips share one generator, as before; every new
clip has its own seed) and espeak-ng is deterministic.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import backgrounds  # noqa: E402
from benchmarks import long_scripts as ls  # noqa: E402
from benchmarks.long_scripts import Para  # noqa: E402
from coach.core.pace import spoken_count  # noqa: E402
from tests.support.speech import _piper_voice, synthesize  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"
HESITATIONS = {"um", "uh", "er", "erm", "hmm", "ah"}
DISCOURSE = {"like", "you know", "i mean", "basically", "actually", "literally", "sort of",
             "kind of", "so", "right"}
SOUND_DB = -50.0  # a 10 ms frame louder than this (dBFS) is sound, for trimming the parts
PAUSE_MIN_S = 1.5


@dataclass(frozen=True)
class Clip:
    id: str
    kind: str  # "technical" | "behavioral" | "silence" (no speech: every word is invented)
    parts: tuple[str | float, ...]  # text (a Para is read in one call) and silences (s)
    engine: str = "piper"
    length_scale: float = 1.0
    noise: str = ""  # "" | "white" | "pink" | a backgrounds.make kind ("hvac", "bursts", ...)
    snr_db: float = 0.0  # background level against the speech (speech clips)
    vocabulary: tuple[str, ...] = ()  # the prompt's key terms, as Prompt.vocabulary gives them
    set: str = "base"  # "base" | "long" | "adversarial"
    take: str = "short"  # "short" | "whole" | "joined" | "repeated" | "none"
    voice: str = ""  # espeak-ng voice ("en-gb+f3"); "" is espeak-ng's default / piper's joe-us
    espeak_wpm: int = 160
    level_db: float | None = None  # background RMS in dBFS (no-speech clips), else from snr_db
    seed: int | None = None  # the background's own seed; None shares the base generator
    repeat: int = 1  # the parts said this many times ...
    repeat_gap_s: float = 1.0  # ... with this silence between
    pad_s: tuple[float, float] = (0.0, 0.0)  # silence before the first and after the last word


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

# ----------------------------------------------------------------------------- long set (issue 12)

PAD = (0.5, 0.8)  # a real take starts a moment after record and ends a moment before stop


def _long(id_: str, kind: str, parts, seed: int, take: str, **kw) -> Clip:
    return Clip(id_, kind, parts, set="long", take=take, seed=seed, pad_s=PAD, **kw)


LONG_CLIPS: tuple[Clip, ...] = (
    _long("long-notify", "technical", ls.NOTIFY, 1201, "whole",
          vocabulary=("notification", "idempotency key", "dead letter queue")),
    _long("long-hashring", "technical", ls.HASHRING, 1202, "whole", length_scale=0.9,
          noise="white", snr_db=20,
          vocabulary=("consistent hashing", "virtual nodes", "rendezvous hashing")),
    _long("long-outage", "behavioral", ls.OUTAGE, 1203, "whole", length_scale=1.15,
          noise="pink", snr_db=15),
    _long("long-window", "technical", ls.WINDOW, 1204, "whole", length_scale=0.8,
          noise="white", snr_db=15, vocabulary=("sliding window", "two pointers", "linear time")),
    _long("long-feedback", "behavioral", ls.FEEDBACK, 1205, "whole", length_scale=1.3),
    _long("long-scheduler", "technical", ls.SCHEDULER, 1206, "whole", length_scale=0.9,
          noise="hvac", snr_db=15, vocabulary=("scheduler", "lease", "heartbeat", "cron")),
    _long("long-lru", "technical", ls.LRU, 1207, "joined",
          vocabulary=("LRU", "hash map", "doubly linked list")),
    _long("long-k8s", "behavioral", ls.K8S, 1208, "joined", length_scale=1.25, noise="hvac",
          snr_db=20),
    _long("long-autocomplete", "technical", ls.AUTOCOMPLETE, 1209, "joined", length_scale=1.1,
          noise="room", snr_db=18, vocabulary=("trie", "prefix", "debounce", "Elasticsearch")),
    _long("long-estimate", "behavioral", ls.ESTIMATE, 1210, "joined", length_scale=1.05),
    _long("long-espeak-index", "technical", ls.ESPEAK_INDEX, 1211, "joined", engine="espeak",
          voice="en-us+m3", espeak_wpm=165,
          vocabulary=("query plan", "index", "full table scan")),
    _long("long-espeak-priorities", "behavioral", ls.ESPEAK_PRIORITIES, 1212, "whole",
          engine="espeak", voice="en-gb+f3", espeak_wpm=150, noise="pink", snr_db=20),
    _long("long-espeak-tracing", "technical", ls.ESPEAK_TRACING, 1213, "joined", engine="espeak",
          voice="en-us+f2", espeak_wpm=175, noise="white", snr_db=20,
          vocabulary=("distributed tracing", "span", "tail based sampling")),
    _long("long-espeak-memo", "technical", ls.ESPEAK_MEMO, 1214, "whole", engine="espeak",
          voice="en-gb-x-rp+m5", espeak_wpm=140, noise="white", snr_db=15,
          vocabulary=("memoization", "overlapping subproblems", "bottom up")),
)

# ----------------------------------------------------------------------------- adversarial set


def _nothing(id_: str, seconds: float, noise: str, level_db: float, seed: int,
             vocabulary: tuple[str, ...]) -> Clip:
    """No speech at all: only ``noise`` at ``level_db`` dBFS, with a prompt's vocabulary."""
    return Clip(id_, "silence", (seconds,), noise=noise, level_db=level_db, seed=seed,
                vocabulary=vocabulary, set="adversarial", take="none")


ADVERSARIAL_CLIPS: tuple[Clip, ...] = (
    _nothing("adv-silence-prompt", 20.0, "white", -80.0, 1301, V_BTREE),
    _nothing("adv-white-45", 30.0, "white", -45.0, 1302, V_BTREE),
    _nothing("adv-pink-35", 30.0, "pink", -35.0, 1303, V_CACHE),
    _nothing("adv-brown-45", 25.0, "brown", -45.0, 1304, V_RATE),
    _nothing("adv-brown-35", 25.0, "brown", -35.0, 1305, V_QUEUE),
    _nothing("adv-hvac-40", 30.0, "hvac", -40.0, 1306, V_SHARD),
    _nothing("adv-bursts", 35.0, "bursts", -60.0, 1307, V_BTREE),
    _nothing("adv-bursts-floor", 30.0, "bursts", -48.0, 1308, V_CAP),
    _nothing("adv-hum50", 25.0, "hum50", -40.0, 1309, V_LB),
    _nothing("adv-hum60", 25.0, "hum60", -35.0, 1310, V_RAFT),
    _nothing("adv-keyboard", 35.0, "keyboard", -62.0, 1311, V_BTREE),
    _nothing("adv-keyboard-fast", 25.0, "keyboard-fast", -58.0, 1312, V_QUEUE),
    Clip("adv-speech-bursts", "technical", ls.BURSTY_SPEECH, noise="bursts", snr_db=35,
         vocabulary=V_BTREE, set="adversarial", take="joined", seed=1313, pad_s=(1.2, 1.0)),
    Clip("adv-repeated", "technical", ls.REPEATED, length_scale=1.2, vocabulary=V_CACHE,
         set="adversarial", take="repeated", seed=1314, repeat=10, repeat_gap_s=1.0,
         pad_s=PAD),
)

ALL_CLIPS: tuple[Clip, ...] = CLIPS + LONG_CLIPS + ADVERSARIAL_CLIPS


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


def _frames_db(audio: np.ndarray, rate: int) -> np.ndarray:
    """Level of each 10 ms frame, dBFS."""
    hop = max(1, rate // 100)
    n = max(1, audio.size // hop)
    frames = audio[: n * hop].reshape(n, hop).astype(np.float64)
    return 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)


SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?]\])\s+")


def _espeak(text: str, voice: str, wpm: int) -> tuple[np.ndarray, int]:
    """espeak-ng with a chosen voice (``tests/support/speech.py`` only takes the default)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "e.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(out), text],
                       check=True, capture_output=True)
        return _read_wav(out)


def _speak(part: str, clip: Clip, tmp: Path, k: int) -> tuple[np.ndarray, int, list]:
    """Say one text part; return its audio and, per sentence, (first, last sample, words).

    A plain part is one utterance (one span, as the base corpus always did). A ``Para`` is read
    in one call: piper returns one chunk per sentence, glued with only the voice's own gaps, so
    each sentence's span is known exactly; espeak-ng reads it sentence by sentence, each with
    its own trailing pause (what it does inside one call too).
    """
    sentences = [x for x in SENTENCE_END.split(part.strip()) if x] if isinstance(part, Para) \
        else [part]
    parsed = [parse(x) for x in sentences]
    if clip.engine == "espeak" and clip.voice:
        chunks, rate = [], 22050
        for spoken, _ in parsed:
            audio, rate = _espeak(spoken, clip.voice, clip.espeak_wpm)
            chunks.append(audio)
    elif isinstance(part, Para):  # piper: one call for the whole paragraph
        from piper import SynthesisConfig

        voice = _piper_voice()
        text = " ".join(spoken for spoken, _ in parsed)
        out = list(voice.synthesize(text, syn_config=SynthesisConfig(
            length_scale=clip.length_scale)))
        if len(out) != len(parsed):
            raise ValueError(f"{clip.id}: piper read {len(out)} sentences, the script has "
                             f"{len(parsed)}: {text[:80]!r}")
        chunks = [c.audio_int16_array.astype(np.float32) / 32768 for c in out]
        rate = voice.config.sample_rate
    else:  # the base corpus's path, unchanged
        wav = synthesize([parsed[0][0]], tmp / f"{k}.wav", engine=clip.engine,
                         length_scale=clip.length_scale, natural=True)
        audio, rate = _read_wav(wav)
        chunks = [audio]
    sentences_out = []
    offset = 0
    for audio, (_, words) in zip(chunks, parsed, strict=True):
        a, b = _sound_span(audio, rate)
        sentences_out.append((offset + a, offset + b, words))
        offset += audio.size
    return np.concatenate(chunks), rate, sentences_out


def _background(clip: Clip, audio: np.ndarray, rate: int, spans: list, speech_power: float,
                rng: np.random.Generator) -> np.ndarray:
    """The clip's background noise, at its level (dBFS) or at its SNR against the speech."""
    if clip.level_db is not None:
        level_db = clip.level_db
    elif clip.snr_db < 0:  # the base silence clip: a faint room hiss at about -66 dBFS
        level_db = -66.0
    else:
        level_db = 10 * np.log10(speech_power) - clip.snr_db
    if clip.noise in ("white", "pink"):  # as the base corpus always made them
        return 10 ** (level_db / 20) * _noise(clip.noise, audio.size, rng)
    gaps = None
    if spans:  # events only between the sentences (and before/after), 0.4 s clear of speech
        edges = [0.0, *[x for s, e in spans for x in (s, e)], audio.size / rate]
        gaps = [(edges[i] + 0.4, edges[i + 1] - 0.4) for i in range(0, len(edges), 2)
                if edges[i + 1] - edges[i] >= 2.0]
    return backgrounds.make(clip.noise, audio.size, rate, rng, level_db, gaps)


def _check(clip: Clip, clean: np.ndarray, mixed: np.ndarray, rate: int, spans: list,
           pauses: list) -> dict:
    """Listen-equivalent checks of the ground truth; raises when the truth would be wrong."""
    db = _frames_db(clean, rate)
    hop = max(1, rate // 100)

    def frame(seconds: float) -> int:
        return int(seconds * rate) // hop

    inner = 0.0  # the longest silence inside one speech span
    sound = 1.0  # the smallest share of sounding frames in a span
    for s, e in spans:
        seg = db[frame(s): frame(e)]
        quiet = np.concatenate([[0], (seg <= SOUND_DB).astype(np.int8), [0]])
        edges = np.flatnonzero(np.diff(quiet))
        runs = edges[1::2] - edges[::2]
        inner = max(inner, float(runs.max()) * hop / rate if runs.size else 0.0)
        sound = min(sound, float(np.mean(seg > SOUND_DB)) if seg.size else 0.0)
    loudest_pause = max((float(db[frame(p["start"]) + 1: frame(p["end"]) - 1].max())
                         for p in pauses if p["end"] - p["start"] > 0.05), default=-120.0)
    # A pause is silent up to the 10 ms frame grid: a frame at its edge may hold a sliver of the
    # quiet tail (just under SOUND_DB), hence the 2 dB of slack.
    if spans and (inner >= PAUSE_MIN_S or sound < 0.5 or loudest_pause > SOUND_DB + 2):
        raise ValueError(f"{clip.id}: bad truth (silence {inner:.2f} s inside a span, "
                         f"{sound:.0%} sound in a span, loudest pause {loudest_pause:.0f} dB)")
    noise = mixed.astype(np.float64) - clean
    speech = (np.concatenate([clean[int(s * rate):int(e * rate)] for s, e in spans])
              if spans else np.zeros(0))
    out = {"inner_silence_max_s": round(inner, 2), "sound_share_min": round(sound, 2),
           "pause_level_max_db": round(loudest_pause, 1),
           "level_db": round(10 * np.log10(np.mean(mixed.astype(np.float64) ** 2) + 1e-12), 1),
           "peak_db": round(20 * np.log10(float(np.max(np.abs(mixed))) + 1e-12), 1)}
    if spans and clip.noise:
        out["snr_db"] = round(10 * np.log10(np.mean(speech.astype(np.float64) ** 2)
                                            / np.mean(noise ** 2)), 1)
    return out


def _unsaid(vocabulary: tuple[str, ...], words: list[dict]) -> list[str]:
    """The prompt terms that are not in what was said (any Whisper output of them is invented)."""
    said = " " + " ".join(re.sub(r"[^\w' ]", " ", w["text"].lower().replace("-", " "))
                          for w in words) + " "
    said = re.sub(r"\s+", " ", said)
    return [v for v in vocabulary
            if f" {re.sub(r'[^a-z0-9 ]', ' ', v.lower()).strip()} " not in said]


def _hesitation_run(words: list[dict]) -> int:
    """The longest run of hesitations in a row (one per filler group)."""
    best = run = 0
    seen = -1
    for w in words:
        if w["kind"] == "hesitation":
            if w["filler_id"] != seen:
                run += 1
                seen = w["filler_id"]
            best = max(best, run)
        else:
            run = 0
    return best


def build(clip: Clip, out_dir: Path, rng: np.random.Generator) -> dict:
    """Synthesize ``clip`` into ``out_dir``/<id>.wav and return its ground truth."""
    if clip.seed is not None:
        rng = np.random.default_rng(clip.seed)
    pieces: list[np.ndarray] = []
    words: list[dict] = []
    spans: list[tuple[float, float]] = []
    rate = 22050
    t = 0
    fid = 0
    lead, tail = clip.pad_s
    with tempfile.TemporaryDirectory() as tmp:
        for k, part in enumerate(clip.parts):
            if isinstance(part, float):
                silence = np.zeros(int(part * rate), np.float32)
                pieces.append(silence)
                t += silence.size
                continue
            audio, rate, sentences = _speak(part, clip, Path(tmp), k)
            for a, b, part_words in sentences:
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
    if clip.repeat > 1:  # the same take said again: same audio, same words, shifted
        gap = int(clip.repeat_gap_s * rate)
        one_words, one_spans, step = words, spans, (audio.size + gap) / rate
        audio = np.concatenate([audio, *[np.concatenate([np.zeros(gap, np.float32), audio])
                                         for _ in range(clip.repeat - 1)]])
        words, spans = [], []
        for r in range(clip.repeat):
            spans += [(s + r * step, e + r * step) for s, e in one_spans]
            words += [{**w, "part": w["part"] + r * len(one_spans),
                       "filler_id": w["filler_id"] + r * fid if w["filler"] else -1}
                      for w in one_words]
    if lead or tail:
        spans = [(s + int(lead * rate) / rate, e + int(lead * rate) / rate) for s, e in spans]
        audio = np.concatenate([np.zeros(int(lead * rate), np.float32), audio,
                                np.zeros(int(tail * rate), np.float32)])
    speech_power = float(np.mean(np.concatenate(
        [audio[int(s * rate):int(e * rate)] for s, e in spans]) ** 2)) if spans else 0.0
    clean = audio.astype(np.float64)
    if clip.noise:
        audio = audio + _background(clip, audio, rate, spans, speech_power, rng)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 0.99:
        audio = audio * (0.99 / peak)
        clean = clean * (0.99 / peak)
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
    checks = _check(clip, clean, audio, rate, spans, pauses)
    speaking = sum(e - s for s, e in spans)
    content = [w for w in words if not w["filler"]]
    said = sum(spoken_count(w["text"]) for w in content)  # as coach.core.pace counts
    long_gaps = sum(p["end"] - p["start"] for p in pauses if p["end"] - p["start"] >= PAUSE_MIN_S)
    # pace.py's wpm: words / (first sound to last, minus pauses >= 1.5 s)
    talking = (spans[-1][1] - spans[0][0] - long_gaps) if spans else 0.0
    truth = {
        "id": clip.id,
        "kind": clip.kind,
        "set": clip.set,
        "take": clip.take,
        "audio": path.name,
        "engine": clip.engine,
        "voice": (clip.voice or "default") if clip.engine == "espeak" else "joe-us",
        "length_scale": clip.length_scale,
        "noise": clip.noise,
        "snr_db": clip.snr_db if clip.noise and clip.snr_db >= 0 and clip.level_db is None
        else None,
        "level_db": clip.level_db,
        "duration_s": round(audio.size / rate, 3),
        "text": " ".join(w["text"] for w in words),
        "words": words,
        "pauses": pauses,
        "long_pauses": [p for p in pauses if p["end"] - p["start"] >= PAUSE_MIN_S],
        "speech_spans": [[round(s, 3), round(e, 3)] for s, e in spans],
        "vocabulary": list(clip.vocabulary),
        "vocabulary_unsaid": _unsaid(clip.vocabulary, words),
        "hesitation_run_max": _hesitation_run(words),
        "speaking_s": round(speaking, 3),
        "talking_s": round(talking, 3),
        "wpm": round(said / talking * 60, 2) if talking else 0.0,
        "wpm_speech": round(said / speaking * 60, 2) if speaking else 0.0,
        "checks": checks,
    }
    (out_dir / f"{clip.id}.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth


def _describe(clip: Clip) -> str:
    voice = f"espeak {clip.voice or 'en'} {clip.espeak_wpm}wpm" if clip.engine == "espeak" \
        else f"piper x{clip.length_scale:g}"
    if not clip.noise:
        noise = "clean"
    elif clip.level_db is not None:
        noise = f"{clip.noise} {clip.level_db:g}dBFS"
    elif clip.snr_db < 0:
        noise = f"{clip.noise} -66dBFS"
    else:
        noise = f"{clip.noise} {clip.snr_db:g}dB"
    return f"{voice:26} {noise:18}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", nargs="?", type=Path, default=CORPUS)
    ap.add_argument("--set", action="append", choices=("base", "long", "adversarial"),
                    help="only this set (repeatable)")
    ap.add_argument("--only", default="", help="comma-separated clip ids")
    args = ap.parse_args(argv)
    out_dir = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    only = {x for x in args.only.split(",") if x}
    rng = np.random.default_rng(7)  # the base clips' shared generator, in their order
    totals: dict[str, float] = {}
    for clip in ALL_CLIPS:
        if (args.set and clip.set not in args.set) or (only and clip.id not in only):
            continue
        truth = build(clip, out_dir, rng)
        fillers = len({w["filler_id"] for w in truth["words"] if w["filler"]})
        c = truth["checks"]
        snr = f"snr {c['snr_db']:5.1f}" if "snr_db" in c else f"lvl {c['level_db']:5.1f}"
        print(f"{clip.id:24} {clip.set:11} {truth['duration_s']:6.1f} s  {_describe(clip)} "
              f"{len(truth['words']):4} words {fillers:3} fillers "
              f"(run {truth['hesitation_run_max']}) {len(truth['long_pauses']):2} long pauses  "
              f"inner {c['inner_silence_max_s']:.2f}s {snr}", flush=True)
        totals[clip.set] = totals.get(clip.set, 0.0) + truth["duration_s"]
    sets: dict[str, list[str]] = {}
    for clip in ALL_CLIPS:
        sets.setdefault(clip.set, []).append(clip.id)
    (out_dir / "SETS.json").write_text(json.dumps(sets, indent=1), encoding="utf-8")
    for name, seconds in totals.items():
        print(f"{name}: {seconds / 60:.1f} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
