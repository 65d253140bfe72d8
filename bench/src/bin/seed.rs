//! Fills a store with generated captured sessions for the load benchmark, and writes
//! the ids the load generator picks from.
//!
//! Usage: `feather-bench-seed DATABASE_URL SESSIONS TURNS IDS_FILE [FAMILIES]`. The
//! sessions are the drafter's realistic generated sessions (customer requests with
//! PII, tool calls with results and errors), each under its own id, stored as
//! `feather import` stores them (drafted and signed at capture), in batches of 1,000
//! per transaction. At most 100,000 ids are written to IDS_FILE, spread over all
//! sessions.
//!
//! Without FAMILIES every session is the same conversation under another id, so
//! all share one triage signature. With FAMILIES = F (for `bench/triage.sh`), session
//! `i` belongs to family `i % F`, whose tools carry the family's number in their
//! names, so the families sign apart; within a family, every other session looks
//! its order up with another tool (a second key per family), and the outcome, the
//! CSAT score and a handoff vary by session, so the signals that rank groups vary
//! too: 2 × F distinct keys in all, for the grouping to work through.
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
    let (database_url, count, turns, ids_file, families) = match args.as_slice() {
        [url, count, turns, ids] => (url, count, turns, ids, 0),
        [url, count, turns, ids, families] => (url, count, turns, ids, families.parse()?),
        _ => anyhow::bail!(
            "usage: feather-bench-seed DATABASE_URL SESSIONS TURNS IDS_FILE [FAMILIES]"
        ),
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
        if families > 0 {
            vary(&mut captured, index, families);
        }
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

/// Session `index` as a member of family `index % families` (see the module docs).
fn vary(captured: &mut CapturedSession, index: usize, families: usize) {
    use feather_types::session::{CSATEntry, HandoffEvent, KnowledgeGapAnalysisOutcome as O};
    let family = index % families;
    let member = index / families;
    let rename = |name: &str| {
        let name = if member % 2 == 1 && name == "get_order" {
            "find_order"
        } else {
            name
        };
        format!("{name}_{family}")
    };
    let input = &mut captured.input;
    for call in &mut input.tool_calls {
        call.name = rename(&call.name);
    }
    for message in &mut input.messages {
        for call in message.tool_calls.iter_mut().flatten() {
            call.function.name = rename(&call.function.name);
        }
    }
    input.knowledge_gap_analysis_outcome.0 = Some(match member % 5 {
        0 | 1 => O::Resolved,
        2 => O::Escalated,
        3 => O::Abandoned,
        _ => O::Unresolved,
    });
    input.csat = member.is_multiple_of(3).then(|| CSATEntry {
        timestamp: "2026-11-20T22:05:00Z".into(),
        score: 1 + (member % 5) as i64,
        scale_max: 5,
    });
    if member.is_multiple_of(7) {
        input.handoff_events.push(HandoffEvent {
            timestamp: "2026-11-20T21:59:00Z".into(),
            transferred_to_agent_id: None,
            reason: Some("customer asked for a person".into()),
        });
    }
}
