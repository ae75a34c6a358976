#!/usr/bin/env bash
# Runs every Notebooks-scripts/*.sh as a smoke test (part of `make test`):
# each must exit 0 and write its outputs. Uses $MOODBIOME (default: the
# debug build `swift test` leaves behind) and a temporary results folder.
set -euo pipefail
cd "$(dirname "$0")/.."
export MOODBIOME="${MOODBIOME:-.build/debug/moodbiome}"
[ -x "$MOODBIOME" ] || swift build --product moodbiome >/dev/null
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
for script in Notebooks-scripts/*.sh; do
  echo "smoke: $script" >&2
  bash "$script" "$OUT" >/dev/null 2>"$OUT/stderr.log" || { cat "$OUT/stderr.log" >&2; echo "smoke: $script FAILED" >&2; exit 1; }
done
echo "smoke: all notebook scripts ran" >&2
