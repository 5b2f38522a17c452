//! The public pages: the street's front page, a branch's brand page, an activity with its
//! sign-up form, and a sign-up's private page. No name or phone number is ever on a
//! public page: counts only; the private page shows the masks.

use super::gallery::{cover, gallery, shown, thumbnail, Shown};
use super::text::{text, when, Text};
use super::{locale_of, BrandSite};
use crate::state::AppState;
use app::db::{now_ms, row, rows, Db};
use app::domain::time::local_from_ms;
use app::domain::volunteers::{hours_text, places, service_minutes, ActivityRecord, Place, SignupRecord, Standing};
use app::i18n::Locale;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The whole stylesheet of the public pages, inline: one request draws the page.
const STYLE: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.6 system-ui,'Noto Sans CJK SC',sans-serif;color:#1f1f1f;background:#faf7f2}\
a{color:#a61b1b;display:inline-flex;align-items:center;min-height:44px;min-width:44px}\
header.top{background:#b71c1c;color:#fff;padding:0 1rem;display:flex;justify-content:space-between;gap:.5rem}header.top a{color:#fff;text-decoration:none;font-weight:700}\
header.top a.lang{font-weight:400;padding:0 .75rem;border:1px solid #fff9;border-radius:.4rem;margin:.25rem 0}\
main{max-width:46rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem;line-height:1.3;margin:.5rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}\
.slogan{color:#6b4f1d;margin:0 0 1rem}.card{background:#fff;border:1px solid #eadfce;border-radius:.6rem;padding:.8rem 1rem;margin:.6rem 0}\
.card h3{margin:0 0 .25rem;font-size:1.05rem}.meta{color:#5c5c5c;font-size:.9rem;margin:0}.bar{height:.5rem;background:#f0e6d8;border-radius:.25rem;overflow:hidden}\
.bar span{display:block;height:100%;background:#c62828}.grid{display:grid;gap:.6rem;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr))}\
form label{display:block;margin:.8rem 0 .25rem;font-weight:600}input[type=text],input[type=tel],input[type=url],select{width:100%;min-height:44px;background:#fff;font-size:1.05rem;padding:.6rem;border:1px solid #b9a98f;border-radius:.4rem}\
.check{display:flex;gap:.5rem;align-items:center;min-height:44px;font-weight:400}.check input{width:1.4rem;height:1.4rem;margin-top:.15rem}\
button{font-size:1.05rem;padding:.65rem 1.4rem;margin-top:1rem;border:0;border-radius:.4rem;background:#b71c1c;color:#fff;min-height:44px}\
button.secondary{background:#fff;color:#b71c1c;border:1px solid #b71c1c}.error{background:#fdecea;border:1px solid #e0a49c;padding:.6rem .8rem;border-radius:.4rem;color:#8a1c12}\
.ok{background:#edf7ed;border:1px solid #9fd0a3;padding:.6rem .8rem;border-radius:.4rem;color:#1d5b22}.trap{position:absolute;left:-9999px}\
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;background:#f3e3c3;font-size:.85rem}footer{color:#666;font-size:.85rem;text-align:center;padding:2rem 1rem}\
svg.chart{width:100%;height:auto}img{max-width:100%;height:auto;display:block;background:#eadfce}img.cover{width:100%;border-radius:.6rem;margin:.5rem 0 1rem}\
.gallery{display:grid;gap:.5rem;grid-template-columns:1fr 1fr}.gallery img{width:100%;aspect-ratio:4/3;object-fit:cover;border-radius:.4rem}\
img.thumb{max-width:none;width:calc(100% + 1.2rem);margin:-.6rem -.6rem .5rem;aspect-ratio:3/2;object-fit:cover;border-radius:.6rem .6rem 0 0}\
.grid.brands{grid-template-columns:repeat(auto-fill,minmax(10rem,1fr))}.brands .card{padding:.6rem}.stats{display:flex;gap:1.5rem;flex-wrap:wrap}.stats b{display:block;font-size:1.4rem;color:#b71c1c}\
.keep{background:#fff;border:1px solid #eadfce;border-radius:.6rem;padding:.2rem 1rem 1rem;margin:1rem 0}.keep label{display:block;margin:.6rem 0 .25rem;font-weight:600}.qr svg{width:160px;height:160px;margin-top:.6rem}";

/// A public page: the frame, Open Graph card, and the body.
/// `image` is the path of the picture a shared link's card shows (the app's icon if none).
/// `path` is the page's own address, which the language switch comes back to.
pub(super) fn layout(site: &BrandSite, locale: Locale, title: &str, description: &str, path: &str, image: Option<&str>, body: Markup) -> String {
    let words = text(locale);
    let url = format!("{}{path}", site.base_url);
    let other = locale.other();
    let image = format!("{}{}", site.base_url, image.unwrap_or("/icons/icon-512.png"));
    html! {
        (DOCTYPE)
        html lang=(words.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) (words.title_suffix) }
                meta name="description" content=(description);
                meta property="og:type" content="website";
                meta property="og:title" content=(title);
                meta property="og:description" content=(description);
                meta property="og:url" content=(url);
                meta property="og:image" content=(image);
                meta name="theme-color" content="#b71c1c";
                link rel="icon" href="/icons/icon-192.png";
                style { (PreEscaped(STYLE)) }
            }
            body {
                header.top {
                    a href="/" { (words.site) }
                    a.lang href={ "/lang?to=" (other.tag()) "&back=" (query_value(path)) } lang=(other.tag()) hreflang=(other.tag()) aria-label=(words.other_language_label) { (words.other_language) }
                }
                main { (body) }
                footer { (words.footer) " · " a href="/login" { (words.staff_sign_in) } }
            }
        }
    }
    .into_string()
}

/// `text` as a query's value: every byte but the unreserved ones and `/` percent-encoded.
fn query_value(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_./~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

pub(super) fn html_response(status: StatusCode, html: Arc<String>) -> Response {
    let mut response = (status, html.as_str().to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn not_found(site: &BrandSite, locale: Locale) -> Response {
    let words = text(locale);
    let body = html! { h1 { (words.not_found) } p { a href="/" { (words.back_home) } } };
    html_response(StatusCode::NOT_FOUND, Arc::new(layout(site, locale, words.not_found_title, words.not_found_description, "/", None, body)))
}

fn unavailable(locale: Locale) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, text(locale).unavailable).into_response()
}

fn now_local_text() -> String {
    local_from_ms(now_ms()).format("%Y-%m-%dT%H:%M").to_string()
}

/// Places taken and people waiting, per activity.
async fn counts(db: &Db, activities: &[ActivityRecord]) -> Result<std::collections::HashMap<String, (u32, u32)>, surrealdb::Error> {
    /// A sign-up's standing, with the activity it is for.
    #[derive(Deserialize)]
    struct Entry {
        activity: String,
        #[serde(flatten)]
        standing: Standing,
    }
    let keys: Vec<&str> = activities.iter().map(|a| a.key.as_str()).collect();
    let signups: Vec<Entry> =
        rows(db, "SELECT record::id(id) AS key, activity, signed_at, active, walk_in FROM signup WHERE activity IN $keys", json!({ "keys": keys }), 0).await?;
    let mut by_activity: std::collections::HashMap<String, Vec<Standing>> = std::collections::HashMap::new();
    for entry in signups {
        by_activity.entry(entry.activity).or_default().push(entry.standing);
    }
    let mut out = std::collections::HashMap::new();
    for activity in activities {
        let laid = places(activity.capacity, by_activity.get(&activity.key).map(Vec::as_slice).unwrap_or_default());
        let confirmed = laid.iter().filter(|(_, p, _)| *p == Place::Confirmed).count() as u32;
        out.insert(activity.key.clone(), (confirmed, laid.len() as u32 - confirmed));
    }
    Ok(out)
}

/// A brand as the front page lists it.
#[derive(Deserialize)]
struct BrandCard {
    key: String,
    name: String,
    #[serde(default)]
    slogan: String,
    /// The first photo's hash.
    #[serde(default)]
    cover: Option<String>,
}

/// A record's key and name (a branch).
#[derive(Deserialize)]
struct Named {
    key: String,
    name: String,
}

/// A project the district took up or may, on the front page.
#[derive(Deserialize)]
struct Highlight {
    title: String,
    branch: String,
}

/// A brand page as stored.
#[derive(Deserialize)]
struct BrandRecord {
    name: String,
    #[serde(default)]
    slogan: String,
    #[serde(default)]
    story: String,
    #[serde(default)]
    join: String,
    #[serde(default)]
    photos: Vec<String>,
    #[serde(default)]
    outcomes: Vec<Outcome>,
}

/// One month of the 12345 work orders and residents' satisfaction (a percentage).
#[derive(Deserialize)]
struct Outcome {
    label: String,
    orders: i64,
    satisfaction: f64,
}

/// A filed project on its branch's brand page.
#[derive(Deserialize)]
struct ProjectCard {
    key: String,
    title: String,
}

/// A plan's work done and in all, in task-days (progress in percent times duration).
#[derive(Deserialize)]
struct PlanProgress {
    project: String,
    #[serde(default)]
    done: f64,
    #[serde(default)]
    total: f64,
}

/// The brand a sign-up page shows: its name and cover.
#[derive(Deserialize)]
struct BrandCover {
    name: String,
    #[serde(default)]
    cover: Option<String>,
}

fn activity_cards(locale: Locale, activities: &[ActivityRecord], counts: &std::collections::HashMap<String, (u32, u32)>) -> Markup {
    let words = text(locale);
    html! {
        @for a in activities {
            @let (taken, waiting) = counts.get(&a.key).copied().unwrap_or((0, 0));
            div.card {
                h3 { a href={ "/a/" (a.key) } { (a.title) } }
                p.meta { (when(locale, &a.starts_at, &a.ends_at)) " · " (a.place) }
                p.meta {
                    @if a.cancelled { span.badge { (words.cancelled) } }
                    @else if taken >= a.capacity { span.badge { (words.full) } ((words.waiting_count)(waiting)) }
                    @else { ((words.taken_of)(taken, u64::from(a.capacity))) }
                }
            }
        }
    }
}

/// Serves `path` in `locale` from the cache, or draws it with `draw` and keeps it.
async fn cached<F, Fut>(site: &BrandSite, locale: Locale, path: &str, draw: F) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Option<String>, surrealdb::Error>>,
{
    let key = format!("{} {path}", locale.tag());
    if let Some(html) = site.cached(&key) {
        return html_response(StatusCode::OK, html);
    }
    let seq = site.seq.load(Ordering::Relaxed);
    match draw().await {
        Ok(Some(html)) => {
            let html = Arc::new(html);
            site.keep(&key, seq, html.clone());
            html_response(StatusCode::OK, html)
        }
        Ok(None) => not_found(site, locale),
        Err(error) => {
            tracing::error!(%error, path, "public page failed");
            unavailable(locale)
        }
    }
}

/// `/`: every branch's brand, the highlight projects, and what is coming up.
pub async fn front(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let locale = locale_of(&headers);
    let words = text(locale);
    let db = state.db.clone();
    let site = state.brand.clone();
    cached(&state.brand, locale, "/", || async move {
        let brands: Vec<BrandCard> = rows(&db, "SELECT record::id(id) AS key, name, slogan, photos[0] AS cover FROM brand ORDER BY key", json!({}), 0).await?;
        let cover_hashes: Vec<String> = brands.iter().filter_map(|b| b.cover.clone()).collect();
        let covers: std::collections::BTreeMap<String, Shown> = shown(&db, &cover_hashes).await?.into_iter().map(|p| (p.hash.clone(), p)).collect();
        let cover_of = |b: &BrandCard| b.cover.as_ref().and_then(|h| covers.get(h));
        let branches: Vec<Named> = rows(&db, "SELECT record::id(id) AS key, name FROM branch ORDER BY sort", json!({}), 0).await?;
        let branch_name = |key: &str| branches.iter().find(|b| b.key == key).map(|b| b.name.clone()).unwrap_or_default();
        let highlights: Vec<Highlight> =
            rows(&db, "SELECT record::id(id) AS key, title, branch FROM project WHERE nomination IN ['nominated', 'selected'] ORDER BY key", json!({}), 0)
                .await?;
        let activities: Vec<ActivityRecord> = rows(
            &db,
            "SELECT record::id(id) AS key, * OMIT id, checkin_code FROM activity WHERE starts_at >= $now AND cancelled = false ORDER BY starts_at LIMIT 6",
            json!({ "now": now_local_text() }),
            0,
        )
        .await?;
        let counts = counts(&db, &activities).await?;
        let brand_of = |branch: &str| brands.iter().find(|b| b.key == branch).map(|b| b.name.clone()).unwrap_or_default();
        let body = html! {
            h1 { (words.front_heading) }
            p.slogan { (words.front_slogan) }
            h2 { (words.highlights) }
            div.grid {
                @for p in &highlights {
                    div.card {
                        h3 { (p.title) }
                        p.meta { a href={ "/b/" (p.branch) } { (branch_name(&p.branch)) " · " (brand_of(&p.branch)) } }
                    }
                }
            }
            h2 { (words.coming_up) }
            @if activities.is_empty() { p { (words.nothing_coming) } }
            (activity_cards(locale, &activities, &counts))
            h2 { (words.brands) }
            div.grid.brands {
                @for b in &brands {
                    div.card {
                        @if let Some(photo) = cover_of(b) { (thumbnail(photo, &b.name)) }
                        h3 { a href={ "/b/" (b.key) } { (b.name) } }
                        p.meta { (branch_name(&b.key)) }
                        p.meta { (b.slogan) }
                    }
                }
            }
        };
        Ok(Some(layout(&site, locale, words.front_title, words.front_description, "/", brands.iter().find_map(cover_of).map(Shown::card_url).as_deref(), body)))
    })
    .await
}

/// `/b/{branch}`: a branch's brand page.
pub async fn brand(State(state): State<AppState>, Path(branch): Path<String>, headers: HeaderMap) -> Response {
    let locale = locale_of(&headers);
    let words = text(locale);
    if !app::domain::records::valid_key(&branch) {
        return not_found(&state.brand, locale);
    }
    let db = state.db.clone();
    let site = state.brand.clone();
    let path = format!("/b/{branch}");
    let path_for_page = path.clone();
    cached(&state.brand, locale, &path, || async move {
        let Some(brand): Option<BrandRecord> = row(&db, "SELECT * FROM ONLY type::record('brand', $key)", json!({ "key": branch })).await? else {
            return Ok(None);
        };
        let branch_name: Option<String> = row(&db, "SELECT VALUE name FROM ONLY type::record('branch', $key)", json!({ "key": branch })).await?;
        let projects: Vec<ProjectCard> = rows(
            &db,
            "SELECT record::id(id) AS key, title, status, goals FROM project WHERE branch = $key AND status IN ['filed', 'in_progress', 'completed'] ORDER BY key",
            json!({ "key": branch }),
            0,
        )
        .await?;
        let keys: Vec<&str> = projects.iter().map(|p| p.key.as_str()).collect();
        let progress: Vec<PlanProgress> = rows(
            &db,
            "SELECT project, math::sum(duration * progress) AS done, math::sum(duration) AS total FROM gantt_task WHERE project IN $keys AND removed = false AND milestone = false GROUP BY project",
            json!({ "keys": keys }),
            0,
        )
        .await?;
        let percent = |key: &str| -> i64 {
            progress.iter().find(|p| p.project == key).map(|p| if p.total > 0.0 { (p.done / p.total).floor() as i64 } else { 0 }).unwrap_or(0)
        };
        let activities: Vec<ActivityRecord> = rows(
            &db,
            "SELECT record::id(id) AS key, * OMIT id, checkin_code FROM activity WHERE branch = $key AND ends_at >= $now ORDER BY starts_at LIMIT 10",
            json!({ "key": branch, "now": now_local_text() }),
            0,
        )
        .await?;
        let counts = counts(&db, &activities).await?;
        let partners: Vec<String> = rows(&db, "SELECT VALUE org FROM partner WHERE branch = $key AND status = 'approved' ORDER BY org", json!({ "key": branch }), 0).await?;
        let BrandRecord { name, slogan, story, join, photos, outcomes } = brand;
        let shown = shown(&db, &photos).await?;
        let body = html! {
            p.meta { (branch_name.unwrap_or_default()) }
            h1 { (name) }
            @if !slogan.is_empty() { p.slogan { (slogan) } }
            @if let Some(photo) = shown.first() { (cover(photo, &(words.photo_of)(&name))) }
            @for paragraph in story.split('\n').filter(|p| !p.trim().is_empty()) {
                p { (paragraph) }
            }
            @if shown.len() > 1 { (gallery(&shown[1..], &(words.photo_of)(&name))) }
            @if !outcomes.is_empty() { h2 { (words.outcomes) } (outcome_chart(words, &outcomes)) }
            h2 { (words.brand_projects) }
            @if projects.is_empty() { p { (words.projects_coming) } }
            @for p in &projects {
                @let done = percent(&p.key);
                div.card {
                    h3 { (p.title) }
                    p.meta { ((words.progress)(done)) }
                    div.bar role="img" aria-label=((words.progress)(done)) { span style={ "width:" (done) "%" } {} }
                }
            }
            h2 { (words.activities) }
            @if activities.is_empty() { p { (words.nothing_coming) } }
            (activity_cards(locale, &activities, &counts))
            @if !partners.is_empty() { h2 { (words.partners) } p { (partners.join(words.list_separator)) } }
            h2 { (words.how_to_join) }
            p { (if join.trim().is_empty() { words.join_default } else { join.as_str() }) }
            p { a href={ "/b/" (branch) "/join" } { (words.partners_apply) } }
            p { a href={ "/qr/b/" (branch) ".svg" } { (words.page_qr) } }
        };
        let description = if slogan.is_empty() { (words.brand_description)(&name) } else { format!("{name}{}{slogan}", words.colon) };
        Ok(Some(layout(&site, locale, &name, &description, &path_for_page, shown.first().map(Shown::card_url).as_deref(), body)))
    })
    .await
}

/// Monthly 12345 work orders (bars) and satisfaction (the figures under them), as SVG.
fn outcome_chart(words: &Text, outcomes: &[Outcome]) -> Markup {
    let max = outcomes.iter().map(|o| o.orders as f64).fold(1.0, f64::max);
    let width = 40.0 * outcomes.len() as f64 + 20.0;
    let first = outcomes.first().map(|o| o.satisfaction).unwrap_or(0.0);
    let last = outcomes.last().map(|o| o.satisfaction).unwrap_or(0.0);
    let orders_first = outcomes.first().map(|o| o.orders).unwrap_or(0);
    let orders_last = outcomes.last().map(|o| o.orders).unwrap_or(0);
    html! {
        div.stats {
            div { b { (orders_first) " → " (orders_last) } (words.orders_per_month) }
            div { b { (first) "% → " (last) "%" } (words.satisfaction) }
        }
        svg.chart viewBox={ "0 -14 " (width) " 164" } role="img" aria-label=((words.outcome_summary)(orders_first, orders_last, first, last)) {
            @for (i, o) in outcomes.iter().enumerate() {
                @let h = o.orders as f64 / max * 100.0;
                @let x = 20.0 + 40.0 * i as f64;
                rect x=(x) y=(110.0 - h) width="26" height=(h) fill="#c62828" {}
                text x=(x + 13.0) y=(106.0 - h) font-size="10" text-anchor="middle" { (o.orders) }
                text x=(x + 13.0) y="125" font-size="10" text-anchor="middle" { (o.label) }
                text x=(x + 13.0) y="142" font-size="9" text-anchor="middle" fill="#1d5b22" { (o.satisfaction) "%" }
            }
        }
    }
}

/// What a partner's application held, to draw it again with a message.
#[derive(Default, Clone)]
pub(super) struct Application {
    pub org: String,
    pub kind: String,
    pub offer: String,
    pub name: String,
    pub phone: String,
    pub consent: bool,
}

/// `/b/{branch}/join`: a social organisation or merchant applies to join the commune.
pub async fn join(
    State(state): State<AppState>,
    Path(branch): Path<String>,
    headers: HeaderMap,
    query: axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let locale = locale_of(&headers);
    let sent = query.contains_key("sent");
    match join_page(&state, locale, &branch, &Application { kind: "merchant".into(), ..Default::default() }, None, sent).await {
        Ok(Some(html)) => html_response(StatusCode::OK, Arc::new(html)),
        Ok(None) => not_found(&state.brand, locale),
        Err(error) => {
            tracing::error!(%error, "join page failed");
            unavailable(locale)
        }
    }
}

pub(super) async fn join_page(
    state: &AppState,
    locale: Locale,
    branch: &str,
    typed: &Application,
    problem: Option<String>,
    sent: bool,
) -> Result<Option<String>, surrealdb::Error> {
    let words = text(locale);
    if !app::domain::records::valid_key(branch) {
        return Ok(None);
    }
    let Some(name): Option<String> = row(&state.db, "SELECT VALUE name FROM ONLY type::record('brand', $key)", json!({ "key": branch })).await? else {
        return Ok(None);
    };
    let op = uuid::Uuid::now_v7();
    let body = html! {
        p.meta { a href={ "/b/" (branch) } { (name) } }
        h1 { (words.join_title) }
        @if sent {
            p.ok role="status" { (words.join_sent) }
        } @else {
            p { (words.join_intro) }
            @if let Some(problem) = &problem { p.error role="alert" { (problem) } }
            form method="post" action={ "/b/" (branch) "/join" } {
                input type="hidden" name="op" value=(op);
                label for="org" { (words.org_name) }
                input id="org" type="text" name="org" value=(typed.org) maxlength="40" required;
                label for="kind" { (words.org_kind) }
                select id="kind" name="kind" {
                    option value="merchant" selected[typed.kind == "merchant"] { (words.merchant) }
                    option value="social_org" selected[typed.kind == "social_org"] { (words.social_org) }
                }
                label for="offer" { (words.offer) }
                input id="offer" type="text" name="offer" value=(typed.offer) maxlength="200";
                label for="name" { (words.contact) }
                input id="name" type="text" name="name" value=(typed.name) autocomplete="name" maxlength="20" required;
                label for="phone" { (words.contact_phone) }
                input id="phone" type="tel" name="phone" value=(typed.phone) autocomplete="tel" inputmode="tel" maxlength="20" required;
                div.trap aria-hidden="true" { label for="website" { (words.trap) } input id="website" type="text" name="website" tabindex="-1" autocomplete="off"; }
                label.check { input type="checkbox" name="consent" value="1" checked[typed.consent] required; span { (words.join_consent) } }
                button type="submit" { (words.join_submit) }
            }
        }
    };
    Ok(Some(layout(&state.brand, locale, words.join_title, &(words.join_description)(&name), &format!("/b/{branch}/join"), None, body)))
}

/// What a sign-up form held, to draw it again with a message.
#[derive(Default, Clone)]
pub(super) struct Typed {
    pub name: String,
    pub phone: String,
    pub consent: bool,
    pub wait: bool,
}

/// `/a/{activity}`: the recruitment notice and the sign-up form.
pub async fn activity(State(state): State<AppState>, Path(key): Path<String>, headers: HeaderMap) -> Response {
    let locale = locale_of(&headers);
    match activity_page(&state, locale, &key, &Typed::default(), None).await {
        Ok(Some(html)) => html_response(StatusCode::OK, Arc::new(html)),
        Ok(None) => not_found(&state.brand, locale),
        Err(error) => {
            tracing::error!(%error, "activity page failed");
            unavailable(locale)
        }
    }
}

pub(super) async fn activity_page(
    state: &AppState,
    locale: Locale,
    key: &str,
    typed: &Typed,
    problem: Option<String>,
) -> Result<Option<String>, surrealdb::Error> {
    let words = text(locale);
    if !app::domain::records::valid_key(key) {
        return Ok(None);
    }
    let Some(a): Option<ActivityRecord> =
        row(&state.db, "SELECT record::id(id) AS key, * OMIT id, checkin_code FROM ONLY type::record('activity', $key)", json!({ "key": key })).await?
    else {
        return Ok(None);
    };
    let team_name: Option<String> = row(&state.db, "SELECT VALUE name FROM ONLY type::record('volunteer_team', $key)", json!({ "key": a.team })).await?;
    let brand: Option<BrandCover> = row(&state.db, "SELECT name, photos[0] AS cover FROM ONLY type::record('brand', $key)", json!({ "key": a.branch })).await?;
    let brand_name = brand.as_ref().map(|b| b.name.clone());
    let cover_hash: Vec<String> = brand.and_then(|b| b.cover).into_iter().collect();
    let cover = shown(&state.db, &cover_hash).await?.into_iter().next();
    let counts = counts(&state.db, std::slice::from_ref(&a)).await?;
    let (taken, waiting) = counts.get(key).copied().unwrap_or((0, 0));
    let Some(activity) = a.activity() else { return Ok(None) };
    let now = local_from_ms(now_ms());
    let open = !activity.cancelled && now < activity.starts_at;
    let full = taken >= activity.capacity;
    let title = a.title.clone();
    let branch = &a.branch;
    let op = uuid::Uuid::now_v7();
    let body = html! {
        p.meta { a href={ "/b/" (branch) } { (brand_name.unwrap_or_default()) } " · " (team_name.unwrap_or_default()) }
        h1 { (title) }
        p { (when(locale, &a.starts_at, &a.ends_at)) br; (words.place) (a.place) }
        @if !a.bring.is_empty() { p { (words.bring) (a.bring) } }
        @for paragraph in a.notice.split('\n').filter(|p| !p.trim().is_empty()) { p { (paragraph) } }
        p.meta { ((words.places_taken)(activity.capacity, taken)) @if waiting > 0 { ((words.and_waiting)(waiting)) } }
        @if activity.cancelled { p.error role="alert" { (words.activity_cancelled) } }
        @else if !open { p.meta { (words.sign_up_closed) } }
        @else {
            h2 id="signup" { (words.sign_up_heading) }
            @if let Some(problem) = &problem { p.error role="alert" id="form-error" { (problem) } }
            form method="post" action={ "/a/" (key) } {
                input type="hidden" name="op" value=(op);
                label for="name" { (words.name) }
                input id="name" type="text" name="name" value=(typed.name) autocomplete="name" maxlength="20" required;
                label for="phone" { (words.phone) }
                input id="phone" type="tel" name="phone" value=(typed.phone) autocomplete="tel" inputmode="tel" maxlength="20" required aria-describedby="phone-help";
                p.meta id="phone-help" { (words.phone_help) }
                div.trap aria-hidden="true" { label for="website" { (words.trap) } input id="website" type="text" name="website" tabindex="-1" autocomplete="off"; }
                @if full {
                    // The button says what it does: no box to tick as well.
                    input type="hidden" name="wait" value="1";
                    p.meta { (words.full_waiting_note) }
                }
                label.check { input type="checkbox" name="consent" value="1" checked[typed.consent] required; span { (words.consent) } }
                button type="submit" { @if full { (words.join_waiting_list) } @else { (words.submit_sign_up) } }
            }
        }
        p { a href={ "/qr/a/" (key) ".svg" } { (words.activity_qr) } }
    };
    let description = format!("{} · {}", when(locale, &a.starts_at, &a.ends_at), a.place);
    Ok(Some(layout(&state.brand, locale, &title, &description, &format!("/a/{key}"), cover.as_ref().map(Shown::card_url).as_deref(), body)))
}

/// `/s/{signup}/{token}`: a resident's own sign-up: place, cancel, check in and out, hours.
pub async fn signup(
    State(state): State<AppState>,
    Path((key, token)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    query: axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    // What the form just did, told once (the cookie is cleared with this answer).
    let done = axum_extra::extract::CookieJar::from_headers(&headers)
        .get(super::forms::OUTCOME_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|done| ["signed", "cancelled", "rejoined", "in", "out", "erased", "again"].contains(&done.as_str()));
    let ask_erase = query.get("erase").is_some_and(|v| v == "ask");
    let locale = locale_of(&headers);
    match signup_page(&state, locale, &key, &token, done.as_deref(), None, ask_erase).await {
        Ok(Some(html)) => {
            let mut response = html_response(StatusCode::OK, Arc::new(html));
            if done.is_some() {
                let clear = format!("{}=; Max-Age=0; Path=/s/{key}; HttpOnly; SameSite=Lax", super::forms::OUTCOME_COOKIE);
                if let Ok(value) = HeaderValue::from_str(&clear) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Ok(None) => not_found(&state.brand, locale),
        Err(error) => {
            tracing::error!(%error, "sign-up page failed");
            unavailable(locale)
        }
    }
}

/// `ask_erase`: the resident asked to delete their name and phone; the page asks them to confirm.
pub(super) async fn signup_page(
    state: &AppState,
    locale: Locale,
    key: &str,
    token: &str,
    done: Option<&str>,
    problem: Option<String>,
    ask_erase: bool,
) -> Result<Option<String>, surrealdb::Error> {
    let words = text(locale);
    if !app::domain::records::valid_key(key) || !state.pii.link_ok(key, token) {
        return Ok(None);
    }
    let Some(s): Option<SignupRecord> =
        row(&state.db, "SELECT record::id(id) AS key, * OMIT id FROM ONLY type::record('signup', $key)", json!({ "key": key })).await?
    else {
        return Ok(None);
    };
    let activity_key = s.activity.clone();
    let Some(a): Option<ActivityRecord> =
        row(&state.db, "SELECT record::id(id) AS key, * OMIT id, checkin_code FROM ONLY type::record('activity', $key)", json!({ "key": activity_key }))
            .await?
    else {
        return Ok(None);
    };
    let Some(activity) = a.activity() else { return Ok(None) };
    // Past its time the link shows nothing (the person's name and phone are erased then).
    if activity.link_expired(local_from_ms(now_ms())) {
        return Ok(None);
    }
    let list: Vec<Standing> =
        rows(&state.db, "SELECT record::id(id) AS key, signed_at, active, walk_in FROM signup WHERE activity = $a", json!({ "a": activity_key }), 0).await?;
    let mine = places(activity.capacity, &list).into_iter().find(|(k, _, _)| k == key);
    let (active, walk_in) = (s.active, s.walk_in);
    let now = now_ms();
    let local_now = local_from_ms(now);
    let (checked_in, checked_out) = (s.checked_in_at, s.checked_out_at);
    let minutes = service_minutes(&activity, checked_in, checked_out, now, s.adjust_minutes);
    let confirmed = walk_in || matches!(mine, Some((_, Place::Confirmed, _)));
    // Cut to the waiting list by a capacity change made after this sign-up.
    let capacity_changed_after =
        a.clocks.get("capacity").and_then(|c| c.parse::<app::domain::hlc::Stamp>().ok()).is_some_and(|stamp| stamp.ms as i64 > s.signed_at);
    let check_in_open = activity.check_in_window(local_now).is_ok();
    // After the last wrong code the form goes: only the staff on site can check this person in.
    let wrong_codes: Option<u32> = row(&state.db, "SELECT VALUE n FROM ONLY type::record('code_tries', $key)", json!({ "key": key })).await?;
    let locked_out = wrong_codes.unwrap_or(0) >= app::domain::volunteers::MAX_CODE_TRIES;
    let path = format!("/s/{key}/{token}");
    let private_url = format!("{}{path}", state.brand.base_url);
    // One operation id per form: a stale copy of one form (a second tab, the back button)
    // can only repeat that form, never pass for another.
    let op = || uuid::Uuid::now_v7();
    let time = |ms: i64| local_from_ms(ms).format("%H:%M").to_string();
    let body = html! {
        p.meta { (words.my_sign_up) }
        h1 { a href={ "/a/" (activity_key) } { (a.title) } }
        p { (when(locale, &a.starts_at, &a.ends_at)) br; (words.place) (a.place) }
        p.meta { (words.signed_by) (s.name_mask) " · " (s.phone_mask) }
        p.meta { (words.link_lifetime) }
        @if let Some(done) = done {
            p.ok role="status" { (match done { "signed" => words.done_signed, "cancelled" => words.done_cancelled, "rejoined" => words.done_rejoined, "in" => words.done_in, "out" => words.done_out, "erased" => words.done_erased, "again" => words.done_again, _ => words.done_saved }) }
        }
        @if let Some(problem) = &problem { p.error role="alert" { (problem) } }
        @if done == Some("signed") {
            section.keep aria-labelledby="keep" {
                h2 id="keep" { (words.keep_heading) }
                p.meta { (words.keep_help) }
                label for="private-link" { (words.keep_label) }
                input id="private-link" type="url" readonly value=(private_url);
                @if let Some(svg) = super::qr::svg_of(&private_url, 160) { div.qr aria-hidden="true" { (maud::PreEscaped(svg)) } }
            }
        }
        @if activity.cancelled {
            p.error role="alert" { (words.sorry_cancelled) }
        } @else if !active {
            p { span.badge { (words.sign_up_withdrawn) } }
            @if local_now < activity.starts_at {
                form method="post" action=(path) { input type="hidden" name="op" value=(op()); input type="hidden" name="action" value="rejoin"; button type="submit" { (words.rejoin) } }
            }
        } @else {
            @match &mine {
                Some((_, Place::Waiting, n)) => {
                    p { span.badge { ((words.waiting_position)(*n)) } }
                    @if capacity_changed_after { p.error role="alert" { (words.capacity_cut) } }
                    @else { p.meta { (words.waiting_note) } }
                }
                _ => { p { span.badge { @if walk_in { (words.walk_in) } @else { (words.confirmed) } } } }
            }
            @if let Some(at) = checked_in {
                p { (words.checked_in) (time(at)) @if let Some(out) = checked_out { (words.checked_out) (time(out)) } }
            }
            @if confirmed && checked_in.is_none() && check_in_open && locked_out {
                h2 { (words.check_in) }
                p.error role="alert" { ((words.locked_out)(app::domain::volunteers::MAX_CODE_TRIES)) }
            } @else if confirmed && checked_in.is_none() && check_in_open {
                h2 { (words.check_in) }
                form method="post" action=(path) {
                    input type="hidden" name="op" value=(op());
                    input type="hidden" name="action" value="checkin";
                    label for="code" { (words.code_label) }
                    input id="code" type="text" name="code" inputmode="numeric" autocomplete="one-time-code" minlength="6" maxlength="6" pattern="[0-9]{6}" required;
                    button type="submit" { (words.check_in) }
                }
            }
            // From the start (one rule with the server's: an earlier check-out is staff's adjustment).
            @if checked_in.is_some() && checked_out.is_none() {
                @if local_now >= activity.starts_at {
                    form method="post" action=(path) { input type="hidden" name="op" value=(op()); input type="hidden" name="action" value="checkout"; button type="submit" { (words.check_out) } }
                } @else {
                    p.meta { (words.check_out_from_start) }
                }
            }
            @if checked_in.is_some() && (checked_out.is_some() || local_now > activity.ends_at) {
                p { (words.hours_served) b { ((words.hours)(&hours_text(minutes))) } }
            }
            @if checked_in.is_none() && local_now < activity.ends_at {
                form method="post" action=(path) { input type="hidden" name="op" value=(op()); input type="hidden" name="action" value="cancel"; button.secondary type="submit" { (words.withdraw) } }
            }
        }
        @if !s.erased {
            h2 id="erase" { (words.erase_heading) }
            p.meta { (words.erase_explained) }
            @if ask_erase {
                p.error role="alert" { (words.erase_sure) }
                form method="post" action=(path) { input type="hidden" name="op" value=(op()); input type="hidden" name="action" value="erase"; button type="submit" { (words.erase_confirm) } }
                p { a href=(path) { (words.erase_keep) } }
            } @else {
                form method="get" action={ (path) "#erase" } { input type="hidden" name="erase" value="ask"; button.secondary type="submit" { (words.erase_ask) } }
            }
        }
    };
    Ok(Some(layout(&state.brand, locale, words.my_sign_up, words.my_sign_up_description, &path, None, body)))
}
