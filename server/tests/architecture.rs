//! The invariants of ARCHITECTURE.md that a reading of the source can hold.

use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace").to_path_buf()
}

#[test]
fn the_domain_knows_nothing_of_frameworks_databases_or_the_browser() {
    let forbidden = ["leptos", "surrealdb", "axum", "tokio", "web_sys", "js_sys", "wasm_bindgen"];
    let files = sources(&root().join("app/src/domain"));
    assert!(files.len() >= 5);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        for name in forbidden {
            assert!(!text.contains(&format!("{name}::")) && !text.contains(&format!("use {name}")), "{} mentions {name}", file.display());
        }
    }
}

#[test]
fn there_is_one_write_path() {
    // Only the sync module writes domain data; sign-in bookkeeping, migrations, demo data
    // and housekeeping are the named exceptions, and photo blobs kept by content hash
    // (which change nothing until an operation refers to one).
    let allowed = ["server/src/sync/", "server/src/db/", "app/src/auth/store.rs", "server/src/photos.rs"];
    let verbs = ["CREATE ", "UPDATE ", "UPSERT ", "DELETE ", "INSERT ", "RELATE "];
    let mut offenders = Vec::new();
    for dir in ["app/src", "server/src"] {
        for file in sources(&root().join(dir)) {
            let relative = file.strip_prefix(root()).expect("inside").to_string_lossy().to_string();
            if allowed.iter().any(|a| relative.starts_with(a)) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("read");
            for (n, line) in text.lines().enumerate() {
                let in_string = line.contains('"');
                if in_string && verbs.iter().any(|v| line.contains(v)) && !line.trim_start().starts_with("//") {
                    offenders.push(format!("{relative}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "SurrealQL writes outside the write path:\n{}", offenders.join("\n"));
}
