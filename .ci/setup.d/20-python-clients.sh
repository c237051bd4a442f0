#!/usr/bin/env bash
# Third-party Python clients that tests drive against a spawned server
# (translate-toolkit, protocol clients, …): one venv, target/clients-venv,
# with the requirements listed in .ci/python-clients.d/*.txt.
# Tests find it through MUSTALAH_CLIENTS_VENV (default: that path) and print
# `skipped: …` when it is absent.
set -uo pipefail
cd "$(dirname "$0")/../.."
venv="${MUSTALAH_CLIENTS_VENV:-target/clients-venv}"
shopt -s nullglob
reqs=(.ci/python-clients.d/*.txt)
[ ${#reqs[@]} -eq 0 ] && exit 0
fail() {
  if [ "${CI:-}" = "true" ]; then echo "error: python clients: $1" >&2; exit 1; fi
  echo "skipped: python clients ($1)"; exit 0
}
command -v python3 >/dev/null || fail "python3 not installed"
stamp="$venv/.requirements"
want="$(cat "${reqs[@]}" | sort)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
python3 -m venv "$venv" || fail "python3 -m venv failed"
args=()
for r in "${reqs[@]}"; do args+=(-r "$r"); done
timeout 1200 "$venv/bin/pip" install --quiet "${args[@]}" || fail "pip install failed"
printf '%s' "$want" > "$stamp"
echo "installed: python clients in $venv"
