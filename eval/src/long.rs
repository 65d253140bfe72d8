//! Long airline- and retail-style conversations (30 turns and more, several records)
//! whose goals are not all a write tool's: a complaint with its cause and a request
//! for compensation, a question the agent answers from policy, a request the policy
//! refuses and the fallback the customer then accepts. They measure issue "Drafts 3"'s
//! third part: does the name and intent say what the customer came for, all of it,
//! with the facts it stated?
//!
//! Each goal is said in one of several phrasings; a seeded shuffle splits every list
//! of phrasings into a tuning and a held-out half, as the name sessions do
//! ([`crate::names`]), and `feather-eval` reports `long-held` (`--tuning` adds
//! `long-tune`). Labels: each goal as the words a reviewer looks for in name + intent,
//! each fact the customer stated (ids, flight numbers, dates, amounts, places, the
//! fallback it accepts) with its spellings.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

use crate::generate::{Builder, Gold};
use crate::names::{Half, fill, split};

/// The seed that splits the phrasings.
const SPLIT_SEED: u64 = 30;

/// Sessions per half.
pub const SESSIONS_PER_HALF: usize = 40;

/// A complaint about a delayed flight, its cause asked, compensation asked: `{F}`
/// flight, `{O}`/`{D}` airports, `{H}` hours late.
const DELAY_COMPLAINTS: &[&str] = &[
    "My flight {F} from {O} to {D} yesterday was delayed {H} hours and nobody told us why. Why was it delayed? I want compensation for this.",
    "I'm really unhappy: {F} {O} to {D} left {H} hours late. What caused the delay, and what compensation can you give me?",
    "Flight {F} ({O}-{D}) was {H} hours late. Can you tell me why, and I'd like to be compensated.",
    "I was stuck {H} hours at {O} because {F} to {D} was delayed. What happened? I expect some compensation.",
    "Complaint: {F} from {O} to {D} arrived {H} hours late. Please explain the delay and compensate me.",
    "The {H} hour delay on {F}, {O} to {D}, ruined my day. Why was it late, and can I get compensation?",
];

/// A cancellation with a refund that the policy refuses: `{R}` reservation.
const REFUND_REQUESTS: &[&str] = &[
    "I also need to cancel reservation {R} and get a full refund.",
    "Please cancel my booking {R} and refund the whole fare.",
    "And reservation {R}: cancel it and give me my money back.",
    "I want reservation {R} cancelled with a full refund, please.",
    "Can you cancel {R} for me and refund it to my card?",
    "Cancel {R} as well, I want a refund.",
];

/// The fallback the customer accepts after the refusal: `{T}` the new date.
const FALLBACKS: &[&str] = &[
    "Fine, if I can't get a refund, then move that trip to {T} instead.",
    "Then just change the flights on it to {T}, that works for me.",
    "OK, no refund then. Can you move it to {T}?",
    "If a refund is impossible, I'll take a change to {T}.",
    "Alright, change the date to {T} instead of cancelling.",
    "Then rebook it for {T}, I'll accept that.",
];

/// A question the agent answers from policy: how many bags.
const BAG_QUESTIONS: &[&str] = &[
    "One more question: how many checked bags do I get as a gold member?",
    "Also, what's my checked bag allowance with gold status?",
    "How many free checked bags does gold membership include?",
    "Quick question, how many bags can I check for free on gold?",
    "What is the free checked bag allowance for gold members?",
    "By the way, how many checked bags are free for me?",
];

/// A complaint about a damaged delivery and a return: `{P}` product, `{O}` order.
const DAMAGE_COMPLAINTS: &[&str] = &[
    "The {P} from order {O} arrived broken. I want to return it for a refund.",
    "My {P} (order {O}) came damaged in the box, please return it and refund me.",
    "Order {O}: the {P} is cracked. I'd like a return and my money back.",
    "I received a defective {P} in order {O} and want to send it back for a refund.",
    "The {P} I got with order {O} doesn't work at all. Return it, please, and refund my card.",
    "I need to return the {P} from order {O}, it was broken on arrival.",
];

/// A question whose answer is a lookup: when an order arrives; `{O}` order.
const ARRIVAL_QUESTIONS: &[&str] = &[
    "When will my other order {O} arrive?",
    "Can you tell me when order {O} will be delivered?",
    "Where is order {O}? When does it get here?",
    "What's the delivery date for order {O}?",
    "Has order {O} shipped yet, and when will it arrive?",
    "I'm also waiting on order {O}, when is it coming?",
];

/// A price match the policy refuses: `{S}` another store, `{M}` its price.
const PRICE_MATCHES: &[&str] = &[
    "Can you price match it? {S} sells it for ${M}.",
    "I saw it for ${M} at {S}, will you match that price?",
    "Please match {S}'s price of ${M}.",
    "{S} has it at ${M}. Can you price match?",
    "Do you price match? It's ${M} at {S}.",
    "I want the ${M} price that {S} charges.",
];

/// The fallback after the refused price match: exchange for another colour.
const EXCHANGES: &[&str] = &[
    "Then just exchange it for the {C} one instead.",
    "OK, in that case swap it for the {C} version.",
    "Fine, exchange it for the {C} model then.",
    "If you can't match it, exchange it for {C}.",
    "Then I'll take an exchange to the {C} color.",
    "Alright, exchange it for a {C} one.",
];

/// What the agent says between the goals, so a session runs 30 turns and more.
const SMALL_TALK: &[(&str, &str)] = &[
    ("Hello?", "Yes, I'm here. One moment please."),
    ("Are you still there?", "Yes, still checking."),
    ("Take your time.", "Thank you for your patience."),
    ("OK.", "Let me look into that."),
    ("Sure.", "Thanks, just a moment."),
    ("Alright.", "I appreciate you waiting."),
];

const AIRPORTS: &[&str] = &["ATL", "SEA", "JFK", "ORD", "DEN", "BOS", "SFO", "LAX"];
const PRODUCTS: &[&str] = &[
    "Dyson V8 vacuum",
    "Instant Pot Duo",
    "Garmin Forerunner watch",
    "Bose QuietComfort headphones",
];
const STORES: &[&str] = &["BestDeals", "ShopRight", "MegaMart", "ValueHub"];
const COLORS: &[&str] = &["black", "silver", "blue", "red"];

struct Lists {
    delays: Vec<&'static str>,
    refunds: Vec<&'static str>,
    fallbacks: Vec<&'static str>,
    bags: Vec<&'static str>,
    damages: Vec<&'static str>,
    arrivals: Vec<&'static str>,
    matches: Vec<&'static str>,
    exchanges: Vec<&'static str>,
}

impl Lists {
    fn of(half: Half) -> Lists {
        let mut rng = ChaCha8Rng::seed_from_u64(SPLIT_SEED);
        Lists {
            delays: split(DELAY_COMPLAINTS, half, &mut rng),
            refunds: split(REFUND_REQUESTS, half, &mut rng),
            fallbacks: split(FALLBACKS, half, &mut rng),
            bags: split(BAG_QUESTIONS, half, &mut rng),
            damages: split(DAMAGE_COMPLAINTS, half, &mut rng),
            arrivals: split(ARRIVAL_QUESTIONS, half, &mut rng),
            matches: split(PRICE_MATCHES, half, &mut rng),
            exchanges: split(EXCHANGES, half, &mut rng),
        }
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn code(rng: &mut ChaCha8Rng) -> String {
    let set = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..6)
        .map(|_| char::from(set[rng.random_range(0..set.len())]))
        .collect()
}

// A few exchanges that only keep the conversation going.
fn small_talk(s: &mut Builder, rng: &mut ChaCha8Rng, pairs: usize) {
    for _ in 0..pairs {
        let (customer, agent) = SMALL_TALK[rng.random_range(0..SMALL_TALK.len())];
        s.user(customer);
        s.agent(agent);
    }
}

fn airline(s: &mut Builder, rng: &mut ChaCha8Rng, lists: &Lists) {
    let user_id = format!("traveler_{}", rng.random_range(1000..9999));
    let flight = format!("HAT{:03}", rng.random_range(100..999));
    let origin = pick(rng, AIRPORTS);
    let destination = *AIRPORTS.iter().find(|a| **a != origin).unwrap_or(&"SEA");
    let hours = rng.random_range(3..7).to_string();
    let delayed_reservation = code(rng);
    let other_reservation = code(rng);
    let new_date = format!("2026-06-{:02}", rng.random_range(10..28));
    s.user(format!("Hi, my user id is {user_id}."));
    s.agent("Thanks. How can I help you today?");
    s.call(
        "get_user_details",
        json!({"user_id": user_id}),
        json!({"user_id": user_id, "membership": "gold",
               "reservations": [delayed_reservation, other_reservation]}),
    );
    let fields = [
        ("{F}", flight.clone()),
        ("{O}", origin.to_owned()),
        ("{D}", destination.to_owned()),
        ("{H}", hours.clone()),
        ("{R}", other_reservation.clone()),
        ("{T}", new_date.clone()),
    ];
    s.user(fill(pick(rng, &lists.delays), &fields));
    s.goal(&["compensation", "delay"]);
    s.fact(&[&flight]);
    s.fact(&[&format!("{hours} hours"), &format!("{hours}h"), &hours]);
    s.fact(&[origin]);
    s.fact(&[destination]);
    s.agent("I'm sorry to hear that. Let me look up the reservation.");
    s.call(
        "get_reservation_details",
        json!({"reservation_id": delayed_reservation}),
        json!({"reservation_id": delayed_reservation, "flights": [
            {"flight_number": flight, "origin": origin, "destination": destination,
             "status": "delayed", "delay_reason": "late inbound aircraft"}]}),
    );
    small_talk(s, rng, 2);
    s.agent(format!(
        "{flight} was delayed by a late inbound aircraft. As a gold member you are entitled to a $100 travel certificate."
    ));
    s.user("OK, I'll take the certificate.");
    s.call(
        "send_certificate",
        json!({"user_id": user_id, "amount": 100}),
        json!({"certificate_id": format!("cert_{}", rng.random_range(10000..99999)), "amount": 100}),
    );
    s.agent("Done: a $100 certificate is in your account.");
    small_talk(s, rng, 2);
    s.user(fill(pick(rng, &lists.refunds), &fields));
    s.goal(&["cancel", "refund"]);
    s.fact(&[&other_reservation]);
    s.call(
        "get_reservation_details",
        json!({"reservation_id": other_reservation}),
        json!({"reservation_id": other_reservation, "cabin": "basic_economy", "insurance": "no"}),
    );
    s.agent(
        "I'm sorry, that reservation is basic economy without insurance, so our policy does not allow a refund.",
    );
    small_talk(s, rng, 1);
    s.user(fill(pick(rng, &lists.fallbacks), &fields));
    s.goal(&["change", "flight"]);
    s.fact(&[&new_date, "June"]);
    s.call(
        "update_reservation_flights",
        json!({"reservation_id": other_reservation, "date": new_date}),
        json!({"reservation_id": other_reservation, "status": "changed", "date": new_date}),
    );
    s.agent(format!("Your reservation now flies on {new_date}."));
    small_talk(s, rng, 2);
    s.user(pick(rng, &lists.bags));
    s.goal(&["checked", "bags"]);
    s.agent("Gold members get three free checked bags on every flight.");
    small_talk(s, rng, 2);
    s.user("That's all, thank you.");
    s.agent("You're welcome, have a good trip.");
    s.gold.must_survive.extend([flight, other_reservation]);
}

fn retail(s: &mut Builder, rng: &mut ChaCha8Rng, lists: &Lists) {
    let order = format!("#W{}", rng.random_range(1_000_000..9_999_999));
    let other_order = format!("#W{}", rng.random_range(1_000_000..9_999_999));
    let product = pick(rng, PRODUCTS);
    let store = pick(rng, STORES);
    let price = rng.random_range(60..300).to_string();
    let color = pick(rng, COLORS);
    let item = rng
        .random_range(1_000_000_000u64..9_999_999_999)
        .to_string();
    let fields = [
        ("{P}", product.to_owned()),
        ("{O}", order.clone()),
        ("{S}", store.to_owned()),
        ("{M}", price.clone()),
        ("{C}", color.to_owned()),
    ];
    s.user("Hello, I need some help with my orders.");
    s.agent("Of course. What can I do for you?");
    s.user(fill(pick(rng, &lists.damages), &fields));
    let noun = product.split(' ').next_back().unwrap_or(product);
    s.goal(&["return", noun]);
    s.fact(&[&order]);
    s.call(
        "get_order_details",
        json!({"order_id": order}),
        json!({"order_id": order, "status": "delivered",
               "items": [{"name": product, "item_id": item, "price": 199.0}]}),
    );
    small_talk(s, rng, 2);
    s.call(
        "return_delivered_order_items",
        json!({"order_id": order, "item_ids": [item]}),
        json!({"order_id": order, "status": "return requested"}),
    );
    s.agent("The return is requested; the refund goes to your card once it arrives.");
    small_talk(s, rng, 2);
    let fields = [
        ("{P}", product.to_owned()),
        ("{O}", other_order.clone()),
        ("{S}", store.to_owned()),
        ("{M}", price.clone()),
        ("{C}", color.to_owned()),
    ];
    s.user(fill(pick(rng, &lists.arrivals), &fields));
    s.goal(&["order", "arrive"]);
    s.fact(&[&other_order]);
    s.call(
        "get_order_details",
        json!({"order_id": other_order}),
        json!({"order_id": other_order, "status": "shipped", "estimated_delivery": "2026-06-14",
               "items": [{"name": product, "item_id": item, "price": 199.0}]}),
    );
    s.agent("It shipped yesterday and should arrive on June 14.");
    small_talk(s, rng, 2);
    s.user(fill(pick(rng, &lists.matches), &fields));
    s.goal(&["price", "match"]);
    s.fact(&[store]);
    s.fact(&[&format!("${price}"), &price]);
    s.agent("I'm sorry, our policy does not allow price matching with other stores.");
    small_talk(s, rng, 1);
    s.user(fill(pick(rng, &lists.exchanges), &fields));
    s.goal(&["exchange"]);
    s.fact(&[color]);
    s.call(
        "exchange_delivered_order_items",
        json!({"order_id": other_order, "item_ids": [item], "new_item_ids": [format!("{item}-{color}")]}),
        json!({"order_id": other_order, "status": "exchange requested"}),
    );
    s.agent(format!("The exchange for the {color} one is requested."));
    small_talk(s, rng, 2);
    s.user("Thanks, that's everything.");
    s.agent("Happy to help. Goodbye!");
    s.gold.must_survive.extend([order, other_order]);
}

/// The long sessions of one half, with their gold lines.
pub fn generate(half: Half) -> Vec<(Value, Gold)> {
    let lists = Lists::of(half);
    let mut rng = ChaCha8Rng::seed_from_u64(SPLIT_SEED + 1 + half as u64);
    let tag = if half == Half::Tuning { "tune" } else { "held" };
    (0..SESSIONS_PER_HALF)
        .map(|i| {
            let id = format!("long-{tag}-{i:03}");
            let mut s = Builder::new(&id);
            let agent = if i % 2 == 0 {
                airline(&mut s, &mut rng, &lists);
                "Airline agent"
            } else {
                retail(&mut s, &mut rng, &lists);
                "Retail support"
            };
            s.finish(agent, "chat")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sessions_are_long_and_the_halves_differ() {
        for (log, gold) in generate(Half::HeldOut) {
            let turns = log["messages"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|m| m["content"].is_string())
                .count();
            assert!(turns >= 30, "{}: {turns} turns", gold.id);
            assert_eq!(gold.goals.len(), 4, "{}", gold.id);
        }
        let (tuning, held) = (Lists::of(Half::Tuning), Lists::of(Half::HeldOut));
        assert!(tuning.delays.iter().all(|d| !held.delays.contains(d)));
    }
}
