//! `surreal-dev`: the official SurrealDB server (crate `surrealdb-server` 3.3.5), built with
//! only in-memory and SurrealKV storage. It exists so integration tests can spawn a real
//! SurrealDB server that several app instances share over `ws://` (one process only may open
//! a SurrealKV path), without installing the `surreal` binary. Same CLI as `surreal`, e.g.
//! `surreal-dev start --bind 127.0.0.1:8000 --user root --pass root memory`.

use std::process::ExitCode;

use surrealdb_server::core::CommunityComposer;

fn main() -> ExitCode {
	surrealdb_server::init(CommunityComposer())
}
