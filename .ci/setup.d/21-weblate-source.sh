#!/usr/bin/env bash
# Weblate's machinery source (the tmserver client), from the pinned PyPI
# wheel, without its dependencies: Weblate pins an older translate-toolkit
# than the shared client venv and needs native builds (tesserocr, pycairo,
# PyGObject). tests/compat/weblate_tmserver.py runs the machinery classes
# from this source with the shared venv's `requests`.
# Target: target/weblate-src (env MUSTALAH_WEBLATE_SRC overrides).
set -uo pipefail
cd "$(dirname "$0")/../.."
version="5.14.3"
dest="${MUSTALAH_WEBLATE_SRC:-target/weblate-src}"
venv="${MUSTALAH_CLIENTS_VENV:-target/clients-venv}"
fail() {
  if [ "${CI:-}" = "true" ]; then echo "error: weblate source: $1" >&2; exit 1; fi
  echo "skipped: weblate source ($1)"; exit 0
}
[ -f "$dest/.version" ] && [ "$(cat "$dest/.version")" = "$version" ] && exit 0
pip="$venv/bin/pip"
[ -x "$pip" ] || pip="$(command -v pip3 || true)"
[ -n "$pip" ] || fail "no pip"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
timeout 600 "$pip" download --quiet --no-deps "weblate==$version" -d "$tmp" || fail "pip download failed"
wheel="$(ls "$tmp"/weblate-"$version"-*.whl 2>/dev/null | head -1)"
[ -n "$wheel" ] || fail "no wheel downloaded"
rm -rf "$dest" && mkdir -p "$dest"
python3 - "$wheel" "$dest" <<'PY' || fail "unzip failed"
import sys, zipfile
wheel, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for n in z.namelist():
        if n.startswith(("weblate/machinery/", "weblate/utils/requests.py")) or n.endswith("LICENSE"):
            z.extract(n, dest)
PY
printf '%s' "$version" > "$dest/.version"
echo "installed: weblate $version machinery source in $dest"
