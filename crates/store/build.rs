//! Rebuilds the crate when a migration changes, because `sqlx::migrate!` embeds the
//! migration files at compile time and Cargo would not otherwise notice an edit.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
