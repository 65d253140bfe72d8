//! Workspace-level tests, linked once as one binary:
//! - `contract`: the server's document equals `openapi.json`, and `openapi.json`
//!   means the same as the upstream contract (with mutation tests of that check);
//! - `end_to_end`: the real server on an ephemeral port with a temporary SQLite
//!   file, driven by the generated client;
//! - `docs`: `GET /openapi.json` is the checked-in file, `GET /docs` and its
//!   assets are served by the binary, and neither is an operation of the contract;
//! - `parity`: a table of bad requests answered as upstream (FastAPI) answers them;
//! - `second_client`: the TypeScript client's generated types follow openapi.json.

mod contract;
mod docs;
mod end_to_end;
mod parity;
mod second_client;
mod support;
