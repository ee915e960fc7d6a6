#!/usr/bin/env bash
# Times rule linting side by side, in one go: the whole corpus and a single rule file.
#   sigma check (sigma-cli + pySigma + SigmaHQ validators, SigmaHQ's sigma_cli_conf.yml)
#   rsigma rule lint and rsigma rule validate
#   ours: target/release/sigma-lint (skipped with a message until it is built)
# Prints a Markdown table: mean/min wall time, peak RSS, exit code and each time as a ratio
# to ours (2.00x = ours twice as fast). Results also go to $BENCH_SCRATCH/lint-results.md.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
need_shared

# --- Commands under test (flags may still change: edit here) ---------------------------
OURS_LINT="${OURS_LINT:-$REPO_ROOT/target/release/sigma-lint}"
OURS_LINT_ARGS=(--preset sigmahq --validation-config "$SIGMAHQ/tests/sigma_cli_conf.yml")
SIGMA_CHECK_ARGS=(check --fail-on-error --fail-on-issues
    --validation-config "$SIGMAHQ/tests/sigma_cli_conf.yml")
RSIGMA_LINT_ARGS=(rule lint)
RSIGMA_VALIDATE_ARGS=(rule validate)
# The corpus as the brief states it, SigmaHQ CI's own `sigma check` set (rules* only), and
# one ordinary process_creation rule.
CORPUS=("$SIGMAHQ"/rules* "$SIGMAHQ/deprecated" "$SIGMAHQ/unsupported")
CI_SET=("$SIGMAHQ"/rules*)
SINGLE_RULE_DEFAULT="rules/windows/process_creation/proc_creation_win_7zip_exfil_dmp_files.yml"
SINGLE_RULE="${SINGLE_RULE:-$SIGMAHQ/$SINGLE_RULE_DEFAULT}"
# ----------------------------------------------------------------------------------------

mkdir -p "$BENCH_SCRATCH"
ensure_tools
prepare_sigma_check
prepare_rule_sets
SIGMA="$(sigma_exe)"

count() { find "$@" -name '*.yml' -type f | wc -l; }
SETS=(corpus ci single)
declare -A SET_NOTE=(
    [corpus]="rules* deprecated unsupported, $(count "${CORPUS[@]}") files"
    [ci]="rules* only (SigmaHQ CI's sigma check set), $(count "${CI_SET[@]}") files"
    [single]="$(basename "$SINGLE_RULE")"
)
paths_of() {
    case "$1" in
        corpus) printf '%s\n' "${CORPUS[@]}" ;;
        ci) printf '%s\n' "${CI_SET[@]}" ;;
        single) printf '%s\n' "$SINGLE_RULE" ;;
    esac
}

for set in "${SETS[@]}"; do
    mapfile -t paths < <(paths_of "$set")
    group="lint $set (${SET_NOTE[$set]})"

    if [[ -x "$OURS_LINT" ]]; then
        measure "$group | ours sigma-lint" "" -- "$OURS_LINT" "${OURS_LINT_ARGS[@]}" "${paths[@]}"
    else
        skip "$group | ours sigma-lint" \
            "$OURS_LINT not built (cargo build --release -p sigma-lint)"
    fi

    if command -v sigma >/dev/null; then
        # HOME holds pySigma's data cache (seeded from ../shared when offline).
        measure "$group | sigma check" "pySigma data: $SIGMA_DATA_MODE" -- \
            env HOME="$SIGMA_HOME" "$SIGMA" "${SIGMA_CHECK_ARGS[@]}" "${paths[@]}"
    else
        skip "$group | sigma check" "sigma-cli not installed"
    fi

    if command -v rsigma >/dev/null; then
        # rsigma takes one path: a scratch folder of links stands for several folders.
        case "$set" in
            corpus) one="$BENCH_SCRATCH/corpus" ;;
            ci) one="$BENCH_SCRATCH/ci-set" ;;
            single) one="$SINGLE_RULE" ;;
        esac
        measure "$group | rsigma rule lint" "" -- rsigma "${RSIGMA_LINT_ARGS[@]}" "$one"
        if [[ -d "$one" ]]; then
            measure "$group | rsigma rule validate" "" -- \
                rsigma "${RSIGMA_VALIDATE_ARGS[@]}" "$one"
        else
            # 0.23 fails with "IO error: Not a directory" (exit 2) on a file.
            skip "$group | rsigma rule validate" "takes a directory only"
        fi
    else
        skip "$group | rsigma" "rsigma not installed"
    fi
done

{
    echo "# lint benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    tool_versions | sed 's/^/- /'
    echo "- $SIGMA_DATA_NOTE"
    echo "- runs: $RUNS (+$WARMUP warm-up), peak RSS from one more run under GNU time"
    echo
    print_table
} | tee "$BENCH_SCRATCH/lint-results.md"
