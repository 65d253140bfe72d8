//! Placeholder: the drafter is being written.
