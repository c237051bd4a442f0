#!/usr/bin/env python3
"""Slow-upload soak: many clients trickle import bodies at 1 byte/s while a
prober checks /healthz and a writer adds units; reports the answers the
trickling clients got, the probe latencies and any 5xx.

    target/debug/mustalah serve --data-dir /tmp/slow-data --addr 127.0.0.1:18097 &
    python3 tests/load/slow_uploads.py --port 18097 --uploads 5000 --seconds 60

Expected: every trickling upload ends in 429 `too_many_imports` (beyond
--max-concurrent-imports) or 408 `body_timeout` (after about
--body-timeout), the probes keep answering 200, and no request gets a 5xx.
"""

import argparse
import asyncio
import collections
import json
import time


async def request(port, head, body=b""):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head.encode() + b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    return data


def status_and_code(data):
    text = data.decode("utf-8", "replace")
    parts = text.split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    code = ""
    if "\r\n\r\n" in text:
        body = text.split("\r\n\r\n", 1)[1]
        start, end = body.find("{"), body.rfind("}")
        if start >= 0 and end > start:
            try:
                code = json.loads(body[start : end + 1]).get("code", "")
            except ValueError:
                pass
    return status, code


async def trickle(port, results, stop):
    head = (
        "POST /v1/memories/default/import?format=tsv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: text/tab-separated-values\r\nContent-Length: 100000\r\nConnection: close"
    )
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as e:
        results["connect_error " + type(e).__name__] += 1
        return
    writer.write(head.encode() + b"\r\n\r\n")
    answer = asyncio.ensure_future(reader.read())
    try:
        while not answer.done() and not stop.is_set():
            writer.write(b"a")
            await writer.drain()
            await asyncio.wait([answer], timeout=1.0)
    except (ConnectionError, OSError):
        pass
    try:
        data = await asyncio.wait_for(answer, timeout=5)
        status, code = status_and_code(data)
        results["%d %s" % (status, code)] += 1
    except (asyncio.TimeoutError, ConnectionError, OSError):
        results["no answer"] += 1
    writer.close()


async def probe(port, latencies, statuses, stop):
    while not stop.is_set():
        t = time.monotonic()
        try:
            data = await asyncio.wait_for(request(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1"), 10)
            statuses[status_and_code(data)[0]] += 1
        except (asyncio.TimeoutError, OSError):
            statuses["error"] += 1
        latencies.append((time.monotonic() - t) * 1000)
        await asyncio.sleep(0.2)


async def write_units(port, statuses, stop):
    i = 0
    while not stop.is_set():
        body = json.dumps({"source": "وحدة %d" % i, "target": "unit %d" % i}).encode()
        try:
            data = await asyncio.wait_for(
                request(port, "POST /v1/memories/default/units HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json", body), 30
            )
            statuses[status_and_code(data)[0]] += 1
        except (asyncio.TimeoutError, OSError):
            statuses["error"] += 1
        i += 1
        await asyncio.sleep(0.1)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--uploads", type=int, default=2000)
    ap.add_argument("--seconds", type=int, default=60)
    args = ap.parse_args()
    stop = asyncio.Event()
    results, probes, writes = collections.Counter(), collections.Counter(), collections.Counter()
    latencies = []
    tasks = [asyncio.ensure_future(probe(args.port, latencies, probes, stop)),
             asyncio.ensure_future(write_units(args.port, writes, stop))]
    uploads = []
    for _ in range(args.uploads):
        uploads.append(asyncio.ensure_future(trickle(args.port, results, stop)))
        await asyncio.sleep(0.002)
    await asyncio.sleep(max(0, args.seconds - args.uploads * 0.002))
    stop.set()
    await asyncio.gather(*tasks, *uploads, return_exceptions=True)
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0
    print("uploads:", dict(results))
    print("probes:", dict(probes), "p50 %.1f ms p99 %.1f ms max %.1f ms" % (pct(0.5), pct(0.99), latencies[-1] if latencies else 0))
    print("unit writes:", dict(writes))


if __name__ == "__main__":
    asyncio.run(main())
