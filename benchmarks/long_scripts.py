"""Scripts of the long-answer and adversarial clips of the accuracy corpus (issue 12).

Same mark-up as ``benchmarks/corpus.py``: bracketed words are fillers (``[um]``, ``[you know]``),
unbracketed "like", "so", "kind of", "actually", "right", "I mean", "you know" are meant literally
(the hard negatives); floats are silences in seconds.

A ``Para`` is a paragraph said in one breath: the voice reads it in one call, sentence after
sentence with only the voice's own short gaps between them (a whole long take). Plain strings are
said one by one with the silences written between them (a take joined from short answers, with
natural and long thinking pauses). Sentences inside a ``Para`` end with ``.``, ``?`` or ``!``
followed by a space; no abbreviations, decimals, colons or semicolons, so the corpus can tell
which words are in which sentence (it checks that the voice split the paragraph the same way).

Topics are new: none of these answers repeats the base corpus or the held-out answers testers used.
"""

from __future__ import annotations


class Para(str):
    """A paragraph synthesised in one call (see the module docstring)."""


# ----------------------------------------------------------------------------- long: whole takes

NOTIFY = (  # system design, ~100 s at length_scale 1.0
    Para("[So], [um], the notification service has one job, which is getting a message to a user "
         "on the right channel, once, and fairly soon. I'd split it into an intake API, a "
         "routing step, and one sender per channel, like email, push and text messages. The "
         "intake API only validates the request and writes it to a durable queue, so it stays "
         "fast even when a provider is slow."), 1.6,
    Para("[Uh], routing is where the user preferences live. Each user can mute a channel or set "
         "quiet hours, and, [you know], marketing messages should never wake anyone up at three "
         "in the morning. The router reads those preferences from a cache and fans the message "
         "out to the channel queues."), 0.9,
    Para("[I mean], the senders are the part that fails. Providers time out, they rate limit us, "
         "and sometimes they accept a message and then drop it. So every sender retries with "
         "exponential backoff and jitter, and after a few attempts the message goes to a dead "
         "letter queue that someone actually looks at."), 2.1,
    Para("[Um], the hard requirement is no duplicates. A retry after a timeout can send the same "
         "push twice, so each message carries an idempotency key, and the sender records the key "
         "before it calls the provider. [Basically] we trade a little latency for never "
         "annoying the user twice."), 1.2,
    Para("[So] what happens when a provider is down for an hour? The channel queue simply grows. "
         "I'd alert on the age of the oldest message rather than on queue length, because a long "
         "queue that drains quickly is fine, and a short queue that never moves is not."), 0.8,
    Para("For scale I'd partition the queues by user ID, so one noisy tenant can't starve the "
         "others. [Er], and I'd measure delivery time from intake to the provider's receipt, "
         "because that is the number customers feel, [right?]"),
)

HASHRING = (  # explanation, ~95 s at length_scale 0.9, white noise 20 dB
    Para("[Okay], consistent hashing. The problem it solves is that with a plain modulo, adding "
         "one cache server moves almost every key to a different server. That is a cold cache "
         "for everybody at once, and the database falls over."), 1.5,
    Para("[Um], with consistent hashing we put both servers and keys on the same ring of hash "
         "values. A key belongs to the first server clockwise from it. When a server joins, it "
         "only takes the keys between itself and its neighbour, so roughly one over n of the "
         "keys move, not all of them."), 0.8,
    Para("[So] the catch is balance. With a few servers the arcs of the ring are very uneven, "
         "and one box can end up with, [like], a third of the traffic. The fix is virtual nodes. "
         "Each physical server gets lots of points on the ring, and the load evens out. "
         "It also lets a bigger machine take more points than a small one."), 1.9,
    Para("[Er], the other thing people forget is what happens to the data when the ring changes. "
         "For a cache it's fine to lose a few keys, they just get fetched again. For a storage "
         "system you have to copy the keys to the new owner before it takes traffic, and you "
         "usually keep each key on the next two or three servers around the ring as replicas, so "
         "losing one machine doesn't lose anything."), 1.0,
    Para("[Uh], in practice I'd also think about hot keys. Hashing spreads keys, not requests, "
         "so one very popular key still lands on one server. For that kind of key we replicate it "
         "to a few servers and read from any of them. [You know], it looks like a small detail "
         "until the day a celebrity posts something."), 1.2,
    Para("[So], to sum up, consistent hashing keeps most keys in place when servers come and go, "
         "virtual nodes keep the load even, and replicas handle the keys that are too popular "
         "for one machine."),
)

OUTAGE = (  # behavioral STAR, ~135 s at length_scale 1.15, pink noise 15 dB
    Para("[Sure], [so] the situation was a Friday evening outage in our payments API. I was the "
         "on-call engineer, and about ten minutes after a routine deploy the error rate went from "
         "almost zero to around forty percent. Checkout was failing for a large share of "
         "customers, and every minute cost real money."), 1.8,
    Para("[Um], my task was to stop the bleeding first and understand it later. The obvious "
         "suspect was the deploy, so I rolled it back. [Uh], the errors did not go away, which "
         "was, honestly, the scary moment, because it meant the deploy was only a coincidence."),
    1.1,
    Para("[So] I opened an incident channel, asked one colleague to handle communication with "
         "support, and started looking at the dependencies. The database looked healthy. The "
         "payment provider looked healthy on their status page. Then I noticed that the failing "
         "requests all came from one availability zone."), 2.4,
    Para("[Hmm], it turned out a certificate on an internal load balancer in that zone had "
         "expired. The deploy had restarted our pods, and the new pods could no longer complete "
         "the handshake. The old pods had kept their connections open, so the problem had been "
         "hidden for hours."), 0.9,
    Para("[Er], the action was to drain that zone, which brought errors back to normal within a "
         "few minutes, and then to renew the certificate. The whole outage lasted about "
         "twenty five minutes."), 1.5,
    Para("[Uh], while that was happening, I kept the incident channel short and factual. Every "
         "ten minutes I posted what we knew, what we were trying next, and when the next update "
         "would come. Support could tell customers something honest instead of guessing. "
         "[You know], people can live with a problem, but they hate silence, and our support "
         "lead told me afterwards that those updates were the most useful part of the "
         "evening."), 2.0,
    Para("[I mean], the result I'm proudest of came after. I wrote the incident review without "
         "blaming anyone, and we added alerts on certificate expiry thirty days ahead, for every "
         "certificate we own. We also changed the runbook so that the first step is to check "
         "whether the failures share a zone, a host or a client. [Basically], the rollback "
         "should not be the only reflex, because it makes you feel safe when you are not."),
)

WINDOW = (  # coding explanation, ~65 s at length_scale 0.8, white noise 15 dB
    Para("[Um], for the longest substring without repeating characters I'd use a sliding window. "
         "Two pointers, left and right, mark a window that never contains a repeat. I move the "
         "right pointer one character at a time and keep a map from each character to the last "
         "index where I saw it."), 1.5,
    Para("[So] when the new character is already inside the window, I jump the left pointer to "
         "one past its last position. [Uh], the important word there is inside, because an old "
         "position to the left of the window doesn't matter anymore. Then I update the best "
         "length and carry on."), 0.8,
    Para("[Um], one variant that comes up is a stream of bytes instead of letters. Then I'd use "
         "an array of two hundred fifty six positions instead of a map, which is faster and uses "
         "constant memory. [I mean], the logic stays exactly the same, only the lookup changes."),
    1.6,
    Para("Each pointer only moves forward, so the whole thing is linear time, and the map holds at "
         "most one entry per distinct character. [Like], a naive version that checks every "
         "substring would be cubic. I'd test it on an empty string, a string of one repeated "
         "letter, and something like the word banana, [you know], where the answer is three. "
         "If all three pass, I'd walk through one example by hand before saying I'm done."),
)

FEEDBACK = (  # behavioral, ~140 s at length_scale 1.3 (slow, deliberate speaker)
    Para("[Um], the hardest feedback I ever gave was to a senior engineer on my team who was "
         "brilliant, and also, honestly, very hard to work with in code review. Junior people "
         "had started to avoid asking him for reviews, and a couple of them told me so in "
         "one-on-ones."), 2.0,
    Para("[So] my goal was to change the behaviour without losing him, because he was the person "
         "who knew the storage layer best. I didn't want to pass on anonymous complaints, so I "
         "first went through a month of his reviews myself and picked three concrete examples."),
    1.2,
    Para("[Uh], in the conversation I started with what I valued, which was real. Then I showed "
         "him the examples and described the effect, not his intent. [I mean], I said something "
         "like, when a review says this is obviously wrong, the author stops asking questions, "
         "and we lose the chance to teach. He was quiet for a while, and then he said nobody had "
         "ever told him that."), 2.6,
    Para("[Um], I also followed up with the people who had raised it. I didn't tell them what I "
         "had said to him, but I asked them to come back to me if things didn't change. I think "
         "that mattered, because the worst outcome would have been junior engineers deciding that "
         "raising a problem with a manager does nothing. [So] a few weeks later one of them told "
         "me, without being asked, that reviews felt different."), 1.3,
    Para("[Hmm], what helped was giving him something to do, not just something to stop. We "
         "agreed that he would ask one question before making any judgement in a review, and that "
         "he would pair with one of the junior engineers for an hour a week."), 0.9,
    Para("[Er], it wasn't a straight line. He slipped a couple of times in the first month, and "
         "I pointed it out quickly and privately, the same day. After a quarter, two of the "
         "junior engineers asked specifically for his reviews, which I think is the best measure "
         "there is."), 1.7,
    Para("What I learned is that people usually know what they do, but not what it does to "
         "others. [You know], specific examples and a small concrete change work much better "
         "than a general talk about culture. I'd like to think I now give that kind of feedback "
         "earlier, before it turns into a pattern."),
)

SCHEDULER = (  # system design, ~125 s at length_scale 0.9, HVAC hum 15 dB; a run of five
    Para("[So], a distributed job scheduler. Users register jobs with a schedule, like every "
         "five minutes or every night at two, and we need each run to happen once, on time, even "
         "when machines die. I'd separate the part that decides what is due from the workers "
         "that actually run the jobs."), 1.6,
    Para("[Um], the job definitions live in a database, with the next run time indexed. A small "
         "set of scheduler nodes scan for jobs whose next run time has passed, and each node owns "
         "a slice of the jobs by hashing the job ID, so two nodes never pick up the same job. "
         "When a node dies, its slice is handed to the others through a lease in the "
         "coordination service."), 0.9,
    Para("[Uh], [um], [uh], [hmm], [um], the part I'd worry about most is time. Clocks drift, and "
         "a scheduler that trusts its local clock can fire a job twice or skip it. So the "
         "database write that claims a run is conditional on the run not being claimed yet, and "
         "that write, not the clock, is what makes a run happen exactly once."), 2.2,
    Para("[I mean], once a run is claimed, it goes onto a queue and a worker picks it up. Workers "
         "heartbeat while a job runs. If the heartbeats stop, the run is marked as failed and "
         "retried according to the job's policy, because some jobs are safe to retry and some "
         "are not, and only the owner of the job knows which kind of job it is."), 1.1,
    Para("[Er], there is also the thundering herd at midnight. Half of all jobs are scheduled "
         "at the top of the hour, so I'd spread them with a small random offset unless the user "
         "asks for an exact time. [Basically], exact timing is a feature you pay for."), 1.8,
    Para("[Um], another question is how users write the schedule. I'd accept the usual five "
         "field syntax that everyone knows, but store the next run time in universal time and "
         "compute it in the user's time zone. Daylight saving is a classic trap here. A job set "
         "for half past two in the night runs twice or not at all on the day the clocks change, "
         "so the product has to pick a rule and show it to the user."), 1.0,
    Para("For visibility I'd keep a history of every run with its start, end and result, and "
         "alert on runs that are late, not just on runs that fail. A job that silently stops "
         "running is the worst failure, [right?]"),
)

# ----------------------------------------------------------------------------- long: joined takes

LRU = (  # coding explanation joined from short answers, ~70 s; a halting run of five
    "[Okay], an LRU cache with get and put in constant time.", 0.7,
    "[Uh],", 0.45, "[um],", 0.6, "[uh],", 0.5, "[hmm],", 0.7, "[um], I'd combine two structures.",
    1.0,
    "A hash map from key to node gives the constant time lookup.", 0.5,
    "A doubly linked list keeps the nodes in order of use, most recent at the head.", 3.4,
    "[So] on a get, I find the node through the map and move it to the head.", 0.6,
    "On a put, I either update the node and move it, or create a new one at the head.", 0.9,
    "[Uh], if that makes the cache too big, I drop the node at the tail, and delete its key "
    "from the map.", 1.8,
    "[You know], that's why the node stores its key, not just the value.", 0.8,
    "Removing from the middle of the list is constant time because each node knows both "
    "neighbours.", 4.2,
    "[Um], for thread safety I'd start with one lock around both structures.", 0.6,
    "It looks like a bottleneck, but it's usually fine, and it's easy to get right.", 1.2,
    "If it really is too slow, I'd shard the cache by key so that each shard has its own lock.",
)

K8S = (  # behavioral STAR joined from short answers, ~140 s at length_scale 1.25, HVAC 20 dB
    "[Um], the biggest project I led was moving our services from virtual machines to "
    "Kubernetes.", 0.9,
    "We had about forty services, and every deploy was a hand-written script.", 0.6,
    "Deploys took an hour, and nobody wanted to do them on a Friday.", 2.2,
    "[So] my task was to get every service moved in two quarters without an outage.", 1.0,
    "[Uh], I didn't want a big bang migration.", 0.5,
    "I picked the three smallest services first, moved them, and wrote down every problem we "
    "hit.", 3.6,
    "[Hmm], the surprise was networking.", 0.7,
    "Half of our services found each other through host files that someone edited by hand "
    "years ago.", 0.8,
    "We had to put real service discovery in place before anything else could move.", 1.9,
    "[I mean], that cost us a month, and I had to explain to my director why the plan had "
    "slipped.", 0.6,
    "I showed him the list of hidden dependencies we had found, and he agreed it was the right "
    "call.", 4.5,
    "[Er], after that we set up a template that every team could copy.", 0.7,
    "It had health checks, resource limits and a dashboard, so the defaults were good.", 0.9,
    "[Like], teams could move a simple service in a day instead of a week.", 2.5,
    "[Uh], the part I had to push hardest on was ownership.", 0.6,
    "Some services had no clear owner anymore, so nobody wanted to move them.", 0.9,
    "I made a simple list of every service with a name next to it, and I went to each manager to "
    "agree on the name.", 2.0,
    "That sounds like bureaucracy, but it unblocked more than any technical fix.", 1.4,
    "[Um], we also ran the old and the new deploys side by side for two weeks per service.",
    0.7,
    "If anything looked wrong, we switched traffic back in a minute.", 1.1,
    "[Um], the result was that all forty services moved in just under two quarters.", 0.8,
    "Deploys went from an hour to about ten minutes, and we deploy on Fridays now.", 1.3,
    "What I would do differently is to map the dependencies before promising a date, "
    "[you know].",
)

AUTOCOMPLETE = (  # system design joined, ~95 s at length_scale 1.1, room noise 18 dB
    "[So], search autocomplete.", 0.8,
    "As the user types, we want the top few completions for the prefix in well under a tenth "
    "of a second.", 1.7,
    "[Um], the classic structure is a trie, where each node is one more character of the "
    "prefix.", 0.6,
    "If every node also stores its top ten completions, a lookup is just a walk down the "
    "prefix.", 0.9,
    "[Uh], the price is memory, and updates get expensive, because a popular query changes the "
    "lists of every node above it.", 3.1,
    "[I mean], that's fine, because the rankings don't need to be fresh to the second.", 0.7,
    "I'd rebuild the trie offline every hour from the query logs and ship it to the serving "
    "nodes.", 1.8,
    "For trending queries, like breaking news, a small real-time layer can be merged on top.", 1.0,
    "[Er], the serving nodes keep the whole trie in memory, and we shard by the first two "
    "characters if it doesn't fit.", 0.8,
    "On the client, I'd debounce the keystrokes and cache results, so typing fast doesn't send "
    "a request per letter.", 4.0,
    "[Hmm], one more thing is filtering.", 0.6,
    "We must never suggest something offensive, so there is a block list applied when the trie "
    "is built.", 1.6,
    "[Um], personalization can come later.", 0.5,
    "The simplest version re-ranks the global top ten on the client with the user's own recent "
    "searches, which needs no extra storage on the server.", 0.9,
    "[Basically], it's a read-heavy system, and the design is all about precomputing the "
    "answers.",
)

ESTIMATE = (  # behavioral joined, ~70 s at length_scale 1.05, long thinking pauses; a run of six
    "[Hmm], a time my estimate was badly wrong.", 1.2,
    "[Uh],", 0.5, "[um],", 0.4, "[er],", 0.6, "[uh],", 0.5, "[um],", 0.4, "[uh], okay, yes.", 3.2,
    "I told my team that adding single sign on to our admin tool would take two weeks.", 0.7,
    "It took seven.", 2.0,
    "[So], what went wrong was that I estimated the code and not the integration.", 0.6,
    "Each customer's identity provider behaved a little differently, and testing needed their "
    "admins.", 5.1,
    "[I mean], I should have said two weeks for the first customer, and then a week per "
    "customer after that.", 0.9,
    "[Um], now when I estimate, I list what depends on other people, and I give a range instead "
    "of one number.", 1.5,
    "[So] the first customer took three weeks, and each one after that took about a week.", 0.8,
    "The team was frustrated at first, but the second half of the project was calm, because "
    "everyone knew what to expect.", 2.4,
    "[Actually], I also tell stakeholders what would make the estimate wrong, so nobody is "
    "surprised.",
)

# ----------------------------------------------------------------------------- long: espeak-ng

ESPEAK_INDEX = (  # database explanation joined, espeak en-us+m3, ~70 s
    "[Um], when a query is slow, the first thing I look at is the query plan.", 0.8,
    "If it shows a full table scan on a big table, we are probably missing an index.", 1.6,
    "[So] for a filter on customer and date, I'd add one index on both columns.", 0.6,
    "The order matters.", 0.5,
    "The column used for equality goes first, and the range column goes second.", 2.8,
    "[Uh], an index is not free, though.", 0.7,
    "Every insert and update has to maintain it, so a write heavy table pays for each index.",
    1.1,
    "[Um], another thing I check is whether the query can use the index at all.", 0.6,
    "A function around the column, like lower case of the email, hides it from a plain index.",
    0.9,
    "[So] either the query changes, or we index the expression itself.", 1.7,
    "[You know], I've seen tables with twenty indexes where half were never used.", 1.9,
    "[Er], the database can tell you which ones are unused, so I check that before adding "
    "more.", 0.8,
    "It looks like a small habit, but it keeps writes fast.",
)

ESPEAK_PRIORITIES = (  # behavioral whole take, espeak en-gb+f3, ~90 s, pink noise 20 dB
    Para("[So], a time I had to say no to a stakeholder. Our sales director wanted a custom "
         "report for one large customer, and he wanted it in two weeks. At the same time my team "
         "was halfway through a reliability project that we had promised to three other "
         "teams."), 1.7,
    Para("[Um], I didn't want to just refuse. I asked him what the customer was really trying to "
         "do with the report. It turned out they needed one number every month for their "
         "finance team, not a whole new report."), 0.9,
    Para("[Uh], so I offered a scheduled export of that number, which took two days, and I kept "
         "the reliability work on track. [I mean], he wasn't thrilled at first, because he had "
         "already promised more. But the customer was happy, and the export is still running "
         "today."), 2.3,
    Para("[Uh], the harder part was my own team. Two engineers wanted to build the custom report, "
         "because it was more interesting than the reliability work. I explained that the promise "
         "to the other teams was why we had the people at all, and I gave one of them the export "
         "to build, so the interesting part was still theirs. [You know], nobody felt that the "
         "decision was made over their heads. We finished the reliability project a week "
         "early."), 1.2,
    Para("[Basically], I learned to ask about the problem behind a request before I talk about "
         "the cost. Most of the time there is a smaller thing that solves it."),
)

ESPEAK_TRACING = (  # observability explanation joined, espeak en-us+f2, ~100 s, white 20 dB
    "[Okay], distributed tracing.", 0.7,
    "In a system with many services, one slow request can touch ten of them.", 0.6,
    "Logs from each service tell you what happened there, but not how it fits together.", 1.8,
    "[Um], tracing gives each request an ID at the edge.", 0.5,
    "Every service passes the ID along and records a span with a start and an end time.", 0.9,
    "The spans form a tree, so you can see where the time actually went.", 3.3,
    "[So], the cost is overhead, and storing every trace is expensive.", 0.7,
    "Most teams sample, and keep only a small share of the requests.", 0.6,
    "[Uh], the problem is that the interesting requests are rare, like the slow ones and the "
    "errors.", 2.1,
    "[I mean], that's why I like tail based sampling.", 0.6,
    "You keep all spans for a short time, and decide at the end whether the trace was "
    "interesting.", 1.0,
    "[Er], it needs a collector with enough memory, but you keep every error.", 4.0,
    "[Um], to get started, I'd instrument the edge and the two or three busiest services first.",
    0.7,
    "Libraries can add the spans for most frameworks automatically, so the first version is "
    "mostly configuration.", 1.2,
    "After that, each team adds spans for the parts of their code they care about.", 1.9,
    "[Hmm], the last piece is culture.", 0.5,
    "Tracing only helps if engineers open it during incidents, so I'd link traces from every "
    "alert.", 0.8,
    "[You know], make the right thing the easy thing.",
)

ESPEAK_MEMO = (  # coding explanation whole take, espeak en-gb-x-rp+m5, ~65 s, white 15 dB
    Para("[Um], memoization is caching the result of a function for its arguments. The classic "
         "example is Fibonacci. The naive recursion computes the same values again and again, so "
         "it takes exponential time."), 1.6,
    Para("[So] with a cache keyed by n, each value is computed once, and the time becomes "
         "linear. [Uh], the same idea works for any recursion with overlapping subproblems, like "
         "edit distance or counting paths in a grid."), 0.9,
    Para("[I mean], the catch is memory and recursion depth. For a big input I'd turn it around "
         "and fill a table from the bottom up, which is the same algorithm without the stack."),
    1.8,
    Para("[Uh], in an interview, I'd write the recursion first, because it's the easiest to get "
         "right. Then I'd add the cache, check the complexity, and only then talk about the bottom "
         "up version if there is time. [So] the interviewer sees a correct answer early, and then "
         "the improvements."),
)

# ----------------------------------------------------------------------------- adversarial

# Speech about indexes with long stretches of bursty noise between the sentences; the prompt's
# vocabulary (B-tree, hash index, range scan) is given, and "range scan" is never said.
BURSTY_SPEECH = (
    "[Um], I'd pick a B-tree for this table.", 5.5,
    "Most of the queries ask for the orders of one customer in a date range.", 6.5,
    "A hash index would only help with exact lookups.", 4.8,
    "[So] the B-tree wins, even though every insert costs a little more.", 6.0,
    "That's the whole trade-off, really.",
)

# One sentence group (about 10 s) that the corpus says ten times with 1 s pauses (~108 s).
# "So" opening a sentence after a written silence is a filler throughout the corpus ("[So]
# hashing spreads the load", "[So] the B-tree wins" above); the unbracketed "So" of a ``Para``
# ("... drop it. So every sender retries") follows the voice's own short gap and is the hard
# negative. This "So" follows a 0.7 s silence, so it is marked like the others (it was left
# unmarked until 2026-12-02: 10 of the coach's 16 "false" discourse fillers were this one
# label; benchmarks/RESULTS-accuracy.md).
REPEATED = (
    "Every read checks the cache first.", 0.6,
    "A miss goes to the database, and the result is written back.", 0.7,
    "[So] the next reader finds it in memory.",
)
