#!/usr/bin/env bash
# `make compat`: the suite against the embedded stub, moto and LocalStack (real processes), then the
# compatibility table written into README.md between the compat markers.
set -uo pipefail
cd "$(dirname "$0")/.."
LC=${LC:-cargo run --quiet --}
SEED=${SEED:-1a3bc0de}
CASES=${CASES:-8}
# Each run may find divergences (exit 1): that is the point, so only set-up errors stop the table.
$LC run --seed "$SEED" --cases "$CASES" --report-dir reports/stub --regressions none -q; rc=$?
[ $rc -le 1 ] || exit $rc
for t in moto localstack; do
  scripts/emulator.sh run "$t" -- $LC run --endpoint {endpoint} --target "$t" --seed "$SEED" --cases "$CASES" \
    --report-dir "reports/$t" --regressions none -q; rc=$?
  [ $rc -le 1 ] || exit $rc
done
$LC compat reports/stub/report.json reports/moto/report.json reports/localstack/report.json --readme README.md
