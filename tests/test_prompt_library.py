"""The built-in prompt library: complete, valid, and its key points recognise real answers.

The prompts are the product's content, so these tests hold the library to what the issue asks
for (counts per pillar and category, a clean ``coach prompts check``) and prove, per pillar, that
the key-point phrasings do their job on spoken answers: a strong answer that gives reasons covers
most key points, an answer that only lists facts covers fewer and reasons less, and a strong answer
to one question does not tick off the key points of unrelated questions.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coach.core.analysis import analyze
from coach.core.model import Prompt, Transcript, Word
from coach.core.prompts import check_paths, load_library

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
SECONDS_PER_WORD = 0.4  # 150 words per minute

# Minimums from the prompt-library issue (and the brief that grew it to 48+).
MIN_COUNTS = {
    ("system-design", "concept"): 13,
    ("system-design", "case"): 10,
    ("coding", "coding"): 8,
    ("behavioral", "behavioral"): 12,
    ("system-design", "deep-dive"): 3,
}


@pytest.fixture(scope="module")
def library() -> dict[str, Prompt]:
    lib = load_library(PROMPTS_DIR)
    assert lib.warnings == []
    return lib.prompts


def spoken(text: str) -> Transcript:
    """A transcript of ``text`` as Whisper would give it: words with timestamps at ~150 wpm."""
    words = []
    for i, token in enumerate(text.split()):
        start = i * SECONDS_PER_WORD
        words.append(Word(token, round(start, 3), round(start + 0.32, 3)))
    end = words[-1].end if words else 0.0
    return Transcript(words=tuple(words), duration_s=end + 0.5, speech_regions=((0.0, end),))


# --------------------------------------------------------------------------- answers
# Strong answers are written the way people talk through a question aloud: they give reasons.
# Facts-only answers name the same things but never say why.

BTREE_STRONG = """
So I'd start from the access pattern, because the index should follow the queries. For user
events the typical query is something like: give me this user's events from the last seven days,
ordered by time. That's a range query, and a B-tree keeps the keys in sorted order, which means a
range scan is one descent down the tree and then a sequential walk along the leaf pages. A hash
index can't do that. It hashes the key, so it gives you constant time equality lookups, but you
lose the ordering entirely, so no range scans, no ORDER BY, no prefix matches. On cost, a B-tree
lookup is log n, but the fan-out is in the hundreds, so even with a billion rows it's three or
four page reads, and the top levels are usually cached. So the practical difference compared to a
hash lookup is small. On the write side both pay on every insert. The B-tree pays with page splits
and some write amplification, and the hash index pays when it has to resize and rehash. If the
write rate were really extreme I'd look at an LSM tree instead, since it turns random writes into
sequential ones, at the cost of slower reads and compaction. So my choice would be a B-tree on
user ID and timestamp, because it serves both the equality lookup and the range, and it's the
default in Postgres for good reasons. I'd only add a hash index for a hot path that is purely
exact-match lookups, like a session token, where I never need ordering.
"""

BTREE_FACTS = """
A B-tree is a balanced search tree. Each node is a page on disk and holds many keys. The leaves
are linked together. A lookup walks from the root to a leaf. Inserts can split a page into two
pages. A hash index applies a hash function to the key and maps it to a bucket. Lookups in a hash
index are constant time on average. Postgres, MySQL and SQLite all support B-tree indexes.
Postgres also has hash indexes. The B-tree is the default index type in Postgres. Hash indexes
can be smaller for long values. Both kinds of index take space on disk. Both are updated on every
insert. The table has a user ID column, an event type column and a timestamp column. An index can
cover one column or several columns.
"""

LRU_STRONG = """
The requirement is that both get and put are constant time, and when we go over capacity we
evict the least recently used key. A hash map alone gives me O of one lookup but it has no notion
of order, and a list alone keeps order but finding a key is linear. So I combine them: a hash map
from key to node, and a doubly linked list where the nodes are kept in recency order, most
recently used at the head and least recently used at the tail. It has to be doubly linked because
when I touch a node in the middle I need to unlink it in constant time, which means I need its
previous pointer, not just the next one. For get, I look up the node in the map, and if it exists
I move it to the front and return the value. For put, if the key exists I update the value and
move it to the front; otherwise I create a node, insert it at the head, and if the size is now
over capacity I remove the tail node and delete its key from the map. That's why the node stores
the key too, so eviction can clean up the map. I'd use a dummy head and a dummy tail, sentinel
nodes, so I never have to special-case an empty list. In Python you could get the same thing with
an OrderedDict and move to end, but in an interview I'd show the structure. If this had to be
thread safe, a single global lock is the simple answer, but it becomes a bottleneck under
contention, so I'd split the cache into segments with a lock each, at the cost of eviction being
only approximately LRU across the whole cache.
"""

LRU_FACTS = """
An LRU cache has a get method and a put method. It is created with a maximum number of entries.
It uses a hash map and a doubly linked list. The hash map stores keys and nodes. The list stores
the nodes. Each node has a key, a value, a next field and a prev field. The head of the list is
the newest entry. The tail of the list is the oldest entry. Get returns the value for a key, or
minus one. Put adds a key and a value. When the cache is full, the tail is removed. LRU caches are
used in databases, in operating systems and in web browsers. Memcached has a cache like this.
Python has a decorator called lru_cache in the functools module.
"""

CONFLICT_STRONG = """
At my last company I was the tech lead for the checkout team, and the team was about to rebuild
our order pipeline. A peer on the payments team, a senior engineer, wanted us to call his service
synchronously for every order. I disagreed, because his service had a p99 of about two seconds
and any outage there would take checkout down with it. My role was to own the design, but I didn't
own his service, so I couldn't just decide. First I set up a one on one with him to understand his
point of view. It turned out his concern was real: he'd been burned by asynchronous flows that
lost payments, and he didn't trust a queue. So instead of arguing, I proposed we agree on criteria
first: no lost payments, checkout availability, and latency. Then I built a small prototype with
a transactional outbox and ran a failure test in front of both teams, killing the consumer in the
middle of a batch and showing that nothing was lost. He pointed out a gap in how we handled
refunds, which I hadn't thought of, and we fixed it together. As a result we shipped the
asynchronous design, checkout latency dropped by about forty percent, and we've had no lost
payments since launch. He became the reviewer I trusted most on that code. What I learned is that
most technical conflicts are about different risks people are protecting against, and if I'd
asked about his concern in the first meeting rather than defending my design, we'd have saved two
weeks.
"""

CONFLICT_FACTS = """
There was a conflict with a peer on another team. It was about a service call. He wanted a
synchronous call. I wanted a queue. We had a meeting about it. We had another meeting the week
after. He was a senior engineer on the payments team. The service was written in Java. The queue
was Kafka. The checkout team had six engineers. The project was about the order pipeline. In the
end we used a queue. The project finished in March.
"""

DEEP_DIVE_STRONG = """
The one I'm proudest of is the notification pipeline I designed at my previous company. The
problem was that every team sent emails and push notifications straight from their own services,
so users were getting duplicate messages and nobody could enforce opt-outs. The requirements were
about two thousand requests per second at peak, delivery within a few seconds for things like
password resets, and hard guarantees on user preferences. At a high level the design had three
components: an intake API that validated and deduplicated requests, a Kafka topic per priority,
and channel workers that rendered templates and called the providers. I designed the intake layer
and the priority scheme myself, and I wrote the design doc. We considered a single shared queue,
and we rejected it because a marketing blast of ten million messages would have delayed password
resets by an hour. The trade-off of separate priority topics was more operational overhead and
more consumers to run, and we accepted that because the alternative was an outage for the most
important messages. We also gave up exactly-once delivery: we settled for at-least-once with an
idempotency key per notification, which means a rare duplicate is possible but nothing is lost.
Over time the design evolved. A year later we hit a wall on provider rate limits, so we added
per-provider token buckets and failover between two SMS vendors. In hindsight I would have built
the preference check as its own service from day one, because it became the most reused piece. As
a result duplicate notifications dropped by ninety percent, password reset emails went from a p99
of four minutes to six seconds, and fourteen teams moved onto it within two quarters.
"""

DEEP_DIVE_FACTS = """
I worked on a notification pipeline at my previous company. It sent emails, push notifications
and text messages. It used Kafka. It had an intake API. It had workers for each channel. The
workers used templates. We used two SMS vendors. Fourteen teams used it. It was written in Go. It
ran on Kubernetes. It had a dashboard with graphs. It stored user preferences in Postgres. The
team had five engineers. The project took two quarters. The design doc was twenty pages long.
"""

PILLAR_CASES = [
    pytest.param("btree-vs-hash", BTREE_STRONG, BTREE_FACTS, id="system-design"),
    pytest.param("lru-cache", LRU_STRONG, LRU_FACTS, id="coding"),
    pytest.param("conflict-with-peer", CONFLICT_STRONG, CONFLICT_FACTS, id="behavioral"),
    pytest.param(
        "deep-dive-system-you-designed", DEEP_DIVE_STRONG, DEEP_DIVE_FACTS, id="deep-dive"
    ),
]

# Each strong answer against prompts on unrelated topics: at most one of their key points may
# be reported as covered (a generic phrase such as "requirements" can legitimately fire once).
UNRELATED = {
    "btree-vs-hash": [
        "news-feed",
        "mentoring",
        "dijkstra-correctness",
        "chat-system",
        "led-migration",
    ],
    "lru-cache": [
        "consistency-cap",
        "web-crawler",
        "failure-lesson",
        "topological-sort",
        "cdn-edge",
    ],
    "conflict-with-peer": [
        "btree-vs-hash",
        "consistent-hashing",
        "top-k-heap",
        "search-autocomplete",
        "union-find",
    ],
    "deep-dive-system-you-designed": [
        "btree-vs-hash",
        "union-find",
        "binary-search-invariants",
        "sliding-window",
        "consistency-cap",
    ],
}
STRONG = {
    "btree-vs-hash": BTREE_STRONG,
    "lru-cache": LRU_STRONG,
    "conflict-with-peer": CONFLICT_STRONG,
    "deep-dive-system-you-designed": DEEP_DIVE_STRONG,
}


# --------------------------------------------------------------------------- the library


def test_library_passes_the_checker_with_no_problems() -> None:
    problems = check_paths([PROMPTS_DIR])
    assert [str(p) for p in problems] == []


def test_library_has_the_required_prompts_per_pillar_and_category(
    library: dict[str, Prompt],
) -> None:
    counts = Counter((p.pillar, p.category) for p in library.values())
    for (pillar, category), minimum in MIN_COUNTS.items():
        assert counts[(pillar, category)] >= minimum, (pillar, category, counts)
    assert len(library) >= 48
    assert "btree-vs-hash" in library
    levels = Counter(p.level for p in library.values())
    assert levels["senior"] >= 10 and levels["staff"] >= 10


def test_every_prompt_is_ready_to_rehearse(library: dict[str, Prompt]) -> None:
    """Realistic time boxes, probing follow-ups, notes, and behavioral prompts check STAR."""
    box = {
        "concept": (60, 150),
        "coding": (60, 150),
        "case": (180, 300),
        "behavioral": (120, 180),
        "deep-dive": (180, 300),
    }
    for p in library.values():
        low, high = box[p.category]
        assert low <= p.answer_seconds <= high, (p.id, p.answer_seconds)
        assert 15 <= p.prep_seconds <= 60, (p.id, p.prep_seconds)
        assert 3 <= len(p.key_points) <= 7, p.id
        assert len(p.follow_ups) >= 2 and all(len(q) > 20 for q in p.follow_ups), p.id
        assert len(p.notes) > 150 and p.question.strip(), p.id
        assert p.vocabulary, p.id
        for kp in p.key_points:
            assert len(kp.phrases) >= 3, (p.id, kp.id)
        if p.pillar == "behavioral":
            ids = {kp.id for kp in p.key_points}
            assert {"situation", "task", "action", "result"} <= ids, p.id


# --------------------------------------------------------------------------- coverage works


@pytest.mark.parametrize(("prompt_id", "strong", "facts"), PILLAR_CASES)
def test_strong_answer_covers_most_points_and_facts_only_covers_fewer(
    library: dict[str, Prompt], prompt_id: str, strong: str, facts: str
) -> None:
    prompt = library[prompt_id]
    assert 150 <= len(strong.split()) <= 300
    good = analyze(spoken(strong), prompt=prompt)
    flat = analyze(spoken(facts), prompt=prompt)
    missed = [p["id"] for p in good.coverage["points"] if not p["covered"]]
    assert good.coverage["ratio"] >= 0.7, missed
    assert flat.coverage["covered"] < good.coverage["covered"]
    assert flat.coverage["ratio"] <= 0.5
    assert flat.reasoning["count"] < good.reasoning["count"]
    assert flat.reasoning["per_min"] < good.reasoning["per_min"]


@pytest.mark.parametrize("prompt_id", sorted(UNRELATED))
def test_strong_answer_does_not_cover_unrelated_prompts(
    library: dict[str, Prompt], prompt_id: str
) -> None:
    transcript = spoken(STRONG[prompt_id])
    for other in UNRELATED[prompt_id]:
        coverage = analyze(transcript, prompt=library[other]).coverage
        hits = {p["id"]: p["hits"] for p in coverage["points"] if p["covered"]}
        assert coverage["covered"] <= 1, (prompt_id, other, hits)


def test_phrasings_are_tolerant_of_how_people_say_them(library: dict[str, Prompt]) -> None:
    """Inflections and compounds said aloud still hit the key point written in base form."""
    said = (
        "We sharded it by tenant ID so that each query hits a single shard, and hot spots from "
        "celebrity tenants get salted keys. Resharding happens with logical shards."
    )
    coverage = analyze(spoken(said), prompt=library["sharding-partition-keys"]).coverage
    covered = {p["id"] for p in coverage["points"] if p["covered"]}
    assert {"key-choice", "hot-spots", "resharding"} <= covered
