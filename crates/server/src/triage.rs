//! Triage: the few distinct problems among many captured sessions, ranked.
//!
//! Why here and not in the store or the drafter: the drafter makes a session's
//! signature (`feather_drafter::signature`) and the store keeps it and groups on
//! its key (`GROUP BY signature_key`, over an index that covers it); what is left
//! is cheap and runs over the distinct keys only: joining near keys
//! (`feather_drafter::signature::group_keys`), ranking the groups, and reading the
//! details of the groups shown (their members, a representative, its draft's
//! name). `feather triage` and `GET /v1/sessions/candidates` both call
//! [`triage`]. docs/triage.md has the rules and the figures.

use std::collections::{HashMap, HashSet};

use feather_api::{CandidateGroup, CandidateSignals, Coverage, triage_limits};
use feather_drafter::CapturedSession;
use feather_drafter::signature::{SIMILARITY_THRESHOLD, Signature, flag, group_keys};
use feather_store::{OrgScope, Store, StoreError, StoredSignature, TriageGroupRow};
use serde_json::json;
use uuid::Uuid;

/// How much a group's novelty (a goal sequence or tool path no saved scenario
/// covers) adds to its score, against the weights of the signals
/// (`feather_drafter::signature::flag::ALL`).
pub const NOVELTY_WEIGHT: f64 = 3.0;

/// Sessions signed per transaction when filling the signatures of sessions
/// stored before signatures were made.
pub const FILL_BATCH: u32 = 500;

/// The signature of a session as the store keeps it.
pub fn stored_signature(captured: &CapturedSession) -> StoredSignature {
    stored(&feather_drafter::signature(captured))
}

/// A signature as the store keeps it.
pub fn stored(signature: &Signature) -> StoredSignature {
    let signals = &signature.signals;
    StoredSignature {
        key: signature.key(),
        json: json!({
            "goals": signature.goals,
            "tools": signature.tools,
            "outcome": signature.outcome,
            "tool_errors": signals.tool_errors,
            "handoffs": signals.handoffs,
            "messages": signals.messages,
        })
        .to_string(),
        signals: signals.flags(),
        severity: signals.severity(),
    }
}

/// Signs the stored sessions that have no signature yet (those stored before
/// signatures were made), a batch at a time; `progress` is told the running
/// count after each batch. A session whose stored text cannot be read is given
/// the key `unreadable` so it is not tried again.
pub async fn fill_signatures(
    store: &Store,
    mut progress: impl FnMut(usize),
) -> Result<usize, StoreError> {
    let mut done = 0;
    loop {
        let batch = store.unsigned_sessions(FILL_BATCH).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        let signatures: Vec<_> = batch
            .into_iter()
            .map(|session| {
                let signature = match serde_json::from_str::<feather_api::SessionAnalysisInput>(
                    &session.analysis_input,
                ) {
                    Ok(input) => stored_signature(&CapturedSession {
                        input,
                        attribution: session.attribution,
                    }),
                    Err(_) => StoredSignature {
                        key: "unreadable".to_owned(),
                        json: "{}".to_owned(),
                        signals: 0,
                        severity: 0,
                    },
                };
                (session.organization_id, session.session_id, signature)
            })
            .collect();
        store.put_signatures(&signatures).await?;
        done += signatures.len();
        progress(done);
    }
}

/// A `since` as the store compares it: RFC 3339 UTC with milliseconds.
pub fn store_time(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let rest = millis.rem_euclid(86_400_000);
    let (year, month, day) = feather_validation::datetime::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

/// Every group, ranked, with the details of those in `shown` (a range of ranks)
/// read, and the coverage over all of them.
pub struct Triage {
    pub groups: Vec<CandidateGroup>,
    pub coverage: Coverage,
}

/// The groups of the sessions `scope` sees, first captured at or after `since`
/// (store form, [`store_time`]), highest score first; the groups at ranks
/// `shown` have their members, representative, goals, tools and name.
pub async fn triage(
    store: &Store,
    scope: OrgScope,
    since: Option<&str>,
    shown: std::ops::Range<usize>,
) -> Result<Triage, StoreError> {
    let rows = store.triage_groups(scope, since).await?;
    let covered: HashSet<String> = store
        .covered_signature_keys(scope)
        .await?
        .into_iter()
        .collect();
    let (mut groups, coverage, keys_of) = rank(&rows, &covered);
    let end = shown.end.min(groups.len());
    let start = shown.start.min(end);
    for (group, keys) in groups[start..end].iter_mut().zip(&keys_of[start..end]) {
        details(store, scope, since, group, keys).await?;
    }
    Ok(Triage { groups, coverage })
}

/// The `goals:` and `tools:` parts of a key.
fn parts(key: &str) -> (&str, &str) {
    let key = key.split('#').next().unwrap_or(key);
    match key.split_once("|tools:") {
        Some((goals, tools)) => (goals, tools),
        None => (key, ""),
    }
}

/// The groups of `rows` (one per signature key) after near keys are joined,
/// ranked, with the coverage; and each group's keys.
fn rank(
    rows: &[TriageGroupRow],
    covered: &HashSet<String>,
) -> (Vec<CandidateGroup>, Coverage, Vec<Vec<String>>) {
    let distinct: Vec<(&str, u64)> = rows
        .iter()
        .map(|row| (row.key.as_str(), row.sessions.max(0) as u64))
        .collect();
    let joined = group_keys(&distinct, SIMILARITY_THRESHOLD);
    let covered_goals: HashSet<&str> = covered.iter().map(|key| parts(key).0).collect();
    let covered_tools: HashSet<&str> = covered.iter().map(|key| parts(key).1).collect();
    let mut by_group: HashMap<usize, Vec<&TriageGroupRow>> = HashMap::new();
    for (row, group) in rows.iter().zip(&joined) {
        by_group.entry(*group).or_default().push(row);
    }
    let mut coverage = Coverage::default();
    let mut ranked = Vec::new();
    for (_, mut members) in by_group {
        // The founding key: the most sessions, then the smallest key.
        members.sort_by(|a, b| b.sessions.cmp(&a.sessions).then(a.key.cmp(&b.key)));
        let size: u64 = members.iter().map(|row| row.sessions.max(0) as u64).sum();
        let mut counts = [0u64; 9];
        for row in &members {
            for (count, add) in counts.iter_mut().zip(row.flag_counts) {
                *count += add.max(0) as u64;
            }
        }
        let founder = members[0].key.clone();
        let (goals_part, tools_part) = parts(&founder);
        let is_covered = members.iter().any(|row| covered.contains(&row.key));
        let signals = CandidateSignals {
            tool_errors: counts[0],
            failed: counts[1],
            abandoned: counts[2],
            escalated: counts[3],
            handoffs: counts[4],
            low_csat: counts[5],
            low_feedback: counts[6],
            reopened: counts[7],
            long: counts[8],
            novel_goals: !covered_goals.contains(goals_part),
            novel_tools: !covered_tools.contains(tools_part),
        };
        let score = score(&counts, size, signals.novel_goals || signals.novel_tools);
        coverage.sessions += size;
        coverage.groups += 1;
        if is_covered {
            coverage.sessions_covered += size;
            coverage.groups_covered += 1;
        }
        ranked.push((
            CandidateGroup {
                key: founder,
                goals: Vec::new(),
                tools: Vec::new(),
                representative_session_id: Uuid::nil(),
                name: None,
                size,
                keys: members.len() as u64,
                member_session_ids: Vec::new(),
                signals,
                max_severity: members
                    .iter()
                    .map(|row| row.max_severity)
                    .max()
                    .unwrap_or(0),
                score,
                covered: is_covered,
            },
            members
                .iter()
                .map(|row| row.key.clone())
                .collect::<Vec<_>>(),
        ));
    }
    ranked.sort_by(|(a, _), (b, _)| {
        b.score
            .total_cmp(&a.score)
            .then(b.size.cmp(&a.size))
            .then(a.key.cmp(&b.key))
    });
    let share = |part: u64, all: u64| {
        if all == 0 {
            0.0
        } else {
            part as f64 / all as f64
        }
    };
    coverage.session_share = share(coverage.sessions_covered, coverage.sessions);
    coverage.group_share = share(coverage.groups_covered, coverage.groups);
    let (groups, keys) = ranked.into_iter().unzip();
    (groups, coverage, keys)
}

/// A group's score: `(1 + Σ weight × share of sessions with the signal + 3 if
/// novel) × ln(1 + size)`, so a frequent problem outranks a rare one of the same
/// kind, and a failing one a smooth one of the same size.
pub fn score(counts: &[u64; 9], size: u64, novel: bool) -> f64 {
    if size == 0 {
        return 0.0;
    }
    let signals: f64 = flag::ALL
        .iter()
        .map(|(bit, _, weight)| {
            let index = bit.trailing_zeros() as usize;
            *weight as f64 * counts[index] as f64 / size as f64
        })
        .sum();
    let novelty = if novel { NOVELTY_WEIGHT } else { 0.0 };
    (1.0 + signals + novelty) * (1.0 + size as f64).ln()
}

/// Reads a shown group's members (the most severe first, up to
/// [`triage_limits::MEMBER_IDS_MAX`]), its representative (the first of them) and
/// the representative's goals, tools and draft name.
async fn details(
    store: &Store,
    scope: OrgScope,
    since: Option<&str>,
    group: &mut CandidateGroup,
    keys: &[String],
) -> Result<(), StoreError> {
    let cap = triage_limits::MEMBER_IDS_MAX;
    let mut members = Vec::new();
    for key in keys {
        members.extend(store.triage_members(scope, key, since, cap as u32).await?);
    }
    members.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.session_id.cmp(&b.session_id))
    });
    members.truncate(cap);
    group.member_session_ids = members.iter().map(|m| m.session_id).collect();
    let Some(first) = members.first() else {
        return Ok(());
    };
    group.representative_session_id = first.session_id;
    if let Some((signature, draft)) = store
        .triage_session(first.organization_id, first.session_id)
        .await?
    {
        let strings = |value: &serde_json::Value| -> Vec<String> {
            value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        if let Some(signature) =
            signature.and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        {
            group.goals = strings(&signature["goals"]);
            group.tools = strings(&signature["tools"]);
        }
        group.name = draft
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|draft| draft["name"].as_str().map(str::to_owned));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, sessions: i64, failed: i64) -> TriageGroupRow {
        let mut flag_counts = [0; 9];
        flag_counts[1] = failed;
        TriageGroupRow {
            key: key.to_owned(),
            sessions,
            max_severity: if failed > 0 { 5 } else { 0 },
            flag_counts,
        }
    }

    #[test]
    fn failing_groups_outrank_larger_smooth_ones_and_coverage_counts_covered_keys() {
        let rows = [
            // One extra lookup: 5 of 6 tokens shared, a similarity of 0.83.
            row("goals:refund|tools:get_order>get_policy>refund", 50, 0),
            row(
                "goals:refund|tools:get_user>get_order>get_policy>refund",
                2,
                0,
            ),
            row("goals:exchange|tools:get_order>exchange", 20, 18),
        ];
        let covered: HashSet<String> =
            ["goals:refund|tools:get_order>get_policy>refund".to_owned()].into();
        let (groups, coverage, keys) = rank(&rows, &covered);
        assert_eq!(groups.len(), 2, "the near refund keys are one group");
        assert_eq!(groups[0].key, "goals:exchange|tools:get_order>exchange");
        assert!(groups[0].signals.novel_goals && !groups[0].covered);
        assert_eq!(groups[1].size, 52);
        assert_eq!(keys[1].len(), 2);
        assert!(groups[1].covered && !groups[1].signals.novel_goals);
        assert_eq!((coverage.sessions, coverage.sessions_covered), (72, 52));
        assert_eq!((coverage.groups, coverage.groups_covered), (2, 1));
    }

    #[test]
    fn store_times_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(store_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(store_time(1_738_324_800_123), "2025-01-31T12:00:00.123Z");
    }
}
