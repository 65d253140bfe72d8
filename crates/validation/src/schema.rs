//! The schema walker: checks a JSON value against a type's schema as pydantic's lax
//! mode does, coercing in place what pydantic would coerce.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use schemars::JsonSchema;
use schemars::r#gen::SchemaSettings;
use schemars::schema::{InstanceType, RootSchema, Schema, SchemaObject, SingleOrVec};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use feather_types::{ErrorResponse, LocItem, ValidationError, codes};

use crate::pyjson::{self, DecodeError};

/// Why a request body was refused: the two answers the contract documents.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// FastAPI's 422: pydantic's list of errors.
    Invalid(Vec<ValidationError>),
    /// A 400 `ErrorResponse`: the body is not text, or crosses a bound of
    /// [`crate::pyjson`].
    BadRequest(ErrorResponse),
}

impl Rejection {
    fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Rejection::BadRequest(ErrorResponse {
            error: code.to_owned(),
            message: message.into(),
        })
    }
}

/// Validates a request body as FastAPI does and builds `T` from it.
///
/// `content_type` is the request's `Content-Type` header. As in FastAPI, a body
/// without one is read as JSON, and a body of another media type is validated as the
/// raw text it is (and so fails as "not an object"). The error is a 422 with
/// pydantic's details, or a 400 `ErrorResponse` for a body that is not text or that
/// crosses one of the bounds of [`crate::pyjson`].
pub fn json_body<T>(bytes: &[u8], content_type: Option<&str>) -> Result<T, Rejection>
where
    T: JsonSchema + DeserializeOwned + 'static,
{
    let loc = vec![LocItem::from("body")];
    if bytes.is_empty() {
        return Err(Rejection::Invalid(vec![error(
            &loc,
            "missing",
            "Field required",
            Value::Null,
            None,
        )]));
    }
    let Some(media_type) = content_type.filter(|c| !is_json_media_type(c)) else {
        let mut value = pyjson::decode(bytes).map_err(decode_error)?;
        return value_as::<T>(&mut value, loc).map_err(Rejection::Invalid);
    };
    let mut value = Value::String(String::from_utf8_lossy(bytes).into_owned());
    value_as::<T>(&mut value, loc).map_err(|mut errors| {
        // The error pydantic gives a body read as text says nothing of why it was
        // text; the sentence after it does (`curl -d` sends a form unless told).
        for error in &mut errors {
            if error.error_type == "model_attributes_type" && error.loc.len() == 1 {
                error.msg.push_str(&media_type_hint(media_type));
            }
        }
        Rejection::Invalid(errors)
    })
}

/// What [`json_body`] adds to the `msg` of a body that was read as text because of
/// its media type: which type it was sent as, and what to send instead. The type is
/// shown as its essence (no parameters), at most 64 characters.
pub fn media_type_hint(content_type: &str) -> String {
    let essence: String = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect();
    format!(
        " (the body was sent as {essence:?}, not JSON, so it was read as text; send \
         JSON with the header content-type: application/json)"
    )
}

/// The answer to a body `json.loads` would not turn into a value we can hold.
fn decode_error(err: DecodeError) -> Rejection {
    use crate::pyjson::{MAX_DEPTH, MAX_ENTRIES, MAX_STRING_BYTES, MAX_VALUES};
    match err {
        // FastAPI's answer to a `JSONDecodeError`: one `json_invalid` error whose
        // `loc` ends with the character offset and whose `ctx.error` is the message.
        DecodeError::Syntax { msg, pos } => Rejection::Invalid(vec![ValidationError {
            loc: vec![LocItem::from("body"), LocItem::from(pos)],
            msg: "JSON decode error".to_owned(),
            error_type: "json_invalid".to_owned(),
            input: Some(Value::Object(Map::new())),
            ctx: Some(Map::from_iter([(
                "error".to_owned(),
                Value::String(msg.to_owned()),
            )])),
        }]),
        DecodeError::Encoding => Rejection::bad_request(
            codes::INVALID_BODY,
            "The request body is not JSON text in UTF-8, UTF-16 or UTF-32.",
        ),
        DecodeError::LoneSurrogate { pos } => Rejection::bad_request(
            codes::INVALID_BODY,
            format!("The request body has an unpaired UTF-16 surrogate escape at character {pos}."),
        ),
        DecodeError::NonFinite { pos } => Rejection::bad_request(
            codes::NON_FINITE_NUMBER,
            format!(
                "The request body has NaN, Infinity or a number beyond the range of a \
                 float at character {pos}; JSON numbers must be finite."
            ),
        ),
        DecodeError::TooDeep => Rejection::bad_request(
            codes::JSON_TOO_DEEP,
            format!("The request body nests arrays and objects deeper than {MAX_DEPTH} levels."),
        ),
        DecodeError::TooManyEntries => Rejection::bad_request(
            codes::TOO_MANY_ITEMS,
            format!(
                "An array or object of the request body (such as messages) has more than \
                 {MAX_ENTRIES} entries."
            ),
        ),
        DecodeError::TooManyValues => Rejection::bad_request(
            codes::TOO_MANY_ITEMS,
            format!("The request body holds more than {MAX_VALUES} JSON values."),
        ),
        DecodeError::StringTooLong => Rejection::bad_request(
            codes::STRING_TOO_LONG,
            format!("A string of the request body is longer than {MAX_STRING_BYTES} bytes."),
        ),
    }
}

/// Validates one path or query parameter given as text, with `loc` `[location, name]`.
pub fn parameter<T>(location: &str, name: &str, raw: &str) -> Result<T, Vec<ValidationError>>
where
    T: JsonSchema + DeserializeOwned + 'static,
{
    let mut value = Value::String(raw.to_owned());
    value_as::<T>(
        &mut value,
        vec![LocItem::from(location), LocItem::from(name)],
    )
}

/// Checks `value` against `T`'s schema (coercing it in place) and deserialises it.
pub fn value_as<T>(value: &mut Value, mut loc: Vec<LocItem>) -> Result<T, Vec<ValidationError>>
where
    T: JsonSchema + DeserializeOwned + 'static,
{
    let root = schema_for::<T>();
    let mut errors = Vec::new();
    Walker { root: &root }.check(&root.schema, value, &mut loc, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    // Deserialised from the borrowed value: the walked value is not copied first.
    T::deserialize(&*value).map_err(|err| {
        vec![error(
            &loc,
            "value_error",
            &format!("Value error, {err}"),
            value.clone(),
            Some(json!({ "error": err.to_string() })),
        )]
    })
}

fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.split_once('/') {
        Some(("application", subtype)) => subtype == "json" || subtype.ends_with("+json"),
        _ => false,
    }
}

// Each type's schema is built once per process.
fn schema_for<T: JsonSchema + 'static>() -> Arc<RootSchema> {
    static CACHE: OnceLock<Mutex<HashMap<TypeId, Arc<RootSchema>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cache
        .entry(TypeId::of::<T>())
        .or_insert_with(|| {
            let generator = SchemaSettings::openapi3().into_generator();
            Arc::new(generator.into_root_schema_for::<T>())
        })
        .clone()
}

fn error(
    loc: &[LocItem],
    error_type: &str,
    msg: &str,
    input: Value,
    ctx: Option<Value>,
) -> ValidationError {
    ValidationError {
        loc: loc.to_vec(),
        msg: msg.to_owned(),
        error_type: error_type.to_owned(),
        input: Some(input),
        ctx: ctx.and_then(|c| match c {
            Value::Object(map) => Some(map),
            _ => None,
        }),
    }
}

struct Walker<'a> {
    root: &'a RootSchema,
}

impl Walker<'_> {
    fn resolve<'s>(&'s self, schema: &'s SchemaObject) -> Option<&'s SchemaObject> {
        let reference = schema.reference.as_deref()?;
        let name = reference.rsplit('/').next()?;
        match self.root.definitions.get(name)? {
            Schema::Object(object) => Some(object),
            Schema::Bool(_) => None,
        }
    }

    fn check(
        &self,
        schema: &SchemaObject,
        value: &mut Value,
        loc: &mut Vec<LocItem>,
        errors: &mut Vec<ValidationError>,
    ) {
        if schema.reference.is_some() {
            if let Some(target) = self.resolve(schema) {
                self.check(target, value, loc, errors);
            }
            return;
        }
        let nullable = schema.extensions.get("nullable") == Some(&Value::Bool(true));
        if value.is_null() && nullable {
            return;
        }
        if let Some(subschemas) = &schema.subschemas {
            if let Some(all_of) = &subschemas.all_of {
                for sub in all_of {
                    if let Schema::Object(sub) = sub {
                        self.check(sub, value, loc, errors);
                    }
                }
            }
            if let Some(any_of) = &subschemas.any_of {
                self.check_any_of(any_of, value, loc, errors);
            }
        }
        if let Some(allowed) = &schema.enum_values {
            if !allowed.contains(value) {
                let expected = expected_list(allowed);
                let msg = format!("Input should be {expected}");
                errors.push(error(
                    loc,
                    "enum",
                    &msg,
                    value.clone(),
                    Some(json!({ "expected": expected })),
                ));
            }
            return;
        }
        let Some(SingleOrVec::Single(instance_type)) = &schema.instance_type else {
            return;
        };
        match **instance_type {
            InstanceType::Object => self.check_object(schema, value, loc, errors),
            InstanceType::Array => self.check_array(schema, value, loc, errors),
            InstanceType::String => check_string(schema, value, loc, errors),
            InstanceType::Integer => check_integer(schema, value, loc, errors),
            InstanceType::Number => check_number(value, loc, errors),
            InstanceType::Boolean => check_bool(value, loc, errors),
            InstanceType::Null => {
                if !value.is_null() {
                    errors.push(error(
                        loc,
                        "none_required",
                        "Input should be None",
                        value.clone(),
                        None,
                    ));
                }
            }
        }
    }

    fn check_any_of(
        &self,
        any_of: &[Schema],
        value: &mut Value,
        loc: &mut Vec<LocItem>,
        errors: &mut Vec<ValidationError>,
    ) {
        let mut first_errors = None;
        for sub in any_of {
            let Schema::Object(sub) = sub else { return };
            let mut candidate = value.clone();
            let mut sub_errors = Vec::new();
            self.check(sub, &mut candidate, loc, &mut sub_errors);
            if sub_errors.is_empty() {
                *value = candidate;
                return;
            }
            first_errors.get_or_insert(sub_errors);
        }
        errors.extend(first_errors.unwrap_or_default());
    }

    fn check_object(
        &self,
        schema: &SchemaObject,
        value: &mut Value,
        loc: &mut Vec<LocItem>,
        errors: &mut Vec<ValidationError>,
    ) {
        let validation = schema.object.as_deref();
        let is_model = validation.is_some_and(|v| !v.properties.is_empty());
        let Value::Object(map) = value else {
            let (kind, msg) = if is_model {
                (
                    "model_attributes_type",
                    "Input should be a valid dictionary or object to extract fields from",
                )
            } else {
                ("dict_type", "Input should be a valid dictionary")
            };
            errors.push(error(loc, kind, msg, value.clone(), None));
            return;
        };
        let Some(validation) = validation else { return };
        // pydantic shows a missing field's error with the object as received; it is
        // copied only when one is missing (copying every object at every level cost
        // a third of validating a capture).
        let whole = validation
            .required
            .iter()
            .any(|name| !map.contains_key(name))
            .then(|| Value::Object(map.clone()));
        for (name, property) in &validation.properties {
            match map.get_mut(name) {
                Some(field) => {
                    if let Schema::Object(property) = property {
                        loc.push(LocItem::from(name.as_str()));
                        self.check(property, field, loc, errors);
                        loc.pop();
                    }
                }
                None if validation.required.contains(name) => {
                    loc.push(LocItem::from(name.as_str()));
                    let whole = whole.clone().unwrap_or_default();
                    errors.push(error(loc, "missing", "Field required", whole, None));
                    loc.pop();
                }
                None => {}
            }
        }
        let names = match validation.property_names.as_deref() {
            Some(Schema::Object(names)) => Some(names),
            _ => None,
        };
        let additional = match validation.additional_properties.as_deref() {
            Some(Schema::Object(additional)) => Some(additional),
            _ => None,
        };
        if names.is_none() && additional.is_none() {
            return;
        }
        // A typed dictionary, as pydantic checks one: each key (its error located at
        // `[key, "[key]"]`, a valid key kept as pydantic writes it back), then its value.
        let mut renamed = Vec::new();
        for (key, field) in map.iter_mut() {
            if validation.properties.contains_key(key) {
                continue;
            }
            loc.push(LocItem::from(key.as_str()));
            if let Some(names) = names {
                let mut name = Value::String(key.clone());
                loc.push(LocItem::from("[key]"));
                self.check(names, &mut name, loc, errors);
                loc.pop();
                if let Value::String(name) = name
                    && name != *key
                {
                    renamed.push((key.clone(), name));
                }
            }
            if let Some(additional) = additional {
                self.check(additional, field, loc, errors);
            }
            loc.pop();
        }
        for (old, new) in renamed {
            if let Some(field) = map.remove(&old) {
                map.insert(new, field);
            }
        }
    }

    fn check_array(
        &self,
        schema: &SchemaObject,
        value: &mut Value,
        loc: &mut Vec<LocItem>,
        errors: &mut Vec<ValidationError>,
    ) {
        let Value::Array(items) = value else {
            errors.push(error(
                loc,
                "list_type",
                "Input should be a valid list",
                value.clone(),
                None,
            ));
            return;
        };
        let item_schema = schema.array.as_deref().and_then(|a| match &a.items {
            Some(SingleOrVec::Single(item)) => match &**item {
                Schema::Object(object) => Some(object),
                Schema::Bool(_) => None,
            },
            _ => None,
        });
        let Some(item_schema) = item_schema else {
            return;
        };
        for (index, item) in items.iter_mut().enumerate() {
            loc.push(LocItem::from(index));
            self.check(item_schema, item, loc, errors);
            loc.pop();
        }
    }
}

fn expected_list(allowed: &[Value]) -> String {
    let quoted: Vec<String> = allowed
        .iter()
        .map(|v| match v {
            Value::String(s) => format!("'{s}'"),
            other => other.to_string(),
        })
        .collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn check_string(
    schema: &SchemaObject,
    value: &mut Value,
    loc: &[LocItem],
    errors: &mut Vec<ValidationError>,
) {
    match schema.format.as_deref() {
        Some("uuid") => check_uuid(value, loc, errors),
        Some("date-time") => check_datetime(value, loc, errors),
        _ => {
            let Value::String(text) = value else {
                errors.push(error(
                    loc,
                    "string_type",
                    "Input should be a valid string",
                    value.clone(),
                    None,
                ));
                return;
            };
            let Some(limits) = schema.string.as_deref() else {
                return;
            };
            let length = text.chars().count() as u32;
            if let Some(min) = limits.min_length.filter(|min| length < *min) {
                let unit = if min == 1 { "character" } else { "characters" };
                let msg = format!("String should have at least {min} {unit}");
                errors.push(error(
                    loc,
                    "string_too_short",
                    &msg,
                    value.clone(),
                    Some(json!({ "min_length": min })),
                ));
            } else if let Some(max) = limits.max_length.filter(|max| length > *max) {
                let unit = if max == 1 { "character" } else { "characters" };
                let msg = format!("String should have at most {max} {unit}");
                errors.push(error(
                    loc,
                    "string_too_long",
                    &msg,
                    value.clone(),
                    Some(json!({ "max_length": max })),
                ));
            }
        }
    }
}

// pydantic accepts every spelling the `uuid` crate parses (hyphenated, simple,
// braced, `urn:uuid:`, any case), and reports the crate's own message.
fn check_uuid(value: &mut Value, loc: &[LocItem], errors: &mut Vec<ValidationError>) {
    let Value::String(text) = value else {
        let msg = "UUID input should be a string, bytes or UUID object";
        errors.push(error(loc, "uuid_type", msg, value.clone(), None));
        return;
    };
    match uuid::Uuid::parse_str(text) {
        Ok(parsed) => *value = Value::String(parsed.hyphenated().to_string()),
        Err(err) => {
            let msg = format!("Input should be a valid UUID, {err}");
            errors.push(error(
                loc,
                "uuid_parsing",
                &msg,
                value.clone(),
                Some(json!({ "error": err.to_string() })),
            ));
        }
    }
}

fn check_datetime(value: &mut Value, loc: &[LocItem], errors: &mut Vec<ValidationError>) {
    match value {
        Value::String(text) => {
            if let Err(reason) = crate::datetime::check(text) {
                let msg = format!("Input should be a valid datetime or date, {reason}");
                errors.push(error(
                    loc,
                    "datetime_from_date_parsing",
                    &msg,
                    value.clone(),
                    Some(json!({ "error": reason })),
                ));
            }
        }
        Value::Number(number) => match crate::datetime::from_number(number) {
            Ok(text) => *value = Value::String(text),
            Err(reason) => {
                let msg = format!("Input should be a valid datetime, {reason}");
                errors.push(error(
                    loc,
                    "datetime_parsing",
                    &msg,
                    value.clone(),
                    Some(json!({ "error": reason })),
                ));
            }
        },
        _ => errors.push(error(
            loc,
            "datetime_type",
            "Input should be a valid datetime",
            value.clone(),
            None,
        )),
    }
}

/// The refusal of an integer beyond 64 bits, which pydantic would keep: the server
/// stores and drafts 64-bit integers, so it says so rather than losing digits.
const TOO_BIG: &str = "Input should be a valid integer, this server keeps integers between \
-9223372036854775808 and 9223372036854775807";

fn check_integer(
    schema: &SchemaObject,
    value: &mut Value,
    loc: &[LocItem],
    errors: &mut Vec<ValidationError>,
) {
    // pydantic reports a constraint error with the input as given, before coercion.
    let original = value.clone();
    let parsed: Result<i64, (&str, &str)> = match &*value {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(i),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(f as i64),
            // pydantic keeps integers of any size; this server keeps 64 bits.
            (None, Some(f)) if f.fract() == 0.0 => Err(("int_parsing_size", TOO_BIG)),
            (None, Some(_)) => Err((
                "int_from_float",
                "Input should be a valid integer, got a number with a fractional part",
            )),
            _ => Err((
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
            )),
        },
        Value::Bool(b) => Ok(i64::from(*b)),
        Value::String(s) => s.trim().parse::<i64>().map_err(|err| {
            use std::num::IntErrorKind::{NegOverflow, PosOverflow};
            match err.kind() {
                PosOverflow | NegOverflow => ("int_parsing_size", TOO_BIG),
                _ => (
                    "int_parsing",
                    "Input should be a valid integer, unable to parse string as an integer",
                ),
            }
        }),
        _ => Err(("int_type", "Input should be a valid integer")),
    };
    match parsed {
        Ok(i) => {
            *value = Value::from(i);
            if let Some(number) = schema.number.as_deref() {
                if let Some(max) = number.maximum.filter(|max| (i as f64) > *max) {
                    let msg = format!("Input should be less than or equal to {max}");
                    errors.push(error(
                        loc,
                        "less_than_equal",
                        &msg,
                        original.clone(),
                        Some(json!({ "le": max as i64 })),
                    ));
                } else if let Some(min) = number.minimum.filter(|min| (i as f64) < *min) {
                    let msg = format!("Input should be greater than or equal to {min}");
                    errors.push(error(
                        loc,
                        "greater_than_equal",
                        &msg,
                        original.clone(),
                        Some(json!({ "ge": min as i64 })),
                    ));
                }
            }
        }
        Err((kind, msg)) => errors.push(error(loc, kind, msg, value.clone(), None)),
    }
}

fn check_number(value: &mut Value, loc: &[LocItem], errors: &mut Vec<ValidationError>) {
    match &*value {
        Value::Number(_) => {}
        Value::Bool(b) => *value = Value::from(if *b { 1.0 } else { 0.0 }),
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(f) if f.is_finite() => *value = Value::from(f),
            _ => errors.push(error(
                loc,
                "float_parsing",
                "Input should be a valid number, unable to parse string as a number",
                value.clone(),
                None,
            )),
        },
        _ => errors.push(error(
            loc,
            "float_type",
            "Input should be a valid number",
            value.clone(),
            None,
        )),
    }
}

fn check_bool(value: &mut Value, loc: &[LocItem], errors: &mut Vec<ValidationError>) {
    let parsed = match &*value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_f64() {
            Some(0.0) => Some(false),
            Some(1.0) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "0" | "off" | "f" | "false" | "n" | "no" => Some(false),
            "1" | "on" | "t" | "true" | "y" | "yes" => Some(true),
            _ => None,
        },
        _ => {
            errors.push(error(
                loc,
                "bool_type",
                "Input should be a valid boolean",
                value.clone(),
                None,
            ));
            return;
        }
    };
    match parsed {
        Some(b) => *value = Value::Bool(b),
        None => errors.push(error(
            loc,
            "bool_parsing",
            "Input should be a valid boolean, unable to interpret input",
            value.clone(),
            None,
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use feather_types::{
        HTTPValidationError, ScenarioDraftFromSessionRequest, SessionAnalysisInput, ValidationError,
    };

    use super::Rejection;

    fn details<T: std::fmt::Debug>(result: Result<T, Rejection>) -> Vec<ValidationError> {
        match result.unwrap_err() {
            Rejection::Invalid(detail) => detail,
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    fn draft_request(body: &str) -> Value {
        match super::json_body::<ScenarioDraftFromSessionRequest>(
            body.as_bytes(),
            Some("application/json"),
        ) {
            Ok(request) => json!({ "ok": request.session_id }),
            Err(Rejection::Invalid(detail)) => {
                serde_json::to_value(HTTPValidationError { detail }).unwrap()
            }
            Err(Rejection::BadRequest(body)) => serde_json::to_value(body).unwrap(),
        }
    }

    // The bodies upstream (FastAPI + pydantic v2) answers for these requests.
    #[test]
    fn matches_upstream_for_the_documented_cases() {
        let cases = [
            (
                "{}",
                json!({"detail":[{"type":"missing","loc":["body","session_id"],"msg":"Field required","input":{}}]}),
            ),
            (
                r#"{"session_id":"abc"}"#,
                json!({"detail":[{"type":"uuid_parsing","loc":["body","session_id"],"msg":"Input should be a valid UUID, invalid length: found 3","input":"abc","ctx":{"error":"invalid length: found 3"}}]}),
            ),
            (
                r#"{"session_id":42}"#,
                json!({"detail":[{"type":"uuid_type","loc":["body","session_id"],"msg":"UUID input should be a string, bytes or UUID object","input":42}]}),
            ),
            (
                "[]",
                json!({"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[]}]}),
            ),
            (
                r#"{"session_id": "#,
                json!({"detail":[{"type":"json_invalid","loc":["body",15],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting value"}}]}),
            ),
            (
                "",
                json!({"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}),
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(draft_request(body), expected, "body {body:?}");
        }
    }

    #[test]
    fn accepts_every_uuid_spelling_pydantic_accepts_and_ignores_extra_fields() {
        let id = "530c7c15-5f40-50b5-ad85-695b8f780877";
        for spelling in [
            id.to_owned(),
            id.to_uppercase(),
            id.replace('-', ""),
            format!("{{{id}}}"),
            format!("urn:uuid:{id}"),
        ] {
            let body = json!({ "session_id": spelling, "extra": [1, 2] }).to_string();
            assert_eq!(draft_request(&body), json!({ "ok": id }), "{spelling}");
        }
    }

    #[test]
    fn a_non_json_media_type_is_validated_as_text() {
        let errors = details(super::json_body::<ScenarioDraftFromSessionRequest>(
            b"session_id=1",
            Some("text/plain"),
        ));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].error_type, "model_attributes_type");
        assert_eq!(errors[0].input, Some(json!("session_id=1")));
    }

    /// The 422 of a body read as text because of its media type (what `curl -d`
    /// sends without a content type of JSON) says why after pydantic's sentence,
    /// and stays FastAPI's `HTTPValidationError` otherwise.
    #[test]
    fn a_body_read_as_text_says_which_media_type_it_was_sent_as() {
        let errors = details(super::json_body::<ScenarioDraftFromSessionRequest>(
            br#"{"session_id": "530c7c15-5f40-50b5-ad85-695b8f780877"}"#,
            Some("application/x-www-form-urlencoded; charset=utf-8"),
        ));
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].loc, vec![super::LocItem::from("body")]);
        assert_eq!(
            errors[0].msg,
            "Input should be a valid dictionary or object to extract fields from (the body \
             was sent as \"application/x-www-form-urlencoded\", not JSON, so it was read as \
             text; send JSON with the header content-type: application/json)"
        );
        // A JSON body that is not an object gets pydantic's sentence alone.
        let errors = details(super::json_body::<ScenarioDraftFromSessionRequest>(
            b"[]",
            Some("application/json"),
        ));
        assert_eq!(
            errors[0].msg,
            "Input should be a valid dictionary or object to extract fields from"
        );
    }

    #[test]
    fn reports_nested_errors_with_full_locations_all_at_once() {
        let body = json!({
            "session_id": "530c7c15-5f40-50b5-ad85-695b8f780877",
            "organization_id": "5089f4bc-8601-5899-8283-2b9a5d462041",
            "agent_id": null,
            "channel": 7,
            "started_at": "2026-11-20T15:00:00Z",
            "ended_at": null,
            "completion_reason": null,
            "knowledge_gap_analysis_outcome": "lost",
            "messages": [
                {"turn_id": "3ff2c61a-abc5-566e-9580-b30e44b78527", "role": "user", "timestamp": "2026-11-20T15:00:00Z"},
                {"turn_id": "x", "role": "user", "timestamp": "yesterday", "content": "hi", "latency_ms": "12"}
            ]
        });
        let errors = details(super::json_body::<SessionAnalysisInput>(
            body.to_string().as_bytes(),
            None,
        ));
        let summary: Vec<(String, Value)> = errors
            .iter()
            .map(|e| (e.error_type.clone(), serde_json::to_value(&e.loc).unwrap()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("string_type".to_owned(), json!(["body", "channel"])),
                (
                    "enum".to_owned(),
                    json!(["body", "knowledge_gap_analysis_outcome"])
                ),
                (
                    "missing".to_owned(),
                    json!(["body", "messages", 0, "content"])
                ),
                (
                    "uuid_parsing".to_owned(),
                    json!(["body", "messages", 1, "turn_id"])
                ),
                (
                    "datetime_from_date_parsing".to_owned(),
                    json!(["body", "messages", 1, "timestamp"])
                ),
            ]
        );
    }

    #[test]
    fn coerces_what_pydantic_coerces() {
        let mut value = json!({"tool_call_id": "c1", "assistant_turn_id": "3FF2C61AABC5566E9580B30E44B78527", "name": "n", "arguments": "{}", "latency_ms": "12"});
        let entry: feather_types::session::ToolCallEntry =
            super::value_as(&mut value, vec![]).unwrap();
        assert_eq!(entry.latency_ms, Some(12));
        assert_eq!(
            entry.assistant_turn_id.to_string(),
            "3ff2c61a-abc5-566e-9580-b30e44b78527"
        );
    }

    #[test]
    fn integers_beyond_64_bits_are_refused_saying_why() {
        for latency in [
            json!(12345678901234567890_u64),
            json!("-99999999999999999999"),
        ] {
            let mut value = json!({"tool_call_id": "c1", "assistant_turn_id": "3ff2c61a-abc5-566e-9580-b30e44b78527", "name": "n", "arguments": "{}", "latency_ms": latency});
            let errors = details(
                super::value_as::<feather_types::session::ToolCallEntry>(&mut value, vec![])
                    .map_err(Rejection::Invalid),
            );
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].error_type, "int_parsing_size");
            assert!(
                errors[0].msg.contains("9223372036854775807"),
                "{}",
                errors[0].msg
            );
        }
    }

    #[test]
    fn dictionary_keys_are_validated_with_a_key_location() {
        let mut value = json!({"captured_at": "2026-11-20T15:00:00Z", "kb_versions": {
            "nope": 1,
            "3FF2C61AABC5566E9580B30E44B78527": 2,
            "5089f4bc-8601-5899-8283-2b9a5d462041": "three",
        }});
        let errors = details(
            super::value_as::<feather_types::session::KbSnapshotEntry>(&mut value, vec![])
                .map_err(Rejection::Invalid),
        );
        let summary: Vec<_> = errors
            .iter()
            .map(|e| (e.error_type.as_str(), serde_json::to_value(&e.loc).unwrap()))
            .collect();
        assert_eq!(
            summary,
            // pydantic's errors (2.14), in the order of the keys: pydantic lists them in
            // the order of the input, which a JSON map here does not keep (README).
            vec![
                (
                    "int_parsing",
                    json!(["kb_versions", "5089f4bc-8601-5899-8283-2b9a5d462041"])
                ),
                ("uuid_parsing", json!(["kb_versions", "nope", "[key]"])),
            ]
        );
        assert_eq!(
            errors[1].msg,
            "Input should be a valid UUID, invalid character: found `n` at 0"
        );
        // A valid key in another spelling is kept as pydantic writes it back.
        let mut valid = json!({"captured_at": "2026-11-20T15:00:00Z", "kb_versions": {
            "3FF2C61AABC5566E9580B30E44B78527": 2,
        }});
        let entry: feather_types::session::KbSnapshotEntry =
            super::value_as(&mut valid, vec![]).unwrap();
        assert_eq!(
            entry.kb_versions.keys().collect::<Vec<_>>(),
            vec!["3ff2c61a-abc5-566e-9580-b30e44b78527"]
        );
    }
}
