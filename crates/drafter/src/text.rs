//! Text helpers for the draft: whitespace, character-safe shortening, filler
//! detection and turning identifiers into words.
//!
//! Every limit of a draft is counted in characters (Unicode scalar values), as
//! pydantic counts them, so nothing here measures bytes.

/// The mark that ends a shortened text.
pub(crate) const ELLIPSIS: char = '…';

/// The text with every run of whitespace (newlines included) made one space.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The number of characters in `text`.
pub(crate) fn chars(text: &str) -> usize {
    text.chars().count()
}

/// `text` shortened to at most `max` characters, ending with "…" when shortened.
///
/// It cuts at a space when there is one in the second half of the allowed length
/// (so words stay whole), and otherwise between characters, but never inside a
/// `<KIND_N>` placeholder, between a character and the combining mark, joiner or
/// variation selector that belongs to it.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let Some((limit, _)) = text.char_indices().nth(max) else {
        return text.to_owned();
    };
    if max == 0 {
        return String::new();
    }
    // Room for the ellipsis: the kept text has at most `max - 1` characters.
    let window_end = text[..limit].char_indices().last().map_or(0, |(i, _)| i);
    let window = &text[..window_end];
    let half = window.len() / 2;
    let mut cut = match window.rfind(char::is_whitespace) {
        Some(space) if space >= half && space > 0 => space,
        _ => window_end,
    };
    cut = outside_placeholder(text, cut);
    while cut > 0 && !text[cut..].starts_with(char::is_whitespace) && belongs_to_previous(text, cut)
    {
        cut = text[..cut].char_indices().last().map_or(0, |(i, _)| i);
    }
    let kept = text[..cut]
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '('));
    let mut out = String::with_capacity(kept.len() + 3);
    out.push_str(kept);
    out.push(ELLIPSIS);
    out
}

// A cut inside `<EMAIL_1>` moves to before the `<`.
fn outside_placeholder(text: &str, cut: usize) -> usize {
    let before = &text[..cut];
    if let Some(open) = before.rfind('<') {
        let inside = &before[open + 1..];
        let looks_like_placeholder = inside
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if looks_like_placeholder && text[cut..].find('>').is_some_and(|close| close <= 16) {
            return open;
        }
    }
    cut
}

// Whether the character at `at` (or the one before it) glues the two together.
fn belongs_to_previous(text: &str, at: usize) -> bool {
    let next = text[at..].chars().next();
    let previous = text[..at].chars().next_back();
    let glue = |c: char| {
        matches!(c as u32,
            0x0300..=0x036F | 0x0591..=0x05C7 | 0x064B..=0x065F | 0x200C | 0x200D
            | 0xFE00..=0xFE0F | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0x20D0..=0x20FF)
    };
    next.is_some_and(glue) || previous.is_some_and(|c| c as u32 == 0x200D)
}

/// Words that carry no request: greetings, thanks, acknowledgements.
const FILLER: &[&str] = &[
    "a",
    "afternoon",
    "all",
    "alright",
    "and",
    "anything",
    "are",
    "bye",
    "cheers",
    "cool",
    "day",
    "else",
    "evening",
    "fine",
    "for",
    "good",
    "goodbye",
    "great",
    "hello",
    "hey",
    "hi",
    "hiya",
    "hm",
    "hmm",
    "how",
    "i",
    "is",
    "it",
    "k",
    "kk",
    "morning",
    "much",
    "nah",
    "no",
    "nope",
    "nothing",
    "of",
    "oh",
    "ok",
    "okay",
    "please",
    "perfect",
    "right",
    "s",
    "so",
    "sounds",
    "sure",
    "thank",
    "thanks",
    "that",
    "thats",
    "that's",
    "there",
    "thx",
    "ty",
    "ugh",
    "uh",
    "um",
    "very",
    "well",
    "yeah",
    "yep",
    "yes",
    "you",
    "yup",
];

/// Whether a customer turn says nothing beyond greetings, thanks or yes/no:
/// "hi", "hello?", "ok", "Yes please.", "No, that's all. Thanks!".
pub(crate) fn is_filler(text: &str) -> bool {
    let lowered = text.to_lowercase();
    let mut words = 0;
    for word in lowered.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
        let word = word.trim_matches('\'');
        if word.is_empty() {
            continue;
        }
        words += 1;
        if !FILLER.contains(&word) {
            return false;
        }
    }
    words <= 8
}

/// `text` without a leading greeting such as "Hi," or "Hello there -".
pub(crate) fn strip_greeting(text: &str) -> &str {
    const GREETINGS: &[&str] = &[
        "hello there",
        "hi there",
        "hey there",
        "good morning",
        "good afternoon",
        "good evening",
        "hello",
        "hiya",
        "hey",
        "hi",
    ];
    let lowered_prefix: String = text.chars().take(16).collect::<String>().to_lowercase();
    for greeting in GREETINGS {
        if lowered_prefix.starts_with(greeting) && text.is_char_boundary(greeting.len()) {
            let rest = &text[greeting.len()..];
            if rest.starts_with(|c: char| c.is_alphanumeric()) {
                continue;
            }
            let rest = rest.trim_start_matches(|c: char| {
                c.is_whitespace() || matches!(c, ',' | '!' | '.' | '-' | '–' | ':')
            });
            if rest.is_empty() {
                return text;
            }
            return rest;
        }
    }
    text
}

/// The words of an identifier: `create_refund` → ["create", "refund"],
/// `bookAppointment` → ["book", "appointment"], `v2.orders-list` → ["v2", "orders", "list"].
pub(crate) fn identifier_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `text` with its first character in upper case.
pub(crate) fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `text` with its first character in lower case, unless the second is not lower
/// case: "SFO" and "<NAME_1>" stay as they are.
pub(crate) fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_owned(),
    }
}

/// A tag: lower case letters, digits and `_`, other runs made one `-`, at most 40
/// characters.
pub(crate) fn tag(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(40).collect();
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_at_a_word_and_counts_characters() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("the quick brown fox jumps", 12), "the quick…");
        assert_eq!(chars(&shorten("日本語のテキストはスペースがない", 5)), 5);
        assert_eq!(shorten("日本語のテキスト", 5), "日本語の…");
        assert_eq!(shorten("abc", 0), "");
    }

    #[test]
    fn never_splits_a_placeholder_or_an_emoji_sequence() {
        assert_eq!(shorten("call<PHONE_12>now", 10), "call…");
        let family = "ab👩\u{200D}👩\u{200D}👧cd";
        let out = shorten(family, 5);
        assert!(!out.contains('\u{200D}') || out.contains("👧"), "{out:?}");
        let accented = "cafe\u{301}s and more";
        assert_eq!(shorten(accented, 5), "caf…");
    }

    #[test]
    fn recognises_filler() {
        for filler in [
            "hi",
            "hello?",
            "ok",
            "Yes please.",
            "No, that's all. Thanks!",
            "ugh ok yes",
            "👍",
        ] {
            assert!(is_filler(filler), "{filler}");
        }
        for request in [
            "tuesday",
            "refund please",
            "Order 88412",
            "ok but my order is late",
        ] {
            assert!(!is_filler(request), "{request}");
        }
    }

    #[test]
    fn strips_greetings_only() {
        assert_eq!(strip_greeting("Hi, my blender broke"), "my blender broke");
        assert_eq!(
            strip_greeting("Hello there - refund please"),
            "refund please"
        );
        assert_eq!(strip_greeting("Highway closed"), "Highway closed");
        assert_eq!(strip_greeting("hi"), "hi");
    }

    #[test]
    fn splits_identifiers_into_words() {
        assert_eq!(identifier_words("create_refund"), ["create", "refund"]);
        assert_eq!(identifier_words("bookAppointment"), ["book", "appointment"]);
        assert_eq!(identifier_words("v2.orders-list"), ["v2", "orders", "list"]);
        assert_eq!(tag("Call_Failed"), "call_failed");
        assert_eq!(tag("Book Appointment!"), "book-appointment");
        assert_eq!(tag("  "), "");
        assert_eq!(capitalize("émile"), "Émile");
    }
}
