#!/usr/bin/env python3
"""End-to-end timing of `POST /v1/suggest`: a ~1,000-word Arabic article
against a 1M-unit memory and a 100k-entry term base, over HTTP.

Two modes (Python standard library only):

1. `prepare` builds the data directory with the CLI (the server must not be
   running on it: the store is opened exclusively):

     cargo build --release
     python3 tests/load/suggest_e2e.py prepare \\
         --corpus /tmp/tmbench/corpus_1m.tsv --data-dir /tmp/e2e-data

   which runs, in order,
     * a copy of the corpus whose header names the columns by language:
       the corpus header is `source target origin` with English sources,
       so the copy's header is `en ar origin` and the memory is ar→en;
     * `target/release/mustalah tm import <copy> --memory big
        --source-lang ar --target-lang en --data-dir /tmp/e2e-data`
     * a 100,000-entry term base CSV (`id,ar,en,pos,domain,status,
       ar_variants,note`), synthesized exactly like benches/termbase.rs
       (one entry in a hundred made of the article's own words, the rest
       from a deterministic pseudo-Arabic vocabulary);
     * `target/release/mustalah terms import <csv> --termbase synth100k
        --data-dir /tmp/e2e-data`;
     * `target/release/mustalah tm import <news.ar-en.tsv>
        --memory news --source-lang ar --target-lang en --data-dir /tmp/e2e-data`:
       8 sentences of the article paired with English translations written
       for this benchmark (tests/load/waic-article-translations.tsv holds
       only our English and the sentence's number in the article; the
       Arabic is read from the article at prepare time, so none of the
       third-party text lives in this repository), so that some segments
       get exact matches and the alignment and checks run (the 1M-unit
       software-UI memory has no match of 70 or more for news sentences).
   The seed term base `tech` (glossary/tech.ar-en.csv) is loaded by the
   server on its first start.

2. `run` times the requests against a running release server:

     target/release/mustalah serve --data-dir /tmp/e2e-data --addr 127.0.0.1:18095 &
     python3 tests/load/suggest_e2e.py run --url http://127.0.0.1:18095 \\
         --article ../shared/data/articles/waic-2025-deepseek.ar.txt --words 1000 \\
         --memories big,news --termbases tech,synth100k --repeats 20 --server-pid $!

   The article (478 words) is repeated and cut at the first sentence end
   after `--words` words. The copies are verbatim: the server keeps no
   cache between segments or requests, so a repeated sentence costs what a
   new one does (were a cache added, the copies would need marking).
   One warm-up request is not counted. Prints p50/p90/max latency, the
   server's CPU time per request (with `--server-pid`), the response size,
   the segment count, how many segments got a suggestion of each kind, and
   the checks by code.

Only loopback URLs are accepted.
"""
import argparse
import collections
import csv
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_ARTICLE = os.path.join(ROOT, "..", "shared", "data", "articles", "waic-2025-deepseek.ar.txt")
ARTICLE_TRANSLATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "waic-article-translations.tsv")
SENTENCE_END = re.compile(r"[.!?؟\n]")
WORD = re.compile(r"\S+")


def word_count(text):
    return sum(1 for _ in WORD.finditer(text))


# ---------------------------------------------------------------- article

def article_text(path, words):
    """The article repeated to at least `words` words, cut at a sentence end."""
    with open(path, encoding="utf-8") as f:
        # Each copy starts on its own line.
        article = f.read().rstrip("\n") + "\n"
    if not article.split():
        sys.exit(f"{path}: empty article")
    text = ""
    # Every copy ends with a line break, so a sentence end follows the cut.
    while word_count(text) < words:
        text += article
    count = 0
    for m in WORD.finditer(text):
        count += 1
        if count >= words:
            end = SENTENCE_END.search(text, m.end() - 1)
            return text[: end.end()] if end else text
    return text


# ---------------------------------------------------------------- prepare

def is_arabic_letter(c):
    o = ord(c)
    return (0x0621 <= o <= 0x064A or 0x0671 <= o <= 0x06D3
            or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFC)


def arabic_vocab(text):
    words, cur = set(), []
    for c in text + " ":
        if is_arabic_letter(c):
            cur.append(c)
        else:
            if len(cur) >= 3:
                words.add("".join(cur))
            cur = []
    return sorted(words)


def english_vocab():
    syll = ["da", "ta", "ser", "ver", "net", "work", "com", "pute", "chip", "log", "ic", "gra",
            "phi", "cal", "pro", "ces", "sor", "mem", "o", "ry"]
    return [a + b for a in syll for b in syll]


def synthetic_arabic(n):
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    state = 0x9E3779B97F4A7C15
    mask = (1 << 64) - 1
    out = []

    def nxt():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) & mask
        return state >> 33

    for _ in range(n):
        length = 4 + nxt() % 4
        out.append("".join(letters[nxt() % len(letters)] for _ in range(length)))
    return out


def write_termbase_csv(path, article_path, entries):
    """The 100k concepts of benches/termbase.rs, as term-base CSV."""
    with open(article_path, encoding="utf-8") as f:
        article_words = arabic_vocab(f.read())
    ar = synthetic_arabic(20_000)
    en = english_vocab()
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "ar", "en", "pos", "domain", "status", "ar_variants", "note"])
        for i in range(entries):
            n = 1 + i % 3

            def pick(v, k):
                return v[(i * (7 + 13 * k) + k * 31 + i // len(v)) % len(v)]

            vocab = article_words if i % 100 == 0 else ar
            ar_t = " ".join(pick(vocab, k) for k in range(n))
            en_t = " ".join(pick(en, k) for k in range(n)) + f" x{i}"
            w.writerow([f"s{i:06d}", ar_t, en_t, "", "", "", "", ""])


def relabelled_corpus(src, dst):
    """Copy of a `source target origin` TSV with English sources, headed by language."""
    with open(src, encoding="utf-8") as fin:
        header = fin.readline().rstrip("\n").split("\t")
        if header[:2] == ["en", "ar"] or header[:2] == ["ar", "en"]:
            return src
        if header[:2] != ["source", "target"]:
            sys.exit(f"{src}: unexpected header {header}")
        with open(dst, "w", encoding="utf-8") as fout:
            fout.write("\t".join(["en", "ar"] + header[2:]) + "\n")
            while True:
                chunk = fin.read(1 << 20)
                if not chunk:
                    break
                fout.write(chunk)
    return dst


def article_sentences(text):
    """The article's sentences: cut after each SENTENCE_END, stripped; the
    numbering that waic-article-translations.tsv refers to."""
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        s = text[start:m.end()].strip()
        if len(s) > 1:
            out.append(s)
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def write_article_units(article, dst):
    """Pairs our English translations with the article's Arabic sentences."""
    with open(article, encoding="utf-8") as f:
        sentences = article_sentences(f.read())
    with open(ARTICLE_TRANSLATIONS, encoding="utf-8") as fin, open(dst, "w", encoding="utf-8") as fout:
        fout.write("ar\ten\n")
        for row in csv.DictReader(fin, delimiter="\t", quoting=csv.QUOTE_NONE):
            i = int(row["sentence"])
            if i >= len(sentences):
                sys.exit(f"{article}: no sentence {i}; is it the article the translations were written for?")
            fout.write(f"{sentences[i]}\t{row['en']}\n")
    return dst


def prepare(args):
    os.makedirs(args.work_dir, exist_ok=True)
    corpus = relabelled_corpus(args.corpus, os.path.join(args.work_dir, "corpus.en-ar.tsv"))
    terms = os.path.join(args.work_dir, "synth100k.ar-en.csv")
    write_termbase_csv(terms, args.article, args.entries)
    news = write_article_units(args.article, os.path.join(args.work_dir, "news.ar-en.tsv"))
    for cmd in (
        [args.binary, "tm", "import", corpus, "--memory", args.memory,
         "--source-lang", "ar", "--target-lang", "en", "--data-dir", args.data_dir],
        [args.binary, "terms", "import", terms, "--termbase", args.termbase,
         "--data-dir", args.data_dir],
        [args.binary, "tm", "import", news, "--memory", "news",
         "--source-lang", "ar", "--target-lang", "en", "--data-dir", args.data_dir],
    ):
        print("+", " ".join(cmd), flush=True)
        t = time.monotonic()
        subprocess.run(cmd, check=True)
        print(f"  {time.monotonic() - t:.1f} s", flush=True)


# ---------------------------------------------------------------- run

def percentile(values, p):
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


def server_cpu_ms(pid):
    """User + system CPU time of a local process, from /proc (Linux)."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def run(args):
    url = urllib.parse.urlparse(args.url)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("only loopback URLs are accepted")
    text = article_text(args.article, args.words)
    body = json.dumps({
        "text": text,
        "source_lang": "ar",
        "target_lang": "en",
        "memories": [m for m in args.memories.split(",") if m],
        "termbases": [t for t in args.termbases.split(",") if t],
        "min_score": args.min_score,
        "limit": args.limit,
    }, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if args.token:
        headers["Authorization"] = "Bearer " + args.token
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=120)

    def call():
        t = time.perf_counter()
        conn.request("POST", "/v1/suggest", body=body, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
        elapsed = time.perf_counter() - t
        if resp.status != 200:
            sys.exit(f"HTTP {resp.status}: {payload[:500].decode('utf-8', 'replace')}")
        return elapsed, payload

    _, payload = call()  # warm-up: page cache, lazily built indexes
    times = []
    cpu0 = server_cpu_ms(args.server_pid)
    for _ in range(args.repeats):
        elapsed, payload = call()
        times.append(elapsed * 1000.0)
    cpu1 = server_cpu_ms(args.server_pid)
    data = json.loads(payload)
    segments = data["segments"]
    kinds = collections.Counter(s["suggestion"]["kind"] for s in segments)
    checks = collections.Counter(c["code"] for s in segments for c in s["checks"])
    with_terms = sum(1 for s in segments if s["terms"])
    hits = sum(len(s["terms"]) for s in segments)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(f"article: {word_count(text)} words, {len(text)} chars, {len(segments)} segments")
    print(f"memories: {args.memories}  termbases: {args.termbases}  "
          f"min_score {args.min_score}  limit {args.limit}")
    print(f"latency over {args.repeats} requests (ms): p50 {percentile(times, 50):.1f}  "
          f"p90 {percentile(times, 90):.1f}  max {max(times):.1f}  min {min(times):.1f}")
    if cpu0 is not None and cpu1 is not None:
        # On a shared machine wall clock depends on the neighbours; the
        # server's own CPU time per request does not.
        print(f"server CPU per request: {(cpu1 - cpu0) / args.repeats:.1f} ms (all threads)")
    print(f"request {len(body) / 1e3:.1f} kB, response {len(payload) / 1e3:.1f} kB")
    print("suggestions: " + ", ".join(
        f"{k} {kinds.get(k, 0)}" for k in ("exact", "fuzzy", "repaired", "terms_only")))
    print(f"term hits: {hits} in {with_terms} segments")
    print("checks: " + (", ".join(f"{k} {v}" for k, v in sorted(checks.items())) or "none"))
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.dump:
        with open(args.dump, "wb") as f:
            f.write(payload)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("prepare", help="import the memory and the term base with the CLI")
    p.add_argument("--corpus", default="/tmp/tmbench/corpus_1m.tsv")
    p.add_argument("--data-dir", default="/tmp/e2e-data")
    p.add_argument("--work-dir", default="/tmp/e2e-prep", help="where the generated files go")
    p.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "mustalah"))
    p.add_argument("--article", default=DEFAULT_ARTICLE)
    p.add_argument("--memory", default="big")
    p.add_argument("--termbase", default="synth100k")
    p.add_argument("--entries", type=int, default=100_000)
    r = sub.add_parser("run", help="time POST /v1/suggest against a running server")
    r.add_argument("--url", default="http://127.0.0.1:18095")
    r.add_argument("--article", default=DEFAULT_ARTICLE)
    r.add_argument("--words", type=int, default=1000)
    r.add_argument("--memories", default="big,news", help="comma-separated")
    r.add_argument("--termbases", default="tech,synth100k", help="comma-separated")
    r.add_argument("--repeats", type=int, default=20)
    r.add_argument("--min-score", type=int, default=70)
    r.add_argument("--limit", type=int, default=3)
    r.add_argument("--token", default=os.environ.get("MUSTALAH_READ_TOKEN"))
    r.add_argument("--dump", help="write the last response body here")
    r.add_argument("--server-pid", type=int, help="server process id, to report its CPU time")
    args = ap.parse_args()
    if args.mode == "prepare":
        prepare(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
