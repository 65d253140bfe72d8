//! Person names in free text, in whatever words a conversation carries them.
//!
//! A name is found the way Microsoft Presidio scores one: a word gets a base score
//! from what it is, the context around it adds to that score, and a span whose score
//! reaches [`THRESHOLD`] is a name. Nothing is a name without context, so a city, a
//! business or a product named in passing survives even when it is also a name
//! ("flying to Austin", "my Hilton booking", "the Victoria sofa").
//!
//! **What a word is** (its base score):
//!
//! | the word | score |
//! |---|---|
//! | a census given or family name that is not a common English word (`Olivia`, `Nguyen`) | 0.4 |
//! | a census name that is also a common word (`Will`, `Grace`, `Mark`) | 0.1, +0.1 capitalised |
//! | not a census name, not a common word, capitalised (`Siobhan`, `Oluwaseun`) | 0.3 |
//! | the same in lower case (`xiaoming`) | 0.2 |
//! | a common word that is no census name, a function word, a month or weekday, a word with a digit, all capitals (`JFK`) or a capital inside (`iPhone`) | never a name |
//!
//! The census lists (the US Census Bureau's 1990 given and family names) and the
//! common words (SCOWL's English words of sizes 10 to 35) are build inputs in
//! `data/names/`, with their sources and licences.
//!
//! **What the context adds** (the cue must stand right before the name, in the same
//! clause):
//!
//! | context | example | adds |
//! |---|---|---|
//! | an introduction that names the name | "my name is", "name's", "call me", "first name", "last name is", "under the name", "Mr.", "Mrs.", "Dr.", "spelled" | 0.6 |
//! | a self-introduction or a person's role | "I'm", "I am", "this is", "speaking with", "my husband", "my sister's", "your agent", "our director,", "the passenger is", "named", "on behalf of" | 0.4 |
//! | a name that a verb of introduction follows | "Siobhan here", "Siobhan Quispe speaking", "... calling", "Quispe is the surname" | 0.4 |
//! | "it's", "under", "ask for" | "it's Siobhan", "booked under Quispe", "ask for Siobhan at reception" | 0.3 |
//! | a greeting or sign-off, with the name closing the clause | "Thanks, Olivia!", "Hi Olivia,", "Regards, Olivia" | 0.2 |
//! | the name closing a text after a line break or a dash (a signature) | "Thanks!\n\nSiobhan Quispe", "- siobhan" | +0.3 |
//! | the name addressed at the start or end of a clause | "Olivia, your booking ...", "Thanks for waiting, Olivia." | 0.2 |
//! | a second name word (a given and a family name) | "Siobhan Quispe" | +0.1 |
//!
//! [`THRESHOLD`] is 0.6: "I'm Olivia" (0.4 + 0.4), "I'm Grace" (0.4 + 0.2) and
//! "my name is mark" (0.6 + 0.1) are names; "I'm Sorry" (a common word) and "I'm
//! in Austin" ("in" is a function word) are not, nor is "Thanks, Delta" (0.2 + 0.2).
//! A name runs on over the words that follow it in the same clause while they could
//! be names too (up to four, with particles such as "de la" or "van" between), and a
//! list after a role ("the passengers are Mia Li and Omar Haddad") gives every name
//! in it. A family name found and then a given one closing the clause is the name
//! in the other order ("Quispe, Siobhan —").
//!
//! Two findings need the conversation rather than one text, and are made while the
//! redactor learns ([`asks_for_name`], [`answer`]): a reply to "may I have your name?"
//! that is only a name, and a name spelled out letter by letter ([`spelled`]). Once
//! learned, a name is replaced wherever it stands (the agent's "Thank you, Siobhan"),
//! as learned values always are.

use std::sync::LazyLock;

use regex::Regex;
use rustc_hash::FxHashSet;

use super::keys::NOT_NAMES;

/// The score at which a span is taken as a name.
pub(crate) const THRESHOLD: f32 = 0.6;

/// The census given names, family names and common words, one a line in byte
/// order, each once (`data/names/make.sh`).
///
/// Why sorted text searched in place rather than hash sets: the sets held 3.5 MB
/// of heap (134,000 entries; massif) in every process that drafts, and a draft
/// looks up only a few dozen words, so a binary search over the embedded text
/// (about 17 probes, each a short line) costs nothing measurable and keeps the
/// lists in the binary's read-only pages. No crate searches newline-separated text
/// without building an index first; `fst` would need a build step of its own.
struct Gazetteer(&'static str);

static GIVEN: Gazetteer = Gazetteer(include_str!("../../data/names/given.txt"));
static FAMILY: Gazetteer = Gazetteer(include_str!("../../data/names/family.txt"));
static COMMON: Gazetteer = Gazetteer(include_str!("../../data/names/common.txt"));

impl Gazetteer {
    /// Whether `word` is one of the lines.
    fn contains(&self, word: &str) -> bool {
        if word.is_empty() || word.contains('\n') {
            return false;
        }
        let text = self.0;
        let bytes = text.as_bytes();
        // `low` is always the start of a line and `high` the start of a line or the
        // end, so the line holding `mid` lies within them.
        let (mut low, mut high) = (0, bytes.len());
        while low < high {
            let mid = low + (high - low) / 2;
            let start = bytes[..mid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let end = bytes[mid..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| mid + i);
            match text[start..end].cmp(word) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Less => low = end + 1,
                std::cmp::Ordering::Greater => high = start,
            }
        }
        false
    }
}

/// Words that are never part of a name, though a census list holds some of them
/// ("In", "See", "Man" are given names of 1990; "Ok" a family name) and SCOWL lacks
/// the informal ones.
const NEVER: &[&str] = &[
    "a", "about", "again", "alright", "also", "am", "an", "and", "are", "as", "at", "be", "been",
    "btw", "but", "by", "calling", "can", "could", "did", "do", "for", "from", "gonna", "gotta",
    "had", "has", "have", "he", "her", "here", "hi", "his", "hmm", "i", "idk", "im", "in", "is",
    "it", "its", "just", "kinda", "lemme", "lol", "man", "many", "me", "my", "no", "nope", "not",
    "of", "ok", "okay", "on", "or", "our", "pls", "plz", "see", "she", "so", "soon", "speaking",
    "still", "thanks", "thank", "that", "the", "their", "them", "there", "they", "this", "thx",
    "to", "too", "tryna", "ty", "u", "uh", "um", "umm", "ur", "us", "wanna", "was", "we", "were",
    "what", "with", "yeah", "yep", "yes", "you", "your",
];

/// The first words of place names, which [`alone`] never takes for a given name.
const PLACE_PREFIXES: &[&str] = &[
    "el", "fort", "ft", "la", "las", "los", "mount", "mt", "new", "port", "saint", "san", "santa",
    "sao", "st", "ste",
];

static NEVER_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| NEVER.iter().copied().collect());

/// Particles inside a name ("Ana de la Cruz", "Ruud van Dijk").
const PARTICLES: &[&str] = &[
    "al", "bin", "da", "das", "de", "del", "della", "den", "der", "di", "dos", "du", "ibn", "la",
    "le", "st", "ter", "van", "von",
];

/// Whether `word` (lower case) is a particle inside a name ("de", "van").
pub(crate) fn is_particle(word: &str) -> bool {
    PARTICLES.contains(&word)
}

/// Whether `word` (any case) is a census given name.
pub(crate) fn is_given(word: &str) -> bool {
    GIVEN.contains(lookup(word).as_str())
}

/// Whether `word` (any case) is a census family name.
pub(crate) fn is_family(word: &str) -> bool {
    FAMILY.contains(lookup(word).as_str())
}

/// Whether `word` (any case) is a common English word (SCOWL, sizes 10 to 35).
pub(crate) fn is_common(word: &str) -> bool {
    COMMON.contains(word.to_lowercase().as_str())
}

// The gazetteers' form: lower case, without apostrophes ("O'Connor" is `oconnor`).
fn lookup(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '\'' | '’'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A word's base score, or None when it is never (part of) a name.
fn base(word: &str) -> Option<f32> {
    evidence(word).map(|e| e.score)
}

/// What a word is: its base score, and whether a census list or the common words
/// hold it (worked out once, with one lower-cased copy of the word).
#[derive(Debug, Clone, Copy)]
struct Evidence {
    score: f32,
    census: bool,
    common: bool,
}

fn evidence(word: &str) -> Option<Evidence> {
    let mut chars = word.chars();
    let first = chars.next()?;
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 2 || word.chars().any(|c| c.is_ascii_digit()) || !first.is_alphabetic() {
        return None;
    }
    let upper = word.chars().filter(|c| c.is_uppercase()).count();
    if upper == letters {
        return None;
    }
    // A capital inside the word: only after Mc, Mac, O', a hyphen or an apostrophe
    // ("McDonald", "O'Connor", "Al-Farsi"); "iPhone" and "FeatherAir" are not names.
    let inner_capital = word.char_indices().skip(1).any(|(i, c)| {
        c.is_uppercase() && {
            let before = &word[..i];
            !(before.ends_with(['-', '\'', '’'])
                || matches!(before, "Mc" | "Mac" | "De" | "La" | "Le" | "Di"))
        }
    });
    if inner_capital {
        return None;
    }
    let lower = word.to_lowercase();
    if NEVER_SET.contains(lower.as_str()) || NOT_NAMES.contains(&lower.as_str()) {
        return None;
    }
    // A contraction ("don't", "we're") is no name; "O'Connor" is.
    if let Some((head, tail)) = lower.split_once(['\'', '’'])
        && matches!(tail, "s" | "m" | "re" | "ve" | "ll" | "d" | "t")
        && (COMMON.contains(head) || NEVER_SET.contains(head))
    {
        return None;
    }
    // The gazetteers' form, made only when the word has an apostrophe.
    let key: std::borrow::Cow<'_, str> = if lower.contains(['\'', '’']) {
        lookup(word).into()
    } else {
        lower.as_str().into()
    };
    let census = GIVEN.contains(key.as_ref())
        || FAMILY.contains(key.as_ref())
        || (word.contains('-')
            && word
                .split('-')
                .all(|part| is_given(part) || is_family(part)));
    let common = COMMON.contains(lower.as_str());
    let capitalised = first.is_uppercase();
    let score = match (census, common) {
        (true, false) => 0.4,
        (true, true) => {
            if capitalised {
                0.2
            } else {
                0.1
            }
        }
        (false, true) => return None,
        (false, false) => {
            if capitalised {
                0.3
            } else {
                0.2
            }
        }
    };
    Some(Evidence {
        score,
        census,
        common,
    })
}

/// What a cue is worth, and what it asks of the name after it.
#[derive(Debug, Clone, Copy)]
struct Cue {
    score: f32,
    /// A greeting or sign-off: the name must close its clause ("Hi Olivia," but not
    /// "Hi Olivia Street").
    closing: bool,
    /// A role that may name several people ("the passengers are A and B").
    list: bool,
    /// A sign-off: a comma or a line break must follow it.
    needs_comma: bool,
}

const KIN: &str = "(?:ex-?|step-?)?(?:husband|wife|spouse|partner|hubby|wifey|bf|gf)|ex|bro|sis|(?:brother|sister|mother|father|son|daughter)[\\s-]in[\\s-]law|son|daughter|child|kid|baby|mother|mom|mum|father|dad|parent|brother|sister|grandmother|grandfather|grandma|grandpa|grandson|granddaughter|aunt|uncle|cousin|nephew|niece|friend|colleague|coworker|co-worker|boss|manager|supervisor|teammate|team\\s+lead|assistant|fianc[eé]e?|girlfriend|boyfriend|roommate|flatmate|neighbou?r|stepson|stepdaughter|stepmother|stepfather|caregiver|client|coach|trainer|tutor|mentor|therapist|caseworker|counsell?or|advis[eo]r|pastor|doctor|nurse|lawyer|attorney|accountant|landlord|landlady|tenant|nanny|employer|employee|student|teacher|guest|agent|representative|rep|director|officer|clerk|receptionist|secretary|owner|driver|engineer|consultant|president|administrator|associate|coordinator|specialist|operator|dispatcher|broker|realtor|founder|ceo";

/// Words that may stand between "my" and a person's role ("my business partner").
const KIN_MODIFIERS: &str = "business|best|older|younger|little|big|elder|eldest|oldest|youngest|new|former|late|dear|travel|life";

const ROLES: &str = "passengers?|travell?ers?|guests?|(?:ticket\\s+|account\\s+|card\\s*)?holders?|patients?|recipients?|beneficiar(?:y|ies)|companions?|attendees?|co-?signers?|guarantors?|technicians?|couriers?|carers?";

// Every cue, case-insensitive unless it says otherwise, each ending right before the
// name it introduces.
// The cues by strength, each an alternation; `CUES` is all of them, and
// `CUE_KINDS` says which a matched cue is (in this order: the first that matches
// wins, as in `CUES`).
fn cue_patterns() -> [String; 4] {
    [
        r"(?:my|his|her|their|your|our)\s+(?:(?:full|first|given|last|family|middle|maiden)\s+)?name(?:\s+is|\s+was|'s|’s|\s*:)?
              |(?:full|first|given|last|family|middle|maiden)\s+name(?:\s+is|'s|’s|\s*:)?
              |(?:i\s*'?\s*m|i’m|i\s+am)\s+called|i\s+go\s+by|(?:they|people|everyone|friends)\s+call\s+me|goes\s+by
              |me\s+llamo|je\s+m'appelle|ich\s+hei(?:ß|ss)e|mi\s+chiamo|meu\s+nome\s+é
              |(?:the\s+)?name(?:'s|’s)|name\s+on\s+(?:the|my|our|his|her|this|that|your)\s+(?:\w+\s+)?\w+\s+is|call\s+me|surname(?:\s+is|\s*:)?
              |(?:under|in)\s+the\s+name(?:\s+of)?
              |(?-i:Mr|Mrs|Ms|Mx|Dr|Miss|Mister|Madam|mr|mrs|ms|dr)
              |spell(?:ed|t|s)?(?:\s+it)?(?:\s+as)?".to_owned(),
        format!(
            r"i\s*'?\s*m|i’m|i\s+am|this\s+is|(?:speaking|chatting|talking)\s+(?:with|to)
              |you(?:'ve|’ve|\s+have)\s+(?:reached|got)|you\s+have|you're\s+(?:with|talking\s+to)
              |(?:you're|you\s+are)\s+through\s+to|(?:spoke|talked|spoken)\s+(?:with|to)
              |(?:addressed|made\s+out|payable|delivered|assigned|transferred)\s+to|for\s+the\s+attention\s+of|attn:?|c/o|care\s+of
              |(?:badge|name\s*tag|tag)\s+(?:said|says|read)|(?:carer|caregiver|guardian|advocate)\s+(?:for|of)|power\s+of\s+attorney\s+for
              |(?:helped|assisted|served|handled)\s+(?:(?:last|this|that)\s+time\s+)?by|from\s*:
              |(?:my|our|his|her|their|your|a|the)\s+(?:[\p{{L}}\-]+\s+)?(?:{KIN})(?:(?:'s|’s|s)\s+(?:(?:full|first|last)\s+)?name(?:\s+is)?|(?:\s+(?-i:\p{{Ll}}+ing))?\s+(?:is|was|will\s+be|named|called)|\s*:|s)?
              |(?:the\s+|a\s+|my\s+|other\s+|second\s+|lead\s+|main\s+)*(?:{ROLES})(?:\s*\#?\d+)?(?:(?:'s|’s)\s+(?:(?:full|first|last)\s+)?names?(?:\s+(?:is|are))?|(?:\s+(?-i:\p{{Ll}}+)){{0,3}}\s+(?:is|are|was|were|will\s+be)|\s+(?:named|called|for|of)|\s*:)?
              |(?:booking|reservation|ticket|table|appointment|order|account|room)\s+(?:is\s+)?(?:for|under)
              |(?:it\s*'?\s*s|it’s)\s+me
              |(?:someone|somebody|person|guy|man|woman|lady|gentleman|agent|representative|rep)\s+(?:named|called)
              |on\s+behalf\s+of|booked\s+by|made\s+by"
        ),
        r"it\s*'?\s*s|it’s|it\s+is|under|that\s*'?\s*s|that’s|that\s+is|ask(?:ed|ing)?\s+for|(?:it|that|this|which)\s+should\s+(?:be|read)|correct\s+(?:spelling|name)\s+is".to_owned(),
        r"(?:thanks|thank\s+you|thx|ty|hi|hello|hey|heya|hiya|howdy|yo|greetings|dear|welcome(?:\s+back)?|bye|goodbye
              |talk\s+soon|speak\s+soon|take\s+care|all\s+the\s+best|many\s+thanks|thanks\s+a\s+(?:ton|lot|bunch)|evening|afternoon
              |good\s+(?:morning|afternoon|evening)|got\s+it|great|perfect|sorry|sure|of\s+course)
              (?:\s+(?:again|so\s+much|a\s+lot|very\s+much|there|for\s+waiting|for\s+your\s+patience))*
              |(?:(?:kind|best|warm)\s+)?regards|(?:best|warm|all\s+the\s+best)\s+wishes|best|cheers|sincerely|yours(?:\s+truly)?".to_owned(),
    ]
}

static CUES: LazyLock<Regex> = LazyLock::new(|| {
    let [strong, medium, weak, greeting] = cue_patterns();
    let pattern = format!(r"(?ix)(?-u:\b)(?:{strong}|{medium}|{weak}|{greeting})(?-u:\b)\.?");
    Regex::new(&pattern).expect("a valid regex")
});

// One scan of a matched cue says its strength (a capturing search over `CUES` on
// every cue cost a tenth of drafting's time).
static CUE_KINDS: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    let patterns = cue_patterns().map(|p| format!(r"(?ix)^(?:{p})(?-u:\b)\.?$"));
    regex::RegexSet::new(patterns).expect("valid regexes")
});

// "Name is Siobhan Quispe.", "Name: Siobhan Quispe" opening a sentence.
static NAME_IS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)(?:^|[.!?]\s+)name(?:\s+is(?-u:\b)|\s*[:\-])").expect("a valid regex")
});

static KIN_CUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)(?:{KIN})")).expect("a valid regex"));
static ROLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)(?:{ROLES})")).expect("a valid regex"));

// What follows a name: "Siobhan here", "Siobhan Quispe speaking", "Siobhan is my
// name".
static AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:here|speaking|calling|again|is\s+(?:my|the|his|her)\s+(?:(?:full|sur|last|family|first|given|middle)\s*)?name|from)(?-u:\b)",
    )
    .expect("a valid regex")
});

// A business between a name and what follows it: "Pema from Ford here", "Ji-ho
// with the Harper Books team speaking".
static FROM_BUSINESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s(?:from|at|with|of)\s+(?:the\s+)?(?:\p{Lu}[\p{L}&'’.\-]*\s+){1,4}(?:(?:team|support|desk)\s+)?$")
        .expect("a valid regex")
});

// A name in apposition to a person's role: "Bartholomew Halvorsen, my business
// partner", "Omar Haddad, my dad", "Omar Haddad (my colleague)".
static APPOSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    // Also a neighbour by where they live: "Omar Haddad next door".
    Regex::new(&format!(
        r"(?i)(?:,|\s\()\s*(?:my|our|his|her|their)\s+(?:(?:{KIN_MODIFIERS})\s+)?(?:{KIN})(?-u:\b)|\s+(?:from\s+)?next\s+door(?-u:\b)|\s+(?:downstairs|upstairs)(?-u:\b)"
    ))
    .expect("a valid regex")
});

// A family by its name: "the Haddad family" ("the Hilton booking" is a business's).
static THE_NAME_BOOKING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)the\s+(\p{Lu}[\p{L}\p{M}'’\-]+)\s+(?:family|household|residence|twins|kids)(?-u:\b)")
        .expect("a valid regex")
});

// A role that follows a name: "add Omar Haddad as a second passenger".
static ROLE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)as\s+(?:a|an|the|my|our)\s+(?:[\p{L}\-]+\s+)?(?:passenger|travell?er|guest|contact|beneficiary|driver|user|member|attendee|companion|co-?signer|account\s+holder)(?-u:\b)",
    )
    .expect("a valid regex")
});

// A word: letters, with an apostrophe or a hyphen between letters.
static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{L}[\p{L}\p{M}]*(?:['’\-]\p{L}[\p{L}\p{M}]*)*").expect("a valid regex")
});

/// Every name in `text` that its context introduces, as byte ranges.
pub(crate) fn find(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    // Most texts hold a cue (a greeting at least), so the cues are searched in
    // every text; one scan says which of the rarer patterns it holds at all, so
    // only those are searched.
    for m in CUES.find_iter(text) {
        let cue = cue_of(m.as_str());
        names_after(text, m.end(), cue, &mut found);
    }
    let present = PRESENT.matches(text);
    if present.matched(0) {
        for m in NAME_IS.find_iter(text) {
            names_after(text, m.end(), STRONG, &mut found);
        }
    }
    if present.matched(1) {
        for m in AFTER.find_iter(text) {
            // "Pema from Ford here": the name before the business.
            let at = FROM_BUSINESS
                .find(&text[..m.start()])
                .map_or(m.start(), |from| from.start());
            if let Some(span) = name_before(text, at, Before::ClauseStart) {
                found.push(span);
            }
        }
    }
    if present.matched(2) {
        for m in ROLE_AFTER.find_iter(text) {
            if let Some(span) = name_before(text, m.start(), Before::Near) {
                found.push(span);
            }
        }
    }
    if present.matched(3) {
        for captures in THE_NAME_BOOKING.captures_iter(text) {
            if let Some(name) = captures.get(1)
                && base(name.as_str()).is_some_and(|score| score + 0.4 + f32::EPSILON >= THRESHOLD)
            {
                found.push((name.start(), name.end()));
            }
        }
    }
    if present.matched(4) {
        for m in APPOSITIVE.find_iter(text) {
            if let Some(span) = name_before(text, m.start(), Before::Adjacent) {
                found.push(span);
            }
        }
    }
    // Two capitalised words in mid-sentence that neither the dictionary nor the
    // census holds ("whether Itziar Heikkilä has"): a name without a cue. Not
    // at a sentence's start, nor after a word that leads to a place ("in Baton
    // Rouge"), nor among more capitalised words (a business's or a title's).
    for m in PAIR.find_iter(text) {
        let before = text[..m.start()].trim_end_matches([' ', '\t']);
        let starts_sentence = before.is_empty()
            || before.ends_with(['.', '!', '?', '\n', ':', '"', '“', '(', '—', '–', '-']);
        let previous_word = before
            .rsplit(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        let previous = previous_word.to_lowercase();
        let leads_to_place = matches!(
            previous.as_str(),
            "in" | "to"
                | "from"
                | "at"
                | "near"
                | "via"
                | "into"
                | "around"
                | "outside"
                | "through"
                | "towards"
                | "toward"
                | "visit"
                | "visiting"
                | "the"
                | "of"
        );
        let capitalised_before =
            previous_word.is_empty() || previous_word.starts_with(char::is_uppercase);
        let rest = &text[m.end()..];
        let capitalised_after = rest
            .strip_prefix([' ', '\t'])
            .is_some_and(|rest| rest.starts_with(char::is_uppercase));
        if starts_sentence || leads_to_place || capitalised_before || capitalised_after {
            continue;
        }
        let Some((first, second)) = m.as_str().split_once([' ', '\t']) else {
            continue;
        };
        let second = second.trim_start();
        let (Some(a), Some(b)) = (evidence(first), evidence(second)) else {
            continue;
        };
        // Both unknown to the census too: "Gordon Outfitters" (a business) and
        // "Rachel Lears" (a film's director) are left to the cues.
        let word_parts_common = |word: &str| word.contains('-') && word.split('-').any(is_common);
        if a.common
            || b.common
            || a.census
            || b.census
            || word_parts_common(first)
            || word_parts_common(second)
            || PLACE_PREFIXES.contains(&first.to_lowercase().as_str())
        {
            continue;
        }
        found.push((m.start(), m.end()));
    }
    // A family name and then the given one, closing the clause, wherever the found
    // name stands in the text: "Hoogendoorn, Eréndira — Hoogendoorn is my family
    // name."
    let mut inverted = Vec::new();
    let ends = found.iter().flat_map(|&(start, end)| {
        let name = &text[start..end];
        text.match_indices(name)
            .filter(|(at, _)| !text[..*at].ends_with(char::is_alphanumeric))
            .map(move |(at, _)| at + name.len())
    });
    for end in ends {
        if !text[end..].starts_with(", ") {
            continue;
        }
        let Some(word) = next_word(text, end + 2, false) else {
            continue;
        };
        let rest = text[word.end..].trim_start_matches([' ', '\t']);
        let closing = rest.is_empty() || rest.starts_with(['.', '!', '?', '\n', '—', '–', '-']);
        if closing
            && word.text.starts_with(char::is_uppercase)
            && evidence(word.text).is_some_and(|e| !e.common)
        {
            inverted.push((word.start, word.end));
        }
    }
    found.extend(inverted);
    found.sort_unstable();
    found.dedup();
    found
}

// The patterns of `find` after the cues, in its order, as one set. Without the
// cues: their alternation, compiled a second time into this set, held 1.2 MB and
// each thread's cache for the set 0.6 MB more.
static PRESENT: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSet::new([
        NAME_IS.as_str(),
        AFTER.as_str(),
        ROLE_AFTER.as_str(),
        THE_NAME_BOOKING.as_str(),
        APPOSITIVE.as_str(),
    ])
    .expect("valid regexes")
});

/// An introduction that names the name ("my name is").
const STRONG: Cue = Cue {
    score: 0.6,
    closing: false,
    list: false,
    needs_comma: false,
};

fn cue_of(matched: &str) -> Cue {
    let kinds = CUE_KINDS.matches(matched);
    let kind = (0..4).find(|&i| kinds.matched(i)).unwrap_or(3);
    if kind == 0 {
        STRONG
    } else if kind == 1 {
        Cue {
            score: 0.4,
            closing: false,
            // A role or a relation may name several ("the passengers are A and B",
            // "a client: Tupou, Abebe").
            list: ROLE.is_match(matched) || KIN_CUE.is_match(matched),
            needs_comma: false,
        }
    } else if kind == 2 {
        Cue {
            score: 0.3,
            closing: false,
            list: false,
            needs_comma: false,
        }
    } else {
        Cue {
            score: 0.2,
            closing: true,
            list: false,
            // "Best, Siobhan" signs; "Best Western" is a hotel.
            needs_comma: SIGN_OFF.is_match(matched),
        }
    }
}

static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:kind|best|warm)\s+)?regards|^(?:best|warm)\s+wishes|^best|^cheers|^sincerely|^yours")
        .expect("a valid regex")
});

/// One word of a text with its byte range.
#[derive(Debug, Clone, Copy)]
struct Word<'t> {
    start: usize,
    end: usize,
    text: &'t str,
}

// The next word from `at` when only blanks, commas, colons or a dash stand between
// (a sentence's end, a digit or a bracket ends the search).
fn next_word(text: &str, at: usize, allow_punctuation: bool) -> Option<Word<'_>> {
    let rest = &text[at..];
    let mut skip = 0;
    for (i, c) in rest.char_indices() {
        if c.is_alphabetic() {
            skip = i;
            break;
        }
        let allowed = c.is_whitespace()
            || (allow_punctuation
                && matches!(c, ',' | ':' | '-' | '–' | '—' | '(' | '"' | '“' | '\''));
        if !allowed {
            return None;
        }
        skip = rest.len();
    }
    let m = WORD.find_at(text, at + skip)?;
    (m.start() == at + skip).then(|| Word {
        start: m.start(),
        end: m.end(),
        text: m.as_str(),
    })
}

// Whether only blanks stand between `at` and the next word (a name's words are not
// split by punctuation).
fn blank_until(text: &str, from: usize, to: usize) -> bool {
    text[from..to].chars().all(char::is_whitespace) && !text[from..to].contains("\n\n")
}

// Whether the clause ends at `at`: only closing punctuation, a line break or the
// text's end follow.
fn closes(text: &str, at: usize) -> bool {
    let rest = text[at..].trim_start_matches([' ', '\t']);
    rest.is_empty()
        || rest.starts_with([',', '.', '!', '?', ';', ':', ')', '\n', '\r'])
        || rest.starts_with(['—', '–'])
        || (text[at..].starts_with([' ', '\t']) && rest.starts_with('-'))
}

// A word without a possessive "'s" ("Siobhan's" is Siobhan's), and whether it had one.
fn without_possessive(word: Word<'_>) -> (Word<'_>, bool) {
    for suffix in ["'s", "’s"] {
        if let Some(core) = word.text.strip_suffix(suffix) {
            let word = Word {
                start: word.start,
                end: word.start + core.len(),
                text: core,
            };
            return (word, true);
        }
    }
    (word, false)
}

// The name that starts at the first word after `at`, with its score: the first word
// and then every word that could be a name too, in the same clause. A possessive
// ends the name ("Siobhan Quispe's booking").
fn span_from(text: &str, first: Word<'_>, mut score: f32) -> Option<(usize, usize, f32)> {
    let (first, possessive) = without_possessive(first);
    score += base(first.text)?;
    let capitalised = first.text.chars().next().is_some_and(char::is_uppercase);
    let mut end = first.end;
    let mut words = 1;
    let mut at = first.end;
    while words < 4 && !possessive {
        let Some(next) = next_word(text, at, false) else {
            break;
        };
        if !blank_until(text, at, next.start) {
            break;
        }
        if next.text.len() <= 5 && PARTICLES.contains(&next.text.to_lowercase().as_str()) {
            // A particle belongs to the name only when a name word follows it.
            at = next.end;
            continue;
        }
        let (next, possessive) = without_possessive(next);
        let Some(next_evidence) = evidence(next.text) else {
            break;
        };
        let next_capitalised = next.text.chars().next().is_some_and(char::is_uppercase);
        // A capitalised name goes on over capitalised words only; a name typed in
        // lower case goes on over lower-case words that are census names or no
        // common word.
        let fits = if capitalised {
            next_capitalised
        } else {
            !next_capitalised && (next_evidence.census || !next_evidence.common)
        };
        if !fits {
            break;
        }
        end = next.end;
        at = next.end;
        words += 1;
        if possessive {
            break;
        }
    }
    if words > 1 {
        score += 0.1;
    }
    Some((first.start, end, score))
}

fn names_after(text: &str, at: usize, cue: Cue, found: &mut Vec<(usize, usize)>) {
    // A cue glued to a hyphen is part of a compound ("father-in-law", "Mr-Fix").
    if text[at..].starts_with('-') {
        return;
    }
    if cue.needs_comma
        && !text[at..]
            .trim_start_matches([' ', '\t'])
            .starts_with([',', '\n', '\r'])
    {
        return;
    }
    let Some(mut first) = next_word(text, at, true) else {
        return;
    };
    // A spoken filler between the cue and the name: "this is uh Dewi".
    if matches!(first.text, "uh" | "um" | "er" | "erm" | "uhm")
        && let Some(next) = next_word(text, first.end, true)
    {
        first = next;
    }
    let Some((start, end, mut score)) = span_from(text, first, cue.score) else {
        return;
    };
    if cue.closing {
        if !closes(text, end) {
            return;
        }
        if is_signature(text, end) {
            score += 0.1;
        }
    }
    if score + f32::EPSILON < THRESHOLD {
        return;
    }
    found.push((start, end));
    if cue.list {
        // "A and B", "A, B and C".
        let mut at = end;
        loop {
            let rest = &text[at..];
            let trimmed = rest.trim_start_matches([' ', ',']);
            let gap = rest.len() - trimmed.len();
            let joined = if trimmed.starts_with("and ") {
                gap + 4
            } else if rest[..gap].contains(',') {
                gap
            } else {
                break;
            };
            let Some(word) = next_word(text, at + joined, false) else {
                break;
            };
            let Some((start, end, score)) = span_from(text, word, cue.score) else {
                break;
            };
            if score + f32::EPSILON < THRESHOLD {
                break;
            }
            found.push((start, end));
            at = end;
        }
    }
}

// Whether a name ending at `end` closes the whole text (a signature).
fn is_signature(text: &str, end: usize) -> bool {
    text[end..]
        .trim_end()
        .chars()
        .all(|c| matches!(c, '.' | '!' | ',' | ')'))
}

/// Where a name stands before a cue that follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    /// Right before the cue, starting its clause: "Siobhan here", "Good morning,
    /// Siobhan Quispe speaking".
    ClauseStart,
    /// Right before the cue, capitalised: "Omar Haddad, my dad".
    Adjacent,
    /// Capitalised, a few words before the cue in its clause: "add Omar Haddad as a
    /// passenger", "can Nizhoni be added as an authorised user".
    Near,
}

// The name before `at` that `place` describes.
fn name_before(text: &str, at: usize, place: Before) -> Option<(usize, usize)> {
    let before = &text[..at];
    let trimmed = before.trim_end_matches([' ', '\t']);
    let limit = if place == Before::Near { 6 } else { 3 };
    let mut words: Vec<Word<'_>> = Vec::new();
    let mut end = trimmed.len();
    while words.len() < limit {
        let head = &text[..end];
        let Some(m) = WORD.find_iter(head).last() else {
            break;
        };
        if m.end() != end {
            break;
        }
        words.push(Word {
            start: m.start(),
            end: m.end(),
            text: m.as_str(),
        });
        let gap_start = head[..m.start()].trim_end_matches([' ', '\t']).len();
        if gap_start == m.start() || gap_start == 0 {
            break;
        }
        end = gap_start;
        // The clause starts here when punctuation or a line break comes before.
        if text[..end].ends_with([',', '.', '!', '?', ':', '\n', '-', '—', '–']) {
            break;
        }
    }
    words.reverse();
    let last_end = words.last()?.end;
    if place == Before::ClauseStart {
        let first = *words.first()?;
        let starts = text[..first.start]
            .trim_end_matches([' ', '\t'])
            .chars()
            .next_back()
            .is_none_or(|c| matches!(c, ',' | '.' | '!' | '?' | ':' | '\n' | '-' | '—' | '–'));
        if !starts {
            return None;
        }
        let (start, end, score) = span_from(text, first, 0.4)?;
        return (end == last_end && score + f32::EPSILON >= THRESHOLD).then_some((start, end));
    }
    // The first capitalised word from which a name runs (to the cue, when adjacent).
    words.iter().find_map(|word| {
        if !word.text.starts_with(char::is_uppercase) {
            return None;
        }
        let (start, end, score) = span_from(text, *word, 0.4)?;
        let reaches = place == Before::Near || end == last_end;
        (reaches && score + f32::EPSILON >= THRESHOLD).then_some((start, end))
    })
}

/// Names the agent addresses the customer by: at the start of its turn ("Olivia,
/// your booking ...") or closing a clause that speaks to the customer, after a comma
/// ("Thanks for waiting, Olivia.", "Your table is ready, Olivia!"). Only the agent's
/// turns are read so: a customer's "Sydney, Australia please" is a place.
pub(crate) fn addressed(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let leading = text.len() - text.trim_start().len();
    // A comma within the first few words, before any other punctuation.
    let opens_with_name = text[leading..]
        .find([',', '.', '!', '?', ';', ':', '\n'])
        .is_some_and(|at| matches!(text.as_bytes()[leading + at], b',' | b'!') && at <= 40);
    // The agent's own turn opening on a name is strong evidence ("Dewi, are you
    // still there?"), also after an interjection ("Alright Dewi, ...").
    let mut first = next_word(text, leading, false);
    if let Some(word) = first
        && INTERJECTIONS.contains(&word.text.to_lowercase().as_str())
    {
        first = next_word(text, word.end, true);
    }
    if opens_with_name
        && let Some(word) = first
        && let Some((start, end, score)) = span_from(text, word, 0.3)
        && text[end..].starts_with([',', '!'])
        && score + f32::EPSILON >= THRESHOLD
    {
        found.push((start, end));
    }
    for (comma, _) in text.match_indices(", ") {
        let Some(word) = next_word(text, comma + 2, false) else {
            continue;
        };
        if word.start != comma + 2 || !word.text.starts_with(char::is_uppercase) {
            continue;
        }
        // The clause must end within a few words, at a full stop, "!" or "?".
        let rest = &text[comma + 2..];
        // (or at a dash: "Sorry about that, Siobhan - let me fix it").
        let closing = rest.find([',', '.', '!', '?', ';', ':', '\n', '(', '-', '–', '—']);
        if !closing.is_some_and(|at| {
            !matches!(rest.as_bytes()[at], b',' | b';' | b':' | b'\n' | b'(') && at <= 60
        }) {
            continue;
        }
        let clause_start = text[..comma]
            .rfind(['.', '!', '?', '\n'])
            .map_or(0, |at| at + 1);
        if !SPEAKS_TO.is_match(&text[clause_start..comma]) {
            continue;
        }
        if let Some((start, end, score)) = span_from(text, word, 0.3)
            && (text[end..].starts_with(['.', '!', '?'])
                || text[end..]
                    .trim_start_matches(' ')
                    .starts_with(['-', '–', '—']))
            && score + f32::EPSILON >= THRESHOLD
        {
            found.push((start, end));
        }
    }
    found
}

// Words an agent may open a turn with before the customer's name.
const INTERJECTIONS: &[&str] = &[
    "alright", "ok", "okay", "right", "so", "well", "great", "perfect", "sure", "thanks", "hi",
    "hello", "hey", "dear", "sorry", "yes", "got",
];

// A clause that speaks to the customer.
static SPEAKS_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:you|your|you're|thanks|thank|sorry|welcome|please|appreciate|have|enjoy|hope|bye|goodbye|great|day|evening|morning|set|done|ready|confirmed|apologies|apologise|apologize|wait|waiting|patience)(?-u:\b)")
        .expect("a valid regex")
});

// A short turn opening with thanks: "thx wairimu", "Thank you, Siobhan".
static THANKS_THEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:thanks|thank\s+you|thank\s+u|thankyou|thx|tnx|ty|cheers|many\s+thanks)(?-u:\b)[,!]?")
        .expect("a valid regex")
});

static THANKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:thanks|thank\s+you|thank\s+u|thankyou|thx|tnx|ty|cheers|bye|regards|that's\s+all|best|appreciate\s+it|talk\s+soon|take\s+care|bless(?:\s+you)?|sorted|wait|have\s+a)(?-u:\b)[^.!?]*$")
        .expect("a valid regex")
});

/// A sentence of the customer's first turn that is only a full name, two to four
/// capitalised words that are no common words ("Hey there. Siobhan Quispe. I need
/// ..."), or whose first clause or part after a dash is one. Later turns answer questions with places ("Mountain View."), and a place's
/// first word is often a common one ("South San Francisco") or a place's prefix
/// ("San", "Santa", "Los", "Fort"), which this rule never takes.
pub(crate) fn alone(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut at = 0;
    for sentence in text.split_inclusive(['.', '!', '?', '\n']) {
        let start = at;
        at += sentence.len();
        let mut body = sentence.trim_end_matches(['.', '!', '?', '\n', ' ']);
        // A remark in brackets after the name: "Dewi Diallo (she/her)".
        if body.ends_with(')')
            && let Some(open) = body.rfind('(')
        {
            body = body[..open].trim_end();
        }
        // The whole sentence, its first clause ("Siobhan Quispe, booking on file")
        // and what follows a dash ("writing on my own behalf - Siobhan Quispe").
        let mut parts = vec![(start, start + body.len())];
        if let Some(comma) = body.find(',') {
            parts.push((start, start + comma));
        }
        for dash in [" - ", " – ", " — "] {
            if let Some(cut) = body.rfind(dash) {
                parts.push((start + cut + dash.len(), start + body.len()));
            }
        }
        for (from, to) in parts {
            let leading = text[from..to].len() - text[from..to].trim_start().len();
            let Some(word) = next_word(text, from + leading, false) else {
                continue;
            };
            if !word.text.starts_with(char::is_uppercase)
                || PLACE_PREFIXES.contains(&word.text.to_lowercase().as_str())
            {
                continue;
            }
            if let Some((name_start, end, score)) = span_from(text, word, 0.3)
                && end == to
                && text[name_start..end].contains(' ')
                && text[name_start..end].split(' ').all(|w| !is_common(w))
                && score + f32::EPSILON >= THRESHOLD
            {
                found.push((name_start, end));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:thanks|thank\s+you|regards|cheers|bye|goodbye|have\s+a|(?:good|great|lovely|nice)\s+(?:day|evening|weekend)|take\s+care|welcome|best)(?-u:\b)[^.!?]*[.!?,]?\s*$")
        .expect("a valid regex")
});

/// An agent's signature closing its turn: a name alone or with its business after
/// the last sentence ("Have a lovely day! Agnieszka, Harper Books", "— Agnieszka").
pub(crate) fn staff_signature(text: &str) -> Option<(usize, usize)> {
    let body = text.trim_end().trim_end_matches(['.', '!']);
    let cut = body.rfind(['\n', '.', '!', '?', '—', '–'])?;
    // A signature follows a closing ("Have a lovely day!", "Thanks,").
    if !CLOSING.is_match(&body[..cut]) {
        return None;
    }
    let after = cut + body[cut..].chars().next().map_or(1, char::len_utf8);
    let tail = &body[after..];
    // The name, then nothing, or a comma and capitalised words (the business).
    let (name_part, business) = match tail.split_once(',') {
        Some((name, business)) => (name, Some(business.trim())),
        None => (tail, None),
    };
    if business.is_some_and(|b| b.is_empty() || !b.starts_with(char::is_uppercase)) {
        return None;
    }
    if name_part.split_whitespace().count() > 3 {
        return None;
    }
    let word = next_word(text, after, false)?;
    let (start, end, score) = span_from(text, word, 0.3)?;
    (end == after + name_part.trim_end().len() && score + f32::EPSILON >= THRESHOLD)
        .then_some((start, end))
}

/// A customer's signature: one to three name words closing its turn after a line
/// break or a dash ("Thanks!\n\nSiobhan Quispe", "thanks - siobhan"), before a line
/// of a job title ("Regards,\nGoikoetxea\nOperations Manager"), or a short turn
/// that only thanks and signs ("thx wairimu").
pub(crate) fn signature(text: &str) -> Option<(usize, usize)> {
    // An emoji or another symbol after the name: "Şükrü 🙏".
    let mut body = text
        .trim_end_matches(|c: char| {
            c.is_whitespace() || !(c.is_alphanumeric() || c.is_ascii_punctuation())
        })
        .trim_end_matches(['.', '!']);
    // A kiss after the name: "Dewi x", "Dewi xx".
    for kiss in [" xx", " x", " xxx"] {
        if let Some(stripped) = body.strip_suffix(kiss) {
            body = stripped;
            break;
        }
    }
    // A job title on the last line, capitalised common words, under the name.
    if let Some(line) = body.rfind('\n') {
        let title: Vec<&str> = body[line + 1..].split_whitespace().collect();
        if (1..=4).contains(&title.len())
            && title
                .iter()
                .all(|word| word.starts_with(char::is_uppercase) && is_common(word))
        {
            body = body[..line].trim_end().trim_end_matches(['.', '!', ',']);
        }
    }
    // Only a name no dictionary knows, or one typed in lower case: "thanks Delta"
    // thanks an airline.
    if body.split_whitespace().count() <= 4
        && let Some(thanks) = THANKS_THEN.find(body)
        && let Some(word) = next_word(text, thanks.end(), false)
        && (word.text.starts_with(char::is_lowercase)
            || evidence(word.text).is_some_and(|e| !e.census))
        && let Some((start, end, score)) = span_from(text, word, 0.4)
        && end == body.len()
        && score + f32::EPSILON >= THRESHOLD
    {
        return Some((start, end));
    }
    let cut = body.rfind(['\n', '-', '–', '—', '.', '!'])?;
    // After a full stop, only when the sentence before thanks or says goodbye
    // ("That's all, thanks. Siobhan").
    if matches!(body.as_bytes()[cut], b'.' | b'!')
        && !THANKS.is_match(body[..cut].trim_end_matches(['.', '!']))
    {
        return None;
    }
    // The dash may be several bytes long ("—").
    let after = cut + body[cut..].chars().next().map_or(1, char::len_utf8);
    let tail = &body[after..];
    let words = tail.split_whitespace().count();
    if words == 0 || words > 3 {
        return None;
    }
    // A hyphen inside a word ("Al-Farsi") is no dash.
    if text[..cut].ends_with(|c: char| c.is_alphabetic()) && text[cut..].starts_with('-') {
        return None;
    }
    let word = next_word(text, after, false)?;
    // A thank-you before the signature says more that it is one.
    let thanked = THANKS.is_match(body[..cut].trim_end_matches(['.', '!', ' ', '\u{2014}', '-']));
    let (start, end, score) = span_from(text, word, if thanked { 0.4 } else { 0.3 })?;
    (end == body.len() && score + f32::EPSILON >= THRESHOLD).then_some((start, end))
}

// The agent asking for a name: "may I have your full name?", "who am I speaking
// with?", "what name is the booking under?".
static ASKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?:full\s+|first\s+|last\s+|given\s+|family\s+|sur)name|name(?:\s+on\s+the|\s+is\s+the|\s+please|,?\s+please)|what\s+name|(?:your|the|\w+'s|\w+’s)\s+name|who\s+(?:am\s+i|i'm|i\s+am|do\s+i\s+have)|(?:speaking|talking|chatting)\s+(?:with|to)\s*\?|may\s+i\s+(?:know|have|get)\s+(?:your|the)\s+name|(?:what|how)\s+(?:should|shall|can|may|do)\s+i\s+(?:call|address)\s+you|who\s+is\s+(?:this|writing|speaking))",
    )
    .expect("a valid regex")
});

/// Whether an agent's turn asks for the customer's name: a short question or
/// request ("please confirm the cardholder's name") that speaks of a name or of who
/// is speaking.
pub(crate) fn asks_for_name(text: &str) -> bool {
    if text.len() >= 400 {
        return false;
    }
    let opening = text.trim_start();
    let asks = text.contains('?')
        || ["please", "kindly", "could", "can", "may", "confirm"]
            .iter()
            .any(|word| {
                opening
                    .get(..word.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(word))
            });
    asks && ASKS.is_match(text)
}

// What a reply says before the name ("sure", "yes", "it's", "of course").
static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:\s|[,.:!\-]|(?-u:\b)(?:sure(?:\s+thing)?|yes|yeah|yep|ok|okay|oh|you\s+have|you've\s+got|this\s+is|of\s+course|certainly|absolutely|definitely|it\s*'?s|its|it’s|it\s+is|that's|that\s+is|my\s+name\s+is|i'm|i\s+am|hi|hello)(?-u:\b))*",
    )
    .expect("a valid regex")
});

/// The names in a short reply to a question for a name ("Siobhan Quispe", "sure,
/// siobhan quispe", "Quispe. Siobhan Quispe."): each clause that is only name words.
/// A longer reply is read for its first clause only, when that is short ("Wairimu.
/// Gunasekara is the surname.").
pub(crate) fn answer(text: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let long = text.split_whitespace().count() > 8;
    // Each clause that, after its filler ("sure thing", "it's"), is only a name.
    let mut at = 0;
    for clause in text.split_inclusive([',', '.', ';', ':', '!', '?', '\n']) {
        let start = at;
        at += clause.len();
        if long && (start > 0 || clause.split_whitespace().count() > 3) {
            break;
        }
        let mut body = clause.trim_end_matches([',', '.', ';', ':', '!', '?', '\n', ' ']);
        // A remark in brackets after the name: "Dariush Ramaswamy (that's me)".
        if body.ends_with(')')
            && let Some(open) = body.rfind('(')
        {
            body = body[..open].trim_end();
        }
        let mut from = start + FILLER.find(body).map_or(0, |m| m.end());
        // "Sure thing: ...": a clause of common words names no one.
        if from < start + body.len() && is_common(text[from..start + body.len()].trim()) {
            from = start + body.len();
        }
        let Some(word) = next_word(text, from, false) else {
            continue;
        };
        if word.start >= start + body.len() {
            continue;
        }
        if let Some((name_start, end, _)) = span_from(text, word, 0.6)
            && end == start + body.len()
        {
            found.push((name_start, end));
        }
    }
    found
}

static PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\p{Lu}[\p{L}\p{M}'’\-]+)[ \t]+(\p{Lu}[\p{L}\p{M}'’\-]+)").expect("a valid regex")
});

/// Two capitalised words in a row whose second could be a family name (no common
/// word), both in lower case: "Tenzin Sherpa" in "My name is Tenzin, Tenzin Sherpa";
/// and whether the first is no common word either (a given name before a family
/// name learned alone: "Ignacy Szentgyörgyi" after "Mr Szentgyörgyi", but not "Pay
/// Mary").
pub(crate) fn capitalised_pairs(text: &str) -> Vec<(String, String, bool)> {
    PAIR.find_iter(text)
        .filter_map(|m| {
            let (first, second) = m.as_str().split_once([' ', '\t'])?;
            let second = second.trim_start();
            let first_evidence = evidence(first)?;
            let given = first.to_lowercase();
            // A title is no given name: "Mr Sherpa" is not "Mr" of the Sherpas.
            let title = matches!(
                given.as_str(),
                "mr" | "mrs" | "ms" | "mx" | "dr" | "miss" | "mister" | "madam" | "sir" | "prof"
            );
            (!title && evidence(second).is_some_and(|e| !e.common))
                .then(|| (given, second.to_lowercase(), !first_evidence.common))
        })
        .collect()
}

// Single letters joined by hyphens, dots or blanks. Where the run starts and ends
// is checked in code: an ASCII word boundary would cut "H-U-A-M-A-N-Í" short and a
// Unicode one costs the pattern its speed.
static SPELLED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\p{L}(?:(?:-|\.\s?|\s)\p{L}){2,}\.?").expect("a valid regex"));
static SPELL_CUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)spell|spelt|letters?").expect("a valid regex"));

/// Names spelled out letter by letter ("Q-U-I-S-P-E", "q u i s p e"): each with its
/// range and its letters joined in lower case, and whether a cue ("spelled") stands
/// before it in the text.
pub(crate) fn spelled(text: &str) -> Vec<(usize, usize, String, bool)> {
    let mut out = Vec::new();
    // Three single letters apart, each after a separator: a quick look before the
    // pattern's search.
    let bytes = text.as_bytes();
    let single = |i: usize| {
        bytes[i].is_ascii_alphabetic() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
    };
    let separator = |b: u8| matches!(b, b'-' | b'.' | b' ');
    let maybe = (0..bytes.len().saturating_sub(4)).any(|i| {
        single(i)
            && separator(bytes[i + 1])
            && bytes[i + 2].is_ascii_alphabetic()
            && separator(bytes[i + 3])
    });
    if !maybe && text.is_ascii() {
        return out;
    }
    for m in SPELLED.find_iter(text) {
        // A letter glued to a word before or after is part of that word.
        let glued_before = text[..m.start()]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let body = m.as_str().trim_end_matches('.');
        let glued_after = text[m.start() + body.len()..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric);
        // The runs of letters joined by one kind of separator: "that's P-A-R-A-T-A"
        // is the run "P-A-R-A-T-A", not "s P-A-R-A-T-A". `seps[k]` joins letter k to
        // letter k + 1 (". " is one separator).
        let mut letters: Vec<(usize, usize)> = Vec::new();
        let mut seps: Vec<char> = Vec::new();
        let mut pending: Option<char> = None;
        for (i, c) in body.char_indices() {
            if c.is_alphabetic() {
                if !letters.is_empty() {
                    seps.push(pending.take().unwrap_or(' '));
                }
                letters.push((i, i + c.len_utf8()));
            } else if !(pending == Some('.') && c.is_whitespace()) {
                pending = Some(match c {
                    '-' => '-',
                    '.' => '.',
                    _ => ' ',
                });
            }
        }
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut first = 0;
        for k in 0..seps.len() {
            if k + 1 == seps.len() || seps[k + 1] != seps[k] {
                runs.push((letters[first].0, letters[k + 1].1));
                first = k + 1;
            }
        }
        let count = runs.len();
        for (index, (begin, end)) in runs.into_iter().enumerate() {
            if (index == 0 && glued_before) || (index + 1 == count && glued_after) {
                continue;
            }
            let letters: String = body[begin..end]
                .chars()
                .filter(|c| c.is_alphabetic())
                .flat_map(char::to_lowercase)
                .collect();
            if letters.chars().count() < 3 {
                continue;
            }
            let at = m.start() + begin;
            let cued = SPELL_CUE.is_match(&text[..at]);
            out.push((at, m.start() + end, letters, cued));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gazetteers_are_in_byte_order_and_find_each_of_their_words_alone() {
        for gazetteer in [&GIVEN, &FAMILY, &COMMON] {
            let words: Vec<&str> = gazetteer.0.lines().collect();
            assert!(words.len() > 5000);
            assert!(
                words.windows(2).all(|pair| pair[0] < pair[1]),
                "lines out of byte order or repeated: run data/names/make.sh"
            );
            for word in &words {
                assert!(gazetteer.contains(word), "{word} not found");
                // Words between two lines, before the first and after the last.
                assert!(!gazetteer.contains(&format!("{word}\u{1}")));
            }
            assert!(!gazetteer.contains(""));
            assert!(!gazetteer.contains("\u{0}"));
            assert!(!gazetteer.contains("\u{10FFFF}"));
            assert!(!gazetteer.contains(&format!("{}\n{}", words[0], words[1])));
        }
        assert!(GIVEN.contains("siobhan") && FAMILY.contains("quispe"));
        assert!(!GIVEN.contains("Siobhan") && COMMON.contains("bill"));
    }

    fn names(text: &str) -> Vec<&str> {
        find(text).into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn introductions_in_many_words() {
        assert_eq!(
            names("Hi, my name is Olivia Smith. I need help"),
            ["Olivia Smith"]
        );
        assert_eq!(
            names("hello my name is maria gonzalez and i need help"),
            ["maria gonzalez"]
        );
        assert_eq!(
            names("Siobhan Quispe here, about my order"),
            ["Siobhan Quispe"]
        );
        assert_eq!(
            names("Good morning, Siobhan Quispe speaking."),
            ["Siobhan Quispe"]
        );
        assert_eq!(names("You can call me Xiaoming."), ["Xiaoming"]);
        assert_eq!(names("My wife Ngozi will be traveling with me."), ["Ngozi"]);
        assert_eq!(
            names("The passengers are Mia Li and Omar Haddad."),
            ["Mia Li", "Omar Haddad"]
        );
        assert_eq!(names("Welcome back, Mr. Okafor."), ["Okafor"]);
        assert_eq!(names("Thanks, Olivia! Let me check."), ["Olivia"]);
        assert_eq!(names("Kind regards,\nSiobhan Quispe"), ["Siobhan Quispe"]);
        assert_eq!(names("My husband's name is Omar."), ["Omar"]);
        assert_eq!(names("I'm Grace."), ["Grace"]);
        assert_eq!(names("Hello again Siobhan!"), ["Siobhan"]);
        assert_eq!(names("Thanks so much, Priya."), ["Priya"]);
        assert_eq!(names("Passenger 2: Omar Haddad"), ["Omar Haddad"]);
        assert_eq!(names("Name: Siobhan Quispe"), ["Siobhan Quispe"]);
        assert_eq!(names("I go by Shiv these days."), ["Shiv"]);
        assert_eq!(names("Siobhan Quispe is my name."), ["Siobhan Quispe"]);
        assert_eq!(names("The table is for Siobhan."), ["Siobhan"]);
        assert_eq!(names("I am Siobhan's mother."), ["Siobhan"]);
        assert_eq!(names("My supervisor Jana will call you."), ["Jana"]);
        assert_eq!(names("me llamo Ximena"), ["Ximena"]);
        assert_eq!(names("um hi yeah this is uh Dewi, thanks"), ["Dewi"]);
        assert_eq!(
            names("Good morning, you're through to Ngozi at the desk."),
            ["Ngozi"]
        );
        assert_eq!(
            names("The co-signer on the loan is Omar Haddad."),
            ["Omar Haddad"]
        );
        assert_eq!(names("He said his name was Kwame."), ["Kwame"]);
        assert_eq!(
            names("My ex, Omar Haddad, still has the card."),
            ["Omar Haddad"]
        );
        assert_eq!(
            names("One of our clients, Omar Haddad, wrote."),
            ["Omar Haddad"]
        );
        assert_eq!(
            names("If I'm out, Omar Haddad next door can take it."),
            ["Omar Haddad"]
        );
        assert_eq!(names("Best wishes, Siobhan"), ["Siobhan"]);
        assert_eq!(
            names("The courier - his badge said Kwame - was rude."),
            ["Kwame"]
        );
        assert_eq!(names("I'm the carer for Omar Haddad."), ["Omar Haddad"]);
        assert_eq!(
            names("I was helped last time by Ngozi on the chat."),
            ["Ngozi"]
        );
        assert_eq!(names("Our coach, Ngozi, booked it."), ["Ngozi"]);
        assert_eq!(names("the order is in my daughters name, anahí"), ["anahí"]);
        assert_eq!(
            names("Please add Omar Haddad as a second passenger."),
            ["Omar Haddad"]
        );
        assert_eq!(names("Hi! Siobhan again."), ["Siobhan"]);
        assert_eq!(
            names("Ngozi from Wells Fargo here, happy to help."),
            ["Ngozi"]
        );
        assert_eq!(
            names("It also covers Omar Haddad, my business partner."),
            ["Omar Haddad"]
        );
        assert_eq!(
            names("I'm traveling with my older brother Kwame."),
            ["Kwame"]
        );
        assert_eq!(
            names("It's for my father-in-law, Omar Haddad."),
            ["Omar Haddad"]
        );
        assert_eq!(names("You've reached Ngozi at the front desk."), ["Ngozi"]);
        assert_eq!(
            names("Omar Haddad (my colleague) will pick it up."),
            ["Omar Haddad"]
        );
        assert_eq!(names("We're the Haddad family."), ["Haddad"]);
        assert_eq!(
            names("The guest arriving is Dewi Khumalo, thanks."),
            ["Dewi Khumalo"]
        );
        assert_eq!(names("My daughter Xiaoming is flying alone."), ["Xiaoming"]);
    }

    #[test]
    fn what_must_survive_survives() {
        for text in [
            "I'm flying from Austin to Charlotte on Monday, May 4.",
            "I'm in Austin until Friday.",
            "I'm sorry, I'm calling about my Hilton booking.",
            "Can you bill the fee to my card?",
            "Thanks, Delta has been great.",
            "I bought a Kindle Paperwhite at Harper Books in Madison.",
            "Will my MacBook Air arrive by Friday?",
            "This is great, thanks.",
            "It's May 4 at JFK.",
            "I'm gonna need a refund.",
            "Hello, this is about order 88412.",
            "I want to return the Logitech MX Master mouse.",
            "It's name is La Hacienda and I want a table.",
            "There is a restaurant in Oakland called Lake Chalet.",
            "What about a song called Back it up by Prince Royce?",
            "Best Western Bretagne Montparnasse",
        ] {
            assert_eq!(names(text), Vec::<&str>::new(), "{text}");
        }
    }

    #[test]
    fn the_agent_addresses_the_customer_and_the_customer_signs() {
        let addressed = |text: &'static str| -> Vec<&'static str> {
            addressed(text)
                .into_iter()
                .map(|(s, e)| &text[s..e])
                .collect()
        };
        assert_eq!(addressed("Olivia, your booking is confirmed."), ["Olivia"]);
        assert_eq!(addressed("Thanks for waiting, Olivia."), ["Olivia"]);
        assert_eq!(addressed("Alright Siobhan, I've sent it."), ["Siobhan"]);
        assert_eq!(
            addressed("Hello Siobhan! Ngozi here from support."),
            ["Siobhan"]
        );
        assert_eq!(
            addressed("I'm sorry about that, Siobhan - let me fix it."),
            ["Siobhan"]
        );
        assert_eq!(
            addressed("My apologies for the wait, Siobhan."),
            ["Siobhan"]
        );
        assert_eq!(
            addressed("They are at 60 Furman Street, Brooklyn."),
            Vec::<&str>::new()
        );
        let signed = |text: &'static str| signature(text).map(|(s, e)| &text[s..e]);
        assert_eq!(signed("Thanks!\n\nSiobhan Quispe"), Some("Siobhan Quispe"));
        assert_eq!(signed("thanks - siobhan"), Some("siobhan"));
        assert_eq!(signed("Is it on Al-Farsi"), None);
        let staff = |text: &'static str| staff_signature(text).map(|(s, e)| &text[s..e]);
        assert_eq!(
            staff("Have a lovely day! Agnieszka, Harper Books"),
            Some("Agnieszka")
        );
        assert_eq!(staff("Your flight leaves at noon. Denver, Colorado"), None);
        assert_eq!(signed("That's all, thanks. Siobhan"), Some("Siobhan"));
        assert_eq!(signed("ty!! siobhan"), Some("siobhan"));
        assert_eq!(signed("great, sorted. Siobhan x"), Some("Siobhan"));
        assert_eq!(signed("ok thx — dewi"), Some("dewi"));
        assert_eq!(signed("I land in Denver. Austin"), None);
        // Under a job title, and a turn that only thanks and signs.
        assert_eq!(
            signed("Regards,\nGoikoetxea\nOperations Manager"),
            Some("Goikoetxea")
        );
        assert_eq!(signed("thx wairimu"), Some("wairimu"));
        assert_eq!(signed("thanks guys"), None);
        assert_eq!(signed("thanks Delta"), None);
        assert_eq!(signed("thanks Chase!"), None);
        assert_eq!(
            signed("Siobhan speaking — i want a refund — Siobhan"),
            Some("Siobhan")
        );
        let alone = |text: &'static str| -> Vec<&'static str> {
            alone(text).into_iter().map(|(s, e)| &text[s..e]).collect()
        };
        assert_eq!(
            alone("Hey there. Siobhan Quispe. I need help."),
            ["Siobhan Quispe"]
        );
        assert_eq!(
            alone("New York. Mountain View. San Jose. Santa Clara."),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn replies_to_a_question_for_a_name() {
        let reply = |text: &'static str| -> Vec<&'static str> {
            answer(text).into_iter().map(|(s, e)| &text[s..e]).collect()
        };
        assert_eq!(reply("sure, siobhan quispe"), ["siobhan quispe"]);
        assert_eq!(
            reply("Quispe. Siobhan Quispe."),
            ["Quispe", "Siobhan Quispe"]
        );
        assert_eq!(reply("It's Oluwaseun Adeyemi."), ["Oluwaseun Adeyemi"]);
        assert_eq!(
            reply("Sure thing: Guadalupe Fitzgerald"),
            ["Guadalupe Fitzgerald"]
        );
        assert_eq!(
            reply("I need to change my flight to Denver on Friday please"),
            Vec::<&str>::new()
        );
        assert!(asks_for_name("May I have your full name, please?"));
        assert!(asks_for_name("Who am I speaking with today?"));
        assert!(!asks_for_name("What is the booking reference?"));
        assert!(asks_for_name("Please confirm the cardholder's name."));
        assert!(asks_for_name("Could you give me your surname?"));
        assert!(asks_for_name(
            "Before we continue, who do I have the pleasure of speaking with?"
        ));
        assert!(!asks_for_name("Your booking under that name is confirmed."));
    }

    #[test]
    fn names_spelled_out() {
        let found = spelled("My last name is Quispe, spelled Q-U-I-S-P-E.");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2, "quispe");
        assert!(found[0].3);
        assert!(spelled("take the I-5 north").is_empty());
    }

    proptest::proptest! {
        // Every rule slices texts at the places it found: none may cut inside a
        // character, whatever the text.
        #[test]
        fn no_text_panics(
            text in "(Hi|my name is|I'm|Thanks|—|–|-|, |\\. |! |Siobhan|Quispe|é|ı|\n| |as a passenger|here|[A-Za-z]{1,6}|\\PC){0,16}"
        ) {
            let _ = find(&text);
            let _ = addressed(&text);
            let _ = signature(&text);
            let _ = alone(&text);
            let _ = answer(&text);
            let _ = spelled(&text);
        }
    }

    #[test]
    fn the_gazetteers_are_loaded() {
        assert!(is_given("Olivia") && is_family("nguyen") && is_family("O'Connor"));
        assert!(is_common("grace") && !is_common("siobhan"));
    }

    #[test]
    fn roles_at_work_asks_for_a_person_and_names_said_to_be_a_surname() {
        assert_eq!(
            names("Your agent Eréndira hung up on me halfway through."),
            ["Eréndira"]
        );
        assert_eq!(
            names("Our director, Janaína Thirunavukkarasu, has asked for an update."),
            ["Janaína Thirunavukkarasu"]
        );
        assert_eq!(
            names("Ask for Zsolt at reception and she'll let your courier in."),
            ["Zsolt"]
        );
        // A census name that is also a word (a bank here) needs more than "ask for".
        assert_eq!(
            names("I'll ask for Chase to refund it."),
            Vec::<&str>::new()
        );
        assert_eq!(names("Wairimu. Gunasekara is the surname."), ["Gunasekara"]);
        // A family name, then the given one closing the clause.
        assert_eq!(
            names("Hoogendoorn, Eréndira — Hoogendoorn is my family name."),
            ["Eréndira", "Hoogendoorn"]
        );
        assert_eq!(
            names("My name is Siobhan, Austin is where I live."),
            ["Siobhan"]
        );
    }

    #[test]
    fn a_long_answer_gives_the_name_of_its_short_first_clause() {
        let found = |text: &'static str| -> Vec<&str> {
            answer(text).into_iter().map(|(s, e)| &text[s..e]).collect()
        };
        assert_eq!(
            found("Gintarė! Owusu-Ansah is the last name, with a capital letter at the start."),
            ["Gintarė"]
        );
        assert_eq!(
            found("Sure, I can tell you but first I need to know why you ask."),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn pairs_say_whether_their_first_word_could_be_a_given_name() {
        assert_eq!(
            capitalised_pairs("Ignacy Szentgyörgyi - a refund"),
            [("ignacy".to_owned(), "szentgyörgyi".to_owned(), true)]
        );
        // "Pay" is a census name and a word; a title is no given name at all.
        assert_eq!(
            capitalised_pairs("Pay Quispe now"),
            [("pay".to_owned(), "quispe".to_owned(), false)]
        );
        assert!(capitalised_pairs("Good morning, Mr Quispe").is_empty());
    }

    #[test]
    fn names_spelled_out_in_any_letters_after_any_word() {
        let spelt = |text: &'static str| -> Vec<(&str, String)> {
            spelled(text)
                .into_iter()
                .map(|(s, e, letters, _)| (&text[s..e], letters))
                .collect()
        };
        assert_eq!(
            spelt("Last name Parata, that's P-A-R-A-T-A."),
            [("P-A-R-A-T-A", "parata".to_owned())]
        );
        assert_eq!(
            spelt("Þ-O-R-V-A-L-D-S-S-O-N"),
            [("Þ-O-R-V-A-L-D-S-S-O-N", "þorvaldsson".to_owned())]
        );
        assert_eq!(
            spelt("that's H-U-A-M-A-N-Í."),
            [("H-U-A-M-A-N-Í", "huamaní".to_owned())]
        );
        assert_eq!(spelt("q u i s p e"), [("q u i s p e", "quispe".to_owned())]);
        assert_eq!(
            spelt("Q.U.I.S.P.E."),
            [("Q.U.I.S.P.E", "quispe".to_owned())]
        );
        assert!(spelt("send an e-mail or x-y-mail").is_empty());
    }

    #[test]
    fn corrections_emoji_dashes_and_names_no_list_knows() {
        assert_eq!(
            names("My son's name is spelled wrong — it should be Çağla Ògúnlẹ́yẹ."),
            ["Çağla Ògúnlẹ́yẹ"]
        );
        let signed = |text: &'static str| signature(text).map(|(s, e)| &text[s..e]);
        assert_eq!(signed("Thank you kindly. Şükrü 🙏"), Some("Şükrü"));
        // A dash closes the clause an addressed name must close.
        let text = "Thanks for your patience, Chanthou — is there anything else?";
        let found: Vec<&str> = addressed(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(found, ["Chanthou"]);
        assert_eq!(
            names("Could you check whether Itziar Heikkilä has already cancelled?"),
            ["Itziar Heikkilä"]
        );
        // A business, a place after "in", a sentence's start: left to the cues.
        assert_eq!(
            names("We bought it at the Gordon Outfitters store."),
            Vec::<&str>::new()
        );
        assert_eq!(
            names("Our office is in Kuala Lumpur now."),
            Vec::<&str>::new()
        );
        assert_eq!(names("Kuala Lumpur is hot."), Vec::<&str>::new());
    }
}
