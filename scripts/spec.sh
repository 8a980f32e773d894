#!/usr/bin/env bash
# Regenerates specs/PROFILE/model.toml from the pinned botocore release (what `make spec` runs).
#
#   scripts/spec.sh aws-2026 | seed-2020 | all
#
# For each profile: installs the pinned botocore into a throwaway venv, finds
# botocore/data/lambda/2015-03-31/service-2.json(.gz) in it, and runs
#   $LC spec import --botocore PATH --botocore-version V --profile PROFILE
# which writes specs/PROFILE/model.toml. For profiles with a pinned cfn-lint, it then installs that
# cfn-lint (--no-deps, never imported) and runs scripts/cfn-lint-rules.py, which writes
# specs/PROFILE/cfn-lint.toml: the AWS-maintained Lambda rules of cfn-lint's schema extensions. LC defaults to `cargo run --quiet --`; before the CLI has the
# subcommand, `LC="cargo run --quiet --example import --" scripts/spec.sh all` does the same.
set -euo pipefail

usage() {
    echo "usage: $0 aws-2026|seed-2020|all" >&2
    exit 2
}

# The botocore release each profile is generated from.
pinned() {
    case "$1" in
        aws-2026) echo 1.44.8 ;;
        seed-2020) echo 1.17.63 ;;
        *) return 1 ;;
    esac
}

# The cfn-lint release whose Lambda schema extensions a profile takes (none: no cfn-lint.toml).
pinned_cfn_lint() {
    case "$1" in
        aws-2026) echo 1.58.0 ;;
        *) return 1 ;;
    esac
}

[[ $# -eq 1 ]] || usage
case "$1" in
    all) profiles=(aws-2026 seed-2020) ;;
    *) pinned "$1" >/dev/null || usage; profiles=("$1") ;;
esac

cd "$(dirname "$0")/.."
read -r -a lc <<<"${LC:-cargo run --quiet --}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/lambda-conform-spec.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

for profile in "${profiles[@]}"; do
    version="$(pinned "$profile")"
    venv="$tmp/venv-$profile"
    python3 -m venv "$venv"
    # --no-deps: only the data files are read, botocore is never imported.
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "botocore==$version"

    mapfile -t found < <(find "$venv" -path '*/site-packages/botocore/data/lambda/2015-03-31/*' \
        \( -name service-2.json -o -name service-2.json.gz \) | sort)
    if [[ ${#found[@]} -ne 1 ]]; then
        echo "error: expected one Lambda service-2.json(.gz) in botocore $version, found ${#found[@]}" >&2
        exit 1
    fi

    out="specs/$profile/model.toml"
    touch "$tmp/stamp"
    "${lc[@]}" spec import --botocore "${found[0]}" --botocore-version "$version" --profile "$profile"
    if [[ ! "$out" -nt "$tmp/stamp" ]]; then
        echo "error: '${lc[*]} spec import' did not write $out (is the subcommand wired?" \
            "LC=\"cargo run --quiet --example import --\" runs the importer directly)" >&2
        exit 1
    fi
    echo "$out: botocore $version, $(grep -c '^\[\[member\]\]$' "$out") input paths," \
        "$(grep -c '^\[\[error\]\]$' "$out") errors" >&2
    rm -rf "$venv"

    if cfn_version="$(pinned_cfn_lint "$profile")"; then
        venv="$tmp/venv-cfn-lint-$profile"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "cfn-lint==$cfn_version"
        mapfile -t pkg < <(find "$venv" -path '*/site-packages/cfnlint' -type d | sort)
        if [[ ${#pkg[@]} -ne 1 ]]; then
            echo "error: expected one cfnlint package in cfn-lint $cfn_version, found ${#pkg[@]}" >&2
            exit 1
        fi
        python3 scripts/cfn-lint-rules.py --package "${pkg[0]}" --version "$cfn_version" \
            --model "$out" --out "specs/$profile/cfn-lint.toml"
        rm -rf "$venv"
    fi
done
