#!/usr/bin/env bash
# Load benchmark: `feather serve` against a bare dropshot baseline, in one run.
#
# Builds in release, seeds a temporary SQLite database with generated sessions,
# starts `feather serve` and the baseline server, then drives each with wrk at the
# same connection count, alternating rounds so both see the same machine. Prints
# req/s, p50 and p99 latency per round, the ratio to the baseline and the server's
# peak RSS, for each scenario:
# - draft:            POST draft-from-session of random stored sessions, beside three
#                     anchors: bare-dropshot (feather-bench-bare-dropshot: dropshot
#                     0.18 on its own listener, no front, answering a real draft's
#                     text saved from the server; the framework's ceiling), the
#                     baseline (behind the front, as feather is) and the FastAPI
#                     reference's draft route (a stored draft's text for a validated
#                     request, no store); the ratios to bare-dropshot and to FastAPI
#                     are repeated in the summary at the end;
# - capture:          PUT of a realistic session (--capture-turns, 16 by default)
#                     under a new id each time, beside the baseline and beside the
#                     FastAPI + pydantic reference (bench/reference), which validates
#                     the same upstream model into memory;
# - capture-repeated: the same under 64 ids, so captures replace stored sessions;
# - capture-long:     a 200-turn session, new ids;
# - mixed:            captures and drafts at once, half the connections each.
# With --postgres URL, the draft and capture scenarios run again against a second
# `feather serve` on that PostgreSQL database (seeded the same way).
# Finally the drafter's criterion benchmark (drafting alone).
#
# Usage: bench/run.sh [--scenarios LIST] [--sessions N] [--turns T]
#                     [--capture-turns T] [--duration SECONDS] [--rounds R]
#                     [--connections C] [--warmup SECONDS] [--no-criterion]
#                     [--database-url URL] [--postgres URL] [--org-key]
#                     [--no-reference] [--feather BINARY]
#
# --scenarios: a comma-separated subset of draft,capture,capture-repeated,
# capture-long,mixed (all by default).
# --warmup: an unmeasured wrk run against each server first (5 s by default), so the
# first round does not measure the operating system reading a large database in.
# --database-url: an SQLite database to use instead of a temporary one; it is seeded
# only up to the sessions it lacks, so a 1,000,000-session database is made once.
# --org-key: authenticate with an organization's key made by `feather keys create`
# (looked up in the store on every request) instead of the development key.
# --no-reference: do not install or start the FastAPI reference (its ratios are left
# out, as when it cannot be installed or started on this machine).
# --feather: serve with this `feather` binary instead of the one just built (say, a
# build of an earlier commit, to measure a change against what it replaces); the
# anchors are still the ones just built.
set -euo pipefail
cd "$(dirname "$0")/.."

scenarios=draft,capture,capture-repeated,capture-long,mixed
sessions=10000 turns=30 capture_turns=16 duration=10 rounds=2 connections=32 warmup=5
criterion=1 database_url="" postgres_url="" org_key=0 reference=1 feather=""
while [ $# -gt 0 ]; do
    case "$1" in
        --scenarios) scenarios=$2; shift 2 ;;
        --sessions) sessions=$2; shift 2 ;;
        --turns) turns=$2; shift 2 ;;
        --capture-turns) capture_turns=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --database-url) database_url=$2; shift 2 ;;
        --postgres) postgres_url=$2; shift 2 ;;
        --no-criterion) criterion=0; shift ;;
        --org-key) org_key=1; shift ;;
        --no-reference) reference=0; shift ;;
        --feather) feather=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
wants() { [[ ",$scenarios," == *",$1,"* ]]; }
wants_capture() { wants capture || wants capture-repeated || wants capture-long || wants mixed; }

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet -p feather-server -p feather-bench
bin=${CARGO_TARGET_DIR:-target}/release
feather=${feather:-$bin/feather}

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# The organization the seed and the capture sessions belong to.
organization=be9c0000-0000-0000-0000-000000000001

# Seeds DATABASE_URL and prints the key requests use there.
seed() {
    local url=$1 ids=$2
    echo "seeding $sessions sessions of $turns turns into $url" >&2
    local started; started=$(date +%s)
    "$bin"/feather-bench-seed "$url" "$sessions" "$turns" "$ids"
    echo "seeded in $(( $(date +%s) - started )) s" >&2
    if [ "$org_key" = 1 ]; then
        "$feather" keys create --database-url "$url" --org "$organization" --name bench 2>/dev/null
    else
        echo bench
    fi
}

# Starts a server with `start_cmd...` and waits until `probe` answers.
await() {
    local name=$1 pid=$2; shift 2
    for _ in $(seq 1 150); do
        "$@" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    echo "$name did not start (is its port taken?):" >&2
    cat "$work"/*.log >&2
    exit 1
}

database_url=${database_url:-$work/bench.db}
api_key=$(seed "$database_url" "$work/ids.txt")
first_id=$(head -n1 "$work/ids.txt")

draft_addr=127.0.0.1:18080 baseline_addr=127.0.0.1:18081
reference_addr=127.0.0.1:18082 postgres_addr=127.0.0.1:18083 bare_addr=127.0.0.1:18084
"$feather" serve --bind "$draft_addr" --database-url "$database_url" \
    --api-key bench --no-demo --log-level warn 2>"$work/server.log" &
server_pid=$!; pids+=("$server_pid")
# The baseline's front accepts the same key the draft requests send.
"$bin"/feather-bench-baseline "$baseline_addr" "$api_key" 2>"$work/baseline.log" &
pids+=("$!")
draft_probe() {
    curl -sf -o /dev/null -X POST "http://$1/v1/scenarios/draft-from-session" \
        -H "x-api-key: $2" -H 'content-type: application/json' -d "{\"session_id\": \"$first_id\"}"
}
await "feather serve" "$server_pid" draft_probe "$draft_addr" "$api_key"
await baseline "${pids[1]}" curl -sf -o /dev/null -X POST "http://$baseline_addr/v1/scenarios/draft-from-session" \
    -H "x-api-key: $api_key" -d '{}'
# A real draft, which the bare dropshot server and the FastAPI reference answer.
curl -sf -o "$work/draft.json" -X POST "http://$draft_addr/v1/scenarios/draft-from-session" \
    -H "x-api-key: $api_key" -H 'content-type: application/json' -d "{\"session_id\": \"$first_id\"}"
echo "a draft is $(wc -c <"$work/draft.json") bytes" >&2
bare_pid=""
if wants draft; then
    "$bin"/feather-bench-bare-dropshot "$bare_addr" "$api_key" "$work/draft.json" 2>"$work/bare.log" &
    bare_pid=$!; pids+=("$bare_pid")
    await bare-dropshot "$bare_pid" curl -sf -o /dev/null -X POST \
        "http://$bare_addr/v1/scenarios/draft-from-session" -H "x-api-key: $api_key" -d '{}'
fi

reference_pid="" postgres_pid="" postgres_key=""
if [ -n "$postgres_url" ]; then
    postgres_key=$(seed "$postgres_url" "$work/ids-postgres.txt")
    "$feather" serve --bind "$postgres_addr" --database-url "$postgres_url" \
        --api-key bench --no-demo --log-level warn 2>"$work/postgres.log" &
    postgres_pid=$!; pids+=("$postgres_pid")
    await "feather serve (PostgreSQL)" "$postgres_pid" draft_probe "$postgres_addr" "$postgres_key"
fi
if wants_capture; then
    "$bin"/feather-bench-session "$capture_turns" >"$work/session.json"
    "$bin"/feather-bench-session 200 >"$work/session-200.json"
fi

# Installs and starts the FastAPI reference; fails (saying why) if it cannot run here.
start_reference() {
    echo "installing the FastAPI reference (bench/reference/requirements.txt)" >&2
    python3 -m venv "$work/venv" >&2 || return 1
    "$work/venv/bin/pip" install --quiet --disable-pip-version-check \
        -r bench/reference/requirements.txt >&2 || return 1
    "$work/venv/bin/python" - <<'EOF' >&2 || return 1
import importlib.metadata as m
print("reference:", ", ".join(f"{p} {m.version(p)}" for p in ("fastapi", "pydantic", "pydantic-core", "uvicorn", "uvloop", "httptools")))
EOF
    BENCH_KEYS="$api_key,${postgres_key:-bench}" BENCH_DRAFT_FILE="$work/draft.json" \
        "$work/venv/bin/uvicorn" --app-dir bench/reference \
        app:app --host 127.0.0.1 --port "${reference_addr##*:}" --loop uvloop --http httptools \
        --workers 1 --log-level warning 2>"$work/reference.log" &
    reference_pid=$!; pids+=("$reference_pid")
    for _ in $(seq 1 150); do
        curl -s -o /dev/null "http://$reference_addr/docs" && return 0
        kill -0 "$reference_pid" 2>/dev/null || break
        sleep 0.2
    done
    cat "$work/reference.log" >&2
    kill "$reference_pid" 2>/dev/null || true
    return 1
}
# The FastAPI targets of the scenarios: none when the reference cannot run.
fastapi=()
if [ "$reference" = 0 ]; then
    echo "the FastAPI reference is left out (--no-reference): no ratio to it" >&2
elif wants draft || wants_capture; then
    if start_reference; then
        fastapi=("fastapi=$reference_addr")
    else
        echo "the FastAPI reference cannot run on this machine (see above): no ratio to it" >&2
    fi
fi

# Runs wrk once; prints "req_per_s p50 p99" (latencies in ms). A run with any
# non-2xx answer or socket error is reported in wrk.err and fails the benchmark.
# The timeout is wrk's 2 s raised to 10 s: the FastAPI reference's p99 reaches
# 1.8 s under 32 connections, and its slowest answers are answers, not failures.
# The environment carries what the Lua script reads.
wrk_run() {
    local addr=$1 script=$2 conns=$3 seconds=$4 out
    out=$(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 10s --latency -s "bench/$script" "http://$addr")
    grep -E "Non-2xx|Socket errors" <<<"$out" | sed "s|^|$addr $script: |" >>"$work/wrk.err" || true
    awk -f bench/wrk-summary.awk <<<"$out"
}

peak_rss() { awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }

# One scenario: ours against each comparison target, alternating rounds.
#   scenario TITLE SCRIPT OURS_ADDR OURS_PID KEY IDS_FILE SESSION_FILE MODE TARGET...
# where each TARGET is NAME=ADDR. Prints a row a round and target, and the ratios.
scenario() {
    local title=$1 script=$2 ours=$3 ours_pid=$4 key=$5 ids=$6 session=$7 mode=$8; shift 8
    local targets=("$@")
    export API_KEY=$key IDS_FILE=$ids SESSION_FILE=$session IDS=$mode
    echo
    echo "== $title ($connections connections, ${duration} s a round)"
    if [ "$warmup" -gt 0 ]; then
        for target in "${targets[@]}" "ours=$ours"; do
            wrk_run "${target#*=}" "$script" "$connections" "$warmup" >/dev/null
        done
    fi
    printf '%-6s %-13s %10s %9s %9s\n' round target "req/s" "p50 ms" "p99 ms"
    declare -A total=()
    local ours_total=0 worst_p99=0 rps p50 p99
    for round in $(seq 1 "$rounds"); do
        for target in "${targets[@]}"; do
            read -r rps p50 p99 < <(wrk_run "${target#*=}" "$script" "$connections" "$duration")
            printf '%-6s %-13s %10s %9s %9s\n' "$round" "${target%%=*}" "$rps" "$p50" "$p99"
            total[${target%%=*}]=$(( ${total[${target%%=*}]:-0} + rps ))
        done
        read -r rps p50 p99 < <(wrk_run "$ours" "$script" "$connections" "$duration")
        printf '%-6s %-13s %10s %9s %9s\n' "$round" feather "$rps" "$p50" "$p99"
        ours_total=$((ours_total + rps))
        worst_p99=$(awk -v a="$worst_p99" -v b="$p99" 'BEGIN { print (b > a ? b : a) }')
    done
    for target in "${targets[@]}"; do
        local name=${target%%=*} line
        line=$(awk -v o="$ours_total" -v t="${total[$name]}" -v n="$name" \
            'BEGIN { printf "feather/%s req/s ratio: %.2f\n", n, o / t }')
        echo "$line"
        echo "$title: $line" >>"$work/summary"
    done
    echo "feather p99, worst round: $worst_p99 ms; peak RSS so far: $(peak_rss "$ours_pid") MiB"
}

# Captures and drafts at once: two wrk processes, half the connections each.
mixed() {
    local half=$((connections / 2))
    echo
    echo "== mixed: captures and drafts at once ($half connections each, ${duration} s)"
    printf '%-10s %10s %9s %9s\n' load "req/s" "p50 ms" "p99 ms"
    API_KEY=$api_key SESSION_FILE=$work/session.json IDS=distinct \
        wrk_run "$draft_addr" capture.lua "$half" "$duration" >"$work/mixed-capture" &
    local capture_pid=$!
    API_KEY=$api_key IDS_FILE=$work/ids.txt \
        wrk_run "$draft_addr" draft.lua "$half" "$duration" >"$work/mixed-draft"
    wait "$capture_pid"
    printf '%-10s %10s %9s %9s\n' capture $(cat "$work/mixed-capture")
    printf '%-10s %10s %9s %9s\n' draft $(cat "$work/mixed-draft")
    echo "peak RSS so far: $(peak_rss "$server_pid") MiB"
}

none=/dev/null
if wants draft; then
    scenario "draft (SQLite)" draft.lua "$draft_addr" "$server_pid" "$api_key" "$work/ids.txt" "$none" - \
        "bare-dropshot=$bare_addr" "baseline=$baseline_addr" ${fastapi[@]+"${fastapi[@]}"}
fi
if wants capture; then
    scenario "capture, new ids (SQLite)" capture.lua "$draft_addr" "$server_pid" "$api_key" "$none" \
        "$work/session.json" distinct "baseline=$baseline_addr" ${fastapi[@]+"${fastapi[@]}"}
fi
if wants capture-repeated; then
    scenario "capture, 64 repeated ids (SQLite)" capture.lua "$draft_addr" "$server_pid" "$api_key" \
        "$none" "$work/session.json" repeated "baseline=$baseline_addr" ${fastapi[@]+"${fastapi[@]}"}
fi
if wants capture-long; then
    scenario "capture, 200 turns, new ids (SQLite)" capture.lua "$draft_addr" "$server_pid" \
        "$api_key" "$none" "$work/session-200.json" distinct "baseline=$baseline_addr" \
        ${fastapi[@]+"${fastapi[@]}"}
fi
if wants mixed; then
    mixed
fi
if [ -n "$postgres_url" ]; then
    if wants draft; then
        scenario "draft (PostgreSQL)" draft.lua "$postgres_addr" "$postgres_pid" "$postgres_key" \
            "$work/ids-postgres.txt" "$none" - "baseline=$baseline_addr"
    fi
    if wants capture; then
        scenario "capture, new ids (PostgreSQL)" capture.lua "$postgres_addr" "$postgres_pid" \
            "$postgres_key" "$none" "$work/session.json" distinct "baseline=$baseline_addr" \
            ${fastapi[@]+"${fastapi[@]}"}
    fi
fi

echo
echo "summary (feather's req/s over all rounds, to each anchor's):"
if wants draft; then
    if [ ${#fastapi[@]} -eq 0 ]; then
        echo "draft (SQLite): feather/fastapi: not measured, the FastAPI reference did not run"
    fi
fi
cat "$work/summary" 2>/dev/null || true
if wants draft; then
    echo "issue 24's targets: draft >= 0.7x bare-dropshot and >= 15x fastapi"
fi
echo "budgets: draft >= 0.5x baseline, p99 < 5 ms (SQLite); >= 0.25x, p99 < 10 ms (PostgreSQL);"
echo "capture >= 4x fastapi, p99 < 10 ms (SQLite); >= 2x fastapi (PostgreSQL); RSS < 64 MiB"
if [ -s "$work/wrk.err" ]; then
    echo "wrk reported failed requests; these numbers do not count:" >&2
    cat "$work/wrk.err" >&2
    exit 1
fi

if [ "$criterion" = 1 ]; then
    echo
    echo "drafting alone (criterion, 20/200/2000 turns):"
    cargo bench --quiet -p feather-drafter --bench draft -- --measurement-time 3 --warm-up-time 1 2>/dev/null \
        | grep -E '^draft/|time:' || true
fi
