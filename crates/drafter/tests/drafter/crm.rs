//! Personal data in structured tool results (CRM-style person records), propagated
//! to every text, and in free text (addresses, SSNs, introduced names and dates of
//! birth); what must survive next to it; and a property over generated records.

use feather_drafter::capture::parse_value;
use feather_drafter::pii::{PiiKind, find};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::{assert_within_limits, drafted};

/// A chat log (a bare array of messages) with one CRM lookup per record.
fn crm_log(turns: &[(&str, &str)], calls: &[(&str, Value, Value)]) -> Value {
    let mut messages = Vec::new();
    for (role, text) in turns {
        messages.push(json!({"role": role, "content": text}));
    }
    for (i, (name, arguments, result)) in calls.iter().enumerate() {
        let id = format!("call_{i}");
        messages.push(json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": id, "type": "function", "function": {"name": name, "arguments": arguments.to_string()}}]}));
        let content = match result {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        messages.push(json!({"role": "tool", "tool_call_id": id, "content": content}));
    }
    messages.push(
        json!({"role": "assistant", "content": "Thank you, Olivia. Anything else, Ms. Brennan?"}),
    );
    Value::Array(messages)
}

fn olivia() -> Value {
    crm_log(
        &[(
            "user",
            "Hi, I'm Olivia Brennan, user id olivia_brennan_4410. Please downgrade my business flights to economy, not before 11am, on reservation Z7GOZK.",
        )],
        &[
            (
                "get_user_details",
                json!({"user_id": "olivia_brennan_4410"}),
                json!({
                    "user_id": "olivia_brennan_4410",
                    "name": {"first_name": "Olivia", "last_name": "Brennan"},
                    "address": {"address1": "334 Laurel Lane", "address2": "Suite 970", "city": "Torrance", "state": "CA", "zip": "90504"},
                    "dob": "1988-06-13",
                    "email": "olivia.b@example.com",
                    "saved_passengers": [{"firstName": "Noah", "LAST-NAME": "Okafor", "date_of_birth": "1990-01-02"}],
                    "payment_methods": {"credit_card_9525117": {"brand": "visa", "last_four": "7447"}},
                    "membership": "gold"
                }),
            ),
            (
                "get_order_details",
                json!({"order_id": "#W4817735"}),
                // JSON inside a string counts too.
                Value::String(
                    json!({
                        "order_id": "#W4817735",
                        "items": [{"name": "Vitamix 5200 blender", "price": 449.95}],
                        "customer": {"name": "Olivia Brennan", "phone": "4155550134"},
                        "note": json!({"contact": {"name": "Olivia Brennan"}}).to_string()
                    })
                    .to_string(),
                ),
            ),
            (
                "find_restaurants",
                json!({"city": "San Jose"}),
                json!([{"restaurant_name": "Sakoon", "name": "Sakoon Indian Kitchen", "street_address": "357 Castro Street", "phone_number": "650-965-2000", "rating": 4.5}]),
            ),
            (
                "update_reservation_flights",
                json!({"reservation_id": "Z7GOZK", "cabin": "economy", "payment_id": "credit_card_9525117", "flights": [{"flight_number": "HAT123", "date": "2026-05-15"}]}),
                json!({"reservation_id": "Z7GOZK", "cabin": "economy"}),
            ),
        ],
    )
}

const OLIVIA_PERSONAL: &[&str] = &[
    "Olivia",
    "Brennan",
    "olivia_brennan_4410",
    "334 Laurel Lane",
    "Suite 970",
    "90504",
    "1988-06-13",
    "olivia.b@example.com",
    "Noah",
    "Okafor",
    "1990-01-02",
    "4155550134",
];

const OLIVIA_SURVIVES: &[&str] = &[
    "Vitamix 5200 blender",
    "449.95",
    "#W4817735",
    "Z7GOZK",
    "HAT123",
    "2026-05-15",
    "Torrance",
    "San Jose",
    "Sakoon Indian Kitchen",
    "357 Castro Street",
    "economy",
    "credit_card_9525117",
];

fn contains_word(text: &str, value: &str) -> bool {
    let lower = text.to_lowercase();
    let value = value.to_lowercase();
    lower.match_indices(&value).any(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + value.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

#[test]
fn crm_records_are_redacted_everywhere_and_the_rest_survives() {
    let captured = parse_value(olivia()).expect("a chat log");
    let draft = drafted(&captured, true);
    assert_within_limits(&draft);
    let text = serde_json::to_string(&draft).expect("serialises");
    for value in OLIVIA_PERSONAL {
        assert!(!contains_word(&text, value), "{value} leaked: {text}");
    }
    for value in OLIVIA_SURVIVES {
        assert!(text.contains(value), "{value} was lost: {text}");
    }
    // One person, one number: the full name, the given and the family name each
    // with a placeholder of their own, in every text, so a simulated customer asked
    // for its first and last name gives the parts the mock world holds.
    assert!(
        draft.journey.contains("Thank you, <NAME_1_GIVEN>"),
        "{}",
        draft.journey
    );
    assert!(
        draft.journey.contains("Ms. <NAME_1_FAMILY>"),
        "{}",
        draft.journey
    );
    let details = &draft.mock_world["tools"]["get_user_details"][0];
    assert_eq!(
        details["output"]["name"],
        json!({"first_name": "<NAME_1_GIVEN>", "last_name": "<NAME_1_FAMILY>"})
    );
    assert_eq!(details["output"]["address"]["address1"], "<ADDRESS_1>");
    assert_eq!(details["output"]["address"]["zip"], "<POSTAL_CODE_1>");
    assert_eq!(details["output"]["address"]["city"], "Torrance");
    assert_eq!(details["output"]["dob"], "<DOB_1>");
    // The user id: the same placeholder in the arguments the mock world matches on
    // and in what the customer says, so the replay still works.
    assert_eq!(details["arguments"]["user_id"], "<USER_ID_1>");
    assert_eq!(details["output"]["user_id"], "<USER_ID_1>");
    assert!(
        draft.journey.contains("user id <USER_ID_1>"),
        "{}",
        draft.journey
    );
    assert!(draft.intent.contains("<USER_ID_1>") || !draft.intent.contains("user id"));
    // A business's name, address and phone survive; a product's name survives.
    let brief = draft.source_brief.as_deref().unwrap_or_default();
    for kind in [
        "person names",
        "street addresses",
        "postal codes",
        "dates of birth",
    ] {
        assert!(brief.contains(kind), "{brief}");
    }
}

#[test]
fn the_redaction_switch_still_turns_it_off() {
    let captured = parse_value(olivia()).expect("a chat log");
    let draft = drafted(&captured, false);
    let text = serde_json::to_string(&draft).expect("serialises");
    assert!(text.contains("334 Laurel Lane") && text.contains("Olivia"));
}

#[test]
fn free_text_addresses_ssns_births_and_introduced_names() {
    let cases: &[(&str, &str, PiiKind)] = &[
        (
            "send it to 4438 Park Road, Tucson, AZ 85701 please",
            "4438 Park Road, Tucson, AZ 85701",
            PiiKind::Address,
        ),
        (
            "ship to 5648 Park Boulevard, Apt 3B, Sacramento, CA 95814.",
            "5648 Park Boulevard, Apt 3B, Sacramento, CA 95814",
            PiiKind::Address,
        ),
        ("it is 334 Laurel Lane", "334 Laurel Lane", PiiKind::Address),
        ("my ssn is 755 11 8030", "755 11 8030", PiiKind::Ssn),
        ("SSN: 755118030", "755118030", PiiKind::Ssn),
        (
            "I was born on June 13, 1988.",
            "June 13, 1988",
            PiiKind::Dob,
        ),
        ("date of birth is 1988-06-13", "1988-06-13", PiiKind::Dob),
        ("DOB 06/13/1988", "06/13/1988", PiiKind::Dob),
        ("Hello, my name is Mia Li.", "Mia Li", PiiKind::Name),
        (
            "Hi, this is Dana Whitfield calling about a bill",
            "Dana Whitfield",
            PiiKind::Name,
        ),
        ("I'm Olivia, and I need help", "Olivia", PiiKind::Name),
    ];
    for (text, value, kind) in cases {
        let found: Vec<(PiiKind, &str)> = find(text)
            .into_iter()
            .map(|f| (f.kind, &text[f.start..f.end]))
            .collect();
        assert!(found.contains(&(*kind, *value)), "{text}: {found:?}");
    }
    for text in [
        "I'm looking for flight UA 1234 on 2026-05-15 at 11am",
        "I'm Sorry, order 88412 costs $449.95",
        "Confirmation code QX7-PL2, 3 tickets to Chicago",
        "This is great, book the Vitamix 5200 blender",
        "Take Park Road to Tucson",
        "reservation Z7GOZK for 2 people at 18:30",
    ] {
        assert_eq!(find(text), [], "{text}");
    }
}

fn first_names() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Olivia", "Mateo", "Priya", "Kenji", "Fatima", "Sven", "Yara", "Ingrid", "Malik", "Chloe",
    ])
    .prop_map(str::to_owned)
}

fn last_names() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Brennan",
        "Okafor",
        "Kowalski",
        "Haddad",
        "Johansson",
        "Tanaka",
        "Moreau",
        "Yilmaz",
    ])
    .prop_map(str::to_owned)
}

fn street() -> impl Strategy<Value = String> {
    (
        100u32..9999,
        prop::sample::select(vec!["Laurel", "Cedar", "Willow", "Hillcrest", "Maple"]),
        prop::sample::select(vec!["Lane", "Street", "Avenue", "Drive", "Court"]),
    )
        .prop_map(|(n, s, k)| format!("{n} {s} {k}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random people in nested tool results, echoed by the agent and the customer:
    /// no personal value survives anywhere in the serialized draft, and the order,
    /// product, price and city do.
    #[test]
    fn no_generated_person_survives(
        first in first_names(),
        last in last_names(),
        address in street(),
        zip in 10000u32..99999,
        year in 1940u32..2005,
        month in 1u32..13,
        day in 1u32..29,
        digits in 1000u32..9999,
        nesting in 0usize..3,
        key_style in 0usize..3,
    ) {
        let dob = format!("{year}-{month:02}-{day:02}");
        let user_id = format!("{}_{}_{digits}", first.to_lowercase(), last.to_lowercase());
        let (first_key, last_key) = [("first_name", "last_name"), ("firstName", "lastName"), ("FIRST-NAME", "LAST-NAME")][key_style];
        let mut person = json!({
            "name": {first_key: first, last_key: last},
            "address": {"address1": address, "city": "Denver", "zip": zip.to_string()},
            "dob": dob,
            "user_id": user_id,
        });
        for _ in 0..nesting {
            person = json!({"data": {"customer": person}});
        }
        let log = crm_log(
            &[
                ("user", &format!("Hi, my name is {first} {last}. I was born on {dob}. Where is order #W1234567?")),
                ("assistant", &format!("Thanks {first}, I see {address} on file.")),
                ("user", &format!("Yes, {last} at {address}, zip {zip}, id {user_id}.")),
            ],
            &[
                ("get_user_details", json!({"user_id": user_id}), person),
                ("get_order_details", json!({"order_id": "#W1234567"}), json!({"items": [{"name": "Kindle Paperwhite", "price": 139.99}], "ship_to": "Denver"})),
            ],
        );
        let captured = parse_value(log).expect("a chat log");
        let draft = drafted(&captured, true);
        assert_within_limits(&draft);
        let text = serde_json::to_string(&draft).expect("serialises");
        for value in [&first, &last, &address, &zip.to_string(), &dob, &user_id] {
            prop_assert!(!contains_word(&text, value), "{} leaked: {}", value, text);
        }
        for value in ["#W1234567", "Kindle Paperwhite", "139.99", "Denver"] {
            prop_assert!(text.contains(value), "{} was lost: {}", value, text);
        }
        // The mock world answers the placeholder the customer now gives.
        let call = &draft.mock_world["tools"]["get_user_details"][0];
        let id = call["arguments"]["user_id"].as_str().unwrap_or_default().to_owned();
        prop_assert!(id.starts_with("<USER_ID_"), "{}", id);
        prop_assert!(draft.journey.contains(&format!("id {id}")), "{}", draft.journey);
    }
}
