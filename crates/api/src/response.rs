//! Response bodies serialised ahead of time.
//!
//! A draft is a pure function of its session, so the server makes it once, when the
//! session is captured, and keeps its JSON text beside the session. Answering a
//! request then means copying that text into the response, not building and
//! serialising a [`crate::ScenarioDraft`] again. [`Serialized<T>`] carries such text
//! through dropshot's typed responses: it serialises as the text itself, verbatim,
//! and documents itself as `T`, so the contract is the same as for
//! `HttpResponseOk<T>`.
//!
//! Whoever makes a `Serialized<T>` from stored text vouches that the text is a
//! serialised `T`; [`Serialized::from_json_text`] checks only that it is JSON.

use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::Schema;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// The JSON text of a `T`, sent as is.
pub struct Serialized<T> {
    json: Box<RawValue>,
    kind: PhantomData<fn() -> T>,
}

impl<T: Serialize> Serialized<T> {
    /// Serialises `value` now.
    pub fn new(value: &T) -> Result<Self, serde_json::Error> {
        Self::from_json_text(serde_json::to_string(value)?)
    }
}

impl<T> Serialized<T> {
    /// Text that was made by serialising a `T` (the caller vouches for that). It is
    /// checked to be one JSON value, so a damaged text is an error here rather
    /// than a broken response.
    pub fn from_json_text(json: String) -> Result<Self, serde_json::Error> {
        Ok(Serialized {
            json: RawValue::from_string(json)?,
            kind: PhantomData,
        })
    }

    /// The JSON text.
    pub fn json_text(&self) -> &str {
        self.json.get()
    }

    /// The JSON text, owned.
    pub fn into_json_text(self) -> String {
        String::from(Box::<str>::from(self.json))
    }
}

impl<T> Serialize for Serialized<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<T> fmt::Debug for Serialized<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Serialized").field(&self.json.get()).finish()
    }
}

impl<T> Clone for Serialized<T> {
    fn clone(&self) -> Self {
        Serialized {
            json: self.json.clone(),
            kind: PhantomData,
        }
    }
}

// The schema is T's, under T's name, so the OpenAPI document cannot tell the two
// apart.
impl<T: JsonSchema> JsonSchema for Serialized<T> {
    fn is_referenceable() -> bool {
        T::is_referenceable()
    }

    fn schema_name() -> String {
        T::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, JsonSchema)]
    struct Example {
        name: String,
        count: u32,
    }

    #[test]
    fn serialises_as_the_text_it_holds() {
        let made = Serialized::new(&Example {
            name: "a \"quoted\" é".to_owned(),
            count: 3,
        })
        .unwrap();
        assert_eq!(made.json_text(), r#"{"name":"a \"quoted\" é","count":3}"#);
        assert_eq!(serde_json::to_string(&made).unwrap(), made.json_text());

        // Stored text is sent byte for byte, spacing and key order included.
        let stored =
            Serialized::<Example>::from_json_text(r#"{ "count": 3,"name":"x" }"#.into()).unwrap();
        assert_eq!(
            serde_json::to_vec(&stored).unwrap(),
            br#"{ "count": 3,"name":"x" }"#
        );
        assert_eq!(stored.into_json_text(), r#"{ "count": 3,"name":"x" }"#);
    }

    #[test]
    fn damaged_text_is_refused() {
        for text in ["", "{", r#"{"name": "x"} trailing"#, "nul"] {
            assert!(
                Serialized::<Example>::from_json_text(text.to_owned()).is_err(),
                "{text:?} was accepted"
            );
        }
    }

    #[test]
    fn documents_itself_as_the_type_it_holds() {
        let mut plain = SchemaGenerator::default();
        let mut serialized = SchemaGenerator::default();
        assert_eq!(
            serde_json::to_value(plain.subschema_for::<Example>()).unwrap(),
            serde_json::to_value(serialized.subschema_for::<Serialized<Example>>()).unwrap()
        );
        assert_eq!(
            serde_json::to_value(plain.definitions()).unwrap(),
            serde_json::to_value(serialized.definitions()).unwrap()
        );
    }
}
