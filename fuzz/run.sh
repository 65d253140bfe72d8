#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each; `fuzz/run.sh 300`
# for five minutes each). Needs cargo-fuzz (`cargo install cargo-fuzz`).
#
# cargo fuzz normally wants a nightly toolchain for the sanitizers. With `-s none`
# no sanitizer is used, so the only unstable flags left are cargo-fuzz's own;
# RUSTC_BOOTSTRAP=1 lets the stable compiler accept them. libFuzzer's coverage
# instrumentation (sancov) is a stable codegen option, so the fuzzing is guided as
# usual; without AddressSanitizer it finds panics, aborts, timeouts and memory
# blow-ups (-rss_limit_mb), not silent memory errors (there is no unsafe code here).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
status=0
for target in body_validator drafter; do
    mkdir -p "corpus/$target"
    echo "==> $target for ${seconds}s"
    cargo fuzz run --fuzz-dir . -s none "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 || status=$?
done
exit "$status"
