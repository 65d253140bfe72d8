//! How well triage groups sessions: sessions whose gold goal sequences are equal
//! should share a group, and others should not.
//!
//! Each session's signature as a capture stores it ([`feather_drafter::draft_and_sign`]
//! with the default options) gives its key, and the signature made alone
//! ([`feather_drafter::signature`], for sessions stored before signatures) must be
//! the same (`signed_apart_differs` counts those that are not); near
//! keys are joined by [`feather_drafter::signature::group_keys`] at the threshold
//! the server uses, exactly as `feather triage` and `GET /v1/sessions/candidates`
//! group. The groups are compared with the classes of the gold goal sequences
//! (SGD: the intent names in order; generated sessions: the generator's goals):
//! - **purity**: the share of sessions that belong to their group's most common
//!   gold class (1.0 when no group mixes classes);
//! - the same two against the gold goals' actions alone (each goal's first word:
//!   the generated sessions' gold goals also name an object, "return headphones",
//!   which triage is meant to group with "return watch");
//! - **adjusted Rand index** (Hubert and Arabie, 1985): agreement of the two
//!   partitions over all pairs of sessions, corrected for chance (1.0 identical,
//!   about 0 for a random grouping). Written here because no crate the project
//!   keeps computes it (no clustering-metrics crate is among the kept
//!   dependencies), and it is a dozen lines over a contingency table.

use std::collections::HashMap;

use feather_drafter::signature::{SIMILARITY_THRESHOLD, group_keys, signature};
use feather_drafter::{DraftOptions, capture, draft_and_sign};

use crate::{Case, filled};

/// The figures of one source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub sessions: usize,
    /// Distinct gold goal sequences.
    pub classes: usize,
    /// Distinct signature keys.
    pub keys: usize,
    /// Groups after near keys are joined.
    pub groups: usize,
    pub purity: f64,
    pub ari: f64,
    /// Distinct gold sequences of actions (each goal's first word: the generated
    /// sessions' gold goals name their object too, "return headphones").
    pub action_classes: usize,
    pub action_purity: f64,
    pub action_ari: f64,
    /// Sessions whose signature made alone differs from the one signed with
    /// their draft.
    pub signed_apart_differs: usize,
}

/// The groups of `cases` against their gold goal sequences.
pub fn figures(cases: &[Case]) -> Figures {
    let mut keys = Vec::new();
    let mut gold = Vec::new();
    let mut signed_apart_differs = 0;
    let options = DraftOptions::default();
    for case in cases {
        let Ok(captured) = capture::parse_value(filled(&case.log, &case.id)) else {
            continue;
        };
        let stored = draft_and_sign(&captured, &options).1;
        signed_apart_differs += usize::from(signature(&captured) != stored);
        keys.push(stored.key());
        gold.push(case.labels.goals.clone());
    }
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for key in &keys {
        *counts.entry(key.as_str()).or_default() += 1;
    }
    let mut distinct: Vec<(&str, u64)> = counts.into_iter().collect();
    distinct.sort_unstable();
    let joined = group_keys(&distinct, SIMILARITY_THRESHOLD);
    let group_of: HashMap<&str, usize> = distinct
        .iter()
        .zip(&joined)
        .map(|((key, _), group)| (*key, *group))
        .collect();
    let predicted: Vec<usize> = keys.iter().map(|key| group_of[key.as_str()]).collect();
    let mut classes: HashMap<&Vec<Vec<String>>, usize> = HashMap::new();
    let truth: Vec<usize> = gold
        .iter()
        .map(|g| {
            let next = classes.len();
            *classes.entry(g).or_insert(next)
        })
        .collect();
    // The same sessions by their gold goals' actions alone ("return headphones"
    // and "return watch" are one problem; SGD's intent names are actions already).
    let mut actions: HashMap<Vec<&str>, usize> = HashMap::new();
    let by_action: Vec<usize> = gold
        .iter()
        .map(|g| {
            let key: Vec<&str> = g
                .iter()
                .map(|goal| goal.first().map_or("", String::as_str))
                .collect();
            let next = actions.len();
            *actions.entry(key).or_insert(next)
        })
        .collect();
    Figures {
        sessions: keys.len(),
        classes: classes.len(),
        keys: distinct.len(),
        groups: joined.iter().max().map_or(0, |max| max + 1),
        purity: purity(&predicted, &truth),
        ari: adjusted_rand_index(&predicted, &truth),
        action_classes: actions.len(),
        action_purity: purity(&predicted, &by_action),
        action_ari: adjusted_rand_index(&predicted, &by_action),
        signed_apart_differs,
    }
}

/// The contingency table of two labellings of the same items.
fn table(a: &[usize], b: &[usize]) -> HashMap<(usize, usize), u64> {
    let mut cells = HashMap::new();
    for pair in a.iter().copied().zip(b.iter().copied()) {
        *cells.entry(pair).or_default() += 1;
    }
    cells
}

/// The share of items in their group's most common class.
pub fn purity(groups: &[usize], classes: &[usize]) -> f64 {
    if groups.is_empty() {
        return 1.0;
    }
    let mut best: HashMap<usize, u64> = HashMap::new();
    for ((group, _), count) in table(groups, classes) {
        let entry = best.entry(group).or_default();
        *entry = (*entry).max(count);
    }
    best.values().sum::<u64>() as f64 / groups.len() as f64
}

/// The adjusted Rand index of two labellings; 1.0 when both put every item
/// apart or together alike (the degenerate cases included).
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    let pairs = |n: u64| (n * n.saturating_sub(1)) as f64 / 2.0;
    let mut rows: HashMap<usize, u64> = HashMap::new();
    let mut columns: HashMap<usize, u64> = HashMap::new();
    let mut both = 0.0;
    for ((row, column), count) in table(a, b) {
        *rows.entry(row).or_default() += count;
        *columns.entry(column).or_default() += count;
        both += pairs(count);
    }
    let row_pairs: f64 = rows.values().map(|&n| pairs(n)).sum();
    let column_pairs: f64 = columns.values().map(|&n| pairs(n)).sum();
    let all = pairs(a.len() as u64);
    if all == 0.0 {
        return 1.0;
    }
    let expected = row_pairs * column_pairs / all;
    let max = (row_pairs + column_pairs) / 2.0;
    if max == expected {
        return 1.0;
    }
    (both - expected) / (max - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_measures_agree_with_worked_examples() {
        // The same partition under other names.
        assert_eq!(adjusted_rand_index(&[0, 0, 1, 1], &[5, 5, 7, 7]), 1.0);
        assert_eq!(purity(&[0, 0, 1, 1], &[5, 5, 7, 7]), 1.0);
        // Everything in one group against two classes of two.
        assert_eq!(purity(&[0, 0, 0, 0], &[1, 1, 2, 2]), 0.5);
        assert_eq!(adjusted_rand_index(&[0, 0, 0, 0], &[1, 1, 2, 2]), 0.0);
        // scikit-learn's documented example: adjusted_rand_score([0, 0, 1, 2],
        // [0, 0, 1, 1]) is 0.571428...
        let ari = adjusted_rand_index(&[0, 0, 1, 2], &[0, 0, 1, 1]);
        assert!((ari - 4.0 / 7.0).abs() < 1e-9, "{ari}");
    }
}
