#!/usr/bin/env bash
# Where the front's time goes (issue 24): the same draft-sized answer served by
# dropshot alone and behind the front, beside `feather serve`'s draft endpoint.
#
# Starts, on loopback:
# - bare:       feather-bench-bare-dropshot, dropshot 0.18 on its own listener,
#               answering the text of a real draft (saved from the server);
# - bare+front: the same binary and handler behind the front (--behind-front);
# - feather:    `feather serve` on a seeded SQLite database (the draft endpoint).
# Then, in interleaved rounds (bare, bare+front, feather, bare, ...), drives each with
# wrk and prints req/s, p50, p99 and the CPU time per request of the server and of
# wrk (from /proc/PID/stat and `perf stat` of wrk). Then, again interleaved, the same
# load under `perf stat -p` (task clock, context switches, system calls per request).
# With --record, finally a `perf record` profile of each (cpu-clock, call graphs),
# summarised by shared object and by the top symbols. With --before BIN, a fourth
# target, `before`: another build of `feather` (say, of an earlier commit) serving the
# same database, so a change is measured against what it replaces in the same run.
#
# Usage: bench/front-cost.sh [--rounds R] [--duration S] [--connections C]
#                            [--sessions N] [--record] [--before FEATHER_BINARY]
# Build first: cargo build --release -p feather-server -p feather-bench.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3 duration=5 connections=32 sessions=10000 record=0 before=
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --sessions) sessions=$2; shift 2 ;;
        --record) record=1; shift ;;
        --before) before=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$bin"/feather-bench-seed "$work/bench.db" "$sessions" 30 "$work/ids.txt" >&2
first_id=$(head -n1 "$work/ids.txt")
feather=127.0.0.1:18090 bare=127.0.0.1:18091 front=127.0.0.1:18092
"$bin"/feather serve --bind "$feather" --database-url "$work/bench.db" --api-key bench \
    --no-demo --log-level warn 2>"$work/feather.log" &
pids+=("$!")
body="{\"session_id\": \"$first_id\"}"
for _ in $(seq 1 150); do
    curl -sf -o "$work/draft.json" -X POST "http://$feather/v1/scenarios/draft-from-session" \
        -H 'x-api-key: bench' -H 'content-type: application/json' -d "$body" && break
    sleep 0.2
done
"$bin"/feather-bench-bare-dropshot "$bare" bench "$work/draft.json" 2>"$work/bare.log" &
pids+=("$!")
"$bin"/feather-bench-bare-dropshot "$front" bench "$work/draft.json" --behind-front \
    2>"$work/front.log" &
pids+=("$!")
for addr in "$bare" "$front"; do
    for _ in $(seq 1 150); do
        curl -sf -o /dev/null -X POST "http://$addr/v1/scenarios/draft-from-session" \
            -H 'x-api-key: bench' -d '{}' && break
        sleep 0.2
    done
done
echo "a draft is $(wc -c <"$work/draft.json") bytes; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
names=(bare bare+front feather)
addrs=("$bare" "$front" "$feather")
server_pids=("${pids[1]}" "${pids[2]}" "${pids[0]}")
if [ -n "$before" ]; then
    earlier=127.0.0.1:18093
    "$before" serve --bind "$earlier" --database-url "$work/bench.db" --api-key bench \
        --no-demo --log-level warn 2>"$work/before.log" &
    pids+=("$!")
    for _ in $(seq 1 150); do
        curl -sf -o /dev/null -X POST "http://$earlier/v1/scenarios/draft-from-session" \
            -H 'x-api-key: bench' -H 'content-type: application/json' -d "$body" && break
        sleep 0.2
    done
    names+=(before)
    addrs+=("$earlier")
    server_pids+=("${pids[-1]}")
fi
targets=("${!names[@]}")

export API_KEY=bench IDS_FILE=$work/ids.txt
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# Runs wrk; prints "requests req/s p50 p99 wrk_cpu_seconds" (wrk's task clock).
wrk_cpu() {
    local addr=$1 seconds=$2 out
    out=$(perf stat -x, -e task-clock -o "$work/wrk.stat" -- \
        wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/draft.lua "http://$addr")
    if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
        echo "wrk reported errors against $addr:" >&2
        grep -E "Non-2xx|Socket errors" <<<"$out" >&2
    fi
    local requests summary cpu
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    summary=$(awk -f bench/wrk-summary.awk <<<"$out")
    cpu=$(awk -F, '$3 == "task-clock" { print $1 / 1000 }' "$work/wrk.stat")
    echo "$requests $summary $cpu"
}

for i in "${targets[@]}"; do wrk_cpu "${addrs[$i]}" 2 >/dev/null; done

echo
echo "== wrk, $connections connections, ${duration} s a round (CPU: microseconds per request)"
printf '%-6s %-11s %9s %8s %8s %12s %9s\n' round target "req/s" "p50 ms" "p99 ms" "server CPU" "wrk CPU"
for round in $(seq 1 "$rounds"); do
    for i in "${targets[@]}"; do
        t0=$(ticks "${server_pids[$i]}")
        read -r requests rps p50 p99 wcpu < <(wrk_cpu "${addrs[$i]}" "$duration")
        t1=$(ticks "${server_pids[$i]}")
        awk -v r="$round" -v n="${names[$i]}" -v q="$requests" -v rps="$rps" -v p50="$p50" \
            -v p99="$p99" -v dt="$((t1 - t0))" -v hz="$hz" -v w="$wcpu" \
            'BEGIN { printf "%-6s %-11s %9s %8s %8s %12.1f %9.1f\n", r, n, rps, p50, p99, dt / hz / q * 1e6, w / q * 1e6 }'
    done
done

echo
echo "== perf stat -p SERVER during the same load (per request)"
printf '%-6s %-11s %9s %14s %14s %10s\n' round target "req/s" "task-clock us" "ctx switches" "syscalls"
for round in 1 2; do
    for i in "${targets[@]}"; do
        perf stat -x, -e task-clock,context-switches,raw_syscalls:sys_enter -p "${server_pids[$i]}" \
            -o "$work/stat" -- sleep "$duration" &
        stat_pid=$!
        read -r requests rps _ _ _ < <(wrk_cpu "${addrs[$i]}" "$duration")
        wait "$stat_pid"
        awk -F, -v r="$round" -v n="${names[$i]}" -v q="$requests" -v rps="$rps" '
            $3 == "task-clock" { clock = $1 } $3 == "context-switches" { cs = $1 }
            $3 == "raw_syscalls:sys_enter" { sc = $1 }
            END { printf "%-6s %-11s %9s %14.1f %14.2f %10.2f\n", r, n, rps, clock * 1000 / q, cs / q, sc / q }' "$work/stat"
    done
done

# Sums `perf report -n --sort sym` samples (self) by where the code comes from and
# prints microseconds of CPU per request for each (one sample is 1/999 s).
categorise() {
    awk -v q="$1" '
        /^ +[0-9.]+%/ {
            n = $2; line = $0
            if (line ~ /\[k\]/) c = "kernel"
            else if (line ~ /feather_server::front/) c = "front (its own code)"
            else if (line ~ /hyper::client|role::Client/) c = "hyper client"
            else if (line ~ /hyper::|httparse/) c = "hyper server"
            else if (line ~ /dropshot::/) c = "dropshot"
            else if (line ~ /tokio::/) c = "tokio"
            else if (line ~ /sqlite3|pcache|rusqlite|feather_store/) c = "sqlite/store"
            else if (line ~ /mi_|mimalloc/) c = "allocator"
            else if (line ~ /__mem|memcpy|memmove|memset/) c = "memcpy"
            else c = "other"
            samples[c] += n; total += n
            if (c == "other" && shown++ < 6) { sub(/^ +[0-9.]+% +[0-9]+ +/, "", line); other = other "\n     " line }
        }
        END {
            n = split("kernel|tokio|hyper server|hyper client|dropshot|front (its own code)|sqlite/store|allocator|memcpy|other", order, "|")
            for (i = 1; i <= n; i++) if (order[i] in samples)
                printf "   %-22s %6.1f us  %5.1f%%\n", order[i], samples[order[i]] / 999 / q * 1e6, 100 * samples[order[i]] / total
            printf "   %-22s %6.1f us\n", "total", total / 999 / q * 1e6
            printf "   (the largest of other:%s)\n", other
        }'
}

if [ "$record" = 1 ]; then
    for i in "${targets[@]}"; do
        echo
        echo "== perf record -e cpu-clock -F 999 -g -p SERVER: ${names[$i]}"
        perf record -q -e cpu-clock -F 999 -g -p "${server_pids[$i]}" -o "$work/perf.data" \
            -- sleep "$duration" 2>/dev/null &
        record_pid=$!
        read -r requests rps _ _ _ < <(wrk_cpu "${addrs[$i]}" "$duration")
        wait "$record_pid" || true
        echo "$rps req/s; CPU per request by origin (self time):"
        perf report -i "$work/perf.data" -n --no-children --sort sym --stdio -g none 2>/dev/null \
            | categorise "$requests" || true
        echo "-- top symbols (self):"
        perf report -i "$work/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null \
            | grep -E '^ +[0-9]' | head -15 || true
    done
fi
