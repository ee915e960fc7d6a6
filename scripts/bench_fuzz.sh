#!/usr/bin/env bash
# Times `sigma-test --fuzz` over the whole SigmaHQ snapshot with the default
# budget (16 inputs per property and rule, seed 0) and prints the fuzzer's
# own summary line: rules, properties, failures, seconds and ms per rule.
# Usage: scripts/bench_fuzz.sh [SHARED_DIR]   (default: ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${1:-${SIGMA_SHARED:-../shared}}"
hq="$shared/sigmahq"
[ -d "$hq" ] || { echo "skipped: $hq not found" >&2; exit 0; }

cargo build --release -p sigma-test >&2
dirs=()
for d in "$hq"/rules*; do [ -d "$d" ] && dirs+=("$d"); done

start=$(date +%s.%N)
./target/release/sigma-test "${dirs[@]}" --no-regression --fuzz -q \
    | grep -E '^fuzz: ' || true
end=$(date +%s.%N)
echo "wall: $(echo "$end - $start" | bc) s (includes loading the rules)"
