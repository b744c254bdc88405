"""Near-duplicate clustering, measured: quality on the labelled corpus, cost as the index grows.

    .venv/bin/python bench/dedupe_bench.py            # full run (a few minutes)
    .venv/bin/python bench/dedupe_bench.py --quick    # CI-sized
    options: --originals N  --sizes 10000,100000,1000000  --pg URL  --json PATH

Quality: the corpus of bench/dedupe_corpus.py goes through the real store code (the merge
upsert, then `assign_cluster`) in arrival order, 20 stories per transaction like a document, on
a fresh SQLite store. Pair precision and recall count the pairs of stories that share a cluster
against the pairs that report the same event, per kind of copy; hard negatives are the stories
of sibling events (same people, places, background paragraphs, another day) that must not share
a cluster.

Cost: on PostgreSQL (the production store; a scratch database on the server given by --pg or
WIRE_TEST_PG_URL, dropped at the end) the band index is filled to each size with the band rows
of that many stories (random keys over the same days: distinct stories share no band keys), then
corpus stories are ingested one transaction each and `assign_cluster` is timed per story:
signature, locks, lookup, verification of candidates, insert of the band rows, cluster update.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import xxhash
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dedupe_corpus import CorpusStory, make_corpus

from worker.dedupe.choose import CONTAINMENT_MIN, JACCARD_MIN
from worker.dedupe.signatures import BANDS, NUM_PERM, ROWS, signature
from worker.model import Story
from worker.normalize.hashing import content_hash
from worker.settings import database_url
from worker.store.clusters import Clustering, assign_cluster
from worker.store.db import make_engine, open_store
from worker.store.writes import write_versions

RESULTS = Path(__file__).resolve().parent / "results" / "dedupe.json"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def to_story(s: CorpusStory) -> Story:
    return Story(
        provider=s.provider, guid=s.guid, version=None, version_created=s.version_created,
        first_created=None, pubstatus="usable", embargoed=None, urgency=None, signals=(),
        headline=s.headline, slugline=None, byline=None, dateline=None, language="en",
        body_html="", body_text=s.body_text, subjects=(), keywords=(), credits=(), link=None,
        word_count=len(s.body_text.split()), content_hash=content_hash(s.headline, s.body_text),
    )


def ingest(engine: Engine, stories: list[CorpusStory], per_tx: int,
           cpu: list[float] | None = None, server: list[float] | None = None) -> list[float]:
    """Store and cluster the stories; returns assign_cluster's wall seconds per story.

    `cpu` collects this process's CPU seconds per story (the wall time less database waits),
    `server` the CPU seconds of the PostgreSQL backend serving the transaction (from
    /proc/PID/schedstat, nanosecond-exact, when the server runs on this machine).
    """
    timings: list[float] = []
    clustering = Clustering()
    for start in range(0, len(stories), per_tx):
        batch = [to_story(s) for s in
                 sorted(stories[start:start + per_tx], key=lambda s: (s.provider, s.guid))]
        with engine.begin() as conn:
            stat = _schedstat(conn) if server is not None else None
            for story, written in zip(batch, write_versions(conn, batch, batch[0].version_created)):
                s0 = _oncpu(stat)
                t0, c0 = time.perf_counter(), time.process_time()
                assign_cluster(conn, written.story_id, body_text=story.body_text,
                               headline=story.headline, content_hash=story.content_hash,
                               at=story.version_created, clustering=clustering)
                timings.append(time.perf_counter() - t0)
                if cpu is not None:
                    cpu.append(time.process_time() - c0)
                if stat is not None and server is not None:
                    server.append(_oncpu(stat) - s0)
    return timings


def _schedstat(conn) -> Path | None:  # type: ignore[no-untyped-def]
    if conn.dialect.name != "postgresql":
        return None
    path = Path(f"/proc/{conn.connection.driver_connection.info.backend_pid}/schedstat")
    return path if path.exists() else None


def _oncpu(path: Path | None) -> float:
    return int(path.read_text().split()[0]) / 1e9 if path is not None else 0.0


def quality(originals: int, seed: int) -> dict:
    corpus = make_corpus(originals, seed)
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_store(f"sqlite:///{tmp}/wire.db")
        t0 = time.perf_counter()
        ingest(engine, corpus.stories, per_tx=20)
        elapsed = time.perf_counter() - t0
        with engine.connect() as conn:
            cluster_of = dict(conn.execute(text("SELECT guid, cluster_id FROM stories")).all())
        engine.dispose()
    by_uid = {s.uid: s for s in corpus.stories}
    cluster = {s.uid: cluster_of[s.guid] for s in corpus.stories}
    predicted = _pairs(cluster)
    truth = _pairs({s.uid: s.event for s in corpus.stories})
    right = predicted & truth
    per_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"pairs": 0, "found": 0})
    for a, b in truth:
        kind = _pair_kind(by_uid[a].kind, by_uid[b].kind)
        per_kind[kind]["pairs"] += 1
        per_kind[kind]["found"] += (a, b) in right
    hard_merged = [(a, b) for a, b in corpus.hard_pairs if cluster[a] == cluster[b]]
    copies = [s for s in corpus.stories if s.kind != "original"]
    originals_of = {s.event: s.uid for s in corpus.stories if s.kind == "original"}
    joined = Counter(s.kind for s in copies if cluster[s.uid] == cluster[originals_of[s.event]])
    return {
        "stories": len(corpus.stories), "kinds": dict(Counter(s.kind for s in corpus.stories)),
        "seconds": round(elapsed, 1),
        "pair_precision": round(len(right) / len(predicted), 4) if predicted else 1.0,
        "pair_recall": round(len(right) / len(truth), 4),
        "recall_by_kind": {k: round(v["found"] / v["pairs"], 4) for k, v in sorted(per_kind.items())},
        "pairs_by_kind": {k: v["pairs"] for k, v in sorted(per_kind.items())},
        "wrong_pairs": len(predicted - truth),
        "hard_negative_pairs": len(corpus.hard_pairs), "hard_negatives_merged": len(hard_merged),
        "copies_in_original_cluster": {k: f"{joined[k]}/{n}" for k, n in
                                       sorted(Counter(s.kind for s in copies).items())},
    }


def lsh_sweep(originals: int, seed: int, configs: list[tuple[int, int]]) -> list[dict]:
    """LSH settings compared on the corpus, without the store: for each (bands, rows), the share
    of stories with an earlier copy that verifies (same event, `is_same_news`) that find one
    among the holders of their keys (first claimer owns a key, as in the index), and how many
    stories of other events they are proposed (each costs a verification)."""
    from datasketch import MinHash

    from worker.dedupe.choose import is_same_news
    from worker.dedupe.signatures import MIN_SHINGLES, overlap, shingle_set

    stories = sorted(make_corpus(originals, seed).stories, key=lambda s: s.version_created)
    most = max(b * r for b, r in configs)
    template = MinHash(num_perm=most, seed=1, hashfunc=int)
    shingles, values = [], []
    for s in stories:
        sh = shingle_set(s.body_text)
        m = template.copy()
        if sh.size:
            m.update_batch(sh.tolist())
        shingles.append(sh)
        values.append(m.hashvalues.astype("uint32"))
    out = []
    for bands, rows in configs:
        owner: dict[int, int] = {}
        by_event: dict[int, list[int]] = defaultdict(list)
        findable = found = compared = 0
        wrong = 0
        for i, s in enumerate(stories):
            if shingles[i].size < MIN_SHINGLES:
                continue
            keys = [xxhash.xxh3_64_intdigest(values[i][k * rows:(k + 1) * rows].tobytes(), seed=k)
                    for k in range(bands)]
            holders = {owner[k] for k in keys if k in owner}
            for k in keys:
                owner.setdefault(k, i)
            compared += 1
            wrong += sum(stories[j].event != s.event for j in holders)
            if any(is_same_news(overlap(shingles[i], shingles[j])) for j in by_event[s.event]):
                findable += 1
                found += any(stories[j].event == s.event
                             and is_same_news(overlap(shingles[i], shingles[j])) for j in holders)
            by_event[s.event].append(i)
        out.append({"bands": bands, "rows": rows, "keys_per_story": bands + 1,
                    "copies_found": round(found / findable, 4),
                    "other_event_candidates_per_story": round(wrong / compared, 2)})
    return out


def _pairs(label: dict[int, int]) -> set[tuple[int, int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for uid, value in label.items():
        groups[value].append(uid)
    return {pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)}


def _pair_kind(a: str, b: str) -> str:
    order = ["original", "exact", "light", "heavy"]
    worst = max(a, b, key=order.index)
    return "light" if worst == "original" else worst


def _fill_pg(engine: Engine, start: int, stop: int, first: str, last: str) -> float:
    """Add the band rows of stories start..stop (random keys, times over the corpus days)."""
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE dedupe_bands DROP CONSTRAINT dedupe_bands_pkey"))
        conn.execute(text(
            "INSERT INTO dedupe_bands (band, hash, story_id, at) "
            "SELECT b, (random() * 1.8e19 - 9.2e18)::bigint, -s, "
            " extract(epoch FROM CAST(:first AS timestamptz) + random() * (CAST(:last AS timestamptz)"
            " - CAST(:first AS timestamptz)))::bigint "
            "FROM generate_series(CAST(:start AS bigint), :stop - 1) s, generate_series(0, :bands - 1) b"
        ), {"start": start, "stop": stop, "bands": BANDS, "first": first, "last": last})
        conn.execute(text("ALTER TABLE dedupe_bands ADD PRIMARY KEY (band, hash)"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE dedupe_bands"))
    return time.perf_counter() - t0


def cost(pg_server: str, sizes: list[int], incoming: int, seed: int) -> list[dict]:
    admin = create_engine(database_url(pg_server, Path.cwd()), isolation_level="AUTOCOMMIT")
    name = f"wire_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(database_url(pg_server, Path.cwd())).set(database=name)
    rows = []
    try:
        open_store(url.render_as_string(hide_password=False)).dispose()
        engine = make_engine(url.render_as_string(hide_password=False))
        corpus = make_corpus(max(incoming, 200) * len(sizes) * 2, seed + 1).stories
        times = sorted(s.version_created for s in corpus)
        first, last = times[0].isoformat(), times[-1].isoformat()
        filled = 0
        chunks = iter([corpus[i:i + incoming] for i in range(0, len(corpus), incoming)])
        for size in sizes:
            fill_s = _fill_pg(engine, filled, size, first, last) if size > filled else 0.0
            filled = max(filled, size)
            for per_tx in (1, 100):
                batch = next(chunks)
                t0 = time.perf_counter()
                for s in batch:
                    signature(s.body_text)
                sig_ms = (time.perf_counter() - t0) / len(batch) * 1000
                cpu: list[float] = []
                server: list[float] = []
                t0 = time.perf_counter()
                timings = ingest(engine, batch, per_tx=per_tx, cpu=cpu, server=server)
                tx_ms = (time.perf_counter() - t0) / len(batch) * 1000
                ms = sorted(t * 1000 for t in timings)
                with engine.connect() as conn:
                    size_mb = conn.execute(text(
                        "SELECT pg_total_relation_size('dedupe_bands') / 1e6")).scalar_one()
                rows.append({
                    "indexed_stories": size, "band_rows": size * BANDS,
                    "fill_seconds": round(fill_s, 1), "per_tx": per_tx,
                    "incoming": len(batch), "ms_mean": round(statistics.fmean(ms), 3),
                    "ms_median": round(statistics.median(ms), 3),
                    "ms_p99": round(ms[int(0.99 * (len(ms) - 1))], 3),
                    "client_cpu_ms_mean": round(statistics.fmean(cpu) * 1000, 3),
                    "server_cpu_ms_mean": round(statistics.fmean(server) * 1000, 3)
                    if server else None,
                    "signature_ms_mean": round(sig_ms, 3),
                    "whole_ingest_ms_per_story": round(tx_ms, 3),
                    "index_mb": round(float(size_mb), 1),
                })
                print(_cost_line(rows[-1]), flush=True)
                fill_s = 0.0
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return rows


def _cost_line(r: dict) -> str:
    server = "n/a" if r["server_cpu_ms_mean"] is None else f"{r['server_cpu_ms_mean']:.3f}"
    return (f"  {r['indexed_stories']:>9,} stories ({r['band_rows']:>11,} band rows, "
            f"{r['index_mb']:>7.1f} MB), {r['per_tx']:>3} per tx: assign_cluster mean "
            f"{r['ms_mean']:.3f} ms, median {r['ms_median']:.3f}, p99 {r['ms_p99']:.3f}; CPU client "
            f"{r['client_cpu_ms_mean']:.3f} (signature {r['signature_ms_mean']:.3f}) + server "
            f"{server}; whole ingest {r['whole_ingest_ms_per_story']:.3f} ms/story; "
            f"fill {r['fill_seconds']}s")


def extrapolate(rows: list[dict], target: int) -> dict:
    """Least squares of mean cost against log10(indexed stories): a B-tree lookup grows so."""
    xs = [math.log10(r["indexed_stories"]) for r in rows]
    ys = [r["ms_mean"] for r in rows]
    if len(rows) < 2:
        return {"target": target, "ms_mean": ys[0] if ys else None, "slope_ms_per_decade": None}
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    at = my + slope * (math.log10(target) - mx)
    return {"target": target, "ms_mean": round(at, 3), "slope_ms_per_decade": round(slope, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="CI-sized: small corpus, small index")
    ap.add_argument("--originals", type=int, default=None)
    ap.add_argument("--sizes", default=None, help="comma-separated index sizes (stories)")
    ap.add_argument("--incoming", type=int, default=None, help="stories timed per size")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pg", default=None, help="PostgreSQL server URL (default WIRE_TEST_PG_URL)")
    ap.add_argument("--json", default=str(RESULTS))
    ap.add_argument("--no-cost", action="store_true", help="quality only (no PostgreSQL needed)")
    ap.add_argument("--lsh-sweep", action="store_true",
                    help="only compare LSH bands x rows on the corpus (no store), then exit")
    args = ap.parse_args()
    import os

    originals = args.originals or (600 if args.quick else 3000)
    sizes = [int(x) for x in (args.sizes or ("10000" if args.quick else
                                             "10000,100000,1000000")).split(",")]
    incoming = args.incoming or (200 if args.quick else 500)
    pg = args.pg or os.environ.get("WIRE_TEST_PG_URL") or DEFAULT_PG
    if args.lsh_sweep:
        print(f"LSH settings on the corpus of {originals} originals (seed {args.seed}):")
        for r in lsh_sweep(originals, args.seed, [(32, 3), (24, 2), (20, 2), (16, 2), (12, 2),
                                                  (10, 2), (16, 3), (12, 1)]):
            print(f"  {r['bands']:>2} x {r['rows']}: {r['keys_per_story']} keys per story, "
                  f"verifiable copies proposed {r['copies_found']:.4f}, other-event candidates "
                  f"per story {r['other_event_candidates_per_story']}")
        return
    print(f"MinHash {NUM_PERM} perms, LSH {BANDS} bands x {ROWS} rows; verification: "
          f"Jaccard >= {JACCARD_MIN} or containment >= {CONTAINMENT_MIN}")
    print(f"quality: corpus of {originals} originals (seed {args.seed}), SQLite store")
    q = quality(originals, args.seed)
    print(f"  {q['stories']} stories {q['kinds']} in {q['seconds']} s")
    print(f"  pair precision {q['pair_precision']}  pair recall {q['pair_recall']}  "
          f"(wrong pairs {q['wrong_pairs']})")
    print(f"  recall by kind {q['recall_by_kind']}  pairs {q['pairs_by_kind']}")
    print(f"  copies in their original's cluster {q['copies_in_original_cluster']}")
    print(f"  hard negatives merged {q['hard_negatives_merged']} of {q['hard_negative_pairs']}")
    if args.no_cost:
        return
    print(f"cost per incoming story on PostgreSQL, {incoming} stories per size and per "
          "transaction size (1 story per transaction, 100 like a large document):")
    rows = cost(pg, sizes, incoming, args.seed)
    target = 1_000_000 if max(sizes) < 1_000_000 else 10_000_000
    ext = {}
    for per_tx in (1, 100):
        fit = ext[f"per_tx_{per_tx}"] = extrapolate([r for r in rows if r["per_tx"] == per_tx], target)
        print(f"  fit, {per_tx} per tx: {fit['slope_ms_per_decade']} ms per tenfold growth -> "
              f"{fit['ms_mean']} ms mean at {fit['target']:,} stories")
    out = {"config": {"num_perm": NUM_PERM, "bands": BANDS, "rows": ROWS, "jaccard_min": JACCARD_MIN,
                      "containment_min": CONTAINMENT_MIN, "quick": args.quick, "seed": args.seed},
           "quality": q, "cost": rows, "extrapolation": ext,
           "command": " ".join(["bench/dedupe_bench.py", *sys.argv[1:]])}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    print(f"written {args.json}")


if __name__ == "__main__":
    main()
