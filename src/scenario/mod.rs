//! The platform's stories as library functions: each takes a run and data, talks to the
//! target through the clients, and returns a report or an error naming the broken promise.
//! Test targets are thin `#[rstest]` tables over these.

pub mod arms;
