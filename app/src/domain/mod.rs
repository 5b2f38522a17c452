//! Plain Rust types and rules shared by the browser and the server.
//!
//! Nothing in here may do I/O or know of Leptos, SurrealDB, axum, tokio or the browser:
//! the same code validates an operation in the tablet and on the server, and plain
//! `cargo test` covers it.

pub mod auth;
pub mod gantt;
pub mod history;
pub mod hlc;
pub mod mentors;
pub mod merge;
pub mod ops;
pub mod org;
pub mod outbox;
pub mod photos;
pub mod projects;
pub mod records;
pub mod replica;
pub mod schedule;
pub mod time;
pub mod volunteers;
