#!/usr/bin/env bash
# What one capture costs a `feather serve` binary, for comparing builds side by
# side: a fresh SQLite file (or --postgres URL), 2 s of warm-up, then wrk -t2 -c32
# for --duration seconds of PUTs of a generated session under new ids. Prints
# req/s, p99, the server's CPU per capture (and, on PostgreSQL, the database's),
# context switches per capture over all its threads, its thread count and peak RSS.
#
# Usage: bench/capture-cost.sh [--bin PATH] [--turns T] [--duration S] [--postgres URL]
# --bin: the binary to measure (default: this tree's release build); run two
# binaries alternately, a few times each, to compare on a shared machine.
# --postgres: a database of its own; it is emptied first.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="" turns=16 duration=6 postgres=""
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) bin=$2; shift 2 ;;
        --turns) turns=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --postgres) postgres=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet -p feather-server -p feather-bench
target=${CARGO_TARGET_DIR:-target}/release
bin=${bin:-$target/feather}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$target"/feather-bench-session "$turns" >"$work/session.json"
url=$work/capture.db
if [ -n "$postgres" ]; then
    url=$postgres
    psql "$postgres" -qc "DROP TABLE IF EXISTS session_drafts, sessions, api_keys, _sqlx_migrations CASCADE" >/dev/null
fi
addr=127.0.0.1:18084
"$bin" serve --bind "$addr" --database-url "$url" --api-key bench --no-demo --log-level warn \
    2>"$work/server.log" &
pid=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://$addr/openapi.json" && break
    sleep 0.1
done
export API_KEY=bench SESSION_FILE=$work/session.json IDS=distinct
wrk -t2 -c32 -d2s -s bench/capture.lua "http://$addr" >/dev/null

cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
database_cpu() {
    [ -n "$postgres" ] || { echo 0; return; }
    for p in $(pgrep -f "^postgres" || true); do awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null; done |
        awk '{ s += $1 } END { print s + 0 }'
}
switches() { cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s }'; }
ticks=$(getconf CLK_TCK)
before=$(cpu "$pid") db_before=$(database_cpu) switched=$(switches)
out=$(wrk -t2 -c32 -d"${duration}s" --timeout 10s --latency -s bench/capture.lua "http://$addr")
after=$(cpu "$pid") db_after=$(database_cpu) switched=$(( $(switches) - switched ))
if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
    grep -E "Non-2xx|Socket errors" <<<"$out" >&2
    exit 1
fi
requests=$(awk '/requests in/ { print $1 }' <<<"$out")
read -r rps _ p99 < <(awk -f bench/wrk-summary.awk <<<"$out")
awk -v r="$rps" -v p="$p99" -v c=$((after - before)) -v d=$((db_after - db_before)) \
    -v n="$requests" -v t="$ticks" -v s="$switched" -v th="$(ls /proc/"$pid"/task | wc -l)" \
    -v rss="$(awk '/VmHWM/ { printf "%d", $2 / 1024 }' /proc/"$pid"/status)" 'BEGIN {
    printf "req/s %d  p99 %.2f ms  cpu %d us/capture", r, p, c * 1e6 / t / n
    if (d > 0) printf "  database cpu %d us/capture", d * 1e6 / t / n
    printf "  switches %.1f/capture  threads %d  peak RSS %d MiB\n", s / n, th, rss
}'
