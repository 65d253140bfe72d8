#!/usr/bin/env bash
# Triage at scale: stores SESSIONS generated sessions (default 100,000) of
# FAMILIES families (default 1,000; two signatures each, so 2 x FAMILIES distinct
# keys, with outcomes, CSAT and handoffs varying: see bench/src/bin/seed.rs) as
# `feather import` stores them (drafted and signed at capture, through
# feather-bench-seed), then times `feather triage --json` and its peak RSS on
# SQLite and, with FEATHER_TEST_DATABASE_URL set, on PostgreSQL, beside a plain
# `SELECT count(*)` over the same rows as the floor. Release build; the machine's
# other load shows in the figures, so run it when it is quiet.
#
# Usage: bench/triage.sh [SESSIONS] [TURNS] [FAMILIES]
set -euo pipefail
sessions=${1:-100000}
turns=${2:-16}
families=${3:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p feather-server -p feather-bench --manifest-path "$root/Cargo.toml"
bin="$root/target/release"

measure() { # NAME COMMAND...: wall time and peak RSS of one command
    local name=$1
    shift
    /usr/bin/time -f "$name: %e s, peak RSS %M KiB" "$@" >/dev/null
}

run() { # URL COUNT_COMMAND...
    local url=$1
    shift
    "$bin"/feather-bench-seed "$url" "$sessions" "$turns" "$work/ids" "$families" >/dev/null
    measure "floor (count)" "$@"
    measure "feather triage" "$bin"/feather triage --database-url "$url" --json
    "$bin"/feather triage --database-url "$url" --top 3
}

echo "SQLite, $sessions sessions of $turns turns, $families families:"
run "$work/feather.db" sqlite3 "$work/feather.db" "SELECT count(*) FROM session_drafts"
if [[ -n "${FEATHER_TEST_DATABASE_URL:-}" ]]; then
    schema="triage_bench_$$"
    psql "$FEATHER_TEST_DATABASE_URL" -qc "CREATE SCHEMA $schema"
    url="$FEATHER_TEST_DATABASE_URL?options=-csearch_path%3D$schema"
    echo "PostgreSQL, $sessions sessions of $turns turns, $families families:"
    run "$url" psql "$FEATHER_TEST_DATABASE_URL" -qc "SET search_path = $schema; SELECT count(*) FROM session_drafts"
    psql "$FEATHER_TEST_DATABASE_URL" -qc "DROP SCHEMA $schema CASCADE"
fi
