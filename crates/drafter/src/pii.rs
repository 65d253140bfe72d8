//! Redaction of personal data before anything reaches a draft.
//!
//! A [`Redactor`] replaces personal data with numbered placeholders such as
//! `<NAME_1>`, `<ADDRESS_1>`, `<POSTAL_CODE_1>`, `<DOB_1>`, `<EMAIL_1>` or
//! `<PHONE_2>`. One redactor serves one draft, and it works in two passes: it first
//! *learns* from everything the draft will be made of (structured fields by key, see
//! [`keys`]; names, dates of birth and addresses introduced in free text; the
//! patterns below), then *replaces*: the patterns, and every learned value wherever it
//! stands as a whole word, ignoring case. So the same value gets the same placeholder
//! in the journey, the intent, the name, the brief and the mock world alike, and a
//! first name learned from a CRM record is redacted in "Thank you, Olivia". A person's
//! full name and its parts share one placeholder. Values are compared in a normal
//! form: `415-555-0134`, `(415) 555-0134` and `+14155550134` are one phone number, an
//! email address is compared in lower case, and `June 13, 1988` is `1988-06-13`.
//!
//! Patterns in free text: email addresses, phone numbers, payment card numbers
//! (Luhn-valid only), US social security numbers in any grouping (`078-05-1120`,
//! `078 05 1120`, nine digits after "SSN"), IBANs (checksum-valid only), IP addresses
//! (v4 and v6), US street addresses (number, one to three capitalised words, a street
//! suffix, an optional unit, and optionally city, state and ZIP), dates of birth
//! introduced as such ("born on", "date of birth", "DOB"), and names introduced as
//! such ("my name is", "this is ... calling", "I'm" with a capitalised name that is not
//! a common word).
//!
//! What must survive is as important as what must go: order numbers (`88412`),
//! account ids (`4471-22`), confirmation codes, flight numbers, prices, dates, ISO
//! timestamps and UUIDs, product and business names, cities alone. Dates,
//! timestamps and UUIDs are found first and shield the characters they cover (a date
//! of birth is found before, by its introduction); a 16-digit number that fails the
//! Luhn check and an IBAN with a bad checksum stay as they are. Bare digit runs in
//! free text are left alone, because they are far more often order numbers than
//! phone numbers, unless a structured field taught that they are personal.
//!
//! Object keys come out sorted because serde_json's `Map` is a `BTreeMap` here (the
//! workspace does not enable `preserve_order`); a test guards that.
//!
//! # Cost
//!
//! Redaction is about a third of drafting. Measured with callgrind on the benchmark's
//! 20-turn session (`examples/instructions.rs`), four changes took a draft from
//! 834,000 to 667,000 instructions together with the lazy request reading of
//! `intent`: one `RegexSet` scan of a text says which of the eight digit patterns can
//! match, so only those search (696,000 → 675,000); the per-draft maps and sets hash with FxHash (`rustc-hash`, already in
//! the lock file through other crates; the keys are the draft's own strings, so
//! SipHash's defence against chosen keys buys nothing here, and it cost about 7% of
//! a draft), tool results and customer metadata are redacted in place (only what
//! changes is written, instead of a copy of every value), and key classes are cached
//! per thread across drafts (a key's class depends on the key alone).

mod keys;
pub(crate) mod names;
mod surrogates;

use crate::model::Speaker;

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap as HashMap, FxHashSet};
use std::net::Ipv6Addr;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

/// The most keys whose class one thread keeps between drafts.
const KEY_CACHE_MAX: usize = 4096;

thread_local! {
    // Key classes by key, shared by the drafts one thread makes.
    static KEY_INFOS: std::cell::RefCell<HashMap<String, keys::KeyInfo>> =
        std::cell::RefCell::new(HashMap::default());
}

/// A kind of personal data the redactor replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PiiKind {
    Name,
    Address,
    PostalCode,
    Dob,
    Email,
    Phone,
    Card,
    Ssn,
    NationalId,
    Account,
    Iban,
    Ip,
    UserId,
}

impl PiiKind {
    /// The placeholder's label: `EMAIL` in `<EMAIL_1>`.
    pub fn label(self) -> &'static str {
        match self {
            PiiKind::Name => "NAME",
            PiiKind::Address => "ADDRESS",
            PiiKind::PostalCode => "POSTAL_CODE",
            PiiKind::Dob => "DOB",
            PiiKind::Email => "EMAIL",
            PiiKind::Phone => "PHONE",
            PiiKind::Card => "CARD",
            PiiKind::Ssn => "SSN",
            PiiKind::NationalId => "NATIONAL_ID",
            PiiKind::Account => "ACCOUNT",
            PiiKind::Iban => "IBAN",
            PiiKind::Ip => "IP",
            PiiKind::UserId => "USER_ID",
        }
    }

    /// The kind in words, for the draft's brief.
    pub fn describe(self) -> &'static str {
        match self {
            PiiKind::Name => "person names",
            PiiKind::Address => "street addresses",
            PiiKind::PostalCode => "postal codes",
            PiiKind::Dob => "dates of birth",
            PiiKind::Email => "email addresses",
            PiiKind::Phone => "phone numbers",
            PiiKind::Card => "payment card numbers",
            PiiKind::Ssn => "social security numbers",
            PiiKind::NationalId => "national ids",
            PiiKind::Account => "account numbers",
            PiiKind::Iban => "IBANs",
            PiiKind::Ip => "IP addresses",
            PiiKind::UserId => "user ids built from names",
        }
    }
}

/// Replaces personal data with placeholders, consistently across every text and
/// JSON value it is given.
///
/// Use it in two passes: [`Redactor::learn_text`] and [`Redactor::learn_json`] over
/// everything the draft will be made of (placeholders are numbered in that order),
/// then [`Redactor::text`] and [`Redactor::json`] to replace. What the first pass
/// learns from a structured field or an introduction ("my name is ...") is then
/// replaced wherever it appears as a whole word, ignoring case. A redactor that
/// learned nothing still replaces what the patterns find.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    seen: HashMap<(PiiKind, String), String>,
    counts: HashMap<PiiKind, usize>,
    /// Learned values, lower case, with their placeholders.
    known: HashMap<String, String>,
    /// The lower-case parts of learned person names.
    name_parts: FxHashSet<String>,
    key_infos: HashMap<String, keys::KeyInfo>,
    redacted_keys: HashMap<String, Option<String>>,
    /// Values under id keys, checked for a learned name when learning ends.
    id_candidates: Vec<String>,
    /// What the patterns found in each text learned, so replacing does not search
    /// the same text twice.
    found: HashMap<String, Vec<Finding>>,
    /// Businesses' addresses and phones, lower case: not redacted where they recur.
    public: FxHashSet<String>,
    /// The words of things' names (`hotel_name`, `doctor_name`, `song_name`), lower
    /// case: a name in free text made only of them is the thing's.
    thing_words: FxHashSet<String>,
    /// Person names learned, in order, as written (lower case), each with the given
    /// and family name when a structured record said which is which.
    sightings: Vec<Sighting>,
    /// Names spelled out letter by letter: as written (lower case), the letters
    /// joined, and whether "spelled" or the like introduced them.
    spelled: Vec<(String, String, bool)>,
    /// Two capitalised words in a row, the second no common word (lower case): a
    /// single name learned elsewhere followed here by a family name.
    pairs: Vec<(String, String, bool)>,
    /// Whether a customer turn was learned (the first one may name the customer
    /// in a sentence of its own).
    customer_spoke: bool,
    /// Learned name parts that are also common words ("will", "grace"): replaced
    /// only where they are written with a capital.
    proper_only: FxHashSet<String>,
    /// Realistic stand-ins instead of placeholders, when drafting with surrogates.
    surrogates: Option<surrogates::Surrogates>,
    /// One case-insensitive alternation of the learned values, longest first.
    known_pattern: Option<Regex>,
    known_len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Learn what the structured fields hold.
    Learn,
    Apply,
}

impl Redactor {
    /// A redactor that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A redactor that replaces personal data with realistic surrogate values instead
    /// of placeholders, drawn from `session_id` (see [`surrogates`]): the same
    /// session gets the same surrogates every time.
    pub fn with_surrogates(session_id: uuid::Uuid) -> Self {
        Redactor {
            surrogates: Some(surrogates::Surrogates::new(session_id)),
            ..Self::default()
        }
    }

    /// The kinds of personal data replaced so far, in a fixed order.
    pub fn kinds(&self) -> BTreeSet<PiiKind> {
        self.counts.keys().copied().collect()
    }

    /// Learns the personal values the patterns find in `text`.
    pub fn learn_text(&mut self, text: &str) {
        let findings = find(text);
        for finding in &findings {
            if matches!(finding.kind, PiiKind::Address | PiiKind::Phone)
                && self.public.contains(
                    &crate::text::collapse_whitespace(&text[finding.start..finding.end])
                        .to_lowercase(),
                )
            {
                continue;
            }
            let value = &text[finding.start..finding.end];
            if finding.kind == PiiKind::Name {
                self.sightings.push(Sighting::text(value));
                continue;
            }
            let placeholder = self.placeholder(finding.kind, finding.normal.clone());
            // What the patterns find they find again wherever it is written the same
            // way; only introduced names, dates of birth and addresses are carried to
            // where the patterns would not see them ("Thank you, Olivia").
            if matches!(finding.kind, PiiKind::Dob | PiiKind::Address) {
                self.remember(finding.kind, value, &placeholder);
            }
        }

        // Short texts the patterns skip at once (most JSON values) are searched
        // again faster than they are copied and hashed.
        if worth_caching(text) {
            self.found.insert(text.to_owned(), findings);
        }
    }

    /// Learns from a turn of the conversation: as [`Redactor::learn_text`], and when
    /// the turn answers the agent's question for a name ("May I have your name?" —
    /// "sure, siobhan quispe"), the name it is.
    ///
    /// More rules read a turn by who says it: the agent addresses the customer by
    /// name ("Thanks for waiting, Olivia."), the customer signs its turn
    /// ("Regards,\nSiobhan Quispe") or, in its first turn, gives its name as a
    /// sentence of its own ("Hey there. Siobhan Quispe. I need ..."); see [`names`].
    /// A turn of anyone else (an event, the system) is learned as any text.
    pub(crate) fn learn_turn(&mut self, text: &str, speaker: Speaker, answers_name_question: bool) {
        if !matches!(speaker, Speaker::Customer | Speaker::Agent) {
            self.learn_text(text);
            return;
        }
        let first_customer_turn = speaker == Speaker::Customer && !self.customer_spoke;
        if speaker == Speaker::Customer {
            self.customer_spoke = true;
        }
        self.learn_text(text);
        // What only conversation turns carry: a name spelled out, a name written
        // again with its family name.
        self.pairs.extend(names::capitalised_pairs(text));
        // Letters given in answer to a question for a name spell one ("Could you
        // spell your surname?" — "G-O-I-K-O-E-T-X-E-A").
        for (start, end, letters, cued) in names::spelled(text) {
            self.spelled.push((
                text[start..end].to_lowercase(),
                letters,
                cued || answers_name_question,
            ));
        }
        let mut spans = Vec::new();
        if answers_name_question {
            spans.extend(names::answer(text));
        }
        match speaker {
            Speaker::Agent => {
                spans.extend(names::addressed(text));
                spans.extend(names::staff_signature(text));
            }
            Speaker::Customer => {
                spans.extend(names::signature(text));
                if first_customer_turn {
                    spans.extend(names::alone(text));
                }
            }
            Speaker::System | Speaker::Other => {}
        }
        for (start, end) in spans {
            self.sightings.push(Sighting::text(&text[start..end]));
        }
    }

    /// Learns the personal values of `value`'s structured fields (see
    /// [`keys`]); `person` says the object itself describes a person (customer
    /// metadata). Call it for every JSON value before [`Redactor::finish_learning`].
    pub fn learn_json(&mut self, value: &Value, person: bool) {
        self.walk(value, Context::root(person), Mode::Learn);
    }

    /// Ends learning: the identifiers seen under id keys that are built from a
    /// learned person name (`mia_li_3668`) are learned too. Call it after every
    /// [`Redactor::learn_json`] and before replacing.
    pub fn finish_learning(&mut self) {
        self.resolve_names();
        for candidate in std::mem::take(&mut self.id_candidates) {
            if self.built_from_name(&candidate) {
                let normal = candidate.trim().to_lowercase();
                let placeholder = self.known_or_new(PiiKind::UserId, &candidate, normal);
                self.remember(PiiKind::UserId, &candidate, &placeholder);
            }
        }
    }

    /// `text` with every personal value replaced by its placeholder.
    pub fn text(&mut self, text: &str) -> String {
        let cached = if worth_caching(text) {
            self.found.remove(text)
        } else {
            None
        };
        let mut spans = cached.unwrap_or_else(|| find(text));
        if !self.public.is_empty() {
            spans.retain(|span| {
                !matches!(span.kind, PiiKind::Address | PiiKind::Phone)
                    || !self.public.contains(
                        &crate::text::collapse_whitespace(&text[span.start..span.end])
                            .to_lowercase(),
                    )
            });
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in spans {
            self.replace_known(&text[at..span.start], &mut out);
            let placeholder = self.placeholder(span.kind, span.normal);
            out.push_str(&placeholder);
            at = span.end;
        }
        self.replace_known(&text[at..], &mut out);
        out
    }

    /// `value` with every personal field and string redacted. Keys come out in
    /// sorted order because the workspace leaves serde_json's `preserve_order` off,
    /// so its `Map` is a `BTreeMap` (a test guards that).
    pub fn json(&mut self, value: &Value) -> Value {
        self.walk(value, Context::root(false), Mode::Apply)
    }

    /// As [`Redactor::json`] for a value that itself describes a person.
    pub fn json_of_person(&mut self, value: &Value) -> Value {
        self.walk(value, Context::root(true), Mode::Apply)
    }

    /// As [`Redactor::json`], in place: only what changes is written, so a tool
    /// result without personal data is neither copied nor dropped (that copy was
    /// a fifth of the redaction's cost on realistic sessions).
    pub fn json_in_place(&mut self, value: &mut Value) {
        self.walk_in_place(value, Context::root(false));
    }

    /// As [`Redactor::json_of_person`], in place.
    pub fn json_of_person_in_place(&mut self, value: &mut Value) {
        self.walk_in_place(value, Context::root(true));
    }

    // `walk` in `Mode::Apply`, changing `value` where it must change, in the same
    // order (so placeholders are numbered the same).
    fn walk_in_place(&mut self, value: &mut Value, context: Context) {
        match value {
            Value::Array(items) => {
                for item in items {
                    self.walk_in_place(item, context);
                }
            }
            Value::Object(map) => {
                let infos: Vec<keys::KeyInfo> = map.keys().map(|key| self.key_info(key)).collect();
                let shape = keys::Shape::of(infos.iter(), context.person_key);
                let mut renamed: Vec<(String, String)> = Vec::new();
                for ((key, item), info) in map.iter_mut().zip(&infos) {
                    let child = Context::child(info, &shape);
                    self.walk_in_place(item, child);
                    if let Some(redacted) = self.redacted_key(key) {
                        renamed.push((key.clone(), redacted));
                    }
                }
                for (key, redacted) in renamed {
                    if let Some(item) = map.remove(&key) {
                        map.insert(redacted, item);
                    }
                }
            }
            Value::String(text) => {
                let out = self.walk_string(text, context, Mode::Apply);
                if !matches!(&out, Value::String(new) if new == text) {
                    *value = out;
                }
            }
            Value::Number(_) => {
                let out = self.walk(value, context, Mode::Apply);
                if out != *value {
                    *value = out;
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
    }

    fn walk(&mut self, value: &Value, context: Context, mode: Mode) -> Value {
        match value {
            Value::String(text) => self.walk_string(text, context, mode),
            Value::Number(number) => {
                let kind = context.kind.filter(|k| {
                    matches!(
                        k,
                        PiiKind::Phone
                            | PiiKind::Card
                            | PiiKind::Ssn
                            | PiiKind::PostalCode
                            | PiiKind::Account
                            | PiiKind::NationalId
                    )
                });
                match kind {
                    Some(kind) if number.is_u64() => self
                        .keyed(kind, &number.to_string(), mode)
                        .unwrap_or_else(|| keep(value, mode)),
                    _ => keep(value, mode),
                }
            }
            Value::Array(items) => {
                let out: Vec<Value> = items
                    .iter()
                    .map(|item| self.walk(item, context, mode))
                    .collect();
                if mode == Mode::Apply {
                    Value::Array(out)
                } else {
                    Value::Null
                }
            }
            Value::Object(map) => {
                let infos: Vec<keys::KeyInfo> = map.keys().map(|key| self.key_info(key)).collect();
                let shape = keys::Shape::of(infos.iter(), context.person_key);
                if mode == Mode::Learn
                    && let Some((given, family)) = keys::full_name(infos.iter().zip(map.values()))
                {
                    self.sightings.push(Sighting::record(given, family));
                }
                let mut out = Map::new();
                for ((key, item), info) in map.iter().zip(&infos) {
                    let child = Context::child(info, &shape);
                    let item = self.walk(item, child, mode);
                    if mode == Mode::Apply {
                        let key = self.redacted_key(key).unwrap_or_else(|| key.clone());
                        out.insert(key, item);
                    }
                }
                if mode == Mode::Apply {
                    Value::Object(out)
                } else {
                    Value::Null
                }
            }
            Value::Null | Value::Bool(_) => keep(value, mode),
        }
    }

    // A key redacted as a text, once per distinct key (the same key always gives the
    // same text, as placeholders are stable); None when it stays as it is.
    fn redacted_key(&mut self, key: &str) -> Option<String> {
        if let Some(redacted) = self.redacted_keys.get(key) {
            return redacted.clone();
        }
        let redacted = Some(self.text(key)).filter(|redacted| redacted != key);
        self.redacted_keys.insert(key.to_owned(), redacted.clone());
        redacted
    }

    // What a key says, from the cache: drafts see the same keys again and again,
    // within a draft and across the drafts of one thread (a key's class depends on
    // the key alone, so the cache changes no draft).
    fn key_info(&mut self, key: &str) -> keys::KeyInfo {
        if let Some(info) = self.key_infos.get(key) {
            return *info;
        }
        let info = KEY_INFOS.with_borrow_mut(|cache| {
            if let Some(info) = cache.get(key) {
                return *info;
            }
            let info = keys::KeyInfo::of(key);
            // Bounded: a stream of ever new keys costs a clear now and then.
            if cache.len() >= KEY_CACHE_MAX {
                cache.clear();
            }
            cache.insert(key.to_owned(), info);
            info
        });
        self.key_infos.insert(key.to_owned(), info);
        info
    }

    fn walk_string(&mut self, text: &str, context: Context, mode: Mode) -> Value {
        if context.thing_name && mode == Mode::Learn {
            self.thing_words.extend(
                text.to_lowercase()
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|word| !word.is_empty())
                    .map(str::to_owned),
            );
        }
        if context.public {
            if mode == Mode::Learn {
                self.public
                    .insert(crate::text::collapse_whitespace(text).to_lowercase());
            }
            return keep(&Value::String(text.to_owned()), mode);
        }
        // JSON inside a string is read as JSON and written back compact.
        let trimmed = text.trim_start();
        if trimmed.starts_with(['{', '['])
            && let Ok(inner) = serde_json::from_str::<Value>(text)
        {
            let out = self.walk(&inner, context, mode);
            return match mode {
                Mode::Apply => Value::String(out.to_string()),
                _ => Value::Null,
            };
        }
        if let Some(kind) = context.kind
            && let Some(out) = self.keyed(kind, text, mode)
        {
            return out;
        }
        if context.id_key {
            match mode {
                // Whether it is built from a name is known once every name is.
                Mode::Learn => {
                    self.id_candidates.push(text.to_owned());
                    return Value::Null;
                }
                Mode::Apply if self.built_from_name(text) => {
                    let normal = text.trim().to_lowercase();
                    return Value::String(self.known_or_new(PiiKind::UserId, text, normal));
                }
                Mode::Apply => {}
            }
        }
        match mode {
            Mode::Apply => Value::String(self.text(text)),
            Mode::Learn => {
                self.learn_text(text);
                Value::Null
            }
        }
    }

    // A value under a personal key: its placeholder (or what it learns), or None
    // when the value does not look like that kind (a phone key holding "n/a").
    fn keyed(&mut self, kind: PiiKind, text: &str, mode: Mode) -> Option<Value> {
        let normal = keyed_value(kind, text)?;
        Some(match mode {
            Mode::Apply => Value::String(self.known_or_new(kind, text, normal)),
            Mode::Learn if kind == PiiKind::Name => {
                self.sightings.push(Sighting::text(text));
                Value::Null
            }
            Mode::Learn => {
                let placeholder = match self.known.get(&text.trim().to_lowercase()) {
                    Some(existing) => existing.clone(),
                    None => self.placeholder(kind, normal),
                };
                // A value the patterns find as it is (an email, `+1 415 ...`) needs
                // no carrying; the rest (names, `4155550134`, postal codes) does.
                let trimmed = text.trim();
                let found_whole = !matches!(kind, PiiKind::Name | PiiKind::Address | PiiKind::Dob)
                    && find(trimmed)
                        .first()
                        .is_some_and(|f| f.start == 0 && f.end == trimmed.len());
                if !found_whole {
                    self.remember(kind, text, &placeholder);
                }
                Value::Null
            }
        })
    }

    fn known_or_new(&mut self, kind: PiiKind, text: &str, normal: String) -> String {
        match self.known.get(&text.trim().to_lowercase()) {
            Some(placeholder) => placeholder.clone(),
            None => self.placeholder(kind, normal),
        }
    }

    // Remembers a learned value (and the parts of a name) for propagation.
    fn remember(&mut self, kind: PiiKind, value: &str, placeholder: &str) {
        let value = crate::text::collapse_whitespace(value).to_lowercase();
        if value.chars().count() < 2 {
            return;
        }
        // "4438 Park Road, Tucson, AZ 85701" is also "4438 Park Road", the line a
        // structured address holds, with the same placeholder.
        if kind == PiiKind::Address
            && let Some((street, _)) = value.split_once(',')
            && street.trim().contains(' ')
        {
            self.known
                .entry(street.trim().to_owned())
                .or_insert_with(|| placeholder.to_owned());
        }
        self.known
            .entry(value)
            .or_insert_with(|| placeholder.to_owned());
    }

    // Whether an identifier holds a learned name part as one of its words
    // (`mia_li_3668`), or has the shape first_last_digits.
    fn built_from_name(&self, text: &str) -> bool {
        let lower = text.trim().to_lowercase();
        if lower.contains(char::is_whitespace) || lower.chars().count() > 64 {
            return false;
        }
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        if words.iter().any(|w| self.name_parts.contains(*w)) {
            return true;
        }
        // The shape first_last_digits, unless its words name a thing
        // (`credit_card_9525117`, `gift_card_77`).
        const THINGS: &[&str] = &[
            "account",
            "bank",
            "card",
            "cert",
            "certificate",
            "checking",
            "coupon",
            "credit",
            "debit",
            "gift",
            "item",
            "order",
            "payment",
            "paypal",
            "product",
            "promo",
            "savings",
            "test",
            "user",
            "voucher",
        ];
        USER_HANDLE.is_match(&lower) && !words.iter().any(|w| THINGS.contains(w))
    }

    // Copies `text` to `out`, replacing learned values that stand as whole words.
    fn replace_known(&mut self, text: &str, out: &mut String) {
        if self.known.is_empty() || text.is_empty() {
            out.push_str(text);
            return;
        }
        if self.known_pattern.is_none() || self.known_len != self.known.len() {
            let mut values: Vec<&String> = self.known.keys().collect();
            values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
            let alternation: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
            let pattern = format!("(?i)(?:{})", alternation.join("|"));
            self.known_pattern = Regex::new(&pattern).ok();
            self.known_len = self.known.len();
        }
        let Some(pattern) = &self.known_pattern else {
            out.push_str(text);
            return;
        };
        let joins = |c: char| c.is_alphanumeric() || c == '_';
        let mut at = 0;
        let mut from = 0;
        while let Some(m) = pattern.find_at(text, from) {
            from = m.end();
            // The longest learned value may end inside a word ("tadhg mc" in "Tadhg
            // McAllister"); a shorter one at the same place, cut at a space or a
            // hyphen, may still stand whole ("tadhg").
            let mut end = m.end();
            let whole = loop {
                if boundary(text, m.start(), end, joins) {
                    break true;
                }
                match text[m.start()..end].rfind([' ', '-']) {
                    Some(cut) if cut > 0 => end = m.start() + cut,
                    _ => break false,
                }
            };
            if !whole {
                continue;
            }
            let value = &text[m.start()..end];
            let lower = value.to_lowercase();
            if self.proper_only.contains(&lower) && !value.starts_with(char::is_uppercase) {
                continue;
            }
            if let Some(placeholder) = self.known.get(&lower) {
                out.push_str(&text[at..m.start()]);
                out.push_str(placeholder);
                at = end;
                from = end;
            }
        }
        out.push_str(&text[at..]);
    }

    fn placeholder(&mut self, kind: PiiKind, normal: String) -> String {
        if let Some(existing) = self.seen.get(&(kind, normal.clone())) {
            return existing.clone();
        }
        let count = self.counts.entry(kind).or_insert(0);
        *count += 1;
        let mut placeholder = format!("<{}_{}>", kind.label(), count);
        if let Some(surrogates) = &self.surrogates {
            placeholder = surrogates.value(kind, &normal, &placeholder);
        }
        self.seen.insert((kind, normal), placeholder.clone());
        placeholder
    }
}

/// A person's name as the redactor learned it: its words in lower case, and which
/// of them are the given and the family name.
#[derive(Debug, Clone)]
struct Sighting {
    given: String,
    middle: Vec<String>,
    family: Option<String>,
}

impl Sighting {
    // A name as written in a text or under a name key: the first word is the given
    // name, the last (with the particles before it: "de la Cruz") the family name,
    // any others middle names. A single word is only itself.
    fn text(value: &str) -> Sighting {
        let lower = crate::text::collapse_whitespace(value).to_lowercase();
        let words: Vec<&str> = lower.split(' ').collect();
        let mut family_start = words.len().saturating_sub(1).max(1);
        while family_start > 1 && names::is_particle(words[family_start - 1]) {
            family_start -= 1;
        }
        if words.len() < 2 {
            return Sighting {
                given: lower,
                middle: Vec::new(),
                family: None,
            };
        }
        Sighting {
            given: words[0].to_owned(),
            middle: words[1..family_start]
                .iter()
                .map(|w| (*w).to_owned())
                .collect(),
            family: Some(words[family_start..].join(" ")),
        }
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.given.as_str())
            .chain(self.middle.iter().map(String::as_str))
            .chain(self.family.iter().flat_map(|f| f.split(' ')))
    }

    // A record's first and last name.
    fn record(given: String, family: String) -> Sighting {
        Sighting {
            given: crate::text::collapse_whitespace(&given).to_lowercase(),
            middle: Vec::new(),
            family: Some(crate::text::collapse_whitespace(&family).to_lowercase()),
        }
    }
}

/// One person the names learned belong to, numbered in the order first seen.
#[derive(Debug, Clone)]
struct Person {
    number: usize,
    given: String,
    middle: Vec<String>,
    family: Option<String>,
}

impl Redactor {
    // Gathers the names learned into people, numbered in the order first seen, and
    // learns each person's placeholders: `<NAME_n>` for the whole name (or a name
    // known only by one word), `<NAME_n_GIVEN>`, `<NAME_n_MIDDLE>` and
    // `<NAME_n_FAMILY>` for its parts, so a simulated customer asked for its first
    // and last name gives the parts that the mock world's records hold. A single word
    // that is a part of a full name learned anywhere is that part ("I'm Mia" and a
    // record of Mia Li); a name spelled out is the name it spells.
    fn resolve_names(&mut self) {
        let mut people: Vec<Person> = Vec::new();
        // The words of businesses' and things' own names ("Avril Swan, MD" under a
        // `doctor_name`): a name in free text made of them is the business's.
        let public_words: FxHashSet<&str> = self
            .public
            .iter()
            .flat_map(|value| value.split(|c: char| !c.is_alphanumeric()))
            .filter(|word| !word.is_empty())
            .chain(self.thing_words.iter().map(String::as_str))
            .collect();
        let mut sightings: Vec<Sighting> = std::mem::take(&mut self.sightings)
            .into_iter()
            .filter(|sighting| !sighting.words().all(|word| public_words.contains(word)))
            .collect();
        // A name learned alone ("My name is Tenzin", "Mr Sherpa") that some text
        // writes with a family name after it or a given name before it ("...,
        // Tenzin Sherpa") is that full name.
        let alone: FxHashSet<&str> = sightings
            .iter()
            .filter(|s| s.family.is_none())
            .map(|s| s.given.as_str())
            .collect();
        let completed: Vec<Sighting> = std::mem::take(&mut self.pairs)
            .into_iter()
            .filter(|(given, family, plain)| {
                let (given, family) = (given.as_str(), family.as_str());
                (alone.contains(given) && !public_words.contains(family))
                    || (*plain && alone.contains(family) && !public_words.contains(given))
            })
            .map(|(given, family, _)| Sighting::record(given, family))
            .collect();
        sightings.extend(completed);
        for sighting in sightings {
            if sighting.given.chars().count() < 2
                || keys::NOT_NAMES.contains(&sighting.given.as_str()) && sighting.family.is_none()
            {
                continue;
            }
            match &sighting.family {
                Some(family) => {
                    let same = people.iter_mut().position(|p| {
                        p.given == sighting.given && p.family.as_deref() == Some(family.as_str())
                    });
                    let part_of = || {
                        people.iter().position(|p| {
                            p.family.is_none() && (p.given == sighting.given || p.given == *family)
                        })
                    };
                    if let Some(at) = same.or_else(part_of) {
                        let person = &mut people[at];
                        person.given.clone_from(&sighting.given);
                        person.family = Some(family.clone());
                        if person.middle.is_empty() {
                            person.middle.clone_from(&sighting.middle);
                        }
                    } else {
                        let number = people.len() + 1;
                        people.push(Person {
                            number,
                            given: sighting.given.clone(),
                            middle: sighting.middle.clone(),
                            family: Some(family.clone()),
                        });
                    }
                }
                None => {
                    let word = &sighting.given;
                    let known = people.iter().any(|p| {
                        p.given == *word
                            || p.family.as_deref() == Some(word.as_str())
                            || p.middle.contains(word)
                    });
                    if !known {
                        let number = people.len() + 1;
                        people.push(Person {
                            number,
                            given: word.clone(),
                            middle: Vec::new(),
                            family: None,
                        });
                    }
                }
            }
        }
        // Names that later turn out to be parts of another's full name were counted
        // as people of their own; number the people that remain in order.
        for (i, person) in people.iter_mut().enumerate() {
            person.number = i + 1;
        }
        // Surrogate names avoid every name of the session.
        let session_names: FxHashSet<String> = people
            .iter()
            .flat_map(|p| {
                std::iter::once(p.given.clone())
                    .chain(p.middle.iter().cloned())
                    .chain(
                        p.family
                            .iter()
                            .flat_map(|f| f.split(' ').map(str::to_owned)),
                    )
            })
            .collect();
        for person in &people {
            let (whole, given, middle, family) = match &self.surrogates {
                Some(surrogates) => {
                    let name = surrogates.name(person.number, &|word: &str| {
                        session_names.contains(&word.to_lowercase())
                    });
                    let whole = match person.family {
                        Some(_) => format!("{} {}", name.given, name.family),
                        None => name.given.clone(),
                    };
                    (whole, name.given, name.middle, name.family)
                }
                None => {
                    let label =
                        |part: &str| format!("<{}_{}{part}>", PiiKind::Name.label(), person.number);
                    (
                        label(""),
                        label("_GIVEN"),
                        label("_MIDDLE"),
                        label("_FAMILY"),
                    )
                }
            };
            let part = |label: &str| match label {
                "GIVEN" => given.clone(),
                "MIDDLE" => middle.clone(),
                _ => family.clone(),
            };
            let mut entries: Vec<(String, String)> = Vec::new();
            match &person.family {
                Some(family) => {
                    let mut full = vec![person.given.clone()];
                    full.extend(person.middle.iter().cloned());
                    full.push(family.clone());
                    entries.push((full.join(" "), whole.clone()));
                    entries.push((format!("{} {family}", person.given), whole.clone()));
                    entries.push((person.given.clone(), part("GIVEN")));
                    for middle in &person.middle {
                        entries.push((middle.clone(), part("MIDDLE")));
                    }
                    entries.push((family.clone(), part("FAMILY")));
                    for word in family.split([' ', '-']) {
                        if !names::is_particle(word) {
                            entries.push((word.to_owned(), part("FAMILY")));
                        }
                    }
                }
                None => entries.push((person.given.clone(), whole.clone())),
            }
            *self.counts.entry(PiiKind::Name).or_insert(0) += 1;
            for (value, placeholder) in entries {
                if value.chars().count() < 2 || keys::NOT_NAMES.contains(&value.as_str()) {
                    continue;
                }
                for word in value.split([' ', '-']) {
                    if word.chars().count() >= 2 {
                        self.name_parts.insert(word.to_owned());
                    }
                }
                if !value.contains(' ') && names::is_common(&value) {
                    self.proper_only.insert(value.clone());
                }
                self.seen
                    .entry((PiiKind::Name, value.clone()))
                    .or_insert_with(|| placeholder.clone());
                self.known.entry(value).or_insert(placeholder);
            }
        }
        // A name spelled out is the name it spells, or a name of its own when it
        // spells a census name or "spelled" introduced it.
        for (written, letters, cued) in std::mem::take(&mut self.spelled) {
            let placeholder = match self.known.get(&letters) {
                Some(placeholder) if self.name_parts.contains(&letters) => placeholder.clone(),
                _ if cued || names::is_given(&letters) || names::is_family(&letters) => {
                    let number = self.counts.get(&PiiKind::Name).copied().unwrap_or(0) + 1;
                    self.counts.insert(PiiKind::Name, number);
                    match &self.surrogates {
                        Some(surrogates) => surrogates.name(number, &|_| false).family,
                        None => format!("<{}_{number}>", PiiKind::Name.label()),
                    }
                }
                _ => continue,
            };
            // A surrogate is spelled as the original was: "Q-U-I-S-P-E" becomes
            // "H-U-G-H-E-S".
            let value = if self.surrogates.is_some() {
                let separator = if written.contains('-') {
                    "-"
                } else if written.contains('.') {
                    "."
                } else {
                    " "
                };
                placeholder
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .flat_map(char::to_uppercase)
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join(separator)
            } else {
                placeholder
            };
            self.known.entry(written).or_insert(value);
        }
    }
}

/// Texts at least this long keep what the patterns found in them from learning to
/// replacing, as do shorter ones with a digit, `@` or `:` (which the patterns scan).
const CACHED_TEXT_BYTES: usize = 48;

fn worth_caching(text: &str) -> bool {
    text.len() >= CACHED_TEXT_BYTES
        || text
            .bytes()
            .any(|b| b.is_ascii_digit() || b == b'@' || b == b':')
}

fn keep(value: &Value, mode: Mode) -> Value {
    match mode {
        Mode::Apply => value.clone(),
        _ => Value::Null,
    }
}

/// Where a JSON value sits: the kind its key names, whether its key introduces a
/// person (`customer`, `passengers`), whether its key is an identifier.
#[derive(Debug, Clone, Copy)]
struct Context {
    kind: Option<PiiKind>,
    person_key: bool,
    id_key: bool,
    /// A business's contact data: kept as it is.
    public: bool,
    /// The name of a thing (`hotel_name`, `song_name`): not a person's.
    thing_name: bool,
}

impl Context {
    // The context of the value under a key of the given class, in an object of the
    // given shape.
    fn child(info: &keys::KeyInfo, shape: &keys::Shape) -> Context {
        Context {
            kind: info.class.kind(shape),
            person_key: info.class.introduces_person(),
            id_key: info.class == keys::Class::Identifier,
            public: keys::Class::public(info, shape),
            thing_name: info.names_a_thing(),
        }
    }

    fn root(person: bool) -> Context {
        Context {
            kind: None,
            person_key: person,
            id_key: false,
            public: false,
            thing_name: false,
        }
    }
}

/// One piece of personal data found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    pub kind: PiiKind,
    /// The value in normal form: what decides whether two findings are the same value.
    pub normal: String,
}

macro_rules! regex {
    // A pattern also kept as text, for the set below.
    ($name:ident, $text:ident = $pattern:expr) => {
        const $text: &str = $pattern;
        regex!($name, $text);
    };
    ($name:ident, $pattern:expr) => {
        static $name: LazyLock<Regex> =
            LazyLock::new(|| Regex::new($pattern).expect("a valid regex"));
    };
}

regex!(
    EMAIL,
    r"(?i)[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}"
);
regex!(
    UUID,
    P_UUID = r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
);
regex!(
    DATE_TIME,
    P_DATE_TIME =
        r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?"
);
regex!(IBAN, P_IBAN = r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}");
regex!(CARD, P_CARD = r"\d(?:[ \-]?\d){12,18}");
regex!(SSN, P_SSN = r"\d{3}[- ]\d{2}[- ]\d{4}");
regex!(
    SSN_KEYWORD,
    r"(?i)(?-u:\b)(?:ssn|social security(?: number)?)(?:\s*(?:is|:|#|number|no\.?))*\s*(\d{9})(?-u:\b)"
);
regex!(
    ADDRESS,
    r"(?-u:\b)\d{1,6}\s+(?:[A-Z][A-Za-z'.\-]*\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Loop|Row)(?-u:\b)\.?(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|\#)\.?\s*[A-Za-z0-9\-]+)?(?:,\s+[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2},\s+[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?)?"
);
regex!(
    DOB_INTRO,
    r"(?i)(?-u:\b)(?:born(?:\s+on)?|date\s+of\s+birth(?:\s+is)?|d\.?o\.?b\.?|birth\s*date(?:\s+is)?|birthday(?:\s+is)?)\s*[:\-]?\s*(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4})"
);
// Cheap literal hints that say whether the costlier patterns can match at all.
regex!(BIRTH_OR_SSN_HINT, r"(?i)born|birth|dob|d\.o\.b|ssn|social");
regex!(
    STREET_HINT,
    r"Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Loop|Row"
);
regex!(USER_HANDLE, r"^[a-z]{2,}[._][a-z]{2,}[._]\d{2,}$");
// "@name" not inside an email address: at the start or after a space or a bracket.
// Unbounded here and cut to 40 characters where it is read: `{2,40}` of this
// Unicode class compiled to 2.2 MB, and each thread's search cache to 1.1 MB more.
regex!(HANDLE, r"(?:^|[\s(\[])@[\p{L}\p{N}_.]{2,}");
/// The most characters of a handle after its `@`.
const HANDLE_MAX_CHARS: usize = 40;
regex!(PHONE_INTL, P_PHONE_INTL = r"\+\d[\d \-.()]{6,22}\d");
regex!(
    PHONE_US,
    P_PHONE_US = r"(?:1[ .\-]?)?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}"
);
regex!(IPV4, P_IPV4 = r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}");
regex!(IPV6, r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}");

// The patterns above that need a digit, as one set: one scan of a text says which
// of them match at all, so only those are searched (most texts match none). The
// order is the order of `DIGIT_PATTERNS`' indexes below.
const DIGIT_PATTERNS: [&str; 8] = [
    P_UUID,
    P_DATE_TIME,
    P_IBAN,
    P_CARD,
    P_SSN,
    P_PHONE_INTL,
    P_PHONE_US,
    P_IPV4,
];
static DIGIT_SET: LazyLock<regex::RegexSet> =
    LazyLock::new(|| regex::RegexSet::new(DIGIT_PATTERNS).expect("valid regexes"));

// The matches of `regex` in `text`, searched only when `hit` (the set matched it).
fn search<'t>(hit: bool, regex: &Regex, text: &'t str) -> impl Iterator<Item = regex::Match<'t>> {
    hit.then(|| regex.find_iter(text)).into_iter().flatten()
}

/// Every piece of personal data in `text`, in order, without overlaps.
pub fn find(text: &str) -> Vec<Finding> {
    let bytes = text.as_bytes();
    let has_digit = bytes.iter().any(u8::is_ascii_digit);
    let has_at = bytes.contains(&b'@');
    let has_colon = bytes.contains(&b':');
    let mut found = Spans::default();
    if text.contains(' ') || text.contains('\n') {
        for (start, end) in names::find(text) {
            found.add(
                start,
                end,
                Some(PiiKind::Name),
                crate::text::collapse_whitespace(&text[start..end]).to_lowercase(),
            );
        }
    }
    if !has_digit && !has_at && !has_colon {
        return found.into_findings();
    }
    if has_at {
        for m in EMAIL.find_iter(text) {
            found.add(
                m.start(),
                m.end(),
                Some(PiiKind::Email),
                m.as_str().to_lowercase(),
            );
        }
        // A social-media handle ("DM from @zhenyu_bitar") names its person.
        for m in HANDLE.find_iter(text) {
            let at = m.as_str().find('@').unwrap_or(0) + 1;
            let cut = m.as_str()[at..]
                .char_indices()
                .nth(HANDLE_MAX_CHARS)
                .map_or(m.as_str().len(), |(i, _)| at + i);
            let handle = m.as_str()[..cut].trim_end_matches(['.', '_']);
            let start = m.start() + m.as_str().len()
                - m.as_str().trim_start_matches(|c: char| c != '@').len();
            let end = m.start() + handle.len();
            if end > start + 2 {
                found.add(
                    start,
                    end,
                    Some(PiiKind::UserId),
                    text[start..end].to_lowercase(),
                );
            }
        }
    }
    if has_digit {
        // Introduced dates of birth and street addresses before the dates and
        // numbers they hold.
        let birth_or_ssn = BIRTH_OR_SSN_HINT.is_match(text);
        if birth_or_ssn {
            for captures in DOB_INTRO.captures_iter(text) {
                if let Some(date) = captures.get(1) {
                    let normal =
                        normal_date(date.as_str()).unwrap_or_else(|| date.as_str().to_lowercase());
                    found.add(date.start(), date.end(), Some(PiiKind::Dob), normal);
                }
            }
        }
        if STREET_HINT.is_match(text) {
            for m in ADDRESS.find_iter(text) {
                let normal = crate::text::collapse_whitespace(m.as_str()).to_lowercase();
                found.add(m.start(), m.end(), Some(PiiKind::Address), normal);
            }
        }
        if birth_or_ssn {
            for captures in SSN_KEYWORD.captures_iter(text) {
                if let Some(number) = captures.get(1) {
                    found.add(
                        number.start(),
                        number.end(),
                        Some(PiiKind::Ssn),
                        number.as_str().to_owned(),
                    );
                }
            }
        }
        let hits = DIGIT_SET.matches(text);
        // Dates, timestamps and UUIDs shield what they cover.
        for m in
            search(hits.matched(0), &UUID, text).chain(search(hits.matched(1), &DATE_TIME, text))
        {
            if standalone(text, m.start(), m.end()) {
                found.add(m.start(), m.end(), None, String::new());
            }
        }
        for m in search(hits.matched(2), &IBAN, text) {
            if let Some((end, normal)) = iban(text, m.start(), m.end()) {
                found.add(m.start(), end, Some(PiiKind::Iban), normal);
            }
        }
        for m in search(hits.matched(3), &CARD, text) {
            if let Some((end, normal)) = card(text, m.start(), m.end()) {
                found.add(m.start(), end, Some(PiiKind::Card), normal);
            }
        }
        for m in search(hits.matched(4), &SSN, text) {
            if standalone(text, m.start(), m.end()) && valid_ssn(m.as_str()) {
                found.add(
                    m.start(),
                    m.end(),
                    Some(PiiKind::Ssn),
                    digits_of(m.as_str()),
                );
            }
        }
        for m in search(hits.matched(5), &PHONE_INTL, text) {
            if let Some((end, normal)) = international_phone(text, m.start(), m.end()) {
                found.add(m.start(), end, Some(PiiKind::Phone), normal);
            }
        }
        for m in search(hits.matched(6), &PHONE_US, text) {
            if standalone(text, m.start(), m.end()) {
                found.add(
                    m.start(),
                    m.end(),
                    Some(PiiKind::Phone),
                    phone_normal(m.as_str()),
                );
            }
        }
        for m in search(hits.matched(7), &IPV4, text) {
            let valid = m
                .as_str()
                .split('.')
                .all(|octet| octet.parse::<u8>().is_ok());
            if valid && standalone_ipv4(text, m.start(), m.end()) {
                // Leading zeros do not make another address: 010 is 10.
                let octets: Vec<String> = m
                    .as_str()
                    .split('.')
                    .map(|o| o.parse::<u8>().unwrap_or(0).to_string())
                    .collect();
                found.add(m.start(), m.end(), Some(PiiKind::Ip), octets.join("."));
            }
        }
    }
    if has_colon {
        for m in IPV6.find_iter(text) {
            let groups = m.as_str().split(':').filter(|g| !g.is_empty()).count();
            if groups < 3
                || !boundary(text, m.start(), m.end(), |c| {
                    c.is_alphanumeric() || c == ':'
                })
            {
                continue;
            }
            if let Ok(address) = m.as_str().parse::<Ipv6Addr>() {
                found.add(m.start(), m.end(), Some(PiiKind::Ip), address.to_string());
            }
        }
    }
    found.into_findings()
}

/// A written date as `YYYY-MM-DD`: `1988-06-13`, `06/13/1988`, `June 13, 1988`,
/// `13 June 1988`.
fn normal_date(text: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = text.trim().to_lowercase();
    let parts: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    let number =
        |p: &str| -> Option<u32> { p.trim_end_matches(|c: char| c.is_alphabetic()).parse().ok() };
    let month_of = |p: &str| {
        MONTHS
            .iter()
            .position(|m| p.starts_with(m))
            .map(|i| i as u32 + 1)
    };
    let (year, month, day) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()) => {
            (number(y)?, number(m)?, number(d)?)
        }
        [m, d, y] if month_of(m).is_some() => (number(y)?, month_of(m)?, number(d)?),
        [d, m, y] | [d, _, m, y] if month_of(m).is_some() => (number(y)?, month_of(m)?, number(d)?),
        [m, d, y] => {
            let y = number(y)?;
            (if y < 100 { y + 1900 } else { y }, number(m)?, number(d)?)
        }
        _ => return None,
    };
    ((1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

// Accepted spans by start; they never overlap, so only the span that starts last
// before a candidate's end can overlap it.
#[derive(Default)]
struct Spans {
    spans: BTreeMap<usize, (usize, Option<PiiKind>, String)>,
}

impl Spans {
    // Earlier detectors win: a span that overlaps an accepted one is dropped.
    fn add(&mut self, start: usize, end: usize, kind: Option<PiiKind>, normal: String) {
        if start >= end {
            return;
        }
        if let Some((_, (previous_end, _, _))) = self.spans.range(..end).next_back()
            && *previous_end > start
        {
            return;
        }
        self.spans.insert(start, (end, kind, normal));
    }

    fn into_findings(self) -> Vec<Finding> {
        self.spans
            .into_iter()
            .filter_map(|(start, (end, kind, normal))| {
                kind.map(|kind| Finding {
                    start,
                    end,
                    kind,
                    normal,
                })
            })
            .collect()
    }
}

// Neither neighbour of `start..end` satisfies `joins`.
fn boundary(text: &str, start: usize, end: usize, joins: impl Fn(char) -> bool) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(&joins) && !after.is_some_and(&joins)
}

// Not glued to letters, digits or a hyphen that continues an identifier.
fn standalone(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let after_after = text[end..].chars().nth(1);
    let glued_before =
        before.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '+');
    let glued_after = after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        || (after == Some('-') && after_after.is_some_and(|c| c.is_alphanumeric()));
    !glued_before && !glued_after
}

fn standalone_ipv4(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let mut rest = text[end..].chars();
    let after = rest.next();
    let after_after = rest.next();
    let glued_before = before.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '-');
    let glued_after = after.is_some_and(|c| c.is_alphanumeric())
        || (after == Some('.') && after_after.is_some_and(|c| c.is_ascii_digit()));
    !glued_before && !glued_after
}

fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

// A number written with separators may have swallowed a following number: try the
// longest prefix that ends at a group boundary first.
fn group_ends(text: &str, start: usize, end: usize) -> Vec<usize> {
    let candidate = &text[start..end];
    let mut ends = vec![end];
    for (i, c) in candidate.char_indices().rev() {
        if !c.is_ascii_alphanumeric() && i > 0 {
            let cut = start
                + candidate[..i]
                    .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
                    .len();
            if ends.last() != Some(&cut) {
                ends.push(cut);
            }
        }
    }
    ends
}

fn card(text: &str, start: usize, end: usize) -> Option<(usize, String)> {
    for end in group_ends(text, start, end) {
        if !standalone(text, start, end) {
            continue;
        }
        let digits = digits_of(&text[start..end]);
        if plausible_card(&digits) {
            return Some((end, digits));
        }
    }
    None
}

// Issuers' numbers start with 2 to 6 (Mastercard, Amex, Visa, Discover, UnionPay...);
// requiring that keeps 13-digit millisecond timestamps out.
fn plausible_card(digits: &str) -> bool {
    (13..=19).contains(&digits.len())
        && digits.starts_with(['2', '3', '4', '5', '6'])
        && luhn(digits)
}

/// Whether a string of ASCII digits passes the Luhn check.
pub(crate) fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn iban(text: &str, start: usize, end: usize) -> Option<(usize, String)> {
    for end in group_ends(text, start, end) {
        if !boundary(text, start, end, |c| c.is_alphanumeric()) {
            continue;
        }
        let compact: String = text[start..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if (15..=34).contains(&compact.len()) && iban_checksum(&compact) {
            return Some((end, compact));
        }
    }
    None
}

/// Whether an IBAN (upper case, no spaces) passes the ISO 7064 mod-97 check.
pub(crate) fn iban_checksum(iban: &str) -> bool {
    let (head, tail) = iban.split_at(4);
    let mut remainder: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let value = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        remainder = if value >= 10 {
            (remainder * 100 + value) % 97
        } else {
            (remainder * 10 + value) % 97
        };
    }
    remainder == 1
}

fn valid_ssn(ssn: &str) -> bool {
    if ssn.as_bytes()[3] != ssn.as_bytes()[6] {
        return false;
    }
    let area = &ssn[0..3];
    let group = &ssn[4..6];
    let serial = &ssn[7..11];
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

fn international_phone(text: &str, start: usize, end: usize) -> Option<(usize, String)> {
    for end in group_ends(text, start, end) {
        let candidate = &text[start..end];
        let digits = digits_of(candidate);
        let plausible = if digits.starts_with('1') {
            digits.len() == 11
        } else {
            (8..=15).contains(&digits.len())
        };
        let balanced = candidate.matches('(').count() == candidate.matches(')').count();
        if plausible && balanced && standalone(text, start, end) {
            return Some((end, digits));
        }
    }
    None
}

// US numbers written without a country code are the same value as `+1...`.
fn phone_normal(text: &str) -> String {
    let digits = digits_of(text);
    if digits.len() == 10 && !text.trim_start().starts_with('+') {
        format!("1{digits}")
    } else {
        digits
    }
}

fn keyed_value(kind: PiiKind, text: &str) -> Option<String> {
    let trimmed = text.trim();
    let alphanumeric = || -> String {
        trimmed
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect()
    };
    match kind {
        // A name has letters and no digits (`C-20931` under `customer` is an id).
        PiiKind::Name => {
            return (trimmed.chars().any(char::is_alphabetic)
                && !trimmed.chars().any(|c| c.is_ascii_digit())
                && trimmed.chars().count() <= 100)
                .then(|| crate::text::collapse_whitespace(trimmed).to_lowercase());
        }
        PiiKind::Address => {
            return (trimmed.chars().any(char::is_alphabetic) && trimmed.chars().count() <= 200)
                .then(|| crate::text::collapse_whitespace(trimmed).to_lowercase());
        }
        PiiKind::Email => return trimmed.contains('@').then(|| trimmed.to_lowercase()),
        PiiKind::Dob => {
            return trimmed
                .chars()
                .any(|c| c.is_ascii_digit())
                .then(|| normal_date(trimmed).unwrap_or_else(|| trimmed.to_lowercase()));
        }
        PiiKind::PostalCode => {
            let normal = alphanumeric();
            return ((3..=10).contains(&normal.len())
                && normal.chars().any(|c| c.is_ascii_digit()))
            .then_some(normal);
        }
        PiiKind::NationalId | PiiKind::Account => {
            let normal = alphanumeric();
            return (normal.chars().filter(char::is_ascii_digit).count() >= 4).then_some(normal);
        }
        _ => {}
    }
    if trimmed.is_empty()
        || !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
    {
        return None;
    }
    let digits = digits_of(trimmed);
    match kind {
        PiiKind::Phone if (7..=15).contains(&digits.len()) => Some(phone_normal(trimmed)),
        PiiKind::Ssn if digits.len() == 9 => Some(digits),
        PiiKind::Card if plausible_card(&digits) => Some(digits),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(PiiKind, String)> {
        find(text)
            .into_iter()
            .map(|f| (f.kind, text[f.start..f.end].to_owned()))
            .collect()
    }

    #[test]
    fn finds_each_kind() {
        assert_eq!(
            kinds("mail Dana.W@Example.com now"),
            [(PiiKind::Email, "Dana.W@Example.com".to_owned())]
        );
        assert_eq!(
            kinds("card 4111 1111 1111 1111."),
            [(PiiKind::Card, "4111 1111 1111 1111".to_owned())]
        );
        assert_eq!(
            kinds("ssn 078-05-1120"),
            [(PiiKind::Ssn, "078-05-1120".to_owned())]
        );
        assert_eq!(
            kinds("iban DE89 3704 0044 0532 0130 00 ok"),
            [(PiiKind::Iban, "DE89 3704 0044 0532 0130 00".to_owned())]
        );
        assert_eq!(
            kinds("from 203.0.113.7"),
            [(PiiKind::Ip, "203.0.113.7".to_owned())]
        );
        assert_eq!(
            kinds("v6 2001:db8::8a2e:370:7334 seen"),
            [(PiiKind::Ip, "2001:db8::8a2e:370:7334".to_owned())]
        );
        assert_eq!(
            kinds("call (415) 555-0134"),
            [(PiiKind::Phone, "(415) 555-0134".to_owned())]
        );
        assert_eq!(
            kinds("call +44 20 7946 0958"),
            [(PiiKind::Phone, "+44 20 7946 0958".to_owned())]
        );
        assert_eq!(
            kinds("DM from @zhenyu_bitar: hey, mail me at z.b@example.com"),
            [
                (PiiKind::UserId, "@zhenyu_bitar".to_owned()),
                (PiiKind::Email, "z.b@example.com".to_owned())
            ]
        );
        // A handle is read to its 40th character after the `@`, in characters.
        let long = format!("@{}", "é".repeat(45));
        assert_eq!(
            kinds(&format!("from {long}!")),
            [(PiiKind::UserId, format!("@{}", "é".repeat(40)))]
        );
    }

    #[test]
    fn leaves_identifiers_alone() {
        for text in [
            "order 88412",
            "acct 4471-22",
            "$449.95",
            "2026-11-20T15:00:00Z",
            "2026-12-01T09:00:00",
            "8802d27f-bc21-51b7-be61-fbf6bf8bbaa3",
            "12345678-1234-1234-1234-123456789012",
            "4111 1111 1111 1112",
            "DE89 3704 0044 0532 0130 01",
            "INV-9002",
            "at 09:00:00",
            "std::fmt::Debug",
            "version 10.256.1.1",
            "1795186800000",
        ] {
            assert_eq!(kinds(text), [], "{text}");
        }
    }

    #[test]
    fn same_value_same_placeholder() {
        let mut redactor = Redactor::new();
        assert_eq!(redactor.text("call 415-555-0134"), "call <PHONE_1>");
        assert_eq!(
            redactor.text("+1 (415) 555-0134 or +14155550134"),
            "<PHONE_1> or <PHONE_1>"
        );
        assert_eq!(redactor.text("or 212-555-0199"), "or <PHONE_2>");
        let json = serde_json::json!({"phone": "4155550134", "note": "DANA@example.com", "b": 1});
        let out = redactor.json(&json);
        assert_eq!(out["phone"], "<PHONE_1>");
        assert_eq!(out["note"], "<EMAIL_1>");
        assert_eq!(
            redactor.kinds().into_iter().collect::<Vec<_>>(),
            [PiiKind::Email, PiiKind::Phone]
        );
    }

    #[test]
    fn serde_json_maps_keep_keys_sorted() {
        // Drafts rely on it for key order (no `preserve_order` in the workspace).
        let value: Value = serde_json::from_str(r#"{"b": 1, "a": 2, "C": 3}"#).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["C", "a", "b"]);
    }

    #[test]
    fn dates_of_birth_have_one_normal_form() {
        for text in [
            "1988-06-13",
            "06/13/1988",
            "June 13, 1988",
            "13 June 1988",
            "Jun 13th 1988",
        ] {
            assert_eq!(normal_date(text).as_deref(), Some("1988-06-13"), "{text}");
        }
        assert_eq!(normal_date("next week"), None);
        // Mixed separators are not an SSN.
        assert_eq!(kinds("ref 755 11-8030"), []);
    }

    #[test]
    fn checksums() {
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
        assert!(iban_checksum("GB82WEST12345698765432"));
        assert!(!iban_checksum("GB82WEST12345698765433"));
    }
}
