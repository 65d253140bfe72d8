//! PII redaction through the whole draft: realistic values in several formats,
//! everywhere a session can hold them, and the identifiers that must survive.

use feather_drafter::pii::{PiiKind, Redactor, find};
use feather_types::session::{HandoffEvent, ToolResult};
use serde_json::json;

use crate::support::{
    assert_within_limits, call_entry, drafted, inline_call, message, session, tool_calls_of,
};

/// Personal values, each written as a customer would write it.
const PERSONAL: &[&str] = &[
    "dana.whitfield@example.com",
    "415-555-0134",
    "(415) 555-0134",
    "+1 415 555 0134",
    "+44 20 7946 0958",
    "4111 1111 1111 1111",
    "5500-0000-0000-0004",
    "378282246310005",
    "078-05-1120",
    "GB82 WEST 1234 5698 7654 32",
    "DE89370400440532013000",
    "203.0.113.42",
    "2001:db8:85a3::8a2e:370:7334",
];

/// Identifiers and values that are not personal and must survive.
const SURVIVORS: &[&str] = &[
    "88412",
    "4471-22",
    "R-55102",
    "INV-9002",
    "$449.95",
    "2026-11-20",
    "2026-12-03T10:30:00Z",
    "8802d27f-bc21-51b7-be61-fbf6bf8bbaa3",
    "4111 1111 1111 1112",
    "GB82 WEST 1234 5698 7654 33",
    "confirmation QX7-PL2",
];

fn pii_session() -> feather_drafter::CapturedSession {
    let mut lookup = message(2, "assistant", "");
    lookup.tool_calls = Some(vec![inline_call(
        "c1",
        "lookup_customer",
        "{\"phone\": \"+14155550134\", \"email\": \"Dana.Whitfield@Example.com\"}",
    )]);
    let mut looked_up = message(3, "tool", "");
    looked_up.tool_results = Some(ToolResult {
        tool_call_id: "c1".into(),
        output: json!({
            "customer_id": "C-20931",
            "phones": ["4155550134", "+44 20 7946 0958"],
            "card_number": 4111111111111111u64,
            "ssn": "078051120",
            "last_login_ip": "203.0.113.42",
            "account": "4471-22"
        })
        .to_string(),
        error: None,
    });
    let messages = vec![
        message(0, "assistant", "Thanks for calling, how can I help?"),
        message(
            1,
            "user",
            &format!(
                "Hi, I was double charged on order 88412 ($449.95) on 2026-11-20. Reach me at {} or {} or {}, \
                 or at work on {}. Email {}. Card {} / {} / amex {}. SSN {}. Refund to {} or {}. \
                 I logged in from {} and {}. Ref 8802d27f-bc21-51b7-be61-fbf6bf8bbaa3, INV-9002, R-55102, \
                 4471-22, 4111 1111 1111 1112, GB82 WEST 1234 5698 7654 33, confirmation QX7-PL2, \
                 delivery 2026-12-03T10:30:00Z.",
                PERSONAL[1],
                PERSONAL[2],
                PERSONAL[3],
                PERSONAL[4],
                PERSONAL[0],
                PERSONAL[5],
                PERSONAL[6],
                PERSONAL[7],
                PERSONAL[8],
                PERSONAL[9],
                PERSONAL[10],
                PERSONAL[11],
                PERSONAL[12]
            ),
        ),
        lookup,
        looked_up,
    ];
    let calls = vec![call_entry(
        "c2",
        2,
        "create_refund",
        "{\"order_id\": \"88412\", \"iban\": \"GB82WEST12345698765432\", \"notify\": \"dana.whitfield@example.com\"}",
        Some("{\"refund_id\": \"R-55102\"}"),
        None,
        Some(200),
    )];
    let mut session = session(messages, calls);
    session.input.customer_metadata = Some(
        json!({"crm_id": "C-20931", "email": "dana.whitfield@example.com", "mobile": "(415) 555-0134"})
            .as_object()
            .cloned()
            .expect("an object"),
    );
    session.input.handoff_events = vec![HandoffEvent {
        timestamp: "2026-11-20T15:59:00Z".into(),
        transferred_to_agent_id: None,
        reason: Some("caller asked for callback on +14155550134".into()),
    }];
    session
}

#[test]
fn personal_data_never_reaches_the_draft() {
    let draft = drafted(&pii_session(), true);
    assert_within_limits(&draft);
    let text = serde_json::to_string(&draft).expect("serialises");
    for value in PERSONAL {
        assert!(!text.contains(value), "{value} leaked");
    }
    for value in [
        "4155550134",
        "4111111111111111",
        "078051120",
        "GB82WEST12345698765432",
        "Dana.Whitfield@Example.com",
    ] {
        assert!(!text.contains(value), "{value} leaked");
    }
    for value in SURVIVORS {
        assert!(
            draft.journey.contains(value),
            "{value} was redacted: {}",
            draft.journey
        );
    }
    assert!(text.contains("C-20931"));
    let brief = draft.source_brief.as_deref().expect("a brief");
    assert!(
        brief.contains(
            "PII redacted: email addresses, phone numbers, payment card numbers, social security numbers, IBANs, IP addresses."
        ),
        "{brief}"
    );
}

#[test]
fn one_value_has_one_placeholder_everywhere() {
    let draft = drafted(&pii_session(), true);
    let journey = &draft.journey;
    // Three spellings of one US number in the customer's turn.
    assert!(
        journey
            .contains("Reach me at <PHONE_1> or <PHONE_1> or <PHONE_1>, or at work on <PHONE_2>"),
        "{journey}"
    );
    assert!(journey.contains("Email <EMAIL_1>"), "{journey}");
    assert!(
        journey.contains(
            "Card <CARD_1> / <CARD_2> / amex <CARD_3>. SSN <SSN_1>. Refund to <IBAN_1> or <IBAN_2>"
        ),
        "{journey}"
    );
    assert!(journey.contains("from <IP_1> and <IP_2>"), "{journey}");
    assert!(journey.contains("callback on <PHONE_1>"), "{journey}");

    let lookup = &tool_calls_of(&draft, "lookup_customer")[0];
    assert_eq!(
        lookup["arguments"],
        json!({"email": "<EMAIL_1>", "phone": "<PHONE_1>"})
    );
    let output = &lookup["output"];
    assert_eq!(output["phones"], json!(["<PHONE_1>", "<PHONE_2>"]));
    assert_eq!(output["card_number"], "<CARD_1>");
    assert_eq!(output["ssn"], "<SSN_1>");
    assert_eq!(output["last_login_ip"], "<IP_1>");
    assert_eq!(output["account"], "4471-22");
    let refund = &tool_calls_of(&draft, "create_refund")[0];
    assert_eq!(refund["arguments"]["iban"], "<IBAN_1>");
    assert_eq!(refund["arguments"]["notify"], "<EMAIL_1>");
    assert_eq!(
        draft.mock_world["customer"],
        json!({"crm_id": "C-20931", "email": "<EMAIL_1>", "mobile": "<PHONE_1>"})
    );
}

#[test]
fn the_redactor_recognises_formats_and_leaves_lookalikes() {
    let cases: &[(&str, Option<PiiKind>)] = &[
        ("Jane.Doe+billing@mail.example.co.uk", Some(PiiKind::Email)),
        ("(212) 555-0199", Some(PiiKind::Phone)),
        ("212.555.0199", Some(PiiKind::Phone)),
        ("1-212-555-0199", Some(PiiKind::Phone)),
        ("+49 30 1234567", Some(PiiKind::Phone)),
        ("+33 1 23 45 67 89", Some(PiiKind::Phone)),
        ("6011 1111 1111 1117", Some(PiiKind::Card)),
        ("123-45-6789", Some(PiiKind::Ssn)),
        ("FR14 2004 1010 0505 0001 3M02 606", Some(PiiKind::Iban)),
        ("192.168.0.1", Some(PiiKind::Ip)),
        ("fe80:0:0:0:202:b3ff:fe1e:8329", Some(PiiKind::Ip)),
        ("666-45-6789", None),
        ("1234 5678 9012 3456", None),
        ("FR14 2004 1010 0505 0001 3M02 607", None),
        ("999.1.1.1", None),
        ("10:30:00", None),
        ("2026-11-20", None),
        ("449.95", None),
        ("+1 5", None),
    ];
    for (text, expected) in cases {
        let found: Vec<_> = find(text)
            .into_iter()
            .map(|f| (f.kind, f.start, f.end))
            .collect();
        match expected {
            Some(kind) => assert_eq!(found, [(*kind, 0, text.len())], "{text}"),
            None => assert_eq!(found, [], "{text}"),
        }
    }
    let mut redactor = Redactor::new();
    assert_eq!(
        redactor.text("no personal data: 88412"),
        "no personal data: 88412"
    );
    assert!(redactor.kinds().is_empty());
}
