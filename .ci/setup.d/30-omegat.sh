#!/usr/bin/env bash
# OmegaT (Debian's package, 3.6) and a Java runtime, for the CAT round-trip
# tests that run OmegaT in console mode.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec .ci/apt-install omegat default-jre-headless
