//! What a capture costs before it reaches the database: the body validated as
//! FastAPI would (`JsonBody::parse`), the session serialised for the store, and
//! drafted (`drafts::new_session` does both), for the realistic generated sessions
//! `bench/run.sh` sends (16 turns, as the capture scenario, and 200, as
//! `capture-long`).
//!
//! Run with `cargo bench -p feather-server --bench capture`. The load benchmark's
//! capture figures are these plus HTTP, the front and the store's commit.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use feather_api::SessionAnalysisInput;
use feather_drafter::{CapturedSession, DraftOptions};
use feather_server::drafts;

#[path = "../../drafter/tests/drafter/sessions.rs"]
#[allow(dead_code)]
mod sessions;

fn capture(c: &mut Criterion) {
    let options = DraftOptions::default();
    let mut group = c.benchmark_group("capture");
    for turns in [16, 200] {
        let session = sessions::realistic(turns);
        let body = serde_json::to_vec(&session.input).expect("a session serialises");
        let validate = |body: &[u8]| {
            feather_validation::json_body::<SessionAnalysisInput>(body, Some("application/json"))
                .expect("a valid body")
        };
        group.bench_with_input(BenchmarkId::new("validate", turns), &body, |b, body| {
            b.iter(|| validate(black_box(body)))
        });
        group.bench_with_input(BenchmarkId::new("serialise", turns), &session, |b, s| {
            b.iter(|| serde_json::to_string(black_box(&s.input)).expect("serialises"))
        });
        group.bench_with_input(BenchmarkId::new("draft", turns), &session, |b, s| {
            b.iter(|| drafts::prepare(black_box(s), &options).expect("draftable"))
        });
        group.bench_with_input(BenchmarkId::new("all", turns), &body, |b, body| {
            b.iter(|| {
                let captured = CapturedSession {
                    input: validate(black_box(body)),
                    attribution: Default::default(),
                };
                drafts::new_session(captured, &options)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, capture);
criterion_main!(benches);
