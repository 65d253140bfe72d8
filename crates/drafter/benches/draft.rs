//! Drafting speed: generated realistic sessions of 20, 200 and 2000 turns (customer
//! requests with PII, tool calls with results and errors, agent replies), drafted with
//! redaction on. The cost should grow linearly: 2000 turns about ten times 200.
//!
//! Run with `cargo bench -p feather-drafter` (add `-- --measurement-time 3` for a
//! quicker run).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use feather_drafter::{DraftOptions, draft};

#[path = "../tests/drafter/sessions.rs"]
mod sessions;

fn drafting(c: &mut Criterion) {
    let options = DraftOptions::default();
    let mut group = c.benchmark_group("draft");
    for turns in [20, 200, 2000] {
        let session = sessions::realistic(turns);
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(
            BenchmarkId::from_parameter(turns),
            &session,
            |b, session| b.iter(|| draft(black_box(session), &options).expect("draftable")),
        );
    }
    group.finish();
}

criterion_group!(benches, drafting);
criterion_main!(benches);
