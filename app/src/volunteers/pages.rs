//! `/volunteers` and `/volunteers/:activity`: the staff side of the commune.

use super::queries::{get_roster, get_volunteers, reveal_phone, ActivityRow, Person, Roster};
use crate::domain::ops::{OpKind, Operation};
use crate::domain::time::local_from_ms;
use crate::domain::volunteers::{hours_text, SIGNUP_TABLE};
use crate::error::ErrorView;
use crate::i18n::{t, use_locale, Locale, Msg, Tr};
use crate::sync::{stamp, submit, use_sync};
use crate::ui::{Shell, StatusLine};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

fn when(row: &ActivityRow) -> String {
    let day = row.starts_at.get(5..10).unwrap_or_default().replace('-', "/");
    format!("{day} {}–{}", row.starts_at.get(11..).unwrap_or_default(), row.ends_at.get(11..).unwrap_or_default())
}

fn clock(ms: Option<i64>) -> String {
    ms.map(|ms| local_from_ms(ms).format("%H:%M").to_string()).unwrap_or_default()
}

#[component]
pub fn VolunteersPage() -> impl IntoView {
    let locale = use_locale();
    let sync = use_sync();
    let data = Resource::new(move || sync.announced.get(), |_| get_volunteers());
    let review_status = RwSignal::new(None::<Result<String, String>>);
    let review = move |key: String, to: &'static str| {
        let locale = locale.get_untracked();
        let mut fields = BTreeMap::new();
        fields.insert("status".to_string(), json!(to));
        let op = Operation::new("partner", &key, OpKind::Set { fields }, stamp());
        leptos::task::spawn_local(async move {
            review_status.set(Some(submit(op, locale).await.map(|done| done.message(locale))));
        });
    };
    // The form stays outside the part redrawn on every commit: what was typed is kept.
    let teams = RwSignal::new(None::<(String, Vec<(String, String)>)>);
    let brand = RwSignal::new(None::<(String, [String; 4], Vec<String>)>);
    let warmed = StoredValue::new(false);
    // Offline: the device's copy of the branch's volunteer tables (names masked).
    let held = RwSignal::new(None::<super::queries::Overview>);
    let device_read = RwSignal::new(false);
    let session = crate::auth::use_session();
    Effect::new(move |_| {
        if matches!(data.get(), Some(Err(_))) && held.with_untracked(Option::is_none) {
            match session.user.get_untracked() {
                Some(Ok(Some(user))) => leptos::task::spawn_local(async move {
                    held.set(Some(super::queries::local_overview(&user).await));
                    device_read.set(true);
                }),
                _ => device_read.set(true),
            }
        }
    });
    Effect::new(move |_| {
        let from_server = matches!(data.get(), Some(Ok(_)));
        if let Some(overview) = data.get().and_then(Result::ok).or_else(|| held.get()) {
            // Read once: a later commit must not overwrite what is being typed.
            if brand.with_untracked(Option::is_none) {
                if let (Some(branch), Some(text)) = (overview.branch.clone(), overview.brand.clone()) {
                    brand.set(Some((branch, text, overview.brand_photos.clone())));
                }
            }
            // Once a visit: a live update is no reason to fetch the rosters again.
            if from_server && !warmed.get_value() {
                warmed.set_value(true);
                keep_this_weeks_rosters(&overview.activities);
            }
            if let Some(branch) = overview.branch.filter(|_| !overview.teams.is_empty()) {
                if teams.with_untracked(|t| t.as_ref().map(|(b, list)| (b, list)) != Some((&branch, &overview.teams))) {
                    teams.set(Some((branch, overview.teams)));
                }
            }
        }
    });
    view! {
        <Shell>
            <Title text=t(locale.get_untracked(), Msg::NavVolunteers)/>
            <section class="page">
                <h1><Tr m=Msg::NavVolunteers/></h1>
                <Show when=move || teams.with(Option::is_some)>
                    <NewActivity teams/>
                </Show>
                {move || brand.get().map(|(branch, text, photos)| view! { <BrandEditor branch text photos/> })}
                <StatusLine status=review_status/>
                <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                    {move || data.get().map(|result| match result.or_else(|error| held.get().ok_or(error)) {
                        Ok(overview) => view! {
                            <h2><Tr m=Msg::VolunteerActivities/></h2>
                            <ul class="activity-list">
                                {overview.activities.into_iter().map(|a| {
                                    let href = format!("/volunteers/{}", a.key);
                                    let line = format!("{} · {} · {}/{}", when(&a), a.team, a.taken, a.capacity);
                                    view! { <li><a href=href>{a.title.clone()}</a><span class="meta">" "{line}</span></li> }
                                }).collect_view()}
                            </ul>
                            <p><a href="/api/export/hours.xlsx" download><Tr m=Msg::ExportHours/></a></p>
                            {(!overview.partners.is_empty()).then(|| view! {
                                <h2><Tr m=Msg::Partners/></h2>
                                <ul class="partners">
                                    {overview.partners.into_iter().map(|(key, org, kind, offer, contact, status)| {
                                        let kind = if kind == "social_org" { t(locale.get_untracked(), Msg::SocialOrg) } else { t(locale.get_untracked(), Msg::Merchant) };
                                        let pending = status == "applied";
                                        let state = match status.as_str() { "approved" => Msg::Approved, "declined" => Msg::Declined, _ => Msg::Applied };
                                        let (k1, k2) = (key.clone(), key);
                                        view! {
                                            <li>
                                                <strong>{org}</strong>" · "{kind}" · "{offer}" · "{contact}" · "<span class="badge"><Tr m=state/></span>
                                                {pending.then(|| view! {
                                                    " "<button type="button" class="primary" on:click=move |_| review(k1.clone(), "approved")><Tr m=Msg::Approve/></button>
                                                    " "<button type="button" class="secondary" on:click=move |_| review(k2.clone(), "declined")><Tr m=Msg::Decline/></button>
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            })}
                            <h2><Tr m=Msg::TeamRanking/></h2>
                            {overview.ranking.into_iter().take(4).map(|(month, teams)| view! {
                                <table class="ranking">
                                    <caption>{month}</caption>
                                    <thead><tr><th scope="col"><Tr m=Msg::VolunteerTeam/></th><th scope="col"><Tr m=Msg::ServiceHours/></th></tr></thead>
                                    <tbody>
                                        {teams.into_iter().map(|(team, minutes)| view! { <tr><td>{team}</td><td>{hours_text(minutes)}</td></tr> }).collect_view()}
                                    </tbody>
                                </table>
                            }).collect_view()}
                            {(!overview.volunteers.is_empty()).then(|| {
                                let count = overview.volunteers.len();
                                view! {
                                    <details class="volunteers-register">
                                        <summary><h2><Tr m=Msg::VolunteerRegister/>{format!("（{count}）")}</h2></summary>
                                        <table class="ranking">
                                            <thead><tr>
                                                <th scope="col"><Tr m=Msg::VolunteerName/></th>
                                                <th scope="col"><Tr m=Msg::VolunteerPhone/></th>
                                                <th scope="col"><Tr m=Msg::ActivitiesServed/></th>
                                                <th scope="col"><Tr m=Msg::ServiceHours/></th>
                                            </tr></thead>
                                            <tbody>
                                                {overview.volunteers.into_iter().map(|v| view! {
                                                    <tr><td>{v.name}</td><td>{v.phone_mask}</td><td>{v.activities}</td><td>{hours_text(v.minutes)}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </details>
                                }
                            })}
                        }.into_any(),
                        Err(_) if !device_read.get() => view! { <p class="loading"><Tr m=Msg::Loading/></p> }.into_any(),
                        Err(error) => view! { <ErrorView error retry=move |_| data.refetch()/> }.into_any(),
                    })}
                </Transition>
            </section>
        </Shell>
    }
}

/// The recruitment notice (招募通知) a branch's staff publish; saved through the write
/// path, offline if need be. The check-in code is drawn here, six random digits.
/// The branch new activities belong to, and its teams as (key, name).
type BranchTeams = Option<(String, Vec<(String, String)>)>;

#[component]
fn NewActivity(teams: RwSignal<BranchTeams>) -> impl IntoView {
    let locale = use_locale();
    let first_team = teams.with_untracked(|t| t.as_ref().and_then(|(_, list)| list.first().map(|(k, _)| k.clone()))).unwrap_or_default();
    let team = RwSignal::new(first_team);
    let title = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let capacity = RwSignal::new("10".to_string());
    let bring = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let publish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale = locale.get_untracked();
        let capacity: i64 = match capacity.get_untracked().trim().parse() {
            Ok(n) if n >= 1 => n,
            _ => {
                status.set(Some(Err(t(locale, Msg::CapacityMustBePositive).into())));
                return;
            }
        };
        let (from, to) = (starts.get_untracked(), ends.get_untracked());
        match (crate::domain::time::parse_local(&from), crate::domain::time::parse_local(&to)) {
            (Some(a), Some(b)) if b > a => {}
            (Some(_), Some(_)) => {
                status.set(Some(Err(crate::i18n::volunteer_problem(locale, &crate::domain::volunteers::VolunteerProblem::EndsBeforeStart))));
                return;
            }
            _ => {
                status.set(Some(Err(t(locale, Msg::TimesNeeded).into())));
                return;
            }
        }
        let code = format!("{:06}", uuid::Uuid::now_v7().as_u128() % 1_000_000);
        let mut fields = BTreeMap::new();
        for (k, v) in [
            ("branch", json!(teams.with_untracked(|t| t.as_ref().map(|(b, _)| b.clone())))),
            ("team", json!(team.get_untracked())),
            ("title", json!(title.get_untracked().trim())),
            ("place", json!(place.get_untracked().trim())),
            ("starts_at", json!(from)),
            ("ends_at", json!(to)),
            ("capacity", json!(capacity)),
            ("bring", json!(bring.get_untracked().trim())),
            ("checkin_code", json!(code)),
        ] {
            fields.insert(k.to_string(), v);
        }
        let key = uuid::Uuid::now_v7().simple().to_string();
        let op = Operation::new(crate::domain::volunteers::ACTIVITY_TABLE, &key, OpKind::Create { fields }, stamp());
        leptos::task::spawn_local(async move {
            let outcome = submit(op, locale).await.map(|done| done.message(locale));
            if outcome.is_ok() {
                title.set(String::new());
                place.set(String::new());
                bring.set(String::new());
            }
            status.set(Some(outcome));
        });
    };
    view! {
        <details class="new-activity">
            <summary><Tr m=Msg::NewActivity/></summary>
            <form class="form-grid" on:submit=publish>
                <label>{move || t(locale.get(), Msg::VolunteerTeam)}
                    <select on:change=move |ev| team.set(event_target_value(&ev))>
                        {move || teams.get().map(|(_, list)| list).unwrap_or_default().into_iter().map(|(k, n)| {
                            let chosen = k.clone();
                            view! { <option value=k selected=move || team.get() == chosen>{n}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>{move || t(locale.get(), Msg::ActivityTitle)}<input type="text" required maxlength="60" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/></label>
                <label>{move || t(locale.get(), Msg::ActivityPlace)}<input type="text" required maxlength="100" prop:value=move || place.get() on:input=move |ev| place.set(event_target_value(&ev))/></label>
                <label>{move || t(locale.get(), Msg::ActivityStarts)}<input type="datetime-local" required prop:value=move || starts.get() on:input=move |ev| starts.set(event_target_value(&ev))/></label>
                <label>{move || t(locale.get(), Msg::ActivityEnds)}<input type="datetime-local" required prop:value=move || ends.get() on:input=move |ev| ends.set(event_target_value(&ev))/></label>
                <label>{move || t(locale.get(), Msg::ActivityCapacity)}<input type="number" min="1" max="5000" required prop:value=move || capacity.get() on:input=move |ev| capacity.set(event_target_value(&ev))/></label>
                <label>{move || t(locale.get(), Msg::ActivityBring)}<input type="text" maxlength="200" prop:value=move || bring.get() on:input=move |ev| bring.set(event_target_value(&ev))/></label>
                <button type="submit" class="primary"><Tr m=Msg::Publish/></button>
            </form>
            <StatusLine status/>
        </details>
    }
}

/// Asks the service worker to keep the rosters of this week's activities, so that staff
/// can open them on site without a network, even those they never opened.
fn keep_this_weeks_rosters(activities: &[ActivityRow]) {
    #[cfg(feature = "hydrate")]
    let now = js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    let now = crate::db::now_ms();
    let today = local_from_ms(now).format("%Y-%m-%d").to_string();
    let week = local_from_ms(now + 7 * 86_400_000).format("%Y-%m-%dT%H:%M").to_string();
    let coming: Vec<String> = activities
        .iter()
        .filter(|a| !a.cancelled && a.ends_at.as_str() >= today.as_str() && a.starts_at <= week)
        .map(|a| format!("/volunteers/{}", a.key))
        .collect();
    crate::sync::warm(&coming);
}

/// The branch's public brand page (一社一品): name, slogan, story and how to join. Only
/// the fields changed are sent, so two staff editing different fields both keep theirs.
#[component]
fn BrandEditor(branch: String, text: [String; 4], photos: Vec<String>) -> impl IntoView {
    let locale = use_locale();
    let fields = ["name", "slogan", "story", "join"];
    let values = text.clone().map(RwSignal::new);
    let saved = StoredValue::new(text);
    let status = RwSignal::new(None::<Result<String, String>>);
    let href = format!("/b/{branch}");
    let photo_branch = branch.clone();
    let branch = StoredValue::new(branch);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale = locale.get_untracked();
        let now: [String; 4] = values.map(|v| v.get_untracked().trim().to_string());
        let before = saved.get_value();
        let mut changed = BTreeMap::new();
        for (i, name) in fields.iter().enumerate() {
            if now[i] != before[i] {
                changed.insert(name.to_string(), json!(now[i]));
            }
        }
        if now[0].chars().count() < 2 {
            status.set(Some(Err(t(locale, Msg::BrandNameNeeded).into())));
            return;
        }
        if changed.is_empty() {
            return;
        }
        saved.set_value(now);
        let op = Operation::new("brand", &branch.get_value(), OpKind::Set { fields: changed }, stamp());
        leptos::task::spawn_local(async move {
            status.set(Some(submit(op, locale).await.map(|done| done.message(locale))));
        });
    };
    let [name, slogan, story, join] = values;
    view! {
        <details class="brand-editor">
            <summary><Tr m=Msg::EditBrand/></summary>
            <form class="form" on:submit=save>
                <label>{move || t(locale.get(), Msg::BrandName)}<input type="text" maxlength="40" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                <label>{move || t(locale.get(), Msg::BrandSlogan)}<input type="text" maxlength="60" prop:value=move || slogan.get() on:input=move |ev| slogan.set(event_target_value(&ev))/></label>
                <label>{move || t(locale.get(), Msg::BrandStory)}<textarea rows="6" maxlength="4000" prop:value=move || story.get() on:input=move |ev| story.set(event_target_value(&ev))></textarea></label>
                <label>{move || t(locale.get(), Msg::BrandJoin)}<textarea rows="3" maxlength="1000" prop:value=move || join.get() on:input=move |ev| join.set(event_target_value(&ev))></textarea></label>
                <button type="submit" class="primary"><Tr m=Msg::Save/></button>
                " "<a href=href><Tr m=Msg::ViewPublicPage/></a>
            </form>
            <StatusLine status/>
            <super::photos::BrandPhotos branch=photo_branch initial=photos/>
        </details>
    }
}

/// What this device changed and has not sent yet: sign-up key → its fields.
async fn pending_signups() -> HashMap<String, serde_json::Map<String, Value>> {
    crate::sync::queued_fields(SIGNUP_TABLE).await.into_iter().collect()
}

#[component]
pub fn RosterPage() -> impl IntoView {
    let locale = use_locale();
    let sync = use_sync();
    let params = use_params_map();
    let key = move || params.read().get("activity").unwrap_or_default();
    let data = Resource::new(move || (key(), sync.announced.get()), |(key, _)| get_roster(key));
    // The last roster read: the page keeps working when the network goes. Opened
    // offline, it is the device's copy (names masked), or none if it holds no such activity.
    let last = RwSignal::new(None::<Roster>);
    let device_read = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(data.get(), Some(Err(_))) && last.with_untracked(Option::is_none) {
            let key = key();
            leptos::task::spawn_local(async move {
                if let Some(held) = super::queries::local_roster(&key).await {
                    last.set(Some(held));
                }
                device_read.set(true);
            });
        }
    });
    let pending = RwSignal::new(HashMap::<String, serde_json::Map<String, Value>>::new());
    Effect::new(move |_| {
        sync.changes.track();
        leptos::task::spawn_local(async move {
            let mine = pending_signups().await;
            if pending.get_untracked() != mine {
                pending.set(mine);
            }
        });
    });
    let status = RwSignal::new(None::<Result<String, String>>);
    let revealed = RwSignal::new(HashMap::<String, String>::new());
    let confirming = RwSignal::new(false);
    // Typed here, kept across live updates; empty until the person changes it.
    let capacity = RwSignal::new(String::new());
    let walk_name = RwSignal::new(String::new());
    let walk_phone = RwSignal::new(String::new());
    let adjust_form = AdjustForm::new();

    let save = move |op: Operation| {
        let locale = locale.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = submit(op, locale).await.map(|done| done.message(locale));
            status.set(Some(outcome));
            pending.set(pending_signups().await);
        });
    };
    let set = move |signup: String, field: &'static str| {
        let mut fields = BTreeMap::new();
        fields.insert(field.to_string(), json!(stamp().ms as i64));
        save(Operation::new(SIGNUP_TABLE, &signup, OpKind::Set { fields }, stamp()));
    };
    let add_walk_in = move |roster: &Roster| {
        let locale_now = locale.get_untracked();
        let name = walk_name.get_untracked();
        if let Err(problem) = crate::domain::volunteers::check_name(&name) {
            status.set(Some(Err(crate::i18n::volunteer_problem(locale_now, &problem))));
            return;
        }
        let phone = walk_phone.get_untracked();
        if !phone.trim().is_empty() {
            if let Err(problem) = crate::domain::volunteers::normalise_phone(&phone) {
                status.set(Some(Err(crate::i18n::volunteer_problem(locale_now, &problem))));
                return;
            }
        }
        let mut fields = BTreeMap::new();
        for (k, v) in [
            ("activity", json!(roster.activity.key)),
            ("branch", json!(roster.branch)),
            ("name", json!(name.trim())),
            ("phone", json!(phone.trim())),
            ("consent", json!(true)),
            ("walk_in", json!(true)),
            ("checked_in_at", json!(stamp().ms as i64)),
        ] {
            fields.insert(k.to_string(), v);
        }
        let key = uuid::Uuid::now_v7().simple().to_string();
        save(Operation::new(SIGNUP_TABLE, &key, OpKind::Create { fields }, stamp()));
        walk_name.set(String::new());
        walk_phone.set(String::new());
    };

    view! {
        <Shell>
            <section class="page roster">
                <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                    {move || {
                        if let Some(Ok(roster)) = data.get() {
                            last.set(Some(roster));
                        }
                        let failed = matches!(data.get(), Some(Err(_))) && last.with(Option::is_none);
                        if failed && !device_read.get() {
                            return Some(view! { <p class="loading"><Tr m=Msg::Loading/></p> }.into_any());
                        }
                        if failed {
                            return data.get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.message(locale.get())}</p> }.into_any());
                        }
                        last.get().map(|roster| {
                            let overlay = pending.get();
                            let people = merged(&roster, &overlay);
                            let a = roster.activity.clone();
                            let for_walk_in = roster.clone();
                            // Check-out opens at the start (the server's rule): before it, the button waits.
                            let started = crate::domain::time::parse_local(&a.starts_at).is_some_and(|starts| local_from_ms(stamp().ms as i64) >= starts);
                            view! {
                                <Title text=a.title.clone()/>
                                <p class="meta"><a href="/volunteers"><Tr m=Msg::NavVolunteers/></a>" · "{a.team.clone()}</p>
                                <h1>{a.title.clone()}</h1>
                                <p>{when(&a)}" · "{a.place.clone()}" · "{format!("{}/{}", a.taken, a.capacity)}</p>
                                <p class="checkin-code"><Tr m=Msg::CheckInCode/>" "<strong>{roster.code.clone()}</strong>" "<a href=format!("/qr/a/{}.svg", a.key)><Tr m=Msg::QrCode/></a></p>
                                <p><a href=format!("/api/export/volunteers/{}.xlsx", a.key) download><Tr m=Msg::ExportSignups/></a></p>
                                {(!a.cancelled).then(|| {
                                    let key = a.key.clone();
                                    let current = a.capacity;
                                    view! {
                                        <form class="capacity inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                            ev.prevent_default();
                                            let locale = locale.get_untracked();
                                            match capacity.get_untracked().trim().parse::<i64>() {
                                                Ok(n) if n >= 1 => {
                                                    let mut fields = BTreeMap::new();
                                                    fields.insert("capacity".to_string(), json!(n));
                                                    save(Operation::new(crate::domain::volunteers::ACTIVITY_TABLE, &key, OpKind::Set { fields }, stamp()));
                                                    capacity.set(String::new());
                                                }
                                                _ => status.set(Some(Err(t(locale, Msg::CapacityMustBePositive).into()))),
                                            }
                                        }>
                                            <label>{move || t(locale.get(), Msg::ActivityCapacity)}
                                                <input type="number" min="1" max="5000" prop:value=move || { let typed = capacity.get(); if typed.is_empty() { current.to_string() } else { typed } } on:input=move |ev| capacity.set(event_target_value(&ev))/>
                                            </label>
                                            <button type="submit" class="secondary"><Tr m=Msg::ChangeCapacity/></button>
                                        </form>
                                    }
                                })}
                                {if a.cancelled {
                                    view! { <p><span class="badge"><Tr m=Msg::ActivityCancelled/></span></p> }.into_any()
                                } else {
                                    let key = a.key.clone();
                                    // Two taps: a cancellation tells every signed-up resident.
                                    view! {
                                        <button type="button" class="secondary danger" on:click=move |_| {
                                            if confirming.get_untracked() {
                                                confirming.set(false);
                                                let mut fields = BTreeMap::new();
                                                fields.insert("cancelled".to_string(), json!(true));
                                                save(Operation::new(crate::domain::volunteers::ACTIVITY_TABLE, &key, OpKind::Set { fields }, stamp()));
                                            } else {
                                                confirming.set(true);
                                            }
                                        }>
                                            {move || if confirming.get() { t(locale.get(), Msg::TapAgainToConfirm) } else { t(locale.get(), Msg::CancelActivity) }}
                                        </button>
                                    }.into_any()
                                }}
                                <StatusLine status/>
                                <table class="people">
                                    <thead><tr>
                                        <th scope="col"><Tr m=Msg::VolunteerName/></th>
                                        <th scope="col"><Tr m=Msg::VolunteerPhone/></th>
                                        <th scope="col"><Tr m=Msg::VolunteerPlace/></th>
                                        <th scope="col"><Tr m=Msg::CheckIn/></th>
                                        <th scope="col"><Tr m=Msg::CheckOut/></th>
                                        <th scope="col"><Tr m=Msg::ServiceHours/></th>
                                    </tr></thead>
                                    <tbody>
                                        {people.into_iter().map(|(p, queued)| person_row(p, queued, started, locale.get(), revealed, set)).collect_view()}
                                    </tbody>
                                </table>
                                <form class="walk-in form-grid" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); add_walk_in(&for_walk_in); }>
                                    <h2><Tr m=Msg::WalkIn/></h2>
                                    <label>{move || t(locale.get(), Msg::VolunteerName)}<input type="text" maxlength="20" prop:value=move || walk_name.get() on:input=move |ev| walk_name.set(event_target_value(&ev))/></label>
                                    <label>{move || t(locale.get(), Msg::VolunteerPhone)}<input type="tel" maxlength="20" prop:value=move || walk_phone.get() on:input=move |ev| walk_phone.set(event_target_value(&ev))/></label>
                                    <button type="submit" class="primary"><Tr m=Msg::WalkInAdd/></button>
                                </form>
                                <HoursAdjustment people=roster.people.clone() form=adjust_form/>
                                {(!roster.reveals.is_empty()).then(|| view! {
                                    <h2><Tr m=Msg::RevealLog/></h2>
                                    <ul class="reveal-log">
                                        {roster.reveals.iter().map(|(at, who, whose)| view! { <li>{format!("{at} {who} → {whose}")}</li> }).collect_view()}
                                    </ul>
                                })}
                            }.into_any()
                        })
                    }}
                </Transition>
            </section>
        </Shell>
    }
}

/// What is typed in the hours form, kept outside the roster so that a live update
/// redrawing the roster loses none of it.
#[derive(Clone, Copy)]
struct AdjustForm {
    chosen: RwSignal<String>,
    minutes: RwSignal<String>,
    reason: RwSignal<String>,
    status: RwSignal<Option<Result<String, String>>>,
}

impl AdjustForm {
    fn new() -> AdjustForm {
        AdjustForm {
            chosen: RwSignal::new(String::new()),
            minutes: RwSignal::new(String::new()),
            reason: RwSignal::new(String::new()),
            status: RwSignal::new(None),
        }
    }
}

/// Hours changed by hand: a person, the minutes added or taken off, and a reason, which
/// the server requires and writes to the audit log with the change.
#[component]
fn HoursAdjustment(people: Vec<Person>, form: AdjustForm) -> impl IntoView {
    let locale = use_locale();
    let AdjustForm { chosen, minutes, reason, status } = form;
    let people: Vec<Person> = people.into_iter().filter(|p| p.place != "cancelled").collect();
    let list = StoredValue::new(people.clone());
    let choose = move |key: String| {
        if let Some(p) = list.with_value(|l| l.iter().find(|p| p.key == key).cloned()) {
            minutes.set(p.adjust_minutes.to_string());
            reason.set(p.adjust_reason.clone());
        }
        chosen.set(key);
    };
    if !people.iter().any(|p| p.key == chosen.get_untracked()) {
        if let Some(first) = people.first() {
            choose(first.key.clone());
        }
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale = locale.get_untracked();
        let Some(n) = minutes.get_untracked().trim().parse::<i64>().ok().filter(|n| (-1440..=1440).contains(n)) else {
            status.set(Some(Err(t(locale, Msg::AdjustNeedsMinutes).into())));
            return;
        };
        let why = reason.get_untracked().trim().to_string();
        if let Err(problem) = crate::domain::volunteers::check_adjustment(&why) {
            status.set(Some(Err(crate::i18n::volunteer_problem(locale, &problem))));
            return;
        }
        let mut fields = BTreeMap::new();
        fields.insert("adjust_minutes".to_string(), json!(n));
        fields.insert("adjust_reason".to_string(), json!(why));
        let op = Operation::new(SIGNUP_TABLE, &chosen.get_untracked(), OpKind::Set { fields }, stamp());
        leptos::task::spawn_local(async move {
            status.set(Some(submit(op, locale).await.map(|done| done.message(locale))));
        });
    };
    (!people.is_empty()).then(|| view! {
        <form class="adjust form-grid" on:submit=submit>
            <h2><Tr m=Msg::AdjustHours/></h2>
            <label>{move || t(locale.get(), Msg::AdjustWho)}
                <select on:change=move |ev| choose(event_target_value(&ev)) prop:value=move || chosen.get()>
                    {people.iter().map(|p| view! { <option value=p.key.clone()>{format!("{} {}", p.name, p.phone_mask)}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || t(locale.get(), Msg::AdjustMinutes)}
                <input type="number" min="-1440" max="1440" step="1" prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev))/>
            </label>
            <label>{move || t(locale.get(), Msg::AdjustReason)}
                <input type="text" maxlength="200" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            </label>
            <button type="submit" class="primary"><Tr m=Msg::AdjustSave/></button>
            <StatusLine status/>
        </form>
    })
}

/// The roster with this device's unsent changes laid over it: (person, queued?).
fn merged(roster: &Roster, overlay: &HashMap<String, serde_json::Map<String, Value>>) -> Vec<(Person, bool)> {
    let mut out: Vec<(Person, bool)> = roster
        .people
        .iter()
        .map(|p| {
            let mut p = p.clone();
            let queued = overlay.get(&p.key).is_some_and(|fields| {
                let mut changed = false;
                if p.checked_in_at.is_none() {
                    if let Some(at) = fields.get("checked_in_at").and_then(Value::as_i64) {
                        p.checked_in_at = Some(at);
                        changed = true;
                    }
                }
                if p.checked_out_at.is_none() {
                    if let Some(at) = fields.get("checked_out_at").and_then(Value::as_i64) {
                        p.checked_out_at = Some(at);
                        changed = true;
                    }
                }
                changed
            });
            (p, queued)
        })
        .collect();
    // Walk-ins added here and not on the server yet.
    for (key, fields) in overlay {
        if fields.get("activity").and_then(Value::as_str) == Some(roster.activity.key.as_str()) && !roster.people.iter().any(|p| &p.key == key) {
            out.push((
                Person {
                    key: key.clone(),
                    name: fields.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                    phone_mask: String::new(),
                    place: "walk_in".into(),
                    position: 0,
                    checked_in_at: fields.get("checked_in_at").and_then(Value::as_i64),
                    checked_out_at: fields.get("checked_out_at").and_then(Value::as_i64),
                    minutes: 0,
                    adjust_minutes: 0,
                    adjust_reason: String::new(),
                    volunteer: key.clone(),
                },
                true,
            ));
        }
    }
    out
}

fn person_row(
    p: Person,
    queued: bool,
    started: bool,
    locale: Locale,
    revealed: RwSignal<HashMap<String, String>>,
    set: impl Fn(String, &'static str) + Copy + 'static,
) -> impl IntoView {
    let place = match p.place.as_str() {
        "waiting" => format!("{} {}", t(locale, Msg::PlaceWaiting), p.position),
        "cancelled" => t(locale, Msg::PlaceCancelled).to_string(),
        "walk_in" => t(locale, Msg::PlaceWalkIn).to_string(),
        _ => t(locale, Msg::PlaceConfirmed).to_string(),
    };
    let may_check_in = matches!(p.place.as_str(), "confirmed" | "walk_in") && p.checked_in_at.is_none();
    let may_check_out = p.checked_in_at.is_some() && p.checked_out_at.is_none();
    let key = p.key.clone();
    let (k1, k2, k3) = (key.clone(), key.clone(), key.clone());
    let mask = p.phone_mask.clone();
    let reveal = move |_| {
        let key = k3.clone();
        leptos::task::spawn_local(async move {
            if let Ok(phone) = reveal_phone(key.clone()).await {
                revealed.update(|r| {
                    r.insert(key, phone);
                });
            }
        });
    };
    let shown = StoredValue::new(key.clone());
    let shown = move || shown.with_value(|key| revealed.with(|r| r.get(key).cloned()));
    let has_phone = !mask.is_empty();
    view! {
        <tr class:queued=queued>
            <td data-label=t(locale, Msg::VolunteerName)>{p.name.clone()}{queued.then(|| view! { <span class="badge">" "<Tr m=Msg::Unsent/></span> })}</td>
            <td data-label=t(locale, Msg::VolunteerPhone)>
                {move || shown().unwrap_or_else(|| mask.clone())}
                {move || (has_phone && shown().is_none()).then(|| view! { " "<button type="button" class="secondary" on:click=reveal.clone()><Tr m=Msg::RevealPhone/></button> })}
            </td>
            <td data-label=t(locale, Msg::VolunteerPlace)>{place}</td>
            <td data-label=t(locale, Msg::CheckIn)>
                {clock(p.checked_in_at)}
                {may_check_in.then(|| view! { <button type="button" class="primary" on:click=move |_| set(k1.clone(), "checked_in_at")><Tr m=Msg::CheckIn/></button> })}
            </td>
            <td data-label=t(locale, Msg::CheckOut)>
                {clock(p.checked_out_at)}
                {may_check_out.then(|| view! { <button type="button" class="primary" disabled=!started title=(!started).then(|| t(locale, Msg::CheckOutOpensAtStart)) on:click=move |_| set(k2.clone(), "checked_out_at")><Tr m=Msg::CheckOut/></button> })}
            </td>
            <td data-label=t(locale, Msg::ServiceHours)>{(p.minutes > 0).then(|| hours_text(p.minutes))}</td>
        </tr>
    }
}
