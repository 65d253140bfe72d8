//! Fuzzes the request-body validator: any bytes, as a JSON body of either request
//! type, must give a value or a documented error, never a panic, and the decoder must
//! accept every document serde_json accepts (with the same value) unless one of its
//! bounds refuses it.
#![no_main]

use feather_types::{ScenarioDraftFromSessionRequest, SessionAnalysisInput};
use feather_validation::pyjson::{self, DecodeError};
use feather_validation::{Rejection, json_body};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for content_type in [Some("application/json"), None, Some("text/plain")] {
        if let Err(err) = json_body::<ScenarioDraftFromSessionRequest>(data, content_type) {
            check_error(&err);
        }
        if let Err(err) = json_body::<SessionAnalysisInput>(data, content_type) {
            check_error(&err);
        }
    }
    if let Ok(theirs) = serde_json::from_slice::<serde_json::Value>(data) {
        match pyjson::decode(data) {
            Ok(ours) => assert!(
                same(&ours, &theirs),
                "the decoders disagree: {ours} {theirs}"
            ),
            Err(
                DecodeError::TooDeep
                | DecodeError::TooManyEntries
                | DecodeError::TooManyValues
                | DecodeError::StringTooLong,
            ) => {}
            Err(other) => panic!("serde_json accepts what the decoder refuses: {other:?}"),
        }
    }
});

// Equal as JSON values, numbers compared as floats within a few ulps: Python (and
// so the decoder) reads `-0` as the integer 0 where serde_json reads the float -0.0,
// and serde_json (without `float_roundtrip`) may round a long integer one ulp away
// from the correctly rounded value the decoder takes, as Python's float(int) does.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 4.0 * f64::EPSILON * x.abs(),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

// Every error is one of the two documented bodies, and serialises.
fn check_error(err: &Rejection) {
    match err {
        Rejection::Invalid(detail) => {
            assert!(!detail.is_empty());
            serde_json::to_vec(detail).expect("an error body serialises");
        }
        Rejection::BadRequest(e) => {
            assert!(!e.error.is_empty() && !e.message.is_empty(), "{e:?}");
        }
    }
}
