#!/usr/bin/env bash
# `make compat`: the suite and the AWS replay against the embedded stub, moto and LocalStack (real
# processes, loopback only), then COMPATIBILITY.md: one table, check id × endpoint, with each
# endpoint's AWS parity score (`lambda-conform matrix`).
set -uo pipefail
cd "$(dirname "$0")/.."
LC=${LC:-cargo run --quiet --}
SEED=${SEED:-1a3bc0de}
CASES=${CASES:-8}
OUT=${OUT:-COMPATIBILITY.md}
TARGETS=${TARGETS:-moto localstack}
# A run may find divergences (exit 1): that is the point, so only set-up errors (2, 3) stop the table.
ok() { rc=$1; [ "$rc" -le 1 ] || exit "$rc"; }
$LC run --seed "$SEED" --cases "$CASES" --report-dir reports/stub --regressions none -q; ok $?
$LC replay --seed "$SEED" --report-dir reports/stub -q; ok $?
reports=(reports/stub/report.json)
for t in $TARGETS; do
  scripts/emulator.sh run "$t" -- sh -c "$LC run --endpoint {endpoint} --target $t --seed $SEED --cases $CASES \
    --report-dir reports/$t --regressions none -q; rc=\$?; [ \$rc -le 1 ] || exit \$rc; \
    $LC replay --endpoint {endpoint} --target $t --seed $SEED --report-dir reports/$t -q; rc=\$?; [ \$rc -le 1 ] || exit \$rc"
  ok $?
  reports+=("reports/$t/report.json")
done
$LC matrix "${reports[@]}" --out "$OUT"
