#!/usr/bin/env bash
# Times sigma-lint over the SigmaHQ snapshot (every check, SigmaHQ preset)
# and over one file, with the release build. Speed targets are measured
# here, not in timed tests.
#
# Usage: scripts/bench_lint.sh [SHARED_DIR] [RUNS]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${1:-${SIGMA_SHARED:-$root/../shared}}"
runs="${2:-5}"
bin="$root/target/release/sigma-lint"

cargo build --release -p sigma-lint --manifest-path "$root/Cargo.toml" >&2
cd "$shared/sigmahq"
folders=(rules rules-compliance rules-dfir rules-emerging-threats rules-placeholder
         rules-threat-hunting deprecated unsupported)
one="rules/windows/process_creation/proc_creation_win_susp_whoami_as_param.yml"

measure() {
    local label="$1"; shift
    if command -v hyperfine >/dev/null; then
        echo "$label:"
        hyperfine --style basic --warmup 1 --runs "$runs" -i \
            "$bin --no-config --no-progress --format concise $* >/dev/null" | grep -E 'Time|Range'
        return
    fi
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s.%N)
        "$bin" --no-config --no-progress --format concise "$@" >/dev/null || true
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc)")
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
    echo "$label: median ${median}s wall over $runs runs (all: ${times[*]})"
}

echo "files: $(find "${folders[@]}" -name '*.yml' | wc -l), cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "corpus, every check" --preset sigmahq --select all "${folders[@]}"
measure "corpus, parse only (A002)" --select A002 "${folders[@]}"
measure "one file, every check" --preset sigmahq --select all "$one"
