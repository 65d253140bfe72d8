//! Shared pieces of the integration tests: paths, documents, a running server.

use std::path::PathBuf;

use feather_server::{RunningServer, ServerConfig};
use serde_json::Value;

/// The API key the test servers accept.
pub const API_KEY: &str = "integration-test-key";

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The checked-in contract.
pub fn openapi_json() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A file from `tests/upstream/`.
pub fn upstream_file(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join("tests/upstream").join(name)).unwrap()
}

/// The example sessions, as (file name, JSON).
pub fn examples() -> Vec<(&'static str, Value)> {
    feather_server::demo::EXAMPLES
        .iter()
        .map(|(name, text)| (*name, serde_json::from_str(text).unwrap()))
        .collect()
}

/// A server on 127.0.0.1 with an ephemeral port and its own SQLite file.
pub struct TestServer {
    pub server: RunningServer,
    pub base_url: String,
    /// The server's SQLite file, to reach the store behind the server's back.
    pub database_url: String,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// A server whose configuration `adjust` changes first.
    pub async fn start_with(adjust: impl FnOnce(&mut ServerConfig)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut config = ServerConfig {
            bind: "127.0.0.1:0".parse().unwrap(),
            database_url: dir.path().join("feather.db").display().to_string(),
            api_key: Some(API_KEY.to_owned()),
            log_level: "warn".to_owned(),
            ..ServerConfig::default()
        };
        adjust(&mut config);
        let server = feather_server::start(&config).await.unwrap();
        let base_url = format!("http://{}", server.local_addr());
        TestServer {
            server,
            base_url,
            database_url: config.database_url,
            _dir: dir,
        }
    }

    pub fn client(&self) -> feather_client::Client {
        feather_client::with_api_key(&self.base_url, API_KEY).unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}
