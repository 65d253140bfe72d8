//! The labelled sessions the development corpus lacks, made by a seeded generator so
//! they can be made again byte for byte (`feather-eval generate`).
//!
//! Each session is a chat log in the chat-transcript envelope: a customer of a retail
//! shop, a bank or an airline introduces themselves ("my name is ...", "this is ...
//! calling", "I'm ...", a date of birth "born on ..."), the agent looks them up in a
//! CRM whose tool results hold person records (nested `name`, `address`, `dob`,
//! `email`, `phone`, a user id built from the name, saved passengers), greets them by
//! first name, and then works through two or three goals with stated constraints
//! ("not before 11am", "economy", "only if it is under $300"), sometimes one the
//! customer gives up. The gold line of each session lists its goals (word lists for
//! the stemmed match), the facts the customer stated, every personal value, and the
//! values that must survive (order and reservation ids, flight numbers, prices,
//! product names, cities alone, travel dates).

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use serde_json::{Value, json};

const FIRST: &[&str] = &[
    "Olivia", "Mia", "Liam", "Noah", "Ava", "Ethan", "Sofia", "Lucas", "Amelia", "Mason", "Harper",
    "Elijah", "Chloe", "Omar", "Yara", "Mateo", "Priya", "Kenji", "Fatima", "Diego", "Hannah",
    "Tariq", "Ingrid", "Rafael", "Leila", "Anton", "Grace", "Malik", "Nora", "Sven",
];
const LAST: &[&str] = &[
    "Li",
    "Garcia",
    "Nguyen",
    "Okafor",
    "Schmidt",
    "Patel",
    "Kowalski",
    "Moreau",
    "Haddad",
    "Johansson",
    "Silva",
    "Tanaka",
    "Rossi",
    "Walsh",
    "Khan",
    "Dubois",
    "Andersen",
    "Mendes",
    "Novak",
    "Fischer",
    "Ibrahim",
    "Larsen",
    "Costa",
    "Petrov",
    "Brennan",
    "Yilmaz",
    "Sato",
    "Alvarez",
    "Hughes",
    "Romero",
];
const STREETS: &[&str] = &[
    "Laurel",
    "Park",
    "Cedar",
    "Maple",
    "Willow",
    "Chestnut",
    "Spruce",
    "Oak",
    "Elm",
    "Hillcrest",
    "Sunset",
    "Lakeview",
    "River",
    "Highland",
    "Main",
];
const SUFFIXES: &[&str] = &[
    "Lane",
    "Road",
    "Street",
    "Avenue",
    "Boulevard",
    "Drive",
    "Court",
    "Way",
    "Place",
];
const PLACES: &[(&str, &str, &str)] = &[
    ("Tucson", "AZ", "85701"),
    ("Sacramento", "CA", "95814"),
    ("Austin", "TX", "78701"),
    ("Columbus", "OH", "43215"),
    ("Portland", "OR", "97205"),
    ("Raleigh", "NC", "27601"),
    ("Denver", "CO", "80202"),
    ("Madison", "WI", "53703"),
];
const WEATHER_CITIES: &[&str] = &[
    "Chicago", "Seattle", "Boston", "Miami", "Atlanta", "Phoenix",
];
const PRODUCTS: &[(&str, f64)] = &[
    ("Vitamix 5200 blender", 449.95),
    ("Bose QuietComfort headphones", 329.0),
    ("Kindle Paperwhite", 139.99),
    ("Dyson V8 vacuum", 399.5),
    ("Instant Pot Duo", 89.95),
    ("Garmin Forerunner watch", 249.99),
    ("Nespresso Vertuo machine", 179.0),
    ("Logitech MX Master mouse", 99.99),
];
const AIRPORTS: &[&str] = &["SFO", "JFK", "ORD", "SEA", "BOS", "ATL", "DEN", "LAX"];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// One generated session's labels.
#[derive(Debug, Serialize)]
pub struct Gold {
    pub id: String,
    /// Each goal as the words a reviewer would look for in the name and intent.
    pub goals: Vec<Vec<String>>,
    /// Each fact the customer stated, as the ways of writing it that count.
    pub facts: Vec<Vec<String>>,
    pub personal: Vec<String>,
    pub must_survive: Vec<String>,
}

struct Person {
    first: String,
    last: String,
    user_id: String,
    email: String,
    phone: String,
    dob: String,
    dob_words: String,
    address1: String,
    address2: String,
    city: String,
    state: String,
    zip: String,
}

impl Person {
    /// What a CRM record of this person holds besides the name.
    fn crm_values(&self) -> [&str; 6] {
        [
            &self.user_id,
            &self.email,
            &self.dob,
            &self.address1,
            &self.address2,
            &self.zip,
        ]
    }
}

/// A chat log being written, with its gold line: shared by every generator.
pub(crate) struct Builder {
    pub messages: Vec<Value>,
    calls: usize,
    pub gold: Gold,
}

impl Builder {
    /// An empty log with the given id.
    pub(crate) fn new(id: &str) -> Builder {
        Builder {
            messages: Vec::new(),
            calls: 0,
            gold: Gold {
                id: id.to_owned(),
                goals: Vec::new(),
                facts: Vec::new(),
                personal: Vec::new(),
                must_survive: Vec::new(),
            },
        }
    }

    /// The chat log in the envelope, and its gold line.
    pub(crate) fn finish(self, agent: &str, channel: &str) -> (Value, Gold) {
        let log = json!({
            "id": self.gold.id,
            "organization_id": "5089f4bc-8601-5899-8283-2b9a5d462041",
            "agent": {"name": agent},
            "channel": channel,
            "started_at": "2026-11-20T15:00:00Z",
            "outcome": "resolved",
            "messages": self.messages,
        });
        (log, self.gold)
    }

    pub(crate) fn user(&mut self, text: impl Into<String>) {
        self.messages
            .push(json!({"role": "user", "content": text.into()}));
    }
    pub(crate) fn agent(&mut self, text: impl Into<String>) {
        self.messages
            .push(json!({"role": "assistant", "content": text.into()}));
    }
    pub(crate) fn call(&mut self, name: &str, arguments: Value, result: Value) {
        self.calls += 1;
        let id = format!("call_{}", self.calls);
        self.messages.push(json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": id, "type": "function", "function": {"name": name, "arguments": arguments.to_string()}}
        ]}));
        self.messages
            .push(json!({"role": "tool", "tool_call_id": id, "content": result.to_string()}));
    }
    pub(crate) fn goal(&mut self, words: &[&str]) {
        self.gold
            .goals
            .push(words.iter().map(|w| (*w).to_owned()).collect());
    }
    pub(crate) fn fact(&mut self, ways: &[&str]) {
        self.gold
            .facts
            .push(ways.iter().map(|w| (*w).to_owned()).collect());
    }
    pub(crate) fn personal(&mut self, values: &[&str]) {
        self.gold
            .personal
            .extend(values.iter().map(|v| (*v).to_owned()));
    }
    pub(crate) fn keep(&mut self, values: &[&str]) {
        self.gold
            .must_survive
            .extend(values.iter().map(|v| (*v).to_owned()));
    }
}

pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|i| {
            let low = if i == 0 { 1 } else { 0 };
            char::from(b'0' + rng.random_range(low..10u8))
        })
        .collect()
}

fn person(rng: &mut ChaCha8Rng) -> Person {
    let first = pick(rng, FIRST).to_string();
    let last = pick(rng, LAST).to_string();
    let (city, state, zip) = *pick(rng, PLACES);
    let year = rng.random_range(1950..2004);
    let month = rng.random_range(1..13usize);
    let day = rng.random_range(1..29);
    Person {
        user_id: format!(
            "{}_{}_{}",
            first.to_lowercase(),
            last.to_lowercase(),
            digits(rng, 4)
        ),
        email: format!(
            "{}.{}{}@example.com",
            first.to_lowercase(),
            last.to_lowercase(),
            rng.random_range(1..99)
        ),
        phone: format!("+1 (415) 555-{}", rng.random_range(1000..2000)),
        dob: format!("{year}-{month:02}-{day:02}"),
        dob_words: format!("{} {day}, {year}", MONTHS[month - 1]),
        address1: format!(
            "{} {} {}",
            rng.random_range(100..9999),
            pick(rng, STREETS),
            pick(rng, SUFFIXES)
        ),
        address2: format!("Suite {}", rng.random_range(100..999)),
        city: city.to_owned(),
        state: state.to_owned(),
        zip: zip.to_owned(),
        first,
        last,
    }
}

fn name_json(p: &Person) -> Value {
    json!({"first_name": p.first, "last_name": p.last})
}

fn address_json(p: &Person) -> Value {
    json!({"address1": p.address1, "address2": p.address2, "city": p.city,
           "country": "USA", "state": p.state, "zip": p.zip})
}

fn introduce(b: &mut Builder, rng: &mut ChaCha8Rng, p: &Person, request: &str) {
    let full = format!("{} {}", p.first, p.last);
    let text = match rng.random_range(0..3) {
        0 => format!("Hi, my name is {full}. {request}"),
        1 => format!("Hello, this is {full} calling. {request}"),
        _ => format!("Hi there, I'm {full}. {request}"),
    };
    b.user(text);
    b.personal(&[&p.first, &p.last, &full]);
}

fn retail(b: &mut Builder, rng: &mut ChaCha8Rng) {
    let p = person(rng);
    let order = format!("#W{}", digits(rng, 7));
    let (product, price) = *pick(rng, PRODUCTS);
    let item_id = digits(rng, 10);
    let card = format!("credit_card_{}", digits(rng, 7));
    let goals = rng.random_range(2..4);
    introduce(
        b,
        rng,
        &p,
        &format!("I want to return the {product} from order {order}, it arrived scratched."),
    );
    b.goal(&["return", product.split(' ').next_back().unwrap_or(product)]);
    b.fact(&[&order]);
    b.agent("I can help with that. Could you confirm your zip code?");
    b.user(format!("Sure, it's {}.", p.zip));
    b.call(
        "find_user_id_by_name_zip",
        json!({"first_name": p.first, "last_name": p.last, "zip": p.zip}),
        Value::String(p.user_id.clone()),
    );
    b.call(
        "get_user_details",
        json!({"user_id": p.user_id}),
        json!({"user_id": p.user_id, "name": name_json(&p), "address": address_json(&p),
               "email": p.email, "dob": p.dob,
               "payment_methods": {card.clone(): {"source": "credit_card", "brand": "visa", "last_four": digits(rng, 4), "id": card}},
               "orders": [order]}),
    );
    b.agent(format!(
        "Thank you, {}. I found your account and order {order}.",
        p.first
    ));
    b.call(
        "get_order_details",
        json!({"order_id": order}),
        json!({"order_id": order, "user_id": p.user_id, "address": address_json(&p), "status": "delivered",
               "items": [{"name": product, "item_id": item_id, "price": price}]}),
    );
    b.agent(format!(
        "The {product} cost ${price:.2}. Shall I refund it to the card on file?"
    ));
    b.user("Yes, refund it to my card please.");
    b.call(
        "return_delivered_order_items",
        json!({"order_id": order, "item_ids": [item_id], "payment_method_id": card}),
        json!({"order_id": order, "status": "return requested"}),
    );
    b.agent("The return is requested; you'll get an email with the label.");
    b.personal(&p.crm_values());
    b.keep(&[&order, product, &format!("{price}")]);
    if goals >= 2 {
        let place = *pick(rng, PLACES);
        let new_street = format!(
            "{} {} {}",
            rng.random_range(100..9999),
            pick(rng, STREETS),
            pick(rng, SUFFIXES)
        );
        let full = format!("{new_street}, {}, {} {}", place.0, place.1, place.2);
        b.user(format!(
            "Also, I moved. Please update my address to {full}, but keep the old one for order {order}."
        ));
        b.goal(&["update", "address"]);
        b.fact(&[&order]);
        b.call(
            "modify_user_address",
            json!({"user_id": p.user_id, "address1": new_street, "address2": "", "city": place.0,
                   "state": place.1, "country": "USA", "zip": place.2}),
            json!({"user_id": p.user_id, "address": {"address1": new_street, "city": place.0, "state": place.1, "zip": place.2}}),
        );
        b.agent("Your default address is updated.");
        b.personal(&[&new_street]);
    }
    if goals >= 3 {
        let other = format!("#W{}", digits(rng, 7));
        b.user(format!(
            "And cancel order {other}, but only if it has not shipped yet."
        ));
        b.goal(&["cancel", "order"]);
        b.fact(&[&other]);
        b.fact(&["not shipped", "has not shipped"]);
        b.call(
            "cancel_pending_order",
            json!({"order_id": other, "reason": "no longer needed"}),
            json!({"order_id": other, "status": "cancelled"}),
        );
        b.agent(format!("Order {other} is cancelled."));
        b.keep(&[&other]);
    }
    b.user("Thanks, that's all.");
}

fn banking(b: &mut Builder, rng: &mut ChaCha8Rng) {
    let p = person(rng);
    let friend = person(rng);
    let amount = rng.random_range(2..40) * 100 + rng.random_range(0..4) * 10;
    let amount_text = format!("{},{:03}", amount / 1000, amount % 1000);
    let amount_text = if amount >= 1000 {
        amount_text
    } else {
        amount.to_string()
    };
    let balance = f64::from(rng.random_range(5000..90000)) + 0.25;
    let customer = format!("CUST-{}", digits(rng, 6));
    let full = format!("{} {}", p.first, p.last);
    let dob_text = if rng.random_bool(0.5) {
        format!("I was born on {}", p.dob_words)
    } else {
        format!("my date of birth is {}", p.dob)
    };
    introduce(
        b,
        rng,
        &p,
        &format!("{dob_text}. What's the balance of my savings account?"),
    );
    b.personal(&[&p.dob, &p.dob_words]);
    b.goal(&["check", "balance"]);
    b.fact(&["savings"]);
    b.call(
        "verify_identity",
        json!({"full_name": full, "date_of_birth": p.dob}),
        json!({"verified": true, "customer_id": customer,
               "customer": {"name": full, "phone": p.phone, "email": p.email,
                            "address": format!("{}, {}, {} {}", p.address1, p.city, p.state, p.zip)}}),
    );
    b.call(
        "get_account_balance",
        json!({"customer_id": customer, "account_type": "savings"}),
        json!({"account_type": "savings", "balance": balance, "currency": "USD"}),
    );
    b.agent(format!(
        "Thanks {}, your savings balance is ${balance:.2}.",
        p.first
    ));
    b.personal(&[&p.phone, &p.email, &p.address1, &p.zip]);
    b.keep(&[&format!("{balance:.2}")]);
    let friend_full = format!("{} {}", friend.first, friend.last);
    b.user(format!(
        "Great. Then transfer ${amount_text} from savings to my friend {friend_full}, not from checking."
    ));
    b.goal(&["transfer"]);
    b.fact(&[
        &format!("${amount_text}"),
        &amount_text,
        &amount.to_string(),
    ]);
    b.fact(&["not from checking", "checking"]);
    b.personal(&[&friend_full, &friend.first, &friend.last]);
    let reference = format!("TRF-{}", digits(rng, 8));
    b.call(
        "transfer_funds",
        json!({"customer_id": customer, "from_account": "savings", "amount": amount,
               "recipient_name": friend_full, "currency": "USD"}),
        json!({"status": "completed", "reference": reference, "amount": amount}),
    );
    b.agent(format!("Done, the transfer reference is {reference}."));
    b.keep(&[&reference]);
    if rng.random_bool(0.6) {
        let city = *pick(rng, WEATHER_CITIES);
        b.user(format!(
            "One more thing: what's the weather in {city} tomorrow?"
        ));
        b.goal(&["weather"]);
        b.fact(&[city]);
        b.call(
            "get_weather",
            json!({"city": city, "date": "2026-12-02"}),
            json!({"city": city, "forecast": "light rain", "high_f": 48}),
        );
        b.agent(format!("Light rain in {city} tomorrow, high of 48F."));
        b.keep(&[city, "2026-12-02"]);
    }
    b.user("Thank you, bye.");
}

fn airline(b: &mut Builder, rng: &mut ChaCha8Rng) {
    let p = person(rng);
    let companion = person(rng);
    let reservation: String = (0..6)
        .map(|_| {
            let set = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            char::from(set[rng.random_range(0..set.len())])
        })
        .collect();
    let origin = *pick(rng, AIRPORTS);
    let destination = *pick(
        rng,
        AIRPORTS
            .iter()
            .filter(|a| **a != origin)
            .copied()
            .collect::<Vec<_>>()
            .as_slice(),
    );
    let out_flight = format!("HAT{}", rng.random_range(100..999));
    let back_flight = format!("HAT{}", rng.random_range(100..999));
    let day = rng.random_range(10..28);
    let out_date = format!("2026-05-{day:02}");
    let back_date = format!("2026-05-{:02}", day + 1);
    let card = format!("credit_card_{}", digits(rng, 7));
    let full = format!("{} {}", p.first, p.last);
    let request = format!(
        "My user id is {}. I'd like to downgrade all my business flights to economy on reservation {reservation}.",
        p.user_id
    );
    introduce(b, rng, &p, &request);
    b.goal(&["downgrade", "economy"]);
    b.fact(&[&reservation]);
    b.fact(&["economy"]);
    b.call(
        "get_user_details",
        json!({"user_id": p.user_id}),
        json!({"user_id": p.user_id, "name": name_json(&p), "address": address_json(&p),
               "email": p.email, "dob": p.dob, "membership": "gold",
               "payment_methods": {card.clone(): {"source": "credit_card", "brand": "mastercard", "id": card}},
               "saved_passengers": [{"first_name": companion.first, "last_name": companion.last, "dob": companion.dob}],
               "reservations": [reservation]}),
    );
    b.call(
        "get_reservation_details",
        json!({"reservation_id": reservation}),
        json!({"reservation_id": reservation, "user_id": p.user_id, "origin": origin, "destination": destination,
               "cabin": "business",
               "flights": [{"flight_number": out_flight, "date": out_date, "origin": origin, "destination": destination},
                           {"flight_number": back_flight, "date": back_date, "origin": destination, "destination": origin}],
               "passengers": [{"first_name": p.first, "last_name": p.last, "dob": p.dob},
                              {"first_name": companion.first, "last_name": companion.last, "dob": companion.dob}],
               "payment_history": [{"payment_id": card, "amount": 1840}]}),
    );
    b.agent(format!(
        "Thank you, {}. I see flights {out_flight} and {back_flight} in business for you and {}.",
        p.first, companion.first
    ));
    b.user("Yes, both of us, economy please.");
    b.call(
        "update_reservation_flights",
        json!({"reservation_id": reservation, "cabin": "economy", "payment_id": card,
               "flights": [{"flight_number": out_flight, "date": out_date}, {"flight_number": back_flight, "date": back_date}]}),
        json!({"reservation_id": reservation, "cabin": "economy", "refund": 620}),
    );
    b.agent("Done: both flights are economy now and $620 goes back to your card.");
    b.personal(&p.crm_values());
    b.personal(&[&full, &companion.first, &companion.last, &companion.dob]);
    b.keep(&[
        &reservation,
        &out_flight,
        &back_flight,
        &out_date,
        origin,
        destination,
    ]);
    match rng.random_range(0..3) {
        0 => {
            b.user(format!(
                "Also move my return flight to May {}, not before 11am.",
                day + 3
            ));
            b.goal(&["change", "flight"]);
            b.fact(&["not before 11am", "11am"]);
            let new_date = format!("2026-05-{:02}", day + 3);
            b.call(
                "search_direct_flight",
                json!({"origin": destination, "destination": origin, "date": new_date}),
                json!([{"flight_number": "HAT277", "departure_time": "13:05", "price": 212}]),
            );
            b.agent("HAT277 leaves at 13:05; it costs $212 more. Shall I book it?");
            b.user("Hmm, that's too much. Never mind, leave the return flight as it is.");
            b.keep(&["HAT277"]);
        }
        1 => {
            b.user("And add 2 checked bags to that reservation, the free ones only.");
            b.goal(&["add", "bag"]);
            b.fact(&["2 checked bags", "2 bags", "two bags", "2"]);
            b.call(
                "update_reservation_baggages",
                json!({"reservation_id": reservation, "total_baggages": 2, "nonfree_baggages": 0, "payment_id": card}),
                json!({"reservation_id": reservation, "total_baggages": 2}),
            );
            b.agent("Two free checked bags are added.");
        }
        _ => {}
    }
    b.user("That's everything, thanks.");
}

/// The generated sessions (chat logs) and their gold lines.
pub fn generate(count: usize, seed: u64) -> Vec<(Value, Gold)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let id = format!("generated-{i:03}");
            let mut b = Builder::new(&id);
            let (agent, channel) = match i % 3 {
                0 => {
                    retail(&mut b, &mut rng);
                    ("Retail support", "chat")
                }
                1 => {
                    banking(&mut b, &mut rng);
                    ("Banking assistant", "voice")
                }
                _ => {
                    airline(&mut b, &mut rng);
                    ("Airline agent", "chat")
                }
            };
            let mut personal = std::mem::take(&mut b.gold.personal);
            personal.sort();
            personal.dedup();
            b.gold.personal = personal;
            b.finish(agent, channel)
        })
        .collect()
}
