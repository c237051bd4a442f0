#!/usr/bin/env python3
"""Concurrency load run against a mustalah server on loopback.

32 clients (threads, one keep-alive connection each) mix memory searches,
term recognitions, lookups and unit writes for a bounded time, then every
acknowledged write is read back. Prints p50/p99 per operation, the count of
5xx answers and of lost writes; exits non-zero if either is not zero.

Usage:
  cargo build --release && ./target/release/mustalah serve --data-dir /tmp/load-data &
  python3 tests/load/run_load.py --url http://127.0.0.1:8080 --clients 32 --seconds 60

Only loopback URLs are accepted (this is a load generator).
"""
import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

AR_SENTENCES = [
    "أعلنت الشركة الناشئة عن نموذج لغوي ضخم جديد للذكاء الاصطناعي",
    "تستخدم مراكز البيانات آلاف وحدات معالجة الرسومات من إنفيديا",
    "وقال المدير إن الخوادم السحابية تعمل بالطاقة المتجددة",
    "كشفت ديب سيك عن نموذجها R1 منخفض التكلفة",
    "تتصاعد المنافسة التقنية بين الولايات المتحدة والصين في مجال الرقائق",
    "يعتمد الأمن السيبراني على التشفير وتحديثات البرمجيات",
]
EN_SENTENCES = [
    "The startup announced a new large language model",
    "Data centers use thousands of Nvidia GPUs",
    "Open the file menu and save the document",
    "Cloud servers run on renewable energy",
]


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


class Client:
    def __init__(self, host, port, token):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = "Bearer " + token

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        try:
            self.conn.request(method, path, body=data, headers=self.headers)
            resp = self.conn.getresponse()
            payload = resp.read()
            return resp.status, payload
        except (http.client.HTTPException, OSError):
            self.conn.close()
            return 599, b""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--memory", default="load")
    ap.add_argument("--termbase", default="tech")
    ap.add_argument("--token", default=None)
    ap.add_argument("--max-requests", type=int, default=2_000_000)
    args = ap.parse_args()
    url = urllib.parse.urlparse(args.url)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("refusing: the load generator only targets loopback")
    host, port = url.hostname, url.port or 80

    setup = Client(host, port, args.token)
    st, body = setup.call("PUT", f"/v1/memories/{args.memory}",
                          {"source_lang": "ar", "target_lang": "en", "description": "load test"})
    if st >= 300:
        sys.exit(f"cannot create memory: {st} {body[:200]!r}")
    seed_units = [{"source": s, "target": e} for s, e in zip(AR_SENTENCES, EN_SENTENCES * 2)]
    setup.call("POST", f"/v1/memories/{args.memory}/units", {"units": seed_units})

    lock = threading.Lock()
    latencies = {}
    server_errors = []
    acked = []
    count = [0]
    deadline = time.monotonic() + args.seconds

    def worker(n):
        rnd = random.Random(n)
        c = Client(host, port, args.token)
        while time.monotonic() < deadline:
            with lock:
                if count[0] >= args.max_requests:
                    return
                count[0] += 1
            r = rnd.random()
            sentence = rnd.choice(AR_SENTENCES)
            if r < 0.45:
                op, method, path = "search", "POST", f"/v1/memories/{args.memory}/search"
                body = {"text": sentence, "min_score": 50, "limit": 5}
            elif r < 0.75:
                op, method, path = "recognize", "POST", f"/v1/termbases/{args.termbase}/recognize"
                body = {"text": sentence, "lang": "ar", "target_lang": "en"}
            elif r < 0.85:
                op, method = "lookup", "GET"
                path = f"/v1/termbases/{args.termbase}/lookup?" + urllib.parse.urlencode(
                    {"q": "الذكاء الاصطناعي", "lang": "ar", "target_lang": "en"})
                body = None
            else:
                op, method, path = "write", "POST", f"/v1/memories/{args.memory}/units"
                tag = f"{n}-{rnd.getrandbits(40):x}"
                body = {"source": f"{sentence} {tag}", "target": f"load unit {tag}"}
            t0 = time.perf_counter()
            st, payload = c.call(method, path, body)
            dt = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.setdefault(op, []).append(dt)
                if st >= 500:
                    server_errors.append((op, st, payload[:200]))
            if op == "write" and st < 300:
                try:
                    ids = json.loads(payload)["ids"]
                except (ValueError, KeyError):
                    ids = []
                with lock:
                    acked.extend(ids)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
    t_start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t_start

    lost = 0
    checker = Client(host, port, args.token)
    for uid in acked:
        st, _ = checker.call("GET", f"/v1/memories/{args.memory}/units/{uid}")
        if st != 200:
            lost += 1

    total = sum(len(v) for v in latencies.values())
    print(f"clients={args.clients} seconds={elapsed:.1f} requests={total} rate={total / elapsed:.0f}/s")
    print(f"{'operation':<10} {'count':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for op in sorted(latencies):
        v = latencies[op]
        print(f"{op:<10} {len(v):>8} {percentile(v, 50):>8.2f} {percentile(v, 99):>8.2f}")
    allv = [x for v in latencies.values() for x in v]
    print(f"{'all':<10} {len(allv):>8} {percentile(allv, 50):>8.2f} {percentile(allv, 99):>8.2f}")
    print(f"5xx={len(server_errors)} acknowledged_writes={len(acked)} lost_writes={lost}")
    for e in server_errors[:5]:
        print("  5xx:", e)
    sys.exit(1 if server_errors or lost else 0)


if __name__ == "__main__":
    main()
