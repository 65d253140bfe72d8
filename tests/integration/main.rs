//! Workspace-level tests, linked once as one binary:
//! - `contract`: the server's document equals `openapi.json`, and `openapi.json`
//!   means the same as the upstream contract (with mutation tests of that check);
//! - `end_to_end`: the real server on an ephemeral port with a temporary SQLite
//!   file, driven by the generated client.

mod contract;
mod end_to_end;
mod support;
