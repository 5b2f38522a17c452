//! Xianfeng's Leptos app: rendered on the server (`ssr`) and hydrated in the browser
//! (`hydrate`). `domain` holds the rules both sides share.
#![recursion_limit = "256"]

pub mod auth;
pub mod branches;
pub mod clock;
pub mod domain;
pub mod error;
pub mod gantt;
pub mod home;
pub mod i18n;
pub mod mentors;
pub mod profile;
pub mod projects;
pub mod sync;
pub mod ui;
pub mod volunteers;

#[cfg(feature = "ssr")]
pub mod csp;
#[cfg(feature = "ssr")]
pub mod db;

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Html, Link, Meta, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The build's id: a hash of the wasm, JS and CSS, written by the build next to them.
/// Asset URLs carry it, so a browser (and the service worker) never mixes two builds.
#[cfg(feature = "ssr")]
pub static BUILD: std::sync::OnceLock<String> = std::sync::OnceLock::new();

#[cfg(feature = "ssr")]
fn build_id() -> &'static str {
    BUILD.get().map(String::as_str).unwrap_or("dev")
}

/// The HTML document around the app, rendered by the server.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let build = build_id();
    // One nonce per response: the boot script and Leptos's own inline scripts carry it,
    // and the policy sent with the page allows only those (`csp`).
    let nonce = leptos::nonce::use_nonce().unwrap_or_else(|| {
        leptos::nonce::provide_nonce();
        leptos::nonce::use_nonce().unwrap_or_default()
    });
    // A nonce is URL-safe base64, so the policy is a valid header value.
    if let (Some(response), Ok(policy)) = (use_context::<leptos_axum::ResponseOptions>(), axum::http::HeaderValue::from_str(&csp::page(&nonce))) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, policy);
    }
    // wasm-bindgen's loader would fetch the wasm without the build id: name it here.
    let boot =
        format!("import('/pkg/xianfeng.js?v={build}').then(m => m.default({{module_or_path: '/pkg/xianfeng_bg.wasm?v={build}'}}).then(() => m.hydrate()));");
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <link rel="stylesheet" href=format!("/pkg/xianfeng.css?v={build}")/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icons/icon-192.png"/>
                <link rel="modulepreload" href=format!("/pkg/xianfeng.js?v={build}")/>
                <link rel="preload" href=format!("/pkg/xianfeng_bg.wasm?v={build}") r#as="fetch" r#type="application/wasm" crossorigin=""/>
                <script src=format!("/pwa.js?v={build}") defer></script>
                <script type="module" nonce=nonce>{boot}</script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = i18n::provide_locale();
    auth::provide_session();
    sync::provide_sync();

    view! {
        <Html attr:lang=move || locale.get().tag()/>
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Meta name="theme-color" content="#b71c1c"/>
        <Meta name="description" content="先锋：党建工作项目化管理"/>
        <Title formatter=|title: String| if title.is_empty() { "先锋".to_string() } else { format!("{title} · 先锋") }/>
        <Router>
            <Routes fallback=ui::NotFoundPage>
                // Async: the whole page (title, redirects of signed-out visitors) is
                // settled before the first byte, so a redirect is a real HTTP 302.
                <Route path=path!("/login") view=auth::LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/home") view=home::HomePage ssr=SsrMode::Async/>
                <Route path=path!("/branches") view=branches::BranchesPage ssr=SsrMode::Async/>
                <Route path=path!("/branches/:key") view=branches::BranchPage ssr=SsrMode::Async/>
                <Route path=path!("/profile") view=profile::ProfilePage ssr=SsrMode::Async/>
                <Route path=path!("/projects") view=projects::BoardPage ssr=SsrMode::Async/>
                <Route path=path!("/projects/new") view=projects::DeclarePage ssr=SsrMode::Async/>
                <Route path=path!("/projects/:key") view=projects::ProjectPage ssr=SsrMode::Async/>
                <Route path=path!("/catalog") view=projects::CatalogPage ssr=SsrMode::Async/>
                <Route path=path!("/dashboard") view=projects::DashboardPage ssr=SsrMode::Async/>
                <Route path=path!("/sync") view=sync::SyncPage ssr=SsrMode::Async/>
                <Route path=path!("/gantt") view=gantt::ProgrammePage ssr=SsrMode::Async/>
                <Route path=path!("/gantt/bench") view=gantt::GanttBenchPage/>
                <Route path=path!("/gantt/calendar") view=gantt::CalendarPage ssr=SsrMode::Async/>
                <Route path=path!("/mentors") view=mentors::MentorsPage ssr=SsrMode::Async/>
                <Route path=path!("/volunteers") view=volunteers::VolunteersPage ssr=SsrMode::Async/>
                <Route path=path!("/volunteers/:activity") view=volunteers::RosterPage ssr=SsrMode::Async/>
                <Route path=path!("/gantt/:project") view=gantt::GanttPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic leaves the wasm unusable: say so on the page, with a way to reload, rather
    // than leave a page that looks alive and does nothing.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash();
    }));
    leptos::mount::hydrate_body(App);
    // Lets tests (and styles) know the page is interactive.
    if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.set_attribute("data-hydrated", "");
    }
}

/// Puts a notice with a reload link at the top of the page (plain DOM: the wasm that
/// panicked cannot be trusted to draw it).
#[cfg(feature = "hydrate")]
fn show_crash() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if document.get_element_by_id("crash").is_some() {
        return;
    }
    let english = document.document_element().and_then(|e| e.get_attribute("lang")).is_some_and(|lang| lang.starts_with("en"));
    let (text, again) = if english {
        ("Something went wrong on this page. Changes already sent or saved on this device are kept.", "Reload")
    } else {
        ("页面出错了。已经提交或保存在本设备上的修改不会丢失。", "重新加载")
    };
    // An empty href is this page's own address.
    let notice = format!(r#"<div id="crash" class="crash" role="alert"><p>{text}</p><a class="button primary" href="">{again}</a></div>"#);
    if let Some(body) = document.body() {
        let _ = body.insert_adjacent_html("afterbegin", &notice);
    }
}
