# Shared setup for the benchmark scripts: paths, tool discovery, installs and timing.
# Sourced, not run. Every setting can be overridden from the environment.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
SHARED="${SIGMA_SHARED:-$REPO_ROOT/../shared}"
SHARED="$(cd "$SHARED" 2>/dev/null && pwd || echo "$SHARED")"
SIGMAHQ="$SHARED/sigmahq"
# Scratch space for generated events, caches and result files; never inside the repo.
BENCH_SCRATCH="${BENCH_SCRATCH:-${TMPDIR:-/tmp}/sigma-bench}"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
# Versions the figures in README.md were taken with. rsigma 0.24+ needs rustc 1.96.
RSIGMA_VERSION="${RSIGMA_VERSION:-0.23.0}"
SIGMA_CLI_SPEC="${SIGMA_CLI_SPEC:-sigma-cli==3.1.0}"
VALIDATORS_SPEC="${VALIDATORS_SPEC:-pysigma-validators-sigmahq==0.21.0}"

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

need_shared() {
    [[ -d "$SIGMAHQ/rules" ]] || die "$SIGMAHQ not found (set SIGMA_SHARED)"
}

# Installs what is missing: hyperfine and GNU time from Debian, rsigma from crates.io,
# sigma-cli and the SigmaHQ validators from PyPI. Set BENCH_NO_INSTALL=1 to only report.
ensure_tools() {
    if [[ "${BENCH_NO_INSTALL:-0}" == 1 ]]; then
        return
    fi
    if ! command -v hyperfine >/dev/null || [[ ! -x /usr/bin/time ]]; then
        log "installing hyperfine and time (apt-get)"
        apt-get update -qq >&2 && apt-get install -y -qq hyperfine time >&2 \
            || log "apt-get failed: falling back to repeated /usr/bin/time or bash timing"
    fi
    if ! command -v rsigma >/dev/null; then
        log "installing rsigma $RSIGMA_VERSION (cargo install, niced; takes ~10 min on 2 cores)"
        nice -n 19 cargo install rsigma --version "$RSIGMA_VERSION" --locked --features evtx >&2 \
            || log "cargo install rsigma failed: rsigma rows will be skipped"
    fi
    if ! command -v sigma >/dev/null \
        || ! python3 -c 'import sigma.validators.sigmahq' 2>/dev/null; then
        log "installing $SIGMA_CLI_SPEC $VALIDATORS_SPEC (pip)"
        python3 -m pip install -q "$SIGMA_CLI_SPEC" "$VALIDATORS_SPEC" >&2 \
            || log "pip install failed: sigma check rows will be skipped"
    fi
}

tool_versions() {
    printf 'rsigma: %s\n' "$(rsigma --version 2>/dev/null || echo missing)"
    printf 'sigma-cli: %s\n' "$(python3 -m pip show sigma-cli 2>/dev/null \
        | sed -n 's/^Version: //p' || true)"
    printf 'pySigma: %s\n' "$(python3 -m pip show pysigma 2>/dev/null \
        | sed -n 's/^Version: //p' || true)"
    printf 'pySigma-validators-sigmahq: %s\n' "$(python3 -m pip show \
        pysigma-validators-sigmahq 2>/dev/null | sed -n 's/^Version: //p' || true)"
    printf 'hyperfine: %s\n' "$(hyperfine --version 2>/dev/null || echo missing)"
    printf 'machine: %s cores, %s, load %s\n' "$(nproc)" \
        "$(free -g | awk '/Mem:/ {print $2 " GiB"}')" \
        "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# `sigma check` needs ATT&CK, D3FEND and SigmaHQ tables that it downloads on first use. With
# a network (SIGMA_CHECK_DATA=online) it uses its own cache in the real HOME; otherwise
# (default: auto, falling back to offline) a private HOME under the scratch dir gets a cache
# filled from ../shared by pysigma_offline_data.py, and `sigma check` runs unmodified.
SIGMA_CHECK_DATA="${SIGMA_CHECK_DATA:-auto}"
SIGMA_HOME=""
SIGMA_DATA_NOTE=""
SIGMA_DATA_MODE=""
prepare_sigma_check() {
    local mode="$SIGMA_CHECK_DATA"
    if [[ "$mode" == auto ]]; then
        if python3 - <<'PY' 2>/dev/null
from urllib.request import urlopen
urlopen("https://raw.githubusercontent.com/SigmaHQ/pySigma-validators-sigmaHQ/"
        "refs/heads/main/tools/sigmahq_filename.json", timeout=5).read(1)
PY
        then mode=online; else mode=offline; fi
    fi
    SIGMA_DATA_MODE="$mode"
    if [[ "$mode" == online ]]; then
        SIGMA_HOME="$HOME"
        SIGMA_DATA_NOTE="sigma check data: downloaded by pySigma (online)"
        return
    fi
    SIGMA_HOME="$BENCH_SCRATCH/pysigma-home"
    mkdir -p "$SIGMA_HOME"
    python3 "$BENCH_DIR/pysigma_offline_data.py" "$SIGMA_HOME" "$SHARED" \
        "${ATTACK_VERSION:-19}" 2>/dev/null \
        || die "could not seed pySigma's cache from $SHARED"
    SIGMA_DATA_NOTE="sigma check data: OFFLINE cache seeded from ../shared (ATT&CK \
v${ATTACK_VERSION:-19} table, SigmaHQ validator JSON from anchors/, D3FEND fallback tactics \
only); all validators of sigma_cli_conf.yml run"
}

# The sigma executable itself, so that a changed HOME does not confuse a pyenv shim.
sigma_exe() {
    python3 - <<'PY'
import shutil, sys, sysconfig, os
path = os.path.join(sysconfig.get_path("scripts"), "sigma")
print(path if os.path.exists(path) else (shutil.which("sigma") or "sigma"))
PY
}

# TSV: label, mean s, stddev s, min s, peak RSS KiB, exit code, note, events (from $EVENTS),
# stdout lines, mean CPU s (user + system: steadier than wall time on a shared machine).
RESULTS=""

# Rule sets in the scratch dir, for tools that take a single path (rsigma takes one -r/PATH):
#   corpus/         links to rules* deprecated unsupported (rsigma follows links)
#   ci-set/         links to rules* (SigmaHQ CI's `sigma check` set)
#   windows-rules/  copies of every rules* file whose logsource says `product: windows`
prepare_rule_sets() {
    local d
    mkdir -p "$BENCH_SCRATCH/corpus" "$BENCH_SCRATCH/ci-set"
    for d in "$SIGMAHQ"/rules* "$SIGMAHQ/deprecated" "$SIGMAHQ/unsupported"; do
        ln -sfn "$d" "$BENCH_SCRATCH/corpus/$(basename "$d")"
    done
    for d in "$SIGMAHQ"/rules*; do
        ln -sfn "$d" "$BENCH_SCRATCH/ci-set/$(basename "$d")"
    done
    if [[ ! -d "$BENCH_SCRATCH/windows-rules" ]]; then
        (cd "$SIGMAHQ" && grep -rlE --include='*.yml' '^[[:space:]]+product:[[:space:]]*windows' \
            rules* | sort | while IFS= read -r f; do
            mkdir -p "$BENCH_SCRATCH/windows-rules/$(dirname "$f")"
            cp "$f" "$BENCH_SCRATCH/windows-rules/$f"
        done)
    fi
    WINDOWS_RULES_COUNT=$(find "$BENCH_SCRATCH/windows-rules" -name '*.yml' | wc -l)
}

# measure LABEL NOTE -- CMD... : wall time over $RUNS runs (hyperfine when present) and the
# peak RSS of one more run under GNU time. Non-zero exit codes are recorded, not fatal:
# linters exit 1 when they find something.
measure() {
    local label="$1" note="$2"
    shift 3
    local json="$BENCH_SCRATCH/hf-$(echo "$label" | tr -c 'A-Za-z0-9' '_').json"
    local mean sd min cpu rss rc

    log "== $label: $*"
    if command -v hyperfine >/dev/null; then
        hyperfine -N -i --style basic --warmup "$WARMUP" --runs "$RUNS" \
            --export-json "$json" -- "$(printf '%q ' "$@")" >&2 || true
        read -r mean sd min cpu < <(python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
cpu = r["user"] + r["system"]
print(f'{r["mean"]:.3f} {r.get("stddev") or 0:.3f} {r["min"]:.3f} {cpu:.3f}')
PY
        )
    else
        local times=() t0 t1
        for ((i = 0; i < RUNS; i++)); do
            t0=$(date +%s.%N)
            "$@" >/dev/null 2>&1 || true
            t1=$(date +%s.%N)
            times+=("$(echo "$t1 - $t0" | bc)")
        done
        read -r mean sd min cpu < <(printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
v = [float(x) for x in sys.stdin]
print(f"{statistics.mean(v):.3f} {statistics.pstdev(v):.3f} {min(v):.3f} n/a")')
    fi

    # One more run: peak RSS, exit code, and the number of stdout lines (a sanity check that
    # the tool did the work: findings or matches printed). Output is counted, not kept: an
    # engine prints ~1 GB of matches for the JSONL stream.
    local err="$BENCH_SCRATCH/err-$(echo "$label" | tr -c 'A-Za-z0-9' '_').txt" lines
    local timer=()
    [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f '%M' -o "$BENCH_SCRATCH/rss")
    echo "n/a" >"$BENCH_SCRATCH/rss"
    lines=$({
        rc=0
        "${timer[@]}" "$@" 2>"$err" || rc=$?
        echo "$rc" >"$BENCH_SCRATCH/rc"
    } | wc -l)
    rc=$(cat "$BENCH_SCRATCH/rc")
    rss=$(tail -n 1 "$BENCH_SCRATCH/rss")
    log "   mean ${mean}s, peak RSS ${rss} KiB, exit $rc, $lines stdout lines (stderr: $err)"
    RESULTS+="$label"$'\t'"$mean"$'\t'"$sd"$'\t'"$min"$'\t'"$rss"$'\t'"$rc"$'\t'"$note"
    RESULTS+=$'\t'"${EVENTS:-}"$'\t'"$lines"$'\t'"$cpu"$'\n'
}

skip() {
    local label="$1" why="$2"
    log "== $label: skipped: $why"
    RESULTS+="$label"$'\t-\t-\t-\t-\t-\t'"skipped: $why"$'\n'
}

# The rows so far as a Markdown table, with ratios to ours (see table.py).
print_table() {
    printf '%s' "$RESULTS" | python3 "$BENCH_DIR/table.py"
}
