//! A JSON decoder that accepts and rejects what CPython's `json` module does, with
//! its error messages and character offsets, and with bounds on what a body may hold.
//!
//! FastAPI reads a JSON body with `json.loads(bytes)`. When that fails, its 422 names
//! the *character* offset of the problem and the module's message ("Expecting ','
//! delimiter", "Extra data", ...), and clients see both. serde_json accepts and
//! rejects a slightly different language (trailing commas, `NaN`) and reports lines
//! and columns with other words, so this module follows CPython's C scanner
//! (`Modules/_json.c`) step by step instead: the same branches in the same order, so
//! that the first error found is the one Python finds, at the same offset.
//!
//! It also bounds what a body may make the server hold: nesting depth, entries per
//! array or object, values in all, and bytes per string. Those checks stop the decoder
//! as soon as a bound is crossed, so memory stays proportional to the accepted input.
//! Values JSON cannot carry (`NaN`, `Infinity`, lone UTF-16 surrogates), which Python
//! accepts but which cannot be stored or echoed back, are reported after a successful
//! parse, so a syntax error still wins as it does upstream.

use serde_json::{Map, Number, Value};

/// How deep arrays and objects may nest.
pub const MAX_DEPTH: usize = 64;
/// How many entries one array or object may have (this bounds a session's messages).
pub const MAX_ENTRIES: usize = 10_000;
/// How many values a body may hold in all.
pub const MAX_VALUES: usize = 1_000_000;
/// How many bytes (UTF-8) one string may have.
pub const MAX_STRING_BYTES: usize = 1 << 20;

/// Why a body is not accepted as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// What `json.loads` raises as `JSONDecodeError`: its message and the character
    /// offset it reports.
    Syntax {
        msg: &'static str,
        pos: usize,
    },
    /// The bytes are not text in any encoding `json.loads` detects.
    Encoding,
    /// A `\uD800`-style escape that is not half of a pair, at this character offset.
    LoneSurrogate {
        pos: usize,
    },
    /// `NaN`, `Infinity`, `-Infinity` or a number too large for a float.
    NonFinite {
        pos: usize,
    },
    /// One of the bounds above was crossed.
    TooDeep,
    TooManyEntries,
    TooManyValues,
    StringTooLong,
}

/// Decodes a request body as `json.loads(body)` would, within the bounds above.
pub fn decode(bytes: &[u8]) -> Result<Value, DecodeError> {
    let text = decode_text(bytes).ok_or(DecodeError::Encoding)?;
    parse(&text)
}

/// Decodes text as `json.loads(text)` would.
pub fn decode_str(text: &str) -> Result<Value, DecodeError> {
    // Only text (not bytes, whose BOM selects the encoding) is refused for a BOM.
    if text.starts_with('\u{feff}') {
        return Err(DecodeError::Syntax {
            msg: "Unexpected UTF-8 BOM (decode using utf-8-sig)",
            pos: 0,
        });
    }
    parse(text)
}

fn parse(text: &str) -> Result<Value, DecodeError> {
    let mut parser = Parser {
        s: text,
        b: text.as_bytes(),
        values: 0,
        deferred: None,
    };
    let start = parser.skip_ws(0);
    let (value, end) = match parser.scan(start, 0) {
        Ok(done) => done,
        Err(Fail::Stop(at)) => return Err(parser.syntax("Expecting value", at)),
        Err(Fail::Error(err)) => return Err(err),
    };
    let end = parser.skip_ws(end);
    if end != parser.b.len() {
        return Err(parser.syntax("Extra data", end));
    }
    match parser.deferred {
        Some(err) => Err(err),
        None => Ok(value),
    }
}

/// `json.detect_encoding` and the decode that follows it. Python decodes with
/// `surrogatepass`; text holding encoded surrogates is refused here instead.
fn decode_text(b: &[u8]) -> Option<String> {
    const UTF8_BOM: &[u8] = &[0xef, 0xbb, 0xbf];
    if b.starts_with(&[0, 0, 0xfe, 0xff]) {
        return utf32(&b[4..], true);
    }
    if b.starts_with(&[0xff, 0xfe, 0, 0]) {
        return utf32(&b[4..], false);
    }
    if b.starts_with(&[0xfe, 0xff]) {
        return utf16(&b[2..], true);
    }
    if b.starts_with(&[0xff, 0xfe]) {
        return utf16(&b[2..], false);
    }
    if let Some(rest) = b.strip_prefix(UTF8_BOM) {
        return String::from_utf8(rest.to_vec()).ok();
    }
    if b.len() >= 4 {
        if b[0] == 0 {
            return if b[1] != 0 {
                utf16(b, true)
            } else {
                utf32(b, true)
            };
        }
        if b[1] == 0 {
            return if b[2] != 0 || b[3] != 0 {
                utf16(b, false)
            } else {
                utf32(b, false)
            };
        }
    } else if b.len() == 2 {
        if b[0] == 0 {
            return utf16(b, true);
        }
        if b[1] == 0 {
            return utf16(b, false);
        }
    }
    std::str::from_utf8(b).ok().map(str::to_owned)
}

fn utf16(b: &[u8], big_endian: bool) -> Option<String> {
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let units = b.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

fn utf32(b: &[u8], big_endian: bool) -> Option<String> {
    if !b.len().is_multiple_of(4) {
        return None;
    }
    b.chunks_exact(4)
        .map(|quad| {
            let quad = [quad[0], quad[1], quad[2], quad[3]];
            let unit = if big_endian {
                u32::from_be_bytes(quad)
            } else {
                u32::from_le_bytes(quad)
            };
            char::from_u32(unit)
        })
        .collect()
}

enum Fail {
    /// Python's `StopIteration(idx)`: no value starts at this byte offset. The caller
    /// that catches it reports "Expecting value" there.
    Stop(usize),
    Error(DecodeError),
}

impl From<DecodeError> for Fail {
    fn from(err: DecodeError) -> Self {
        Fail::Error(err)
    }
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    values: usize,
    /// The first value that parsed but cannot be accepted; reported only if the
    /// whole document parses, since Python would have gone on too.
    deferred: Option<DecodeError>,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

fn hex_value(c: u8) -> Option<u32> {
    (c as char).to_digit(16)
}

impl Parser<'_> {
    // Offsets are kept in bytes; Python reports characters, counted only on error.
    fn char_pos(&self, byte: usize) -> usize {
        let mut byte = byte.min(self.b.len());
        while !self.s.is_char_boundary(byte) {
            byte -= 1;
        }
        self.s[..byte].chars().count()
    }

    fn syntax(&self, msg: &'static str, byte: usize) -> DecodeError {
        DecodeError::Syntax {
            msg,
            pos: self.char_pos(byte),
        }
    }

    fn defer(&mut self, err: DecodeError) {
        self.deferred.get_or_insert(err);
    }

    fn skip_ws(&self, mut idx: usize) -> usize {
        while idx < self.b.len() && is_ws(self.b[idx]) {
            idx += 1;
        }
        idx
    }

    fn count_value(&mut self) -> Result<(), DecodeError> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(DecodeError::TooManyValues);
        }
        Ok(())
    }

    fn scan(&mut self, idx: usize, depth: usize) -> Result<(Value, usize), Fail> {
        let Some(&c) = self.b.get(idx) else {
            return Err(Fail::Stop(idx));
        };
        let rest = &self.b[idx..];
        match c {
            b'"' => {
                self.count_value()?;
                let (text, end) = self.parse_string(idx + 1)?;
                return Ok((Value::String(text), end));
            }
            b'{' => return self.parse_object(idx + 1, depth + 1),
            b'[' => return self.parse_array(idx + 1, depth + 1),
            b'n' if rest.starts_with(b"null") => {
                self.count_value()?;
                return Ok((Value::Null, idx + 4));
            }
            b't' if rest.starts_with(b"true") => {
                self.count_value()?;
                return Ok((Value::Bool(true), idx + 4));
            }
            b'f' if rest.starts_with(b"false") => {
                self.count_value()?;
                return Ok((Value::Bool(false), idx + 5));
            }
            b'N' if rest.starts_with(b"NaN") => return self.non_finite(idx, 3),
            b'I' if rest.starts_with(b"Infinity") => return self.non_finite(idx, 8),
            b'-' if rest.starts_with(b"-Infinity") => return self.non_finite(idx, 9),
            _ => {}
        }
        self.match_number(idx)
    }

    fn non_finite(&mut self, idx: usize, len: usize) -> Result<(Value, usize), Fail> {
        self.count_value()?;
        let pos = self.char_pos(idx);
        self.defer(DecodeError::NonFinite { pos });
        Ok((Value::Null, idx + len))
    }

    // `_match_number_unicode`: an optional minus, an integer part without leading
    // zeros, then a fraction and an exponent only when digits follow them.
    fn match_number(&mut self, start: usize) -> Result<(Value, usize), Fail> {
        let b = self.b;
        let len = b.len();
        let digit = |i: usize| i < len && b[i].is_ascii_digit();
        let mut idx = start;
        if b[idx] == b'-' {
            idx += 1;
            if idx >= len {
                return Err(Fail::Stop(start));
            }
        }
        if (b'1'..=b'9').contains(&b[idx]) {
            idx += 1;
            while digit(idx) {
                idx += 1;
            }
        } else if b[idx] == b'0' {
            idx += 1;
        } else {
            return Err(Fail::Stop(start));
        }
        let mut is_float = false;
        if idx + 1 < len && b[idx] == b'.' && b[idx + 1].is_ascii_digit() {
            is_float = true;
            idx += 2;
            while digit(idx) {
                idx += 1;
            }
        }
        if idx + 1 < len && (b[idx] == b'e' || b[idx] == b'E') {
            let e_start = idx;
            idx += 1;
            if idx + 1 < len && (b[idx] == b'-' || b[idx] == b'+') {
                idx += 1;
            }
            while digit(idx) {
                idx += 1;
            }
            if b[idx - 1].is_ascii_digit() {
                is_float = true;
            } else {
                idx = e_start;
            }
        }
        self.count_value()?;
        let text = &self.s[start..idx];
        let number = if is_float {
            None
        } else if let Ok(i) = text.parse::<i64>() {
            Some(Number::from(i))
        } else if let Ok(u) = text.parse::<u64>() {
            Some(Number::from(u))
        } else {
            None
        };
        // Python keeps integers of any size; beyond 64 bits this keeps the nearest
        // float, and a float beyond the range of `f64` is Python's `inf`.
        let number = match number {
            Some(number) => number,
            None => match text.parse::<f64>().ok().and_then(Number::from_f64) {
                Some(number) => number,
                None => {
                    let pos = self.char_pos(start);
                    self.defer(DecodeError::NonFinite { pos });
                    return Ok((Value::Null, idx));
                }
            },
        };
        Ok((Value::Number(number), idx))
    }

    // `scanstring_unicode` in strict mode; `start` is just after the opening quote.
    fn parse_string(&mut self, start: usize) -> Result<(String, usize), Fail> {
        let b = self.b;
        let len = b.len();
        let begin = start - 1;
        let unterminated = |p: &Self| p.syntax("Unterminated string starting at", begin);
        let mut out = String::new();
        let mut idx = start;
        loop {
            let mut next = idx;
            while next < len && b[next] != b'"' && b[next] != b'\\' {
                if b[next] <= 0x1f {
                    return Err(self.syntax("Invalid control character at", next).into());
                }
                next += 1;
            }
            if next >= len {
                return Err(unterminated(self).into());
            }
            self.push_str(&mut out, &self.s[idx..next])?;
            let c = b[next];
            next += 1;
            if c == b'"' {
                return Ok((out, next));
            }
            if next == len {
                return Err(unterminated(self).into());
            }
            let escape = b[next];
            if escape != b'u' {
                let decoded = match escape {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'n' => '\n',
                    b'r' => '\r',
                    b't' => '\t',
                    _ => return Err(self.syntax("Invalid \\escape", next - 1).into()),
                };
                self.push_char(&mut out, decoded)?;
                idx = next + 1;
                continue;
            }
            next += 1;
            let mut end = next + 4;
            if end >= len {
                return Err(self.syntax("Invalid \\uXXXX escape", next - 1).into());
            }
            let mut unit = 0;
            for &h in &b[next..end] {
                let Some(v) = hex_value(h) else {
                    return Err(self.syntax("Invalid \\uXXXX escape", end - 5).into());
                };
                unit = unit * 16 + v;
            }
            let mut code = unit;
            if (0xd800..0xdc00).contains(&unit)
                && end + 6 < len
                && b[end] == b'\\'
                && b[end + 1] == b'u'
            {
                let second = end + 2;
                let second_end = end + 6;
                let mut low = 0;
                for &h in &b[second..second_end] {
                    let Some(v) = hex_value(h) else {
                        return Err(self.syntax("Invalid \\uXXXX escape", second_end - 5).into());
                    };
                    low = low * 16 + v;
                }
                if (0xdc00..0xe000).contains(&low) {
                    code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                    end = second_end;
                }
            }
            match char::from_u32(code) {
                Some(decoded) => self.push_char(&mut out, decoded)?,
                None => {
                    // Python keeps the lone surrogate in the string; it cannot be
                    // text here, so the body is refused once it has parsed.
                    let pos = self.char_pos(next - 2);
                    self.defer(DecodeError::LoneSurrogate { pos });
                    self.push_char(&mut out, char::REPLACEMENT_CHARACTER)?;
                }
            }
            idx = end;
        }
    }

    fn push_str(&self, out: &mut String, piece: &str) -> Result<(), DecodeError> {
        if out.len() + piece.len() > MAX_STRING_BYTES {
            return Err(DecodeError::StringTooLong);
        }
        out.push_str(piece);
        Ok(())
    }

    fn push_char(&self, out: &mut String, c: char) -> Result<(), DecodeError> {
        if out.len() + c.len_utf8() > MAX_STRING_BYTES {
            return Err(DecodeError::StringTooLong);
        }
        out.push(c);
        Ok(())
    }

    // `_parse_object_unicode`; `idx` is just after the `{`.
    fn parse_object(&mut self, idx: usize, depth: usize) -> Result<(Value, usize), Fail> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep.into());
        }
        self.count_value()?;
        let b = self.b;
        let len = b.len();
        let mut map = Map::new();
        let mut idx = self.skip_ws(idx);
        if idx >= len || b[idx] != b'}' {
            loop {
                if idx >= len || b[idx] != b'"' {
                    let msg = "Expecting property name enclosed in double quotes";
                    return Err(self.syntax(msg, idx).into());
                }
                let (key, next) = self.parse_string(idx + 1)?;
                idx = self.skip_ws(next);
                if idx >= len || b[idx] != b':' {
                    return Err(self.syntax("Expecting ':' delimiter", idx).into());
                }
                idx = self.skip_ws(idx + 1);
                let (value, next) = self.scan(idx, depth)?;
                map.insert(key, value);
                if map.len() > MAX_ENTRIES {
                    return Err(DecodeError::TooManyEntries.into());
                }
                idx = self.skip_ws(next);
                if idx < len && b[idx] == b'}' {
                    break;
                }
                if idx >= len || b[idx] != b',' {
                    return Err(self.syntax("Expecting ',' delimiter", idx).into());
                }
                idx = self.skip_ws(idx + 1);
            }
        }
        Ok((Value::Object(map), idx + 1))
    }

    // `_parse_array_unicode`; `idx` is just after the `[`.
    fn parse_array(&mut self, idx: usize, depth: usize) -> Result<(Value, usize), Fail> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep.into());
        }
        self.count_value()?;
        let b = self.b;
        let len = b.len();
        let mut items = Vec::new();
        let mut idx = self.skip_ws(idx);
        if idx >= len || b[idx] != b']' {
            loop {
                let (value, next) = self.scan(idx, depth)?;
                items.push(value);
                if items.len() > MAX_ENTRIES {
                    return Err(DecodeError::TooManyEntries.into());
                }
                idx = self.skip_ws(next);
                if idx < len && b[idx] == b']' {
                    break;
                }
                if idx >= len || b[idx] != b',' {
                    return Err(self.syntax("Expecting ',' delimiter", idx).into());
                }
                idx = self.skip_ws(idx + 1);
            }
        }
        Ok((Value::Array(items), idx + 1))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{DecodeError, MAX_DEPTH, MAX_ENTRIES, MAX_STRING_BYTES, decode, decode_str};

    // Each case was run through CPython 3.11's `json.loads`; the file holds the
    // message and offset of its `JSONDecodeError`, or the value it returned.
    const PYTHON_CASES: &str = include_str!("../testdata/python_json.json");

    #[test]
    fn agrees_with_cpython_on_every_recorded_case() {
        let cases: Vec<Value> = serde_json::from_str(PYTHON_CASES).unwrap();
        assert!(cases.len() > 50, "the recorded cases are missing");
        for case in cases {
            let text = case["text"].as_str().unwrap();
            let got = match decode_str(text) {
                Ok(value) => json!({ "value": value }),
                Err(DecodeError::Syntax { msg, pos }) => json!({ "error": msg, "pos": pos }),
                Err(DecodeError::NonFinite { .. }) => json!({ "non_finite": true }),
                Err(DecodeError::LoneSurrogate { .. }) => json!({ "lone_surrogate": true }),
                Err(other) => json!({ "other": format!("{other:?}") }),
            };
            assert_eq!(got, case["python"], "text {text:?}");
        }
    }

    #[test]
    fn detects_the_encodings_python_detects() {
        let utf16le: Vec<u8> = "{\"a\": 1}"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode(&utf16le), Ok(json!({"a": 1})));
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice(b"[1]");
        assert_eq!(decode(&bom), Ok(json!([1])));
        assert_eq!(decode(b"\xff\x00\x00"), Err(DecodeError::Encoding));
        assert_eq!(decode(b"[\"\xc3\x28\"]"), Err(DecodeError::Encoding));
    }

    #[test]
    fn values_json_cannot_carry_are_refused_after_the_syntax_is_checked() {
        assert_eq!(
            decode_str(r#"{"a": [NaN, 1e999]}"#),
            Err(DecodeError::NonFinite { pos: 7 })
        );
        assert_eq!(
            decode_str(r#"["\ud800"]"#),
            Err(DecodeError::LoneSurrogate { pos: 2 })
        );
        assert_eq!(
            decode_str("[NaN,"),
            Err(DecodeError::Syntax {
                msg: "Expecting value",
                pos: 5
            })
        );
    }

    #[test]
    fn bounds_depth_entries_and_string_length() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(decode_str(&deep).is_ok());
        let deeper = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(decode_str(&deeper), Err(DecodeError::TooDeep));
        // Far deeper than any stack could recurse: refused at the bound, not a crash.
        assert_eq!(
            decode_str(&"[".repeat(1_000_000)),
            Err(DecodeError::TooDeep)
        );
        let many = format!("[{}0]", "0,".repeat(MAX_ENTRIES));
        assert_eq!(decode_str(&many), Err(DecodeError::TooManyEntries));
        let long = format!("\"{}\"", "x".repeat(MAX_STRING_BYTES + 1));
        assert_eq!(decode_str(&long), Err(DecodeError::StringTooLong));
        let escaped = format!("\"{}\"", "\\n".repeat(MAX_STRING_BYTES + 1));
        assert_eq!(decode_str(&escaped), Err(DecodeError::StringTooLong));
    }
}
