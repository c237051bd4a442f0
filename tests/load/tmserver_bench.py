#!/usr/bin/env python3
"""Latency of tmserver/amaGama lookups over HTTP, one client, keep-alive.

    python3 tests/load/tmserver_bench.py --url http://127.0.0.1:18096 \
        --queries /tmp/tmbench/queries_en.tsv --source en --target ar [--repeats 3] [--max-queries 500]

Each query is sent as Weblate sends it (`GET {base}/{src}/{tgt}/unit/{text}`,
the text cut to 500 characters and percent-encoded with no safe characters),
with amaGama's defaults (min_similarity 70, max_candidates 5). The query file
is a TSV whose first column is the text (a header line `query…` is skipped),
as `../shared/bench/make_corpus.py` writes it. Prints p50/p90/p99 in ms, the
throughput, and how many queries got at least one suggestion.
"""

import argparse
import http.client
import json
import statistics
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--source", default="en")
    ap.add_argument("--target", default="ar")
    ap.add_argument("--base", default="/tmserver")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--max-queries", type=int, default=500)
    args = ap.parse_args()

    texts = []
    with open(args.queries, encoding="utf-8") as f:
        for i, line in enumerate(f):
            text = line.rstrip("\n").split("\t")[0]
            if i == 0 and text == "query":
                continue
            text = text.replace("\\t", "\t").replace("\\n", "\n").replace("\\\\", "\\")
            if text.strip():
                texts.append(text)
    texts = texts[: args.max_queries]
    u = urllib.parse.urlparse(args.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    paths = [
        f"{args.base}/{args.source}/{args.target}/unit/"
        + urllib.parse.quote(t[:500].replace("\r", " ").encode(), safe="")
        for t in texts
    ]
    # Warm-up pass (not measured).
    for p in paths[:50]:
        conn.request("GET", p)
        conn.getresponse().read()
    lat = []
    answered = 0
    start = time.perf_counter()
    for r in range(args.repeats):
        for p in paths:
            t0 = time.perf_counter()
            conn.request("GET", p, headers={"Accept": "application/json; charset=utf-8"})
            resp = conn.getresponse()
            body = resp.read()
            lat.append((time.perf_counter() - t0) * 1000)
            if resp.status != 200:
                raise SystemExit(f"HTTP {resp.status} for {p}: {body[:200]!r}")
            if r == 0 and json.loads(body):
                answered += 1
    wall = time.perf_counter() - start
    lat.sort()
    q = lambda x: lat[min(len(lat) - 1, int(x * len(lat)))]
    print(json.dumps({
        "queries": len(paths),
        "requests": len(lat),
        "p50_ms": round(statistics.median(lat), 3),
        "p90_ms": round(q(0.90), 3),
        "p99_ms": round(q(0.99), 3),
        "qps": round(len(lat) / wall, 1),
        "answered": answered,
    }))


main()
