//! Names and intents: every goal, in order, named from what the customer asked for,
//! with the facts the simulated customer needs and nothing the customer never said.

use feather_drafter::capture::parse_value;
use serde_json::{Value, json};

use crate::support::{assert_within_limits, drafted};

fn call(id: &str, name: &str, arguments: Value) -> Value {
    json!({"role": "assistant", "content": null, "tool_calls": [
        {"id": id, "type": "function", "function": {"name": name, "arguments": arguments.to_string()}}]})
}

fn result(id: &str, content: Value) -> Value {
    json!({"role": "tool", "tool_call_id": id, "content": content.to_string()})
}

fn say(role: &str, text: &str) -> Value {
    json!({"role": role, "content": text})
}

#[test]
fn every_goal_is_named_in_order_without_ids_the_customer_never_gave() {
    let log = json!({
        "messages": [
            say("user", "What's my savings balance? Then transfer $1,730 to my friend from savings, not from checking. And what's the weather in Chicago?"),
            call("c1", "verify_identity", json!({"customer_id": "CUST-1"})),
            result("c1", json!({"verified": true})),
            call("c2", "get_account_balance", json!({"account_type": "savings", "customer_id": "CUST-1"})),
            result("c2", json!({"balance": 2450.25})),
            call("c3", "transfer_funds", json!({"amount": 1730, "from_account": "savings", "payment_id": "credit_card_9525117"})),
            result("c3", json!({"status": "completed"})),
            call("c4", "get_weather", json!({"city": "Chicago"})),
            result("c4", json!({"forecast": "rain"})),
            say("assistant", "Rain in Chicago."),
        ],
        "outcome": "resolved"
    });
    let draft = drafted(&parse_value(log).expect("a chat log"), true);
    assert_within_limits(&draft);
    // Each goal in the customer's words, the tool's phrase kept in the intent.
    assert_eq!(
        draft.name,
        "Check savings balance, then transfer $1,730 to my friend from savings, then check weather in Chicago (resolved)"
    );
    assert!(
        draft.intent.contains("[get account balance]"),
        "{}",
        draft.intent
    );
    assert!(!draft.name.contains("credit_card"), "{}", draft.name);
    let intent = &draft.intent;
    for fact in ["savings", "1730", "Chicago", "not from checking"] {
        assert!(intent.contains(fact), "{fact} missing: {intent}");
    }
    assert!(!intent.contains("credit_card_9525117"), "{intent}");
    assert!(!intent.contains("verify"), "{intent}");
    assert!(intent.chars().count() <= 500);
}

#[test]
fn more_than_three_goals_end_with_and_more_and_a_given_up_goal_says_so() {
    let mut messages = vec![say("user", "Several things, please.")];
    for (i, tool) in ["add_alarm", "book_table", "play_song", "search_flights"]
        .iter()
        .enumerate()
    {
        let id = format!("c{i}");
        messages.push(call(&id, tool, json!({})));
        messages.push(result(&id, json!({"ok": true})));
    }
    messages.push(say("user", "Hmm, never mind the flight."));
    let draft = drafted(
        &parse_value(Value::Array(messages)).expect("a chat log"),
        true,
    );
    assert!(
        draft
            .name
            .starts_with("Add alarm, then book table, then play song and more"),
        "{}",
        draft.name
    );
    assert!(
        draft.intent.contains("4) search flights (given up)"),
        "{}",
        draft.intent
    );
}

#[test]
fn a_goal_is_named_in_the_customers_words_when_its_request_matches_the_call() {
    let log = json!({
        "messages": [
            say("user", "Hi, I'm on reservation MKXV5L and I'd like to downgrade all my business flights to economy, please."),
            call("c1", "get_reservation_details", json!({"reservation_id": "MKXV5L"})),
            result("c1", json!({"cabin": "business"})),
            call("c2", "update_reservation_flights", json!({
                "reservation_id": "MKXV5L", "cabin": "economy", "payment_id": "credit_card_9525117"})),
            result("c2", json!({"ok": true})),
            say("user", "No, I don't want to buy travel insurance."),
            call("c3", "buy_travel_insurance", json!({"reservation_id": "MKXV5L"})),
            result("c3", json!({"error": "declined"})),
        ],
        "outcome": "transferred"
    });
    let draft = drafted(&parse_value(log).expect("a chat log"), true);
    assert_within_limits(&draft);
    // The reservation the customer named joins its noun; the payment id never shows;
    // a request the customer declined is not a goal's phrase (the tool's is).
    assert_eq!(
        draft.name,
        "Downgrade business flights to economy, then buy travel insurance for reservation MKXV5L (failed) (transferred)"
    );
    assert!(!draft.intent.contains("credit_card"), "{}", draft.intent);
    assert!(
        draft.intent.contains("[update reservation flights"),
        "{}",
        draft.intent
    );
}
