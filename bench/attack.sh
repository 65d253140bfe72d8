#!/usr/bin/env bash
# The hardening issue's attack, reproducible: a release `feather serve` with default
# limits on a fresh SQLite file (the example sessions), then `bench/attack.py`: 100
# connections sending 8 MiB bodies for 20 s while a client with a valid key drafts
# every 100 ms; once without a key, once with a valid one, and once with a valid key
# and valid 8 MiB sessions (each parsed, validated, drafted and stored: the most a
# body costs). Prints the server's RSS (idle, peak, 5 s after) and the legitimate
# requests' latencies. Loopback only.
#
# Usage: bench/attack.sh [--connections N] [--seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p feather-server
bin=${CARGO_TARGET_DIR:-target}/release
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

addr=127.0.0.1:18090 key=attack-test-key
"$bin"/feather serve --bind "$addr" --database-url "$work/attack.db" --api-key "$key" \
    --log-level warn 2>"$work/server.log" &
pid=$!
session_id=""
for _ in $(seq 1 100); do
    session_id=$(grep -o '"session_id": "[0-9a-f-]*"' "$work/server.log" | head -n1 | cut -d'"' -f4 || true)
    [ -n "$session_id" ] && break
    sleep 0.2
done
[ -n "$session_id" ] || { cat "$work/server.log" >&2; exit 1; }
python3 bench/attack.py --pid "$pid" --addr "$addr" --key "$key" --session-id "$session_id" "$@"
echo
python3 bench/attack.py --pid "$pid" --addr "$addr" --key "$key" --session-id "$session_id" \
    --attack-key "$key" "$@"
echo
python3 bench/attack.py --pid "$pid" --addr "$addr" --key "$key" --session-id "$session_id" \
    --attack-key "$key" --attack-body session "$@"
echo
echo "server log lines: $(wc -l <"$work/server.log")"
grep -v '^ *curl\|^Draft\|^Feather\|^The database' "$work/server.log" | tail -n 5 || true
