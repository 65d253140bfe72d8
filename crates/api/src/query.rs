//! `QueryParams<T>`: query parameters that the handler validates, not dropshot.
//!
//! Dropshot's `Query<T>` answers a query it cannot deserialise (a repeated
//! parameter, say) with its own 400 before the handler runs, so before the API key is
//! checked. This extractor only keeps the raw query string and documents `T`'s
//! parameters exactly as `Query<T>` does; [`QueryParams::parse`] reads them the way
//! Starlette does (the last of repeated parameters wins, `+` is a space, bad UTF-8 is
//! replaced) and validates them with pydantic's 422 under `loc ["query", name]`.

use std::marker::PhantomData;

use async_trait::async_trait;
use dropshot::{
    ApiEndpointBodyContentType, ExtractorMetadata, HttpError, Query, RequestContext, ServerContext,
    SharedExtractor,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;
use feather_types::LocItem;

/// The raw query string of a request, documented in the contract as `T`'s fields.
#[derive(Debug)]
pub struct QueryParams<T> {
    raw: String,
    _type: PhantomData<fn() -> T>,
}

impl<T: JsonSchema + DeserializeOwned + 'static> QueryParams<T> {
    /// A query as if it had been read from a request (without the `?`).
    pub fn from_raw(raw: impl Into<String>) -> Self {
        QueryParams {
            raw: raw.into(),
            _type: PhantomData,
        }
    }

    /// Validates the parameters as FastAPI would and returns `T`, or the 422.
    pub fn parse(&self) -> Result<T, ApiError> {
        let mut params = Map::new();
        for (name, value) in pairs(&self.raw) {
            params.insert(name, Value::String(value));
        }
        let mut value = Value::Object(params);
        feather_validation::value_as::<T>(&mut value, vec![LocItem::from("query")])
            .map_err(ApiError::validation)
    }
}

/// `urllib.parse.parse_qsl(query, keep_blank_values=True)`, as Starlette calls it:
/// `application/x-www-form-urlencoded` pairs, which is what `form_urlencoded` parses.
pub fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

#[async_trait]
impl<T> SharedExtractor for QueryParams<T>
where
    T: JsonSchema + DeserializeOwned + Send + Sync + 'static,
{
    async fn from_request<Context: ServerContext>(
        rqctx: &RequestContext<Context>,
    ) -> Result<Self, HttpError> {
        Ok(QueryParams {
            raw: rqctx.request.uri().query().unwrap_or("").to_owned(),
            _type: PhantomData,
        })
    }

    // Documented exactly as dropshot documents a `Query<T>`.
    fn metadata(content_type: ApiEndpointBodyContentType) -> ExtractorMetadata {
        <Query<T> as SharedExtractor>::metadata(content_type)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{QueryParams, pairs};
    use crate::{ErrorBody, SessionAttribution};

    #[test]
    fn reads_queries_as_starlette_does() {
        assert_eq!(
            pairs("a=1&b=x+y%21&&c&a=%zz&d=%E2%82%AC"),
            vec![
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y!".to_owned()),
                ("c".to_owned(), String::new()),
                ("a".to_owned(), "%zz".to_owned()),
                ("d".to_owned(), "€".to_owned()),
            ]
        );
    }

    #[test]
    fn the_last_repeated_parameter_wins_and_bad_values_are_422() {
        let parsed = QueryParams::<SessionAttribution>::from_raw("agent_name=a&agent_name=b")
            .parse()
            .unwrap();
        assert_eq!(parsed.agent_name.as_deref(), Some("b"));
        let err = QueryParams::<SessionAttribution>::from_raw("persona_id=abcd")
            .parse()
            .unwrap_err();
        let ErrorBody::Validation(body) = err.body() else {
            panic!("expected a 422, got {err:?}");
        };
        assert_eq!(
            serde_json::to_value(&body.detail).unwrap(),
            json!([{"type": "uuid_parsing", "loc": ["query", "persona_id"],
                    "msg": "Input should be a valid UUID, invalid length: found 4",
                    "input": "abcd", "ctx": {"error": "invalid length: found 4"}}])
        );
    }
}
