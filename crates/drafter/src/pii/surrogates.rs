//! Realistic stand-ins for personal data, for drafts made with
//! [`crate::Pii::Surrogates`]: a simulated customer reads "Hughes, 4821 Laurel
//! Street" aloud where a placeholder would be read as angle brackets.
//!
//! Each value is drawn from the session's id and the value's placeholder with a UUID
//! v5 (SHA-1), so the same session gives the same surrogates every time, one value
//! gets one surrogate everywhere it appears, and nothing random enters a draft. What
//! each kind becomes, never the original and never a real person's identifier:
//!
//! | kind | surrogate |
//! |---|---|
//! | name | a census given and family name (the 1,000 most frequent of each, `data/names/`), the same person's parts from the same draw, none of the session's own names |
//! | address | `<number> <census family name> <Street, Avenue, ...>`, which parses as a US street address |
//! | postal code | `00100` to `00499`, which no US ZIP code uses |
//! | date of birth | a day in the same decade as the original (so the same age bracket), never the original day |
//! | email | `given.family@example.com` (RFC 2606's reserved domain) |
//! | phone | `(NXX) 555-01YY`, the range reserved for fiction |
//! | card | a 16-digit number in the `4000 00` test range that passes the Luhn check |
//! | SSN | `987-65-432N`, the range the Social Security Administration reserves for advertising |
//! | IBAN | a `GB` IBAN of the fictional bank code `TEST` with a valid checksum |
//! | IP address | `192.0.2.N` or `2001:db8::N` (the documentation ranges of RFC 5737 and RFC 3849) |
//! | national id, account | `ID-` or `ACCT-` and digits |
//! | user id | `user_NNNN` |

use std::sync::LazyLock;

use uuid::Uuid;

use super::PiiKind;
use crate::text::capitalize;

/// How many of the most frequent census names surrogates are drawn from.
const COMMON_NAMES: usize = 1000;

static GIVEN: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/names/given-by-rank.txt")
        .lines()
        .take(COMMON_NAMES)
        .collect()
});
static FAMILY: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/names/family-by-rank.txt")
        .lines()
        .take(COMMON_NAMES)
        .collect()
});

const STREET_SUFFIXES: &[&str] = &[
    "Street", "Avenue", "Road", "Lane", "Drive", "Court", "Place", "Way",
];

/// The surrogates of one draft.
#[derive(Debug, Clone)]
pub(crate) struct Surrogates {
    seed: Uuid,
}

/// A person's surrogate name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SurrogateName {
    pub given: String,
    pub middle: String,
    pub family: String,
}

impl Surrogates {
    /// The surrogates of the session with this id.
    pub(crate) fn new(session_id: Uuid) -> Surrogates {
        Surrogates { seed: session_id }
    }

    // A stream of numbers drawn from the seed and a label.
    fn draw(&self, label: &str) -> impl Iterator<Item = u64> + use<> {
        let digest = Uuid::new_v5(&self.seed, label.as_bytes());
        let (high, low) = digest.as_u64_pair();
        // SplitMix64 over the digest: enough numbers for any value, all fixed.
        let mut state = high ^ low.rotate_left(17);
        std::iter::repeat_with(move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
    }

    /// Person number `number`'s surrogate name, none of whose parts is in `avoid`
    /// (the session's own name parts, lower case).
    pub(crate) fn name(&self, number: usize, avoid: &dyn Fn(&str) -> bool) -> SurrogateName {
        let mut draws = self.draw(&format!("name {number}"));
        let mut pick = |list: &[&str]| loop {
            let word = list[(draws.next().unwrap_or(0) % list.len() as u64) as usize];
            if !avoid(word) {
                break capitalize(word);
            }
        };
        SurrogateName {
            given: pick(&GIVEN),
            middle: pick(&GIVEN),
            family: pick(&FAMILY),
        }
    }

    /// The surrogate of a value of `kind` whose normal form is `normal` and whose
    /// placeholder is `placeholder`: never the original, compared as the redactor
    /// compares values (a draw that gives it is drawn again).
    pub(crate) fn value(&self, kind: PiiKind, normal: &str, placeholder: &str) -> String {
        let mut label = placeholder.to_owned();
        loop {
            let value = self.draw_value(kind, normal, &label);
            let same_digits = !normal.is_empty()
                && normal.chars().all(|c| c.is_ascii_digit())
                && digits(&value) == normal;
            if value.to_lowercase() != normal && !same_digits {
                return value;
            }
            label.push('\'');
        }
    }

    fn draw_value(&self, kind: PiiKind, normal: &str, label: &str) -> String {
        let mut draws = self.draw(label);
        let mut next = |below: u64| draws.next().unwrap_or(0) % below;
        match kind {
            PiiKind::Name => capitalize(GIVEN[next(GIVEN.len() as u64) as usize]),
            PiiKind::Address => format!(
                "{} {} {}",
                100 + next(9800),
                capitalize(FAMILY[next(FAMILY.len() as u64) as usize]),
                STREET_SUFFIXES[next(STREET_SUFFIXES.len() as u64) as usize]
            ),
            PiiKind::PostalCode => format!("{:05}", 100 + next(400)),
            PiiKind::Dob => date_of_birth(normal, &mut next),
            PiiKind::Email => format!(
                "{}.{}@example.com",
                GIVEN[next(GIVEN.len() as u64) as usize],
                FAMILY[next(FAMILY.len() as u64) as usize]
            ),
            PiiKind::Phone => format!("({}) 555-01{:02}", 201 + next(700), next(100)),
            PiiKind::Card => card(&mut next),
            PiiKind::Ssn => format!("987-65-432{}", next(10)),
            PiiKind::Iban => iban(&mut next),
            PiiKind::Ip if normal.contains(':') => format!("2001:db8::{:x}", 1 + next(0xfffe)),
            PiiKind::Ip => format!("192.0.2.{}", 1 + next(254)),
            PiiKind::NationalId => format!("ID-{:08}", next(100_000_000)),
            PiiKind::Account => format!("ACCT-{:010}", next(10_000_000_000)),
            PiiKind::UserId => format!("user_{:04}", next(10_000)),
        }
    }
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

// A day in the same decade as `normal` (`YYYY-MM-DD`), or in the 1980s when the
// original is no date.
fn date_of_birth(normal: &str, next: &mut impl FnMut(u64) -> u64) -> String {
    let decade = normal
        .get(..4)
        .and_then(|year| year.parse::<u64>().ok())
        .map_or(1980, |year| year / 10 * 10);
    format!(
        "{}-{:02}-{:02}",
        decade + next(10),
        1 + next(12),
        1 + next(28)
    )
}

// A 16-digit number of the `4000 00` test range that passes the Luhn check.
fn card(next: &mut impl FnMut(u64) -> u64) -> String {
    let mut digits: Vec<u32> = vec![4, 0, 0, 0, 0, 0];
    digits.extend((0..9).map(|_| next(10) as u32));
    // The check digit: doubling every second digit from the right, counting it.
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    digits.push((10 - sum % 10) % 10);
    let text: String = digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
        .collect();
    format!(
        "{} {} {} {}",
        &text[0..4],
        &text[4..8],
        &text[8..12],
        &text[12..16]
    )
}

// A `GB` IBAN of the bank code `TEST` with a valid ISO 7064 checksum.
fn iban(next: &mut impl FnMut(u64) -> u64) -> String {
    let account: String = (0..14)
        .map(|_| char::from_digit(next(10) as u32, 10).unwrap_or('0'))
        .collect();
    let bban = format!("TEST{account}");
    let check = (2..=98)
        .find(|check| super::iban_checksum(&format!("GB{check:02}{bban}")))
        .unwrap_or(0);
    format!("GB{check:02}{bban}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surrogates() -> Surrogates {
        Surrogates::new(Uuid::from_u128(42))
    }

    #[test]
    fn the_same_session_gives_the_same_values() {
        let (a, b) = (surrogates(), surrogates());
        for kind in [
            PiiKind::Email,
            PiiKind::Phone,
            PiiKind::Card,
            PiiKind::Address,
        ] {
            assert_eq!(
                a.value(kind, "x", "<KIND_1>"),
                b.value(kind, "x", "<KIND_1>")
            );
        }
        assert_ne!(
            a.value(PiiKind::Email, "x", "<EMAIL_1>"),
            a.value(PiiKind::Email, "x", "<EMAIL_2>")
        );
        let other = Surrogates::new(Uuid::from_u128(43));
        assert_ne!(
            a.value(PiiKind::Address, "x", "<ADDRESS_1>"),
            other.value(PiiKind::Address, "x", "<ADDRESS_1>")
        );
    }

    #[test]
    fn values_have_the_documented_shapes() {
        let s = surrogates();
        for i in 1..50 {
            let placeholder = format!("<X_{i}>");
            let card = s.value(PiiKind::Card, "", &placeholder);
            let card_digits = digits(&card);
            assert!(
                card.starts_with("4000 00") && super::super::luhn(&card_digits),
                "{card}"
            );
            let phone = s.value(PiiKind::Phone, "", &placeholder);
            assert!(phone.contains(") 555-01"), "{phone}");
            assert!(
                s.value(PiiKind::Email, "", &placeholder)
                    .ends_with("@example.com")
            );
            assert!(
                s.value(PiiKind::Ssn, "", &placeholder)
                    .starts_with("987-65-432")
            );
            let iban = s.value(PiiKind::Iban, "", &placeholder);
            assert!(super::super::iban_checksum(&iban), "{iban}");
            let dob = s.value(PiiKind::Dob, "1988-06-13", &placeholder);
            assert!(dob.starts_with("198") && dob != "1988-06-13", "{dob}");
            let address = s.value(PiiKind::Address, "", &placeholder);
            assert!(
                !super::super::find(&format!("ship to {address}")).is_empty(),
                "{address} is found as an address"
            );
        }
    }

    #[test]
    fn a_surrogate_name_avoids_the_session_names() {
        let s = surrogates();
        let first = s.name(1, &|_| false);
        let avoided = s.name(1, &|word| word.eq_ignore_ascii_case(&first.given));
        assert_ne!(avoided.given, first.given);
    }
}
