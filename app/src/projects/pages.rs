use super::queries::*;
use crate::clock::this_year;
use crate::domain::ops::{OpKind, Operation};
use crate::domain::org::Role;
use crate::domain::projects::{check_year, default_year, transition_mover, Category, Indicator, Mover, Nomination, Principle, Status, Tier};
use crate::domain::replica::changed_fields;
use crate::domain::time::format_datetime;
use crate::error::ErrorView;
use crate::i18n::{category_name, one_plus_five_problem, principle_name, status_name, t, tier_name, use_locale, Msg, Tr};
use crate::sync::{stamp, submit, use_sync, Submitted};
use crate::ui::{use_user, Shell, StatusLine};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Sends one operation; on success bumps `version` so the page reads again.
fn send(op: Operation, version: RwSignal<u32>, error: RwSignal<Option<String>>) {
    let locale = use_locale().get_untracked();
    leptos::task::spawn_local(async move {
        match submit(op, locale).await {
            Ok(Submitted::Accepted) => {
                error.set(None);
                version.update(|v| *v += 1);
            }
            // Shown from the device's copy; the server is asked again once it is sent.
            Ok(Submitted::Queued) => error.set(None),
            Err(message) => error.set(Some(message)),
        }
    });
}

/// The browser's router hands query values over still percent-encoded (the server's are
/// decoded); both sides must see the same filter, or hydration would not match.
fn decoded(value: String) -> String {
    #[cfg(feature = "hydrate")]
    if value.contains('%') {
        if let Ok(text) = js_sys::decode_uri_component(&value.replace('+', " ")) {
            return text.into();
        }
    }
    value
}

fn filter_from_query(query: &leptos_router::params::ParamsMap) -> BoardFilter {
    BoardFilter {
        branch: query.get("branch").map(decoded).filter(|s| !s.is_empty()),
        category: query.get("category").and_then(|c| Category::from_code(&c)),
        tier: query.get("tier").and_then(|c| Tier::from_code(&c)),
        year: query.get("year").and_then(|y| y.parse().ok()),
        principle: query.get("principle").and_then(|c| Principle::from_code(&c)),
        status: query.get("status").and_then(|c| Status::from_code(&c)),
        nominated: query.get("nominated").map(|n| n == "1"),
        filed: query.get("filed").map(|n| n == "1"),
        queue: query.get("queue").map(|n| n == "1"),
        q: query.get("q").map(decoded).filter(|s| !s.is_empty()),
    }
}

/// `/projects`: the board, one column per status, filtered by the URL's query.
#[component]
pub fn BoardPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let version = RwSignal::new(0u32);
    let projects = Resource::new(move || (filter_from_query(&query.read()), version.get()), |(filter, _)| list_projects(filter));
    let error = RwSignal::new(None::<String>);
    // Offline, the board is drawn from the device's copy.
    let held = RwSignal::new(None::<BoardData>);
    Effect::new(move |_| {
        if matches!(projects.get(), Some(Err(_))) {
            let filter = filter_from_query(&query.read_untracked());
            leptos::task::spawn_local(async move { held.set(Some(local_board(&filter).await)) });
        }
    });
    view! {
        <Title text=t(locale.get_untracked(), Msg::Board)/>
        <Shell>
            <section class="page wide">
                <header class="page-head">
                    <h1><Tr m=Msg::Board/></h1>
                    {move || use_user().role.is_branch_staff().then(|| view! { <a class="button primary" href="/projects/new"><Tr m=Msg::Declare/></a> })}
                </header>
                <p class="form-error" role="alert">{move || error.get()}</p>
                <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                    {move || projects.get().map(|result| match result {
                        Ok(data) => view! { <BoardNews seq=data.seq version/><BoardFilters branches=data.branches query/><Board list=data.cards version error/> }.into_any(),
                        Err(e) => match held.get() {
                            Some(data) => view! { <p class="notice" role="note"><Tr m=Msg::FromDevice/></p><Board list=data.cards version error/> }.into_any(),
                            None => view! { <ErrorView error=e retry=move |_| projects.refetch()/> }.into_any(),
                        },
                    })}
                </Transition>
            </section>
        </Shell>
    }
}

/// A plain GET form: filters work before the wasm arrives and stay in the URL.
/// Another person's change is announced on the board within a second, and the board is
/// redrawn when the person taps: cards never move under a finger or a half-typed filter.
#[component]
fn BoardNews(seq: i64, version: RwSignal<u32>) -> impl IntoView {
    let sync = use_sync();
    view! {
        <p class="board-news" role="status">
            {move || (sync.announced.get() > seq).then(|| view! {
                <span><Tr m=Msg::BoardChanged/></span>" "
                <button type="button" class="secondary" on:click=move |_| version.update(|v| *v += 1)><Tr m=Msg::Refresh/></button>
            })}
        </p>
    }
}

/// `query` comes from the page, read before the suspense (see `Shell`'s header).
#[component]
fn BoardFilters(branches: Vec<Choice>, query: Memo<leptos_router::params::ParamsMap>) -> impl IntoView {
    let locale = use_locale();
    let current = move |name: &str| decoded(query.read().get(name).unwrap_or_default());
    let option = |value: &'static str, label: String, selected: bool| view! { <option value=value selected=selected>{label}</option> };
    view! {
        <form class="filters" method="get" action="/projects" role="search">
            <label>
                <span><Tr m=Msg::Search/></span>
                <input type="search" name="q" value=current("q") placeholder=move || t(locale.get(), Msg::SearchTitle)/>
            </label>
            <label>
                <span><Tr m=Msg::Category/></span>
                <select name="category">
                    <option value="">{move || t(locale.get(), Msg::All)}</option>
                    {Category::ALL.into_iter().map(|c| option(c.code(), category_name(locale.get_untracked(), c).into(), current("category") == c.code())).collect_view()}
                </select>
            </label>
            <label>
                <span><Tr m=Msg::Tier/></span>
                <select name="tier">
                    <option value="">{move || t(locale.get(), Msg::All)}</option>
                    {Tier::ALL.into_iter().map(|x| option(x.code(), tier_name(locale.get_untracked(), x).into(), current("tier") == x.code())).collect_view()}
                </select>
            </label>
            <label>
                <span><Tr m=Msg::Principles/></span>
                <select name="principle">
                    <option value="">{move || t(locale.get(), Msg::All)}</option>
                    {Principle::ALL.into_iter().map(|x| option(x.code(), principle_name(locale.get_untracked(), x).into(), current("principle") == x.code())).collect_view()}
                </select>
            </label>
            <label>
                <span><Tr m=Msg::Year/></span>
                <input type="number" name="year" min="2000" max="2100" inputmode="numeric" value=current("year")/>
            </label>
            {if branches.is_empty() {
                view! { <input type="hidden" name="branch" value=current("branch")/> }.into_any()
            } else {
                view! {
                    <label>
                        <span><Tr m=Msg::Branch/></span>
                        <select name="branch">
                            <option value="">{move || t(locale.get(), Msg::All)}</option>
                            {branches.into_iter().map(|b| { let selected = current("branch") == b.key; view! { <option value=b.key selected=selected>{b.name}</option> } }).collect_view()}
                        </select>
                    </label>
                }.into_any()
            }}
            <button type="submit" class="secondary"><Tr m=Msg::Filter/></button>
            <a href="/projects" class="reset"><Tr m=Msg::ClearFilters/></a>
        </form>
    }
}

#[component]
fn Board(list: Vec<ProjectCard>, version: RwSignal<u32>, error: RwSignal<Option<String>>) -> impl IntoView {
    let locale = use_locale();
    let total = list.len();
    let columns = [Status::Draft, Status::Returned, Status::Submitted, Status::InReview, Status::Filed, Status::InProgress, Status::Completed];
    view! {
        <p class="muted">{move || format!("{} {}", total, t(locale.get(), Msg::ProjectsCount))}</p>
        <div class="board">
            {columns.into_iter().map(|status| {
                let cards: Vec<ProjectCard> = list.iter().filter(|c| c.status == status).cloned().collect();
                let n = cards.len();
                view! {
                    <section class="column" class:empty=n == 0 data-status=status.code() aria-label=move || status_name(locale.get(), status)>
                        <h2 class=format!("column-head status-{}", status.code())>
                            {move || status_name(locale.get(), status)}<span class="count">{n}</span>
                        </h2>
                        <ul role="list">
                            {cards.into_iter().map(|card| view! { <BoardCard card version error/> }).collect_view()}
                        </ul>
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

fn nomination_msg(n: Nomination) -> Msg {
    match n {
        Nomination::Nominated => Msg::Nominated,
        Nomination::Selected => Msg::Selected,
        Nomination::NotSelected => Msg::NotSelected,
    }
}

/// The moves the signed-in person may make from `status` (the server checks again).
fn moves_for(role: Role, own_branch: bool, status: Status) -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|to| match transition_mover(status, *to) {
            Some(Mover::Street) => role == Role::StreetStaff,
            Some(Mover::Branch) => role.is_branch_staff() && own_branch,
            None => false,
        })
        .collect()
}

/// Where a dragged card would land and why it may not. Checks what the browser knows
/// (the lifecycle, roles, the "1+5" count); the server checks everything again.
fn check_drop(role: Role, own_branch: bool, card: &ProjectCard, to: Status, locale: crate::i18n::Locale) -> Result<(), String> {
    if to == card.status {
        return Err(String::new());
    }
    if to == Status::Returned {
        return Err(t(locale, Msg::ReturnOnProjectPage).into());
    }
    if !moves_for(role, own_branch, card.status).contains(&to) {
        return Err(crate::i18n::move_refusal(locale, card.status, to));
    }
    if matches!(to, Status::Submitted | Status::Filed) && card.done < 5 {
        return Err(t(locale, Msg::FiveIncompleteOpen).into());
    }
    Ok(())
}

/// The board column under a point, looking past the card being dragged.
fn column_at(x: i32, y: i32, dragged: &leptos::web_sys::Element) -> Option<Status> {
    use leptos::wasm_bindgen::JsCast;
    let document = leptos::web_sys::window()?.document()?;
    document
        .elements_from_point(x as f32, y as f32)
        .iter()
        .filter_map(|node| node.dyn_into::<leptos::web_sys::Element>().ok())
        .filter(|el| !dragged.contains(Some(el)))
        .find_map(|el| el.closest("[data-status]").ok().flatten())
        .and_then(|column| column.get_attribute("data-status"))
        .and_then(|code| Status::from_code(&code))
}

#[component]
fn BoardCard(card: ProjectCard, version: RwSignal<u32>, error: RwSignal<Option<String>>) -> impl IntoView {
    let locale = use_locale();
    let user = use_user();
    let own = user.branch.as_deref() == Some(card.branch.as_str());
    let role = user.role;
    let moves = moves_for(role, own, card.status).into_iter().filter(|to| *to != Status::Returned).collect::<Vec<_>>();
    let (category, tier, key) = (card.category, card.tier, card.key.clone());
    let node = NodeRef::<leptos::html::Li>::new();
    // (start x, start y, dx, dy) while the handle is held.
    let dragging = RwSignal::new(None::<(i32, i32, i32, i32)>);
    let stored = StoredValue::new(card.clone());
    // Filing draws a filing number and saves the plan's baseline: it is asked for twice.
    let confirming_filing = RwSignal::new(false);
    let on_down = move |ev: leptos::ev::PointerEvent| {
        use leptos::wasm_bindgen::JsCast;
        if let Some(handle) = ev.current_target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok()) {
            let _ = handle.set_pointer_capture(ev.pointer_id());
        }
        dragging.set(Some((ev.client_x(), ev.client_y(), 0, 0)));
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        dragging.update(|d| {
            if let Some(d) = d {
                d.2 = ev.client_x() - d.0;
                d.3 = ev.client_y() - d.1;
            }
        });
    };
    let on_up = move |ev: leptos::ev::PointerEvent| {
        let Some((_, _, dx, dy)) = dragging.get_untracked() else { return };
        // Snap back at once; the card moves only when the server has accepted the move.
        dragging.set(None);
        if dx.abs() + dy.abs() < 12 {
            return;
        }
        let Some(li) = node.get_untracked() else { return };
        let Some(to) = column_at(ev.client_x(), ev.client_y(), &li) else { return };
        let card = stored.get_value();
        match check_drop(role, own, &card, to, locale.get_untracked()) {
            Ok(()) if to == Status::Filed => confirming_filing.set(true),
            Ok(()) => send(Operation::new("project", &card.key, OpKind::Transition { to: to.code().into(), note: None }, stamp()), version, error),
            Err(message) if message.is_empty() => {}
            Err(message) => error.set(Some(format!("{}：{message}", card.title))),
        }
    };
    // try_get: on the server a card can be drawn after its page was left (and disposed).
    let style = move || dragging.try_get().flatten().map(|(_, _, dx, dy)| format!("transform: translate({dx}px, {dy}px) rotate(1deg)")).unwrap_or_default();
    view! {
        <li class="project-card" class:dragging=move || dragging.try_get().flatten().is_some() style=style node_ref=node>
            <div class="card-top">
                <a href=format!("/projects/{}", card.key) class="card-title">{card.title.clone()}</a>
                {(!moves.is_empty()).then(|| view! {
                    <button type="button" class="drag-handle" aria-label=move || t(locale.get(), Msg::DragToMove)
                        on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up
                        on:pointercancel=move |_| dragging.set(None)>"⠿"</button>
                })}
            </div>
            <p class="muted">{card.branch_name.clone()}</p>
            <p class="tags">
                <span class="badge">{move || category_name(locale.get(), category)}</span>
                <span class=format!("badge tier-{}", tier.code())>{move || tier_name(locale.get(), tier)}</span>
                {card.nomination.map(|n| view! { <span class="badge nominated"><Tr m=nomination_msg(n)/></span> })}
            </p>
            <p class="five" aria-label=move || format!("1+5 {}/5", card.done)>
                <span class="five-bar"><span style=format!("width:{}%", card.done * 20)></span></span>
                {format!("1+5 · {}/5", card.done)}
            </p>
            {(!moves.is_empty()).then(|| {
                let file_key = key.clone();
                view! {
                <div class="moves" hidden=move || confirming_filing.try_get().unwrap_or(false)>
                    {moves.into_iter().map(|to| {
                        let key = key.clone();
                        view! {
                            <button type="button" class="secondary small" on:click=move |_| {
                                if to == Status::Filed {
                                    confirming_filing.set(true);
                                } else {
                                    send(Operation::new("project", &key, OpKind::Transition { to: to.code().into(), note: None }, stamp()), version, error)
                                }
                            }>{move || format!("→ {}", status_name(locale.get(), to))}</button>
                        }
                    }).collect_view()}
                </div>
                <div class="moves confirm" role="group" hidden=move || !confirming_filing.try_get().unwrap_or(false)>
                    <p class="confirm-text">{move || t(locale.get(), Msg::ConfirmFilingText)}</p>
                    <button type="button" class="primary small" on:click=move |_| {
                        confirming_filing.set(false);
                        send(Operation::new("project", &file_key, OpKind::Transition { to: Status::Filed.code().into(), note: None }, stamp()), version, error)
                    }>{move || t(locale.get(), Msg::ConfirmFiling)}</button>
                    <button type="button" class="secondary small" on:click=move |_| confirming_filing.set(false)><Tr m=Msg::Cancel/></button>
                </div>
            }})}
        </li>
    }
}

/// `/projects/:key`: every field, the "1+5" panel, moves, history and comments.
/// The server renders it; in the browser the device's copy (with changes not yet sent)
/// is laid over it, and it alone is shown when the server cannot be reached.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let sync = use_sync();
    let key = move || params.read().get("key").unwrap_or_default();
    let version = RwSignal::new(0u32);
    let project = Resource::new(move || (key(), version.get(), sync.changes.get()), |(key, _, _)| get_project(key));
    let local = local_copy(key);
    // What the person types lives here, above the view that redraws when data arrives.
    let typed = Typed {
        error: RwSignal::new(None),
        reason: RwSignal::new(String::new()),
        comment: RwSignal::new(String::new()),
        confirming_filing: RwSignal::new(false),
    };
    view! {
        <Shell>
            <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                {move || project.get().map(|result| match (result, local.get()) {
                    (Ok(mut detail), Some(mine)) if mine.seq >= detail.seq => {
                        // The server's history and comments, the device's fields.
                        let (history, comments) = (std::mem::take(&mut detail.history), std::mem::take(&mut detail.comments));
                        let detail = ProjectDetail { history, comments, ..mine };
                        view! { <ProjectView detail version typed/> }.into_any()
                    }
                    (Ok(detail), _) => view! { <ProjectView detail version typed/> }.into_any(),
                    (Err(_), Some(detail)) => view! { <ProjectView detail version typed/> }.into_any(),
                    (Err(e), None) => {
                        let text = if sync.online.get() { e.message(locale.get()) } else { t(locale.get(), Msg::OfflineNotHeld).to_string() };
                        view! { <section class="page"><p class="form-error" role="alert">{text}</p></section> }.into_any()
                    }
                })}
            </Transition>
        </Shell>
    }
}

/// The device's copy of a project, read after hydration and again whenever the local
/// store changes. Stays `None` on the server, so the first render matches.
fn local_copy(key: impl Fn() -> String + Send + Sync + 'static) -> RwSignal<Option<ProjectDetail>> {
    let sync = use_sync();
    let local = RwSignal::new(None::<ProjectDetail>);
    Effect::new(move |_| {
        sync.changes.track();
        let key = key();
        leptos::task::spawn_local(async move {
            let found = local_project(&key).await;
            if local.get_untracked() != found {
                local.set(found);
            }
        });
    });
    local
}

/// The project page's inputs, kept while the page redraws with newer data.
#[derive(Clone, Copy)]
struct Typed {
    error: RwSignal<Option<String>>,
    reason: RwSignal<String>,
    comment: RwSignal<String>,
    /// "File it?" asked and not yet answered: kept when the page is drawn again with
    /// fresher data, so the question does not vanish under the person's finger.
    confirming_filing: RwSignal<bool>,
}

#[component]
fn ProjectView(detail: ProjectDetail, version: RwSignal<u32>, typed: Typed) -> impl IntoView {
    let locale = use_locale();
    let user = use_user();
    let card = detail.card.clone();
    let Typed { error, reason, comment, confirming_filing } = typed;
    let own = user.branch.as_deref() == Some(card.branch.as_str());
    let moves = moves_for(user.role, own, card.status);
    let key = StoredValue::new(card.key.clone());
    let (category, tier, status) = (card.category, card.tier, card.status);
    let can_nominate = user.role == Role::StreetStaff && status.is_filed() && card.nomination.is_none();
    let editable = own && status.is_editable();
    let budget = detail.budget_fen.map(yuan);
    let parts = [Msg::LiaisonLeader, Msg::Responsible, Msg::BudgetPart, Msg::Team, Msg::AssessmentPart];
    let problems = detail.problems.clone();
    // Filing draws a filing number and saves the plan's baseline: it is asked for twice.
    view! {
        <Title text=card.title.clone()/>
        <section class="page">
            <p class="crumbs"><a href="/projects"><Tr m=Msg::Board/></a></p>
            <header class="page-head">
                <h1>{card.title.clone()}</h1>
                <span class=format!("badge status-{}", status.code())>{move || status_name(locale.get(), status)}</span>
                {card.nomination.map(|n| view! { <span class="badge nominated"><Tr m=nomination_msg(n)/></span> })}
            </header>
            {(!detail.return_reason.is_empty()).then(|| view! {
                <p class="notice" role="note"><strong><Tr m=Msg::ReturnReason/>"："</strong>{detail.return_reason.clone()}</p>
            })}
            <p class="form-error" role="alert">{move || error.get()}</p>
            <div class="moves">
                <a class="button secondary" href=format!("/gantt/{}", card.key)><Tr m=Msg::GanttOpenPlan/></a>
                {editable.then(|| view! { <a class="button secondary" href=format!("/projects/new?edit={}", card.key)><Tr m=Msg::Edit/></a> })}
                {moves.into_iter().map(|to| {
                    let needs_reason = to == Status::Returned;
                    view! {
                        <button type="button" class=if needs_reason { "secondary" } else { "primary" } on:click=move |_| {
                            if to == Status::Filed {
                                confirming_filing.set(true);
                                return;
                            }
                            let note = needs_reason.then(|| reason.get_untracked());
                            send(Operation::new("project", &key.get_value(), OpKind::Transition { to: to.code().into(), note }, stamp()), version, error)
                        }>{move || format!("→ {}", status_name(locale.get(), to))}</button>
                    }
                }).collect_view()}
                <div class="confirm" role="group" hidden=move || !confirming_filing.try_get().unwrap_or(false)>
                    <p class="confirm-text">{move || t(locale.get(), Msg::ConfirmFilingText)}</p>
                    <button type="button" class="primary" on:click=move |_| {
                        confirming_filing.set(false);
                        send(Operation::new("project", &key.get_value(), OpKind::Transition { to: Status::Filed.code().into(), note: None }, stamp()), version, error)
                    }>{move || t(locale.get(), Msg::ConfirmFiling)}</button>
                    <button type="button" class="secondary" on:click=move |_| confirming_filing.set(false)><Tr m=Msg::Cancel/></button>
                </div>
                {(user.role == Role::StreetStaff && card.nomination == Some(Nomination::Nominated)).then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| {
                        let fields = BTreeMap::from([("nomination".to_string(), json!("selected"))]);
                        send(Operation::new("project", &key.get_value(), OpKind::Set { fields }, stamp()), version, error)
                    }><Tr m=Msg::MarkSelected/></button>
                    <button type="button" class="secondary" on:click=move |_| {
                        let fields = BTreeMap::from([("nomination".to_string(), json!("not_selected"))]);
                        send(Operation::new("project", &key.get_value(), OpKind::Set { fields }, stamp()), version, error)
                    }><Tr m=Msg::MarkNotSelected/></button>
                })}
                {can_nominate.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| {
                        let fields = BTreeMap::from([("nomination".to_string(), json!("nominated"))]);
                        send(Operation::new("project", &key.get_value(), OpKind::Set { fields }, stamp()), version, error)
                    }><Tr m=Msg::Nominate/></button>
                })}
            </div>
            {(user.role == Role::StreetStaff && matches!(status, Status::Submitted | Status::InReview)).then(|| view! {
                <div class="form">
                    <label for="return-reason"><Tr m=Msg::ReturnReason/></label>
                    <textarea id="return-reason" rows="2" bind:value=reason></textarea>
                </div>
            })}
            <div class="columns">
                <section class="panel" aria-labelledby="fields-title">
                    <h2 id="fields-title"><Tr m=Msg::Declaration/></h2>
                    <dl class="facts">
                        <div><dt><Tr m=Msg::Branch/></dt><dd>{card.branch_name.clone()}</dd></div>
                        <div><dt><Tr m=Msg::Category/></dt><dd>{move || category_name(locale.get(), category)}</dd></div>
                        <div><dt><Tr m=Msg::Tier/></dt><dd>{move || tier_name(locale.get(), tier)}</dd></div>
                        <div><dt><Tr m=Msg::Year/></dt><dd>{card.year}</dd></div>
                        <div><dt><Tr m=Msg::Principles/></dt><dd>{detail.principles.iter().map(|p| { let p = *p; view! { <span class="badge">{move || principle_name(locale.get(), p)}</span>" " } }).collect_view()}</dd></div>
                        <div><dt><Tr m=Msg::Period/></dt><dd>{format!("{} — {}", detail.starts_on, detail.ends_on)}</dd></div>
                        <div><dt><Tr m=Msg::Goals/></dt><dd>{detail.goals.clone()}</dd></div>
                        {detail.filing_no.clone().map(|no| view! { <div><dt><Tr m=Msg::FilingNo/></dt><dd>{no}" · "{detail.filed_at.map(format_datetime)}</dd></div> })}
                    </dl>
                </section>
                <section class="panel five-panel" aria-labelledby="five-title">
                    <h2 id="five-title">"1+5"</h2>
                    <ul role="list">
                        {parts.into_iter().enumerate().map(|(i, part)| {
                            let missing: Vec<String> = problems.iter().filter(|p| p.part() == i).map(|p| one_plus_five_problem(locale.get_untracked(), p).to_string()).collect();
                            let ok = missing.is_empty();
                            let value = match i {
                                0 => detail.liaison_name.clone().unwrap_or_default(),
                                1 => detail.responsible.clone(),
                                2 => budget.clone().map(|b| format!("¥{b} · {}", detail.budget_source)).unwrap_or_default(),
                                3 => detail.team.join("、"),
                                _ => detail.indicators.iter().map(|x| format!("{} {}%", x.name, x.weight)).collect::<Vec<_>>().join("；"),
                            };
                            view! {
                                <li class=if ok { "five-ok" } else { "five-missing" }>
                                    <span class="five-mark" aria-hidden="true">{if ok { "✓" } else { "✗" }}</span>
                                    <span class="five-name"><Tr m=part/></span>
                                    <span class="five-value">{value}</span>
                                    {(!ok).then(|| view! { <span class="five-problem">{missing.join("；")}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            </div>
            <div class="columns">
                <section class="panel" aria-labelledby="comments-title">
                    <h2 id="comments-title"><Tr m=Msg::Comments/></h2>
                    <ol class="notes">
                        {detail.comments.iter().map(|c| view! { <li><p>{c.text.clone()}</p><p class="muted">{c.author_name.clone()}" · "{format_datetime(c.at)}</p></li> }).collect_view()}
                    </ol>
                    {(own || user.role == Role::StreetStaff).then(|| view! {
                        <form class="form" on:submit=move |ev| {
                            ev.prevent_default();
                            let op = Operation::new("project", &key.get_value(), OpKind::Append { list: "comments".into(), item: json!({ "text": comment.get_untracked().trim() }) }, stamp());
                            comment.set(String::new());
                            send(op, version, error);
                        }>
                            <label for="comment-text"><Tr m=Msg::AddComment/></label>
                            <textarea id="comment-text" rows="2" bind:value=comment></textarea>
                            <button type="submit" class="secondary"><Tr m=Msg::AddComment/></button>
                        </form>
                    })}
                </section>
                <section class="panel" aria-labelledby="history-title">
                    <h2 id="history-title"><Tr m=Msg::History/></h2>
                    {detail.history.is_empty().then(|| view! { <p class="muted"><Tr m=Msg::NoHistory/></p> })}
                    <ol class="history">
                        {detail.history.iter().rev().map(|h| view! {
                            <li><time>{format_datetime(h.at)}</time>" "<span>{h.actor_name.clone()}</span>" "<span class="muted">{describe(locale.get_untracked(), &h.change)}</span></li>
                        }).collect_view()}
                    </ol>
                </section>
            </div>
        </section>
    }
}

/// A history line's change in words: "修改了 项目经费、经费来源" or "状态 → 已备案".
fn describe(locale: crate::i18n::Locale, change: &crate::domain::history::Change) -> String {
    use crate::domain::history::Change;
    let names = |fields: &std::collections::BTreeSet<String>| fields.iter().map(|f| crate::i18n::field_name(locale, f)).collect::<Vec<_>>().join("、");
    let zh = locale == crate::i18n::Locale::ZhCn;
    match change {
        Change::Created { fields } => {
            if zh {
                format!("创建了项目（{}）", names(fields))
            } else {
                format!("created the project ({})", names(fields))
            }
        }
        Change::Edited { fields } => {
            if zh {
                format!("修改了 {}", names(fields))
            } else {
                format!("changed {}", names(fields))
            }
        }
        Change::Moved { to } => format!("→ {}", Status::from_code(to).map(|s| status_name(locale, s)).unwrap_or(to)),
        Change::Commented => {
            if zh {
                "添加了评论".into()
            } else {
                "added a comment".into()
            }
        }
    }
}

/// `/projects/new`: declare a project (optionally from a catalog entry, `?catalog=`), or
/// edit a draft (`?edit=`). Every change is saved as it is made.
#[component]
pub fn DeclarePage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let catalog = Resource::new(|| (), |_| list_catalog());
    let leaders = Resource::new(|| (), |_| list_liaison_leaders());
    let editing = Resource::new(
        move || query.read().get("edit"),
        |key| async move {
            match key {
                Some(key) => get_project(key).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // The device's copy: laid over the draft being edited, and all there is offline.
    let local = RwSignal::new(None::<(Vec<CatalogEntry>, Vec<Choice>, Option<ProjectDetail>)>);
    // Set only when the device's draft differs from the server's: the form is then
    // drawn again, once, right after the page loads.
    let overlay = RwSignal::new(None::<ProjectDetail>);
    Effect::new(move |_| {
        let key = query.read().get("edit");
        leptos::task::spawn_local(async move {
            let detail = match key {
                Some(key) => local_project(&key).await,
                None => None,
            };
            if let (Some(mine), Some(Ok(Some(server)))) = (detail.clone(), editing.get_untracked()) {
                let mine = ProjectDetail { history: server.history.clone(), comments: server.comments.clone(), ..mine };
                if mine != server && mine.seq >= server.seq {
                    overlay.set(Some(mine));
                }
            }
            local.set(Some((local_catalog().await, local_leaders().await, detail)));
        });
    });
    view! {
        <Title text=t(locale.get_untracked(), Msg::Declare)/>
        <Shell>
            <section class="page">
                <h1><Tr m=Msg::Declare/></h1>
                <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                    {move || {
                        let (catalog, leaders, existing) = match (catalog.get(), leaders.get(), editing.get()) {
                            (Some(Ok(catalog)), Some(Ok(leaders)), Some(Ok(existing))) => {
                                // A draft with changes not yet sent shows them.
                                let existing = existing.map(|server| overlay.get().unwrap_or(server));
                                (catalog, leaders, existing)
                            }
                            (Some(_), Some(_), Some(_)) => match local.get() {
                                Some(held) if query.read().get("edit").is_none() || held.2.is_some() => held,
                                _ => return Some(view! { <p class="form-error" role="alert"><Tr m=Msg::OfflineNotHeld/></p> }.into_any()),
                            },
                            _ => return None,
                        };
                        if !use_user().role.is_branch_staff() {
                            return Some(view! { <p class="notice" role="note"><Tr m=Msg::DeclareByBranches/></p> }.into_any());
                        }
                        let from = query.read().get("catalog").and_then(|k| catalog.iter().find(|c| c.key == k).cloned());
                        Some(view! { <DeclareForm catalog from leaders existing/> }.into_any())
                    }}
                </Transition>
            </section>
        </Shell>
    }
}

#[component]
fn DeclareForm(catalog: Vec<CatalogEntry>, from: Option<CatalogEntry>, leaders: Vec<Choice>, existing: Option<ProjectDetail>) -> impl IntoView {
    let locale = use_locale();
    let user = use_user();
    let navigate = use_navigate();
    let year = this_year();
    // The record's key: made here, so the draft exists from the first saved field on.
    let key = StoredValue::new(existing.as_ref().map(|d| d.card.key.clone()).unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string()));
    let created = RwSignal::new(existing.is_some());
    let e = existing.clone();
    let title = RwSignal::new(e.as_ref().map(|d| d.card.title.clone()).or_else(|| from.as_ref().map(|c| c.title.clone())).unwrap_or_default());
    let category =
        RwSignal::new(e.as_ref().map(|d| d.card.category).or_else(|| from.as_ref().map(|c| c.category)).unwrap_or(Category::Livelihood).code().to_string());
    let tier = RwSignal::new(e.as_ref().map(|d| d.card.tier).unwrap_or(Tier::General).code().to_string());
    let principles = RwSignal::new(e.as_ref().map(|d| d.principles.clone()).or_else(|| from.as_ref().map(|c| c.principles.clone())).unwrap_or_default());
    let goals = RwSignal::new(e.as_ref().map(|d| d.goals.clone()).or_else(|| from.as_ref().map(|c| c.description.clone())).unwrap_or_default());
    let starts_on = RwSignal::new(e.as_ref().map(|d| d.starts_on.clone()).unwrap_or_default());
    let ends_on = RwSignal::new(e.as_ref().map(|d| d.ends_on.clone()).unwrap_or_default());
    // The year the project is counted in: a new declaration's follows its planned start
    // until the person types one (a project for January 2027 declared in 2026 is 2027's).
    let year_typed = RwSignal::new(e.as_ref().map(|d| d.card.year.to_string()));
    let year_shown = move || year_typed.get().unwrap_or_else(|| default_year(&starts_on.get(), year).to_string());
    let liaison = RwSignal::new(e.as_ref().and_then(|d| d.liaison_leader.clone()).unwrap_or_default());
    let responsible = RwSignal::new(e.as_ref().map(|d| d.responsible.clone()).unwrap_or_else(|| user.display_name.clone()));
    let budget = RwSignal::new(e.as_ref().and_then(|d| d.budget_fen).map(|f| format!("{}", f as f64 / 100.0)).unwrap_or_default());
    let budget_source = RwSignal::new(e.as_ref().map(|d| d.budget_source.clone()).unwrap_or_default());
    let team = RwSignal::new(e.as_ref().map(|d| d.team.join("\n")).unwrap_or_default());
    let indicators = RwSignal::new(
        e.as_ref()
            .map(|d| d.indicators.clone())
            .or_else(|| from.as_ref().map(|c| c.indicators.clone()))
            .unwrap_or_default()
            .iter()
            .map(|i| format!("{} {}", i.name, i.weight))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let status = RwSignal::new(None::<Result<String, String>>);
    let field_error = RwSignal::new(None::<(String, String)>);
    let catalog_for_picker = catalog.clone();

    // The declaration as fields of an operation; a wrong budget is named, not guessed.
    let fields = move || -> Result<BTreeMap<String, Value>, (String, String)> {
        let locale = locale.get_untracked();
        let mut f = BTreeMap::new();
        f.insert("title".into(), json!(title.get_untracked().trim()));
        f.insert("category".into(), json!(category.get_untracked()));
        f.insert("tier".into(), json!(tier.get_untracked()));
        f.insert("principles".into(), json!(principles.get_untracked().iter().map(|p| p.code()).collect::<Vec<_>>()));
        f.insert("goals".into(), json!(goals.get_untracked().trim()));
        f.insert("starts_on".into(), json!(starts_on.get_untracked()));
        f.insert("ends_on".into(), json!(ends_on.get_untracked()));
        let counted_in = match year_typed.get_untracked() {
            Some(typed) => typed.trim().parse::<i64>().map_err(|_| ("year".to_string(), t(locale, Msg::YearFormat).to_string()))?,
            None => default_year(&starts_on.get_untracked(), year),
        };
        check_year(counted_in, &starts_on.get_untracked(), &ends_on.get_untracked())
            .map_err(|e| ("year".to_string(), crate::i18n::reason_message(locale, &e.into())))?;
        f.insert("year".into(), json!(counted_in));
        let l = liaison.get_untracked();
        f.insert("liaison_leader".into(), if l.is_empty() { Value::Null } else { json!(l) });
        f.insert("responsible".into(), json!(responsible.get_untracked().trim()));
        let b = budget.get_untracked();
        let fen = if b.trim().is_empty() {
            Value::Null
        } else {
            match b.trim().parse::<f64>() {
                Ok(yuan) if yuan > 0.0 && yuan.is_finite() => json!((yuan * 100.0).round() as i64),
                _ => return Err(("budget_fen".into(), t(locale, Msg::BudgetMustBePositive).into())),
            }
        };
        f.insert("budget_fen".into(), fen);
        f.insert("budget_source".into(), json!(budget_source.get_untracked().trim()));
        let members: Vec<String> = team.get_untracked().split(['\n', '、', ',', '，']).map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).collect();
        f.insert("team".into(), json!(members));
        let mut list = Vec::new();
        for line in indicators.get_untracked().lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (name, weight) = line.rsplit_once([' ', '\t', ':', '：']).unwrap_or((line, ""));
            match weight.trim().trim_end_matches('%').parse::<u32>() {
                Ok(w) => list.push(Indicator { name: name.trim().to_string(), weight: w }),
                Err(_) => return Err(("indicators".into(), t(locale, Msg::IndicatorFormat).into())),
            }
        }
        f.insert("indicators".into(), json!(list));
        Ok(f)
    };
    // What the server (or the queue) already has: later saves send only what changed,
    // so two people editing different fields of one draft never overwrite each other.
    let saved = StoredValue::new(if existing.is_some() { fields().map(|f| f.into_iter().collect()).unwrap_or_default() } else { serde_json::Map::new() });
    // Saves overlap (a field's change, then a tap on submit): only the latest says how it went.
    let attempts = StoredValue::new(0u32);
    let save = move |then_submit: bool| {
        let locale_now = locale.get_untracked();
        attempts.update_value(|a| *a += 1);
        let attempt = attempts.get_value();
        let report = move |outcome: Result<String, String>| {
            if attempts.get_value() == attempt {
                status.set(Some(outcome));
            }
        };
        let mut fields = match fields() {
            Ok(f) => f,
            Err(problem) => {
                field_error.set(Some(problem));
                return;
            }
        };
        field_error.set(None);
        let sent: Vec<(String, Value)> = fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let op = if created.get_untracked() {
            let fields = changed_fields(&saved.get_value(), fields);
            if fields.is_empty() && !then_submit {
                return;
            }
            Operation::new("project", &key.get_value(), OpKind::Set { fields }, stamp())
        } else {
            // Later saves are queued behind this one, so they may already set fields.
            created.set(true);
            fields.insert("branch".into(), json!(user.branch.clone().unwrap_or_default()));
            if let Some(c) = &from {
                fields.insert("catalog_entry".into(), json!(c.key));
            }
            Operation::new("project", &key.get_value(), OpKind::Create { fields }, stamp())
        };
        let navigate = navigate.clone();
        let is_create = matches!(op.kind, OpKind::Create { .. });
        let empty = matches!(&op.kind, OpKind::Set { fields } if fields.is_empty());
        leptos::task::spawn_local(async move {
            let outcome = if empty { Ok(Submitted::Accepted) } else { submit(op, locale_now).await };
            match outcome {
                Ok(how) => {
                    saved.update_value(|s| s.extend(sent));
                    if then_submit {
                        let op = Operation::new("project", &key.get_value(), OpKind::Transition { to: "submitted".into(), note: None }, stamp());
                        match submit(op, locale_now).await {
                            Ok(_) => navigate(&format!("/projects/{}", key.get_value()), Default::default()),
                            Err(message) => report(Err(message)),
                        }
                    } else {
                        let text = if how == Submitted::Queued { Msg::SavedOnDevice } else { Msg::DraftSaved };
                        report(Ok(t(locale_now, text).into()));
                    }
                }
                Err(message) => {
                    if is_create {
                        created.set(false);
                    }
                    report(Err(message))
                }
            }
        });
    };
    let save_on_change = save.clone();
    let save_and_submit = save.clone();
    let error_for = move |field: &'static str| move || field_error.get().filter(|(f, _)| f == field).map(|(_, m)| m);
    view! {
        {(!catalog_for_picker.is_empty() && existing.is_none()).then(|| view! {
            <details class="panel catalog-picker">
                <summary><Tr m=Msg::FromCatalog/></summary>
                <ul role="list" class="catalog-list">
                    {catalog_for_picker.into_iter().map(|c| { let cat = c.category; view! {
                        <li><a href=format!("/projects/new?catalog={}", c.key)>{c.title.clone()}</a>" "<span class="badge">{move || category_name(locale.get(), cat)}</span><p class="muted">{c.description.clone()}</p></li>
                    } }).collect_view()}
                </ul>
            </details>
        })}
        <form class="form declare" on:submit=move |ev| { ev.prevent_default(); save(false) } on:change=move |_| save_on_change(false)>
            <label for="p-title"><Tr m=Msg::ProjectTitle/></label>
            <input id="p-title" required maxlength="60" bind:value=title/>
            <div class="row">
                <label><span><Tr m=Msg::Category/></span>
                    <select bind:value=category>
                        {Category::ALL.into_iter().map(|c| view! { <option value=c.code()>{move || category_name(locale.get(), c)}</option> }).collect_view()}
                    </select>
                </label>
                <label><span><Tr m=Msg::Tier/></span>
                    <select bind:value=tier>
                        {Tier::ALL.into_iter().map(|x| view! { <option value=x.code()>{move || tier_name(locale.get(), x)}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <fieldset>
                <legend><Tr m=Msg::Principles/></legend>
                <PrincipleChecks principles/>
            </fieldset>
            <label for="p-goals"><Tr m=Msg::Goals/></label>
            <textarea id="p-goals" rows="3" bind:value=goals></textarea>
            <div class="row">
                <label><span><Tr m=Msg::Start/></span><input type="date" bind:value=starts_on/></label>
                <label><span><Tr m=Msg::End/></span><input type="date" bind:value=ends_on/></label>
                <label><span><Tr m=Msg::Year/></span><input id="p-year" type="number" min="2000" max="2100" inputmode="numeric"
                    prop:value=year_shown aria-describedby="p-year-error"
                    on:input=move |ev| year_typed.set(Some(event_target_value(&ev)))/></label>
            </div>
            <p id="p-year-error" class="form-error field-error" role="alert">{error_for("year")}</p>
            <h2>"1+5"</h2>
            <label for="p-liaison"><Tr m=Msg::LiaisonLeader/></label>
            <select id="p-liaison" bind:value=liaison>
                <option value="">{move || t(locale.get(), Msg::Choose)}</option>
                {leaders.into_iter().map(|l| view! { <option value=l.key.clone()>{l.name.clone()}</option> }).collect_view()}
            </select>
            <label for="p-responsible"><Tr m=Msg::Responsible/></label>
            <input id="p-responsible" maxlength="20" bind:value=responsible/>
            <label for="p-budget"><Tr m=Msg::Budget/></label>
            <input id="p-budget" inputmode="decimal" bind:value=budget aria-describedby="p-budget-error"/>
            <p id="p-budget-error" class="form-error field-error" role="alert">{error_for("budget_fen")}</p>
            <label for="p-source"><Tr m=Msg::BudgetSource/></label>
            <input id="p-source" maxlength="60" bind:value=budget_source/>
            <label for="p-team"><Tr m=Msg::Team/></label>
            <textarea id="p-team" rows="3" bind:value=team aria-describedby="p-team-hint"></textarea>
            <p id="p-team-hint" class="hint"><Tr m=Msg::TeamHint/></p>
            <label for="p-indicators"><Tr m=Msg::Indicators/></label>
            <textarea id="p-indicators" rows="3" bind:value=indicators aria-describedby="p-indicators-hint"></textarea>
            <p id="p-indicators-hint" class="hint"><Tr m=Msg::IndicatorHint/></p>
            <p class="form-error field-error" role="alert">{error_for("indicators")}</p>
            <div class="moves">
                <button type="submit" class="secondary"><Tr m=Msg::SaveDraft/></button>
                <button type="button" class="primary" on:click=move |_| save_and_submit(true)><Tr m=Msg::SubmitProject/></button>
            </div>
            // Below the buttons, so that a message appearing never moves them under a finger.
            <StatusLine status/>
        </form>
    }
}

/// `/dashboard`: the street's year at a glance; every number opens the filtered board.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let year = move || query.read().get("year").and_then(|y| y.parse().ok()).unwrap_or_else(this_year);
    let data = Resource::new(year, get_dashboard);
    view! {
        <Title text=t(locale.get_untracked(), Msg::Dashboard)/>
        <Shell>
            <section class="page">
                <h1><Tr m=Msg::Dashboard/>" "{year}</h1>
                <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                    {move || data.get().map(|result| match result {
                        Ok(d) => view! { <DashboardView d/> }.into_any(),
                        Err(error) => view! { <ErrorView error retry=move |_| data.refetch()/> }.into_any(),
                    })}
                </Transition>
            </section>
        </Shell>
    }
}

#[component]
fn DashboardView(d: Dashboard) -> impl IntoView {
    let locale = use_locale();
    let y = d.year;
    let bars = |rows: Vec<(String, String, usize)>| {
        let max = rows.iter().map(|r| r.2).max().unwrap_or(1).max(1);
        view! {
            <ul class="bars" role="list">
                {rows.into_iter().map(|(label, href, n)| view! {
                    <li><a href=href><span class="bar-label">{label}</span><span class="bar"><span style=format!("width:{}%", n * 100 / max)></span></span><span class="bar-n">{n}</span></a></li>
                }).collect_view()}
            </ul>
        }
    };
    let l = locale.get_untracked();
    let by_category = d.by_category.iter().map(|(c, n)| (category_name(l, *c).to_string(), format!("/projects?year={y}&category={}", c.code()), *n)).collect();
    let by_tier = d.by_tier.iter().map(|(c, n)| (tier_name(l, *c).to_string(), format!("/projects?year={y}&tier={}", c.code()), *n)).collect();
    let by_status = d.by_status.iter().map(|(c, n)| (status_name(l, *c).to_string(), format!("/projects?year={y}&status={}", c.code()), *n)).collect();
    let by_branch = d.by_branch.iter().map(|(k, name, filed, _)| (name.clone(), format!("/projects?year={y}&branch={k}"), *filed)).collect();
    view! {
        <dl class="stats">
            <div class="stat"><dt><a href=format!("/projects?year={y}")><Tr m=Msg::AllProjects/></a></dt><dd>{d.total}</dd></div>
            <div class="stat"><dt><a href=format!("/projects?year={y}&filed=1")><Tr m=Msg::FiledProjects/></a></dt><dd data-testid="filed-count">{d.filed}</dd></div>
            <div class="stat"><dt><a href=format!("/projects?year={y}&nominated=1")><Tr m=Msg::NominatedProjects/></a></dt><dd data-testid="nominated-count">{d.nominated}</dd></div>
            <div class="stat"><dt><a href=format!("/projects?year={y}&queue=1")><Tr m=Msg::ReviewQueue/></a></dt><dd data-testid="waiting-count">{d.waiting}</dd></div>
        </dl>
        {(use_user().role == Role::StreetStaff).then(|| view! { <QuotaForm year=y quota=d.quota stored=d.quota_stored nominated=d.nominated/> })}
        <p class="moves">
            <a class="button secondary" rel="external" download href=format!("/api/export/register.xlsx?year={y}")><Tr m=Msg::ExportRegister/></a>
            <a class="button secondary" rel="external" download href=format!("/api/export/nominations.xlsx?year={y}")><Tr m=Msg::ExportNominations/></a>
        </p>
        <div class="charts">
            <section class="panel"><h2><Tr m=Msg::ByCategory/></h2>{bars(by_category)}</section>
            <section class="panel"><h2><Tr m=Msg::ByTier/></h2>{bars(by_tier)}</section>
            <section class="panel"><h2><Tr m=Msg::ByStatus/></h2>{bars(by_status)}</section>
            <section class="panel"><h2><Tr m=Msg::FiledByBranch/></h2>{bars(by_branch)}</section>
        </div>
    }
}

/// The street sets how many projects it may nominate to the district this year.
#[component]
fn QuotaForm(year: i64, quota: u32, stored: bool, nominated: usize) -> impl IntoView {
    let locale = use_locale();
    let value = RwSignal::new(quota.to_string());
    let stored = RwSignal::new(stored);
    let status = RwSignal::new(None::<Result<String, String>>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale_now = locale.get_untracked();
        let Ok(n) = value.get_untracked().trim().parse::<u32>() else {
            status.set(Some(Err(crate::i18n::reason_message(locale_now, &crate::domain::ops::Reason::InvalidValue { field: "nomination_quota".into() }))));
            return;
        };
        let fields = BTreeMap::from([("nomination_quota".to_string(), json!(n))]);
        let kind = if stored.get_untracked() { OpKind::Set { fields } } else { OpKind::Create { fields } };
        let op = Operation::new("street_year", &year.to_string(), kind, stamp());
        leptos::task::spawn_local(async move {
            let result = submit(op, locale_now).await;
            if result.is_ok() {
                stored.set(true);
            }
            status.set(Some(result.map(|_| t(locale_now, Msg::Saved).to_string())));
        });
    };
    view! {
        <form class="quota" on:submit=save>
            <label for="quota"><Tr m=Msg::NominationQuota/></label>
            <input id="quota" type="number" min="0" max="100" inputmode="numeric" bind:value=value/>
            <span class="muted">{move || format!("{} {nominated}", t(locale.get(), Msg::NominatedSoFar))}</span>
            <button type="submit" class="secondary small"><Tr m=Msg::Save/></button>
            {move || match status.get() {
                Some(Ok(text)) => view! { <span class="form-ok" role="status">{text}</span> }.into_any(),
                Some(Err(text)) => view! { <span class="form-error" role="alert">{text}</span> }.into_any(),
                None => view! { <span role="status"></span> }.into_any(),
            }}
        </form>
    }
}

/// The five principles as checkboxes.
#[component]
pub(super) fn PrincipleChecks(principles: RwSignal<Vec<Principle>>) -> impl IntoView {
    let locale = use_locale();
    Principle::ALL.into_iter().map(|p| view! {
        <label class="check">
            <input type="checkbox" prop:checked=move || principles.get().contains(&p)
                on:change=move |_| principles.update(|list| if let Some(i) = list.iter().position(|x| *x == p) { list.remove(i); } else { list.push(p); })/>
            {move || principle_name(locale.get(), p)}
        </label>
    }).collect_view()
}

/// An amount in fen as yuan with thousands separators: 5000000 → "50,000.00".
fn yuan(fen: i64) -> String {
    let whole = (fen / 100).abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{}{grouped}.{:02}", if fen < 0 { "-" } else { "" }, (fen % 100).abs())
}

#[cfg(test)]
mod tests {
    #[test]
    fn yuan_groups_thousands() {
        for (fen, text) in [(0, "0.00"), (5, "0.05"), (123_456, "1,234.56"), (5_000_000, "50,000.00"), (100_000_000_00, "100,000,000.00"), (-150, "-1.50")] {
            assert_eq!(super::yuan(fen), text);
        }
    }
}
