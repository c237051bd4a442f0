#!/usr/bin/env bash
# Disk space after deletes: imports a generated memory of N units (default
# 100,000), deletes it, imports it again, deletes it again, and prints the
# data dir's size after each step; then stops the server and runs
# `mustalah compact`, which gives the space back.
#
#   cargo build --release && tests/storage/space.sh target/release/mustalah [N]
set -euo pipefail
BIN=$(realpath "${1:-target/release/mustalah}")
N=${2:-100000}
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 10000))
BASE="http://127.0.0.1:$PORT"
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
python3 - "$N" >"$WORK/tm.tsv" <<'PY'
import sys
print("en\tar")
for i in range(int(sys.argv[1])):
    print(f"Line {i} of the generated memory about topic {i % 997}\tالسطر {i} من الذاكرة المولدة عن الموضوع {i % 997}")
PY
"$BIN" serve --addr "127.0.0.1:$PORT" --no-seed --data-dir "$WORK/data" >"$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
size() { echo "$1: $(du -sb "$WORK/data" | cut -f1) bytes"; }
size "empty"
for round in 1 2; do
  curl -sf -XPUT "$BASE/v1/memories/big" -H 'content-type: application/json' \
    -d '{"source_lang":"en","target_lang":"ar"}' >/dev/null
  curl -sf -XPOST "$BASE/v1/memories/big/import?format=tsv" \
    -H 'content-type: text/tab-separated-values' --data-binary @"$WORK/tm.tsv" >/dev/null
  size "round $round: after importing $N units"
  curl -sf -XDELETE "$BASE/v1/memories/big" >/dev/null
  sleep 2 # sled's background flush and segment cleaner
  size "round $round: after deleting them"
done
kill "$PID"; wait "$PID" || true; PID=
"$BIN" compact --data-dir "$WORK/data"
size "after mustalah compact"
