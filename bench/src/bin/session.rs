//! Prints one realistic captured session as a `SessionAnalysisInput` body, for the
//! capture benchmark (`bench/capture.lua` sends it, with a fresh or a repeated id).
//!
//! Usage: `feather-bench-session TURNS > session.json`. It is the drafter's realistic
//! generated session (customer requests with personal data, tool calls with results
//! and errors), under the organization the benchmark's keys act for, with the
//! session id `00000000-0000-0000-0000-00000000beef`, which the load script replaces.

use uuid::Uuid;

#[path = "../../../crates/drafter/tests/drafter/sessions.rs"]
#[allow(dead_code)]
mod sessions;

fn main() -> anyhow::Result<()> {
    let turns: usize = match std::env::args().nth(1) {
        Some(turns) => turns.parse()?,
        None => anyhow::bail!("usage: feather-bench-session TURNS"),
    };
    let mut captured = sessions::realistic(turns);
    captured.input.session_id = Uuid::from_u128(0xbeef);
    captured.input.organization_id = Uuid::from_u128(0xbe9c_0000_0000_0000_0000_0000_0000_0001);
    println!("{}", serde_json::to_string(&captured.input)?);
    Ok(())
}
