//! Which JSON keys hold personal data, matched case- and style-insensitively:
//! `firstName`, `first_name` and `FIRST-NAME` are all the words `first name`.
//!
//! | class | keys (words joined, any style) | placeholder |
//! |---|---|---|
//! | name parts | `first_name`, `given_name`, `forename`, `last_name`, `family_name`, `surname`, `middle_name`, `full_name`, `maiden_name`, `legal_name`, `preferred_name`, `nickname`, and `<person>_name` (`customer_name`, `passenger_name`, `recipient_name`, ...) | `<NAME_n>` |
//! | bare `name` | personal only where the object describes a person (below) | `<NAME_n>` |
//! | a person key (below) holding text | `"receiver": "Emma"`, `"passengers": ["Mia Li"]` | `<NAME_n>` |
//! | street address | any key with the word `address` (not `email_address`, `ip_address`, `web_address`), `street`, `street_address`, `line1`, `line2`, `address1`, `address2`, `addr` | `<ADDRESS_n>` |
//! | postal code | `zip`, `zip_code`, `zipcode`, `postal_code`, `postcode` | `<POSTAL_CODE_n>` |
//! | date of birth | `dob`, `date_of_birth`, `birth_date`, `birthdate`, `birthday`, any key with `birth` | `<DOB_n>` |
//! | email | any key with `email` or `e_mail` | `<EMAIL_n>` |
//! | phone | any key with `phone`, `mobile`, `cell`, `msisdn`, `tel`, `telephone`, `fax` | `<PHONE_n>` |
//! | national id | `ssn`, `social_security_number` (`<SSN_n>`); `national_id`, `passport`, `passport_number`, `drivers_license`, `license_number`, `tax_id`, `tin`, `nin`, `national_insurance_number`, `id_number`, `government_id` | `<NATIONAL_ID_n>` |
//! | card | `card_number`, `card_no`, `pan`, `ccn` | `<CARD_n>` |
//! | account | `account_number`, `account_no`, `bank_account`, `routing_number`, `sort_code` (IBANs anywhere are found by their checksum) | `<ACCOUNT_n>` |
//! | identifier | keys ending in `id`, `username`, `login`, `handle`: personal only when the value is built from a learned name part (`mia_li_3668`) or has the shape `first_last_digits` | `<USER_ID_n>` |
//!
//! An object **describes a person** when its key introduces one (`customer`, `user`,
//! `contact`, `passenger(s)`, `caller`, `patient`, `account_holder`, `holder`,
//! `member`, `guest`, `traveler`, `recipient`, `receiver`, `friend`, `beneficiary`,
//! `payee`, `employee`, `owner`, `cardholder`, `person`, `client`, `driver`,
//! `spouse`, `name`, ...), or
//! when it holds name-part, email, phone, date-of-birth or national-id keys. An
//! object **describes a business** when it holds a `<thing>_name` key that is not a
//! person's (`restaurant_name`, `hotel_name`) or `rating`, `cuisine`, `website`, and
//! nothing that describes a person; its own `name`, address, postal code and phone
//! survive (not a `billing_address`, `contact_phone`, `customer_name`, ...), as places' addresses and phone numbers are not
//! personal. A product's `name` (`items[].name`) survives because an item describes
//! neither.

use serde_json::Value;

use super::PiiKind;
use crate::text::identifier_words;

/// Words that introduce a person: the object under such a key describes one.
const PERSON_NOUNS: &[&str] = &[
    "accountholder",
    "attendee",
    "beneficiary",
    "caller",
    "cardholder",
    "child",
    "client",
    "contact",
    "customer",
    "dependent",
    "driver",
    "emergencycontact",
    "employee",
    "friend",
    "guest",
    "holder",
    "invitee",
    "member",
    "owner",
    "passenger",
    "patient",
    "payee",
    "payer",
    "person",
    "policyholder",
    "receiver",
    "recipient",
    "sender",
    "spouse",
    "subscriber",
    "traveler",
    "traveller",
    "user",
];

/// Lower-case words that are never taken as the part of a name in free text.
pub(crate) const NOT_NAMES: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "the",
    "and",
    "mr",
    "mrs",
    "ms",
    "dr",
    "jr",
    "sr",
    "mx",
];

/// What a key says about its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    NamePart,
    Name,
    Address,
    PostalCode,
    Dob,
    Email,
    Phone,
    Ssn,
    NationalId,
    Card,
    Account,
    Identifier,
    Person,
    Other,
}

/// What one key says, worked out once per distinct key (see [`KeyInfo::of`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyInfo {
    pub class: Class,
    /// `rating`, `cuisine`, a `<thing>_name`: the object describes a business.
    business: bool,
    /// The key says whose the value is (`billing_address`, `contact_phone`).
    owned: bool,
    /// A first-name or last-name key.
    pub name_part: Option<NamePart>,
}

/// Which part of a name a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NamePart {
    First,
    Last,
}

impl KeyInfo {
    pub(crate) fn of(key: &str) -> KeyInfo {
        const OWNED: &[&str] = &[
            "billing",
            "shipping",
            "home",
            "mailing",
            "contact",
            "personal",
            "emergency",
            "mobile",
            "cell",
            "private",
            "residential",
            "my",
            "delivery",
            "alternate",
        ];
        let words = identifier_words(key);
        let concat = words.concat();
        let class = classify_words(&words);
        let business = matches!(
            concat.as_str(),
            "rating" | "starrating" | "cuisine" | "website" | "openinghours" | "pricerange"
        ) || (class == Class::Other
            && words.len() > 1
            && words.last().is_some_and(|w| w == "name")
            && !words.iter().any(|w| PERSON_NOUNS.contains(&singular(w))));
        let owned = words
            .iter()
            .any(|w| OWNED.contains(&w.as_str()) || PERSON_NOUNS.contains(&singular(w)));
        let name_part = match concat.as_str() {
            "firstname" | "givenname" | "forename" | "fname" => Some(NamePart::First),
            "lastname" | "familyname" | "surname" | "lname" => Some(NamePart::Last),
            _ => None,
        };
        KeyInfo {
            class,
            business,
            owned,
            name_part,
        }
    }
}

impl KeyInfo {
    /// Whether the key holds the name of a thing, not a person (`hotel_name`,
    /// `doctor_name`, `song_name`).
    pub(crate) fn names_a_thing(&self) -> bool {
        self.business && self.class == Class::Other
    }
}

/// What the keys of one object say about it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    person: bool,
    business: bool,
}

impl Shape {
    pub(crate) fn of<'a>(infos: impl Iterator<Item = &'a KeyInfo>, person_key: bool) -> Shape {
        let mut business = false;
        let mut person = false;
        for info in infos {
            business |= info.business;
            person |= matches!(
                info.class,
                Class::NamePart | Class::Email | Class::Dob | Class::Ssn | Class::NationalId
            );
        }
        // Any sign of a person wins: a customer record with a `company_name` still
        // describes the customer.
        Shape {
            person: person_key || person,
            business: business && !person && !person_key,
        }
    }
}

impl Class {
    /// The placeholder kind for a value under this key in an object of `shape`.
    pub(crate) fn kind(self, shape: &Shape) -> Option<PiiKind> {
        match self {
            Class::NamePart => Some(PiiKind::Name),
            Class::Name if shape.person => Some(PiiKind::Name),
            // A text right under `customer`, `receiver`, `passengers` is who it is.
            Class::Person => Some(PiiKind::Name),
            Class::Address if !shape.business => Some(PiiKind::Address),
            Class::PostalCode if !shape.business => Some(PiiKind::PostalCode),
            Class::Phone if !shape.business => Some(PiiKind::Phone),
            Class::Dob => Some(PiiKind::Dob),
            Class::Email => Some(PiiKind::Email),
            Class::Ssn => Some(PiiKind::Ssn),
            Class::NationalId => Some(PiiKind::NationalId),
            Class::Card => Some(PiiKind::Card),
            Class::Account => Some(PiiKind::Account),
            _ => None,
        }
    }

    /// Whether the value under this key is a business's own contact data (its
    /// `name`, address, postal code or phone), kept as it is; not when the key says
    /// whose it is: a `billing_address`, `contact_phone` or `customer_name` in a
    /// booking is the customer's.
    pub(crate) fn public(info: &KeyInfo, shape: &Shape) -> bool {
        shape.business
            && !info.owned
            && matches!(
                info.class,
                Class::Name | Class::Address | Class::PostalCode | Class::Phone
            )
    }

    /// Whether the object under this key describes a person.
    pub(crate) fn introduces_person(self) -> bool {
        matches!(self, Class::Person | Class::Name)
    }
}

fn singular(word: &str) -> &str {
    word.strip_suffix('s')
        .filter(|w| PERSON_NOUNS.contains(w))
        .unwrap_or(word)
}

/// The first and the last name when the object holds both, so that the whole name
/// and its parts get related placeholders.
pub(crate) fn full_name<'a>(
    entries: impl Iterator<Item = (&'a KeyInfo, &'a Value)>,
) -> Option<(String, String)> {
    let mut first = None;
    let mut last = None;
    for (info, value) in entries {
        let Some(text) = value.as_str().filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        match info.name_part {
            Some(NamePart::First) => first = Some(text.trim()),
            Some(NamePart::Last) => last = Some(text.trim()),
            None => {}
        }
    }
    Some((first?.to_owned(), last?.to_owned()))
}

/// The class of a key.
#[cfg(test)]
pub(crate) fn classify(key: &str) -> Class {
    classify_words(&identifier_words(key))
}

fn classify_words(words: &[String]) -> Class {
    let concat = words.concat();
    let has = |w: &str| {
        words
            .iter()
            .any(|word| word == w || word.strip_suffix('s') == Some(w))
    };
    let last = words.last().map(String::as_str).unwrap_or("");
    match concat.as_str() {
        "firstname" | "givenname" | "forename" | "fname" | "lastname" | "familyname"
        | "surname" | "lname" | "middlename" | "fullname" | "maidenname" | "legalname"
        | "preferredname" | "nickname" | "firstnames" | "lastnames" => return Class::NamePart,
        "name" | "names" => return Class::Name,
        "zip" | "zipcode" | "postalcode" | "postcode" | "zip5" | "postal" => {
            return Class::PostalCode;
        }
        "dob" | "bday" => return Class::Dob,
        "ssn" | "socialsecuritynumber" | "socialsecurity" | "ssnlast4" => return Class::Ssn,
        "nationalid"
        | "passport"
        | "passportnumber"
        | "passportno"
        | "driverslicense"
        | "driverlicense"
        | "driverslicensenumber"
        | "driverlicensenumber"
        | "licensenumber"
        | "taxid"
        | "tin"
        | "nin"
        | "nationalinsurancenumber"
        | "idnumber"
        | "governmentid"
        | "personalid" => return Class::NationalId,
        "accountnumber" | "accountno" | "accountnum" | "bankaccount" | "bankaccountnumber"
        | "routingnumber" | "sortcode" => return Class::Account,
        "street" | "streetaddress" | "line1" | "line2" | "addressline1" | "addressline2"
        | "address1" | "address2" | "addr" | "addr1" | "addr2" => return Class::Address,
        "username" | "userid" | "login" | "handle" | "userhandle" => return Class::Identifier,
        _ => {}
    }
    if concat.contains("email") {
        return Class::Email;
    }
    if has("birth") || concat.contains("dateofbirth") || concat == "birthdate" {
        return Class::Dob;
    }
    if has("phone")
        || has("mobile")
        || has("cell")
        || has("msisdn")
        || has("tel")
        || has("telephone")
        || has("fax")
    {
        return Class::Phone;
    }
    if (has("card") && (has("number") || has("no") || has("num"))) || has("pan") || has("ccn") {
        return Class::Card;
    }
    if has("ssn") || (has("social") && has("security")) {
        return Class::Ssn;
    }
    if has("address") && !has("ip") && !has("mac") && !has("web") && !has("url") {
        return Class::Address;
    }
    if last == "name"
        && words[..words.len() - 1]
            .iter()
            .any(|w| PERSON_NOUNS.contains(&singular(w)))
    {
        return Class::NamePart;
    }
    if matches!(last, "id" | "username" | "login" | "handle") {
        return Class::Identifier;
    }
    if PERSON_NOUNS.contains(&singular(&concat)) || PERSON_NOUNS.contains(&singular(last)) {
        return Class::Person;
    }
    Class::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_in_any_style() {
        for key in [
            "firstName",
            "first_name",
            "FIRST-NAME",
            "LastName",
            "customer_name",
        ] {
            assert_eq!(classify(key), Class::NamePart, "{key}");
        }
        assert_eq!(classify("address1"), Class::Address);
        assert_eq!(classify("Shipping-Address"), Class::Address);
        assert_eq!(classify("email_address"), Class::Email);
        assert_eq!(classify("ip_address"), Class::Other);
        assert_eq!(classify("zipCode"), Class::PostalCode);
        assert_eq!(classify("date_of_birth"), Class::Dob);
        assert_eq!(classify("passengers"), Class::Person);
        assert_eq!(classify("user_id"), Class::Identifier);
        assert_eq!(classify("restaurant_name"), Class::Other);
        assert_eq!(classify("account"), Class::Other);
    }
}
