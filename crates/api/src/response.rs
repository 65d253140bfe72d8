//! A 200 response whose JSON body was serialised ahead of time.
//!
//! A draft is a pure function of its session, so the server makes it once, when the
//! session is captured, and keeps its JSON text beside the session. Answering a
//! request then means handing that text to the connection, not building and
//! serialising a [`crate::ScenarioDraft`] again, nor even re-reading the text to
//! check it (dropshot's `HttpResponseOk` can only send what it serialises itself).
//! [`SerializedOk<T>`] is that response: its body is the text, verbatim, and it
//! documents itself exactly as `HttpResponseOk<T>` does, so the contract cannot
//! tell the two apart.
//!
//! Whoever makes one from stored text vouches that the text is a serialised `T`.
//! The server's stores check that a draft is JSON when it is stored (a `CHECK
//! (json_valid(...))` in SQLite, the `JSON` type in PostgreSQL), and only drafts
//! made by the same drafter version are served.

use std::marker::PhantomData;

use dropshot::{
    ApiEndpointResponse, Body, CONTENT_TYPE_JSON, HttpError, HttpResponse, HttpResponseOk,
};
use http::{Response, StatusCode};
use schemars::JsonSchema;
use serde::Serialize;

/// `200 OK` with a `T`, given as its JSON text.
pub struct SerializedOk<T> {
    json: String,
    kind: PhantomData<fn() -> T>,
}

impl<T> SerializedOk<T> {
    /// Text that was made by serialising a `T`; the caller vouches for that, and
    /// it is sent as is.
    pub fn from_json_text(json: String) -> Self {
        SerializedOk {
            json,
            kind: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for SerializedOk<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SerializedOk").field(&self.json).finish()
    }
}

impl<T> HttpResponse for SerializedOk<T>
where
    T: JsonSchema + Serialize + Send + Sync + 'static,
{
    fn to_result(self) -> Result<Response<Body>, HttpError> {
        Ok(Response::builder()
            .status(StatusCode::OK)
            .header(http::header::CONTENT_TYPE, CONTENT_TYPE_JSON)
            .body(Body::from(self.json))?)
    }

    fn response_metadata() -> ApiEndpointResponse {
        HttpResponseOk::<T>::response_metadata()
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::OK
    }
}

#[cfg(test)]
mod tests {
    use dropshot::{ApiDescription, RequestContext};
    use http_body_util::BodyExt;

    use super::*;

    #[derive(Serialize, JsonSchema)]
    struct Example {
        name: String,
        count: u32,
    }

    #[tokio::test]
    async fn the_body_is_the_text_verbatim() {
        // Stored text goes out byte for byte, spacing and key order included.
        let stored = SerializedOk::<Example>::from_json_text(r#"{ "count": 3,"name":"x" }"#.into());
        assert_eq!(stored.status_code(), StatusCode::OK);
        let response = stored.to_result().unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[http::header::CONTENT_TYPE],
            CONTENT_TYPE_JSON
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], br#"{ "count": 3,"name":"x" }"#);
    }

    #[dropshot::endpoint { method = GET, path = "/example", operation_id = "example" }]
    async fn typed_example(_: RequestContext<()>) -> Result<HttpResponseOk<Example>, HttpError> {
        unreachable!("only documented")
    }

    #[dropshot::endpoint { method = GET, path = "/example", operation_id = "example" }]
    async fn serialized_example(_: RequestContext<()>) -> Result<SerializedOk<Example>, HttpError> {
        unreachable!("only documented")
    }

    #[test]
    fn documents_itself_as_http_response_ok() {
        let document = |register: fn(&mut ApiDescription<()>)| {
            let mut api = ApiDescription::new();
            register(&mut api);
            serde_json::to_value(
                api.openapi("t", semver::Version::new(1, 0, 0))
                    .json()
                    .unwrap(),
            )
            .unwrap()
        };
        let typed = document(|api| api.register(typed_example).unwrap());
        let serialized = document(|api| api.register(serialized_example).unwrap());
        assert_eq!(typed, serialized);
        assert_eq!(
            serialized["paths"]["/example"]["get"]["responses"]["200"]["content"]["application/json"]
                ["schema"]["$ref"],
            "#/components/schemas/Example"
        );
    }
}
