//! Settings, all from the environment so that one binary serves every deployment.

use std::net::SocketAddr;

pub struct Config {
    /// `XIANFENG_DB`: `surrealkv://data/xianfeng.db` (default), `mem://` or `ws://host:port`.
    pub db: String,
    /// `XIANFENG_ADDR`: where to listen; `127.0.0.1:3000` by default.
    pub addr: SocketAddr,
    /// `XIANFENG_SITE`: the built site (`pkg/` with wasm, JS and CSS, and public files).
    pub site_root: String,
    /// `XIANFENG_DEMO=1`: load the demo data (18 accounts with a published password) into an
    /// empty database, with development keys allowed. Off unless set: `make run`, the tests
    /// and the benchmarks set it.
    pub demo: bool,
    /// `XIANFENG_NODE`: this instance's name in clock stamps; the host's name and port by default.
    pub node: String,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
        let addr: SocketAddr = var("XIANFENG_ADDR", "127.0.0.1:3000").parse().map_err(|e| format!("XIANFENG_ADDR is not an address: {e}"))?;
        let config = Config {
            db: var("XIANFENG_DB", "surrealkv://data/xianfeng.db"),
            site_root: var("XIANFENG_SITE", "target/site"),
            demo: var("XIANFENG_DEMO", "0") == "1",
            node: var("XIANFENG_NODE", &format!("srv{}", addr.port())),
            addr,
        };
        let missing = config.missing_for_production(|name| std::env::var(name).ok());
        if !missing.is_empty() {
            return Err(format!("not starting: a production start needs {}. (For the demo, set XIANFENG_DEMO=1: `make run` does.)", missing.join(" and ")));
        }
        Ok(config)
    }

    /// The settings a start without the demo must have and lacks: no resident's name is
    /// sealed with a key from the source code, and no database server is opened as root/root.
    pub fn missing_for_production(&self, var: impl Fn(&str) -> Option<String>) -> Vec<&'static str> {
        if self.demo {
            return vec![];
        }
        let mut missing = Vec::new();
        if var("XIANFENG_PII_KEY").is_none_or(|key| crate::pii::key_from_hex(key.trim()).is_none()) {
            missing.push("XIANFENG_PII_KEY (64 hex digits, e.g. from `openssl rand -hex 32`; keep it safe: without it residents' data cannot be read)");
        }
        let remote = ["ws://", "wss://", "http://", "https://"].iter().any(|scheme| self.db.starts_with(scheme));
        if remote && var("XIANFENG_DB_PASS").is_none_or(|pass| pass.is_empty() || pass == "root") {
            missing.push("XIANFENG_DB_PASS (the SurrealDB user's password, not root's default)");
        }
        missing
    }

    pub fn leptos_options(&self) -> leptos::prelude::LeptosOptions {
        leptos::prelude::LeptosOptions::builder().output_name("xianfeng").site_root(self.site_root.as_str()).site_pkg_dir("pkg").site_addr(self.addr).build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(db: &str, demo: bool) -> Config {
        Config { db: db.into(), addr: "127.0.0.1:3000".parse().unwrap(), site_root: String::new(), demo, node: "n".into() }
    }

    #[test]
    fn a_production_start_names_the_settings_it_lacks() {
        let none = |_: &str| None;
        assert!(config("surrealkv://data/x.db", true).missing_for_production(none).is_empty(), "the demo needs nothing");
        let embedded = config("surrealkv://data/x.db", false).missing_for_production(none);
        assert_eq!(embedded.len(), 1);
        assert!(embedded[0].starts_with("XIANFENG_PII_KEY"));
        let key = "ab".repeat(32);
        let with_key = |name: &str| (name == "XIANFENG_PII_KEY").then(|| key.clone());
        assert!(config("surrealkv://data/x.db", false).missing_for_production(with_key).is_empty());
        let remote = config("ws://db:8000", false).missing_for_production(with_key);
        assert!(remote.len() == 1 && remote[0].starts_with("XIANFENG_DB_PASS"), "{remote:?}");
        let short_key = |name: &str| (name == "XIANFENG_PII_KEY").then(|| "abc".to_string());
        assert_eq!(config("mem://", false).missing_for_production(short_key).len(), 1);
    }
}
