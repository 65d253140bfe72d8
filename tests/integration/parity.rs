//! The differential test: bad requests and upstream's answers to them.
//!
//! `tests/parity/cases.json` holds each request and what upstream (FastAPI with
//! pydantic v2) answered: the 422 bodies were recorded from FastAPI serving models
//! built from the upstream schemas (`tests/parity/record.py`), the other statuses
//! carry upstream's status and our stable `ErrorResponse` code. Every case is sent to
//! the real server; a 422 must equal upstream's body (key order aside), any other
//! status must be an `ErrorResponse` with the expected code and a message.

use base64_free::decode_base64;
use serde_json::Value;

use crate::support::{API_KEY, TestServer, workspace_root};

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(workspace_root().join("tests/parity/cases.json")).unwrap();
    let table: Value = serde_json::from_str(&text).unwrap();
    table["cases"].as_array().unwrap().clone()
}

fn body_of(case: &Value) -> Vec<u8> {
    if let Some(json) = case.get("body_json") {
        return serde_json::to_vec(json).unwrap();
    }
    if let Some(encoded) = case["body_base64"].as_str() {
        return decode_base64(encoded);
    }
    case["body"]
        .as_str()
        .unwrap_or_default()
        .as_bytes()
        .to_vec()
}

/// What differs between our answer and the expected one, if anything.
fn mismatch(expected: &Value, status: u16, body: &Value) -> Option<String> {
    let want_status = expected["status"].as_u64().unwrap() as u16;
    if status != want_status {
        return Some(format!(
            "status {status}, expected {want_status}; body {body}"
        ));
    }
    if let Some(code) = expected.get("error") {
        let message_ok = body["message"].as_str().is_some_and(|m| !m.is_empty());
        let keys_ok = body.as_object().is_some_and(|o| o.len() == 2);
        if body["error"] != *code || !message_ok || !keys_ok {
            return Some(format!(
                "expected an ErrorResponse with error {code}, got {body}"
            ));
        }
        return None;
    }
    (body != &expected["body"]).then(|| format!("body {body}\n    expected {}", expected["body"]))
}

/// The one deliberate difference in a 422's text (docs/api.md, "Known differences
/// from upstream"): a body read as text because of its media type has a sentence
/// after pydantic's `msg` saying so. Checks that it is there exactly then, and takes
/// it away so that the rest compares with upstream's body.
fn without_media_type_hint(body: &mut Value, content_type: Option<&str>) -> Result<(), String> {
    let read_as_text = content_type.is_some_and(|c| {
        let essence = c
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        !(essence == "application/json"
            || essence.starts_with("application/") && essence.ends_with("+json"))
    });
    let Some(details) = body.get_mut("detail").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    for detail in details {
        let whole_body = detail["loc"] == serde_json::json!(["body"])
            && detail["type"] == "model_attributes_type";
        let Some(msg) = detail["msg"].as_str() else {
            continue;
        };
        match msg.find(" (the body was sent as ") {
            Some(at) if read_as_text && whole_body => {
                let hint = &msg[at..];
                if !hint.ends_with("send JSON with the header content-type: application/json)") {
                    return Err(format!("the media type hint is {hint:?}"));
                }
                detail["msg"] = Value::String(msg[..at].to_owned());
            }
            Some(_) => return Err(format!("a media type hint where none belongs: {msg:?}")),
            None if read_as_text && whole_body => {
                return Err(format!("no media type hint after {msg:?}"));
            }
            None => {}
        }
    }
    Ok(())
}

#[tokio::test]
async fn bad_requests_get_upstreams_answers() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let cases = cases();
    assert!(cases.len() >= 80, "the parity table lost cases");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let method =
            reqwest::Method::from_bytes(case["method"].as_str().unwrap().as_bytes()).unwrap();
        let mut request = http
            .request(method, server.url(case["path"].as_str().unwrap()))
            .body(body_of(case));
        match case.get("api_key") {
            Some(Value::Null) => {}
            Some(Value::String(key)) => request = request.header("x-api-key", key),
            _ => request = request.header("x-api-key", API_KEY),
        }
        if let Some(content_type) = case["content_type"].as_str() {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let mut body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if let Err(why) = without_media_type_hint(&mut body, case["content_type"].as_str()) {
            failures.push(format!("{name}: {why}"));
            continue;
        }
        if let Some(why) = mismatch(&case["expected"], status, &body) {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from upstream:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_comparison_catches_a_changed_body() {
    let expected = serde_json::json!({"status": 422, "body": {"detail": [{"type": "missing"}]}});
    let same = serde_json::json!({"detail": [{"type": "missing"}]});
    let other = serde_json::json!({"detail": [{"type": "missing", "input": {}}]});
    assert!(mismatch(&expected, 422, &same).is_none());
    assert!(mismatch(&expected, 422, &other).is_some());
    assert!(mismatch(&expected, 400, &same).is_some());
    let error = serde_json::json!({"status": 401, "error": "unauthorized"});
    let good = serde_json::json!({"error": "unauthorized", "message": "Key required."});
    let dropshot = serde_json::json!({"request_id": "1", "message": "Unauthorized"});
    assert!(mismatch(&error, 401, &good).is_none());
    assert!(mismatch(&error, 401, &dropshot).is_some());
}

/// A standard base64 decoder, so the tests need no extra crate.
mod base64_free {
    pub fn decode_base64(text: &str) -> Vec<u8> {
        let value = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        };
        let digits: Vec<u8> = text.bytes().filter(|c| *c != b'=').map(value).collect();
        let mut out = Vec::new();
        for chunk in digits.chunks(4) {
            let mut acc = 0u32;
            for (i, d) in chunk.iter().enumerate() {
                acc |= u32::from(*d) << (18 - 6 * i);
            }
            let bytes = acc.to_be_bytes();
            out.extend_from_slice(&bytes[1..chunk.len()]);
        }
        out
    }
}
