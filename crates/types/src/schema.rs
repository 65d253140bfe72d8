//! Schemas that schemars cannot derive as the contract writes them, for
//! `#[schemars(schema_with = ...)]` here and in the crates that document bodies of
//! their own (the drafter's chat-log format): a date-time is a string of format
//! `date-time`, not chrono's or a plain string, and OpenAPI 3.0 says "may be null"
//! with `nullable: true`.

use schemars::r#gen::SchemaGenerator;
use schemars::schema::{InstanceType, Schema, SchemaObject};

/// A schema of `instance_type` with `format`, marked `nullable` when asked.
pub fn typed(instance_type: InstanceType, format: Option<&str>, nullable: bool) -> Schema {
    let mut schema = SchemaObject {
        instance_type: Some(instance_type.into()),
        format: format.map(str::to_owned),
        ..Default::default()
    };
    if nullable {
        schema
            .extensions
            .insert("nullable".to_owned(), serde_json::Value::Bool(true));
    }
    Schema::Object(schema)
}

/// A date-time string.
pub fn datetime(_: &mut SchemaGenerator) -> Schema {
    typed(InstanceType::String, Some("date-time"), false)
}

/// A date-time string or null.
pub fn nullable_datetime(_: &mut SchemaGenerator) -> Schema {
    typed(InstanceType::String, Some("date-time"), true)
}
