//! Redaction of personal data before anything reaches a draft.
//!
//! A [`Redactor`] replaces email addresses, phone numbers, payment card numbers
//! (Luhn-valid only), US social security numbers, IBANs (checksum-valid only) and IP
//! addresses (v4 and v6) with numbered placeholders such as `<EMAIL_1>` or `<PHONE_2>`.
//! One redactor serves one draft, so the same value gets the same placeholder in the
//! journey, the intent and the mock world alike. Values are compared in a normal form:
//! `415-555-0134`, `(415) 555-0134` and `+14155550134` are one phone number, and an
//! email address is compared in lower case.
//!
//! What must survive is as important as what must go: order numbers (`88412`),
//! account ids (`4471-22`), confirmation codes, prices, dates, ISO timestamps and UUIDs
//! are never touched. Dates, timestamps and UUIDs are found first and shield the
//! characters they cover; a 16-digit number that fails the Luhn check and an IBAN with
//! a bad checksum stay as they are.
//!
//! Inside JSON, a key also tells what a value is: a bare `"4155550134"` under a key
//! such as `phone` or `mobile` is a phone number, and a number under `card_number` a
//! card. Bare digit runs in free text are left alone, because they are far more often
//! order numbers than phone numbers.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv6Addr;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

/// A kind of personal data the redactor replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PiiKind {
    Email,
    Phone,
    Card,
    Ssn,
    Iban,
    Ip,
}

impl PiiKind {
    /// The placeholder's label: `EMAIL` in `<EMAIL_1>`.
    pub fn label(self) -> &'static str {
        match self {
            PiiKind::Email => "EMAIL",
            PiiKind::Phone => "PHONE",
            PiiKind::Card => "CARD",
            PiiKind::Ssn => "SSN",
            PiiKind::Iban => "IBAN",
            PiiKind::Ip => "IP",
        }
    }

    /// The kind in words, for the draft's brief.
    pub fn describe(self) -> &'static str {
        match self {
            PiiKind::Email => "email addresses",
            PiiKind::Phone => "phone numbers",
            PiiKind::Card => "payment card numbers",
            PiiKind::Ssn => "social security numbers",
            PiiKind::Iban => "IBANs",
            PiiKind::Ip => "IP addresses",
        }
    }
}

/// Replaces personal data with placeholders, consistently across every text and
/// JSON value it is given.
#[derive(Debug, Default, Clone)]
pub struct Redactor {
    seen: HashMap<(PiiKind, String), String>,
    counts: HashMap<PiiKind, usize>,
}

impl Redactor {
    /// A redactor that has seen nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The kinds of personal data replaced so far, in a fixed order.
    pub fn kinds(&self) -> BTreeSet<PiiKind> {
        self.counts.keys().copied().collect()
    }

    /// `text` with every personal value replaced by its placeholder.
    pub fn text(&mut self, text: &str) -> String {
        let spans = find(text);
        if spans.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in spans {
            out.push_str(&text[at..span.start]);
            out.push_str(&self.placeholder(span.kind, span.normal));
            at = span.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// `value` with every string (and object key) redacted, and with object keys in
    /// sorted order, so the result does not depend on how the JSON was written.
    pub fn json(&mut self, value: &Value) -> Value {
        self.json_under(value, None)
    }

    fn json_under(&mut self, value: &Value, key_kind: Option<PiiKind>) -> Value {
        match value {
            Value::String(text) => {
                if let Some(kind) = key_kind
                    && let Some(normal) = keyed_value(kind, text)
                {
                    return Value::String(self.placeholder(kind, normal));
                }
                Value::String(self.text(text))
            }
            Value::Number(number) => match key_kind {
                Some(kind) if number.is_u64() => match keyed_value(kind, &number.to_string()) {
                    Some(normal) => Value::String(self.placeholder(kind, normal)),
                    None => value.clone(),
                },
                _ => value.clone(),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.json_under(item, key_kind))
                    .collect(),
            ),
            Value::Object(map) => {
                let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                let mut out = Map::new();
                for (key, item) in entries {
                    let kind = kind_of_key(key);
                    let item = self.json_under(item, kind);
                    out.insert(self.text(key), item);
                }
                Value::Object(out)
            }
            Value::Null | Value::Bool(_) => value.clone(),
        }
    }

    fn placeholder(&mut self, kind: PiiKind, normal: String) -> String {
        if let Some(existing) = self.seen.get(&(kind, normal.clone())) {
            return existing.clone();
        }
        let count = self.counts.entry(kind).or_insert(0);
        *count += 1;
        let placeholder = format!("<{}_{}>", kind.label(), count);
        self.seen.insert((kind, normal), placeholder.clone());
        placeholder
    }
}

/// `value` with keys in sorted order and nothing else changed (what [`Redactor::json`]
/// does when redaction is off).
pub(crate) fn sorted_json(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(sorted_json).collect()),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted_json(v)))
                    .collect(),
            )
        }
        _ => value.clone(),
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
    r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
);
regex!(
    DATE_TIME,
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?"
);
regex!(IBAN, r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}");
regex!(CARD, r"\d(?:[ \-]?\d){12,18}");
regex!(SSN, r"\d{3}-\d{2}-\d{4}");
regex!(PHONE_INTL, r"\+\d[\d \-.()]{6,22}\d");
regex!(
    PHONE_US,
    r"(?:1[ .\-]?)?(?:\(\d{3}\) ?|\d{3}[ .\-])\d{3}[ .\-]\d{4}"
);
regex!(IPV4, r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}");
regex!(IPV6, r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}");

/// Every piece of personal data in `text`, in order, without overlaps.
pub fn find(text: &str) -> Vec<Finding> {
    let bytes = text.as_bytes();
    let has_digit = bytes.iter().any(u8::is_ascii_digit);
    let has_at = bytes.contains(&b'@');
    let has_colon = bytes.contains(&b':');
    if !has_digit && !has_at && !has_colon {
        return Vec::new();
    }
    let mut found = Spans::default();
    if has_at {
        for m in EMAIL.find_iter(text) {
            found.add(
                m.start(),
                m.end(),
                Some(PiiKind::Email),
                m.as_str().to_lowercase(),
            );
        }
    }
    if has_digit {
        // Dates, timestamps and UUIDs shield what they cover.
        for m in UUID.find_iter(text).chain(DATE_TIME.find_iter(text)) {
            if standalone(text, m.start(), m.end()) {
                found.add(m.start(), m.end(), None, String::new());
            }
        }
        for m in IBAN.find_iter(text) {
            if let Some((end, normal)) = iban(text, m.start(), m.end()) {
                found.add(m.start(), end, Some(PiiKind::Iban), normal);
            }
        }
        for m in CARD.find_iter(text) {
            if let Some((end, normal)) = card(text, m.start(), m.end()) {
                found.add(m.start(), end, Some(PiiKind::Card), normal);
            }
        }
        for m in SSN.find_iter(text) {
            if standalone(text, m.start(), m.end()) && valid_ssn(m.as_str()) {
                found.add(
                    m.start(),
                    m.end(),
                    Some(PiiKind::Ssn),
                    digits_of(m.as_str()),
                );
            }
        }
        for m in PHONE_INTL.find_iter(text) {
            if let Some((end, normal)) = international_phone(text, m.start(), m.end()) {
                found.add(m.start(), end, Some(PiiKind::Phone), normal);
            }
        }
        for m in PHONE_US.find_iter(text) {
            if standalone(text, m.start(), m.end()) {
                found.add(
                    m.start(),
                    m.end(),
                    Some(PiiKind::Phone),
                    phone_normal(m.as_str()),
                );
            }
        }
        for m in IPV4.find_iter(text) {
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

// A value under a key that says what it is (`phone`, `ssn`, `card_number`).
fn kind_of_key(key: &str) -> Option<PiiKind> {
    let words = crate::text::identifier_words(key);
    let has = |w: &str| {
        words
            .iter()
            .any(|word| word == w || word.strip_suffix('s') == Some(w))
    };
    if has("phone")
        || has("mobile")
        || has("cell")
        || has("msisdn")
        || has("tel")
        || has("telephone")
    {
        Some(PiiKind::Phone)
    } else if has("ssn") || (has("social") && has("security")) {
        Some(PiiKind::Ssn)
    } else if (has("card") && (has("number") || has("no") || has("num")))
        || has("pan")
        || has("ccn")
    {
        Some(PiiKind::Card)
    } else {
        None
    }
}

fn keyed_value(kind: PiiKind, text: &str) -> Option<String> {
    let trimmed = text.trim();
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
    fn checksums() {
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
        assert!(iban_checksum("GB82WEST12345698765432"));
        assert!(!iban_checksum("GB82WEST12345698765433"));
    }
}
