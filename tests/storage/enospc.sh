#!/usr/bin/env bash
# Full-disk behaviour of a real server on a small tmpfs (needs root for the
# mount): a write at ENOSPC answers 507 `insufficient_storage` with the
# cause, /readyz answers 503 `storage_failed`, what was stored stays
# searchable, and once space is back the server stops by itself (exit code
# 1) so that a supervisor restarts it; after the restart writes work again.
#
#   cargo build --release && sudo tests/storage/enospc.sh target/release/mustalah
set -euo pipefail
BIN=${1:-target/release/mustalah}
BIN=$(realpath "$BIN")
MNT=$(mktemp -d)
PORT=$((20000 + RANDOM % 10000))
BASE="http://127.0.0.1:$PORT"
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  umount "$MNT" 2>/dev/null || true
  rmdir "$MNT" 2>/dev/null || true
  rm -f "$MNT/../enospc-$PORT.log" "$MNT/../enospc-$PORT.body"
}
trap cleanup EXIT
mount -t tmpfs -o size=48m tmpfs "$MNT"
fail() { echo "FAIL: $*" >&2; exit 1; }

start() {
  "$BIN" serve --addr "127.0.0.1:$PORT" --no-seed --data-dir "$MNT/data" >"$MNT/../enospc-$PORT.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    curl -sf "$BASE/healthz" >/dev/null && return 0
    sleep 0.1
  done
  fail "server did not start"
}
code() { python3 -c 'import json,sys; print(json.load(sys.stdin).get("code",""))'; }

start
curl -sf -XPUT "$BASE/v1/memories/tm" -H 'content-type: application/json' \
  -d '{"source_lang":"en","target_lang":"ar"}' >/dev/null
curl -sf -XPOST "$BASE/v1/memories/tm/units" -H 'content-type: application/json' \
  -d '{"source":"Save the file","target":"احفظ الملف"}' >/dev/null
# Fill the disk.
dd if=/dev/zero of="$MNT/filler" bs=1M 2>/dev/null || true
# Writes until one fails (sled buffers a little before it writes).
status=
for i in $(seq 1 200); do
  out=$(curl -s -o "$MNT/../enospc-$PORT.body" -w '%{http_code}' -XPOST "$BASE/v1/memories/tm/units" \
    -H 'content-type: application/json' \
    -d "{\"source\":\"Unit $i written to a full disk $(head -c 3000 /dev/zero | tr '\0' x)\",\"target\":\"وحدة $i\"}")
  if [ "$out" != 201 ]; then status=$out; break; fi
done
body=$(cat "$MNT/../enospc-$PORT.body")
echo "write at ENOSPC: $status $body"
[ "$status" = 507 ] || fail "expected 507, got $status"
[ "$(echo "$body" | code)" = insufficient_storage ] || fail "code"
echo "$body" | grep -q "No space left" || fail "the cause is not in the message"
r=$(curl -s -w '\n%{http_code}' "$BASE/readyz")
echo "readyz: $r"
[ "$(echo "$r" | tail -1)" = 503 ] || fail "readyz should be 503"
echo "$r" | head -1 | code | grep -q storage_failed || fail "readyz code"
s=$(curl -sf -XPOST "$BASE/v1/memories/tm/search" -H 'content-type: application/json' -d '{"text":"Save the file"}')
echo "$s" | grep -q '"Save the file"' || fail "search lost the stored unit: $s"
n=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$BASE/v1/memories/tm/units" \
  -H 'content-type: application/json' -d '{"source":"Again","target":"مرة أخرى"}')
[ "$n" = 507 ] || fail "a later write should be refused with 507, got $n"
rm -f "$MNT/filler"
for _ in $(seq 1 150); do
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.2
done
if kill -0 "$PID" 2>/dev/null; then fail "server did not stop after space came back"; fi
set +e; wait "$PID"; rc=$?; set -e
PID=
echo "server stopped with exit code $rc once space was back"
[ "$rc" != 0 ] || fail "exit code should be non-zero for a supervisor to restart"
start
curl -sf "$BASE/readyz" >/dev/null || fail "readyz after restart"
n=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$BASE/v1/memories/tm/units" \
  -H 'content-type: application/json' -d '{"source":"After the restart","target":"بعد إعادة التشغيل"}')
[ "$n" = 201 ] || fail "write after restart: $n"
s=$(curl -sf -XPOST "$BASE/v1/memories/tm/search" -H 'content-type: application/json' -d '{"text":"Save the file"}')
echo "$s" | grep -q '"Save the file"' || fail "unit lost across the restart"
echo "ok: 507 at ENOSPC, readyz 503, reads kept, restart after space returned, writes resumed"
