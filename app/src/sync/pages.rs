//! What the person sees of sync: a bar under the header (offline since when, how many
//! changes wait, a new version, a session to renew) and `/sync`, the list of what waits
//! and of what needs them (refused changes and conflicts, with retry, edit and discard).

use super::{use_sync, Problem, ProblemKind};
use crate::domain::ops::{OpKind, Operation};
use crate::domain::replica::RecordState;
use crate::domain::time::format_datetime;
use crate::i18n::{field_name, t, use_locale, Locale, Msg, Tr};
use crate::ui::Shell;
use leptos::prelude::*;
use leptos_meta::Title;
use serde_json::Value;

/// Asks the waiting service worker to take over; the page reloads when it has.
fn apply_update() {
    super::call_page_hook("xfApplyUpdate");
}

#[component]
pub fn SyncBar() -> impl IntoView {
    let sync = use_sync();
    let locale = use_locale();
    view! {
        <aside class="sync-bar" aria-label=move || t(locale.get(), Msg::SyncStatus)>
            {move || sync.update_ready.get().then(|| view! {
                <p class="banner banner-update" role="status">
                    <span><Tr m=Msg::UpdateReady/></span>
                    <button type="button" class="secondary" on:click=move |_| apply_update()><Tr m=Msg::Reload/></button>
                </p>
            })}
            {move || sync.signed_out.get().then(|| view! {
                <p class="banner banner-warn" role="alert">
                    <span>{move || t(locale.get(), Msg::SignInAgainKept)}</span>
                    " "<a href="/login"><Tr m=Msg::SignIn/></a>
                </p>
            })}
            {move || (!sync.online.get()).then(|| view! {
                <p class="banner banner-offline" role="status">
                    <span class="dot" aria-hidden="true"></span>
                    <strong><Tr m=Msg::Offline/></strong>
                    {move || sync.offline_since.get().map(|since| format!(" · {} {} {}", t(locale.get(), Msg::Since), format_datetime(since), t(locale.get(), Msg::SinceEnd)))}
                    <span class="muted">" "{move || t(locale.get(), Msg::OfflineKept)}</span>
                </p>
            })}
            {move || {
                let (pending, problems) = (sync.pending.get(), sync.problems.get().len());
                (pending > 0 || problems > 0).then(|| view! {
                    <p class="banner banner-queue">
                        <a href="/sync" class="sync-badge" data-pending=pending data-problems=problems>
                            {(pending > 0).then(|| view! { <span class="count">{pending}</span>" "{move || t(locale.get(), Msg::WaitingToSync)} })}
                            {(pending > 0 && problems > 0).then_some(" · ")}
                            {(problems > 0).then(|| view! { <span class="count count-problem">{problems}</span>" "{move || t(locale.get(), Msg::NeedYou)} })}
                        </a>
                    </p>
                })
            }}
        </aside>
    }
}

/// A record's name for lists, as a person recognises it: its title or name (a resident's
/// masked), else what the waiting change itself names, else what kind of record it is.
/// Never its key.
fn label(locale: Locale, table: &str, record: Option<&RecordState>, sent: Option<&Operation>) -> String {
    let sent_fields = sent.and_then(|op| match &op.kind {
        OpKind::Set { fields } | OpKind::Create { fields } => Some(fields),
        _ => None,
    });
    let own = record.and_then(|r| ["title", "name", "display_name", "name_mask"].into_iter().find_map(|f| r.text(f)));
    let sent_name = || sent_fields.and_then(|f| ["title", "name"].into_iter().find_map(|n| f.get(n).and_then(Value::as_str)));
    let noun = crate::i18n::table_noun(locale, table);
    match own.or_else(sent_name) {
        Some(name) if !name.trim().is_empty() && table != "project" => format!("{noun}「{name}」"),
        Some(name) if !name.trim().is_empty() => name.to_string(),
        _ => noun,
    }
}
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join("、"),
        Value::Object(map) => map.iter().map(|(k, v)| format!("{k}: {}", show(v))).collect::<Vec<_>>().join("；"),
        other => other.to_string(),
    }
}

/// Where the record is edited: a field it holds (a sign-up's activity, a task's project)
/// may come from the device's copy or from the waiting change.
fn href(table: &str, key: &str, record: Option<&RecordState>, sent: Option<&Operation>) -> String {
    let field = |name: &str| {
        let sent = sent.and_then(|op| match &op.kind {
            OpKind::Set { fields } | OpKind::Create { fields } => fields.get(name).and_then(Value::as_str).map(str::to_string),
            _ => None,
        });
        record.and_then(|r| r.text(name).map(str::to_string)).or(sent)
    };
    match table {
        "project" => format!("/projects/{key}"),
        "branch" => format!("/branches/{key}"),
        "account" => "/profile".into(),
        "activity" => format!("/volunteers/{key}"),
        "signup" => field("activity").map(|a| format!("/volunteers/{a}")).unwrap_or_else(|| "/volunteers".into()),
        "gantt_task" | "gantt_link" => field("project").map(|p| format!("/gantt/{p}")).unwrap_or_else(|| "/gantt".into()),
        "calendar_day" => "/gantt/calendar".into(),
        "mentor" | "mentor_pairing" | "mentor_session" => "/mentors".into(),
        "brand" | "volunteer_team" | "partner" => "/volunteers".into(),
        _ => "/".into(),
    }
}

fn describe(locale: Locale, op: &Operation) -> String {
    match &op.kind {
        OpKind::Set { fields } | OpKind::Create { fields } => fields.keys().map(|f| field_name(locale, f)).collect::<Vec<_>>().join("、"),
        OpKind::Transition { to, .. } => {
            format!("→ {}", crate::domain::projects::Status::from_code(to).map(|s| crate::i18n::status_name(locale, s)).unwrap_or(to))
        }
        OpKind::Append { .. } => t(locale, Msg::AddComment).into(),
        OpKind::ChangePassword { .. } => t(locale, Msg::ChangePassword).into(),
    }
}

/// `/sync`: what waits to be sent, and what needs the person.
#[component]
pub fn SyncPage() -> impl IntoView {
    let locale = use_locale();
    let sync = use_sync();
    // Read from the local store after hydration, and again whenever it changes.
    type Held = (Vec<Operation>, std::collections::HashMap<(String, String), Option<RecordState>>);
    let data = RwSignal::new(None::<Held>);
    Effect::new(move |_| {
        sync.changes.track();
        leptos::task::spawn_local(async move {
            let queued = super::queued().await;
            let mut records = std::collections::HashMap::new();
            for (table, key) in
                queued.iter().map(|op| (op.table.clone(), op.key.clone())).chain(sync.problems.get_untracked().iter().map(|p| (p.table.clone(), p.key.clone())))
            {
                if !records.contains_key(&(table.clone(), key.clone())) {
                    let record = super::local_record(&table, &key).await;
                    records.insert((table, key), record);
                }
            }
            data.set(Some((queued, records)));
        });
    });
    let busy = RwSignal::new(false);
    let note = RwSignal::new(None::<Result<String, String>>);
    let sync_now = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            #[cfg(feature = "hydrate")]
            super::sync_now().await;
            busy.set(false);
        });
    };
    view! {
        <Title text=t(locale.get_untracked(), Msg::SyncTitle)/>
        <Shell>
            <section class="page">
                <header class="page-head">
                    <h1><Tr m=Msg::SyncTitle/></h1>
                    <button type="button" class="secondary" on:click=sync_now disabled=move || busy.get() || !sync.online.get()><Tr m=Msg::SyncNow/></button>
                </header>
                <crate::ui::StatusLine status=note/>
                <section class="panel" aria-labelledby="problems-title">
                    <h2 id="problems-title"><Tr m=Msg::ProblemsHeading/>" ("{move || sync.problems.get().len()}")"</h2>
                    {move || sync.problems.get().is_empty().then(|| view! { <p class="muted"><Tr m=Msg::NothingNeedsYou/></p> })}
                    <ul role="list" class="problems">
                        {move || {
                            let records = data.get().map(|(_, r)| r).unwrap_or_default();
                            sync.problems.get().into_iter().map(|problem| {
                                let record = records.get(&(problem.table.clone(), problem.key.clone())).cloned().flatten();
                                view! { <ProblemItem problem record note/> }
                            }).collect_view()
                        }}
                    </ul>
                </section>
                <section class="panel" aria-labelledby="queue-title">
                    <h2 id="queue-title"><Tr m=Msg::QueueHeading/>" ("{move || sync.pending.get()}")"</h2>
                    {move || (sync.pending.get() == 0).then(|| view! { <p class="muted"><Tr m=Msg::NothingWaits/></p> })}
                    <ol class="queue">
                        {move || data.get().map(|(queued, records)| queued.into_iter().map(|op| {
                            let record = records.get(&(op.table.clone(), op.key.clone())).cloned().flatten();
                            view! {
                                <li>
                                    <a href=href(&op.table, &op.key, record.as_ref(), Some(&op))>{label(locale.get_untracked(), &op.table, record.as_ref(), Some(&op))}</a>
                                    " · "<span>{describe(locale.get_untracked(), &op)}</span>
                                    " "<time class="muted">{format_datetime(op.clock.ms as i64)}</time>
                                </li>
                            }
                        }).collect_view())}
                    </ol>
                </section>
            </section>
        </Shell>
    }
}

#[component]
fn ProblemItem(problem: Problem, record: Option<RecordState>, note: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    let locale = use_locale();
    let l = locale.get_untracked();
    let title = label(l, &problem.table, record.as_ref(), problem.op.as_ref());
    let field = problem.field.clone();
    // The value that won: as the server told it, or the one held now.
    let winner = problem.winner.clone().or_else(|| field.as_ref().and_then(|f| record.as_ref().and_then(|r| r.fields.get(f).cloned())));
    let kind = problem.kind;
    let heading = match kind {
        ProblemKind::Conflict => t(l, Msg::ConflictTitle),
        ProblemKind::Rejected => t(l, Msg::RejectedTitle),
        ProblemKind::Damaged => t(l, Msg::DamagedTitle),
    };
    let edit_href = href(&problem.table, &problem.key, record.as_ref(), problem.op.as_ref());
    let retryable = matches!(kind, ProblemKind::Conflict | ProblemKind::Rejected) && (problem.op.is_some() || problem.field.is_some());
    let for_retry = StoredValue::new(problem.clone());
    let for_discard = StoredValue::new(problem.clone());
    view! {
        <li class=format!("problem problem-{}", match kind { ProblemKind::Conflict => "conflict", ProblemKind::Rejected => "rejected", ProblemKind::Damaged => "damaged" })>
            <p class="problem-head"><strong>{heading}</strong>" · "
                {(kind != ProblemKind::Damaged).then(|| view! { <a href=edit_href.clone()>{title.clone()}</a> })}
                {field.clone().map(|f| format!(" · {}", field_name(l, &f)))}
            </p>
            {(!problem.message.is_empty()).then(|| view! { <p class="problem-why">{problem.message.clone()}</p> })}
            <dl class="facts problem-values">
                <div><dt><Tr m=Msg::YourValue/></dt><dd class="yours">{show(&problem.yours)}</dd></div>
                {(kind == ProblemKind::Conflict).then(|| view! {
                    <div><dt><Tr m=Msg::WinningValue/></dt><dd class="winner">{winner.as_ref().map(show).unwrap_or_default()}
                        {problem.winner_name.clone().map(|n| format!("（{n}）"))}</dd></div>
                })}
            </dl>
            <p class="muted">{format_datetime(problem.at)}</p>
            <div class="moves">
                {retryable.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| {
                        let problem = for_retry.get_value();
                        leptos::task::spawn_local(async move {
                            match super::retry(problem).await {
                                Ok(()) => note.set(Some(Ok(t(l, Msg::SentAgain).into()))),
                                Err(message) => note.set(Some(Err(message))),
                            }
                        });
                    }>{if kind == ProblemKind::Conflict { t(l, Msg::UseMine) } else { t(l, Msg::Retry) }}</button>
                })}
                {(kind != ProblemKind::Damaged).then(|| view! { <a class="button secondary" href=edit_href><Tr m=Msg::Edit/></a> })}
                <button type="button" class="secondary" on:click=move |_| {
                    let problem = for_discard.get_value();
                    leptos::task::spawn_local(async move { super::discard(problem).await });
                }>{if kind == ProblemKind::Conflict { t(l, Msg::KeepTheirs) } else { t(l, Msg::Discard) }}</button>
            </div>
        </li>
    }
}
