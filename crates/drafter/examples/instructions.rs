//! Drafts one generated realistic session (the criterion benchmark's) a given number
//! of times inside `measured`, so that callgrind counts the instructions of drafting
//! alone, which, unlike time, is repeatable on a busy machine:
//!
//! ```text
//! cargo build --release -p feather-drafter --example instructions
//! valgrind --tool=callgrind --toggle-collect='instructions::measured' \
//!     --callgrind-out-file=/dev/null target/release/examples/instructions 20 50
//! ```
//!
//! Arguments: turns, then drafts. One draft before `measured` builds the lazily
//! compiled regexes, so the count divided by the drafts is the cost of one draft.

use std::hint::black_box;

use feather_drafter::{CapturedSession, DraftOptions, draft};

#[allow(dead_code)]
#[path = "../tests/drafter/sessions.rs"]
mod sessions;

#[inline(never)]
fn measured(session: &CapturedSession, options: &DraftOptions, drafts: usize) {
    for _ in 0..drafts {
        black_box(draft(black_box(session), options).expect("draftable"));
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut number = |default: usize| {
        args.next()
            .map_or(default, |a| a.parse().expect("a number of turns or drafts"))
    };
    let turns = number(20);
    let drafts = number(50);
    let session = sessions::realistic(turns);
    let options = DraftOptions::default();
    black_box(draft(&session, &options).expect("draftable"));
    measured(&session, &options, drafts);
}
