//! Workspace-level tests, linked once as one binary:
//! - `client_example`: the Rust client's README examples against a live server, and
//!   the pages that quote the clients' examples quote them as they are;
//! - `contract`: the server's document equals `openapi.json`, and `openapi.json`
//!   means the same as the upstream contract (with mutation tests of that check);
//! - `end_to_end`: the real server on an ephemeral port with a temporary SQLite
//!   file, driven by the generated client;
//! - `docs`: `GET /openapi.json` is the checked-in file, `GET /docs` and its
//!   assets are served by the binary, and neither is an operation of the contract;
//! - `layout`: the crates depend on each other in the README's direction;
//! - `organizations`: keys of two organizations over real HTTP: another
//!   organization's session answers exactly as an unknown one, captures go under
//!   the key's organization, revoked keys are refused;
//! - `pages`: the README and `docs/`: every relative link resolves, and the README
//!   stays short and links every page;
//! - `parity`: a table of bad requests answered as upstream (FastAPI) answers them;
//! - `stored_drafts`: the draft made at capture is what the endpoint sends, and a
//!   missing or outdated one is made again, answered and kept;
//! - `review`: the review page (`GET /review`) and its assets, their headers, and
//!   the limits its script checks against the contract's;
//! - `scenarios`: saved scenarios, proposals and the lists of scenarios and
//!   sessions over real HTTP, with upstream's statuses and FastAPI's 422s;
//! - `second_client`: the TypeScript client's generated types follow openapi.json.

mod client_example;
mod contract;
mod docs;
mod end_to_end;
mod layout;
mod organizations;
mod pages;
mod parity;
mod review;
mod scenarios;
mod second_client;
mod stored_drafts;
mod support;
mod triage;
