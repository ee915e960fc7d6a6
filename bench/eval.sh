#!/usr/bin/env bash
# Times rule evaluation side by side: every SigmaHQ Windows rule (~2,870) over
#   - the ~500,000-line JSONL stream of make-events.sh,
#   - every .evtx of ../shared/evtx and of SigmaHQ's regression data (~1,000 files, ~33k events),
# with rule-load time (same rules, no event) and peak RSS; then SigmaHQ's whole regression
# suite with every rule loaded. Ours: target/release/sigma-test (skipped with a message until
# it is built); theirs: rsigma 0.23 (`engine eval`, `rule backtest`).
# Prints a Markdown table: time, events/s (also net of rule loading), peak RSS, stdout lines
# and the time ratio to ours. Results also go to $BENCH_SCRATCH/eval-results.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_shared

# --- Commands under test (flags may still change: edit here) ---------------------------
# EVAL_PARTS picks sections; RSIGMA picks the binary (one built with --features evtx for
# the evtx and regression rows).
EVAL_PARTS="${EVAL_PARTS:-load jsonl evtx regression}"
RSIGMA="${RSIGMA:-rsigma}"
OURS_TEST="${OURS_TEST:-$REPO_ROOT/target/release/sigma-test}"
OURS_THREADS=(${OURS_THREADS:-1 2})
ours_match() { # THREADS EVENTS_PATH
    echo "$OURS_TEST" match --rules "$BENCH_SCRATCH/windows-rules" --events "$2" --threads "$1"
}
OURS_REGRESSION_ARGS=("$SIGMAHQ")
# rsigma matches field names at the top level of an event and has no unwrapping of the
# Windows layout {"Event": {"System": ..., "EventData": ...}}. For JSONL it reads the flat
# copy of the same events; for .evtx (nested as evtx renders it) this jq filter lifts
# EventData and the System fields that rules name, done inside rsigma and timed with it.
# (One line: hyperfine re-parses the command line.)
RSIGMA_FLATTEN='.Event as $e | (if ($e.EventData | type) == "object" then $e.EventData else {} end) + {EventID: $e.System.EventID, Channel: $e.System.Channel, Computer: $e.System.Computer, Provider_Name: $e.System.Provider["#attributes"].Name}'
# ----------------------------------------------------------------------------------------

mkdir -p "$BENCH_SCRATCH"
ensure_tools
prepare_rule_sets
if [[ ! -f "$BENCH_SCRATCH/events.jsonl" || ! -f "$BENCH_SCRATCH/events-flat.jsonl" \
    || ! -d "$BENCH_SCRATCH/evtx-all" ]]; then
    "$BENCH_DIR/make-events.sh"
fi
JSONL="$BENCH_SCRATCH/events.jsonl"
JSONL_FLAT="$BENCH_SCRATCH/events-flat.jsonl"
JSONL_EVENTS=$(wc -l <"$JSONL")
EVTX_DIR="$BENCH_SCRATCH/evtx-all"
EVTX_FILES=$(find "$EVTX_DIR" -name '*.evtx' | wc -l)
# Event count of the .evtx set: counted once with the evtx crate's numbers from
# reference/dependencies.md unless EVTX_EVENTS is given (32,916 + 166 regression events).
EVTX_EVENTS="${EVTX_EVENTS:-33082}"
EMPTY="$BENCH_SCRATCH/empty.jsonl"
: >"$EMPTY"

# The regression .evtx files under their SigmaHQ-relative paths, for rsigma's backtest.
REG_CORPUS="$BENCH_SCRATCH/regression-evtx"
if [[ ! -d "$REG_CORPUS" ]]; then
    (cd "$SIGMAHQ/regression_data" && find . -name '*.evtx' | while IFS= read -r f; do
        mkdir -p "$REG_CORPUS/$(dirname "$f")"
        cp "$f" "$REG_CORPUS/$f"
    done)
fi
python3 "$BENCH_DIR/regression_expectations.py" "$SIGMAHQ/regression_data" \
    "$BENCH_SCRATCH/regression-expectations.yml"

have_ours=0
[[ -x "$OURS_TEST" ]] && have_ours=1
have_rsigma=0
command -v "$RSIGMA" >/dev/null && have_rsigma=1
rsigma_evtx=0
if ((have_rsigma)) && "$RSIGMA" --features 2>/dev/null | grep -q -w evtx; then
    rsigma_evtx=1
fi
no_ours="$OURS_TEST not built (cargo build --release -p sigma-test)"

W="$WINDOWS_RULES_COUNT Windows rules"

part() { [[ " $EVAL_PARTS " == *" $1 "* ]]; }

# 1. Rule loading alone: the same rules, an empty event stream.
part load && {
group="load ($W, 0 events)"
if ((have_ours)); then
    for t in "${OURS_THREADS[@]}"; do
        measure "$group | ours ${t}t" "" -- $(ours_match "$t" "$EMPTY")
    done
else
    skip "$group | ours" "$no_ours"
fi
if ((have_rsigma)); then
    measure "$group | rsigma" "" -- \
        "$RSIGMA" engine eval -r "$BENCH_SCRATCH/windows-rules" -e "@$EMPTY"
fi

}

# 2. The JSONL stream.
part jsonl && {
group="jsonl ($W, $JSONL_EVENTS events)"
export EVENTS="$JSONL_EVENTS"
if ((have_ours)); then
    for t in "${OURS_THREADS[@]}"; do
        measure "$group | ours ${t}t" "nested SigmaHQ layout" -- $(ours_match "$t" "$JSONL")
    done
else
    skip "$group | ours" "$no_ours"
fi
if ((have_rsigma)); then
    measure "$group | rsigma" "flat copy of the same events; single-threaded" -- \
        "$RSIGMA" engine eval -r "$BENCH_SCRATCH/windows-rules" -e "@$JSONL_FLAT"
    measure "$group | rsigma --jq" "nested layout flattened by --jq inside rsigma" -- \
        "$RSIGMA" engine eval -r "$BENCH_SCRATCH/windows-rules" -e "@$JSONL" --jq "$RSIGMA_FLATTEN"
fi

}

# 3. The .evtx files. rsigma's eval takes one event file per run, so its backtest command
# (same stream loop, counts instead of printed matches) reads the folder in one process.
part evtx && {
group="evtx ($W, $EVTX_FILES files, ~$EVTX_EVENTS events)"
export EVENTS="$EVTX_EVENTS"
if ((have_ours)); then
    for t in "${OURS_THREADS[@]}"; do
        measure "$group | ours ${t}t" "" -- $(ours_match "$t" "$EVTX_DIR")
    done
else
    skip "$group | ours" "$no_ours"
fi
if ((rsigma_evtx)); then
    measure "$group | rsigma backtest" "EventData lifted by --jq" -- \
        "$RSIGMA" rule backtest -r "$BENCH_SCRATCH/windows-rules" --corpus "$EVTX_DIR" \
        --jq "$RSIGMA_FLATTEN"
elif ((have_rsigma)); then
    skip "$group | rsigma" "rsigma built without the evtx feature (cargo install rsigma \
--features evtx)"
fi
unset EVENTS
}

# 4. SigmaHQ's regression suite, every rule loaded.
part regression && {
group="regression suite (all rules, 135 .evtx)"
if ((have_ours)); then
    measure "$group | ours" "" -- "$OURS_TEST" "${OURS_REGRESSION_ARGS[@]}"
else
    skip "$group | ours" "$no_ours"
fi
if ((rsigma_evtx)); then
    measure "$group | rsigma backtest" "expectations from info.yml; --jq flattening" -- \
        "$RSIGMA" rule backtest -r "$BENCH_SCRATCH/corpus" --corpus "$REG_CORPUS" \
        --expectations "$BENCH_SCRATCH/regression-expectations.yml" --jq "$RSIGMA_FLATTEN"
fi
}

{
    echo "# eval benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    tool_versions | sed 's/^/- /'
    echo "- runs: $RUNS (+$WARMUP warm-up), peak RSS from one more run under GNU time"
    echo "- net events/s subtracts the tool's own rule-load time (group \"load\")"
    echo
    print_table
} | tee "$BENCH_SCRATCH/eval-results.md"
