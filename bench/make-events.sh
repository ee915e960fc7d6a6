#!/usr/bin/env bash
# Builds the event inputs of eval.sh in the scratch dir (never in the repo):
#   events.jsonl       ~500,000 Windows events, SigmaHQ's nested layout (EVENT_LINES to change)
#   events-flat.jsonl  the same events flattened (EventData fields at the top level)
#   evtx-files.txt     every .evtx of ../shared/evtx and of SigmaHQ's regression data
#   evtx-all/          copies of those files in one folder, for tools that take a directory
# Existing outputs with the requested line count are kept; FORCE=1 rebuilds them.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_shared

EVENT_LINES="${EVENT_LINES:-500000}"
mkdir -p "$BENCH_SCRATCH"

build() {
    local shape="$1" out="$2"
    if [[ "${FORCE:-0}" != 1 && -f "$out" ]] \
        && [[ "$(wc -l <"$out")" == "$EVENT_LINES" ]]; then
        log "kept $out ($EVENT_LINES lines)"
        return
    fi
    python3 "$BENCH_DIR/make_events.py" "$SIGMAHQ/regression_data" "$out" \
        --lines "$EVENT_LINES" --shape "$shape"
}

build nested "$BENCH_SCRATCH/events.jsonl"
build flat "$BENCH_SCRATCH/events-flat.jsonl"

find "$SHARED/evtx" "$SIGMAHQ/regression_data" -name '*.evtx' -type f | sort \
    >"$BENCH_SCRATCH/evtx-files.txt"
# Copies, not links: some walkers skip symlinks. ~75 MB, in scratch only.
rm -rf "$BENCH_SCRATCH/evtx-all"
mkdir -p "$BENCH_SCRATCH/evtx-all"
n=0
while IFS= read -r f; do
    n=$((n + 1))
    cp "$f" "$BENCH_SCRATCH/evtx-all/$(printf '%04d' "$n")-$(basename "$f")"
done <"$BENCH_SCRATCH/evtx-files.txt"
log "listed $n .evtx files in $BENCH_SCRATCH/evtx-files.txt (copied to evtx-all/)"
ls -l "$BENCH_SCRATCH"/events*.jsonl >&2
