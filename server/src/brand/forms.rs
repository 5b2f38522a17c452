//! The public forms: a sign-up, and what a resident does through their private link
//! (cancel, sign up again, check in with the code, check out). Each becomes one
//! operation on the write path, its id taken from the form, so a form posted twice is
//! applied once; what was typed is drawn again beside any message.

use super::pages::{activity_page, html_response, join_page, signup_page, Application, Typed};
use super::text::text;
use crate::state::AppState;
use crate::sync::{ApplyError, Context};
use app::db::{now_ms, row};
use app::domain::ops::{OpKind, OpStatus, Operation};
use app::domain::org::{Actor, Role};
use app::domain::volunteers::{check_name, normalise_phone, VolunteerProblem, SIGNUP_TABLE};
use app::i18n::{reason_message, volunteer_problem, Locale};
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    op: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    wait: Option<String>,
    /// The trap: hidden from people, filled by bots.
    #[serde(default)]
    website: String,
}

fn resident(key: &str, locale: Locale) -> Context {
    Context {
        actor: Actor { account: format!("resident:{key}"), role: Role::Resident, branch: None },
        actor_name: "居民".into(),
        client: "web".into(),
        session: String::new(),
        locale,
        password: None,
    }
}

/// What became of a resident's operation that was not refused.
#[derive(PartialEq)]
enum Applied {
    Now,
    /// The same form was sent before (a second tap, the back button): nothing new was done.
    Before,
}

/// Applies a resident's operation: whether now or before, or the message to show.
async fn apply(state: &AppState, key: &str, mut op: Operation, locale: Locale) -> Result<Applied, String> {
    state.pii.seal_ops(std::slice::from_mut(&mut op));
    match state.writer.submit(resident(key, locale), vec![op]).await {
        Ok(Ok((mut results, _))) => {
            let result = results.pop().ok_or_else(|| busy(locale))?;
            match (result.status, result.reason) {
                (OpStatus::Accepted, _) if result.duplicate => Ok(Applied::Before),
                (OpStatus::Accepted, _) => Ok(Applied::Now),
                (_, Some(reason)) => Err(reason_message(locale, &reason)),
                _ => Err(busy(locale)),
            }
        }
        Ok(Err(ApplyError::Database(error))) => {
            tracing::error!(%error, "public form failed");
            Err(busy(locale))
        }
        _ => Err(busy(locale)),
    }
}

fn busy(locale: Locale) -> String {
    text(locale).busy.into()
}

fn operation(id: &str, key: &str, kind: OpKind, clock: app::domain::hlc::Stamp) -> Operation {
    Operation {
        id: id.parse().unwrap_or_else(|_| uuid::Uuid::now_v7()),
        table: SIGNUP_TABLE.into(),
        key: key.into(),
        kind,
        clock,
        base: Default::default(),
        n: None,
    }
}

async fn page_again(state: &AppState, locale: Locale, activity: &str, typed: &Typed, status: StatusCode, message: String) -> Response {
    match activity_page(state, locale, activity, typed, Some(message)).await {
        Ok(Some(html)) => html_response(status, Arc::new(html)),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `POST /a/{activity}`: a resident signs up.
pub async fn sign_up(
    State(state): State<AppState>,
    Path(activity): Path<String>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<SignUpForm>,
) -> Response {
    let locale = super::locale_of(&headers);
    let typed = Typed { name: form.name.clone(), phone: form.phone.clone(), consent: form.consent.is_some(), wait: form.wait.is_some() };
    let problem = |p: VolunteerProblem| volunteer_problem(locale, &p);
    if !form.website.is_empty() {
        tracing::info!("a sign-up filled the hidden field; refused");
        return page_again(&state, locale, &activity, &Typed::default(), StatusCode::UNPROCESSABLE_ENTITY, text(locale).refused.into()).await;
    }
    // Checked here as well as by the rule, so every problem is named at once, in order.
    if let Err(p) = check_name(&form.name) {
        return page_again(&state, locale, &activity, &typed, StatusCode::UNPROCESSABLE_ENTITY, problem(p)).await;
    }
    if let Err(p) = normalise_phone(&form.phone) {
        return page_again(&state, locale, &activity, &typed, StatusCode::UNPROCESSABLE_ENTITY, problem(p)).await;
    }
    if form.consent.is_none() {
        return page_again(&state, locale, &activity, &typed, StatusCode::UNPROCESSABLE_ENTITY, problem(VolunteerProblem::ConsentMissing)).await;
    }
    let Ok(op_id) = form.op.parse::<uuid::Uuid>() else {
        return page_again(&state, locale, &activity, &typed, StatusCode::UNPROCESSABLE_ENTITY, busy(locale)).await;
    };
    if !state.throttle.allow(crate::throttle::Limit::PublicForm, state.throttle.client_address(&headers, peer.map(|p| (p.0).0))) {
        return page_again(&state, locale, &activity, &typed, StatusCode::TOO_MANY_REQUESTS, problem(VolunteerProblem::TooManySignUps)).await;
    }
    let branch: Option<String> =
        row(&state.db, "SELECT VALUE branch FROM ONLY type::record('activity', $key)", json!({ "key": activity })).await.ok().flatten();
    let Some(branch) = branch else { return StatusCode::NOT_FOUND.into_response() };
    // The sign-up's key comes from the form's operation id: posted twice, one sign-up.
    let key = op_id.simple().to_string();
    let fields: BTreeMap<String, Value> = [
        ("activity", json!(activity)),
        ("branch", json!(branch)),
        ("name", json!(form.name)),
        ("phone", json!(form.phone)),
        ("consent", json!(true)),
        ("wait", json!(typed.wait)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let op = operation(&form.op, &key, OpKind::Create { fields }, state.writer.stamp().await);
    match apply(&state, &key, op, locale).await {
        Ok(_) => outcome_once(&format!("/s/{key}/{}", state.pii.link_token(&key)), &key, "signed"),
        Err(message) => page_again(&state, locale, &activity, &typed, StatusCode::UNPROCESSABLE_ENTITY, message).await,
    }
}

#[derive(Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    op: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    offer: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    consent: Option<String>,
    #[serde(default)]
    website: String,
}

/// `POST /b/{branch}/join`: a partner's application, reviewed later by the branch's staff.
pub async fn join(
    State(state): State<AppState>,
    Path(branch): Path<String>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<JoinForm>,
) -> Response {
    let locale = super::locale_of(&headers);
    let kind = if form.kind == "social_org" { "social_org" } else { "merchant" };
    let typed = Application {
        org: form.org.clone(),
        kind: kind.into(),
        offer: form.offer.clone(),
        name: form.name.clone(),
        phone: form.phone.clone(),
        consent: form.consent.is_some(),
    };
    let again = |message: String, status: StatusCode| {
        let (state, branch, typed) = (state.clone(), branch.clone(), typed.clone());
        async move {
            match join_page(&state, locale, &branch, &typed, Some(message), false).await {
                Ok(Some(html)) => html_response(status, Arc::new(html)),
                _ => StatusCode::NOT_FOUND.into_response(),
            }
        }
    };
    let problem = |p: VolunteerProblem| volunteer_problem(locale, &p);
    if !form.website.is_empty() {
        return again(text(locale).refused.into(), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let org = form.org.trim();
    if org.chars().count() < 2 || org.chars().count() > 40 {
        return again(text(locale).org_name_length.into(), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    for (field, text) in [("org", org), ("offer", form.offer.trim())] {
        if let Err(p) = app::domain::volunteers::check_plain(field, text) {
            return again(problem(p), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    }
    if let Err(p) = check_name(&form.name) {
        return again(problem(p), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if let Err(p) = normalise_phone(&form.phone) {
        return again(problem(p), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if form.consent.is_none() {
        return again(problem(VolunteerProblem::ConsentMissing), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let Ok(op_id) = form.op.parse::<uuid::Uuid>() else { return again(busy(locale), StatusCode::UNPROCESSABLE_ENTITY).await };
    if !state.throttle.allow(crate::throttle::Limit::PublicForm, state.throttle.client_address(&headers, peer.map(|p| (p.0).0))) {
        return again(problem(VolunteerProblem::TooManySignUps), StatusCode::TOO_MANY_REQUESTS).await;
    }
    let key = op_id.simple().to_string();
    let fields: BTreeMap<String, Value> = [
        ("branch", json!(branch)),
        ("org", json!(org)),
        ("kind", json!(kind)),
        ("offer", json!(form.offer.trim().chars().take(500).collect::<String>())),
        ("name", json!(form.name)),
        ("phone", json!(form.phone)),
        ("consent", json!(true)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let op = Operation {
        id: op_id,
        table: "partner".into(),
        key: key.clone(),
        kind: OpKind::Create { fields },
        clock: state.writer.stamp().await,
        base: Default::default(),
        n: None,
    };
    match apply(&state, &key, op, locale).await {
        Ok(_) => Redirect::to(&format!("/b/{branch}/join?sent=1")).into_response(),
        Err(message) => again(message, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// The cookie that carries what a form did to the private page it redirects to, once: the
/// link the resident keeps is the page's own, with nothing in it that says "signed up".
pub(super) const OUTCOME_COOKIE: &str = "xf_outcome";

/// Redirects to the sign-up's private page, which says once what was done.
fn outcome_once(path: &str, key: &str, done: &str) -> Response {
    let mut response = Redirect::to(path).into_response();
    let cookie = format!("{OUTCOME_COOKIE}={done}; Max-Age=300; Path=/s/{key}; HttpOnly; SameSite=Lax");
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
        response.headers_mut().append(axum::http::header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    op: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    code: String,
}

/// `POST /s/{signup}/{token}`: cancel, sign up again, check in, check out.
pub async fn act(State(state): State<AppState>, Path((key, token)): Path<(String, String)>, headers: HeaderMap, Form(form): Form<ActForm>) -> Response {
    let locale = super::locale_of(&headers);
    if !app::domain::records::valid_key(&key) || !state.pii.link_ok(&key, &token) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let now = now_ms();
    let (fields, done): (Vec<(&str, Value)>, &str) = match form.action.as_str() {
        "cancel" => (vec![("active", json!(false))], "cancelled"),
        "rejoin" => (vec![("active", json!(true)), ("wait", json!(true))], "rejoined"),
        "checkin" => (vec![("checked_in_at", json!(now)), ("code", json!(form.code.chars().take(12).collect::<String>()))], "in"),
        "checkout" => (vec![("checked_out_at", json!(now))], "out"),
        "erase" => (vec![("erase", json!(true))], "erased"),
        _ => return StatusCode::BAD_REQUEST.into_response(),
    };
    let fields: BTreeMap<String, Value> = fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    let op = operation(&form.op, &key, OpKind::Set { fields }, state.writer.stamp().await);
    let path = format!("/s/{key}/{token}");
    match apply(&state, &key, op, locale).await {
        Ok(Applied::Now) => outcome_once(&path, &key, done),
        // Said as what it was: a copy of a form already sent did nothing this time.
        Ok(Applied::Before) => outcome_once(&path, &key, "again"),
        Err(message) => match signup_page(&state, locale, &key, &token, None, Some(message), false).await {
            Ok(Some(html)) => html_response(StatusCode::UNPROCESSABLE_ENTITY, Arc::new(html)),
            _ => StatusCode::NOT_FOUND.into_response(),
        },
    }
}
