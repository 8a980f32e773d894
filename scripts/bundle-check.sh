#!/usr/bin/env bash
# A results bundle must verify intact, and fail verification once one byte of a report or of an
# exchange is changed. Usage: scripts/bundle-check.sh DIR (the bundle `run --bundle DIR` wrote).
set -euo pipefail
LC=${LC:-cargo run --quiet --}
dir=${1:?usage: scripts/bundle-check.sh BUNDLE_DIR}
$LC verify "$dir"
for f in report.json exchanges.har; do
  copy=$(mktemp -d)
  cp -a "$dir"/. "$copy"/
  # Flip one byte in the middle of the file.
  python3 - "$copy/$f" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = len(b) // 2
b[i] = ord('0') if b[i] != ord('0') else ord('1')
open(p, 'wb').write(bytes(b))
PY
  if $LC verify "$copy" >/dev/null; then
    echo "bundle-check: verify accepted $f with one byte changed" >&2
    rm -rf "$copy"; exit 1
  fi
  echo "bundle-check: one byte changed in $f: rejected, as it must be"
  rm -rf "$copy"
done
