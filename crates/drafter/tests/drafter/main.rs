//! Integration tests of the drafter, one binary with a module per area (so the crate
//! links once): the example sessions (golden drafts and tool replay), capture
//! formats, PII redaction, awkward inputs, and properties over generated sessions.

mod capture;
mod crm;
mod examples;
mod goals;
mod inputs;
mod pii;
mod props;
mod sessions;
mod support;
