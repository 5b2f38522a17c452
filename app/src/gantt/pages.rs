//! `/gantt/:project`: a project's plan (the chart, the task editor, links, export) and
//! `/gantt`: the street's programme of every filed project on one timeline.

use super::chart::{short_date, GanttChart, Gesture, Mode, Zoom};
use super::queries::{get_plan, get_programme, PlanData, Programme};
use crate::domain::gantt::{duration_between, shift, Plan, PlanTask, LINK_TABLE, TASK_TABLE};
use crate::domain::ops::{OpKind, Operation};
use crate::domain::projects::Category;
use crate::domain::time::parse_date;
use crate::error::ErrorView;
use crate::i18n::{category_name, gantt_problem, t, use_locale, Locale, Msg, Tr};
use crate::sync::{stamp, submit, use_sync};
use crate::ui::{Shell, StatusLine};
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::{json, Map, Value};

#[component]
pub fn GanttPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let sync = use_sync();
    let key = move || params.read().get("project").unwrap_or_default();
    let server = Resource::new(key, get_plan);
    // The device's copy (with changes not yet sent), read after hydration and whenever
    // the local store changes; `None` on the server, so the first render matches.
    let local = RwSignal::new(None::<PlanData>);
    Effect::new(move |_| {
        sync.changes.track();
        let key = key();
        let base = server.get_untracked().and_then(Result::ok);
        leptos::task::spawn_local(async move {
            let found = local_plan(&key, base).await;
            if found.is_some() && local.get_untracked() != found {
                local.set(found);
            }
        });
    });
    view! {
        <Shell>
            <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                {move || server.get().map(|result| match result {
                    Ok(initial) => view! { <PlanView initial local/> }.into_any(),
                    Err(e) => match local.get() {
                        Some(initial) => view! { <PlanView initial local/> }.into_any(),
                        None => {
                            let text = if sync.online.get() { e.message(locale.get()) } else { t(locale.get(), Msg::OfflineNotHeld).to_string() };
                            view! { <section class="page"><p class="form-error" role="alert">{text}</p></section> }.into_any()
                        }
                    },
                })}
            </Transition>
        </Shell>
    }
}

/// The plan as this device holds it: the server's copy with queued changes laid over.
async fn local_plan(project: &str, base: Option<PlanData>) -> Option<PlanData> {
    use crate::sync::{local_record, local_records};
    let tasks = local_records(TASK_TABLE).await;
    let links = local_records(LINK_TABLE).await;
    let ours = |fields: &Map<String, Value>| fields.get("project").and_then(Value::as_str) == Some(project);
    let tasks: Vec<PlanTask> = tasks.iter().filter(|r| ours(&r.fields)).filter_map(|r| PlanTask::from_fields(&r.key, &r.fields)).collect();
    let links = links.iter().filter(|r| ours(&r.fields)).filter_map(|r| crate::domain::gantt::PlanLink::from_fields(&r.key, &r.fields)).collect();
    let days = local_records(crate::domain::gantt::CALENDAR_TABLE).await;
    let pick =
        |kind: &str| days.iter().filter(|d| d.fields.get("kind").and_then(Value::as_str) == Some(kind)).filter_map(|d| parse_date(&d.key)).collect::<Vec<_>>();
    let record = local_record("project", project).await?;
    let text = |name: &str| record.fields.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    let base = base.filter(|b| b.project == project);
    // Offline with nothing from the server: editable as the signed-in person may.
    let user_editable = base.as_ref().map(|b| b.editable).unwrap_or(false);
    Some(PlanData {
        project: project.to_string(),
        title: text("title"),
        branch_name: base.as_ref().map(|b| b.branch_name.clone()).unwrap_or_default(),
        branch: text("branch"),
        status: record
            .fields
            .get("status")
            .and_then(Value::as_str)
            .and_then(crate::domain::projects::Status::from_code)
            .unwrap_or(crate::domain::projects::Status::Draft),
        ends_on: parse_date(&text("ends_on")),
        editable: user_editable,
        tasks,
        links,
        holidays: pick("holiday"),
        makeup_days: pick("workday"),
        today: base.map(|b| b.today).unwrap_or_else(device_today),
    })
}

/// Today in the street's time zone (UTC+8), by the device's clock.
fn device_today() -> NaiveDate {
    crate::domain::time::date_from_ms(stamp().ms as i64)
}

/// A menu opened by a long press.
#[derive(Clone, Debug, PartialEq)]
struct Menu {
    task: String,
    x: f64,
    y: f64,
}

#[component]
fn PlanView(initial: PlanData, local: RwSignal<Option<PlanData>>) -> impl IntoView {
    let locale = use_locale();
    let data = Memo::new(move |_| local.get().unwrap_or_else(|| initial.clone()));
    let plan = Memo::new(move |_| data.with(PlanData::plan));
    let info = data.get_untracked();
    let today = info.today;
    let editable = info.editable;
    let zoom = RwSignal::new(Zoom::Week);
    let selected = RwSignal::new(None::<String>);
    let linking = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<Result<String, String>>);
    let menu = RwSignal::new(None::<Menu>);
    let project = StoredValue::new((info.project.clone(), info.branch.clone()));

    // Saves a change as an operation, after the same check the server makes.
    let save = move |table: &'static str, key: String, fields: Map<String, Value>, create: bool| {
        let locale = locale.get_untracked();
        let mut check = plan.get_untracked();
        check.apply(table, &key, &fields);
        let touched: Vec<&str> = if table == TASK_TABLE { vec![key.as_str()] } else { vec![] };
        if let Err(problem) = check.check(&touched, today) {
            status.set(Some(Err(gantt_problem(locale, &problem))));
            return;
        }
        let mut fields = fields;
        if create {
            let (p, b) = project.get_value();
            fields.insert("project".into(), json!(p));
            fields.insert("branch".into(), json!(b));
        }
        let fields = fields.into_iter().collect();
        let kind = if create { OpKind::Create { fields } } else { OpKind::Set { fields } };
        let op = Operation::new(table, &key, kind, stamp());
        leptos::task::spawn_local(async move {
            status.set(Some(submit(op, locale).await.map(|done| done.message(locale))));
        });
    };
    let on_gesture = Callback::new(move |gesture: Gesture| match gesture {
        Gesture::Select(task) => {
            menu.set(None);
            selected.set(Some(task));
        }
        Gesture::Changed { task, mode, days } => {
            let p = plan.get_untracked();
            let Some(current) = p.tasks.iter().find(|t| t.key == task) else { return };
            let mut fields = Map::new();
            match mode {
                Mode::Move => fields.insert("start".into(), json!(shift(&p.calendar, current.start, days).to_string())),
                _ => fields.insert("duration".into(), json!((current.duration + days).max(1))),
            };
            selected.set(Some(task.clone()));
            save(TASK_TABLE, task, fields, false);
        }
        Gesture::Link { from, to } => {
            let mut fields = Map::new();
            fields.insert("from".into(), json!(from));
            fields.insert("to".into(), json!(to));
            fields.insert("lag".into(), json!(0));
            save(LINK_TABLE, new_key(), fields, true);
        }
        Gesture::Menu { task, x, y } => {
            selected.set(Some(task.clone()));
            menu.set(Some(Menu { task, x, y }));
        }
        Gesture::Refused(message) => status.set(Some(Err(message))),
    });
    let add_task = move |_| {
        let p = plan.get_untracked();
        let after = selected.get_untracked().and_then(|k| p.lay_out(today).ok()?.into_iter().find(|l| l.key == k));
        let start = match &after {
            Some(l) => shift(&p.calendar, l.finish, 1),
            None => shift(&p.calendar, today.max(p.tasks.iter().map(|t| t.start).min().unwrap_or(today)), 0),
        };
        let key = new_key();
        let mut fields = Map::new();
        fields.insert("name".into(), json!(format!("{} {}", t(locale.get_untracked(), Msg::GanttNewTask), p.tasks.len() + 1)));
        fields.insert("start".into(), json!(start.to_string()));
        fields.insert("duration".into(), json!(3));
        fields.insert("sort".into(), json!(p.tasks.iter().map(|t| t.sort).max().unwrap_or(0) + 1));
        let parent = selected.get_untracked().and_then(|k| p.tasks.iter().find(|t| t.key == k).and_then(|t| t.parent.clone()));
        if let Some(parent) = parent {
            fields.insert("parent".into(), json!(parent));
        }
        save(TASK_TABLE, key.clone(), fields, true);
        selected.set(Some(key));
    };
    // The task in the editor follows the plan (a drag, another device's change) until the
    // person types into it; from then on it holds what they typed until they save.
    let dirty = RwSignal::new(false);
    Effect::new(move |_| {
        selected.track();
        dirty.set(false);
    });
    let editing = Memo::new(move |previous: Option<&Option<PlanTask>>| {
        let key = selected.get()?;
        if dirty.get() {
            if let Some(Some(kept)) = previous.filter(|p| p.as_ref().is_some_and(|t| t.key == key)) {
                return Some(kept.clone());
            }
        }
        plan.with(|p| p.tasks.iter().find(|t| t.key == key).cloned())
    });
    let export = format!("/api/export/gantt/{}.xlsx", info.project);
    let counts = Memo::new(move |_| {
        let laid = plan.with(|p| p.lay_out(today).unwrap_or_default());
        let critical = laid.iter().filter(|l| l.critical).count();
        let late = laid.iter().filter(|l| l.slack < 0).count();
        let overdue = laid.iter().filter(|l| l.overdue).count();
        (laid.len(), critical, late, overdue)
    });
    view! {
        <Title text=info.title.clone()/>
        <section class="page gantt-page">
            <p class="crumbs">
                <a href="/gantt"><Tr m=Msg::GanttProgramme/></a>" · "
                <a href=format!("/projects/{}", info.project)>{info.title.clone()}</a>
            </p>
            <header class="page-head">
                <h1>{info.title.clone()}<span class="muted">" · "<Tr m=Msg::GanttPlan/></span></h1>
                <span class="badge">{info.branch_name.clone()}</span>
            </header>
            <dl class="stats gantt-stats">
                <div class="stat"><dt><Tr m=Msg::GanttTasks/></dt><dd>{move || counts.get().0}</dd></div>
                <div class="stat"><dt><Tr m=Msg::GanttCritical/></dt><dd>{move || counts.get().1}</dd></div>
                <div class="stat"><dt><Tr m=Msg::GanttLate/></dt><dd>{move || counts.get().2}</dd></div>
                <div class="stat"><dt><Tr m=Msg::GanttOverdue/></dt><dd>{move || counts.get().3}</dd></div>
            </dl>
            <div class="gantt-toolbar" role="toolbar" aria-label=move || t(locale.get(), Msg::GanttZoom)>
                {[(Zoom::Day, Msg::GanttDay), (Zoom::Week, Msg::GanttWeek), (Zoom::Month, Msg::GanttMonth)].into_iter().map(|(z, m)| view! {
                    <button type="button" class="secondary" aria-pressed=move || (zoom.get() == z).to_string() on:click=move |_| zoom.set(z)><Tr m=m/></button>
                }).collect_view()}
                {editable.then(|| view! { <button type="button" class="primary" on:click=add_task><Tr m=Msg::GanttAddTask/></button> })}
                <a class="button secondary" href=export download><Tr m=Msg::GanttExport/></a>
            </div>
            <p class="hint">{move || t(locale.get(), if editable { Msg::GanttHowTo } else { Msg::GanttReadOnly })}</p>
            {move || linking.get().map(|_| view! {
                <p class="notice" role="status"><Tr m=Msg::GanttPickTarget/>" "
                    <button type="button" class="secondary" on:click=move |_| linking.set(None)><Tr m=Msg::Cancel/></button>
                </p>
            })}
            <StatusLine status/>
            <div class="gantt-legend" aria-hidden="true">
                <span class="key critical"></span><Tr m=Msg::GanttCritical/>
                <span class="key baseline"></span><Tr m=Msg::GanttBaseline/>
                <span class="key today"></span><Tr m=Msg::GanttToday/>
            </div>
            <GanttChart plan today zoom selected editable on_gesture linking/>
            {move || menu.get().map(|m| {
                let task = m.task.clone();
                let (t1, t2, t3) = (task.clone(), task.clone(), task.clone());
                view! {
                    <div class="gantt-menu" role="menu" style=format!("left:{}px;top:{}px", m.x.min(260.0), m.y)>
                        <button type="button" role="menuitem" on:click=move |_| { menu.set(None); focus_editor(); }><Tr m=Msg::Edit/></button>
                        <button type="button" role="menuitem" on:click=move |_| { menu.set(None); linking.set(Some(t1.clone())); }><Tr m=Msg::GanttLinkFrom/></button>
                        <button type="button" role="menuitem" on:click=move |_| {
                            menu.set(None);
                            let mut f = Map::new();
                            f.insert("progress".into(), json!(100));
                            f.insert("actual_finish".into(), json!(today.to_string()));
                            save(TASK_TABLE, t2.clone(), f, false);
                        }><Tr m=Msg::GanttMarkDone/></button>
                        <button type="button" role="menuitem" class="danger" on:click=move |_| {
                            menu.set(None);
                            let mut f = Map::new();
                            f.insert("removed".into(), json!(true));
                            save(TASK_TABLE, t3.clone(), f, false);
                        }><Tr m=Msg::GanttRemove/></button>
                        <button type="button" role="menuitem" on:click=move |_| menu.set(None)><Tr m=Msg::Cancel/></button>
                    </div>
                }
            })}
            {move || editing.get().map(|task| {
                view! { <TaskEditor task plan editable today dirty save=Callback::new(move |(table, key, fields, create): (&'static str, String, Map<String, Value>, bool)| save(table, key, fields, create))/> }
            })}
        </section>
    }
}

fn focus_editor() {
    if let Some(input) = document().get_element_by_id("task-name") {
        use leptos::wasm_bindgen::JsCast;
        if let Ok(input) = input.dyn_into::<leptos::web_sys::HtmlElement>() {
            let _ = input.focus();
        }
    }
}

fn new_key() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// Every field of the selected task, for people who do not drag; its links too.
#[component]
fn TaskEditor(
    task: PlanTask,
    plan: Memo<Plan>,
    editable: bool,
    today: NaiveDate,
    dirty: RwSignal<bool>,
    save: Callback<(&'static str, String, Map<String, Value>, bool)>,
) -> impl IntoView {
    let locale = use_locale();
    let key = StoredValue::new(task.key.clone());
    let calendar = plan.with_untracked(|p| p.calendar.clone());
    let finish = shift(&calendar, task.start, (task.duration - 1).max(0));
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let name = RwSignal::new(task.name.clone());
    let owner = RwSignal::new(task.owner.clone());
    let start = RwSignal::new(task.start.to_string());
    let end = RwSignal::new(finish.to_string());
    let duration = RwSignal::new(task.duration.to_string());
    let actual_start = RwSignal::new(date(task.actual_start));
    let actual_finish = RwSignal::new(date(task.actual_finish));
    let progress = RwSignal::new(task.progress.to_string());
    let notes = RwSignal::new(task.notes.clone());
    let parent = RwSignal::new(task.parent.clone().unwrap_or_default());
    let milestone = RwSignal::new(task.milestone);
    let predecessor = RwSignal::new(String::new());
    let lag = RwSignal::new("0".to_string());
    let problem = RwSignal::new(None::<String>);
    let original = StoredValue::new(task.clone());
    // An end date typed becomes a length in working days.
    let on_end = move |value: String| {
        end.set(value.clone());
        if let (Some(s), Some(e)) = (parse_date(&start.get_untracked()), parse_date(&value)) {
            match duration_between(&calendar, s, e) {
                Some(days) => duration.set(days.to_string()),
                None => duration.set("0".into()),
            }
        }
    };
    let submit_form = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let before = original.get_value();
        let mut fields = Map::new();
        let typed_days = duration.get_untracked().trim().parse::<i64>();
        let Ok(days) = typed_days else {
            problem.set(Some(crate::i18n::reason_message(locale.get_untracked(), &crate::domain::ops::Reason::InvalidValue { field: "duration".into() })));
            return;
        };
        let Some(start_day) = parse_date(&start.get_untracked()) else {
            problem.set(Some(crate::i18n::reason_message(locale.get_untracked(), &crate::domain::ops::Reason::InvalidValue { field: "start".into() })));
            return;
        };
        let Some(percent) = progress.get_untracked().trim().parse::<i64>().ok().filter(|p| (0..=100).contains(p)) else {
            problem.set(Some(crate::i18n::reason_message(locale.get_untracked(), &crate::domain::ops::Reason::InvalidValue { field: "progress".into() })));
            return;
        };
        let mut put = |name: &str, value: Value, old: Value| {
            if value != old {
                fields.insert(name.to_string(), value);
            }
        };
        put("name", json!(name.get_untracked().trim()), json!(before.name));
        put("owner", json!(owner.get_untracked().trim()), json!(before.owner));
        put("start", json!(start_day.to_string()), json!(before.start.to_string()));
        put("milestone", json!(milestone.get_untracked()), json!(before.milestone));
        put("duration", json!(if milestone.get_untracked() { 0 } else { days }), json!(before.duration));
        put("actual_start", json!(actual_start.get_untracked()), json!(date(before.actual_start)));
        put("actual_finish", json!(actual_finish.get_untracked()), json!(date(before.actual_finish)));
        put("progress", json!(percent), json!(before.progress));
        put("notes", json!(notes.get_untracked().trim()), json!(before.notes));
        let parent_value = parent.get_untracked();
        put("parent", if parent_value.is_empty() { Value::Null } else { json!(parent_value) }, before.parent.clone().map(Value::String).unwrap_or(Value::Null));
        problem.set(None);
        dirty.set(false);
        if !fields.is_empty() {
            save.run((TASK_TABLE, key.get_value(), fields, false));
        }
    };
    let add_link = move |_| {
        let from = predecessor.get_untracked();
        if from.is_empty() {
            return;
        }
        let mut fields = Map::new();
        fields.insert("from".into(), json!(from));
        fields.insert("to".into(), json!(key.get_value()));
        fields.insert("lag".into(), json!(lag.get_untracked().trim().parse::<i64>().unwrap_or(0)));
        save.run((LINK_TABLE, new_key(), fields, true));
    };
    let others = move || plan.with(|p| p.tasks.iter().filter(|t| t.key != key.get_value()).map(|t| (t.key.clone(), t.name.clone())).collect::<Vec<_>>());
    let predecessors = move || {
        plan.with(|p| {
            p.links
                .iter()
                .filter(|l| l.to == key.get_value())
                .map(|l| (l.key.clone(), p.tasks.iter().find(|t| t.key == l.from).map(|t| t.name.clone()).unwrap_or_default(), l.lag))
                .collect::<Vec<_>>()
        })
    };
    let laid = move || plan.with(|p| p.lay_out(today).ok().and_then(|l| l.into_iter().find(|l| l.key == key.get_value())));
    view! {
        <form class="panel task-editor" novalidate on:submit=submit_form on:input=move |_| dirty.set(true) on:change=move |_| dirty.set(true) aria-labelledby="task-editor-title">
            <h2 id="task-editor-title"><Tr m=Msg::GanttEditTask/></h2>
            {move || laid().map(|l| view! {
                <p class="muted">
                    {format!("{}–{} · ", short_date(l.start), short_date(l.finish))}
                    <Tr m=Msg::GanttSlack/>{format!(" {} ", l.slack)}
                    {l.critical.then(|| view! { <span class="badge critical"><Tr m=Msg::GanttCritical/></span> })}
                </p>
            })}
            <fieldset disabled=!editable>
                <div class="form-grid">
                    <label><Tr m=Msg::GanttTaskName/><input id="task-name" required maxlength="60" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
                    <label><Tr m=Msg::GanttOwner/><input maxlength="20" prop:value=owner on:input=move |ev| owner.set(event_target_value(&ev))/></label>
                    <label><Tr m=Msg::GanttStart/><input type="date" name="start" prop:value=start on:input=move |ev| start.set(event_target_value(&ev))/></label>
                    <label><Tr m=Msg::GanttDuration/><input type="number" name="duration" min="0" max="2000" prop:value=duration on:input=move |ev| duration.set(event_target_value(&ev))/></label>
                    <label><Tr m=Msg::GanttEnd/><input type="date" name="end" prop:value=end on:change=move |ev| on_end(event_target_value(&ev))/></label>
                    <label><Tr m=Msg::GanttProgress/><input type="number" name="progress" min="0" max="100" prop:value=progress on:input=move |ev| progress.set(event_target_value(&ev))/></label>
                    <label><Tr m=Msg::GanttActualStart/><input type="date" prop:value=actual_start on:input=move |ev| actual_start.set(event_target_value(&ev))/></label>
                    <label><Tr m=Msg::GanttActualFinish/><input type="date" prop:value=actual_finish on:input=move |ev| actual_finish.set(event_target_value(&ev))/></label>
                    <label><Tr m=Msg::GanttParent/>
                        <select prop:value=parent on:change=move |ev| parent.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {move || others().into_iter().map(|(k, n)| view! { <option value=k.clone() selected=parent.get_untracked() == k>{n}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="check"><input type="checkbox" prop:checked=milestone on:change=move |ev| milestone.set(event_target_checked(&ev))/><Tr m=Msg::GanttMilestone/></label>
                </div>
                <label><Tr m=Msg::GanttNotes/><textarea maxlength="500" prop:value=notes on:input=move |ev| notes.set(event_target_value(&ev))></textarea></label>
                <p class="form-error" role="alert">{move || problem.get()}</p>
                <button type="submit" class="primary"><Tr m=Msg::Save/></button>
                <h3><Tr m=Msg::GanttPredecessors/></h3>
                <ul class="plain">
                    {move || predecessors().into_iter().map(|(link, name, lag)| {
                        let remove = move |_| {
                            let mut f = Map::new();
                            f.insert("removed".into(), json!(true));
                            save.run((LINK_TABLE, link.clone(), f, false));
                        };
                        view! { <li>{name}{(lag != 0).then(|| format!(" (+{lag})"))}" "<button type="button" class="secondary" on:click=remove><Tr m=Msg::GanttRemove/></button></li> }
                    }).collect_view()}
                </ul>
                <div class="inline-form">
                    <label><Tr m=Msg::GanttAddPredecessor/>
                        <select name="predecessor" prop:value=predecessor on:change=move |ev| predecessor.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {move || others().into_iter().map(|(k, n)| view! { <option value=k>{n}</option> }).collect_view()}
                        </select>
                    </label>
                    <label><Tr m=Msg::GanttLag/><input type="number" min="-30" max="250" prop:value=lag on:input=move |ev| lag.set(event_target_value(&ev))/></label>
                    <button type="button" class="secondary" on:click=add_link><Tr m=Msg::GanttAddLink/></button>
                </div>
            </fieldset>
        </form>
    }
}

/// `/gantt`: every filed project of every branch on one timeline, grouped by branch.
#[component]
pub fn ProgrammePage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        (q.get("branch").filter(|b| !b.is_empty()), q.get("category").and_then(|c| serde_json::from_value::<Category>(json!(c)).ok()))
    };
    let data = Resource::new(filter, |(branch, category)| get_programme(branch, category));
    view! {
        <Shell>
            <Title text=t(locale.get_untracked(), Msg::GanttProgramme)/>
            <section class="page">
                <h1><Tr m=Msg::GanttProgramme/></h1>
                <p class="lead"><Tr m=Msg::GanttProgrammeLead/>" "<a href="/gantt/calendar"><Tr m=Msg::WorkCalendar/></a></p>
                <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                    {move || data.get().map(|result| match result {
                        Ok(programme) => view! { <ProgrammeView programme/> }.into_any(),
                        Err(error) => view! { <ErrorView error retry=move |_| data.refetch()/> }.into_any(),
                    })}
                </Transition>
            </section>
        </Shell>
    }
}

/// Width of a month on the programme's axis, and room for the widest month's and year's
/// names ("12月", "Sep"; "2026年").
const PROGRAMME_MONTH: f64 = 60.0;
const PROGRAMME_MONTH_LABEL: f64 = 34.0;
const PROGRAMME_YEAR_LABEL: f64 = 48.0;
const PROGRAMME_AXIS: f64 = 40.0;

fn programme_month(locale: Locale, month: u32) -> String {
    match locale {
        Locale::ZhCn => format!("{month}月"),
        Locale::En => NaiveDate::from_ymd_opt(2026, month, 1).map(|d| d.format("%b").to_string()).unwrap_or_default(),
    }
}

fn programme_year(locale: Locale, year: i32) -> String {
    match locale {
        Locale::ZhCn => format!("{year}年"),
        Locale::En => year.to_string(),
    }
}

#[component]
fn ProgrammeView(programme: Programme) -> impl IntoView {
    let locale = use_locale();
    let Programme { rows, today, branches } = programme;
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let last = rows.iter().filter_map(|r| r.finish.max(r.ends_on)).max().unwrap_or(today).max(today);
    let months = ((last.year() - year_start.year()) * 12 + last.month() as i32).max(12) as u32;
    let px = PROGRAMME_MONTH;
    let width = months as f64 * px;
    let x = move |d: NaiveDate| ((d.year() - year_start.year()) * 12 + d.month0() as i32) as f64 * px + (d.day0() as f64 / 31.0) * px;
    let mut groups: Vec<(String, Vec<super::queries::ProgrammeRow>)> = Vec::new();
    for row in rows {
        match groups.last_mut() {
            Some((name, list)) if *name == row.branch_name => list.push(row),
            _ => groups.push((row.branch_name.clone(), vec![row])),
        }
    }
    let latest = groups.iter().flat_map(|(_, l)| l.iter()).filter_map(|r| r.finish).max();
    // The axis has years above months, so no name runs into the next; the month and year
    // at the left edge of a scrolled view are named there whole, over their own labels
    // that the title column cuts.
    let scroll_left = RwSignal::new(0.0f64);
    let scroller = NodeRef::<leptos::html::Div>::new();
    // Opened scrolled to today, a third of the way across the timeline's view.
    Effect::new(move |_| {
        let Some(element) = scroller.get() else { return };
        let at = x(today);
        request_animation_frame(move || {
            let element: &leptos::web_sys::Element = &element;
            let column = element.query_selector(".programme-header > span").ok().flatten().map(|c| f64::from(c.client_width())).unwrap_or(0.0);
            let view = f64::from(element.client_width()) - column;
            element.set_scroll_left((at - view / 3.0).max(0.0).round() as i32);
        });
    });
    let axis = move || {
        let locale = locale.get();
        (0..months)
            .map(|m| {
                let (year, month) = (year_start.year() + (m / 12) as i32, (m % 12) + 1);
                let at = m as f64 * px;
                let year_label = (month == 1 || m == 0).then(|| view! { <text class="programme-year" x=at + 4.0 y=15>{programme_year(locale, year)}</text> });
                view! {
                    <line class="programme-tick" x1=at y1=if month == 1 { 0.0 } else { 20.0 } x2=at y2=PROGRAMME_AXIS/>
                    {year_label}
                    <text x=at + 4.0 y=34>{programme_month(locale, month)}</text>
                }
            })
            .collect_view()
    };
    let pinned = move || {
        let locale = locale.get();
        let left = scroll_left.get().clamp(0.0, width);
        let m = (left / px).floor() as u32;
        let (year, month) = (year_start.year() + (m / 12) as i32, (m % 12) + 1);
        let (month_cover, month_whole) = super::chart::edge_label(left, (m + 1) as f64 * px, PROGRAMME_MONTH_LABEL);
        let next_year = ((m / 12) + 1) as f64 * 12.0 * px;
        let (year_cover, year_whole) = super::chart::edge_label(left, next_year, PROGRAMME_YEAR_LABEL);
        view! {
            <g class="programme-pin">
                <rect x=left y=0 width=year_cover height=20/>
                <rect x=left y=20 width=month_cover height=PROGRAMME_AXIS - 20.0/>
                {year_whole.then(|| view! { <text class="programme-year" x=left + 4.0 y=15>{programme_year(locale, year)}</text> })}
                {month_whole.then(|| view! { <text x=left + 4.0 y=34>{programme_month(locale, month)}</text> })}
            </g>
        }
    };
    view! {
        <form class="filters" method="get">
            <label><Tr m=Msg::Branch/>
                <select name="branch">
                    <option value="">{move || t(locale.get(), Msg::All)}</option>
                    {branches.into_iter().map(|(k, n)| view! { <option value=k>{n}</option> }).collect_view()}
                </select>
            </label>
            <label><Tr m=Msg::Category/>
                <select name="category">
                    <option value="">{move || t(locale.get(), Msg::All)}</option>
                    {Category::ALL.into_iter().map(|c| view! { <option value=c.code()>{move || category_name(locale.get(), c)}</option> }).collect_view()}
                </select>
            </label>
            <button class="secondary" type="submit"><Tr m=Msg::Filter/></button>
        </form>
        {latest.map(|d| view! { <p class="notice" role="note">{move || programme_summary(locale.get(), d)}</p> })}
        <div
            class="programme-scroll"
            node_ref=scroller
            role="region"
            tabindex="0"
            aria-label=move || t(locale.get(), Msg::GanttProgramme)
            on:scroll=move |ev| scroll_left.set(event_target::<leptos::web_sys::Element>(&ev).scroll_left() as f64)
        >
            <div class="programme-row programme-header" aria-hidden="true">
                <span></span>
                <svg class="programme-head" width=width height=PROGRAMME_AXIS>
                    {axis}
                    {pinned}
                </svg>
            </div>
            {groups.into_iter().map(|(branch, list)| view! {
                <h2 class="programme-branch">{branch}</h2>
                <ul class="programme-rows">
                    {list.into_iter().map(|r| {
                        let bar = r.start.zip(r.finish).map(|(s, f)| {
                            let (x0, x1) = (x(s), x(f) + 2.0);
                            let class = if r.slack.is_some_and(|s| s < 0) { "programme-bar late" } else { "programme-bar" };
                            view! {
                                <rect class=class x=x0 y=6 width=(x1 - x0).max(3.0) height=16 rx=3/>
                                <rect class="programme-progress" x=x0 y=6 width=(x1 - x0).max(3.0) * r.progress as f64 / 100.0 height=16 rx=3/>
                            }
                        });
                        let end_mark = r.ends_on.map(|e| view! { <line class="programme-end" x1=x(e) y1=2 x2=x(e) y2=26/> });
                        let flags = view! {
                            {(r.overdue > 0).then(|| view! { <span class="badge overdue">{move || format!("{} {}", t(locale.get(), Msg::GanttOverdue), r.overdue)}</span> })}
                            {(r.at_risk > 0).then(|| view! { <span class="badge at-risk">{move || format!("{} {}", t(locale.get(), Msg::GanttAtRisk), r.at_risk)}</span> })}
                        };
                        view! {
                            <li class="programme-row">
                                <a class="programme-title" href=format!("/gantt/{}", r.project)>{r.title.clone()}</a>
                                <span class="programme-flags">{flags}</span>
                                <svg class="programme-line" width=width height=28 role="img" aria-label=format!("{} {}%", r.title, r.progress)>
                                    {bar}{end_mark}
                                    <line class="programme-today" x1=x(today) y1=0 x2=x(today) y2=28/>
                                </svg>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }).collect_view()}
        </div>
    }
}

fn programme_summary(locale: Locale, latest: NaiveDate) -> String {
    match locale {
        Locale::ZhCn => format!("项目计划已经排到{}月{}日", latest.month(), latest.day()),
        Locale::En => format!("Plans are scheduled up to {}", latest.format("%-d %B %Y")),
    }
}
