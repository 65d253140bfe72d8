#!/usr/bin/env bash
# Durability benchmark: captures per second on SQLite with `--sqlite-synchronous
# normal` (the default) and `full`, each on a fresh database file in one folder.
#
# Builds in release, starts `feather serve` for each setting in turn and drives
# it with wrk, every request a `PUT /v1/sessions/{id}/analysis-input` of the same
# example session, so every request commits one transaction. Prints req/s, p50 and
# p99 per setting. The folder decides what an fsync costs: pass the disk the
# database will live on (the default is a temporary folder under /tmp).
#
# Usage: bench/durability.sh [--duration SECONDS] [--connections C] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

duration=10 connections=8 dir=""
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) duration=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet -p feather-server
bin=${CARGO_TARGET_DIR:-target}/release

work=$(mktemp -d ${dir:+-p "$dir"})
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

body=examples/dispute-sms.analysis-input.json
session_id=$(grep -o '"session_id": *"[^"]*"' "$body" | head -n1 | grep -o '[0-9a-f-]\{36\}')
addr=127.0.0.1:18082

printf '%-8s %10s %9s %9s\n' synchronous "req/s" "p50 ms" "p99 ms"
for setting in normal full; do
    "$bin"/feather serve --bind "$addr" --database-url "$work/$setting.db" --api-key bench \
        --no-demo --log-level warn --sqlite-synchronous "$setting" 2>"$work/server.log" &
    server_pid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://$addr/docs" && break; sleep 0.1; done
    out=$(BODY_FILE=$body SESSION_ID=$session_id API_KEY=bench wrk -t2 -c"$connections" \
        -d"${duration}s" --latency -s bench/durability.lua "http://$addr")
    if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
        echo "wrk reported failed requests with synchronous=$setting:" >&2
        grep -E "Non-2xx|Socket errors" <<<"$out" >&2
        exit 1
    fi
    read -r rps p50 p99 < <(awk -f bench/wrk-summary.awk <<<"$out")
    printf '%-8s %10s %9s %9s\n' "$setting" "$rps" "$p50" "$p99"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
done
