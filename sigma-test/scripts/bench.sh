#!/usr/bin/env bash
# Speed of sigma-test on the shared corpus (release build). Prints wall and
# CPU time of:
#   1. the SigmaHQ regression suite with every rule loaded (target < 0.5 s),
#   2. `sigma-test match` of the SigmaHQ rules over ../shared/evtx.
# Usage: sigma-test/scripts/bench.sh [SHARED_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
shared="${1:-${SIGMA_SHARED:-../shared}}"
[ -d "$shared" ] || { echo "skipped: $shared not found" >&2; exit 0; }

cargo build --release -q -p sigma-test
bin=target/release/sigma-test

echo "== regression suite ($shared/sigmahq), 3 runs"
# The snapshot holds part of SigmaHQ's data (missing files are skipped) and
# four stale match_counts, so the exit status is 1 by design: ignore it.
for _ in 1 2 3; do
    /usr/bin/time -f "%e s wall, %U s user, %S s sys" \
        "$bin" --quiet --skip-missing-data "$shared/sigmahq" | tail -n 1 || true
done

echo "== match: SigmaHQ rules over $shared/evtx"
/usr/bin/time -f "%e s wall, %U s user, %S s sys" \
    "$bin" match --total --rules "$shared/sigmahq/rules" --events "$shared/evtx"
