//! Settings, all from the environment so that one binary serves every deployment.

use std::net::SocketAddr;

pub struct Config {
    /// `XIANFENG_DB`: `surrealkv://data/xianfeng.db` (default), `mem://` or `ws://host:port`.
    pub db: String,
    /// `XIANFENG_ADDR`: where to listen; `127.0.0.1:3000` by default.
    pub addr: SocketAddr,
    /// `XIANFENG_SITE`: the built site (`pkg/` with wasm, JS and CSS, and public files).
    pub site_root: String,
    /// `XIANFENG_DEMO`: load the demo data into an empty database (`1`, the default) or not (`0`).
    pub demo: bool,
    /// `XIANFENG_NODE`: this instance's name in clock stamps; the host's name and port by default.
    pub node: String,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_string());
        let addr: SocketAddr = var("XIANFENG_ADDR", "127.0.0.1:3000")
            .parse()
            .map_err(|e| format!("XIANFENG_ADDR is not an address: {e}"))?;
        Ok(Config {
            db: var("XIANFENG_DB", "surrealkv://data/xianfeng.db"),
            site_root: var("XIANFENG_SITE", "target/site"),
            demo: var("XIANFENG_DEMO", "1") != "0",
            node: var("XIANFENG_NODE", &format!("srv{}", addr.port())),
            addr,
        })
    }

    pub fn leptos_options(&self) -> leptos::prelude::LeptosOptions {
        leptos::prelude::LeptosOptions::builder()
            .output_name("xianfeng")
            .site_root(self.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(self.addr)
            .build()
    }
}
