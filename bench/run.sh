#!/usr/bin/env bash
# Load benchmark: the draft endpoint against a bare dropshot baseline, in one run.
#
# Builds in release, seeds a temporary SQLite database with generated sessions,
# starts `feather serve` and the baseline server, then drives each with wrk at the
# same connection count, alternating rounds so both see the same machine. Prints
# req/s, p50 and p99 latency per round, the draft/baseline ratio and the server's
# peak RSS. Finally the drafter's criterion benchmark (drafting alone).
#
# Usage: bench/run.sh [--sessions N] [--turns T] [--duration SECONDS] [--rounds R]
#                     [--connections C] [--warmup SECONDS] [--no-criterion]
#                     [--database-url URL] [--org-key]
#
# --warmup: an unmeasured wrk run against each server first (5 s by default), so the
# first round does not measure the operating system reading a large database in.
# --database-url: a database to use instead of a temporary one; it is seeded only up
# to the sessions it lacks, so a 1,000,000-session database is made once and kept.
# --org-key: authenticate with an organization's key made by `feather keys create`
# (looked up in the store on every request) instead of the development key.
set -euo pipefail
cd "$(dirname "$0")/.."

sessions=10000 turns=30 duration=10 rounds=2 connections=32 warmup=5 criterion=1 database_url="" org_key=0
while [ $# -gt 0 ]; do
    case "$1" in
        --sessions) sessions=$2; shift 2 ;;
        --turns) turns=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --database-url) database_url=$2; shift 2 ;;
        --no-criterion) criterion=0; shift ;;
        --org-key) org_key=1; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet -p feather-server -p feather-bench
bin=${CARGO_TARGET_DIR:-target}/release

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

database_url=${database_url:-$work/bench.db}
echo "seeding $sessions sessions of $turns turns into $database_url"
seed_start=$(date +%s)
"$bin"/feather-bench-seed "$database_url" "$sessions" "$turns" "$work/ids.txt"
echo "seeded in $(( $(date +%s) - seed_start )) s"

api_key=bench
if [ "$org_key" = 1 ]; then
    # The organization the seed stores every session under.
    api_key=$("$bin"/feather keys create --database-url "$database_url" \
        --org be9c0000-0000-0000-0000-000000000001 --name bench 2>/dev/null)
fi

draft_addr=127.0.0.1:18080 baseline_addr=127.0.0.1:18081
"$bin"/feather serve --bind "$draft_addr" --database-url "$database_url" \
    --api-key bench --no-demo --log-level warn 2>"$work/server.log" &
server_pid=$!; pids+=("$server_pid")
"$bin"/feather-bench-baseline "$baseline_addr" 2>"$work/baseline.log" &
pids+=("$!")

first_id=$(head -n1 "$work/ids.txt")
for _ in $(seq 1 100); do
    curl -sf -o /dev/null -X POST "http://$draft_addr/v1/scenarios/draft-from-session" \
        -H "x-api-key: $api_key" -H 'content-type: application/json' \
        -d "{\"session_id\": \"$first_id\"}" \
        && curl -sf -o /dev/null -X POST "http://$baseline_addr/v1/scenarios/draft-from-session" -d '{}' \
        && break
    sleep 0.2
done
for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "a server did not start (is its port taken?):" >&2
        cat "$work/server.log" "$work/baseline.log" >&2
        exit 1
    fi
done

# Runs wrk once; prints "req_per_s p50 p99" (latencies in ms). A run with any
# non-2xx answer or socket error is reported in wrk.err and fails the benchmark.
measure() {
    local addr=$1 out
    out=$(IDS_FILE="$work/ids.txt" API_KEY=$api_key wrk -t2 -c"$connections" -d"${duration}s" \
        --latency -s bench/draft.lua "http://$addr")
    grep -E "Non-2xx|Socket errors" <<<"$out" | sed "s|^|$addr: |" >>"$work/wrk.err" || true
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec:/ { rps = $2 }
        $1 == "50.000%" || $1 == "50%" { p50 = ms($2) }
        $1 == "99.000%" || $1 == "99%" { p99 = ms($2) }
        END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }
    ' <<<"$out"
}

if [ "$warmup" -gt 0 ]; then
    for addr in "$baseline_addr" "$draft_addr"; do
        IDS_FILE="$work/ids.txt" API_KEY=$api_key wrk -t2 -c"$connections" -d"${warmup}s" \
            -s bench/draft.lua "http://$addr" >/dev/null
    done
fi

printf '\n%-6s %-9s %10s %9s %9s\n' round target "req/s" "p50 ms" "p99 ms"
draft_total=0 baseline_total=0 worst_p99=0
for round in $(seq 1 "$rounds"); do
    read -r b_rps b_p50 b_p99 < <(measure "$baseline_addr")
    printf '%-6s %-9s %10s %9s %9s\n' "$round" baseline "$b_rps" "$b_p50" "$b_p99"
    read -r d_rps d_p50 d_p99 < <(measure "$draft_addr")
    printf '%-6s %-9s %10s %9s %9s\n' "$round" draft "$d_rps" "$d_p50" "$d_p99"
    draft_total=$((draft_total + d_rps)); baseline_total=$((baseline_total + b_rps))
    worst_p99=$(awk -v a="$worst_p99" -v b="$d_p99" 'BEGIN { print (b > a ? b : a) }')
done
rss_kib=$(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status")
ratio=$(awk -v d="$draft_total" -v b="$baseline_total" 'BEGIN { printf "%.2f", d / b }')
echo
echo "draft/baseline req/s ratio: $ratio (budget >= 0.5)"
echo "draft p99, worst round:     $worst_p99 ms (budget < 5)"
echo "server peak RSS:            $((rss_kib / 1024)) MiB (budget < 64)"
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
