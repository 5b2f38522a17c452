//! The invariants of ARCHITECTURE.md that a reading of the source can hold.

use quote::ToTokens;
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

/// The functions (and constants) that write, by file, and why each may.
const ALLOWED: &[(&str, &str)] = &[
    // The write path: one transaction per group of operations, the log, the marks.
    ("server/src/sync/apply.rs", "write"),
    // A device's pull cursor: bookkeeping of the sync itself, not data.
    ("server/src/sync/pull.rs", "pull"),
    // Sign-in bookkeeping: lockout counters, sessions, the first account, the audit log.
    ("app/src/auth/store.rs", "check_password"),
    ("app/src/auth/store.rs", "sign_in"),
    ("app/src/auth/store.rs", "create_account"),
    ("app/src/auth/store.rs", "resolve_session"),
    ("app/src/auth/store.rs", "end_session"),
    ("app/src/auth/store.rs", "audit_committed"),
    // Photo blobs by content hash: nothing changes until an operation refers to one.
    ("server/src/photos.rs", "store"),
    // The database's set-up, demo data, and housekeeping (expired sessions, erasure).
    ("server/src/db/migrations.rs", "MIGRATIONS"),
    ("server/src/db/migrations.rs", "migrate"),
    ("server/src/db/demo.rs", "load_if_empty"),
    ("server/src/db/mod.rs", "housekeeping"),
    ("server/src/db/mod.rs", "erase_after_links_expire"),
];

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

/// SurrealQL that writes: a statement keyword as a whole word.
fn writes_sql(text: &str) -> bool {
    const VERBS: [&str; 6] = ["CREATE", "UPDATE", "UPSERT", "DELETE", "INSERT", "RELATE"];
    text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').any(|word| VERBS.contains(&word))
}

/// Every place one source file writes to the database, named by the function it is in:
/// a string literal (also inside `format!` and other macros) holding a write statement,
/// and a call of the SDK's write methods on a database handle (`db.create(…)`).
struct Writes {
    function: Vec<String>,
    found: Vec<(String, String)>,
}

impl Writes {
    fn note(&mut self, what: String) {
        let function = self.function.last().cloned().unwrap_or_else(|| "(outside any function)".into());
        self.found.push((function, what));
    }

    fn tokens(&mut self, tokens: proc_macro2::TokenStream) {
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Group(group) => self.tokens(group.stream()),
                proc_macro2::TokenTree::Literal(literal) => {
                    if let Ok(text) = syn::parse_str::<syn::LitStr>(&literal.to_string()) {
                        if writes_sql(&text.value()) {
                            self.note(text.value());
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for Writes {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.function.push(item.sig.ident.to_string());
        syn::visit::visit_item_fn(self, item);
        self.function.pop();
    }
    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.function.push(item.sig.ident.to_string());
        syn::visit::visit_impl_item_fn(self, item);
        self.function.pop();
    }
    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.function.push(item.ident.to_string());
        syn::visit::visit_item_const(self, item);
        self.function.pop();
    }
    fn visit_lit_str(&mut self, literal: &'ast syn::LitStr) {
        if writes_sql(&literal.value()) {
            self.note(literal.value());
        }
    }
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        const SDK_WRITES: [&str; 7] = ["create", "update", "upsert", "delete", "insert", "merge", "patch"];
        let receiver = quote_free_path(&call.receiver);
        if SDK_WRITES.contains(&call.method.to_string().as_str()) && (receiver == "db" || receiver.ends_with(".db")) {
            self.note(format!("{receiver}.{}(…)", call.method));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

/// `db`, `self.db`, `state.db` and the like, as written; anything else empty.
fn quote_free_path(expr: &syn::Expr) -> String {
    match expr {
        syn::Expr::Path(path) => path.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().join("::"),
        syn::Expr::Field(field) => match &field.member {
            syn::Member::Named(name) => format!("{}.{name}", quote_free_path(&field.base)),
            syn::Member::Unnamed(_) => String::new(),
        },
        syn::Expr::Reference(reference) => quote_free_path(&reference.expr),
        syn::Expr::Paren(inner) => quote_free_path(&inner.expr),
        _ => String::new(),
    }
}

#[test]
fn there_is_one_write_path() {
    // The functions that may write, each named with its file: the write path itself, and
    // the named exceptions (sign-in bookkeeping, migrations, demo data, housekeeping, and
    // photo blobs kept by content hash, which change nothing until an operation refers to
    // one). Anything else that writes is a second write path.
    let allowed: &[(&str, &str)] = ALLOWED;
    let mut offenders = Vec::new();
    let mut seen = 0;
    for dir in ["app/src", "server/src"] {
        for file in sources(&root().join(dir)) {
            let relative = file.strip_prefix(root()).expect("inside").to_string_lossy().to_string();
            let text = std::fs::read_to_string(&file).expect("read");
            let syntax = syn::parse_file(&text).unwrap_or_else(|e| panic!("{relative} does not parse: {e}"));
            let mut writes = Writes { function: Vec::new(), found: Vec::new() };
            syn::visit::Visit::visit_file(&mut writes, &syntax);
            for (function, what) in writes.found {
                seen += 1;
                if !allowed.iter().any(|(f, name)| *f == relative && *name == function) {
                    offenders.push(format!("{relative} {function}: {}", what.split_whitespace().collect::<Vec<_>>().join(" ")));
                }
            }
        }
    }
    assert!(seen > 10, "the scan found only {seen} writes: it no longer sees the write path");
    assert!(offenders.is_empty(), "SurrealQL or SDK writes outside the write path's named functions:\n{}", offenders.join("\n"));
}

#[test]
fn the_write_scan_finds_writes_in_literals_macros_and_sdk_calls() {
    let source = r#"
        fn a() { let _ = "SELECT 1; UPDATE x SET y = 1"; }
        fn b(t: &str) { let _ = format!("DELETE {t}"); }
        async fn c(db: &Db) { db.create("x").await; }
        fn d(map: &mut Map) { map.insert(1, 2); let _ = "an update, lower case"; }
    "#;
    let mut writes = Writes { function: Vec::new(), found: Vec::new() };
    syn::visit::Visit::visit_file(&mut writes, &syn::parse_file(source).unwrap());
    let functions: Vec<&str> = writes.found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(functions, ["a", "b", "c"]);
}

/// The modules of `app` a path in `text` names (`crate::x::…`, `super::super::x`, `app::x`).
fn crate_modules(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["crate::", "app::"] {
        for (i, _) in text.match_indices(prefix) {
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &text[i + prefix.len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
    }
    out
}

/// `ui` is the frame every page shares: it may use the layers under it, never a feature
/// (a page of projects, plans, mentors, volunteers or branches), or features would import
/// each other through it.
#[test]
fn the_shared_ui_imports_no_feature() {
    const UNDER_UI: [&str; 8] = ["domain", "i18n", "error", "auth", "db", "sync", "clock", "ui"];
    let files = sources(&root().join("app/src/ui"));
    assert!(files.len() >= 2);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        for module in crate_modules(&text) {
            assert!(UNDER_UI.contains(&module.as_str()), "{} imports crate::{module}, a feature; ui may use only {UNDER_UI:?}", file.display());
        }
    }
}

#[test]
fn the_import_scan_finds_modules_by_any_path() {
    assert_eq!(crate_modules("use crate::branches::X; view! { <crate::gantt::Chart/> } my_crate::x"), ["branches", "gantt"]);
}

/// `v["field"].as_str()` and its kin: a field read from JSON by name, which a renamed field
/// turns into a silent blank. Rows are read into typed structs (`app::db::{Named, Keyed}`
/// and one per query shape) instead. Test code is not scanned.
struct UntypedReads {
    function: Vec<String>,
    found: Vec<(String, String)>,
}

impl<'ast> syn::visit::Visit<'ast> for UntypedReads {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if !item.attrs.iter().any(|a| a.path().is_ident("cfg") && a.meta.to_token_stream().to_string().contains("test")) {
            syn::visit::visit_item_mod(self, item);
        }
    }
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.function.push(item.sig.ident.to_string());
        syn::visit::visit_item_fn(self, item);
        self.function.pop();
    }
    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.function.push(item.sig.ident.to_string());
        syn::visit::visit_impl_item_fn(self, item);
        self.function.pop();
    }
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        const READS: [&str; 8] = ["as_str", "as_i64", "as_u64", "as_f64", "as_bool", "as_array", "as_object", "as_null"];
        let mut receiver = &*call.receiver;
        while let syn::Expr::Paren(syn::ExprParen { expr, .. }) | syn::Expr::Reference(syn::ExprReference { expr, .. }) = receiver {
            receiver = expr;
        }
        if READS.contains(&call.method.to_string().as_str()) && matches!(receiver, syn::Expr::Index(_)) {
            let function = self.function.last().cloned().unwrap_or_default();
            self.found.push((function, receiver.to_token_stream().to_string()));
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

fn untyped_reads(source: &str) -> Vec<(String, String)> {
    let mut reads = UntypedReads { function: Vec::new(), found: Vec::new() };
    syn::visit::Visit::visit_file(&mut reads, &syn::parse_file(source).expect("parses"));
    reads.found
}

#[test]
fn rows_are_read_into_types_not_by_field_name() {
    // Reading JSON by name is right only where the JSON is not a row: an operation's value
    // checked against its field's kind, and the demo data's own literals.
    const ALLOWED: [(&str, &str); 3] =
        [("app/src/domain/records.rs", "valid_value"), ("server/src/db/demo.rs", "load_if_empty"), ("server/src/db/demo_residents.rs", "resident_rows_at")];
    let mut offenders = Vec::new();
    for dir in ["app/src", "server/src"] {
        for file in sources(&root().join(dir)) {
            let relative = file.strip_prefix(root()).expect("inside").to_string_lossy().to_string();
            for (function, read) in untyped_reads(&std::fs::read_to_string(&file).expect("read")) {
                if !ALLOWED.contains(&(relative.as_str(), function.as_str())) {
                    offenders.push(format!("{relative} {function}: {read}"));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "JSON fields read by name; read the row into a struct:\n{}", offenders.join("\n"));
}

#[test]
fn the_untyped_read_scan_finds_reads_by_any_name() {
    let source = r#"
        fn a(row: &Value) -> Option<&str> { row["title"].as_str() }
        fn b(row: &Value, name: &str) -> bool { (&row[name]).as_bool().unwrap_or(false) }
        fn c(row: &Row) -> String { row.title.clone() }
        #[cfg(test)]
        mod tests { fn d(row: &Value) { row["x"].as_i64(); } }
    "#;
    let functions: Vec<String> = untyped_reads(source).into_iter().map(|(f, _)| f).collect();
    assert_eq!(functions, ["a", "b"]);
}
