//! Fills a store with generated captured sessions for the load benchmark, and writes
//! the ids the load generator picks from.
//!
//! Usage: `feather-bench-seed DATABASE_URL SESSIONS TURNS IDS_FILE`. The sessions are
//! the drafter's realistic generated sessions (customer requests with PII, tool calls
//! with results and errors), each under its own id, stored as `feather import` stores
//! them (drafted at capture), in batches of 1,000 per transaction. At most 100,000
//! ids are written to IDS_FILE, spread over all sessions.
//!
//! Session `i` always gets the same id, so a database this tool seeded before is
//! only topped up: when it holds `n` sessions, the first `n` are taken as stored.
//! (Were they other sessions, the benchmark's requests would get 404 and the run
//! would fail, saying so.)

use std::io::Write;

use feather_drafter::CapturedSession;
use feather_server::drafts::new_session;
use feather_store::Store;
use uuid::Uuid;

#[path = "../../../crates/drafter/tests/drafter/sessions.rs"]
#[allow(dead_code)]
mod sessions;

const BATCH: usize = 1000;
const MAX_IDS: usize = 100_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [database_url, count, turns, ids_file] = args.as_slice() else {
        anyhow::bail!("usage: feather-bench-seed DATABASE_URL SESSIONS TURNS IDS_FILE");
    };
    let count: usize = count.parse()?;
    let turns: usize = turns.parse()?;
    let store = Store::connect(database_url).await?;
    let stored = usize::try_from(store.count_sessions().await?)?;
    let organization = Uuid::from_u128(0xbe9c_0000_0000_0000_0000_0000_0000_0001);
    let template = sessions::realistic(turns);
    let step = count.div_ceil(MAX_IDS).max(1);
    let mut ids = std::io::BufWriter::new(std::fs::File::create(ids_file)?);
    let mut batch = Vec::with_capacity(BATCH);
    for index in 0..count {
        let session_id = Uuid::from_u128(0x5eed_0000_0000_0000_0000_0000_0000_0000 + index as u128);
        if index % step == 0 {
            writeln!(ids, "{session_id}")?;
        }
        if index < stored {
            continue;
        }
        let mut captured: CapturedSession = template.clone();
        captured.input.session_id = session_id;
        captured.input.organization_id = organization;
        batch.push(new_session(captured, &Default::default()));
        if batch.len() == BATCH {
            store.put_sessions(&batch).await?;
            batch.clear();
        }
    }
    store.put_sessions(&batch).await?;
    ids.flush()?;
    let added = count.saturating_sub(stored);
    eprintln!("seeded {count} sessions of {turns} turns ({added} added now)");
    Ok(())
}
