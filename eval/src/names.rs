//! Sessions that introduce people in many ways, for measuring the name recogniser on
//! phrasings and names it was not tuned on.
//!
//! Every phrasing below belongs to a category (the customer introducing themselves,
//! answering the agent's "may I have your name?", naming a third party, signing off;
//! the agent greeting the customer or introducing itself), and every name to a list
//! of given or family names from many languages, none taken from the redactor's
//! census gazetteer. A seeded shuffle splits each category and each name list into
//! two halves: the **tuning** half, which may be looked at while changing the rules,
//! and the **held-out** half, which is only reported. `feather-eval` prints the
//! held-out half as `names-held` and `names-indep7`, phrasings and names written by
//! someone who had seen neither the rules nor the other sets
//! (`eval/data/names-independent-7.json`), never used to change them. `--tuning`
//! adds the sets the rules were tuned on: the tuning half (`names-tune`) and eight
//! sets written after earlier freezes of the rules, each measured once as it was and
//! used to tune since (`names-fresh`, `names-unseen`, `names-indep` to
//! `names-indep6`). The figures
//! each set gave when it was first run are in `docs/drafts.md`.
//!
//! Each session plants a customer, a third party and the agent's own staff name, with
//! every name token labelled personal, beside values that must survive whole: cities
//! (several are also given names: Austin, Charlotte, Madison), airports, weekdays,
//! months ("May"), businesses and products, and "bill" as a verb. Some customers type
//! in lower case. In half the sessions a tool call looks the booking up by the customer's
//! first and last name and answers a passenger record, so the mock world holds the
//! name's parts too; in the rest only the text says who is who.

use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

use crate::generate::Gold;

/// The seed that splits phrasings and names into the tuning and held-out halves.
pub const SPLIT_SEED: u64 = 20;

/// Sessions made per half.
pub const SESSIONS_PER_HALF: usize = 150;

const GIVEN: &[&str] = &[
    "Siobhan",
    "Aoife",
    "Mateo",
    "Valentina",
    "Ximena",
    "Wei",
    "Xiaoming",
    "Meilin",
    "Haruto",
    "Yuki",
    "Sakura",
    "Minjun",
    "Seoyeon",
    "Arjun",
    "Priya",
    "Ananya",
    "Rohan",
    "Omar",
    "Layla",
    "Youssef",
    "Fatima",
    "Chinedu",
    "Ngozi",
    "Oluwaseun",
    "Adaeze",
    "Kwame",
    "Amara",
    "Zofia",
    "Jakub",
    "Katarzyna",
    "Lukas",
    "Jonas",
    "Lena",
    "Matthias",
    "Élodie",
    "Mathilde",
    "Théo",
    "Camille",
    "Astrid",
    "Björn",
    "Freya",
    "Ingrid",
    "Emre",
    "Elif",
    "Mehmet",
    "Ayşe",
    "Thanh",
    "Linh",
    "Duc",
    "Anastasia",
    "Dmitri",
    "Svetlana",
    "Kofi",
    "Thabo",
    "Lerato",
    "Tomás",
    "Inês",
    "Joaquim",
    "Giulia",
    "Matteo",
    "Aarav",
    "Kiran",
    "Noa",
    "Yael",
    "Ewa",
    "Henrik",
    "Olivia",
    "Nathaniel",
    "Rebecca",
    "Marcus",
    "Beatriz",
    "Hamid",
];

const FAMILY: &[&str] = &[
    "O'Connor",
    "García",
    "Hernández",
    "Zhang",
    "Wang",
    "Liu",
    "Tanaka",
    "Watanabe",
    "Kobayashi",
    "Choi",
    "Sharma",
    "Iyer",
    "Reddy",
    "Haddad",
    "Al-Farsi",
    "Mansour",
    "Okafor",
    "Adeyemi",
    "Nwosu",
    "Mensah",
    "Kowalczyk",
    "Wiśniewska",
    "Nowak",
    "Müller",
    "Schneider",
    "Becker",
    "Lefèvre",
    "Dubois",
    "Moreau",
    "Lindqvist",
    "Johansson",
    "Nilsson",
    "Yılmaz",
    "Demir",
    "Nguyen",
    "Tran",
    "Pham",
    "Ivanov",
    "Petrova",
    "Sokolov",
    "Dlamini",
    "Nkosi",
    "Pereira",
    "Bianchi",
    "Esposito",
    "Cohen",
    "Levi",
    "Andersen",
    "Fernandes",
    "Kaminski",
    "Abernathy",
    "Whitfield",
    "Delacroix",
    "Varga",
    "Horvath",
    "Papadopoulos",
    "Quispe",
    "Mahlangu",
    "Takahashi",
    "Banerjee",
];

/// Cities, several of them also given names, that must survive.
const CITIES: &[&str] = &[
    "Austin",
    "Charlotte",
    "Madison",
    "Denver",
    "Orlando",
    "Phoenix",
    "Savannah",
    "Houston",
    "Lincoln",
    "Florence",
    "Jackson",
    "Eugene",
    "Tyler",
    "Boston",
    "Seattle",
];
const AIRPORTS: &[&str] = &["AUS", "CLT", "MSN", "DEN", "MCO", "PHX", "SAV", "IAH"];
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const BUSINESSES: &[&str] = &[
    "Delta",
    "Hilton",
    "Marriott",
    "Wells Fargo",
    "Ford",
    "Dell",
    "Macy's",
    "Chase",
    "Harper Books",
    "Gordon Outfitters",
];
const PRODUCTS: &[&str] = &[
    "Kindle Paperwhite",
    "MacBook Air",
    "Galaxy S24",
    "Victoria sofa",
    "Lucia desk lamp",
    "Austin armchair",
];

/// The customer introduces themselves. `{N}` full name, `{F}` given, `{L}` family,
/// `{f}`/`{l}` lower case, `{R}` a request, `{r}` the request in lower case.
const INTRODUCTIONS: &[&str] = &[
    "Hi, my name is {N}. {R}",
    "Hello, this is {N} calling. {R}",
    "Hi there, I'm {N}. {R}",
    "{N} here. {R}",
    "Hey, it's {N}. {R}",
    "Good morning, {N} speaking. {R}",
    "My name's {F} {L} and {r}",
    "Name is {N}. {R}",
    "hi im {f} {l}, {r}",
    "hello my name is {f} {l} and {r}",
    "You can call me {F}. My full name is {N}. {R}",
    "I am {N}, {r}",
    "Hi! {N} again. {R}",
    "hey, {f} {l} here. {r}",
    "{R} My name is {N}.",
    "Good evening. The name's {L}, {F} {L}. {R}",
    "Hi, I'm {F}. {R} My last name is {L}.",
    "this is {f} {l}. {r}",
    "Morning! {N} calling about a booking. {R}",
    "Hello - {N} - {r}",
    "I'm {F} {L} and {r}",
    "Hi, it's {F} {L} from earlier. {R}",
    "Hello, {F} {L} speaking, {r}",
    "hi, name's {f} {l}. {r}",
    "Good afternoon, I am {F} {L}. {R}",
    "Hey there. {F} {L}. {R}",
    "hello, i'm {f} {l} and {r}",
    "Hi, you're speaking with {N}. {R}",
];

/// The agent asks for the customer's name.
const NAME_QUESTIONS: &[&str] = &[
    "May I have your full name, please?",
    "Can I get your name?",
    "Who am I speaking with today?",
    "What name is the booking under?",
    "Could you tell me the name on the account?",
    "And your first and last name?",
    "Sure. What's your name, please?",
    "Could I have the passenger's full name?",
];

/// The customer's answer to [`NAME_QUESTIONS`].
const NAME_ANSWERS: &[&str] = &[
    "{N}",
    "sure, {f} {l}",
    "It's {N}.",
    "{F} {L}, thanks.",
    "Yes, {N}",
    "{L}. {F} {L}.",
    "first name {F}, last name {L}",
    "{N}, spelled {SL}",
    "{f} {l}",
    "It is {F} {L}.",
    "Of course: {N}.",
    "{F}. Last name {L}, {SL}.",
];

/// The customer names someone else: `{N2}`, `{F2}`, `{L2}`, `{f2}`, `{l2}`.
const THIRD_PARTIES: &[&str] = &[
    "I'm also booking for my husband, {N2}.",
    "My wife {F2} will be traveling with me.",
    "The passenger is {N2}.",
    "Please add {N2} as a second passenger.",
    "My daughter {F2} is flying alone.",
    "It's for my mother, {N2}.",
    "my friend {f2} {l2} recommended you.",
    "My colleague {N2} needs a copy of the invoice.",
    "The other traveler's name is {N2}.",
    "Can you put it under my son's name, {N2}?",
    "My partner {F2} {L2} is the account holder.",
    "The booking is for Mrs. {L2}.",
    "my brother's name is {f2} {l2}.",
    "I'm calling on behalf of {N2}, my dad.",
    "The second passenger is my sister {N2}.",
    "My assistant, {F2} {L2}, made the booking.",
    "Please also add my fiancée {N2}.",
    "It was booked by Mr. {F2} {L2}.",
    "my boss {f2} wants the receipt.",
    "The ticket holder is {N2}.",
];

/// The agent addresses the customer (`{F}`, `{L}`, `{N}`) or introduces itself (`{S}`,
/// a staff name; `{B}` a business).
const AGENT_LINES: &[&str] = &[
    "Thanks, {F}! Let me check.",
    "Thank you, {N}. I found your booking.",
    "Hi {F}, I'm {S} and I'll be helping you today.",
    "You're chatting with {S} from {B} support.",
    "Welcome back, Mr. {L}.",
    "{F}, your booking is confirmed.",
    "Got it, {F}.",
    "Hello {F} {L}, my name is {S}.",
    "Thanks for waiting, {F}.",
    "This is {S} from {B}, how can I help?",
    "Perfect, thank you {F}.",
    "Sorry about that, {F}.",
    "Hi {F}! {S} here from the {B} team.",
    "Great news, {F}: it's done.",
    "My name is {S} and I'm happy to help, {F}.",
    "Dear {F}, thank you for your patience.",
];

/// The customer's last turn.
const SIGN_OFFS: &[&str] = &[
    "That's all, thanks. {F}",
    "Thanks!\n\n{N}",
    "Thank you so much. Regards, {N}",
    "Cheers, {F}",
    "thanks - {f}",
    "Best, {F} {L}",
    "Thanks again!\n-- {F}",
    "Kind regards,\n{N}",
];

/// Requests that carry the values that must survive: `{C}` and `{C2}` cities, `{A}`
/// an airport, `{D}` a weekday, `{B}` a business, `{P}` a product, `{M}` a day of May.
const REQUESTS: &[&str] = &[
    "I need to move my flight from {C} to {C2} to {D}.",
    "Can you check on my order of a {P}?",
    "I want to cancel my {B} reservation for May {M}.",
    "My flight out of {A} on {D} was delayed, can you bill the change fee to my card?",
    "I bought a {P} at {B} in {C} and it broke.",
    "Will my {P} arrive by {D}?",
    "I'm flying from {C} on May {M} and need a seat change.",
    "I'd like a refund for the {B} booking in {C2}.",
];

/// Which half of the split a session is drawn from, or the fresh set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    Tuning,
    HeldOut,
    /// Phrasings and names written after the rules were first frozen (commit
    /// 475e7e6). Measured once as they were (88.3% of name tokens redacted), then
    /// used to change the rules: a second tuning set since.
    Fresh,
    /// Phrasings and names written after the rules were frozen a second time.
    /// Measured once as they were (69.2% redacted), then used to change the rules: a
    /// third tuning set since.
    Unseen,
    /// `eval/data/names-independent.json`: phrasings and names written by someone
    /// who had not seen the rules, after they were frozen a third time. Measured
    /// once as they were (87.1% redacted), then used to change the rules.
    Independent,
    /// `eval/data/names-independent-2.json`: written by another who had seen neither
    /// the rules nor the other sets, run after the rules were frozen a fourth time.
    /// Measured once as it was (85.0% redacted), then used to change the rules.
    Independent2,
    /// `eval/data/names-independent-3.json`: written by a third who had seen neither
    /// the rules nor the other sets, run after the rules were frozen a fifth time.
    /// Measured once as it was (95.1% redacted), then used to change the rules.
    Independent3,
    /// `eval/data/names-independent-4.json`: written by a fourth who had seen neither
    /// the rules nor the other sets, run after the rules were frozen a sixth time.
    /// Measured once as it was (95.8% redacted), then used to change the rules.
    Independent4,
    /// `eval/data/names-independent-5.json`: written by a fifth who had seen neither
    /// the rules nor the other sets, run after the rules were frozen a seventh time.
    /// Measured once as it was (94.9% redacted), then used to change the rules.
    Independent5,
    /// `eval/data/names-independent-6.json`: written by a sixth who had seen neither
    /// the rules nor the other sets, run after the rules were frozen a seventh time
    /// (93.7% redacted) and an eighth (95.0%), then used to change the rules.
    Independent6,
    /// `eval/data/names-independent-7.json`: written by a seventh who had seen
    /// neither the rules nor the other sets, run after the rules were frozen a ninth
    /// time, never used to change them: the figure to report.
    Independent7,
}

impl Half {
    /// The file under `eval/data/` of a set written independently, if this is one.
    fn independent_file(self) -> Option<&'static str> {
        match self {
            Half::Independent => Some("names-independent.json"),
            Half::Independent2 => Some("names-independent-2.json"),
            Half::Independent3 => Some("names-independent-3.json"),
            Half::Independent4 => Some("names-independent-4.json"),
            Half::Independent5 => Some("names-independent-5.json"),
            Half::Independent6 => Some("names-independent-6.json"),
            Half::Independent7 => Some("names-independent-7.json"),
            Half::Tuning | Half::HeldOut | Half::Fresh | Half::Unseen => None,
        }
    }
}

/// An independent set's lists, read from `eval/data/<file>`.
fn independent(file: &str) -> Lists {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(file);
    let text =
        std::fs::read_to_string(&path).expect("eval/data/names-independent.json is readable");
    let value: Value = serde_json::from_str(&text).expect("an independent set is JSON");
    let list = |key: &str| -> Vec<&'static str> {
        value[key]
            .as_array()
            .unwrap_or_else(|| panic!("{file} has a list {key:?}"))
            .iter()
            .filter_map(Value::as_str)
            .map(|item| &*item.to_owned().leak())
            .collect()
    };
    Lists {
        introductions: list("introductions"),
        questions: list("questions"),
        answers: list("answers"),
        third_parties: list("third_parties"),
        agent_lines: list("agent_lines"),
        sign_offs: list("sign_offs"),
        given: list("given"),
        family: list("family"),
    }
}

const UNSEEN_INTRODUCTIONS: &[&str] = &[
    "Evening. {F} {L}, booking on file. {R}",
    "Hello there, you have {N} on chat. {R}",
    "{R} Cheers, {F}",
    "heya, {f} {l} here again. {r}",
    "I'm writing on my own behalf - {N}. {R}",
    "Hi team, {F} {L} from apartment 4B. {R}",
    "Hi, it's {F} (the {L} booking). {R}",
    "Yo, {f} {l}. {r}",
    "My name: {N}. {R}",
    "Hey, I'm {F}, {F} {L}. {R}",
];
const UNSEEN_QUESTIONS: &[&str] = &[
    "Before we continue, who do I have the pleasure of speaking with?",
    "Please confirm the cardholder's name.",
    "Could you give me your surname?",
];
const UNSEEN_ANSWERS: &[&str] = &[
    "{L}",
    "You have {F} {L}",
    "{F} {L} (that's me)",
    "oh, {f} {l}",
];
const UNSEEN_THIRD_PARTIES: &[&str] = &[
    "I'm sorting this out for my father-in-law, {N2}.",
    "{N2} (my colleague) will pick it up.",
    "Also my kid {F2} is on the booking.",
    "My ex-wife {F2} {L2} has the other ticket.",
    "Please make it out to my brother in law {N2}.",
    "Our guest {N2} arrives Friday.",
    "His name is {N2}.",
    "She goes by {F2}.",
];
const UNSEEN_AGENT_LINES: &[&str] = &[
    "Welcome, {F}! How may I assist?",
    "I'll take care of that, {F}.",
    "Good news {F} — it's confirmed.",
    "Hi, {S} with {B} here.",
    "You've reached {S} at {B}.",
    "Okay {F}, let me check.",
];
const UNSEEN_SIGN_OFFS: &[&str] = &[
    "Thanks a ton\n— {F}",
    "Talk soon, {F} {L}",
    "ty!! {f}",
    "Warm regards, {N}",
];
const UNSEEN_GIVEN: &[&str] = &[
    "Caoimhe",
    "Ruairí",
    "Ifeoma",
    "Chiamaka",
    "Dong-hyun",
    "Eun-ji",
    "Parisa",
    "Dariush",
    "Soren",
    "Eero",
    "Aino",
    "Wojciech",
    "Przemysław",
    "Thandiwe",
    "Sipho",
    "Itzel",
    "Xóchitl",
    "Oisín",
    "Rangi",
    "Aroha",
];
const UNSEEN_FAMILY: &[&str] = &[
    "Achterberg",
    "Mwangi",
    "Odhiambo",
    "Kaur",
    "Ramaswamy",
    "Tsosie",
    "Begay",
    "Haataja",
    "Virtanen",
    "Grzybowski",
    "Szymańska",
    "Nakashima",
    "Ferreira-Lopes",
    "Abubakar",
    "Quintero",
    "Iwu",
    "Tuilagi",
    "Faleolo",
    "Ngata",
    "Oyelaran",
];

const FRESH_INTRODUCTIONS: &[&str] = &[
    "Hiya, {N} on the line. {R}",
    "Good day! My name is {F}, {F} {L}. {R}",
    "{R} This is {F}, by the way.",
    "hey its {f} {l} {r}",
    "I'm reaching out about a booking. I'm {N}.",
    "Hi, {F} {L} here, customer since 2019. {R}",
    "Hello, the name on my account is {N}. {R}",
    "Greetings, I am {N}. {R}",
    "{F} {L} speaking — {r}",
    "Hi, I go by {F}. {R}",
];
const FRESH_QUESTIONS: &[&str] = &[
    "Can I please get the name on the reservation?",
    "To verify, what's your full name?",
    "What's the lead passenger's name?",
];
const FRESH_ANSWERS: &[&str] = &[
    "{F} {L}",
    "yeah it's {f} {l}",
    "{N}, thank you",
    "Sure thing: {F} {L}",
];
const FRESH_THIRD_PARTIES: &[&str] = &[
    "I'm traveling with my nephew {F2}.",
    "The reservation also includes {N2}, my business partner.",
    "My grandmother, {N2}, needs a wheelchair.",
    "Could you email the receipt to my accountant {F2} {L2}?",
    "Please list {N2} as an emergency contact.",
    "my cousin {f2} is coming too",
    "One ticket is for my stepdaughter {F2} {L2}.",
    "The room is under my roommate's name, {N2}.",
];
const FRESH_AGENT_LINES: &[&str] = &[
    "Thanks so much, {F}. One moment.",
    "Of course, {F}! I've pulled up your file.",
    "I'm {S}, a senior agent here at {B}.",
    "Hey {F}, thanks for reaching out!",
    "All set, {F}. Anything else?",
    "{S} from {B} here, happy to help.",
];
const FRESH_SIGN_OFFS: &[&str] = &[
    "Many thanks,\n{F} {L}",
    "Ok bye. -{F}",
    "Appreciate it! {F}",
    "Thanks,\n{F}",
];
const FRESH_GIVEN: &[&str] = &[
    "Tadhg",
    "Niamh",
    "Bartholomew",
    "Ekaterina",
    "Guadalupe",
    "Nkechi",
    "Olumide",
    "Tenzin",
    "Pema",
    "Anh",
    "Hyun-woo",
    "Ji-ho",
    "Magnus",
    "Sigrid",
    "Bogdan",
    "Radka",
    "Zeynep",
    "Cem",
    "Lucía",
    "Renée",
];
const FRESH_FAMILY: &[&str] = &[
    "McAllister",
    "Fitzgerald",
    "Okonkwo",
    "Eze",
    "Dorji",
    "Sherpa",
    "Vu",
    "Hoang",
    "Jeong",
    "Lindgren",
    "Halvorsen",
    "Dvořák",
    "Kovač",
    "Aydın",
    "Öztürk",
    "Villanueva",
    "Montoya",
    "Castellanos",
    "Nakamura",
    "Rahimi",
];

// The half of `items` that a seeded shuffle gives to `half` (the first half of the
// shuffled list is for tuning).
pub(crate) fn split<'a>(items: &[&'a str], half: Half, rng: &mut ChaCha8Rng) -> Vec<&'a str> {
    let mut shuffled = items.to_vec();
    shuffled.shuffle(rng);
    let middle = shuffled.len() / 2;
    match half {
        Half::Tuning => shuffled[..middle].to_vec(),
        _ => shuffled[middle..].to_vec(),
    }
}

/// The phrasings and names of one half.
struct Lists {
    introductions: Vec<&'static str>,
    questions: Vec<&'static str>,
    answers: Vec<&'static str>,
    third_parties: Vec<&'static str>,
    agent_lines: Vec<&'static str>,
    sign_offs: Vec<&'static str>,
    given: Vec<&'static str>,
    family: Vec<&'static str>,
}

impl Lists {
    // Every list is shuffled by its own draws from one stream, in a fixed order, so
    // both halves come from the same shuffles.
    fn of(half: Half) -> Lists {
        if let Some(file) = half.independent_file() {
            return independent(file);
        }
        if half == Half::Unseen {
            return Lists {
                introductions: UNSEEN_INTRODUCTIONS.to_vec(),
                questions: UNSEEN_QUESTIONS.to_vec(),
                answers: UNSEEN_ANSWERS.to_vec(),
                third_parties: UNSEEN_THIRD_PARTIES.to_vec(),
                agent_lines: UNSEEN_AGENT_LINES.to_vec(),
                sign_offs: UNSEEN_SIGN_OFFS.to_vec(),
                given: UNSEEN_GIVEN.to_vec(),
                family: UNSEEN_FAMILY.to_vec(),
            };
        }
        if half == Half::Fresh {
            return Lists {
                introductions: FRESH_INTRODUCTIONS.to_vec(),
                questions: FRESH_QUESTIONS.to_vec(),
                answers: FRESH_ANSWERS.to_vec(),
                third_parties: FRESH_THIRD_PARTIES.to_vec(),
                agent_lines: FRESH_AGENT_LINES.to_vec(),
                sign_offs: FRESH_SIGN_OFFS.to_vec(),
                given: FRESH_GIVEN.to_vec(),
                family: FRESH_FAMILY.to_vec(),
            };
        }
        let mut rng = ChaCha8Rng::seed_from_u64(SPLIT_SEED);
        Lists {
            introductions: split(INTRODUCTIONS, half, &mut rng),
            questions: split(NAME_QUESTIONS, half, &mut rng),
            answers: split(NAME_ANSWERS, half, &mut rng),
            third_parties: split(THIRD_PARTIES, half, &mut rng),
            agent_lines: split(AGENT_LINES, half, &mut rng),
            sign_offs: split(SIGN_OFFS, half, &mut rng),
            given: split(GIVEN, half, &mut rng),
            family: split(FAMILY, half, &mut rng),
        }
    }

    #[cfg(test)]
    fn all(&self) -> [&Vec<&'static str>; 8] {
        [
            &self.introductions,
            &self.questions,
            &self.answers,
            &self.third_parties,
            &self.agent_lines,
            &self.sign_offs,
            &self.given,
            &self.family,
        ]
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn spelled(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_uppercase)
        .map(String::from)
        .collect::<Vec<_>>()
        .join("-")
}

struct Person {
    given: String,
    family: String,
}

impl Person {
    fn full(&self) -> String {
        format!("{} {}", self.given, self.family)
    }
}

/// `template` with its fields filled.
pub(crate) fn fill(template: &str, fields: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in fields {
        out = out.replace(key, value);
    }
    out
}

/// The sessions of one half, with their gold lines.
pub fn generate(half: Half) -> Vec<(Value, Gold)> {
    let Lists {
        introductions,
        questions,
        answers,
        third_parties,
        agent_lines,
        sign_offs,
        given,
        family,
    } = Lists::of(half);
    // The sessions themselves are drawn from a stream of their own per half.
    let mut rng = ChaCha8Rng::seed_from_u64(SPLIT_SEED + 1 + half as u64);
    let tag = match half {
        Half::Tuning => "tune",
        Half::HeldOut => "held",
        Half::Fresh => "fresh",
        Half::Unseen => "unseen",
        Half::Independent => "indep",
        Half::Independent2 => "indep2",
        Half::Independent3 => "indep3",
        Half::Independent4 => "indep4",
        Half::Independent5 => "indep5",
        Half::Independent6 => "indep6",
        Half::Independent7 => "indep7",
    };
    (0..SESSIONS_PER_HALF)
        .map(|i| {
            let mut person = || Person {
                given: pick(&mut rng, &given).to_owned(),
                family: pick(&mut rng, &family).to_owned(),
            };
            let customer = person();
            let mut other = person();
            while other.given == customer.given || other.family == customer.family {
                other = person();
            }
            let mut staff = pick(&mut rng, &given).to_owned();
            while staff == customer.given || staff == other.given {
                staff = pick(&mut rng, &given).to_owned();
            }
            let city = pick(&mut rng, CITIES);
            let mut city2 = pick(&mut rng, CITIES);
            while city2 == city {
                city2 = pick(&mut rng, CITIES);
            }
            let airport = pick(&mut rng, AIRPORTS);
            let weekday = pick(&mut rng, WEEKDAYS);
            let business = pick(&mut rng, BUSINESSES);
            let product = pick(&mut rng, PRODUCTS);
            let day = rng.random_range(2..29).to_string();
            let request = fill(
                pick(&mut rng, REQUESTS),
                &[
                    ("{C2}", city2.to_owned()),
                    ("{C}", city.to_owned()),
                    ("{A}", airport.to_owned()),
                    ("{D}", weekday.to_owned()),
                    ("{B}", business.to_owned()),
                    ("{P}", product.to_owned()),
                    ("{M}", day.clone()),
                ],
            );
            let mut lower_request = request.clone();
            if let Some(first) = lower_request.get(..1) {
                lower_request = first.to_lowercase() + &lower_request[1..];
            }
            let fields = [
                ("{N2}", other.full()),
                ("{F2}", other.given.clone()),
                ("{L2}", other.family.clone()),
                ("{f2}", other.given.to_lowercase()),
                ("{l2}", other.family.to_lowercase()),
                ("{N}", customer.full()),
                ("{F}", customer.given.clone()),
                ("{L}", customer.family.clone()),
                ("{f}", customer.given.to_lowercase()),
                ("{l}", customer.family.to_lowercase()),
                ("{SL}", spelled(&customer.family)),
                ("{S}", staff.clone()),
                ("{B}", business.to_owned()),
                ("{R}", request.clone()),
                ("{r}", lower_request),
            ];
            let mut messages = Vec::new();
            let mut say = |role: &str, template: &str| {
                messages.push(json!({"role": role, "content": fill(template, &fields)}));
            };
            // Either the customer introduces themselves, or the agent asks and the
            // customer answers.
            if rng.random_bool(0.6) {
                say("user", pick(&mut rng, &introductions));
            } else {
                say("user", "{R}");
                say("assistant", pick(&mut rng, &questions));
                say("user", pick(&mut rng, &answers));
            }
            say("assistant", pick(&mut rng, &agent_lines));
            say("user", pick(&mut rng, &third_parties));
            let mut log_messages = messages;
            // Half the sessions look the booking up, as a CRM would, and then the
            // mock world holds the name's parts; the rest have only the text.
            if rng.random_bool(0.5) {
                let mut passengers =
                    vec![json!({"first_name": customer.given, "last_name": customer.family})];
                if rng.random_bool(0.5) {
                    passengers.push(json!({"first_name": other.given, "last_name": other.family}));
                }
                let record = json!({
                    "booking_id": format!("BK{}", 1000 + i),
                    "origin": airport,
                    "passengers": passengers,
                });
                let arguments =
                    json!({"first_name": customer.given, "last_name": customer.family});
                log_messages.push(json!({"role": "assistant", "content": null, "tool_calls": [{
                    "id": "call_1", "type": "function", "function": {
                        "name": "find_booking", "arguments": arguments.to_string(),
                    }}]}));
                log_messages.push(
                    json!({"role": "tool", "tool_call_id": "call_1", "content": record.to_string()}),
                );
            }
            let mut say = |role: &str, template: &str| {
                log_messages.push(json!({"role": role, "content": fill(template, &fields)}));
            };
            say("assistant", pick(&mut rng, &agent_lines));
            say("user", pick(&mut rng, &sign_offs));

            let text: String = log_messages
                .iter()
                .filter_map(|m| m["content"].as_str())
                .collect::<Vec<_>>()
                .join("\n");
            // Every name token that the conversation holds is personal; the spelled
            // form too when it was used.
            let mut personal: Vec<String> = [
                &customer.given,
                &customer.family,
                &other.given,
                &other.family,
                &staff,
            ]
            .iter()
            .filter(|token| text.to_lowercase().contains(&token.to_lowercase()))
            .map(|token| (*token).clone())
            .collect();
            let spelled_family = spelled(&customer.family);
            if text.contains(&spelled_family) {
                personal.push(spelled_family);
            }
            personal.sort();
            personal.dedup();
            let must_survive: Vec<String> = [
                city,
                city2,
                airport,
                weekday,
                business,
                product,
                "May",
                "bill",
            ]
            .iter()
            .filter(|value| crate::contains_word(&text, value))
            .map(|value| (*value).to_owned())
            .collect();
            let id = format!("names-{tag}-{i:03}");
            let log = json!({
                "id": id,
                "organization_id": "5089f4bc-8601-5899-8283-2b9a5d462041",
                "agent": {"name": "Travel desk"},
                "channel": "chat",
                "started_at": "2026-11-20T15:00:00Z",
                "outcome": "resolved",
                "messages": log_messages,
            });
            let gold = Gold {
                id,
                goals: Vec::new(),
                facts: Vec::new(),
                personal,
                must_survive,
            };
            (log, gold)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_halves_share_no_phrasing_and_no_name() {
        let (tuning, held) = (Lists::of(Half::Tuning), Lists::of(Half::HeldOut));
        for (a, b) in tuning.all().iter().zip(held.all()) {
            assert!(!a.is_empty() && !b.is_empty());
            assert!(
                a.iter().all(|item| !b.contains(item)),
                "{a:?} and {b:?} overlap"
            );
        }
        let phrasings = INTRODUCTIONS.len()
            + NAME_ANSWERS.len()
            + THIRD_PARTIES.len()
            + AGENT_LINES.len()
            + SIGN_OFFS.len();
        assert!(phrasings >= 50, "{phrasings} phrasings");
        assert_eq!(generate(Half::HeldOut).len(), SESSIONS_PER_HALF);
    }
}
