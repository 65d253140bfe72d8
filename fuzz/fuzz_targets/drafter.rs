//! Fuzzes the drafter: every body the validator accepts as a `SessionAnalysisInput`
//! is drafted, with and without PII redaction, without a panic, and every draft
//! keeps upstream's `ScenarioDraft` constraints (checked by the same validator).
#![no_main]

use feather_drafter::{CapturedSession, DraftOptions, Pii, draft};
use feather_types::{ScenarioDraft, SessionAnalysisInput, SessionAttribution};
use feather_validation::{json_body, value_as};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = json_body::<SessionAnalysisInput>(data, Some("application/json")) else {
        return;
    };
    let session = CapturedSession {
        input,
        attribution: SessionAttribution::default(),
    };
    for pii in [Pii::Placeholders, Pii::Surrogates, Pii::Keep] {
        let Ok(drafted) = draft(&session, &DraftOptions { pii }) else {
            continue;
        };
        let mut value = serde_json::to_value(&drafted).expect("a draft serialises");
        if let Err(errors) = value_as::<ScenarioDraft>(&mut value, vec![]) {
            panic!("a draft breaks the ScenarioDraft contract: {errors:?}");
        }
    }
});
