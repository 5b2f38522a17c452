//! `/mentors`: the mentor team (导师团), its pairing graph and the same as a list, the
//! mentoring log, a mentor's session form (works offline), and street staff's pairings.

use super::queries::{get_mentoring, session_from, MentoringData, Session};
use crate::domain::mentors::{graph, Graph, FORM_CODES, GRAPH_ROW, KIND_CODES, OUTCOME_CODES, SESSION_TABLE};
use crate::domain::ops::{OpKind, Operation};
use crate::domain::org::Role;
use crate::i18n::{mentor_kind_name, outcome_name, session_form_name, t, use_locale, Msg, Tr};
use crate::sync::{stamp, submit, use_sync};
use crate::ui::{use_user, Shell, StatusLine};
use leptos::prelude::*;
use leptos_meta::Title;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What a person types into the session form, kept above the view that redraws when
/// newer data arrives (a live update must not wipe a half-written session).
#[derive(Clone, Copy)]
struct SessionDraft {
    mentor: RwSignal<String>,
    /// Empty: today.
    date: RwSignal<String>,
    branch: RwSignal<String>,
    project: RwSignal<String>,
    form: RwSignal<String>,
    outcomes: RwSignal<Vec<String>>,
    summary: RwSignal<String>,
    status: RwSignal<Option<Result<String, String>>>,
}

impl SessionDraft {
    fn new() -> SessionDraft {
        SessionDraft {
            mentor: RwSignal::new(String::new()),
            date: RwSignal::new(String::new()),
            branch: RwSignal::new(String::new()),
            project: RwSignal::new(String::new()),
            form: RwSignal::new(FORM_CODES[0].to_string()),
            outcomes: RwSignal::new(vec![]),
            summary: RwSignal::new(String::new()),
            status: RwSignal::new(None),
        }
    }
}

#[derive(Clone, Copy)]
struct PairingDraft {
    mentor: RwSignal<String>,
    branch: RwSignal<String>,
    /// Empty: today.
    starts: RwSignal<String>,
    additional: RwSignal<bool>,
    status: RwSignal<Option<Result<String, String>>>,
}

#[component]
pub fn MentorsPage() -> impl IntoView {
    let locale = use_locale();
    let sync = use_sync();
    let session_draft = SessionDraft::new();
    let pairing_draft = PairingDraft {
        mentor: RwSignal::new(String::new()),
        branch: RwSignal::new(String::new()),
        starts: RwSignal::new(String::new()),
        additional: RwSignal::new(false),
        status: RwSignal::new(None),
    };
    let chosen = RwSignal::new(None::<String>);
    // Read again after every commit this device hears of (a session logged elsewhere).
    let data = Resource::new(move || sync.announced.get(), |_| get_mentoring());
    // Sessions this device logged and has not sent yet are shown with the rest.
    let pending = RwSignal::new(Vec::<Session>::new());
    Effect::new(move |_| {
        sync.changes.track();
        leptos::task::spawn_local(async move {
            let mine: Vec<Session> = crate::sync::local_records(SESSION_TABLE).await.into_iter().filter_map(|r| session_from(&r.key, &r.fields)).collect();
            if pending.get_untracked() != mine {
                pending.set(mine);
            }
        });
    });
    let last = RwSignal::new(None::<MentoringData>);
    view! {
        <Shell>
            <Title text=t(locale.get_untracked(), Msg::MentorTeam)/>
            <section class="page">
                <h1><Tr m=Msg::MentorTeam/></h1>
                <p class="lead"><Tr m=Msg::MentorLead/></p>
                <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                    {move || data.get().map(|result| {
                        let found = match result {
                            Ok(found) => {
                                last.set(Some(found.clone()));
                                Some(found)
                            }
                            // Offline: what this page last showed.
                            Err(_) => last.get_untracked(),
                        };
                        match found {
                            Some(initial) => view! { <MentoringView initial pending session_draft pairing_draft chosen/> }.into_any(),
                            None => view! { <p class="form-error" role="alert">{move || t(locale.get(), Msg::OfflineNotHeld)}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </Shell>
    }
}

#[component]
fn MentoringView(
    initial: MentoringData,
    pending: RwSignal<Vec<Session>>,
    session_draft: SessionDraft,
    pairing_draft: PairingDraft,
    chosen: RwSignal<Option<String>>,
) -> impl IntoView {
    let user = use_user();
    let base = StoredValue::new(initial);
    // The server's sessions with this device's own laid over (by key).
    let data = Memo::new(move |_| {
        let mut data = base.get_value();
        for session in pending.get() {
            if !data.sessions.iter().any(|s| s.key == session.key) && data.branches.iter().any(|(k, _)| *k == session.branch) {
                data.sessions.push(session);
            }
        }
        data.sessions.sort_by(|a, b| b.date.cmp(&a.date).then(b.key.cmp(&a.key)));
        data
    });
    let me = base.with_value(|d| d.mentors.iter().find(|m| m.account.as_deref() == Some(user.account.as_str())).map(|m| m.key.clone()));
    let may_log = me.is_some() || user.role == Role::StreetStaff;
    let street = user.role == Role::StreetStaff;
    view! {
        <div class="mentor-layout">
            <section class="panel" aria-labelledby="graph-title">
                <h2 id="graph-title"><Tr m=Msg::PairingGraph/></h2>
                <PairingGraph data chosen/>
                <GraphLegend/>
                {move || chosen.get().map(|key| view! { <NodeSessions key data/> })}
            </section>
            <section class="panel" aria-labelledby="list-title">
                <h2 id="list-title"><Tr m=Msg::PairingList/></h2>
                <PairingTable data street/>
                <p><a class="button secondary" href="/api/export/mentoring.xlsx" download><Tr m=Msg::ExportMentoring/></a></p>
            </section>
        </div>
        {may_log.then(|| view! { <SessionForm data me=me.clone() draft=session_draft/> })}
        {street.then(|| view! { <PairingForm data draft=pairing_draft/> })}
        <section class="panel" aria-labelledby="log-title">
            <h2 id="log-title"><Tr m=Msg::MentoringLog/></h2>
            <SessionList sessions=Signal::derive(move || data.with(|d| d.sessions.iter().take(30).cloned().collect())) data/>
        </section>
    }
}

fn graph_of(data: &MentoringData) -> Graph {
    let mentors: Vec<(String, String, String)> = data.mentors.iter().map(|m| (m.key.clone(), m.name.clone(), m.kind.clone())).collect();
    let facts: Vec<crate::domain::mentors::SessionFact> =
        data.sessions.iter().map(|s| crate::domain::mentors::SessionFact { mentor: s.mentor.clone(), branch: s.branch.clone(), date: s.date }).collect();
    graph(&mentors, &data.branches, &data.pairings, &facts, data.today)
}

/// Mentors (left, coloured by kind) and branches (right) joined by their pairings, each
/// edge as thick as the sessions held; a branch quiet for 30 days is ringed. Tap a node.
#[component]
fn PairingGraph(data: Memo<MentoringData>, chosen: RwSignal<Option<String>>) -> impl IntoView {
    let locale = use_locale();
    let shape = Memo::new(move |_| data.with(graph_of));
    let node = move |key: String, name: String, x: f64, y: f64, class: String, left: bool, label: String| {
        let (k1, k2) = (key.clone(), key.clone());
        let selected = move || chosen.get().as_deref() == Some(k1.as_str());
        view! {
            <g class=move || format!("{class}{}", if selected() { " chosen" } else { "" })
                role="button" tabindex="0" aria-label=label data-node=key.clone()
                on:click=move |_| chosen.set(Some(k2.clone()))
                on:keydown={
                    let key = key.clone();
                    move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" || ev.key() == " " { ev.prevent_default(); chosen.set(Some(key.clone())); }
                }>
                <circle cx=x cy=y r=14/>
                <circle class="hit" cx=x cy=y r=GRAPH_ROW / 2.0/>
                <text x=if left { x - 20.0 } else { x + 20.0 } y=y + 5.0 text-anchor=if left { "end" } else { "start" }>{name}</text>
            </g>
        }
    };
    view! {
        <svg class="pairing-graph" viewBox=move || format!("0 0 400 {}", shape.with(|g| g.height)) role="group"
            aria-label=move || t(locale.get(), Msg::PairingGraph)>
            {move || shape.with(|g| {
                let at = |key: &str, list: &[crate::domain::mentors::Node]| list.iter().find(|n| n.key == key).map(|n| (n.x, n.y));
                g.edges.iter().filter_map(|e| {
                    let (x1, y1) = at(&e.mentor, &g.mentors)?;
                    let (x2, y2) = at(&e.branch, &g.branches)?;
                    let width = 1.5 + e.sessions as f64 * 1.2;
                    Some(view! {
                        <line class=if e.current { "pairing-edge" } else { "pairing-edge ended" } x1=x1 y1=y1 x2=x2 y2=y2 stroke-width=width>
                            <title>{format!("{} — {}", e.sessions, t(locale.get_untracked(), Msg::SessionsHeld))}</title>
                        </line>
                    })
                }).collect_view()
            })}
            {move || shape.with(|g| g.mentors.iter().map(|n| {
                let kind = n.kind.clone().unwrap_or_default();
                let label = format!("{}（{}）", n.name, mentor_kind_name(locale.get_untracked(), &kind));
                node(n.key.clone(), n.name.clone(), n.x, n.y, format!("graph-node mentor kind-{kind}"), true, label)
            }).collect_view())}
            {move || shape.with(|g| g.branches.iter().map(|n| {
                let quiet = if n.quiet { " quiet" } else { "" };
                let label = if n.quiet { format!("{}（{}）", n.name, t(locale.get_untracked(), Msg::QuietBranch)) } else { n.name.clone() };
                node(n.key.clone(), n.name.clone(), n.x, n.y, format!("graph-node branch{quiet}"), false, label)
            }).collect_view())}
        </svg>
    }
}

#[component]
fn GraphLegend() -> impl IntoView {
    let locale = use_locale();
    view! {
        <ul class="graph-legend">
            {KIND_CODES.iter().map(|k| view! { <li><span class=format!("dot kind-{k}")></span>{move || mentor_kind_name(locale.get(), k)}</li> }).collect_view()}
            <li><span class="dot quiet"></span>{move || t(locale.get(), Msg::QuietBranch)}</li>
        </ul>
    }
}

/// The sessions of the tapped mentor or branch.
#[component]
fn NodeSessions(key: String, data: Memo<MentoringData>) -> impl IntoView {
    let name = data.with_untracked(|d| {
        let mentor = d.mentor_name(&key);
        if mentor.is_empty() {
            d.branch_name(&key)
        } else {
            mentor
        }
    });
    let k = key.clone();
    let sessions = Signal::derive(move || data.with(|d| d.sessions.iter().filter(|s| s.mentor == k || s.branch == k).cloned().collect::<Vec<_>>()));
    view! {
        <div class="node-sessions" role="region" aria-live="polite" aria-label=name.clone()>
            <h3>{name.clone()}" · "<Tr m=Msg::MentoringLog/></h3>
            <SessionList sessions data/>
        </div>
    }
}

#[component]
fn SessionList(sessions: Signal<Vec<Session>>, data: Memo<MentoringData>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <ul class="session-list">
            {move || {
                let list = sessions.get();
                if list.is_empty() {
                    return view! { <li class="muted"><Tr m=Msg::NoSessions/></li> }.into_any();
                }
                list.into_iter().map(|s| {
                    let (mentor, branch) = data.with(|d| (d.mentor_name(&s.mentor), d.branch_name(&s.branch)));
                    let project = s.project.as_ref().and_then(|p| data.with(|d| d.projects.iter().find(|(k, _, _)| k == p).map(|(_, t, _)| t.clone())));
                    let outcomes = s.outcomes.iter().map(|o| outcome_name(locale.get(), o)).collect::<Vec<_>>().join("、");
                    view! {
                        <li class="session">
                            <p class="session-head"><time datetime=s.date.to_string()>{s.date.to_string()}</time>" · "{mentor}" → "{branch}
                                " · "<span class="badge">{session_form_name(locale.get(), &s.form)}</span></p>
                            <p>{s.summary.clone()}</p>
                            <p class="muted">{outcomes}{project.map(|p| format!(" · {p}"))}</p>
                        </li>
                    }
                }).collect_view().into_any()
            }}
        </ul>
    }
}

/// The graph as a table: each mentor, kind, branch, since when, sessions, the last one.
#[component]
fn PairingTable(data: Memo<MentoringData>, street: bool) -> impl IntoView {
    let locale = use_locale();
    let status = RwSignal::new(None::<Result<String, String>>);
    view! {
        <StatusLine status/>
        <div class="table-scroll">
            <table class="pairing-table">
                <thead><tr>
                    <th scope="col"><Tr m=Msg::Mentor/></th>
                    <th scope="col"><Tr m=Msg::MentorKind/></th>
                    <th scope="col"><Tr m=Msg::Branch/></th>
                    <th scope="col"><Tr m=Msg::SessionsHeld/></th>
                    <th scope="col"><Tr m=Msg::LastSession/></th>
                </tr></thead>
                <tbody>
                    {move || data.with(|d| d.pairings.iter().rev().map(|p| {
                        let held: Vec<&Session> = d.sessions.iter().filter(|s| s.mentor == p.mentor && s.branch == p.branch).collect();
                        let last = held.iter().map(|s| s.date).max();
                        let kind = d.mentors.iter().find(|m| m.key == p.mentor).map(|m| m.kind.clone()).unwrap_or_default();
                        let running = p.runs_on(d.today);
                        let span = format!("{} – {}", p.starts_on, p.ends_on.map(|e| e.to_string()).unwrap_or_default());
                        let key = p.key.clone();
                        let today = d.today;
                        let end = move |_| {
                            let op = Operation::new("mentor_pairing", &key, OpKind::Set { fields: [("ends_on".to_string(), json!(today.to_string()))].into() }, stamp());
                            let locale = locale.get_untracked();
                            leptos::task::spawn_local(async move {
                                status.set(Some(submit(op, locale).await.map(|done| done.message(locale))));
                            });
                        };
                        view! {
                            <tr class=if running { "" } else { "ended" }>
                                <th scope="row">{d.mentor_name(&p.mentor)}</th>
                                <td>{mentor_kind_name(locale.get(), &kind)}</td>
                                <td>{d.branch_name(&p.branch)}<br/><span class="muted">{span}</span></td>
                                <td>{held.len()}</td>
                                <td>{last.map(|l| l.to_string()).unwrap_or_else(|| "—".into())}
                                    {(street && running).then(|| view! { <button type="button" class="secondary small" on:click=end><Tr m=Msg::EndPairing/></button> })}
                                </td>
                            </tr>
                        }
                    }).collect_view())}
                </tbody>
            </table>
        </div>
    }
}

/// A mentor records a session (offline too): the branch among those they are paired
/// with, the project it served, the form and what came of it.
#[component]
fn SessionForm(data: Memo<MentoringData>, me: Option<String>, draft: SessionDraft) -> impl IntoView {
    let locale = use_locale();
    let today = data.with_untracked(|d| d.today);
    let SessionDraft { mentor, date: typed_date, branch, project, form, outcomes, summary, status } = draft;
    if let Some(me) = &me {
        mentor.set(me.clone());
    }
    let date = Signal::derive(move || {
        let typed = typed_date.get();
        if typed.is_empty() {
            today.to_string()
        } else {
            typed
        }
    });
    let paired_branches = move || {
        data.with(|d| {
            let day = crate::domain::time::parse_date(&date.get()).unwrap_or(d.today);
            d.pairings.iter().filter(|p| p.mentor == mentor.get() && p.runs_on(day)).map(|p| (p.branch.clone(), d.branch_name(&p.branch))).collect::<Vec<_>>()
        })
    };
    let submit_form = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale = locale.get_untracked();
        let chosen_branch =
            if branch.get_untracked().is_empty() { paired_branches().first().map(|b| b.0.clone()).unwrap_or_default() } else { branch.get_untracked() };
        let mut fields: BTreeMap<String, Value> = BTreeMap::new();
        fields.insert("mentor".into(), json!(mentor.get_untracked()));
        fields.insert("branch".into(), json!(chosen_branch));
        fields.insert("date".into(), json!(date.get_untracked()));
        fields.insert("form".into(), json!(form.get_untracked()));
        fields.insert("outcomes".into(), json!(outcomes.get_untracked()));
        fields.insert("summary".into(), json!(summary.get_untracked().trim()));
        if !project.get_untracked().is_empty() {
            fields.insert("project".into(), json!(project.get_untracked()));
        }
        if summary.get_untracked().trim().is_empty() {
            status.set(Some(Err(t(locale, Msg::SummaryNeeded).to_string())));
            return;
        }
        let key = uuid::Uuid::now_v7().simple().to_string();
        let op = Operation::new(SESSION_TABLE, &key, OpKind::Create { fields }, stamp());
        leptos::task::spawn_local(async move {
            match submit(op, locale).await {
                Ok(outcome) => {
                    summary.set(String::new());
                    outcomes.set(vec![]);
                    status.set(Some(Ok(outcome.message(locale))));
                }
                // Refused: the message, and everything typed stays.
                Err(message) => status.set(Some(Err(message))),
            }
        });
    };
    view! {
        <form class="panel form session-form" novalidate on:submit=submit_form aria-labelledby="session-title">
            <h2 id="session-title"><Tr m=Msg::LogSession/></h2>
            {me.is_none().then(|| view! {
                <label><Tr m=Msg::Mentor/>
                    <select name="mentor" on:change=move |ev| mentor.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {move || data.with(|d| d.mentors.iter().map(|m| view! { <option value=m.key.clone() selected=mentor.get_untracked() == m.key>{m.name.clone()}</option> }).collect_view())}
                    </select>
                </label>
            })}
            <label><Tr m=Msg::SessionDate/><input type="date" name="date" prop:value=date on:input=move |ev| typed_date.set(event_target_value(&ev))/></label>
            <label><Tr m=Msg::Branch/>
                <select name="branch" on:change=move |ev| branch.set(event_target_value(&ev))>
                    {move || paired_branches().into_iter().map(|(k, n)| view! { <option value=k.clone() selected=branch.get_untracked() == k>{n}</option> }).collect_view()}
                </select>
            </label>
            <label><Tr m=Msg::ServedProject/>
                <select name="project" on:change=move |ev| project.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || {
                        let chosen_project = project.get_untracked();
                        let b = if branch.get().is_empty() { paired_branches().first().map(|b| b.0.clone()).unwrap_or_default() } else { branch.get() };
                        data.with(|d| d.projects.iter().filter(|(_, _, pb)| *pb == b).map(|(k, title, _)| view! { <option value=k.clone() selected=chosen_project == *k>{title.clone()}</option> }).collect_view())
                    }}
                </select>
            </label>
            <fieldset>
                <legend><Tr m=Msg::SessionForm/></legend>
                {FORM_CODES.iter().map(|code| view! {
                    <label class="check"><input type="radio" name="form" value=*code prop:checked=move || form.get() == *code on:change=move |_| form.set(code.to_string())/>
                        {move || session_form_name(locale.get(), code)}</label>
                }).collect_view()}
            </fieldset>
            <fieldset>
                <legend><Tr m=Msg::SessionOutcomes/></legend>
                {OUTCOME_CODES.iter().map(|code| view! {
                    <label class="check"><input type="checkbox" name="outcomes" value=*code
                        prop:checked=move || outcomes.with(|o| o.iter().any(|c| c == code))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            outcomes.update(|o| { o.retain(|c| c != code); if on { o.push(code.to_string()); } });
                        }/>
                        {move || outcome_name(locale.get(), code)}</label>
                }).collect_view()}
            </fieldset>
            <label><Tr m=Msg::SessionSummary/><textarea name="summary" maxlength="1000" prop:value=summary on:input=move |ev| summary.set(event_target_value(&ev))></textarea></label>
            <StatusLine status/>
            <button type="submit" class="primary"><Tr m=Msg::Save/></button>
        </form>
    }
}

/// Street staff pair a mentor with a branch (one-to-one, unless meant otherwise).
#[component]
fn PairingForm(data: Memo<MentoringData>, draft: PairingDraft) -> impl IntoView {
    let locale = use_locale();
    let today = data.with_untracked(|d| d.today);
    let PairingDraft { mentor, branch, starts: typed_starts, additional, status } = draft;
    let starts = Signal::derive(move || {
        let typed = typed_starts.get();
        if typed.is_empty() {
            today.to_string()
        } else {
            typed
        }
    });
    let submit_form = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale = locale.get_untracked();
        let mut fields: BTreeMap<String, Value> = BTreeMap::new();
        fields.insert("mentor".into(), json!(mentor.get_untracked()));
        fields.insert("branch".into(), json!(branch.get_untracked()));
        fields.insert("starts_on".into(), json!(starts.get_untracked()));
        fields.insert("additional".into(), json!(additional.get_untracked()));
        let key = uuid::Uuid::now_v7().simple().to_string();
        let op = Operation::new("mentor_pairing", &key, OpKind::Create { fields }, stamp());
        leptos::task::spawn_local(async move {
            status.set(Some(submit(op, locale).await.map(|done| done.message(locale))));
        });
    };
    view! {
        <form class="panel form" novalidate on:submit=submit_form aria-labelledby="pair-title">
            <h2 id="pair-title"><Tr m=Msg::NewPairing/></h2>
            <label><Tr m=Msg::Mentor/>
                <select name="pair-mentor" on:change=move |ev| mentor.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || data.with(|d| d.mentors.iter().map(|m| view! { <option value=m.key.clone() selected=mentor.get_untracked() == m.key>{m.name.clone()}</option> }).collect_view())}
                </select>
            </label>
            <label><Tr m=Msg::Branch/>
                <select name="pair-branch" on:change=move |ev| branch.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || data.with(|d| d.branches.iter().map(|(k, n)| view! { <option value=k.clone() selected=branch.get_untracked() == *k>{n.clone()}</option> }).collect_view())}
                </select>
            </label>
            <label><Tr m=Msg::PairingStarts/><input type="date" prop:value=starts on:input=move |ev| typed_starts.set(event_target_value(&ev))/></label>
            <label class="check"><input type="checkbox" prop:checked=additional on:change=move |ev| additional.set(event_target_checked(&ev))/><Tr m=Msg::AdditionalPairing/></label>
            <StatusLine status/>
            <button type="submit" class="primary"><Tr m=Msg::Save/></button>
        </form>
    }
}
