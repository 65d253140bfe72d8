//! A client for a server whose certificate your own authority signed, or that
//! signed itself (`feather serve --tls-cert cert.pem --tls-key key.pem`): the HTTPS
//! section of the client's README.
//!
//! ```sh
//! FEATHER_URL=https://localhost:8443 FEATHER_API_KEY=fk_... \
//!     cargo run -p feather-client --example https -- cert.pem 530c7c15-5f40-50b5-ad85-695b8f780877
//! ```
//!
//! The workspace's integration tests run [`client_trusting`] against a TLS server.

use feather_client::reqwest::Certificate;

/// A client for `base_url` that trusts the certificate authority (or self-signed
/// certificate) in the PEM file `ca_file`, besides the platform's.
pub fn client_trusting(
    base_url: &str,
    api_key: &str,
    ca_file: &str,
) -> Result<feather_client::Client, String> {
    let pem = std::fs::read(ca_file).map_err(|e| format!("cannot read {ca_file}: {e}"))?;
    let ca = Certificate::from_pem(&pem).map_err(|e| format!("{ca_file}: {e}"))?;
    let http = feather_client::http_client_builder(api_key)
        .map_err(|e| e.to_string())?
        .tls_certs_merge([ca])
        .build()
        .map_err(|e| e.to_string())?;
    Ok(feather_client::with_http_client(base_url, http))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let base_url = std::env::var("FEATHER_URL").unwrap_or("https://localhost:8443".into());
    let api_key = std::env::var("FEATHER_API_KEY").map_err(|_| "set FEATHER_API_KEY")?;
    let mut args = std::env::args().skip(1);
    let (Some(ca_file), Some(session_id)) = (args.next(), args.next()) else {
        return Err("usage: https CA_FILE SESSION_ID".into());
    };
    let session_id: uuid::Uuid = session_id
        .parse()
        .map_err(|e| format!("SESSION_ID must be a UUID: {e}"))?;
    let client = client_trusting(&base_url, &api_key, &ca_file)?;
    let draft = client
        .draft_scenario_from_session()
        .body_map(|body| body.session_id(session_id))
        .send()
        .await
        .map_err(|e| {
            // The error alone says "error sending request"; its causes say why.
            let mut text = e.to_string();
            let mut cause = std::error::Error::source(&e);
            while let Some(error) = cause {
                text = format!("{text}: {error}");
                cause = error.source();
            }
            text
        })?;
    println!("{}: {}", *draft.name, *draft.intent);
    Ok(())
}
