//! The Content Security Policy: what a page may load and run. Scripts come only from
//! this site, plus the one inline boot script (and Leptos's resource scripts) that carry
//! the response's nonce; `'wasm-unsafe-eval'` lets the browser compile the app's wasm.
//! Style attributes stay allowed because the server renders widths and positions
//! (progress bars, the Gantt chart) as `style="…"`; style sheets come only from here.

/// Every directive the pages and the static files share.
const COMMON: &str = "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The policy of a page the app renders, for the response's nonce.
pub fn page(nonce: &str) -> String {
    format!("{COMMON}; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; style-src-attr 'unsafe-inline'")
}

/// The policy of everything else (residents' pages, the offline page, files): no inline
/// script at all; the offline page's own `<style>` is its only inline style sheet.
pub fn other() -> String {
    format!("{COMMON}; script-src 'self'; style-src 'self' 'unsafe-inline'")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sources one directive of a policy names.
    fn sources<'a>(policy: &'a str, name: &str) -> Vec<&'a str> {
        let directive = policy.split(';').map(str::trim).find(|d| d.split(' ').next() == Some(name));
        directive.map(|d| d.split(' ').skip(1).collect()).unwrap_or_default()
    }

    #[test]
    fn scripts_run_only_from_this_site_and_with_the_pages_nonce() {
        assert_eq!(sources(&page("abc"), "script-src"), ["'self'", "'nonce-abc'", "'wasm-unsafe-eval'"]);
        assert_eq!(sources(&other(), "script-src"), ["'self'"]);
        assert_eq!(sources(&page("abc"), "style-src"), ["'self'"], "a page's style sheets come from this site");
        for policy in [page("abc"), other()] {
            assert_eq!(sources(&policy, "object-src"), ["'none'"]);
            assert_eq!(sources(&policy, "frame-ancestors"), ["'none'"]);
            assert_eq!(sources(&policy, "default-src"), ["'self'"]);
        }
    }
}
